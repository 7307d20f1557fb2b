//! Tests of the check kinds Rank III brought: `monitor` (QEMU's view of
//! the interrupt controllers, judged against a real `info pic` from QEMU
//! 7.2), `serial-rate` and `screen-changes` (the host's clock against the
//! kernel's), and `[checkpoint] qemu`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::{ACHIEVEMENT, HEADER, manifest_error};
use crate::checks::{Check, CheckKind, Evidence, Needs, Outcome, evaluate};
use crate::machine::{Ending, RAM_BYTES};
use crate::manifest::parse_rank;
use crate::screen::Image;

/// `info pic` and `info lapic` on checkpoint 2 under Limine, QEMU 7.2:
/// the firmware's state, since Rank II does not touch the chips.
const INFO_PIC: &str = include_str!("../../fixtures/rank2-info-pic.txt");
const INFO_LAPIC: &str = include_str!("../../fixtures/rank2-info-lapic.txt");

/// The single check of a manifest made of `checkpoint` and one check table.
fn check(table: &str) -> Check {
    let text = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\n{table}");
    let rank = parse_rank(&text, Path::new("ranks/09-test/rank.toml")).unwrap();
    rank.achievements[0].checks[0].clone()
}

fn check_error(table: &str) -> String {
    manifest_error(&format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\n{table}"))
}

/// What a boot left, for the new kinds: timed lines, monitor answers and
/// two screenshots.
#[derive(Default)]
struct Boot {
    lines: Vec<(Duration, String)>,
    monitor: BTreeMap<String, String>,
    screen: Option<Image>,
    second: Option<(Image, Duration)>,
}

impl Boot {
    fn judge(&self, check: &Check) -> Outcome {
        let serial: String = self.lines.iter().map(|(_, line)| format!("{line}\n")).collect();
        let evidence = Evidence {
            serial: &serial,
            lines: &self.lines,
            ending: &Ending::Stopped,
            screen: self.screen.as_ref(),
            second_screen: self.second.as_ref().map(|(image, after)| (image, *after)),
            monitor: &self.monitor,
            ram_bytes: RAM_BYTES,
            elf: &[],
            nonce: "n",
            host_cpu: None,
        };
        evaluate(&check.kind, &evidence)
    }
}

fn with_monitor(command: &str, answer: &str) -> Boot {
    Boot { monitor: BTreeMap::from([(command.to_string(), answer.to_string())]), ..Boot::default() }
}

// ---- [checkpoint] qemu ----

#[test]
fn a_checkpoint_may_ask_for_processors() {
    let text = format!("{HEADER}\n[checkpoint]\nqemu = [\"-smp\", \"2\"]\n{ACHIEVEMENT}");
    let rank = parse_rank(&text, Path::new("ranks/09-test/rank.toml")).unwrap();
    assert_eq!(rank.checkpoint.qemu, ["-smp", "2"]);
    let text = format!("{HEADER}{ACHIEVEMENT}");
    assert!(parse_rank(&text, Path::new("ranks/09-test/rank.toml")).unwrap().checkpoint.qemu.is_empty());
}

#[test]
fn a_checkpoint_may_not_change_the_machine_otherwise() {
    let error = |qemu: &str| manifest_error(&format!("{HEADER}\n[checkpoint]\ncmdline = \"\"\nqemu = {qemu}\n"));
    let memory = error(r#"["-m", "512M"]"#);
    assert!(memory.starts_with("ranks/09-test/rank.toml:10:"), "names the qemu line: {memory}");
    assert!(memory.contains("\"-m\" is not allowed") && memory.contains("`-smp N`"), "{memory}");
    assert!(error(r#"["-cpu", "max"]"#).contains("\"-cpu\" is not allowed"));
    assert!(error(r#"["-smp", "32"]"#).contains("not a processor count"));
    assert!(error(r#"["-smp", "0"]"#).contains("not a processor count"));
    assert!(error(r#"["-smp", "2,cores=2"]"#).contains("not a processor count"));
    assert!(error(r#"["-smp 2"]"#).contains("two items"));
    assert!(error(r#"["-smp"]"#).contains("needs a count"));
    assert!(error(r#"["-smp", "2", "-smp", "4"]"#).contains("once"));
}

// ---- monitor ----

#[test]
fn a_monitor_check_asks_its_command_of_a_held_boot() {
    let check = check("kind = \"monitor\"\ncommand = \"info pic\"\nexpect = ['imr=ff']\n");
    let spec = check.boot.unwrap();
    assert_eq!(spec.needs, Needs::Monitor);
    assert_eq!(spec.monitor.as_deref(), Some("info pic"));
}

#[test]
fn a_monitor_check_is_parsed_strictly() {
    let error = check_error("kind = \"monitor\"\ncommand = \"system_reset\"\nexpect = ['x']\n");
    assert!(error.contains(":15:") && error.contains("\"system_reset\" is not allowed"), "{error}");
    assert!(error.contains("info pic, info lapic"), "lists the allowed commands: {error}");
    assert!(check_error("kind = \"monitor\"\nexpect = ['x']\n").contains("needs `command`"));
    assert!(check_error("kind = \"monitor\"\ncommand = \"info pic\"\n").contains("needs `expect` or `forbid`"));
    assert!(check_error("kind = \"monitor\"\ncommand = \"info pic\"\nexpect = ['(']\n").contains("bad regex"));
    let error = check_error("kind = \"monitor\"\ncommand = \"info pic\"\nexpect = ['x']\nrgb = \"#ffffff\"\n");
    assert!(error.contains("`rgb` does not apply to a monitor check"), "{error}");
}

/// What 022 asks of `info pic`: both PICs remapped and fully masked.
const PIC_RETIRED: &str = "kind = \"monitor\"\ncommand = \"info pic\"\nexpect = ['^pic1: .*imr=ff .*irq_base=28', '^pic0: .*imr=ff .*irq_base=20']\n";

#[test]
fn the_firmwares_pic_fails_the_retirement_check_and_shows_the_pic_lines() {
    let outcome = with_monitor("info pic", INFO_PIC).judge(&check(PIC_RETIRED));
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("expected /^pic1: .*imr=ff .*irq_base=28/ in what `info pic` reports"));
    assert!(outcome.detail.contains("    | pic1: irr=00 imr=ff isr=00 hprio=0 irq_base=00"), "{}", outcome.detail);
    assert!(!outcome.detail.contains("pin 7"), "only the relevant lines: {}", outcome.detail);
}

#[test]
fn a_remapped_and_masked_pic_passes() {
    let remapped = INFO_PIC
        .replace("pic1: irr=00 imr=ff isr=00 hprio=0 irq_base=00", "pic1: irr=00 imr=ff isr=00 hprio=0 irq_base=28");
    let remapped = remapped.replace(
        "imr=ff isr=00 hprio=0 irq_base=00 rr_sel=0 elcr=00 fnm=0\n",
        "imr=ff isr=00 hprio=0 irq_base=20 rr_sel=0 elcr=00 fnm=0\n",
    );
    let outcome = with_monitor("info pic", &remapped).judge(&check(PIC_RETIRED));
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.starts_with("`info pic` shows \"pic1:"), "{}", outcome.detail);

    let unmasked = remapped.replace("pic0: irr=03 imr=ff", "pic0: irr=03 imr=fe");
    let outcome = with_monitor("info pic", &unmasked).judge(&check(PIC_RETIRED));
    assert!(!outcome.passed && outcome.detail.contains("| pic0: irr=03 imr=fe"), "{}", outcome.detail);
}

#[test]
fn a_forbidden_monitor_line_is_quoted() {
    let check = check("kind = \"monitor\"\ncommand = \"info lapic\"\nforbid = ['^LVTT\\s+\\S+ .*masked']\n");
    let outcome = with_monitor("info lapic", INFO_LAPIC).judge(&check);
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("`info lapic` shows forbidden"), "{}", outcome.detail);
    assert!(outcome.detail.contains("| LVTT\t 0x00030020 active-hi edge  masked"), "{}", outcome.detail);
}

#[test]
fn a_monitor_check_without_an_answer_says_so() {
    let outcome = Boot::default().judge(&check(PIC_RETIRED));
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("gave no answer to `info pic`"), "{}", outcome.detail);
}

// ---- serial-rate ----

const TICKS: &str = "kind = \"serial-rate\"\npattern = '^ticks: (\\d+)$'\nrate = 100\n";

/// `ticks: N` lines once a second from 1 s, the counter growing by
/// `per_second`, with boot chatter in between.
fn ticking(per_second: u64, seconds: u64) -> Boot {
    let mut lines = vec![(Duration::from_millis(400), "rank 3: The Reflexes reached".to_string())];
    for second in 1..=seconds {
        lines.push((Duration::from_secs(second), format!("ticks: {}", second * per_second)));
        lines.push((Duration::from_millis(second * 1000 + 300), "something else".into()));
    }
    Boot { lines, ..Boot::default() }
}

#[test]
fn a_serial_rate_check_has_defaults_and_a_window() {
    let check = check(TICKS);
    let CheckKind::SerialRate { rate, tolerance, min_span, .. } = check.kind else { panic!("{:?}", check.kind) };
    assert_eq!((rate, tolerance, min_span), (100.0, 0.1, Duration::from_secs(3)));
    let spec = check.boot.unwrap();
    assert_eq!(spec.needs, Needs::SerialOverTime);
    let window = spec.rate_window.unwrap();
    assert_eq!((window.pattern.as_str(), window.min_span), (r"^ticks: (\d+)$", Duration::from_secs(3)));
}

#[test]
fn a_serial_rate_check_is_parsed_strictly() {
    assert!(check_error("kind = \"serial-rate\"\npattern = '^t: (\\d+)$'\n").contains("needs `rate`"));
    assert!(check_error(&format!("{TICKS}tolerance = 10\n")).contains("between 0 and 1"));
    assert!(check_error(&format!("{TICKS}tolerance = 0\n")).contains("between 0 and 1"));
    assert!(check_error(&format!("{TICKS}min_span_s = 0.1\n")).contains("min_span_s 0.1 must be"));
    assert!(check_error(&format!("{TICKS}min_span_s = 20\ntimeout_s = 10\n")).contains("shorter than the boot's"));
    assert!(check_error(&format!("{TICKS}interval_ms = 100\n")).contains("`interval_ms` does not apply"));
    assert!(check_error("kind = \"serial-rate\"\npattern = '^t: (\\d+) (\\d+)$'\nrate = 1\n").contains("exactly 1"));
    assert!(check_error("kind = \"serial-rate\"\npattern = '^t: (\\d+)$'\nrate = -5\n").contains("more than 0"));
    let check = check(&format!("{TICKS}tolerance = 0.05\nmin_span_s = 2.5\n"));
    let CheckKind::SerialRate { tolerance, min_span, .. } = check.kind else { panic!() };
    assert_eq!((tolerance, min_span), (0.05, Duration::from_millis(2500)));
}

#[test]
fn an_exact_rate_passes() {
    let outcome = ticking(100, 5).judge(&check(TICKS));
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.starts_with("measured 100.0 per second over 4.00 s of host time"), "{}", outcome.detail);
    assert!(outcome.detail.contains("\"ticks: 100\" at 1.00 s → \"ticks: 500\" at 5.00 s"), "{}", outcome.detail);
}

#[test]
fn a_rate_twelve_percent_off_fails() {
    let outcome = ticking(112, 5).judge(&check(TICKS));
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("measured 112.0 per second"), "{}", outcome.detail);
    assert!(outcome.detail.contains("12.0% above the 100 wanted (tolerance 10%)"), "{}", outcome.detail);
    let outcome = ticking(88, 5).judge(&check(TICKS));
    assert!(!outcome.passed && outcome.detail.contains("12.0% below"), "{}", outcome.detail);
    assert!(ticking(108, 5).judge(&check(TICKS)).passed, "8% is within 10%");
}

#[test]
fn a_span_too_short_to_measure_fails() {
    let outcome = ticking(100, 3).judge(&check(TICKS));
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("span only 2.00 s of host time"), "{}", outcome.detail);
    assert!(outcome.detail.contains("less than the 3.00 s a rate needs"), "{}", outcome.detail);
}

#[test]
fn fewer_than_two_samples_fail_with_the_closest_line() {
    let outcome = ticking(100, 1).judge(&check(TICKS));
    assert!(!outcome.passed);
    assert!(outcome.detail.starts_with("saw 1 line(s) matching /^ticks: (\\d+)$/"), "{}", outcome.detail);
    let silent = Boot { lines: vec![(Duration::from_secs(1), "tick tock".into())], ..Boot::default() };
    let outcome = silent.judge(&check(TICKS));
    assert!(
        outcome.detail.starts_with("saw 0 line(s)") && outcome.detail.contains("| tick tock"),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_counter_that_goes_backwards_fails() {
    let mut boot = ticking(100, 5);
    boot.lines.push((Duration::from_secs(6), "ticks: 3".into()));
    let outcome = boot.judge(&check(TICKS));
    assert!(!outcome.passed && outcome.detail.contains("went backwards"), "{}", outcome.detail);
}

// ---- screen-changes ----

const HEARTBEAT: &str = "kind = \"screen-changes\"\nx = 1200\ny = 0\nwidth = 80\nheight = 16\n";

#[test]
fn a_screen_changes_check_asks_for_a_second_screenshot() {
    let check = check(HEARTBEAT);
    assert!(matches!(check.kind, CheckKind::ScreenChanges { interval, .. } if interval == Duration::from_millis(1500)));
    let spec = check.boot.unwrap();
    assert_eq!((spec.needs, spec.second_screenshot), (Needs::Screen, Some(Duration::from_millis(1500))));
    let spec = self::check(&format!("{HEARTBEAT}interval_ms = 3000\n")).boot.unwrap();
    assert_eq!(spec.second_screenshot, Some(Duration::from_secs(3)));
    assert!(check_error(&format!("{HEARTBEAT}interval_ms = 50\n")).contains("interval_ms 50 must be 100..=30000"));
    assert!(check_error(&HEARTBEAT.replace("width = 80", "width = 0")).contains("at least 1x1"));
    assert!(check_error(&format!("{HEARTBEAT}rgb = \"#000000\"\n")).contains("`rgb` does not apply"));
}

/// A 1280x800 screen with "uptime N s" drawn at the top right.
fn uptime_screen(seconds: u32) -> Image {
    let mut image = Image::new(1280, 800, [0, 0, 0x40]);
    crate::screen::draw_text(&mut image, 150, 0, &format!("up {seconds:>3}s"), 1, [0xff; 3]);
    image
}

#[test]
fn a_heartbeat_that_moves_passes_with_the_pixels_it_changed() {
    let boot = Boot {
        screen: Some(uptime_screen(4)),
        second: Some((uptime_screen(5), Duration::from_millis(1520))),
        ..Boot::default()
    };
    let outcome = boot.judge(&check(HEARTBEAT));
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(
        outcome.detail.contains("of the 1280 pixels of the region at (1200, 0) changed in 1.52 s"),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_frozen_heartbeat_or_a_missing_screenshot_fails() {
    let frozen = Boot {
        screen: Some(uptime_screen(4)),
        second: Some((uptime_screen(4), Duration::from_millis(1500))),
        ..Boot::default()
    };
    let outcome = frozen.judge(&check(HEARTBEAT));
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("the 80x16 region at (1200, 0) did not change in 1.50 s"), "{}", outcome.detail);

    let one = Boot { screen: Some(uptime_screen(4)), ..Boot::default() };
    let outcome = one.judge(&check(HEARTBEAT));
    assert!(!outcome.passed && outcome.detail.contains("no second screenshot was taken 1.50 s after the first"));
    assert!(!Boot::default().judge(&check(HEARTBEAT)).passed);

    let small = Boot {
        screen: Some(Image::new(640, 480, [0; 3])),
        second: Some((Image::new(640, 480, [1; 3]), Duration::from_secs(2))),
        ..Boot::default()
    };
    assert!(small.judge(&check(HEARTBEAT)).detail.contains("does not fit the 640x480 screen"));
}

#[test]
fn a_colour_tolerance_is_still_a_whole_number_per_channel() {
    let pixel = "kind = \"screen-pixel\"\nx = 1\ny = 1\nrgb = \"#ffffff\"\n";
    assert!(matches!(check(&format!("{pixel}tolerance = 8\n")).kind, CheckKind::ScreenPixel { tolerance: 8, .. }));
    assert!(check_error(&format!("{pixel}tolerance = 0.5\n")).contains("whole number 0..=255"));
    assert!(check_error(&format!("{pixel}tolerance = 300\n")).contains("whole number 0..=255"));
}

// ---- how they read in QUESTS.md ----

#[test]
fn the_new_kinds_are_described_for_learners() {
    let describe = |table: &str| crate::describe::check(&check(table));
    assert_eq!(
        describe(PIC_RETIRED),
        "QEMU's monitor `info pic` shows `^pic1: .*imr=ff .*irq_base=28` then `^pic0: .*imr=ff .*irq_base=20`"
    );
    assert_eq!(
        describe(TICKS),
        "the count in `^ticks: (\\d+)$` grows by 100 per host second (±10%, over at least 3 s of serial output)"
    );
    assert_eq!(describe(HEARTBEAT), "the 80x16 screen region at (1200, 0) changes within 1.5 s (two screendumps)");
}
