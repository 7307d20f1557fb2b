//! QEMU's own CPU time, as the host counts it: `utime` plus `stime` of its
//! process in `/proc/<pid>/stat` (`host-cpu` checks). A guest that halts
//! when it has nothing to do lets QEMU sleep in `poll`; one that spins
//! keeps a host core busy, whatever it prints. Linux only, like the rest
//! of the referee; anywhere else the reading fails with a reason, and the
//! check fails with it rather than passing unmeasured.

use std::sync::OnceLock;
use std::time::Duration;

/// The clock ticks `/proc` counts CPU time in, per second (`USER_HZ`).
/// Read once with `getconf CLK_TCK` (the `libc` crate is not a dependency
/// of the referee, so `sysconf` is not at hand); Linux has fixed it at 100
/// on x86 for decades, so 100 is assumed when `getconf` is missing.
pub fn ticks_per_second() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .filter(|output| output.status.success())
            .and_then(|output| String::from_utf8_lossy(&output.stdout).trim().parse().ok())
            .filter(|&ticks: &u64| ticks > 0)
            .unwrap_or(100)
    })
}

/// `utime` and `stime` (fields 14 and 15, in clock ticks) of one
/// `/proc/<pid>/stat` line. The second field, the command name in
/// parentheses, may itself hold spaces and parentheses, so the fields are
/// counted from the *last* `)`.
pub fn parse_stat(text: &str) -> Result<(u64, u64), String> {
    let close = text.rfind(')').ok_or_else(|| format!("no `(command)` field in {:?}", text.trim()))?;
    // After the command come field 3 (state), 4, …: utime is the 12th.
    let fields: Vec<&str> = text[close + 1..].split_whitespace().collect();
    let field = |number: usize| {
        let value = fields.get(number - 3).ok_or_else(|| format!("field {number} is missing in {:?}", text.trim()))?;
        value.parse::<u64>().map_err(|_| format!("field {number} is {value:?}, not a number of clock ticks"))
    };
    Ok((field(14)?, field(15)?))
}

/// The CPU time the process `pid` has used so far, user and system.
pub fn cpu_time(pid: u32) -> Result<Duration, String> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("reading {path}: {e} (host-cpu checks need Linux's /proc)"))?;
    let (user, system) = parse_stat(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(ticks(user + system))
}

/// Clock ticks as a duration.
fn ticks(count: u64) -> Duration {
    let per_second = ticks_per_second();
    Duration::from_secs(count / per_second) + Duration::from_nanos((count % per_second) * 1_000_000_000 / per_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line in the shape QEMU's has (52 fields, Linux 6): 3214 ticks of
    /// user and 187 of system time.
    const QEMU: &str = "48211 (qemu-system-x86) S 48190 48190 4321 0 -1 4194560 38211 0 12 0 3214 187 0 0 20 0 \
                        5 0 91822 3157811200 75213 18446744073709551615 1 1 0 0 0 0 0 4096 17643 0 0 0 17 3 0 0 0 \
                        0 0 0 0 0 0 0 0 0 0\n";

    #[test]
    fn utime_and_stime_are_fields_14_and_15() {
        assert_eq!(parse_stat(QEMU), Ok((3214, 187)));
    }

    #[test]
    fn a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() {
        let tricky = QEMU.replace("(qemu-system-x86)", "(q) 1 2 (x y) 99)");
        assert_eq!(parse_stat(&tricky), Ok((3214, 187)));
    }

    #[test]
    fn a_line_that_is_cut_short_or_garbled_is_an_error_not_zero() {
        let short = parse_stat("48211 (qemu) S 1 2 3").unwrap_err();
        assert!(short.contains("field 14 is missing"), "{short}");
        let garbled = parse_stat(&QEMU.replace(" 3214 ", " lots ")).unwrap_err();
        assert!(garbled.contains("field 14 is \"lots\""), "{garbled}");
        assert!(parse_stat("48211 qemu S").unwrap_err().contains("no `(command)` field"));
    }

    #[test]
    fn ticks_become_time_at_the_hosts_rate() {
        let per_second = ticks_per_second();
        assert!((1..=10_000).contains(&per_second), "{per_second}");
        assert_eq!(ticks(per_second * 3), Duration::from_secs(3));
        assert_eq!(ticks(per_second / 2), Duration::from_millis(500));
    }

    #[test]
    fn our_own_process_has_a_cpu_time_that_only_grows() {
        let before = cpu_time(std::process::id()).unwrap();
        let mut spin = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(100) {
            spin = std::hint::black_box(spin.wrapping_add(1));
        }
        let after = cpu_time(std::process::id()).unwrap();
        assert!(after >= before, "{before:?} then {after:?}");
        assert!(cpu_time(u32::MAX).unwrap_err().contains("/proc/4294967295/stat"));
    }
}
