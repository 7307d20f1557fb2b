//! `quest`: the MinimalOS referee.
//!
//! Boots checkpoints in QEMU and decides each achievement by what the
//! kernel observably does; keeps a board of results; gives hints; writes
//! QUESTS.md; and, for maintainers, proves with `quest test` that every
//! check both passes on its own rank and fails on the rank before.

mod board;
mod checks;
mod compare;
mod describe;
mod elfcheck;
mod machine;
mod manifest;
mod project;
mod questsmd;
mod referee;
mod results;
mod run;
mod screen;
mod selftest;
mod site;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use manifest::Rank;
use project::{BootChoice, Project};
use results::{Results, Status};

#[derive(Parser)]
#[command(name = "quest", about = "The MinimalOS referee: boots your kernel and checks each achievement from outside.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Boot a rank's checkpoint and check its achievements (RANK or `all`).
    Check {
        #[arg(default_value = "all")]
        rank: String,
        #[arg(long, value_enum, default_value = "auto")]
        boot: BootChoice,
        /// Also write the results as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Show the board from the last results, without booting.
    Board {
        /// List this rank's achievements in full.
        #[arg(long)]
        rank: Option<u8>,
    },
    /// Show a hint for an achievement; levels go nudge, concept, shape.
    Hint {
        id: String,
        #[arg(long, default_value_t = 1)]
        level: usize,
    },
    /// List every rank and achievement.
    List,
    /// Assemble the Jekyll site's sources (site/ plus every rank's data,
    /// chapters and screenshot) into OUT, for `jekyll build`.
    Site {
        #[arg(long, default_value = "build/site-src")]
        out: PathBuf,
        /// The public site: every rank as reading material, no progress.
        /// Without it, achievements are marked by the last `quest check`.
        #[arg(long)]
        published: bool,
    },
    /// Check a page Chromium rendered (its --dump-dom and --screenshot):
    /// the elements and texts are there and the picture is not blank.
    SiteCheck {
        #[arg(long)]
        dom: PathBuf,
        #[arg(long)]
        png: PathBuf,
        /// An element id the page must have (repeatable).
        #[arg(long = "id")]
        ids: Vec<String>,
        /// Text the page must contain (repeatable).
        #[arg(long = "text")]
        texts: Vec<String>,
        /// The ladder must have one row per rank.
        #[arg(long)]
        ladder: bool,
    },
    /// Write QUESTS.md from the manifests (or, with --check, fail if stale).
    GenQuests {
        #[arg(long)]
        check: bool,
    },
    /// Boot a checkpoint interactively (what `make run` does).
    Run {
        rank: u8,
        #[arg(long, value_enum, default_value = "auto")]
        boot: BootChoice,
        /// QEMU waits for GDB; gdb starts with the kernel's symbols.
        #[arg(long)]
        gdb: bool,
        /// No window even when a display exists.
        #[arg(long)]
        headless: bool,
        /// Extra kernel command-line words (e.g. `scenario=panic`).
        #[arg(long, default_value = "")]
        cmdline: String,
    },
    /// The maintainers' referee: every rank, honesty, QUESTS.md, loaders.
    Test {
        #[arg(long, value_enum, default_value = "auto")]
        boot: BootChoice,
        /// A `cargo test` log whose results join the final count.
        #[arg(long)]
        cargo_log: Option<PathBuf>,
        /// `cargo test` itself failed (counted even if the log shows no
        /// failing test, e.g. when the tests did not compile).
        #[arg(long)]
        cargo_failed: bool,
    },
    /// Say whether KVM or TCG would be used, and why.
    Probe,
}

fn main() {
    match real_main() {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("quest: error: {error:#}");
            std::process::exit(2);
        }
    }
}

fn real_main() -> Result<i32> {
    let cli = Cli::parse();
    let project = Project::find()?;
    let ranks = manifest::load_all(&project.ranks_dir())?;
    let results_path = project.quest_dir().join("results.json");
    match cli.command {
        Command::Check { rank, boot, json } => {
            let selected = select(&ranks, &rank)?;
            let machine = selftest::machine(&project, boot)?;
            let mut results = Results::load(&results_path);
            let (mut passed, mut failed, mut skipped) = (0, 0, 0);
            let has_checks = |rank: &Rank| rank.achievements.iter().any(|a| a.checkable());
            let checkable: Vec<&Rank> = selected.iter().copied().filter(|r| has_checks(r)).collect();
            for rank in selected.iter().filter(|r| !has_checks(r)) {
                eprintln!(
                    "Rank {} {} has no checks yet: its achievements are not yet checkable.",
                    rank.numeral, rank.name
                );
                skipped += rank.achievements.len();
            }
            let targets: Vec<(&Rank, u8)> = checkable.iter().map(|r| (*r, r.number)).collect();
            let verdicts = if targets.is_empty() { Vec::new() } else { referee::judge(&project, &machine, &targets)? };
            for verdict in &verdicts {
                results.record(verdict);
                for achievement in verdict {
                    match achievement.status {
                        Status::Unlocked => passed += 1,
                        Status::Locked => failed += 1,
                        Status::NotCheckable => skipped += 1,
                    }
                }
            }
            results.last_run = format!("{} boot, {}", machine.loader.name(), machine.accel.name());
            results.save(&results_path)?;
            if let Some(path) = json {
                let flat: Vec<_> = verdicts.iter().flatten().collect();
                std::fs::write(&path, serde_json::to_string_pretty(&flat)?)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            let focus = (selected.len() == 1).then(|| selected[0].number);
            print!("{}", board::render(&ranks, &results, &board::Style::detect(), focus));
            println!("{passed} passed, {failed} failed, {skipped} skipped");
            Ok(if failed == 0 { 0 } else { 1 })
        }
        Command::Board { rank } => {
            let results = Results::load(&results_path);
            print!("{}", board::render(&ranks, &results, &board::Style::detect(), rank));
            Ok(0)
        }
        Command::Hint { id, level } => {
            let (rank, achievement) = manifest::find(&ranks, &id).with_context(|| format!("no achievement {id}"))?;
            let level = level.clamp(1, achievement.hints.len());
            println!("{} {} (Rank {} {})", achievement.id, achievement.title, rank.numeral, rank.name);
            for (index, hint) in achievement.hints.iter().take(level).enumerate() {
                println!("  hint {}/{}: {hint}", index + 1, achievement.hints.len());
            }
            if level < achievement.hints.len() {
                println!("  (next: quest hint {} --level {})", achievement.id, level + 1);
            }
            Ok(0)
        }
        Command::Site { out, published } => {
            let results = (!published).then(|| Results::load(&results_path));
            let out = if out.is_absolute() { out } else { project.root.join(out) };
            site::assemble(&project, &ranks, results.as_ref(), &out)?;
            println!("assembled the site's sources in {}", out.display());
            Ok(0)
        }
        Command::SiteCheck { dom, png, ids, texts, ladder } => {
            let page = std::fs::read_to_string(&dom).with_context(|| format!("reading {}", dom.display()))?;
            let image = screen::Image::load(&png)?;
            let expect = site::PageExpectation { ids: &ids, ladder_rows: ladder.then_some(ranks.len()), texts: &texts };
            match site::check_page(&page, &image, &expect) {
                Ok(summary) => {
                    println!("ok    {} renders: {summary}", png.display());
                    Ok(0)
                }
                Err(problem) => {
                    println!("FAIL  {}: {problem:#}", png.display());
                    Ok(1)
                }
            }
        }
        Command::List => {
            for rank in &ranks {
                println!("Rank {} {} — {}", rank.numeral, rank.name, rank.focus);
                for a in &rank.achievements {
                    let note = if a.checkable() { "" } else { "  (not yet checkable)" };
                    println!("  {} {}{note}", a.id, a.title);
                }
            }
            Ok(0)
        }
        Command::GenQuests { check } => {
            let path = project.root.join("QUESTS.md");
            let fresh = questsmd::render(&ranks);
            if check {
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                if current != fresh {
                    bail!("QUESTS.md is stale: run `make quests` (quest gen-quests) and commit it");
                }
                println!("QUESTS.md is up to date");
            } else {
                std::fs::write(&path, fresh)?;
                println!("wrote {}", path.display());
            }
            Ok(0)
        }
        Command::Run { rank, boot, gdb, headless, cmdline } => {
            let rank = ranks.iter().find(|r| r.number == rank).with_context(|| format!("there is no rank {rank}"))?;
            let (loader, note) = project.loader(boot)?;
            if let Some(note) = note {
                eprintln!("{note}");
            }
            let (accel, why) = machine::choose_accel(&project.quest_dir());
            eprintln!("Accelerator: {why}");
            run::run(&project, run::RunOptions { rank, loader, accel, headless, gdb, cmdline })
        }
        Command::Test { boot, cargo_log, cargo_failed } => {
            selftest::run(&project, &ranks, boot, cargo_log.as_deref(), cargo_failed)
        }
        Command::Probe => {
            let (_, why) = machine::choose_accel(&project.quest_dir());
            println!("{why}");
            Ok(0)
        }
    }
}

/// `all` or one rank number.
fn select<'a>(ranks: &'a [Rank], which: &str) -> Result<Vec<&'a Rank>> {
    if which == "all" {
        return Ok(ranks.iter().collect());
    }
    let number: u8 = which.parse().with_context(|| format!("{which:?} is neither a rank number nor `all`"))?;
    let rank = ranks.iter().find(|r| r.number == number).with_context(|| format!("there is no rank {number}"))?;
    Ok(vec![rank])
}
