//! The virtual machine: QEMU, OVMF, the EFI system partition, a loader.
//!
//! Every boot of a checkpoint — by `make run`, by a check, by the honesty
//! test — is assembled here, so the QEMU flags live in exactly one place:
//! q35, 256 MiB, no default devices, `std` VGA, OVMF from two pflash
//! drives (the variables a private copy per boot), and the ESP as a
//! directory QEMU presents as a FAT disk. BOOT-FACTS.md says why each flag.
//! A rank's `[checkpoint] qemu` may add `-smp N` (manifest.rs allows
//! nothing else), so every boot of that rank has the same processors.

mod accel;
mod boot;
mod cpu;
mod esp;
mod qmp;
mod serial;
mod settle;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};

pub use accel::{Accel, choose as choose_accel};
pub use boot::{BootRecord, BootRequest, run_boot};
pub use esp::{EspSpec, build_esp};
pub use serial::clean_serial;
pub use settle::HoldPlan;

/// RAM given to every guest; `number` checks compare against it.
pub const RAM_BYTES: u64 = 256 * 1024 * 1024;

/// Which UEFI program boots the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loader {
    /// The real Limine, from a directory holding its `BOOTX64.EFI`.
    Limine(PathBuf),
    /// `tools/testboot`, our hermetic stand-in.
    Testboot(PathBuf),
}

impl Loader {
    pub fn efi_path(&self) -> &Path {
        match self {
            Self::Limine(dir) | Self::Testboot(dir) => dir,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Limine(_) => "limine",
            Self::Testboot(_) => "testboot",
        }
    }
}

/// How a boot ended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ending {
    /// QEMU exited by itself. `guest_code` is set when the kernel wrote to
    /// `isa-debug-exit` (QEMU status = code * 2 + 1).
    Exited { status: i32, guest_code: Option<u32> },
    /// The referee took its screenshot and quit QEMU over QMP.
    Stopped,
    /// The time limit ran out and QEMU was killed.
    TimedOut { seconds: u64 },
    /// QEMU could not start or died on its own (its stderr).
    Crashed { message: String },
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exited { guest_code: Some(code), .. } => write!(f, "ended with guest exit code {code:#x}"),
            Self::Exited { status, guest_code: None } => write!(
                f,
                "ended with QEMU status {status} (a reset or shutdown; under -no-reboot a triple fault ends this way)"
            ),
            Self::Stopped => write!(f, "settled and was stopped by the referee"),
            Self::TimedOut { seconds } => write!(f, "timed out after {seconds} s and was killed"),
            Self::Crashed { message } => write!(f, "failed: {message}"),
        }
    }
}

impl Ending {
    /// Reads QEMU's exit status.
    pub fn from_status(status: i32, stderr: &str) -> Self {
        // isa-debug-exit: status = (code << 1) | 1. Code 0 (status 1) is
        // never used by the kernel, because status 1 is also QEMU's own
        // start-up failure.
        if status > 1 && status % 2 == 1 {
            return Self::Exited { status, guest_code: Some((status as u32 - 1) / 2) };
        }
        if status == 0 {
            return Self::Exited { status, guest_code: None };
        }
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        Self::Crashed { message: format!("QEMU exited with status {status}: {first}") }
    }
}

/// OVMF firmware: code (read-only) and a template for the variables.
#[derive(Clone, Debug)]
pub struct Firmware {
    pub code: PathBuf,
    pub vars: PathBuf,
}

/// Where distributions put OVMF, most common first.
const OVMF_CANDIDATES: &[(&str, &str)] = &[
    ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
    ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
    ("/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"),
    ("/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd"),
    ("/usr/share/edk2-ovmf/x64/OVMF_CODE.fd", "/usr/share/edk2-ovmf/x64/OVMF_VARS.fd"),
    ("/usr/share/qemu/edk2-x86_64-code.fd", "/usr/share/qemu/edk2-i386-vars.fd"),
];

impl Firmware {
    /// `OVMF_CODE`/`OVMF_VARS` from the environment, else the first
    /// known location that exists.
    pub fn find() -> Result<Self> {
        if let (Ok(code), Ok(vars)) = (std::env::var("OVMF_CODE"), std::env::var("OVMF_VARS")) {
            return Ok(Self { code: code.into(), vars: vars.into() });
        }
        for (code, vars) in OVMF_CANDIDATES {
            if Path::new(code).is_file() && Path::new(vars).is_file() {
                return Ok(Self { code: code.into(), vars: vars.into() });
            }
        }
        bail!(
            "OVMF (UEFI firmware for QEMU) was not found. Install it (Debian/Ubuntu: `sudo apt-get install ovmf`; \
             Fedora: `sudo dnf install edk2-ovmf`; Arch: `sudo pacman -S edk2-ovmf`) or set OVMF_CODE and OVMF_VARS"
        )
    }
}

/// The QEMU arguments every boot shares; callers add display and serial.
/// `checkpoint_args` are the rank's `[checkpoint] qemu` (validated there).
pub fn base_args(
    firmware: &Firmware,
    vars_copy: &Path,
    esp_dir: &Path,
    accel: Accel,
    checkpoint_args: &[String],
) -> Vec<String> {
    let mut args: Vec<String> = [
        "-machine",
        "q35",
        "-m",
        "256M",
        "-nodefaults",
        "-vga",
        "std",
        "-no-reboot",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(accel.args().iter().map(|s| s.to_string()));
    args.push("-drive".into());
    args.push(format!("if=pflash,format=raw,readonly=on,file={}", firmware.code.display()));
    args.push("-drive".into());
    args.push(format!("if=pflash,format=raw,file={}", vars_copy.display()));
    args.push("-drive".into());
    args.push(format!("format=raw,file=fat:rw:{}", esp_dir.display()));
    args.extend(checkpoint_args.iter().cloned());
    // For measurements and experiments, e.g. QEMU_EXTRA="-icount shift=7".
    if let Ok(extra) = std::env::var("QEMU_EXTRA") {
        args.extend(extra.split_whitespace().map(str::to_string));
    }
    args
}

/// The QEMU to run: `QEMU` from the environment, else the usual name.
pub fn qemu_binary() -> PathBuf {
    std::env::var_os("QEMU").map_or_else(|| PathBuf::from("qemu-system-x86_64"), PathBuf::from)
}

/// Limits for a headless boot.
pub const QMP_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
