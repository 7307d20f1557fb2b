//! `quest test`: the referee refereed.
//!
//! For every rank that has checks: each achievement must unlock on its own
//! checkpoint, and — the honesty rule — must stay locked on the checkpoint
//! before it, which proves no check passes for free. QUESTS.md must match
//! the manifests. Where real Limine is present, the top checkpoint must
//! print the same summary under Limine and testboot. Host unit-test counts
//! from a `cargo test` log join the total, so the last line counts
//! everything `make test` ran.

use std::path::Path;

use anyhow::Result;

use crate::machine::{self, Firmware};
use crate::manifest::Rank;
use crate::project::{BootChoice, Project};
use crate::referee::{self, Machine};
use crate::results::{Results, Status};

/// Loader, accelerator, firmware and parallelism, announced in one line.
pub fn machine(project: &Project, boot: BootChoice) -> Result<Machine> {
    let (loader, note) = project.loader(boot)?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let firmware = Firmware::find()?;
    let (accel, why) = machine::choose_accel(&project.quest_dir());
    let jobs = std::env::var("QUEST_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    eprintln!("Booting with {} on {why}; {jobs} boot(s) at a time.", loader.name());
    Ok(Machine { loader, accel, firmware, jobs })
}

struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, ok: bool, name: &str, detail: &str) {
        if ok {
            self.passed += 1;
            println!("ok    {name}");
        } else {
            self.failed += 1;
            println!("FAIL  {name}");
            for line in detail.lines() {
                println!("        {line}");
            }
        }
    }
}

pub fn run(
    project: &Project,
    ranks: &[Rank],
    boot: BootChoice,
    cargo_log: Option<&Path>,
    cargo_failed: bool,
) -> Result<i32> {
    let mut tally = Tally { passed: 0, failed: 0 };

    let fresh = crate::questsmd::render(ranks);
    let current = std::fs::read_to_string(project.root.join("QUESTS.md")).unwrap_or_default();
    tally.record(current == fresh, "QUESTS.md matches the manifests", "stale: run `make quests` and commit QUESTS.md");

    let machine = machine(project, boot)?;
    let checked: Vec<&Rank> = ranks.iter().filter(|r| r.achievements.iter().any(|a| a.checkable())).collect();
    let mut targets: Vec<(&Rank, u8)> = Vec::new();
    for rank in &checked {
        targets.push((rank, rank.number));
        if rank.number >= 2 {
            targets.push((rank, rank.number - 1));
        }
    }
    let verdicts = referee::judge(project, &machine, &targets)?;
    let mut results = Results::load(&project.quest_dir().join("results.json"));
    for ((rank, checkpoint), verdict) in targets.iter().zip(&verdicts) {
        let own = rank.number == *checkpoint;
        if own {
            results.record(verdict);
        }
        for (achievement, result) in rank.achievements.iter().zip(verdict) {
            if result.status == Status::NotCheckable {
                continue;
            }
            let why = |passed: bool| {
                result
                    .checks
                    .iter()
                    .filter(|c| c.outcome.passed == passed)
                    .map(|c| format!("{}: {}", c.describe, c.outcome.detail))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            if own {
                let name = format!(
                    "rank {} achievement {} {} unlocks on checkpoint {}",
                    rank.number, achievement.id, achievement.title, checkpoint
                );
                tally.record(result.status == Status::Unlocked, &name, &why(false));
            } else {
                let name = format!(
                    "rank {} achievement {} stays locked on checkpoint {} (honesty)",
                    rank.number, achievement.id, checkpoint
                );
                tally.record(
                    result.status == Status::Locked,
                    &name,
                    &format!("every check passed on the earlier checkpoint, so it proves nothing:\n{}", why(true)),
                );
            }
        }
    }
    results.last_run = format!("{} boot, {} (quest test)", machine.loader.name(), machine.accel.name());
    results.save(&project.quest_dir().join("results.json"))?;

    compare_loaders(project, ranks, &machine, &mut tally)?;

    if let Some(log) = cargo_log {
        let (passed, mut failed) = cargo_counts(&std::fs::read_to_string(log)?);
        println!("host unit tests: {passed} passed, {failed} failed");
        if cargo_failed && failed == 0 {
            println!("FAIL  cargo test failed without a failing test (did the tests build? see {})", log.display());
            failed = 1;
        }
        tally.passed += passed;
        tally.failed += failed;
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(if tally.failed == 0 { 0 } else { 1 })
}

/// Boots the highest checkpoint under both loaders when both are here.
fn compare_loaders(project: &Project, ranks: &[Rank], machine: &Machine, tally: &mut Tally) -> Result<()> {
    let (Ok((limine, _)), Ok((testboot, _))) =
        (project.loader(BootChoice::Limine), project.loader(BootChoice::Testboot))
    else {
        println!("skip  Limine and testboot agree (needs both; Limine is not available here)");
        return Ok(());
    };
    let Some(rank) = ranks.iter().filter(|r| project.kernel(r.number).is_file()).max_by_key(|r| r.number) else {
        return Ok(());
    };
    let with = |loader| Machine { loader, accel: machine.accel, firmware: machine.firmware.clone(), jobs: 1 };
    let (a, b) = std::thread::scope(|scope| {
        let first = scope.spawn(|| referee::boot_plain(project, &with(limine.clone()), rank));
        let second = referee::boot_plain(project, &with(testboot.clone()), rank);
        (first.join().expect("limine boot thread"), second)
    });
    let (a, b) = (a?, b?);
    let problems = crate::compare::differences(&a.serial, &b.serial);
    tally.record(
        problems.is_empty(),
        &format!("checkpoint {} prints the same summary under Limine and testboot", rank.number),
        &problems.join("\n"),
    );
    Ok(())
}

/// Sums `test result: ok. N passed; M failed` lines of a cargo test log.
pub fn cargo_counts(log: &str) -> (usize, usize) {
    let number_before = |line: &str, word: &str| -> usize {
        line.split(';')
            .find_map(|part| part.trim().strip_suffix(word).and_then(|n| n.trim().rsplit(' ').next()?.parse().ok()))
            .unwrap_or(0)
    };
    log.lines()
        .filter(|line| line.starts_with("test result:"))
        .fold((0, 0), |(p, f), line| (p + number_before(line, "passed"), f + number_before(line, "failed")))
}

#[cfg(test)]
mod tests {
    use super::cargo_counts;

    #[test]
    fn sums_every_cargo_result_line() {
        let log = "running 3 tests\ntest result: ok. 13 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
                   test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\nother\n";
        assert_eq!(cargo_counts(log), (15, 1));
    }
}
