//! One headless boot: start QEMU, feed it input, watch its serial port,
//! take a screenshot, and make sure it is gone afterwards.
//!
//! Serial goes through QEMU's stdin/stdout pipes (`-serial stdio`), QMP
//! through a Unix socket in the boot's own folder. A boot ends when QEMU
//! exits by itself (the kernel wrote to `isa-debug-exit`), when it has
//! *settled* (the rank ladder finished and serial went quiet; the referee
//! then screenshots and quits it), or when its time runs out (killed).
//! QEMU is killed on every path, including panics in the referee, by the
//! guard's `Drop`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use regex::Regex;

use super::qmp::Qmp;
use super::{Accel, Ending, Firmware, QMP_CONNECT_TIMEOUT, base_args};
use crate::checks::Step;

/// The line the kernel prints when the rank ladder is done.
pub const LADDER_DONE: &str = r"(?m)^rank \d+: .* reached";
/// The kernel's panic banner.
pub const PANIC_LINE: &str = "KERNEL PANIC";
/// How long serial must stay quiet before a boot counts as settled.
const QUIET: Duration = Duration::from_millis(500);
const POLL: Duration = Duration::from_millis(25);
/// Pause between two key presses, so the guest sees separate events.
const KEY_GAP: Duration = Duration::from_millis(60);

pub struct BootRequest<'a> {
    /// A folder of its own: vars copy, QMP socket, logs, screenshot.
    pub run_dir: PathBuf,
    pub esp_dir: PathBuf,
    pub firmware: &'a Firmware,
    pub accel: Accel,
    pub steps: &'a [Step],
    /// Wait for the boot to settle and screenshot it, instead of waiting
    /// for the kernel to exit QEMU.
    pub hold: bool,
    pub timeout: Duration,
    pub nonce: String,
    /// The QEMU binary (`qemu_binary()`; tests substitute a fake).
    pub qemu: PathBuf,
}

#[derive(Debug, Clone)]
pub struct BootRecord {
    /// Raw serial output (firmware escape sequences included).
    pub serial: String,
    pub ending: Ending,
    pub screenshot: Option<PathBuf>,
    pub elapsed: Duration,
    /// Problems with input steps or the screenshot, for the board.
    pub notes: Vec<String>,
    /// The `nonce=` word on this boot's command line.
    pub nonce: String,
}

/// Kills QEMU when dropped, whatever happened.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

pub fn run_boot(request: &BootRequest) -> Result<BootRecord> {
    let start = Instant::now();
    std::fs::create_dir_all(&request.run_dir)?;
    let vars = request.run_dir.join("OVMF_VARS.fd");
    std::fs::copy(&request.firmware.vars, &vars)
        .with_context(|| format!("copying {}", request.firmware.vars.display()))?;
    let qmp_path = request.run_dir.join("qmp.sock");
    let _ = std::fs::remove_file(&qmp_path);
    let stderr_path = request.run_dir.join("qemu-stderr.txt");

    let mut command = Command::new(&request.qemu);
    command
        .args(base_args(request.firmware, &vars, &request.esp_dir, request.accel))
        .args(["-display", "none", "-serial", "stdio"])
        .arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", qmp_path.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path)?);
    let mut guard = Guard(command.spawn().context("starting qemu-system-x86_64 (is QEMU installed?)")?);
    let mut stdin = guard.0.stdin.take();
    let serial = Arc::new(Mutex::new(Vec::<u8>::new()));
    let reader = {
        let serial = Arc::clone(&serial);
        let mut stdout = guard.0.stdout.take().context("QEMU stdout")?;
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                serial.lock().expect("serial buffer").extend_from_slice(&buffer[..n]);
            }
        })
    };
    // What the kernel has said so far, escapes removed, for the waits.
    let text = || clean_serial(&String::from_utf8_lossy(&serial.lock().expect("serial buffer")));
    let deadline = start + request.timeout;
    let mut notes = Vec::new();
    // QEMU creates the QMP socket as it starts; wait for it, but not past
    // the deadline and not for a QEMU that has already died.
    let socket_deadline = deadline.min(Instant::now() + QMP_CONNECT_TIMEOUT);
    let mut exited = wait_until(&mut guard, socket_deadline, || qmp_path.exists());
    let mut qmp = None;
    if exited.is_none() && qmp_path.exists() {
        match Qmp::connect(&qmp_path, QMP_CONNECT_TIMEOUT) {
            Ok(connection) => qmp = Some(connection),
            Err(e) => notes.push(format!("no QMP: {e:#}")),
        }
    } else if exited.is_none() {
        notes.push("QEMU never opened its QMP socket".into());
    }

    // Input is sent once the ladder is done: that is when a checkpoint
    // starts listening.
    let ladder = Regex::new(LADDER_DONE).expect("valid regex");
    if exited.is_none() && !request.steps.is_empty() {
        exited = wait_until(&mut guard, deadline, || ladder.is_match(&text()));
        if exited.is_none()
            && Instant::now() < deadline
            && let Err(e) = send_steps(request.steps, qmp.as_mut(), stdin.as_mut(), deadline, &text)
        {
            notes.push(format!("input not delivered: {e:#}"));
        }
    }

    // Then wait for the end: QEMU exits, the boot settles, or time is up.
    let mut screenshot = None;
    let mut stopped_by_referee = false;
    if exited.is_none() {
        if request.hold {
            let mut last_len = 0;
            let mut quiet_since = Instant::now();
            exited = wait_until(&mut guard, deadline, || {
                let now = text();
                if now.len() != last_len {
                    last_len = now.len();
                    quiet_since = Instant::now();
                }
                (ladder.is_match(&now) || now.contains(PANIC_LINE)) && quiet_since.elapsed() >= QUIET
            });
        } else {
            exited = wait_until(&mut guard, deadline, || false);
        }
    }
    let timed_out = exited.is_none() && Instant::now() >= deadline;
    if exited.is_none() {
        // Settled or timed out: look at the screen before QEMU goes away.
        if let Some(qmp) = qmp.as_mut() {
            let path = request.run_dir.join("screen.png");
            match qmp.screendump(&path) {
                Ok(()) => screenshot = Some(path),
                Err(e) => notes.push(format!("screendump failed: {e:#}")),
            }
            if !timed_out {
                stopped_by_referee = true;
                qmp.quit();
                exited = wait_until(&mut guard, Instant::now() + Duration::from_secs(5), || false);
            }
        }
    }
    drop(stdin.take());
    let ending = match exited {
        _ if stopped_by_referee => Ending::Stopped,
        Some(status) if !timed_out => {
            Ending::from_status(status, &std::fs::read_to_string(&stderr_path).unwrap_or_default())
        }
        _ => Ending::TimedOut { seconds: request.timeout.as_secs() },
    };
    drop(guard);
    let _ = reader.join();
    let serial = String::from_utf8_lossy(&serial.lock().expect("serial buffer")).into_owned();
    std::fs::write(request.run_dir.join("serial.txt"), &serial)?;
    Ok(BootRecord { serial, ending, screenshot, elapsed: start.elapsed(), notes, nonce: request.nonce.clone() })
}

/// Polls until QEMU exits (returns its status), `done()` holds, or the
/// deadline passes (both `None`).
fn wait_until(guard: &mut Guard, deadline: Instant, mut done: impl FnMut() -> bool) -> Option<i32> {
    loop {
        if let Ok(Some(status)) = guard.0.try_wait() {
            return Some(status.code().unwrap_or(-1));
        }
        if done() || Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}

fn send_steps(
    steps: &[Step],
    mut qmp: Option<&mut Qmp>,
    mut stdin: Option<&mut ChildStdin>,
    deadline: Instant,
    text: &dyn Fn() -> String,
) -> Result<()> {
    for step in steps {
        match step {
            Step::Keys(keys) => {
                let qmp = qmp.as_deref_mut().context("keys need QMP")?;
                for key in keys {
                    qmp.send_key(key)?;
                    std::thread::sleep(KEY_GAP);
                }
            }
            Step::Serial(bytes) => {
                let stdin = stdin.as_deref_mut().context("serial input closed")?;
                stdin.write_all(bytes.as_bytes())?;
                stdin.flush()?;
            }
            Step::WaitMs(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::WaitFor(source) => {
                let pattern = Regex::new(&format!("(?m){source}"))?;
                while !pattern.is_match(&text()) {
                    if Instant::now() >= deadline {
                        anyhow::bail!("timed out waiting for /{source}/");
                    }
                    std::thread::sleep(POLL);
                }
            }
        }
    }
    Ok(())
}

/// Strips terminal escape sequences (OVMF and Limine clear the screen over
/// serial) and carriage returns.
pub fn clean_serial(raw: &str) -> String {
    let escapes = Regex::new(r"\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1bc").expect("valid regex");
    escapes.replace_all(raw, "").replace('\r', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_firmware_escapes_and_carriage_returns() {
        let raw = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: loading\r\nMinimalOS 0.1.0\r\n";
        assert_eq!(clean_serial(raw), "BdsDxe: loading\nMinimalOS 0.1.0\n");
    }

    /// A stand-in for QEMU: a shell script, so the referee's handling of
    /// hangs, crashes and exits is tested without booting anything.
    fn fake_qemu(name: &str, script: &str) -> (PathBuf, Firmware) {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("quest-fake-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let qemu = dir.join("qemu");
        std::fs::write(&qemu, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&qemu, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.join("vars.fd"), b"vars").unwrap();
        let firmware = Firmware { code: dir.join("code.fd"), vars: dir.join("vars.fd") };
        (qemu, firmware)
    }

    fn boot_with(name: &str, script: &str, timeout: Duration) -> BootRecord {
        let (qemu, firmware) = fake_qemu(name, script);
        let run_dir = qemu.parent().unwrap().join("run");
        run_boot(&BootRequest {
            esp_dir: run_dir.join("esp"),
            run_dir,
            firmware: &firmware,
            accel: Accel::Tcg,
            steps: &[],
            hold: false,
            timeout,
            nonce: "n".into(),
            qemu,
        })
        .unwrap()
    }

    #[test]
    fn a_hung_qemu_is_killed_at_the_time_limit_and_its_output_kept() {
        let start = Instant::now();
        let record = boot_with("hang", "echo 'MinimalOS 0.1.0 - rank I'; exec sleep 600", Duration::from_secs(2));
        assert_eq!(record.ending, Ending::TimedOut { seconds: 2 });
        assert!(record.serial.contains("MinimalOS 0.1.0"));
        assert!(start.elapsed() < Duration::from_secs(6), "took {:?}", start.elapsed());
    }

    #[test]
    fn a_qemu_that_cannot_start_is_reported_with_its_message() {
        let record = boot_with("crash", "echo 'qemu: could not load PC BIOS' >&2; exit 1", Duration::from_secs(5));
        match record.ending {
            Ending::Crashed { message } => assert!(message.contains("could not load PC BIOS"), "{message}"),
            other => panic!("expected a crash, got {other:?}"),
        }
    }

    #[test]
    fn the_guest_exit_code_is_decoded_from_qemus_status() {
        let record = boot_with("panic", "printf 'KERNEL PANIC: boom\\r\\n'; exit 35", Duration::from_secs(5));
        assert_eq!(record.ending, Ending::Exited { status: 35, guest_code: Some(0x11) });
        assert_eq!(clean_serial(&record.serial), "KERNEL PANIC: boom\n");
    }

    #[test]
    fn the_ladder_pattern_matches_only_the_final_line() {
        let ladder = Regex::new(LADDER_DONE).unwrap();
        assert!(ladder.is_match("x\nrank 1: The Awakening reached\n"));
        assert!(!ladder.is_match("MinimalOS 0.1.0 - rank I of I: The Awakening\n"));
    }
}
