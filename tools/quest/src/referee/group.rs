//! Which boots a set of checks needs.
//!
//! Checks with the same checkpoint, scenario and input form a group. A
//! group gets a held boot (the referee settles, questions, photographs
//! and quits it), an unheld one (the kernel exits QEMU itself, so the exit
//! code means something), or both, and each check is judged on one of
//! them. The held boot does the union of what its checks ask: every
//! monitor command, every counter window, the longest screenshot interval,
//! the longest CPU window.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::checks::{BootSpec, Needs, RateWindow};
use crate::machine::HoldPlan;

/// What the checks sharing a scenario and input need between them.
#[derive(Default)]
pub struct Group {
    /// Some check needs the held machine (screen, monitor, host CPU).
    held: bool,
    /// Some check needs the exit code.
    exit: bool,
    /// Some check measures serial output over time.
    over_time: bool,
    /// Some check sends input: the machine must still be running when it
    /// arrives, so (without an exit check) the boot is held.
    interactive: bool,
    pub timeout: Duration,
    /// The union of what the held boot is asked to do.
    monitor: BTreeSet<String>,
    rate_windows: BTreeSet<RateWindow>,
    second_screenshot: Option<Duration>,
    cpu_window: Option<Duration>,
}

impl Group {
    pub fn add(&mut self, spec: &BootSpec, timeout: Duration) {
        self.held |= matches!(spec.needs, Needs::Screen | Needs::Monitor | Needs::HostCpu);
        self.exit |= spec.needs == Needs::Exit;
        self.over_time |= spec.needs == Needs::SerialOverTime;
        self.interactive |= !spec.steps.is_empty();
        self.timeout = self.timeout.max(timeout);
        self.monitor.extend(spec.monitor.iter().cloned());
        self.rate_windows.extend(spec.rate_window.iter().cloned());
        self.second_screenshot = self.second_screenshot.max(spec.second_screenshot);
        self.cpu_window = self.cpu_window.max(spec.cpu_window);
    }

    /// A held boot is made for checks that need one, and for checks over
    /// time or with input when no exit check is there to make an unheld
    /// boot (an unheld kernel leaves QEMU once its ladder is done).
    pub fn makes_held(&self) -> bool {
        self.held || ((self.over_time || self.interactive) && !self.exit)
    }

    pub fn makes_unheld(&self) -> bool {
        self.exit || !self.makes_held()
    }

    /// Which of the group's boots a check is judged on. Serial-only checks
    /// use the unheld boot when there is one (it ends sooner); checks over
    /// time prefer the held one, which keeps running after the ladder.
    pub fn hold_for(&self, needs: Needs) -> bool {
        match needs {
            Needs::Screen | Needs::Monitor | Needs::HostCpu => true,
            Needs::Exit => false,
            Needs::SerialOverTime => self.makes_held(),
            Needs::Serial => !self.makes_unheld(),
        }
    }

    /// What the held boot does once settled.
    pub fn plan(&self) -> HoldPlan {
        HoldPlan {
            monitor: self.monitor.iter().cloned().collect(),
            rate_windows: self.rate_windows.iter().cloned().collect(),
            second_screenshot: self.second_screenshot,
            cpu_window: self.cpu_window,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(needs: Needs) -> BootSpec {
        BootSpec::new(None, Vec::new(), needs)
    }

    fn group(specs: &[BootSpec]) -> Group {
        let mut group = Group::default();
        for spec in specs {
            group.add(spec, crate::checks::DEFAULT_TIMEOUT);
        }
        group
    }

    #[test]
    fn monitor_commands_and_screenshot_intervals_are_united_in_the_held_boot() {
        let mut pic = spec(Needs::Monitor);
        pic.monitor = Some("info pic".into());
        let mut lapic = pic.clone();
        lapic.monitor = Some("info lapic".into());
        let mut heartbeat = spec(Needs::Screen);
        heartbeat.second_screenshot = Some(Duration::from_millis(1500));
        let mut slow = heartbeat.clone();
        slow.second_screenshot = Some(Duration::from_secs(3));
        let group = group(&[pic.clone(), lapic, pic, heartbeat, slow, spec(Needs::Exit)]);
        let plan = group.plan();
        assert_eq!(plan.monitor, ["info lapic", "info pic"]);
        assert_eq!(plan.second_screenshot, Some(Duration::from_secs(3)));
        assert!(group.makes_held() && group.makes_unheld());
        assert!(group.hold_for(Needs::Monitor) && !group.hold_for(Needs::Exit) && !group.hold_for(Needs::Serial));
    }

    #[test]
    fn a_rate_check_prefers_the_boot_that_keeps_running() {
        let mut ticks = spec(Needs::SerialOverTime);
        ticks.rate_window = Some(RateWindow { pattern: "^t: (\\d+)$".into(), min_span: Duration::from_secs(3) });
        // Alone, or with serial checks: one held boot, which waits for it.
        let alone = group(&[ticks.clone(), spec(Needs::Serial)]);
        assert!(alone.makes_held() && !alone.makes_unheld());
        assert!(alone.hold_for(Needs::SerialOverTime) && alone.hold_for(Needs::Serial));
        assert_eq!(alone.plan().rate_windows.len(), 1);
        // Beside a screen check (the plain boot always has one): the held boot.
        let plain = group(&[ticks.clone(), spec(Needs::Screen), spec(Needs::Exit)]);
        assert!(plain.hold_for(Needs::SerialOverTime) && !plain.hold_for(Needs::Serial));
        // Beside only an exit check: the unheld boot, which the kernel ends.
        let scenario = group(&[ticks, spec(Needs::Exit)]);
        assert!(!scenario.makes_held() && !scenario.hold_for(Needs::SerialOverTime));
    }

    #[test]
    fn input_keeps_a_serial_only_group_running_unless_an_exit_is_wanted() {
        let typing = BootSpec::new(None, vec![crate::checks::Step::Serial("ok\r".into())], Needs::Serial);
        let mut group = Group::default();
        group.add(&typing, Duration::from_secs(1));
        assert!(group.makes_held() && !group.makes_unheld() && group.hold_for(Needs::Serial));
        group.add(&BootSpec::new(None, vec![crate::checks::Step::WaitMs(1)], Needs::Exit), Duration::from_secs(1));
        assert!(group.makes_unheld() && !group.hold_for(Needs::Serial));
    }

    #[test]
    fn a_host_cpu_check_is_held_and_the_longest_window_wins() {
        let mut short = spec(Needs::HostCpu);
        short.cpu_window = Some(Duration::from_secs(5));
        let mut long = short.clone();
        long.cpu_window = Some(Duration::from_secs(12));
        let merged = group(&[short.clone(), long, short, spec(Needs::Serial)]);
        assert!(merged.makes_held() && !merged.makes_unheld());
        assert!(merged.hold_for(Needs::HostCpu) && merged.hold_for(Needs::Serial));
        assert_eq!(merged.plan().cpu_window, Some(Duration::from_secs(12)));
        // The window is measured on the held boot even beside an exit check.
        let mut idle = spec(Needs::HostCpu);
        idle.cpu_window = Some(Duration::from_secs(3));
        let both = group(&[idle, spec(Needs::Exit)]);
        assert!(both.makes_held() && both.makes_unheld() && both.hold_for(Needs::HostCpu));
        assert_eq!(both.plan().cpu_window, Some(Duration::from_secs(3)));
        assert_eq!(group(&[spec(Needs::Screen)]).plan().cpu_window, None);
    }
}
