//! The EFI system partition, as a directory.
//!
//! QEMU's `fat:` driver shows a host directory to the guest as a FAT disk,
//! so an ESP is just files: the loader as the removable-media default
//! `EFI/BOOT/BOOTX64.EFI`, one `limine.conf` at the root (the first place
//! Limine looks), the kernel and its modules under `boot/`. Real Limine and
//! testboot read the very same tree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Loader;
use crate::manifest::Module;

/// What goes on one ESP.
pub struct EspSpec<'a> {
    pub loader: &'a Loader,
    pub kernel: &'a Path,
    /// Entry title in the menu (Limine shows none with `timeout: 0`).
    pub title: String,
    pub cmdline: String,
    /// Modules: (file on the host, module entry).
    pub modules: Vec<(PathBuf, Module)>,
}

/// The `limine.conf` for a spec (v8 syntax, CONFIG.md).
pub fn limine_conf(spec: &EspSpec) -> String {
    let mut conf =
        String::from("# Written by tools/quest for one boot; edit ranks/*/rank.toml instead.\ntimeout: 0\n\n");
    let _ = writeln!(conf, "/{}", spec.title);
    let _ = writeln!(conf, "    protocol: limine");
    let _ = writeln!(conf, "    kernel_path: boot():/boot/kernel.elf");
    let _ = writeln!(conf, "    cmdline: {}", spec.cmdline.trim());
    for (_, module) in &spec.modules {
        let _ = writeln!(conf, "    module_path: boot():/boot/{}", module_file_name(module));
        if !module.cmdline.is_empty() {
            let _ = writeln!(conf, "    module_cmdline: {}", module.cmdline);
        }
    }
    conf
}

fn module_file_name(module: &Module) -> String {
    Path::new(&module.path).file_name().map_or_else(|| module.path.clone(), |n| n.to_string_lossy().into_owned())
}

/// Writes the ESP tree into `dir` (emptied first).
pub fn build_esp(dir: &Path, spec: &EspSpec) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    let efi_boot = dir.join("EFI/BOOT");
    let boot = dir.join("boot");
    std::fs::create_dir_all(&efi_boot)?;
    std::fs::create_dir_all(&boot)?;
    copy(spec.loader.efi_path(), &efi_boot.join("BOOTX64.EFI"))?;
    copy(spec.kernel, &boot.join("kernel.elf"))?;
    for (source, module) in &spec.modules {
        copy(source, &boot.join(module_file_name(module)))?;
    }
    std::fs::write(dir.join("limine.conf"), limine_conf(spec))?;
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_v8_config_with_modules_and_cmdline() {
        let loader = Loader::Testboot("x".into());
        let spec = EspSpec {
            loader: &loader,
            kernel: Path::new("k"),
            title: "MinimalOS rank 7".into(),
            cmdline: "qemu-exit scenario=panic ".into(),
            modules: vec![("build/vault.tar".into(), Module { path: "vault.tar".into(), cmdline: "vault".into() })],
        };
        let conf = limine_conf(&spec);
        assert!(conf.contains("timeout: 0\n"));
        assert!(conf.contains("\n/MinimalOS rank 7\n    protocol: limine\n"));
        assert!(conf.contains("    kernel_path: boot():/boot/kernel.elf\n"));
        assert!(conf.contains("    cmdline: qemu-exit scenario=panic\n"));
        assert!(conf.contains("    module_path: boot():/boot/vault.tar\n    module_cmdline: vault\n"));
    }
}
