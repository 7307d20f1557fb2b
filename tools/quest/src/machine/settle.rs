//! Holding a boot: when it has settled, and what the referee asks of it.
//!
//! A held boot runs without `qemu-exit`, so the kernel never ends it: the
//! referee does. The boot has *settled* when the rank ladder is done (or
//! the kernel panicked) and serial has been quiet for half a second, the
//! moment a learner would look at the screen. A kernel that keeps printing
//! a line every second goes quiet between lines, so a `serial-rate` check
//! would see the boot stopped just after the ladder; while such a check
//! is still collecting, the boot is held until the counter's lines span
//! its window, or until it is plain that they never will.
//!
//! `HoldPlan` is what the held boot's checks want once it has settled:
//! monitor commands, counters to wait for, a second screenshot, a window
//! of QEMU's CPU time.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use regex::Regex;

use super::boot::{LADDER_DONE, PANIC_LINE};
use super::serial::SerialReader;
use crate::checks::RateWindow;

/// How long serial must stay quiet before a boot counts as settled.
const QUIET: Duration = Duration::from_millis(500);
/// How long after the ladder a counter that has not yet covered its
/// window is waited for, beyond twice the window: enough for a kernel
/// whose counter lines start only after the ladder, not so long that a
/// checkpoint without a timer (the honesty run) idles for minutes.
const RATE_GRACE: Duration = Duration::from_secs(2);

/// What a held boot's checks want from it once it has settled.
#[derive(Debug, Clone, Default)]
pub struct HoldPlan {
    /// Monitor commands whose answers are kept (`monitor` checks).
    pub monitor: Vec<String>,
    /// Counters the boot is not stopped before (`serial-rate` checks).
    pub rate_windows: Vec<RateWindow>,
    /// Take a second screenshot this long after the first
    /// (`screen-changes` checks).
    pub second_screenshot: Option<Duration>,
    /// Then measure QEMU's CPU time over this much wall-clock time, the
    /// machine left running (`host-cpu` checks).
    pub cpu_window: Option<Duration>,
}

/// Watches a held boot's serial output for the moment it has settled.
pub struct Settling {
    ladder: Regex,
    seen_len: usize,
    quiet_since: Instant,
    ladder_at: Option<Instant>,
    watches: Vec<RateWatch>,
}

impl Settling {
    pub fn new(plan: &HoldPlan) -> Result<Self> {
        let watches = plan.rate_windows.iter().map(RateWatch::new).collect::<Result<_>>()?;
        Ok(Self {
            ladder: Regex::new(LADDER_DONE).expect("valid regex"),
            seen_len: 0,
            quiet_since: Instant::now(),
            ladder_at: None,
            watches,
        })
    }

    /// Polled until it returns true (or QEMU exits, or time runs out).
    pub fn settled(&mut self, serial: &SerialReader) -> bool {
        let text = serial.text();
        if text.len() != self.seen_len {
            self.seen_len = text.len();
            self.quiet_since = Instant::now();
        }
        if self.ladder_at.is_none() && self.ladder.is_match(&text) {
            self.ladder_at = Some(Instant::now());
        }
        let panicked = text.contains(PANIC_LINE);
        let Some(ladder_at) = self.ladder_at.filter(|_| !panicked) else {
            // A panic ends the kernel's story: no counter will move again.
            return panicked && self.quiet_since.elapsed() >= QUIET;
        };
        let since_ladder = ladder_at.elapsed();
        let counted = serial.with_lines(|lines| self.watches.iter_mut().all(|w| w.done(lines, since_ladder)));
        counted && self.quiet_since.elapsed() >= QUIET
    }
}

/// One `serial-rate` window: the first and last arrival of lines that
/// match, scanned incrementally as lines come in.
struct RateWatch {
    pattern: Regex,
    min_span: Duration,
    scanned: usize,
    first: Option<Duration>,
    last: Option<Duration>,
}

impl RateWatch {
    fn new(window: &RateWindow) -> Result<Self> {
        let pattern = Regex::new(&format!("(?m){}", window.pattern))
            .with_context(|| format!("serial-rate pattern {:?}", window.pattern))?;
        Ok(Self { pattern, min_span: window.min_span, scanned: 0, first: None, last: None })
    }

    /// The matching lines span the window, or the kernel has had its
    /// chance: `2 × window + RATE_GRACE` since the ladder.
    fn done(&mut self, lines: &[(Duration, String)], since_ladder: Duration) -> bool {
        for (at, line) in &lines[self.scanned.min(lines.len())..] {
            if self.pattern.is_match(line) {
                self.first.get_or_insert(*at);
                self.last = Some(*at);
            }
        }
        self.scanned = lines.len();
        let spanned = matches!((self.first, self.last), (Some(first), Some(last)) if last - first >= self.min_span);
        spanned || since_ladder >= self.min_span * 2 + RATE_GRACE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64, line: &str) -> (Duration, String) {
        (Duration::from_millis(ms), line.to_string())
    }

    #[test]
    fn a_rate_window_is_done_when_its_lines_span_it_or_patience_runs_out() {
        let window = RateWindow { pattern: r"^ticks: (\d+)$".into(), min_span: Duration::from_secs(3) };
        let mut watch = RateWatch::new(&window).unwrap();
        let mut lines = vec![at(1000, "ticks: 100"), at(1500, "other"), at(3000, "ticks: 300")];
        assert!(!watch.done(&lines, Duration::from_secs(2)));
        lines.push(at(4000, "ticks: 400"));
        assert!(watch.done(&lines, Duration::from_secs(3)), "spans 3 s");

        let mut silent = RateWatch::new(&window).unwrap();
        assert!(!silent.done(&[], Duration::from_secs(7)));
        assert!(silent.done(&[], Duration::from_secs(8)), "2 × 3 s + 2 s after the ladder");
    }
}
