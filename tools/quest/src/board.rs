//! The board: every rank's progress, what is locked and why, and the next
//! quest with its first hint.
//!
//! Rendering is a pure function of the manifests and the saved results,
//! so it is tested without booting anything. Colour only on a terminal,
//! and never when `NO_COLOR` is set (no-color.org).

use std::fmt::Write as _;

use crate::manifest::Rank;
use crate::results::{Results, Status};

/// Points per unlocked achievement.
pub const POINTS: usize = 10;
const BAR_WIDTH: usize = 20;

pub struct Style {
    pub colour: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        Self { colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
    fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }
    fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// Which ranks to list in full (others get one line each).
pub fn render(ranks: &[Rank], results: &Results, style: &Style, focus: Option<u8>) -> String {
    let mut out = String::new();
    let total: usize = ranks.iter().map(|r| r.achievements.len()).sum();
    let unlocked = |rank: &Rank| {
        rank.achievements
            .iter()
            .filter(|a| results.achievements.get(&a.id).is_some_and(|r| r.status == Status::Unlocked))
            .count()
    };
    let score: usize = ranks.iter().map(unlocked).sum::<usize>() * POINTS;
    let _ = writeln!(
        out,
        "{}   score {} / {}",
        style.bold("MinimalOS quest board"),
        style.bold(&score.to_string()),
        total * POINTS
    );
    let _ = writeln!(out);

    for rank in ranks {
        let done = unlocked(rank);
        let count = rank.achievements.len();
        let filled = (done * BAR_WIDTH).checked_div(count).unwrap_or(0);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR_WIDTH - filled));
        let checkable = rank.achievements.iter().any(|a| a.checkable());
        let state = if !checkable {
            style.dim("not yet checkable")
        } else if done == count {
            style.green("complete")
        } else {
            style.yellow("in progress")
        };
        let bar = if done == count && count > 0 { style.green(&bar) } else { bar };
        let _ = writeln!(
            out,
            "{} {:<20} {bar} {done:>2}/{count:<2} {state}",
            style.bold(&format!("Rank {:<5}", rank.numeral)),
            rank.name
        );
        let expanded = focus.map_or(checkable, |f| f == rank.number);
        if !expanded {
            continue;
        }
        for achievement in &rank.achievements {
            let result = results.achievements.get(&achievement.id);
            let line = format!("{} {}", achievement.id, achievement.title);
            match result.map(|r| r.status) {
                Some(Status::Unlocked) => {
                    let _ = writeln!(out, "    {} {line}", style.green("✔"));
                }
                Some(Status::Locked) => {
                    let _ = writeln!(out, "    {} {line}  {}", style.red("✘"), style.red("locked"));
                    let failed = result.into_iter().flat_map(|r| &r.checks).filter(|c| !c.outcome.passed);
                    for check in failed.take(2) {
                        let _ = writeln!(out, "        {} {}", style.dim("check:"), check.describe);
                        for (index, detail) in check.outcome.detail.lines().enumerate() {
                            let label = if index == 0 { "why:  " } else { "      " };
                            let _ = writeln!(out, "        {} {detail}", style.dim(label));
                        }
                    }
                }
                Some(Status::NotCheckable) | None if !achievement.checkable() => {
                    let _ =
                        writeln!(out, "    {} {}", style.dim("·"), style.dim(&format!("{line}  (not yet checkable)")));
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "    ? {line}  {}",
                        style.dim(&format!("(not checked yet: quest check {})", rank.number))
                    );
                }
            }
        }
    }

    let next = ranks
        .iter()
        .flat_map(|r| r.achievements.iter().map(move |a| (r, a)))
        .find(|(_, a)| results.achievements.get(&a.id).is_none_or(|r| r.status != Status::Unlocked));
    let _ = writeln!(out);
    match next {
        Some((rank, achievement)) => {
            let _ = writeln!(
                out,
                "{} {} {} (Rank {} {})",
                style.bold("Next quest:"),
                achievement.id,
                achievement.title,
                rank.numeral,
                rank.name
            );
            for line in achievement.quest.lines() {
                let _ = writeln!(out, "  {line}");
            }
            if let Some(hint) = achievement.hints.first() {
                let _ = writeln!(out, "  {} {hint}", style.yellow("Hint:"));
                let _ = writeln!(out, "  {}", style.dim(&format!("More: quest hint {} --level 2", achievement.id)));
            }
        }
        None => {
            let _ = writeln!(out, "{}", style.green("Every achievement is unlocked. Well done."));
        }
    }
    if !results.last_run.is_empty() {
        let _ = writeln!(out, "{}", style.dim(&format!("last run: {}", results.last_run)));
    }
    out
}
