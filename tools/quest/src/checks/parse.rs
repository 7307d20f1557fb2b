//! From a manifest's check table to a typed [`Check`].
//!
//! The table is flat (`kind = "serial"`, then that kind's fields) because
//! that is what reads best in TOML. Each kind accepts only its own fields:
//! a field that belongs to another kind is an error, since a misplaced
//! `forbid` that is silently ignored would make a check weaker than its
//! author believed.

use std::time::Duration;

use regex::Regex;
use serde::Deserialize;

use super::{
    BootSpec, Bound, Check, CheckKind, DEFAULT_TIMEOUT, ElfRules, ExitExpectation, Needs, RateWindow, Step, monitor,
    over_time,
};
use crate::manifest::Module;

/// The check table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    kind: String,
    scenario: Option<String>,
    timeout_s: Option<u64>,
    machine: Option<String>,
    modules: Option<Vec<Module>>,
    #[serde(default)]
    send: Vec<RawStep>,
    expect: Option<Vec<String>>,
    forbid: Option<Vec<String>>,
    pattern: Option<String>,
    min: Option<toml::Value>,
    max: Option<toml::Value>,
    multiple_of: Option<u64>,
    code: Option<toml::Value>,
    x: Option<u32>,
    y: Option<u32>,
    width: Option<u32>,
    height: Option<u32>,
    rgb: Option<String>,
    /// Per colour channel (0-255) for screen kinds, a fraction for serial-rate.
    tolerance: Option<toml::Value>,
    min_share: Option<f64>,
    text: Option<String>,
    /// One regex for screen-text, a list of strings for elf.
    absent: Option<toml::Value>,
    scale: Option<u32>,
    fg: Option<String>,
    bg: Option<String>,
    column: Option<u32>,
    row: Option<u32>,
    char: Option<String>,
    load_at_least: Option<String>,
    fixed_address: Option<bool>,
    section: Option<String>,
    section_starts_with: Option<String>,
    section_ends_with: Option<String>,
    symbol: Option<String>,
    no_writable_code: Option<bool>,
    disassembly_forbids: Option<Vec<String>>,
    interval_ms: Option<u64>,
    command: Option<String>,
    rate: Option<toml::Value>,
    min_span_s: Option<toml::Value>,
    base: Option<String>,
    file: Option<String>,
    error: Option<String>,
    directory: Option<String>,
    /// A path in an archive for file-bytes, a regex for elf-plan.
    entry: Option<String>,
    flags: Option<String>,
    streams: Option<Vec<String>>,
    count: Option<i64>,
    min_switches: Option<i64>,
    strict: Option<bool>,
    window_s: Option<toml::Value>,
    max_share: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    keys: Option<String>,
    serial: Option<String>,
    wait_ms: Option<u64>,
    wait_for: Option<String>,
}

/// The fields each kind may use, besides `kind`, `scenario`, `timeout_s`
/// and `send`.
const FIELDS: &[(&str, &[&str])] = &[
    ("serial", &["expect", "forbid"]),
    ("number", &["pattern", "min", "max", "multiple_of"]),
    ("screen-size", &["pattern"]),
    ("screen-pixel", &["x", "y", "rgb", "tolerance"]),
    ("screen-region", &["x", "y", "width", "height", "rgb", "tolerance", "min_share"]),
    ("screen-text", &["text", "absent", "scale", "fg", "bg"]),
    ("screen-cell", &["column", "row", "scale", "char"]),
    ("screen-changes", &["x", "y", "width", "height", "interval_ms"]),
    ("monitor", &["command", "expect", "forbid"]),
    ("serial-rate", &["pattern", "rate", "tolerance", "min_span_s"]),
    ("exit", &["code"]),
    (
        "elf",
        &[
            "load_at_least",
            "fixed_address",
            "section",
            "section_starts_with",
            "section_ends_with",
            "symbol",
            "no_writable_code",
            "disassembly_forbids",
            "absent",
        ],
    ),
    ("serial-symbol", &["pattern", "symbol", "file"]),
    ("serial-same", &["pattern"]),
    ("serial-differ", &["pattern"]),
    ("serial-translation", &["pattern", "base", "symbol"]),
    ("archive", &["pattern", "file", "error"]),
    ("listing", &["command", "file", "directory"]),
    ("file-bytes", &["command", "file", "entry"]),
    ("elf-plan", &["file", "pattern", "entry"]),
    ("serial-segment", &["pattern", "file", "flags"]),
    ("interleave", &["pattern", "streams", "count", "min_switches", "strict"]),
    ("host-cpu", &["window_s", "max_share"]),
];

impl RawCheck {
    /// The names of the kind-specific fields that are set.
    fn present_fields(&self) -> Vec<&'static str> {
        let flags = [
            ("expect", self.expect.is_some()),
            ("forbid", self.forbid.is_some()),
            ("pattern", self.pattern.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("multiple_of", self.multiple_of.is_some()),
            ("code", self.code.is_some()),
            ("x", self.x.is_some()),
            ("y", self.y.is_some()),
            ("width", self.width.is_some()),
            ("height", self.height.is_some()),
            ("rgb", self.rgb.is_some()),
            ("tolerance", self.tolerance.is_some()),
            ("min_share", self.min_share.is_some()),
            ("text", self.text.is_some()),
            ("absent", self.absent.is_some()),
            ("scale", self.scale.is_some()),
            ("fg", self.fg.is_some()),
            ("bg", self.bg.is_some()),
            ("column", self.column.is_some()),
            ("row", self.row.is_some()),
            ("char", self.char.is_some()),
            ("load_at_least", self.load_at_least.is_some()),
            ("fixed_address", self.fixed_address.is_some()),
            ("section", self.section.is_some()),
            ("section_starts_with", self.section_starts_with.is_some()),
            ("section_ends_with", self.section_ends_with.is_some()),
            ("symbol", self.symbol.is_some()),
            ("no_writable_code", self.no_writable_code.is_some()),
            ("disassembly_forbids", self.disassembly_forbids.is_some()),
            ("interval_ms", self.interval_ms.is_some()),
            ("command", self.command.is_some()),
            ("rate", self.rate.is_some()),
            ("min_span_s", self.min_span_s.is_some()),
            ("base", self.base.is_some()),
            ("file", self.file.is_some()),
            ("error", self.error.is_some()),
            ("directory", self.directory.is_some()),
            ("entry", self.entry.is_some()),
            ("flags", self.flags.is_some()),
            ("streams", self.streams.is_some()),
            ("count", self.count.is_some()),
            ("min_switches", self.min_switches.is_some()),
            ("strict", self.strict.is_some()),
            ("window_s", self.window_s.is_some()),
            ("max_share", self.max_share.is_some()),
        ];
        flags.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect()
    }
}

/// Validates and converts one check table. Errors are sentences for the
/// manifest author; the caller adds file and line.
pub fn parse_check(raw: RawCheck) -> Result<Check, String> {
    let kinds: Vec<&str> = FIELDS.iter().map(|(kind, _)| *kind).collect();
    let Some((_, allowed)) = FIELDS.iter().find(|(kind, _)| *kind == raw.kind) else {
        return Err(format!("unknown check kind {:?}; known kinds: {}", raw.kind, kinds.join(", ")));
    };
    for field in raw.present_fields() {
        if !allowed.contains(&field) {
            return Err(format!("field `{field}` does not apply to a {} check", raw.kind));
        }
    }

    let kind = match raw.kind.as_str() {
        "serial" => {
            let expect = raw.expect.unwrap_or_default().into_iter().map(pattern).collect::<Result<Vec<_>, _>>()?;
            let forbid = regexes(raw.forbid.as_deref().unwrap_or_default())?;
            if expect.is_empty() && forbid.is_empty() {
                return Err("a serial check needs `expect` or `forbid` patterns".into());
            }
            CheckKind::Serial { expect, forbid }
        }
        "number" => {
            let pattern = capture_pattern(raw.pattern.as_deref(), 1)?;
            let min = raw.min.as_ref().map(bound).transpose()?;
            let max = raw.max.as_ref().map(bound).transpose()?;
            if min.is_none() && max.is_none() && raw.multiple_of.is_none() {
                return Err("a number check needs `min`, `max` or `multiple_of`".into());
            }
            if raw.multiple_of == Some(0) {
                return Err("multiple_of must be at least 1".into());
            }
            CheckKind::Number { pattern, min, max, multiple_of: raw.multiple_of.map(u128::from) }
        }
        "screen-size" => CheckKind::ScreenSize { pattern: capture_pattern(raw.pattern.as_deref(), 2)? },
        "screen-pixel" => CheckKind::ScreenPixel {
            x: required(raw.x, "x")?,
            y: required(raw.y, "y")?,
            rgb: colour(raw.rgb.as_deref())?,
            tolerance: channel_tolerance(raw.tolerance.as_ref())?,
        },
        "screen-region" => {
            let min_share = raw.min_share.unwrap_or(1.0);
            if !(0.0..=1.0).contains(&min_share) || min_share == 0.0 {
                return Err(format!("min_share {min_share} must be in (0, 1]"));
            }
            let (width, height) = (required(raw.width, "width")?, required(raw.height, "height")?);
            if width == 0 || height == 0 {
                return Err("a screen region must be at least 1x1".into());
            }
            CheckKind::ScreenRegion {
                x: required(raw.x, "x")?,
                y: required(raw.y, "y")?,
                width,
                height,
                rgb: colour(raw.rgb.as_deref())?,
                tolerance: channel_tolerance(raw.tolerance.as_ref())?,
                min_share,
            }
        }
        "screen-text" => {
            if raw.text.is_none() && raw.absent.is_none() {
                return Err("a screen-text check needs `text` or `absent` (regexes)".into());
            }
            if (raw.fg.is_some() || raw.bg.is_some()) && raw.text.is_none() {
                return Err("`fg`/`bg` colour the cells `text` matches: give `text`".into());
            }
            let absent = match &raw.absent {
                None => None,
                Some(toml::Value::String(source)) => Some(regex(source)?),
                Some(_) => return Err("`absent` of a screen-text check is one regex, a string".into()),
            };
            CheckKind::ScreenText {
                pattern: raw.text.map(pattern).transpose()?,
                absent,
                scale: scale(raw.scale)?,
                fg: raw.fg.as_deref().map(|c| colour(Some(c))).transpose()?,
                bg: raw.bg.as_deref().map(|c| colour(Some(c))).transpose()?,
            }
        }
        "serial-same" => CheckKind::SerialSame { pattern: capture_pattern(raw.pattern.as_deref(), 2)? },
        "serial-differ" => CheckKind::SerialDiffer { pattern: capture_pattern(raw.pattern.as_deref(), 2)? },
        "archive" => CheckKind::Archive {
            pattern: capture_pattern(raw.pattern.as_deref(), 2)?,
            file: project_file(raw.file.as_deref(), "an archive check needs `file`, the archive's path")?,
            error: raw.error.as_deref().map(|source| capture_pattern(Some(source), 1)).transpose()?,
        },
        "listing" => CheckKind::Listing {
            command: program_command(raw.command.as_deref())?,
            file: project_file(raw.file.as_deref(), "a listing check needs `file`, the archive's path")?,
            directory: raw.directory.as_deref().map(archive_directory).transpose()?,
        },
        "file-bytes" => CheckKind::FileBytes {
            command: program_command(raw.command.as_deref())?,
            file: project_file(raw.file.as_deref(), "a file-bytes check needs `file`, the archive's path")?,
            entry: match raw.entry.as_deref().map(str::trim) {
                Some(entry) if !entry.is_empty() => entry.to_string(),
                _ => return Err("a file-bytes check needs `entry`, the file's path inside the archive".into()),
            },
        },
        "elf-plan" => CheckKind::ElfPlan {
            file: project_file(raw.file.as_deref(), "an elf-plan check needs `file`, the ELF's path")?,
            pattern: capture_pattern(raw.pattern.as_deref(), 5)?,
            entry: raw.entry.as_deref().map(|source| capture_pattern(Some(source), 1)).transpose()?,
        },
        "serial-segment" => CheckKind::SerialSegment {
            pattern: capture_pattern(raw.pattern.as_deref(), 1)?,
            file: project_file(raw.file.as_deref(), "a serial-segment check needs `file`, the ELF's path")?,
            flags: segment_flags(raw.flags.as_deref())?,
        },
        "serial-translation" => CheckKind::SerialTranslation {
            pattern: capture_pattern(raw.pattern.as_deref(), 2)?,
            base: capture_pattern(Some(raw.base.as_deref().ok_or("a serial-translation check needs `base`")?), 2)?,
            symbol: raw.symbol.clone(),
        },
        "serial-symbol" => CheckKind::SerialSymbol {
            file: raw.file.as_deref().map(|file| project_file(Some(file), "")).transpose()?,
            pattern: capture_pattern(raw.pattern.as_deref(), 1)?,
            symbol: raw.symbol.clone().ok_or("a serial-symbol check needs `symbol`")?,
        },
        "screen-cell" => {
            let text = raw.char.as_deref().ok_or("a screen-cell check needs `char`")?;
            let mut chars = text.chars();
            let (Some(ch), None) = (chars.next(), chars.next()) else {
                return Err(format!("char {text:?} must be exactly one character"));
            };
            if !ch.is_ascii_graphic() {
                return Err(format!("char {text:?} must be printable ASCII"));
            }
            CheckKind::ScreenCell {
                column: required(raw.column, "column")?,
                row: required(raw.row, "row")?,
                scale: scale(raw.scale)?,
                ch,
            }
        }
        "screen-changes" => {
            let (width, height) = (required(raw.width, "width")?, required(raw.height, "height")?);
            if width == 0 || height == 0 {
                return Err("a screen region must be at least 1x1".into());
            }
            CheckKind::ScreenChanges {
                x: required(raw.x, "x")?,
                y: required(raw.y, "y")?,
                width,
                height,
                interval: over_time::interval(raw.interval_ms)?,
            }
        }
        "monitor" => {
            let expect = regexes(raw.expect.as_deref().unwrap_or_default())?;
            let forbid = regexes(raw.forbid.as_deref().unwrap_or_default())?;
            if expect.is_empty() && forbid.is_empty() {
                return Err("a monitor check needs `expect` or `forbid` patterns".into());
            }
            CheckKind::Monitor { command: monitor::command(raw.command.as_deref())?, expect, forbid }
        }
        "serial-rate" => {
            let (rate, tolerance, min_span) =
                over_time::rate_fields(raw.rate.as_ref(), raw.tolerance.as_ref(), raw.min_span_s.as_ref())?;
            CheckKind::SerialRate { pattern: capture_pattern(raw.pattern.as_deref(), 1)?, rate, tolerance, min_span }
        }
        "interleave" => interleave(&raw)?,
        "host-cpu" => {
            let (window, max_share) = over_time::cpu_fields(raw.window_s.as_ref(), raw.max_share.as_ref())?;
            CheckKind::HostCpu { window, max_share }
        }
        "exit" => CheckKind::Exit { code: exit_code(raw.code.as_ref())? },
        "elf" => CheckKind::Elf(elf_rules(&raw)?),
        _ => unreachable!("kinds are matched against FIELDS above"),
    };

    let boot = if raw.kind == "elf" {
        if raw.scenario.is_some() || !raw.send.is_empty() || raw.machine.is_some() || raw.modules.is_some() {
            return Err(
                "an elf check reads the built file and boots nothing: drop `scenario`, `send`, `machine` and `modules`"
                    .into(),
            );
        }
        None
    } else {
        let steps = raw.send.into_iter().map(step).collect::<Result<Vec<_>, _>>()?;
        let needs = match raw.kind.as_str() {
            kind if kind.starts_with("screen-") => Needs::Screen,
            "monitor" => Needs::Monitor,
            "host-cpu" => Needs::HostCpu,
            "serial-rate" => Needs::SerialOverTime,
            "exit" => Needs::Exit,
            _ => Needs::Serial,
        };
        let mut spec = BootSpec::new(raw.scenario, steps, needs);
        if let Some(variant) = raw.machine {
            if !super::MACHINE_VARIANTS.iter().any(|(name, _)| *name == variant) {
                let known: Vec<&str> = super::MACHINE_VARIANTS.iter().map(|(name, _)| *name).collect();
                return Err(format!("unknown machine {variant:?}; known: {}", known.join(", ")));
            }
            spec.machine = Some(variant);
        }
        if let Some(modules) = raw.modules {
            for module in &modules {
                project_file(Some(&module.path), "")?;
            }
            spec.modules = Some(modules);
        }
        match &kind {
            CheckKind::Monitor { command, .. } => spec.monitor = Some(command.clone()),
            CheckKind::SerialRate { min_span, .. } => {
                let pattern = raw.pattern.clone().unwrap_or_default();
                spec.rate_window = Some(RateWindow { pattern, min_span: *min_span });
            }
            CheckKind::ScreenChanges { interval, .. } => spec.second_screenshot = Some(*interval),
            CheckKind::HostCpu { window, .. } => spec.cpu_window = Some(*window),
            _ => {}
        }
        Some(spec)
    };
    let timeout = raw.timeout_s.map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    if timeout.is_zero() {
        return Err("timeout_s must be at least 1".into());
    }
    if let CheckKind::SerialRate { min_span, .. } = &kind
        && *min_span >= timeout
    {
        return Err(format!(
            "min_span_s ({} s) must be shorter than the boot's time limit ({} s)",
            min_span.as_secs_f64(),
            timeout.as_secs()
        ));
    }
    Ok(Check { boot, kind, timeout })
}

/// An interleave check: a two-capture pattern (stream name, number), two
/// or more distinct stream names, a count from 1, and switches that the
/// counted lines can actually make.
fn interleave(raw: &RawCheck) -> Result<CheckKind, String> {
    let source = raw.pattern.as_deref().ok_or(
        "an interleave check needs `pattern`, with two captures: the stream's name and its number, like '^(a|b) (\\d+)$'",
    )?;
    let pattern = capture_pattern(Some(source), 2)
        .map_err(|e| format!("{e} (an interleave pattern captures the stream's name, then its decimal number)"))?;
    let streams = raw.streams.clone().unwrap_or_default();
    if streams.len() < 2 {
        return Err(format!(
            "an interleave check needs `streams`, at least two names (like [\"a\", \"b\"]); it has {}",
            streams.len()
        ));
    }
    if let Some(empty) = streams.iter().position(|name| name.is_empty()) {
        return Err(format!("stream {} of `streams` is empty; every stream needs a name", empty + 1));
    }
    if let Some((index, name)) = streams.iter().enumerate().find(|(i, name)| streams[..*i].contains(name)) {
        return Err(format!("stream {name:?} appears twice in `streams` (again as number {})", index + 1));
    }
    let count = match raw.count {
        None => return Err("an interleave check needs `count`, how far each stream counts (1 to count)".into()),
        Some(count) if count >= 1 => count as u64,
        Some(count) => return Err(format!("count {count} must be at least 1: each stream counts from 1 to count")),
    };
    let most = (streams.len() as u64).saturating_mul(count) - 1;
    let min_switches = match raw.min_switches {
        None => None,
        Some(min) if min < 1 => {
            return Err(format!("min_switches {min} must be at least 1 (leave it out to not count switches)"));
        }
        Some(min) if min as u64 > most => {
            return Err(format!(
                "min_switches {min} can never be reached: {} streams of {count} lines switch at most {most} times",
                streams.len()
            ));
        }
        Some(min) => Some(min as u64),
    };
    Ok(CheckKind::Interleave { pattern, streams, count, min_switches, strict: raw.strict.unwrap_or(false) })
}

fn scale(value: Option<u32>) -> Result<u32, String> {
    match value.unwrap_or(1) {
        scale @ 1..=8 => Ok(scale),
        other => Err(format!("scale {other} must be 1..=8")),
    }
}

/// How far each colour channel may be from the wanted colour.
fn channel_tolerance(value: Option<&toml::Value>) -> Result<u8, String> {
    match value {
        None => Ok(0),
        Some(toml::Value::Integer(n)) if (0..=255).contains(n) => Ok(*n as u8),
        Some(other) => Err(format!("tolerance {other} must be a whole number 0..=255 (per colour channel)")),
    }
}

fn required(value: Option<u32>, name: &str) -> Result<u32, String> {
    value.ok_or_else(|| format!("this check needs `{name}`"))
}

fn regex(source: &str) -> Result<Regex, String> {
    // Multi-line mode: `^` and `$` match at line breaks in the serial log.
    Regex::new(&format!("(?m){source}")).map_err(|e| format!("bad regex {source:?}: {e}"))
}

/// A pattern that may contain `{nonce}`, validated with a sample nonce.
fn pattern(source: String) -> Result<super::Pattern, String> {
    regex(&source.replace("{nonce}", super::SAMPLE_NONCE))?;
    Ok(super::Pattern { source })
}

fn regexes(sources: &[String]) -> Result<Vec<Regex>, String> {
    sources.iter().map(|source| regex(source)).collect()
}

fn capture_pattern(source: Option<&str>, groups: usize) -> Result<Regex, String> {
    let source = source.ok_or("this check needs `pattern`")?;
    let pattern = regex(source)?;
    let found = pattern.captures_len() - 1;
    if found != groups {
        return Err(format!("pattern {source:?} must have exactly {groups} capture group(s), it has {found}"));
    }
    Ok(pattern)
}

/// A path from the project root (`build/vault.tar`): relative, and never
/// climbing out with `..`, so a manifest can only name files of its own
/// repository.
fn project_file(path: Option<&str>, missing: &str) -> Result<String, String> {
    let path = path.ok_or(missing)?;
    if path.trim().is_empty() {
        return Err("a file path must not be empty".into());
    }
    if std::path::Path::new(path).is_absolute() || path.starts_with('/') {
        return Err(format!("{path:?} must be a path from the project root, like \"build/vault.tar\", not absolute"));
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Err(format!("{path:?} must stay inside the project: no `..`"));
    }
    Ok(path.to_string())
}

/// The command line of a program the kernel runs, as it prints it after
/// `$ ` (`bin/ls docs`).
fn program_command(command: Option<&str>) -> Result<String, String> {
    let command = command.ok_or("this check needs `command`, the program and its arguments, like \"bin/ls docs\"")?;
    if command.trim().is_empty() || command.trim() != command || command.contains('\n') {
        return Err(format!(
            "command {command:?} must be one line, the program and its arguments, without spaces around"
        ));
    }
    Ok(command.to_string())
}

/// A directory inside an archive, normalised as `libs/ustar` does
/// (`./docs/` is `docs`).
fn archive_directory(directory: &str) -> Result<String, String> {
    let normal = ustar::Path::from(directory).to_string();
    if normal.is_empty() {
        return Err(format!(
            "directory {directory:?} is the archive's root: leave `directory` out to check the whole listing"
        ));
    }
    Ok(normal)
}

/// Segment flags as the kernel prints them: `R-X`, `RW-`, `R--`.
fn segment_flags(flags: Option<&str>) -> Result<String, String> {
    let flags = flags.ok_or("a serial-segment check needs `flags`, like \"R-X\"")?;
    let valid = flags.len() == 3 && flags.chars().zip(["R-", "W-", "X-"]).all(|(c, allowed)| allowed.contains(c));
    if !valid {
        return Err(format!("flags {flags:?} must be three letters R/-, W/-, X/-, like \"R-X\" or \"RW-\""));
    }
    Ok(flags.to_string())
}

fn bound(value: &toml::Value) -> Result<Bound, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(Bound::Value(*n as u128)),
        toml::Value::String(s) if s == "ram" => Ok(Bound::RamBytes),
        toml::Value::String(s) => {
            parse_number(s).map(Bound::Value).ok_or_else(|| format!("bound {s:?} is neither a number nor \"ram\""))
        }
        other => Err(format!("bound {other} must be a non-negative number, a hex string or \"ram\"")),
    }
}

/// Decimal, or hex with `0x`; underscores and commas allowed as separators.
pub fn parse_number(text: &str) -> Option<u128> {
    let cleaned: String = text.trim().chars().filter(|c| *c != '_' && *c != ',').collect();
    match cleaned.strip_prefix("0x").or_else(|| cleaned.strip_prefix("0X")) {
        Some(hex) => u128::from_str_radix(hex, 16).ok(),
        None => cleaned.parse().ok(),
    }
}

fn colour(text: Option<&str>) -> Result<[u8; 3], String> {
    let text = text.ok_or("this check needs `rgb`, like \"#ff8800\"")?;
    let hex = text.strip_prefix('#').unwrap_or(text);
    let value = (hex.len() == 6).then(|| u32::from_str_radix(hex, 16).ok()).flatten();
    let value = value.ok_or_else(|| format!("colour {text:?} must be #rrggbb"))?;
    Ok([(value >> 16) as u8, (value >> 8) as u8, value as u8])
}

fn exit_code(value: Option<&toml::Value>) -> Result<ExitExpectation, String> {
    match value {
        Some(toml::Value::String(s)) if s == "success" => Ok(ExitExpectation::Success),
        Some(toml::Value::String(s)) if s == "panic" => Ok(ExitExpectation::Panic),
        Some(toml::Value::Integer(n)) if (1..=0x7fff_ffff).contains(n) => Ok(ExitExpectation::Code(*n as u32)),
        Some(other) => Err(format!("exit code {other} must be \"success\", \"panic\" or a number from 1")),
        None => Err("an exit check needs `code`".into()),
    }
}

fn hex_bytes(text: &str) -> Result<Vec<u8>, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(format!("{text:?} must be an even number of hex digits"));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| format!("{text:?} is not hex")))
        .collect()
}

fn elf_rules(raw: &RawCheck) -> Result<ElfRules, String> {
    let rules = ElfRules {
        load_at_least: raw
            .load_at_least
            .as_deref()
            .map(|text| {
                parse_number(text)
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or(format!("load_at_least {text:?} is not an address"))
            })
            .transpose()?,
        fixed_address: raw.fixed_address.unwrap_or(false),
        section: raw.section.clone(),
        section_starts_with: raw.section_starts_with.as_deref().map(hex_bytes).transpose()?,
        section_ends_with: raw.section_ends_with.as_deref().map(hex_bytes).transpose()?,
        symbol: raw.symbol.clone(),
        no_writable_code: raw.no_writable_code.unwrap_or(false),
        disassembly_forbids: regexes(raw.disassembly_forbids.as_deref().unwrap_or_default())?,
        absent: absent_strings(raw.absent.as_ref())?,
    };
    if (rules.section_starts_with.is_some() || rules.section_ends_with.is_some()) && rules.section.is_none() {
        return Err("section_starts_with / section_ends_with need `section`".into());
    }
    let any = rules.load_at_least.is_some()
        || rules.fixed_address
        || rules.section.is_some()
        || rules.symbol.is_some()
        || rules.no_writable_code
        || !rules.disassembly_forbids.is_empty()
        || !rules.absent.is_empty();
    if !any {
        return Err("an elf check needs at least one rule".into());
    }
    Ok(rules)
}

/// `absent` of an elf check: a list of non-empty strings.
fn absent_strings(value: Option<&toml::Value>) -> Result<Vec<String>, String> {
    let wrong = || "`absent` of an elf check is a list of strings, like [\"hello, kernel\"]".to_string();
    let Some(value) = value else { return Ok(Vec::new()) };
    let items = value.as_array().ok_or_else(wrong)?;
    let strings =
        items.iter().map(|item| item.as_str().map(str::to_string).ok_or_else(wrong)).collect::<Result<Vec<_>, _>>()?;
    if strings.is_empty() || strings.iter().any(String::is_empty) {
        return Err(
            "`absent` needs at least one string, and none may be empty (an empty string is in every file)".into()
        );
    }
    Ok(strings)
}

fn step(raw: RawStep) -> Result<Step, String> {
    let set = [raw.keys.is_some(), raw.serial.is_some(), raw.wait_ms.is_some(), raw.wait_for.is_some()];
    if set.iter().filter(|s| **s).count() != 1 {
        return Err("each `send` step is exactly one of keys, serial, wait_ms, wait_for".into());
    }
    Ok(if let Some(keys) = raw.keys {
        let keys: Vec<String> = keys.split_whitespace().map(str::to_string).collect();
        if keys.is_empty() {
            return Err("`keys` is empty".into());
        }
        Step::Keys(keys)
    } else if let Some(bytes) = raw.serial {
        Step::Serial(bytes)
    } else if let Some(ms) = raw.wait_ms {
        Step::WaitMs(ms)
    } else {
        let source = raw.wait_for.unwrap_or_default();
        regex(&source)?;
        Step::WaitFor(source)
    })
}
