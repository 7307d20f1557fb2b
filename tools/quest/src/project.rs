//! Where things are: the repository root, the build folder, the kernels
//! the Makefile built for each rank, and the loaders.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::machine::Loader;

pub struct Project {
    pub root: PathBuf,
    pub build: PathBuf,
}

/// `--boot`: which loader boots the checkpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BootChoice {
    /// Limine when its binaries are present, else testboot.
    Auto,
    Limine,
    Testboot,
}

impl Project {
    /// The repository containing the current directory.
    pub fn find() -> Result<Self> {
        let start = std::env::current_dir()?;
        for dir in start.ancestors() {
            if dir.join("ranks").is_dir() && dir.join("Cargo.toml").is_file() && dir.join("kernel").is_dir() {
                return Ok(Self::at(dir));
            }
        }
        bail!("run this inside the MinimalOS repository (no ranks/ and kernel/ found above {})", start.display())
    }

    pub fn at(root: &Path) -> Self {
        Self { root: root.to_path_buf(), build: root.join("build") }
    }

    pub fn ranks_dir(&self) -> PathBuf {
        self.root.join("ranks")
    }

    /// The kernel the Makefile built for checkpoint `rank`.
    pub fn kernel(&self, rank: u8) -> PathBuf {
        self.build.join(format!("kernel/rank-{rank}/kernel.elf"))
    }

    pub fn require_kernel(&self, rank: u8) -> Result<PathBuf> {
        let path = self.kernel(rank);
        if !path.is_file() {
            bail!("{} is missing: build it with `make build RANK={rank}`", path.display());
        }
        Ok(path)
    }

    /// A file a check or a boot needs, read from the project root; when it
    /// is missing, the error says which `make` target builds it.
    pub fn read(&self, file: &str) -> Result<Vec<u8>> {
        let path = self.root.join(file);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!("{}", missing(file)),
            Err(e) => bail!("cannot read {file}: {e}"),
        }
    }

    pub fn quest_dir(&self) -> PathBuf {
        self.build.join("quest")
    }

    pub fn screens_dir(&self) -> PathBuf {
        self.build.join("screens")
    }

    fn testboot(&self) -> PathBuf {
        self.build.join("testboot/BOOTX64.EFI")
    }

    fn limine(&self) -> PathBuf {
        let dir = std::env::var_os("LIMINE_DIR").map_or_else(|| self.build.join("limine"), PathBuf::from);
        dir.join("BOOTX64.EFI")
    }

    /// Resolves `--boot` to a loader, with a note when auto falls back.
    pub fn loader(&self, choice: BootChoice) -> Result<(Loader, Option<String>)> {
        let limine = self.limine();
        let testboot = self.testboot();
        match choice {
            BootChoice::Limine if limine.is_file() => Ok((Loader::Limine(limine), None)),
            BootChoice::Limine => bail!(
                "Limine is not at {} (set LIMINE_DIR, or let `make` clone it into build/limine)",
                limine.display()
            ),
            BootChoice::Auto if limine.is_file() => Ok((Loader::Limine(limine), None)),
            BootChoice::Testboot | BootChoice::Auto if testboot.is_file() => {
                let note = (choice == BootChoice::Auto).then(|| {
                    "Limine is not available here; booting with the hermetic test loader (testboot)".to_string()
                });
                Ok((Loader::Testboot(testboot), note))
            }
            _ => bail!("{} is missing: build it with `make build`", testboot.display()),
        }
    }
}

/// The `make` target that builds a file of `build/`, for messages about a
/// file that is not there.
pub fn builder_of(file: &str) -> Option<&'static str> {
    let name = file.rsplit('/').next().unwrap_or(file);
    if file.starts_with("build/vault") && name.ends_with(".tar") && !file["build/".len()..].contains('/') {
        Some("make vault")
    } else if file.starts_with("build/user/") {
        Some("make user")
    } else if file.starts_with("build/") {
        Some("make build")
    } else {
        None
    }
}

/// "build/vault.tar is missing: `make vault` builds it".
pub fn missing(file: &str) -> String {
    match builder_of(file) {
        Some(target) => format!("{file} is missing: `{target}` builds it"),
        None => format!("{file} is missing"),
    }
}

#[cfg(test)]
mod tests {
    use super::{builder_of, missing};

    #[test]
    fn a_missing_build_file_names_the_target_that_builds_it() {
        assert_eq!(builder_of("build/vault.tar"), Some("make vault"));
        assert_eq!(builder_of("build/vault-bad-checksum.tar"), Some("make vault"));
        assert_eq!(builder_of("build/user/segments.elf"), Some("make user"));
        assert_eq!(builder_of("build/kernel/rank-7/kernel.elf"), Some("make build"));
        assert_eq!(builder_of("ranks/01-awakening/parcel.txt"), None);
        assert_eq!(missing("build/vault-no-init.tar"), "build/vault-no-init.tar is missing: `make vault` builds it");
    }
}
