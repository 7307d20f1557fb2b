//! One headless boot: start QEMU, feed it input, watch its serial port,
//! question the settled machine, and make sure QEMU is gone afterwards.
//!
//! Serial goes through QEMU's stdin/stdout pipes (`-serial stdio`, read by
//! `serial.rs`), QMP through a Unix socket in the boot's own folder. A boot
//! ends when QEMU exits by itself (the kernel wrote to `isa-debug-exit`),
//! when a held boot has *settled* (`settle.rs`; the referee then asks the
//! monitor, takes screenshots, measures QEMU's CPU time over a window if
//! asked, and quits it), or when its time runs out (killed). The time
//! limit bounds the wait for settling; what the referee does with the
//! settled machine comes on top, so a long CPU window needs no longer
//! limit. QEMU is killed on every path, including panics in the
//! referee, by the guard's `Drop`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use regex::Regex;

use super::cpu;
use super::qmp::Qmp;
use super::serial::{SerialLog, SerialReader};
use super::settle::{HoldPlan, Settling};
use super::{Accel, Ending, Firmware, QMP_CONNECT_TIMEOUT, base_args};
use crate::checks::{CpuUse, Step};

/// The line the kernel prints when the rank ladder is done.
pub const LADDER_DONE: &str = r"(?m)^rank \d+: .* reached";
/// The kernel's panic banner.
pub const PANIC_LINE: &str = "KERNEL PANIC";
const POLL: Duration = Duration::from_millis(25);
/// Pause between two key presses, so the guest sees separate events.
const KEY_GAP: Duration = Duration::from_millis(60);
/// A `wait_for` step gives up when the kernel has printed nothing new for
/// this long: it is idle and will not print the line (an earlier
/// checkpoint waiting for a prompt it does not have), so there is no point
/// in sitting out the boot's whole timeout.
const WAIT_FOR_SILENCE: Duration = Duration::from_secs(15);

pub struct BootRequest<'a> {
    /// A folder of its own: vars copy, QMP socket, logs, screenshots.
    pub run_dir: PathBuf,
    pub esp_dir: PathBuf,
    pub firmware: &'a Firmware,
    pub accel: Accel,
    /// The rank's `[checkpoint] qemu` arguments.
    pub qemu_args: &'a [String],
    pub steps: &'a [Step],
    /// `Some`: wait for the boot to settle, carry out the plan and take a
    /// screenshot, instead of waiting for the kernel to exit QEMU.
    pub hold: Option<HoldPlan>,
    pub timeout: Duration,
    pub nonce: String,
    /// The QEMU binary (`qemu_binary()`; tests substitute a fake).
    pub qemu: PathBuf,
}

#[derive(Debug, Clone)]
pub struct BootRecord {
    /// Raw serial output (firmware escape sequences included).
    pub serial: String,
    /// Serial lines, cleaned, with the time each reached the referee
    /// (from QEMU's start): the clock of `serial-rate` checks.
    pub lines: Vec<(Duration, String)>,
    pub ending: Ending,
    pub screenshot: Option<PathBuf>,
    /// The `screen-changes` screenshot and how long after the first.
    pub second_screenshot: Option<(PathBuf, Duration)>,
    /// What QEMU's monitor answered at settle time: command → text.
    pub monitor: BTreeMap<String, String>,
    /// QEMU's CPU time over the plan's window after the screenshots, or
    /// why it could not be read; `None` when no window was asked for or
    /// the boot never settled.
    pub host_cpu: Option<Result<CpuUse, String>>,
    pub elapsed: Duration,
    /// Problems with input steps, the monitor or the screenshots.
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
    let mut settling = request.hold.as_ref().map(Settling::new).transpose()?;

    let mut command = Command::new(&request.qemu);
    command
        .args(base_args(request.firmware, &vars, &request.esp_dir, request.accel, request.qemu_args))
        .args(["-display", "none", "-serial", "stdio"])
        .arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", qmp_path.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path)?);
    let mut guard = Guard(command.spawn().context("starting qemu-system-x86_64 (is QEMU installed?)")?);
    let mut stdin = guard.0.stdin.take();
    let serial = SerialReader::spawn(guard.0.stdout.take().context("QEMU stdout")?, start);
    // What the kernel has said so far, escapes removed, for the waits.
    let text = || serial.text();
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
    if exited.is_none() {
        exited = match settling.as_mut() {
            Some(settling) => wait_until(&mut guard, deadline, || settling.settled(&serial)),
            None => wait_until(&mut guard, deadline, || false),
        };
    }
    let timed_out = exited.is_none() && Instant::now() >= deadline;
    let mut looked = Looked::default();
    let mut stopped_by_referee = false;
    if exited.is_none()
        && let Some(qmp) = qmp.as_mut()
    {
        // Settled or timed out: look at the machine before QEMU goes away.
        let plan = request.hold.clone().unwrap_or_default();
        looked = look(qmp, &mut guard, &plan, !timed_out, request, &mut notes);
        if !timed_out {
            stopped_by_referee = true;
            qmp.quit();
            exited = wait_until(&mut guard, Instant::now() + Duration::from_secs(5), || false);
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
    let SerialLog { raw, lines } = serial.finish();
    std::fs::write(request.run_dir.join("serial.txt"), &raw)?;
    // The same lines with their arrival times, for a maintainer puzzling
    // over a `serial-rate` verdict.
    let timed: String = lines.iter().map(|(at, line)| format!("{:9.3} {line}\n", at.as_secs_f64())).collect();
    std::fs::write(request.run_dir.join("serial-times.txt"), timed)?;
    Ok(BootRecord {
        serial: raw,
        lines,
        ending,
        screenshot: looked.screenshot,
        second_screenshot: looked.second_screenshot,
        monitor: looked.monitor,
        host_cpu: looked.host_cpu,
        elapsed: start.elapsed(),
        notes,
        nonce: request.nonce.clone(),
    })
}

/// What the referee saw of a machine it stopped.
#[derive(Default)]
struct Looked {
    monitor: BTreeMap<String, String>,
    screenshot: Option<PathBuf>,
    second_screenshot: Option<(PathBuf, Duration)>,
    host_cpu: Option<Result<CpuUse, String>>,
}

/// Asks the monitor, then screenshots, in that order: `info` commands
/// only read, so they cannot disturb the picture. Then, on a boot that
/// `settled` (not one that ran out of time), QEMU's CPU time over the
/// plan's window: last, so no QMP command (a screendump costs QEMU tens
/// of milliseconds) falls inside the window.
fn look(
    qmp: &mut Qmp,
    guard: &mut Guard,
    plan: &HoldPlan,
    settled: bool,
    request: &BootRequest,
    notes: &mut Vec<String>,
) -> Looked {
    let mut looked = Looked::default();
    for command in &plan.monitor {
        match qmp.human_monitor_command(command) {
            Ok(answer) => {
                // Kept beside serial.txt, for a learner reading a verdict.
                let file = format!("monitor-{}.txt", command.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
                if let Err(e) = std::fs::write(request.run_dir.join(file), &answer) {
                    notes.push(format!("saving the monitor's answer to `{command}`: {e}"));
                }
                looked.monitor.insert(command.clone(), answer);
            }
            Err(e) => notes.push(format!("monitor `{command}` failed: {e:#}")),
        }
    }
    let path = request.run_dir.join("screen.png");
    match qmp.screendump(&path) {
        Ok(()) => looked.screenshot = Some(path),
        Err(e) => notes.push(format!("screendump failed: {e:#}")),
    }
    if let Some(interval) = plan.second_screenshot.filter(|_| looked.screenshot.is_some()) {
        let taken = Instant::now();
        if wait_until(guard, taken + interval, || false).is_some() {
            notes.push("QEMU exited before the second screenshot".into());
            if plan.cpu_window.is_some() {
                looked.host_cpu = Some(Err("QEMU exited before its CPU time could be measured".into()));
            }
            return looked;
        }
        let path = request.run_dir.join("screen-2.png");
        match qmp.screendump(&path) {
            Ok(()) => looked.second_screenshot = Some((path, taken.elapsed())),
            Err(e) => notes.push(format!("second screendump failed: {e:#}")),
        }
    }
    if let Some(window) = plan.cpu_window.filter(|_| settled) {
        let measured = measure_cpu(guard, window);
        // Kept beside serial.txt, for a maintainer puzzling over a verdict.
        let text = match &measured {
            Ok(used) => format!("cpu {:.3} s\nwall {:.3} s\n", used.cpu.as_secs_f64(), used.wall.as_secs_f64()),
            Err(problem) => format!("not measured: {problem}\n"),
        };
        if let Err(e) = std::fs::write(request.run_dir.join("host-cpu.txt"), text) {
            notes.push(format!("saving the CPU measurement: {e}"));
        }
        looked.host_cpu = Some(measured);
    }
    looked
}

/// QEMU's CPU time (user + system, from `/proc`) while it runs on for
/// `window` of wall-clock time.
fn measure_cpu(guard: &mut Guard, window: Duration) -> Result<CpuUse, String> {
    let pid = guard.0.id();
    let before = cpu::cpu_time(pid)?;
    let started = Instant::now();
    if wait_until(guard, started + window, || false).is_some() {
        return Err(format!(
            "QEMU exited {:.1} s into the {:.1} s window",
            started.elapsed().as_secs_f64(),
            window.as_secs_f64()
        ));
    }
    let after = cpu::cpu_time(pid)?;
    Ok(CpuUse { cpu: after.saturating_sub(before), wall: started.elapsed() })
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
                let (mut seen, mut changed) = (0, Instant::now());
                loop {
                    let now = text();
                    if pattern.is_match(&now) {
                        break;
                    }
                    if now.len() != seen {
                        (seen, changed) = (now.len(), Instant::now());
                    }
                    if Instant::now() >= deadline {
                        anyhow::bail!("timed out waiting for /{source}/");
                    }
                    if changed.elapsed() >= WAIT_FOR_SILENCE {
                        anyhow::bail!(
                            "gave up waiting for /{source}/: no serial output for {} s",
                            WAIT_FOR_SILENCE.as_secs()
                        );
                    }
                    std::thread::sleep(POLL);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
