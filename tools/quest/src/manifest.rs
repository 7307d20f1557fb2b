//! Rank manifests: `ranks/NN-slug/rank.toml`, parsed strictly.
//!
//! A manifest is data a learner reads (titles, quests, hints) and data the
//! referee runs (checks). Both are validated here, once, so a typo in a
//! field name, a duplicate id or a regex that does not compile is an error
//! that names the file and line — never a check that silently passes.
//! The format is documented in `ranks/README.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use toml::Spanned;

use crate::checks::{Check, parse_check};

/// One rank, ready to use.
#[derive(Debug)]
pub struct Rank {
    pub number: u8,
    pub numeral: String,
    pub name: String,
    pub focus: String,
    pub summary: String,
    pub checkpoint: Checkpoint,
    pub achievements: Vec<Achievement>,
    /// The folder the manifest lives in (`ranks/03-reflexes`).
    pub dir: PathBuf,
}

/// How a rank's checkpoint boots: words added to every command line, the
/// modules Limine loads beside the kernel, and extra QEMU arguments.
#[derive(Debug, Default, Clone)]
pub struct Checkpoint {
    pub cmdline: String,
    pub modules: Vec<Module>,
    /// Added to every QEMU this rank's checks start (its honesty boots on
    /// the checkpoint before included) and to `quest run`. Only `-smp N`.
    pub qemu: Vec<String>,
}

/// The most processors a checkpoint may ask QEMU for.
pub const MAX_PROCESSORS: u8 = 16;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheckpoint {
    #[serde(default)]
    cmdline: String,
    #[serde(default)]
    modules: Vec<Module>,
    qemu: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Path from the repository root of the file to load (`build/vault.tar`).
    pub path: String,
    #[serde(default)]
    pub cmdline: String,
}

#[derive(Debug)]
pub struct Achievement {
    pub id: String,
    pub title: String,
    pub quest: String,
    pub why: String,
    pub hints: Vec<String>,
    /// Empty until the rank's implementation lands: "not yet checkable".
    pub checks: Vec<Check>,
}

impl Achievement {
    pub fn checkable(&self) -> bool {
        !self.checks.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRank {
    number: Spanned<u8>,
    numeral: String,
    name: String,
    slug: String,
    focus: String,
    summary: String,
    #[serde(default)]
    checkpoint: RawCheckpoint,
    #[serde(default, rename = "achievement")]
    achievements: Vec<Spanned<RawAchievement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAchievement {
    id: Spanned<String>,
    title: String,
    quest: String,
    why: String,
    hints: Vec<String>,
    #[serde(default, rename = "check")]
    checks: Vec<Spanned<crate::checks::RawCheck>>,
}

/// A manifest error, pointing at the place to fix.
#[derive(Debug)]
pub struct ManifestError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

impl std::error::Error for ManifestError {}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Parses one manifest from its text. `file` is only for messages.
pub fn parse_rank(text: &str, file: &Path) -> Result<Rank, ManifestError> {
    let error = |offset: usize, message: String| ManifestError {
        file: file.to_path_buf(),
        line: line_of(text, offset),
        message,
    };
    let raw: RawRank = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        error(offset, e.message().trim().to_string())
    })?;

    let number = *raw.number.get_ref();
    if !(1..=99).contains(&number) {
        return Err(error(raw.number.span().start, format!("rank number {number} is not in 1..=99")));
    }
    let folder = file.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
    let expected = format!("{number:02}-{}", raw.slug);
    if folder.as_deref().is_some_and(|f| f != expected) {
        return Err(error(0, format!("rank {number} with slug {:?} must live in ranks/{expected}/", raw.slug)));
    }
    let qemu = match &raw.checkpoint.qemu {
        Some(args) => checkpoint_qemu(args.get_ref()).map_err(|message| error(args.span().start, message))?,
        None => Vec::new(),
    };
    let checkpoint = Checkpoint { cmdline: raw.checkpoint.cmdline, modules: raw.checkpoint.modules, qemu };
    let mut achievements = Vec::new();
    for spanned in raw.achievements {
        let start = spanned.span().start;
        let achievement = spanned.into_inner();
        let id = achievement.id.get_ref().clone();
        if id.len() != 3 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error(
                achievement.id.span().start,
                format!("achievement id {id:?} must be three digits, like \"007\""),
            ));
        }
        if achievement.hints.is_empty() {
            return Err(error(
                start,
                format!("achievement {id} has no hints; give at least one (nudge, concept, shape)"),
            ));
        }
        let mut checks = Vec::new();
        for raw_check in achievement.checks {
            let offset = raw_check.span().start;
            let check = parse_check(raw_check.into_inner())
                .map_err(|message| error(offset, format!("achievement {id}: {message}")))?;
            checks.push(check);
        }
        achievements.push(Achievement {
            id,
            title: achievement.title,
            quest: achievement.quest.trim().to_string(),
            why: achievement.why,
            hints: achievement.hints,
            checks,
        });
    }
    Ok(Rank {
        number,
        numeral: raw.numeral,
        name: raw.name,
        focus: raw.focus,
        summary: raw.summary.trim().to_string(),
        checkpoint,
        achievements,
        dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
    })
}

/// Every rank under `ranks_dir`, sorted by number, with cross-file rules
/// checked: unique numbers and ids, ids consecutive from 001.
pub fn load_all(ranks_dir: &Path) -> Result<Vec<Rank>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(ranks_dir)
        .with_context(|| format!("reading {}", ranks_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("rank.toml")))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut ranks = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        ranks.push(parse_rank(&text, &file)?);
    }
    validate_set(&ranks)?;
    Ok(ranks)
}

/// Validates `[checkpoint] qemu`. The machine is otherwise fixed (RAM,
/// CPU model, devices: `machine/mod.rs`) because checks compare against
/// it (`number` checks against the RAM), so the one thing a rank may vary
/// is how many processors there are, for the ranks that count them.
fn checkpoint_qemu(args: &[String]) -> Result<Vec<String>, String> {
    let allowed = format!("the only QEMU option a checkpoint may add is `-smp N`, N from 1 to {MAX_PROCESSORS}");
    match args {
        [] => Ok(Vec::new()),
        [flag, count] if flag == "-smp" => match count.parse::<u8>() {
            Ok(n) if (1..=MAX_PROCESSORS).contains(&n) && count.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(args.to_vec())
            }
            _ => Err(format!("[checkpoint] qemu: -smp {count:?} is not a processor count; {allowed}")),
        },
        [flag] if flag.starts_with("-smp ") => {
            Err("[checkpoint] qemu: write the option and its value as two items, qemu = [\"-smp\", \"2\"]".into())
        }
        [flag] if flag == "-smp" => Err(format!("[checkpoint] qemu: `-smp` needs a count; {allowed}")),
        [flag, ..] if flag == "-smp" => Err(format!("[checkpoint] qemu: `-smp N` may be given once; {allowed}")),
        [other, ..] => Err(format!("[checkpoint] qemu: {other:?} is not allowed; {allowed}")),
    }
}

/// Rules that span manifests.
pub fn validate_set(ranks: &[Rank]) -> Result<()> {
    let mut numbers = BTreeMap::new();
    let mut ids: BTreeMap<&str, u8> = BTreeMap::new();
    for rank in ranks {
        if let Some(other) = numbers.insert(rank.number, &rank.dir) {
            bail!("rank number {} is used by both {} and {}", rank.number, other.display(), rank.dir.display());
        }
        for achievement in &rank.achievements {
            if let Some(other) = ids.insert(&achievement.id, rank.number) {
                bail!("achievement id {} appears twice (rank {} and rank {})", achievement.id, other, rank.number);
            }
        }
    }
    let mut ordered: Vec<(u8, &str)> = Vec::new();
    let mut sorted_ranks: Vec<&Rank> = ranks.iter().collect();
    sorted_ranks.sort_by_key(|rank| rank.number);
    for rank in sorted_ranks {
        for achievement in &rank.achievements {
            ordered.push((rank.number, &achievement.id));
        }
    }
    for (index, (rank, id)) in ordered.iter().enumerate() {
        let expected = format!("{:03}", index + 1);
        if *id != expected {
            return Err(anyhow!(
                "achievement ids must run 001, 002, … across the ranks in order: rank {rank} has {id} where {expected} belongs"
            ));
        }
    }
    Ok(())
}

/// Finds an achievement by id across ranks.
pub fn find<'a>(ranks: &'a [Rank], id: &str) -> Option<(&'a Rank, &'a Achievement)> {
    let wanted = if id.len() < 3 { format!("{:0>3}", id) } else { id.to_string() };
    ranks.iter().flat_map(|rank| rank.achievements.iter().map(move |a| (rank, a))).find(|(_, a)| a.id == wanted)
}
