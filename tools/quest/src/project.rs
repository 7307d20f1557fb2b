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
