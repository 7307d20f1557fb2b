//! KVM or TCG: probed, never assumed.
//!
//! A `/dev/kvm` that exists may still be useless: some hosts offer a
//! paravirtual KVM under which every guest instruction is emulated
//! (slower than TCG) and `sysretq` faults. So before trusting KVM we run a
//! 46-byte guest under it: a multiboot image that counts down 20 million
//! times and reports through `isa-debug-exit`. Real KVM finishes in well
//! under a second with the right exit code; anything else means TCG.
//! `ACCEL=kvm|tcg` overrides the probe.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    Kvm,
    Tcg,
}

impl Accel {
    pub fn args(self) -> &'static [&'static str] {
        match self {
            Self::Kvm => &["-accel", "kvm", "-cpu", "host"],
            // `max` gives TCG guests SMEP, SMAP and the other features the
            // later ranks use.
            Self::Tcg => &["-accel", "tcg", "-cpu", "max"],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Kvm => "KVM",
            Self::Tcg => "TCG (software emulation)",
        }
    }
}

/// The probe guest's exit code through isa-debug-exit: status 0x2a*2+1.
const PROBE_STATUS: i32 = 85;
/// Real KVM runs the probe in ~0.1 s including QEMU start-up.
const PROBE_LIMIT: Duration = Duration::from_secs(3);
const PROBE_FAST_ENOUGH: Duration = Duration::from_millis(1500);

/// Picks the accelerator and says why, in one line.
pub fn choose(build_dir: &Path) -> (Accel, String) {
    match std::env::var("ACCEL").as_deref() {
        Ok("tcg") => return (Accel::Tcg, "TCG (ACCEL=tcg)".into()),
        Ok("kvm") => return (Accel::Kvm, "KVM (ACCEL=kvm, not probed)".into()),
        _ => {}
    }
    if !Path::new("/dev/kvm").exists() {
        return (Accel::Tcg, "TCG: no /dev/kvm on this machine".into());
    }
    // The verdict is kept for an hour: a failing probe costs seconds, and
    // `make test` asks many times.
    let cache = build_dir.join("accel-probe.txt");
    let fresh = std::fs::metadata(&cache)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < PROBE_CACHE_AGE));
    if fresh && let Ok(text) = std::fs::read_to_string(&cache) {
        match text.split_once('\n') {
            Some(("kvm", why)) => return (Accel::Kvm, format!("{why} (probed earlier)")),
            Some(("tcg", why)) => return (Accel::Tcg, format!("{why} (probed earlier)")),
            _ => {}
        }
    }
    let (accel, why) = match probe(build_dir) {
        Ok(elapsed) => (Accel::Kvm, format!("KVM: probe guest ran correctly in {} ms", elapsed.as_millis())),
        Err(reason) => (Accel::Tcg, format!("TCG: /dev/kvm exists but {reason}")),
    };
    let tag = if accel == Accel::Kvm { "kvm" } else { "tcg" };
    let _ = std::fs::write(&cache, format!("{tag}\n{why}"));
    (accel, why)
}

const PROBE_CACHE_AGE: Duration = Duration::from_secs(3600);

/// A flat multiboot (v1, a.out kludge) image loaded at 1 MiB:
/// `mov ecx, 20000000; 1: dec ecx; jnz 1b; mov al, 0x2a; out 0xf4, al; hlt`.
fn probe_image() -> Vec<u8> {
    const LOAD: u32 = 0x10_0000;
    const MAGIC: u32 = 0x1BAD_B002;
    const FLAGS: u32 = 1 << 16; // addresses given in the header
    let mut code = vec![0xB9];
    code.extend_from_slice(&20_000_000u32.to_le_bytes());
    code.extend_from_slice(&[0x49, 0x75, 0xFD, 0xB0, 0x2A, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD]);
    let header_len = 32u32;
    let end = LOAD + header_len + code.len() as u32;
    let checksum = 0u32.wrapping_sub(MAGIC.wrapping_add(FLAGS));
    let mut image = Vec::new();
    for word in [MAGIC, FLAGS, checksum, LOAD, LOAD, end, end, LOAD + header_len] {
        image.extend_from_slice(&word.to_le_bytes());
    }
    image.extend_from_slice(&code);
    image
}

fn probe(build_dir: &Path) -> Result<Duration, String> {
    let path = build_dir.join("kvm-probe.bin");
    std::fs::create_dir_all(build_dir).map_err(|e| e.to_string())?;
    std::fs::write(&path, probe_image()).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = Command::new(super::qemu_binary())
        .args(["-accel", "kvm", "-cpu", "host", "-machine", "pc", "-m", "16M", "-nodefaults", "-display", "none"])
        .args(["-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel"])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("QEMU could not start: {e}"))?;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let elapsed = start.elapsed();
            return match status.code() {
                Some(PROBE_STATUS) if elapsed <= PROBE_FAST_ENOUGH => Ok(elapsed),
                Some(PROBE_STATUS) => {
                    Err(format!("the probe guest took {} ms (emulated, not accelerated)", elapsed.as_millis()))
                }
                other => Err(format!("the probe guest failed (QEMU status {other:?})")),
            };
        }
        if start.elapsed() > PROBE_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the probe guest did not finish within {} s", PROBE_LIMIT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_image_has_a_valid_multiboot_header() {
        let image = probe_image();
        let word = |i: usize| u32::from_le_bytes(image[i * 4..i * 4 + 4].try_into().unwrap());
        assert_eq!(word(0), 0x1BAD_B002);
        assert_eq!(word(0).wrapping_add(word(1)).wrapping_add(word(2)), 0, "checksum");
        assert_eq!(word(5) - word(4), image.len() as u32, "load_end covers the image");
        assert_eq!(word(7), word(4) + 32, "entry is right after the header");
    }
}
