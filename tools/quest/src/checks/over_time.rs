//! Checks against the host's clock: `serial-rate`, `screen-changes` and
//! `host-cpu`.
//!
//! What the first two test is the kernel's own sense of time, so the kernel
//! cannot be the reference. The referee's clock is: every serial line is
//! stamped when it reaches the referee, and a second screenshot is taken a
//! known time after the first. Without `-icount`, QEMU's virtual clock
//! (which drives the PIT and the local APIC timer, under TCG as under KVM)
//! follows the host's, so a timer the kernel programmed for 100 Hz ticks
//! about 100 times per host second; the tolerance absorbs scheduling noise.
//!
//! Rejected: counting lines instead of reading the counter. A kernel that
//! prints once per 100 ticks but loses interrupts would still print
//! regularly; the counter's growth is what shows the ticks it really saw.
//!
//! `host-cpu` asks the host how much CPU time QEMU itself burnt while the
//! settled machine ran on for a window of wall-clock time: a kernel that
//! halts when it has nothing to do lets QEMU sleep, one that spins keeps a
//! host core busy, whatever it prints.

use std::time::Duration;

use regex::Regex;

use super::evaluate::{Evidence, display_regex, ending_note, missing_line};
use super::parse::parse_number;
use super::{CpuUse, Outcome};
use crate::screen::Image;

/// `tolerance` when a serial-rate check gives none: 10%.
const DEFAULT_TOLERANCE: f64 = 0.1;
/// `min_span_s` when a serial-rate check gives none.
const DEFAULT_MIN_SPAN: Duration = Duration::from_secs(3);
/// `interval_ms` when a screen-changes check gives none.
const DEFAULT_INTERVAL: Duration = Duration::from_millis(1500);
/// Bounds for `interval_ms`: long enough to span a redraw, short enough
/// that a held boot does not idle for long.
const INTERVAL_MS: std::ops::RangeInclusive<u64> = 100..=30_000;
/// Bounds for `min_span_s`, in seconds.
const MIN_SPAN_S: std::ops::RangeInclusive<f64> = 0.5..=60.0;

/// Bounds for `window_s` of a host-cpu check, in seconds: long enough that
/// the host's clock ticks (10 ms) do not matter, short enough that a held
/// boot does not idle for long.
const CPU_WINDOW_S: std::ops::RangeInclusive<f64> = 1.0..=60.0;

/// `interval_ms`, checked and defaulted.
pub fn interval(ms: Option<u64>) -> Result<Duration, String> {
    match ms {
        None => Ok(DEFAULT_INTERVAL),
        Some(ms) if INTERVAL_MS.contains(&ms) => Ok(Duration::from_millis(ms)),
        Some(ms) => Err(format!("interval_ms {ms} must be {}..={}", INTERVAL_MS.start(), INTERVAL_MS.end())),
    }
}

/// `rate`, `tolerance` and `min_span_s` of a serial-rate check.
pub fn rate_fields(
    rate: Option<&toml::Value>,
    tolerance: Option<&toml::Value>,
    min_span_s: Option<&toml::Value>,
) -> Result<(f64, f64, Duration), String> {
    let rate = number(rate.ok_or("a serial-rate check needs `rate`, the counts per host second")?, "rate")?;
    if rate <= 0.0 || !rate.is_finite() {
        return Err(format!("rate {rate} must be more than 0 counts per second"));
    }
    let tolerance = tolerance.map(|t| number(t, "tolerance")).transpose()?.unwrap_or(DEFAULT_TOLERANCE);
    if !(tolerance > 0.0 && tolerance < 1.0) {
        return Err(format!(
            "tolerance {tolerance} is a fraction of the rate and must be between 0 and 1 (0.1 is 10%)"
        ));
    }
    let min_span = match min_span_s.map(|s| number(s, "min_span_s")).transpose()? {
        None => DEFAULT_MIN_SPAN,
        Some(seconds) if MIN_SPAN_S.contains(&seconds) => Duration::from_secs_f64(seconds),
        Some(seconds) => {
            return Err(format!("min_span_s {seconds} must be {}..={} seconds", MIN_SPAN_S.start(), MIN_SPAN_S.end()));
        }
    };
    Ok((rate, tolerance, min_span))
}

/// `window_s` and `max_share` of a host-cpu check.
pub fn cpu_fields(window_s: Option<&toml::Value>, max_share: Option<&toml::Value>) -> Result<(Duration, f64), String> {
    let window = window_s.ok_or("a host-cpu check needs `window_s`, the seconds of wall-clock time to measure over")?;
    let window = number(window, "window_s")?;
    if !CPU_WINDOW_S.contains(&window) {
        return Err(format!("window_s {window} must be {}..={} seconds", CPU_WINDOW_S.start(), CPU_WINDOW_S.end()));
    }
    let share = max_share.ok_or("a host-cpu check needs `max_share`, the most CPU QEMU may use, like 0.33 for 33%")?;
    let share = number(share, "max_share")?;
    if !(share > 0.0 && share <= 1.0) {
        return Err(format!(
            "max_share {share} is a fraction of one host CPU and must be more than 0 and at most 1 (0.33 is 33%)"
        ));
    }
    Ok((Duration::from_secs_f64(window), share))
}

fn number(value: &toml::Value, name: &str) -> Result<f64, String> {
    match value {
        toml::Value::Integer(n) => Ok(*n as f64),
        toml::Value::Float(x) => Ok(*x),
        other => Err(format!("{name} {other} must be a number")),
    }
}

/// One line that matched, with its counter and arrival time.
struct Sample<'a> {
    at: Duration,
    count: u128,
    line: &'a str,
}

/// The counter's growth between the first and the last matching line,
/// divided by the host time between their arrivals.
pub fn serial_rate(pattern: &Regex, rate: f64, tolerance: f64, min_span: Duration, evidence: &Evidence) -> Outcome {
    let samples: Vec<Sample> = evidence
        .lines
        .iter()
        .filter_map(|(at, line)| {
            let count = parse_number(pattern.captures(line)?.get(1)?.as_str())?;
            Some(Sample { at: *at, count, line: line.trim() })
        })
        .collect();
    let [first, .., last] = samples.as_slice() else {
        return Outcome::fail(format!(
            "saw {} line(s) matching /{}/ with a number, and a rate needs two, at least {:.1} s apart {}",
            samples.len(),
            display_regex(pattern),
            min_span.as_secs_f64(),
            missing_line(pattern.as_str(), evidence)
        ));
    };
    let span = last.at - first.at;
    let between = format!("{:?} at {} → {:?} at {}", first.line, seconds(first.at), last.line, seconds(last.at));
    if span < min_span {
        return Outcome::fail(format!(
            "the {} lines matching /{}/ span only {} of host time ({between}), less than the {} a rate needs {}",
            samples.len(),
            display_regex(pattern),
            seconds(span),
            seconds(min_span),
            ending_note(evidence)
        ));
    }
    if last.count < first.count {
        return Outcome::fail(format!("the counter went backwards ({between})"));
    }
    let measured = (last.count - first.count) as f64 / span.as_secs_f64();
    let off = (measured - rate) / rate;
    let summary = format!("measured {measured:.1} per second over {} of host time ({between})", seconds(span));
    if off.abs() <= tolerance {
        Outcome::pass(format!("{summary}, within {:.0}% of {rate}", tolerance * 100.0))
    } else {
        Outcome::fail(format!(
            "{summary}: {:.1}% {} the {rate} wanted (tolerance {:.0}%)",
            off.abs() * 100.0,
            if off > 0.0 { "above" } else { "below" },
            tolerance * 100.0
        ))
    }
}

/// "1.50 s", for messages.
fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// The rectangle differs between the settle screenshot and the second.
pub fn screen_changes(region: (u32, u32, u32, u32), interval: Duration, evidence: &Evidence) -> Outcome {
    let (x, y, width, height) = region;
    let Some(first) = evidence.screen else {
        return Outcome::fail(format!("no screenshot could be taken {}", ending_note(evidence)));
    };
    let Some((second, after)) = evidence.second_screen else {
        return Outcome::fail(format!(
            "no second screenshot was taken {} after the first {}",
            seconds(interval),
            ending_note(evidence)
        ));
    };
    let fits = |image: &Image| x.saturating_add(width) <= image.width && y.saturating_add(height) <= image.height;
    if !fits(first) || !fits(second) {
        return Outcome::fail(format!(
            "region {width}x{height} at ({x}, {y}) does not fit the {}x{} screen",
            first.width.min(second.width),
            first.height.min(second.height)
        ));
    }
    let changed = (y..y + height)
        .flat_map(|py| (x..x + width).map(move |px| (px, py)))
        .filter(|&(px, py)| first.pixel(px, py) != second.pixel(px, py))
        .count();
    let total = u64::from(width) * u64::from(height);
    if changed == 0 {
        Outcome::fail(format!(
            "the {width}x{height} region at ({x}, {y}) did not change in {} (both screenshots are identical there)",
            seconds(after)
        ))
    } else {
        Outcome::pass(format!(
            "{changed} of the {total} pixels of the region at ({x}, {y}) changed in {}",
            seconds(after)
        ))
    }
}

/// CPU time as a fraction of wall-clock time (1.0 is one host core kept
/// busy; above 1.0 with several virtual processors).
pub fn cpu_share(used: CpuUse) -> f64 {
    if used.wall.is_zero() {
        return f64::INFINITY;
    }
    used.cpu.as_secs_f64() / used.wall.as_secs_f64()
}

/// QEMU's CPU time over the window after the boot settled, against
/// `max_share`.
pub fn host_cpu(window: Duration, max_share: f64, evidence: &Evidence) -> Outcome {
    match evidence.host_cpu {
        Some(Ok(used)) => cpu_verdict(*used, max_share),
        Some(Err(problem)) => Outcome::fail(format!("QEMU's CPU time could not be measured: {problem}")),
        None => Outcome::fail(format!(
            "QEMU's CPU time was not measured over the {:.1} s window: the machine did not settle and stay running {}",
            window.as_secs_f64(),
            ending_note(evidence)
        )),
    }
}

/// "QEMU used 0.41 s of CPU in 10.0 s (4 %), under the 33 % allowed".
pub fn cpu_verdict(used: CpuUse, max_share: f64) -> Outcome {
    let share = cpu_share(used);
    let summary = format!(
        "QEMU used {:.2} s of CPU in {:.1} s ({:.0} %)",
        used.cpu.as_secs_f64(),
        used.wall.as_secs_f64(),
        share * 100.0
    );
    let allowed = max_share * 100.0;
    if share < max_share {
        Outcome::pass(format!("{summary}, under the {allowed:.0} % allowed"))
    } else {
        Outcome::fail(format!(
            "{summary}, and it must stay under {allowed:.0} %: the guest does not halt when idle, so QEMU keeps a host \
             core busy running it"
        ))
    }
}
