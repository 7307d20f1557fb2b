//! Tests of the check kinds Rank VIII brought: `interleave` (counters of
//! several tasks sharing one serial port, judged against synthetic logs
//! for every rule: in order, switching often enough, strict turns) and
//! `host-cpu` (QEMU's own CPU time over a window, judged against readings
//! built here; the `/proc` parser is tested in `machine/cpu.rs`, the held
//! boot that measures in `machine/boot/tests.rs`). No QEMU is started.

use std::time::Duration;

use super::mind::{check, serial_only};
use super::{ACHIEVEMENT, HEADER, manifest_error};
use crate::checks::{Check, CheckKind, CpuUse, Evidence, Needs, Outcome, evaluate};
use crate::machine::Ending;

fn check_error(table: &str) -> String {
    manifest_error(&format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\n{table}"))
}

fn judge(check: &Check, serial: &str) -> Outcome {
    evaluate(&check.kind, &serial_only(serial))
}

/// Lines `name n`, one per pair, in the order given.
fn log(lines: &[(&str, u64)]) -> String {
    lines.iter().map(|(name, n)| format!("{name} {n}\n")).collect()
}

/// Two streams counting 1..=count, alternating in runs of `run` lines.
fn runs(count: u64, run: u64) -> Vec<(&'static str, u64)> {
    let mut lines = Vec::new();
    let mut start = 1;
    while start <= count {
        let end = (start + run - 1).min(count);
        lines.extend((start..=end).map(|n| ("a", n)));
        lines.extend((start..=end).map(|n| ("b", n)));
        start = end + 1;
    }
    lines
}

/// 061's check: two spinners, 20 lines each, at least five switches.
const DUET: &str =
    "kind = \"interleave\"\npattern = '^(a|b) (\\d+)$'\nstreams = [\"a\", \"b\"]\ncount = 20\nmin_switches = 5\n";
/// 062's check: ping and pong, 50 each, in strict alternation.
const PINGPONG: &str = "kind = \"interleave\"\npattern = '^(ping|pong) (\\d+)$'\nstreams = [\"ping\", \"pong\"]\ncount = 50\nstrict = true\n";

/// The duet's log with one of `a`'s lines replaced (or dropped with `None`).
fn duet_with(a_line: u64, replacement: Option<u64>) -> String {
    let lines: Vec<(&str, u64)> = runs(20, 3)
        .into_iter()
        .filter_map(|(name, n)| match (name, n == a_line) {
            ("a", true) => replacement.map(|r| ("a", r)),
            _ => Some((name, n)),
        })
        .collect();
    log(&lines)
}

// ---- interleave: parsing ----

#[test]
fn an_interleave_check_is_serial_only_and_keeps_its_fields() {
    let duet = check(DUET);
    assert_eq!(duet.boot.as_ref().unwrap().needs, Needs::Serial);
    let CheckKind::Interleave { streams, count, min_switches, strict, .. } = &duet.kind else {
        panic!("an interleave check: {:?}", duet.kind)
    };
    assert_eq!(
        (streams.as_slice(), *count, *min_switches, *strict),
        (&["a".into(), "b".into()][..], 20, Some(5), false)
    );
    let both = check(&format!("{PINGPONG}min_switches = 99\n"));
    assert!(matches!(both.kind, CheckKind::Interleave { strict: true, min_switches: Some(99), .. }));
}

#[test]
fn an_interleave_check_is_parsed_strictly() {
    let table = |pattern: &str, streams: &str, rest: &str| {
        check_error(&format!("kind = \"interleave\"\npattern = '{pattern}'\nstreams = {streams}\n{rest}"))
    };
    let one = table(r"^(a|b) \d+$", r#"["a", "b"]"#, "count = 3\n");
    assert!(one.contains(":15:") && one.contains("exactly 2 capture group(s), it has 1"), "{one}");
    assert!(one.contains("the stream's name, then its decimal number"), "{one}");
    let three = table(r"^(a|b) (\d+) (\d+)$", r#"["a", "b"]"#, "count = 3\n");
    assert!(three.contains("it has 3"), "{three}");
    let alone = table(r"^(a) (\d+)$", r#"["a"]"#, "count = 3\n");
    assert!(alone.contains("at least two names") && alone.contains("it has 1"), "{alone}");
    let twice = table(r"^(a|b) (\d+)$", r#"["a", "b", "a"]"#, "count = 3\n");
    assert!(twice.contains("\"a\" appears twice in `streams` (again as number 3)"), "{twice}");
    assert!(table(r"^(a|b) (\d+)$", r#"["a", ""]"#, "count = 3\n").contains("stream 2 of `streams` is empty"));
    let zero = table(r"^(a|b) (\d+)$", r#"["a", "b"]"#, "count = 0\n");
    assert!(zero.contains("count 0 must be at least 1"), "{zero}");
    assert!(table(r"^(a|b) (\d+)$", r#"["a", "b"]"#, "count = -2\n").contains("count -2 must be at least 1"));
    assert!(table(r"^(a|b) (\d+)$", r#"["a", "b"]"#, "").contains("needs `count`"));
    let never = table(r"^(a|b) (\d+)$", r#"["a", "b"]"#, "count = 3\nmin_switches = 6\n");
    assert!(
        never.contains("min_switches 6 can never be reached: 2 streams of 3 lines switch at most 5 times"),
        "{never}"
    );
    assert!(table(r"^(a|b) (\d+)$", r#"["a", "b"]"#, "count = 3\nmin_switches = 0\n").contains("at least 1"));
    let missing = check_error("kind = \"interleave\"\nstreams = [\"a\", \"b\"]\ncount = 3\n");
    assert!(missing.contains("needs `pattern`, with two captures"), "{missing}");
    let foreign = table(r"^(a|b) (\d+)$", r#"["a", "b"]"#, "count = 3\nmax_share = 0.5\n");
    assert!(foreign.contains("`max_share` does not apply to a interleave check"), "{foreign}");
}

// ---- interleave: each stream counts 1..=N in order ----

#[test]
fn two_streams_that_each_count_in_order_and_switch_pass() {
    let outcome = judge(&check(DUET), &log(&runs(20, 3)));
    assert!(outcome.passed, "{}", outcome.detail);
    // Runs of three: a1-3 b1-3 a4-6 … b19-20, 14 runs, 13 switches.
    assert_eq!(outcome.detail, "a and b each counted 1 to 20 in order, with 13 switches between them");
}

#[test]
fn lines_of_other_streams_and_other_text_are_ignored() {
    let check = check("kind = \"interleave\"\npattern = '^(\\w+) (\\d+)$'\nstreams = [\"a\", \"b\"]\ncount = 2\n");
    let serial = "boot\nc 7\na 1\nshell 1\nb 1\nnoise: a 9\na 2\nc 1\nb 2\n";
    let outcome = judge(&check, serial);
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.ends_with("with 3 switches between them"), "{}", outcome.detail);
}

#[test]
fn a_missing_number_is_named_with_the_one_that_came_instead() {
    let outcome = judge(&check(DUET), &duet_with(5, None));
    assert!(!outcome.passed);
    assert_eq!(outcome.detail, "\"a\" never printed 5: 6 came right after 4");
    let late_start = judge(&check(DUET), &duet_with(1, None));
    assert_eq!(late_start.detail, "\"a\" never printed 1: it started at 2");
}

#[test]
fn a_repeated_number_is_caught() {
    let outcome = judge(&check(DUET), &duet_with(5, Some(4)));
    assert!(!outcome.passed);
    assert_eq!(outcome.detail, "\"a\" printed 4 twice in a row");
    let back = judge(&check(DUET), &log(&[runs(20, 20), vec![("b", 3)]].concat()));
    assert!(!back.passed && back.detail.starts_with("\"b\" went back to 3 after 20"), "{}", back.detail);
}

#[test]
fn numbers_out_of_order_are_caught() {
    // a1 a2 a3 b1 b2 b3 a5 a4 a6 …: 5 before 4.
    let mut lines = runs(20, 3);
    lines.swap(6, 7);
    let outcome = judge(&check(DUET), &log(&lines));
    assert!(!outcome.passed);
    assert_eq!(outcome.detail, "\"a\" printed 5 before 4 (out of order)");
}

#[test]
fn counting_past_n_is_caught() {
    let lines = [runs(20, 4), vec![("a", 21)]].concat();
    let outcome = judge(&check(DUET), &log(&lines));
    assert!(!outcome.passed);
    assert_eq!(outcome.detail, "\"a\" counted past 20: 21 came after 20");
}

#[test]
fn a_stream_that_stops_short_or_never_starts_fails_with_how_the_boot_ended() {
    let lines: Vec<(&str, u64)> = runs(20, 2).into_iter().filter(|(name, n)| *name == "a" || *n <= 12).collect();
    let short = judge(&check(DUET), &log(&lines));
    assert!(!short.passed);
    assert_eq!(short.detail, "\"b\" stopped at 12 (wanted 1 to 20) (the boot settled and was stopped by the referee)");

    let only_a: Vec<(&str, u64)> = (1..=20).map(|n| ("a", n)).collect();
    let timed_out = Evidence { ending: &Ending::TimedOut { seconds: 90 }, ..serial_only("") };
    let serial = log(&only_a);
    let outcome = evaluate(&check(DUET).kind, &Evidence { serial: &serial, ..timed_out });
    assert!(!outcome.passed);
    assert!(outcome.detail.starts_with("\"b\" printed no lines (wanted 1 to 20)"), "{}", outcome.detail);
    assert!(outcome.detail.contains("only 0 time(s), and at least 5 are wanted"), "{}", outcome.detail);
    assert!(outcome.detail.ends_with("(the boot timed out after 90 s and was killed)"), "{}", outcome.detail);
}

#[test]
fn no_matching_line_at_all_says_what_was_wanted() {
    let outcome = judge(&check(DUET), "rank 8: The Conductor reached\nspin: no such program\n");
    assert!(!outcome.passed);
    assert!(
        outcome.detail.starts_with("expected lines matching /^(a|b) (\\d+)$/ from a and b on serial"),
        "{}",
        outcome.detail
    );
    assert!(outcome.detail.contains("| spin: no such program"), "shows the last lines: {}", outcome.detail);
}

#[test]
fn a_second_capture_that_is_not_a_decimal_number_fails() {
    let check = check("kind = \"interleave\"\npattern = '^(a|b) (\\w+)$'\nstreams = [\"a\", \"b\"]\ncount = 1\n");
    let outcome = judge(&check, "a 1\nb one\n");
    assert!(!outcome.passed);
    assert!(outcome.detail.contains("\"b one\" matched") && outcome.detail.contains("\"one\" is not a decimal number"));
}

#[test]
fn every_stream_with_a_problem_is_reported() {
    let lines = [("a", 1), ("b", 2), ("a", 1), ("b", 1)];
    let check = check("kind = \"interleave\"\npattern = '^(a|b) (\\d+)$'\nstreams = [\"a\", \"b\"]\ncount = 1\n");
    let outcome = judge(&check, &log(&lines));
    assert_eq!(outcome.detail, "\"a\" printed 1 twice in a row; \"b\" printed 2 before 1 (out of order)");
}

// ---- interleave: min_switches ----

#[test]
fn enough_switches_pass_and_too_few_fail_with_the_count_seen() {
    let exactly = judge(&check(DUET), &log(&runs(20, 6))); // runs 6 6 6 2: 8 runs, 7 switches
    assert!(exactly.passed, "{}", exactly.detail);
    assert!(exactly.detail.ends_with("with 7 switches between them"), "{}", exactly.detail);

    let one_after_the_other = judge(&check(DUET), &log(&runs(20, 20)));
    assert!(!one_after_the_other.passed);
    assert_eq!(
        one_after_the_other.detail,
        "the lines switched from one stream to another only 1 time(s), and at least 5 are wanted: one ran on for \
         long stretches while the other waited"
    );
    let four = judge(&check(DUET), &log(&runs(20, 8))); // runs 8 8 8 8 4 4: 5 switches
    assert!(four.passed, "{}", four.detail);
    let fewer = judge(&check(&DUET.replace("min_switches = 5", "min_switches = 6")), &log(&runs(20, 8)));
    assert!(!fewer.passed && fewer.detail.contains("only 5 time(s), and at least 6"), "{}", fewer.detail);
}

#[test]
fn without_min_switches_one_stream_after_the_other_passes() {
    let check = check(&DUET.replace("min_switches = 5\n", ""));
    let outcome = judge(&check, &log(&runs(20, 20)));
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.ends_with("with 1 switch between them"), "{}", outcome.detail);
}

// ---- interleave: strict ----

/// ping 1, pong 1, …, ping count, pong count.
fn strict_log(count: u64) -> Vec<(&'static str, u64)> {
    (1..=count).flat_map(|n| [("ping", n), ("pong", n)]).collect()
}

#[test]
fn strict_alternation_passes() {
    let outcome = judge(&check(PINGPONG), &log(&strict_log(50)));
    assert!(outcome.passed, "{}", outcome.detail);
    assert_eq!(
        outcome.detail,
        "ping and pong each counted 1 to 50 in order, with 99 switches between them, strictly taking turns in the \
         order ping, pong"
    );
}

#[test]
fn a_broken_turn_is_reported_where_it_breaks() {
    // ping 1, pong 1, ping 2, pong 2, pong 3, ping 3, …: each in order, turns broken at line 5.
    let mut lines = strict_log(50);
    lines.swap(4, 5);
    let outcome = judge(&check(PINGPONG), &log(&lines));
    assert!(!outcome.passed);
    assert_eq!(
        outcome.detail,
        "strict turns break at line 5 of the sequence: expected ping's 3, but \"pong 3\" came after \"pong 2\""
    );
}

#[test]
fn strict_turns_follow_the_listed_order() {
    let lines: Vec<(&str, u64)> = (1..=50).flat_map(|n| [("pong", n), ("ping", n)]).collect();
    let outcome = judge(&check(PINGPONG), &log(&lines));
    assert!(!outcome.passed);
    assert!(
        outcome.detail.starts_with(
            "strict turns break at line 1 of the sequence: expected ping's 1, but \"pong 1\" came as the first line"
        ),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_strict_sequence_that_ends_early_or_runs_on_fails() {
    let short = judge(&check(PINGPONG), &log(&strict_log(50)[..99]));
    assert!(!short.passed);
    assert!(short.detail.starts_with("\"pong\" stopped at 49 (wanted 1 to 50); "), "{}", short.detail);
    assert!(
        short
            .detail
            .contains("strict turns: the sequence ends after 99 of its 100 lines, where pong's 50 was expected next"),
        "{}",
        short.detail
    );
    let long = judge(&check(PINGPONG), &log(&[strict_log(50), vec![("ping", 51)]].concat()));
    assert!(!long.passed);
    assert!(
        long.detail
            .ends_with("strict turns: the full round of 100 lines was done, but \"ping 51\" came after \"pong 50\""),
        "{}",
        long.detail
    );
}

#[test]
fn strict_turns_over_three_streams() {
    let check = check(
        "kind = \"interleave\"\npattern = '^(x|y|z) (\\d+)$'\nstreams = [\"x\", \"y\", \"z\"]\ncount = 2\nstrict = true\n",
    );
    let right = judge(&check, "x 1\ny 1\nz 1\nx 2\ny 2\nz 2\n");
    assert!(right.passed, "{}", right.detail);
    assert!(right.detail.starts_with("x, y and z each counted 1 to 2 in order"), "{}", right.detail);
    let wrong = judge(&check, "x 1\nz 1\ny 1\nx 2\ny 2\nz 2\n");
    assert!(!wrong.passed && wrong.detail.contains("line 2 of the sequence: expected y's 1"), "{}", wrong.detail);
}

#[test]
fn interleave_checks_are_described_in_plain_words() {
    let duet = crate::describe::check(&check(DUET));
    assert_eq!(
        duet,
        "the lines matching `^(a|b) (\\d+)$` of the streams `a` and `b` each count 1 to 20 in order, switching from \
         one stream to another at least 5 times"
    );
    let pingpong = crate::describe::check(&check(PINGPONG));
    assert!(
        pingpong.ends_with("each count 1 to 50 in order, taking turns strictly (ping 1, pong 1, ping 2, …)"),
        "{pingpong}"
    );
}

// ---- host-cpu ----

const IDLE: &str = "kind = \"host-cpu\"\nwindow_s = 10\nmax_share = 0.33\n";

fn used(cpu_ms: u64, wall_ms: u64) -> CpuUse {
    CpuUse { cpu: Duration::from_millis(cpu_ms), wall: Duration::from_millis(wall_ms) }
}

fn judge_cpu(check: &Check, reading: Option<Result<CpuUse, String>>) -> Outcome {
    evaluate(&check.kind, &Evidence { host_cpu: reading.as_ref(), ..serial_only("") })
}

#[test]
fn a_host_cpu_check_holds_the_boot_for_its_window() {
    let idle = check(IDLE);
    let spec = idle.boot.as_ref().unwrap();
    assert_eq!((spec.needs, spec.cpu_window), (Needs::HostCpu, Some(Duration::from_secs(10))));
    assert!(matches!(idle.kind, CheckKind::HostCpu { max_share, .. } if max_share == 0.33));
    let fractional = check("kind = \"host-cpu\"\nwindow_s = 2.5\nmax_share = 1\n");
    assert_eq!(fractional.boot.unwrap().cpu_window, Some(Duration::from_millis(2500)));
}

#[test]
fn a_host_cpu_check_is_parsed_strictly() {
    let error = |window: &str, share: &str| check_error(&format!("kind = \"host-cpu\"\n{window}{share}"));
    let short = error("window_s = 0.5\n", "max_share = 0.33\n");
    assert!(short.contains(":15:") && short.contains("window_s 0.5 must be 1..=60 seconds"), "{short}");
    assert!(error("window_s = 61\n", "max_share = 0.33\n").contains("window_s 61 must be 1..=60 seconds"));
    assert!(error("window_s = \"10\"\n", "max_share = 0.33\n").contains("window_s \"10\" must be a number"));
    assert!(error("", "max_share = 0.33\n").contains("needs `window_s`"));
    let none = error("window_s = 10\n", "max_share = 0\n");
    assert!(none.contains("max_share 0 is a fraction of one host CPU and must be more than 0 and at most 1"), "{none}");
    assert!(error("window_s = 10\n", "max_share = 1.5\n").contains("max_share 1.5 is a fraction"));
    assert!(error("window_s = 10\n", "max_share = -0.1\n").contains("max_share -0.1 is a fraction"));
    assert!(error("window_s = 10\n", "").contains("needs `max_share`"));
    let foreign = error("window_s = 10\n", "max_share = 0.33\ncount = 3\n");
    assert!(foreign.contains("`count` does not apply to a host-cpu check"), "{foreign}");
}

#[test]
fn the_share_is_cpu_time_over_wall_time() {
    use crate::checks::over_time::cpu_share;
    assert!((cpu_share(used(410, 10_000)) - 0.041).abs() < 1e-9);
    assert!((cpu_share(used(9_800, 10_000)) - 0.98).abs() < 1e-9);
    // Two busy virtual processors under MTTCG: two host cores.
    assert!((cpu_share(used(20_000, 10_000)) - 2.0).abs() < 1e-9);
    assert!(cpu_share(used(1, 0)).is_infinite());
}

#[test]
fn an_idle_guest_passes_and_a_spinning_one_fails_saying_why() {
    let check = check(IDLE);
    let idle = judge_cpu(&check, Some(Ok(used(410, 10_000))));
    assert!(idle.passed);
    assert_eq!(idle.detail, "QEMU used 0.41 s of CPU in 10.0 s (4 %), under the 33 % allowed");
    let busy = judge_cpu(&check, Some(Ok(used(9_800, 10_000))));
    assert!(!busy.passed);
    assert_eq!(
        busy.detail,
        "QEMU used 9.80 s of CPU in 10.0 s (98 %), and it must stay under 33 %: the guest does not halt when idle, \
         so QEMU keeps a host core busy running it"
    );
    let just_over = judge_cpu(&check, Some(Ok(used(3_400, 10_000))));
    assert!(
        !just_over.passed && just_over.detail.contains("(34 %), and it must stay under 33 %"),
        "{}",
        just_over.detail
    );
    let just_under = judge_cpu(&check, Some(Ok(used(3_200, 10_000))));
    assert!(just_under.passed, "{}", just_under.detail);
}

#[test]
fn a_reading_that_failed_or_never_happened_is_a_failure_not_a_pass() {
    let check = check(IDLE);
    let unreadable = judge_cpu(&check, Some(Err("reading /proc/42/stat: No such file or directory".into())));
    assert!(!unreadable.passed);
    assert_eq!(
        unreadable.detail,
        "QEMU's CPU time could not be measured: reading /proc/42/stat: No such file or directory"
    );
    let timed_out = Evidence { ending: &Ending::TimedOut { seconds: 90 }, host_cpu: None, ..serial_only("") };
    let never = evaluate(&check.kind, &timed_out);
    assert!(!never.passed);
    assert!(never.detail.starts_with("QEMU's CPU time was not measured over the 10.0 s window"), "{}", never.detail);
    assert!(never.detail.ends_with("(the boot timed out after 90 s and was killed)"), "{}", never.detail);
}

#[test]
fn host_cpu_checks_are_described_in_plain_words() {
    assert_eq!(
        crate::describe::check(&check(IDLE)),
        "once the boot has settled, QEMU itself uses less than 33% of a host CPU over 10 s of wall-clock time (its \
         user + system time, read by the referee from the host's /proc)"
    );
}
