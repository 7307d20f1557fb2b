//! The boot loop against stand-ins for QEMU: shell scripts that print
//! what a kernel would and exit the way QEMU does, and a QMP server played
//! by a thread, so hangs, crashes, exit codes, settling, the monitor and
//! screenshots are tested without booting anything.

use std::path::Path;

use super::*;

/// A stand-in for QEMU: a shell script, so the referee's handling of
/// hangs, crashes and exits is tested without booting anything.
fn fake_qemu(name: &str, script: &str) -> (PathBuf, Firmware) {
    use std::os::unix::fs::PermissionsExt;
    let dir = fake_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    let qemu = dir.join("qemu");
    std::fs::write(&qemu, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&qemu, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("vars.fd"), b"vars").unwrap();
    let firmware = Firmware { code: dir.join("code.fd"), vars: dir.join("vars.fd") };
    (qemu, firmware)
}

/// The fake's folder: its script, its firmware, and `run/` for the boot.
fn fake_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("quest-fake-{name}-{}", std::process::id()))
}

fn boot_with(name: &str, script: &str, timeout: Duration) -> BootRecord {
    let (qemu, firmware) = fake_qemu(name, script);
    let run_dir = qemu.parent().unwrap().join("run");
    run_boot(&BootRequest {
        esp_dir: run_dir.join("esp"),
        run_dir,
        firmware: &firmware,
        accel: Accel::Tcg,
        qemu_args: &[],
        steps: &[],
        hold: None,
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
    assert_eq!(super::super::clean_serial(&record.serial), "KERNEL PANIC: boom\n");
}

#[test]
fn the_ladder_pattern_matches_only_the_final_line() {
    let ladder = Regex::new(LADDER_DONE).unwrap();
    assert!(ladder.is_match("x\nrank 1: The Awakening reached\n"));
    assert!(!ladder.is_match("MinimalOS 0.1.0 - rank I of I: The Awakening\n"));
}

/// Plays QEMU's QMP side once the fake script has started (it creates
/// `started`; `run_boot` has removed any old socket by then). Answers the
/// handshake, `info pic`, screendumps (a different picture each time, the
/// way a heartbeat would make them) and `quit`, which it passes on to the
/// script by creating `quit`. Returns the commands in the order received.
fn fake_qmp(dir: PathBuf) -> std::thread::JoinHandle<Vec<String>> {
    use std::io::{BufRead, BufReader};
    use std::os::unix::net::UnixListener;
    std::thread::spawn(move || {
        let waited = Instant::now();
        while !dir.join("started").exists() {
            assert!(waited.elapsed() < Duration::from_secs(10), "the fake QEMU never started");
            std::thread::sleep(POLL);
        }
        let listener = UnixListener::bind(dir.join("run/qmp.sock")).unwrap();
        let (stream, _) = listener.accept().unwrap();
        let mut writer = stream.try_clone().unwrap();
        writeln!(writer, r#"{{"QMP": {{"version": {{}}, "capabilities": []}}}}"#).unwrap();
        let mut seen = Vec::new();
        let mut screens = 0;
        for line in BufReader::new(stream).lines() {
            let request: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let command = request["execute"].as_str().unwrap().to_string();
            let arguments = &request["arguments"];
            let answer = match command.as_str() {
                "human-monitor-command" => {
                    seen.push(format!("{command} {}", arguments["command-line"].as_str().unwrap()));
                    serde_json::json!("pic1: irr=00 imr=ff irq_base=28\r\npic0: irr=00 imr=ff irq_base=20\r\n")
                }
                "screendump" => {
                    seen.push(command.clone());
                    screens += 1;
                    let mut image = crate::screen::Image::new(4, 4, [0; 3]);
                    image.set(screens, 0, [0xff; 3]);
                    image.save_png(Path::new(arguments["filename"].as_str().unwrap())).unwrap();
                    serde_json::json!({})
                }
                _ => {
                    seen.push(command.clone());
                    serde_json::json!({})
                }
            };
            writeln!(writer, "{}", serde_json::json!({ "return": answer })).unwrap();
            if command == "quit" {
                std::fs::write(dir.join("quit"), b"").unwrap();
                break;
            }
        }
        seen
    })
}

/// A kernel at the end of its ladder printing a counter every 0.7 s, four
/// times, then idling; the script ends as soon as the referee quits it.
fn ticking_kernel(name: &str, plan: HoldPlan) -> (BootRecord, Vec<String>, String) {
    let dir = fake_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    let script = format!(
        "echo \"$@\" > {dir}/args\ntouch {dir}/started\nprintf 'rank 3: The Reflexes reached\\r\\n'\n\
         for n in 1 2 3 4; do sleep 0.7; [ -e {dir}/quit ] && exit 0; printf 'ticks: %d00\\r\\n' $n; done\n\
         while [ ! -e {dir}/quit ]; do sleep 0.05; done",
        dir = dir.display()
    );
    let (qemu, firmware) = fake_qemu(name, &script);
    let server = fake_qmp(dir.clone());
    let run_dir = dir.join("run");
    let record = run_boot(&BootRequest {
        esp_dir: run_dir.join("esp"),
        run_dir,
        firmware: &firmware,
        accel: Accel::Tcg,
        qemu_args: &["-smp".into(), "2".into()],
        steps: &[],
        hold: Some(plan),
        timeout: Duration::from_secs(20),
        nonce: "n".into(),
        qemu,
    })
    .unwrap();
    let args = std::fs::read_to_string(dir.join("args")).unwrap();
    (record, server.join().unwrap(), args)
}

#[test]
fn a_held_boot_waits_for_its_counter_then_asks_the_monitor_and_screenshots_twice() {
    let plan = HoldPlan {
        monitor: vec!["info pic".into()],
        rate_windows: vec![crate::checks::RateWindow {
            pattern: r"^ticks: (\d+)$".into(),
            min_span: Duration::from_millis(1500),
        }],
        second_screenshot: Some(Duration::from_millis(300)),
        cpu_window: None,
    };
    let (record, seen, args) = ticking_kernel("held", plan);
    assert_eq!(record.ending, Ending::Stopped, "{:?}", record.notes);
    assert!(args.contains("-smp 2"), "the checkpoint's QEMU arguments reach QEMU: {args}");
    assert_eq!(seen, ["qmp_capabilities", "human-monitor-command info pic", "screendump", "screendump", "quit"]);
    assert_eq!(record.monitor["info pic"], "pic1: irr=00 imr=ff irq_base=28\npic0: irr=00 imr=ff irq_base=20\n");

    // Quiet for 0.7 s after the ladder would have settled the boot; the
    // counter's window kept it running until its lines spanned 1.5 s.
    let ticks: Vec<(Duration, &str)> =
        record.lines.iter().filter(|(_, l)| l.starts_with("ticks")).map(|(at, l)| (*at, l.as_str())).collect();
    assert_eq!(
        ticks.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        ["ticks: 100", "ticks: 200", "ticks: 300", "ticks: 400"]
    );
    assert!(ticks[3].0 - ticks[0].0 >= Duration::from_millis(1500), "{ticks:?}");
    let timed = std::fs::read_to_string(fake_dir("held").join("run/serial-times.txt")).unwrap();
    assert!(timed.lines().any(|line| line.ends_with(" ticks: 400")), "{timed}");

    let (first, (second, after)) = (record.screenshot.unwrap(), record.second_screenshot.unwrap());
    assert!(after >= Duration::from_millis(300), "{after:?}");
    assert_ne!(crate::screen::Image::load(&first).unwrap(), crate::screen::Image::load(&second).unwrap());
    let _ = std::fs::remove_dir_all(fake_dir("held"));
}

#[test]
fn without_a_counter_to_wait_for_a_held_boot_settles_at_the_first_quiet() {
    let (record, seen, _) = ticking_kernel("quiet", HoldPlan::default());
    assert_eq!(record.ending, Ending::Stopped);
    assert_eq!(seen, ["qmp_capabilities", "screendump", "quit"]);
    assert!(record.lines.iter().all(|(_, line)| !line.starts_with("ticks")), "{:?}", record.lines);
    assert!(record.elapsed < Duration::from_secs(2), "{:?}", record.elapsed);
    assert!(record.monitor.is_empty() && record.second_screenshot.is_none());
    let _ = std::fs::remove_dir_all(fake_dir("quiet"));
}

#[test]
fn a_cpu_window_keeps_the_settled_boot_running_and_measures_it_after_the_screenshot() {
    let plan = HoldPlan { cpu_window: Some(Duration::from_secs(1)), ..HoldPlan::default() };
    let (record, seen, _) = ticking_kernel("cpu", plan);
    assert_eq!(record.ending, Ending::Stopped, "{:?}", record.notes);
    // Nothing is asked of QMP inside the window: the screenshot comes before it.
    assert_eq!(seen, ["qmp_capabilities", "screendump", "quit"]);
    assert!(record.screenshot.is_some());
    let used = record.host_cpu.clone().expect("a window was asked for").expect("/proc is readable here");
    assert!(used.wall >= Duration::from_secs(1), "{used:?}");
    // The fake is a shell that sleeps between lines: far from a busy core.
    assert!(used.cpu < used.wall / 2, "{used:?}");
    // Settling takes about 0.5 s; the window kept QEMU running a second more.
    assert!(record.elapsed >= Duration::from_millis(1500), "{:?}", record.elapsed);
    let saved = std::fs::read_to_string(fake_dir("cpu").join("run/host-cpu.txt")).unwrap();
    assert!(saved.starts_with("cpu ") && saved.contains("\nwall 1."), "{saved}");
    let _ = std::fs::remove_dir_all(fake_dir("cpu"));
}

#[test]
fn a_boot_that_never_settles_is_looked_at_but_not_measured() {
    let dir = fake_dir("cpu-hang");
    let _ = std::fs::remove_dir_all(&dir);
    // No ladder line ever: the boot runs into its time limit.
    let script = format!(
        "touch {dir}/started\nprintf 'MinimalOS 0.1.0 - rank VIII\\r\\n'\nwhile [ ! -e {dir}/quit ]; do sleep 0.05; done",
        dir = dir.display()
    );
    let (qemu, firmware) = fake_qemu("cpu-hang", &script);
    let server = fake_qmp(dir.clone());
    let run_dir = dir.join("run");
    let started = Instant::now();
    let record = run_boot(&BootRequest {
        esp_dir: run_dir.join("esp"),
        run_dir,
        firmware: &firmware,
        accel: Accel::Tcg,
        qemu_args: &[],
        steps: &[],
        hold: Some(HoldPlan { cpu_window: Some(Duration::from_secs(30)), ..HoldPlan::default() }),
        timeout: Duration::from_secs(2),
        nonce: "n".into(),
        qemu,
    })
    .unwrap();
    assert_eq!(record.ending, Ending::TimedOut { seconds: 2 });
    assert_eq!(server.join().unwrap(), ["qmp_capabilities", "screendump"], "photographed, then killed");
    assert!(record.host_cpu.is_none(), "{:?}", record.host_cpu);
    assert!(started.elapsed() < Duration::from_secs(10), "no 30 s window on a dead boot: {:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(dir);
}
