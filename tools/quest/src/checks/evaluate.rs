//! Judging a check against what a boot produced.
//!
//! Each verdict carries a sentence: on success, what was seen; on failure,
//! what was wanted and what was found instead (the tail of the serial log,
//! the pixel's actual colour), so the board can tell a learner *why* an
//! achievement is still locked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use regex::Regex;

use super::{
    Bound, CheckKind, CpuUse, ElfRules, ExitExpectation, files, interleave, monitor, over_time, parse::parse_number,
    segments,
};
use crate::machine::Ending;
use crate::screen::{CellRead, Image, exact_glyph, hex, read_cells, text_of};

/// Everything a boot left behind.
pub struct Evidence<'a> {
    /// Serial output with terminal escape sequences removed.
    pub serial: &'a str,
    /// The same output line by line, each line with the time it reached
    /// the referee (from QEMU's start).
    pub lines: &'a [(Duration, String)],
    pub ending: &'a Ending,
    pub screen: Option<&'a Image>,
    /// A second screenshot and how long after the first it was taken.
    pub second_screen: Option<(&'a Image, Duration)>,
    /// What QEMU's monitor answered when the boot settled: command → text.
    pub monitor: &'a BTreeMap<String, String>,
    /// The RAM QEMU was given.
    pub ram_bytes: u64,
    /// The kernel ELF that was booted (or is to be inspected).
    pub elf: &'a [u8],
    /// The `nonce=` word this boot's command line carried.
    pub nonce: &'a str,
    /// QEMU's CPU time over the window after a held boot settled
    /// (`host-cpu`), or why it could not be read; `None` when it was not
    /// measured.
    pub host_cpu: Option<&'a Result<CpuUse, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    pub passed: bool,
    pub detail: String,
}

impl Outcome {
    pub(super) fn pass(detail: impl Into<String>) -> Self {
        Self { passed: true, detail: detail.into() }
    }
    pub(super) fn fail(detail: impl Into<String>) -> Self {
        Self { passed: false, detail: detail.into() }
    }
}

pub fn evaluate(kind: &CheckKind, evidence: &Evidence) -> Outcome {
    match kind {
        CheckKind::Serial { expect, forbid } => serial(expect, forbid, evidence),
        CheckKind::Number { pattern, min, max, multiple_of } => number(pattern, *min, *max, *multiple_of, evidence),
        CheckKind::ScreenSize { pattern } => screen_size(pattern, evidence),
        CheckKind::ScreenPixel { x, y, rgb, tolerance } => with_screen(evidence, |image| match image.pixel(*x, *y) {
            None => Outcome::fail(format!("pixel ({x}, {y}) is outside the {}x{} screen", image.width, image.height)),
            Some(found) if close(found, *rgb, *tolerance) => {
                Outcome::pass(format!("pixel ({x}, {y}) is {}", hex(found)))
            }
            Some(found) => Outcome::fail(format!("pixel ({x}, {y}) is {}, wanted {}", hex(found), hex(*rgb))),
        }),
        CheckKind::ScreenRegion { x, y, width, height, rgb, tolerance, min_share } => {
            with_screen(evidence, |image| region(image, (*x, *y, *width, *height), *rgb, *tolerance, *min_share))
        }
        CheckKind::ScreenText { pattern, absent, scale, fg, bg } => {
            let pattern = pattern.as_ref().map(|p| p.regex(evidence.nonce));
            with_screen(evidence, |image| screen_text(image, pattern.as_ref(), absent.as_ref(), *scale, *fg, *bg))
        }
        CheckKind::ScreenCell { column, row, scale, ch } => {
            with_screen(evidence, |image| match exact_glyph(image, *column, *row, *scale, *ch) {
                Ok((fg, bg)) => {
                    Outcome::pass(format!("cell ({column}, {row}) is exactly {ch:?}, {} on {}", hex(fg), hex(bg)))
                }
                Err(problem) => {
                    let seen = read_cells(image, *scale)
                        .get(*row as usize)
                        .and_then(|r| r.get(*column as usize))
                        .map_or(' ', |c| c.ch);
                    Outcome::fail(format!(
                        "cell ({column}, {row}) is not exactly {ch:?} (it reads {seen:?}): {problem}"
                    ))
                }
            })
        }
        CheckKind::ScreenChanges { x, y, width, height, interval } => {
            over_time::screen_changes((*x, *y, *width, *height), *interval, evidence)
        }
        CheckKind::Monitor { command, expect, forbid } => monitor::judge(command, expect, forbid, evidence),
        CheckKind::SerialRate { pattern, rate, tolerance, min_span } => {
            over_time::serial_rate(pattern, *rate, *tolerance, *min_span, evidence)
        }
        CheckKind::Interleave { pattern, streams, count, min_switches, strict } => {
            let rules = interleave::Rules { streams, count: *count, min_switches: *min_switches, strict: *strict };
            interleave::judge(pattern, &rules, evidence)
        }
        CheckKind::HostCpu { window, max_share } => over_time::host_cpu(*window, *max_share, evidence),
        CheckKind::Exit { code } => exit(*code, evidence),
        CheckKind::SerialSymbol { pattern, symbol, file: None } => {
            serial_symbol(pattern, symbol, evidence.elf, evidence)
        }
        CheckKind::SerialSymbol { pattern, symbol, file: Some(file) } => {
            with_file(file, |elf| serial_symbol(pattern, symbol, elf, evidence))
        }
        CheckKind::SerialSame { pattern } => match pattern.captures(evidence.serial) {
            Some(found) if found[1] == found[2] => Outcome::pass(format!("both read {:?}", &found[1])),
            Some(found) => Outcome::fail(format!("{:?} and {:?} differ", &found[1], &found[2])),
            None => Outcome::fail(format!(
                "expected lines matching /{}/ on serial {}",
                display_regex(pattern),
                missing_line(pattern.as_str(), evidence)
            )),
        },
        CheckKind::SerialDiffer { pattern } => match pattern.captures(evidence.serial) {
            Some(found) if found[1] != found[2] => Outcome::pass(format!("{:?} and {:?} differ", &found[1], &found[2])),
            Some(found) => Outcome::fail(format!("both read {:?}; they must differ", &found[1])),
            None => Outcome::fail(format!(
                "expected lines matching /{}/ on serial {}",
                display_regex(pattern),
                missing_line(pattern.as_str(), evidence)
            )),
        },
        CheckKind::SerialTranslation { pattern, base, symbol } => serial_translation(pattern, base, symbol, evidence),
        CheckKind::Archive { pattern, file, error } => {
            with_file(file, |bytes| files::archive(pattern, error.as_ref(), file, bytes, evidence))
        }
        CheckKind::Listing { command, file, directory } => {
            with_file(file, |bytes| files::listing(command, file, directory.as_deref(), bytes, evidence))
        }
        CheckKind::FileBytes { command, file, entry } => {
            with_file(file, |bytes| files::file_bytes(command, file, entry, bytes, evidence))
        }
        CheckKind::ElfPlan { file, pattern, entry } => {
            with_file(file, |elf| segments::elf_plan(pattern, entry.as_ref(), file, elf, evidence))
        }
        CheckKind::SerialSegment { pattern, file, flags } => {
            with_file(file, |elf| segments::serial_segment(pattern, file, flags, elf, evidence))
        }
        CheckKind::Elf(rules) => elf(rules, evidence.elf),
    }
}

/// Judges with the bytes of a file from the project root (an archive, a
/// user program); a missing file fails the check with the `make` target
/// that builds it.
fn with_file(file: &str, judge: impl FnOnce(&[u8]) -> Outcome) -> Outcome {
    match crate::project::Project::find().and_then(|project| project.read(file)) {
        Ok(bytes) => judge(&bytes),
        Err(e) => Outcome::fail(format!("{e:#}")),
    }
}

/// Two captured addresses, for the translation check.
fn address_pair(pattern: &Regex, evidence: &Evidence) -> Result<(u64, u64), Outcome> {
    let Some(captures) = pattern.captures(evidence.serial) else {
        return Err(Outcome::fail(format!(
            "expected a line matching /{}/ on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        )));
    };
    let number = |i: usize| {
        parse_number(&captures[i])
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| Outcome::fail(format!("{:?} is not an address", &captures[i])))
    };
    Ok((number(1)?, number(2)?))
}

fn serial_translation(pattern: &Regex, base: &Regex, symbol: &Option<String>, evidence: &Evidence) -> Outcome {
    let ((virt, phys), (virt_base, phys_base)) = match (address_pair(pattern, evidence), address_pair(base, evidence)) {
        (Ok(pair), Ok(base)) => (pair, base),
        (Err(outcome), _) | (_, Err(outcome)) => return outcome,
    };
    if let Some(symbol) = symbol {
        match crate::elfcheck::symbol_range(evidence.elf, symbol) {
            Ok((start, _)) if start == virt => {}
            Ok((start, _)) => {
                return Outcome::fail(format!("the kernel translated {virt:#x}, but {symbol} is at {start:#x}"));
            }
            Err(problem) => return Outcome::fail(problem),
        }
    }
    let Some(expected) = virt.checked_sub(virt_base).and_then(|offset| phys_base.checked_add(offset)) else {
        return Outcome::fail(format!("{virt:#x} lies below the base {virt_base:#x}"));
    };
    if phys == expected {
        Outcome::pass(format!("{virt:#x} -> {phys:#x}, which is {phys_base:#x} + ({virt:#x} - {virt_base:#x})"))
    } else {
        Outcome::fail(format!(
            "the kernel says {virt:#x} -> {phys:#x}, but the bases ({virt_base:#x} at {phys_base:#x}) put it at {expected:#x}"
        ))
    }
}

/// The pattern as the author wrote it, without our `(?m)` prefix.
pub(super) fn display_regex(pattern: &Regex) -> &str {
    pattern.as_str().trim_start_matches("(?m)")
}

/// The last `lines` non-empty lines, indented, for failure messages.
pub fn tail(text: &str, lines: usize) -> String {
    let kept: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = kept.len().saturating_sub(lines);
    if kept.is_empty() {
        return "    (nothing)".into();
    }
    kept[start..].iter().map(|line| format!("    | {}", line.trim_end())).collect::<Vec<_>>().join("\n")
}

/// The words a learner would search for in a pattern: its longest run of
/// plain letters and spaces (`hhdm offset` in `^  hhdm offset +(0x…)`).
fn key_words(source: &str) -> Option<String> {
    let mut best = String::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in source.chars() {
        let plain = !escaped && (c.is_ascii_alphabetic() || c == ' ');
        escaped = c == '\\' && !escaped;
        if plain {
            current.push(c);
        } else {
            if current.trim().len() > best.trim().len() {
                best = current.clone();
            }
            current.clear();
        }
    }
    if current.trim().len() > best.trim().len() {
        best = current;
    }
    let best = best.trim().to_string();
    (best.len() >= 4).then_some(best)
}

/// Why a pattern did not match, for the board: the line that looks like
/// what was wanted if there is one, else the end of the log.
pub(super) fn missing_line(source: &str, evidence: &Evidence) -> String {
    let near = key_words(source).and_then(|words| evidence.serial.lines().rev().find(|line| line.contains(&words)));
    match near {
        Some(line) => format!("{}; the closest line was:\n    | {}", ending_note(evidence), line.trim_end()),
        None => format!("{}; the kernel's last lines:\n{}", ending_note(evidence), tail(evidence.serial, 8)),
    }
}

pub(super) fn ending_note(evidence: &Evidence) -> String {
    format!("(the boot {})", evidence.ending)
}

fn serial(expect: &[super::Pattern], forbid: &[Regex], evidence: &Evidence) -> Outcome {
    let log = evidence.serial;
    for pattern in forbid {
        if let Some(found) = pattern.find(log) {
            return Outcome::fail(format!(
                "serial output contains forbidden /{}/: {:?}",
                display_regex(pattern),
                found.as_str()
            ));
        }
    }
    let mut from = 0;
    let mut seen = Vec::new();
    for pattern in expect {
        let pattern = pattern.regex(evidence.nonce);
        match pattern.find_at(log, from) {
            Some(found) => {
                seen.push(found.as_str().trim().to_string());
                from = found.end();
            }
            None => {
                let mut message = format!("expected a line matching /{}/ on serial", display_regex(&pattern));
                if !seen.is_empty() {
                    let _ = write!(message, " after {:?}", seen.last().unwrap_or(&String::new()));
                }
                let _ = write!(message, " {}", missing_line(pattern.as_str(), evidence));
                return Outcome::fail(message);
            }
        }
    }
    if seen.is_empty() {
        Outcome::pass("nothing forbidden on serial")
    } else {
        Outcome::pass(format!("saw {}", seen.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")))
    }
}

fn number(
    pattern: &Regex,
    min: Option<Bound>,
    max: Option<Bound>,
    multiple_of: Option<u128>,
    evidence: &Evidence,
) -> Outcome {
    let Some(captures) = pattern.captures(evidence.serial) else {
        return Outcome::fail(format!(
            "expected a line matching /{}/ on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        ));
    };
    let text = captures.get(1).map_or("", |m| m.as_str());
    let Some(value) = parse_number(text) else {
        return Outcome::fail(format!("{text:?} (from {:?}) is not a number", captures[0].trim()));
    };
    let resolve = |bound: Bound| match bound {
        Bound::Value(v) => v,
        Bound::RamBytes => u128::from(evidence.ram_bytes),
    };
    let describe = |bound: Bound| match bound {
        Bound::Value(v) if v > 0xffff_ffff => format!("{v:#x}"),
        Bound::Value(v) => format!("{v}"),
        Bound::RamBytes => format!("the {} bytes of RAM QEMU was given", evidence.ram_bytes),
    };
    if let Some(min) = min.filter(|&m| value < resolve(m)) {
        return Outcome::fail(format!("{text} is below the minimum, {}", describe(min)));
    }
    if let Some(max) = max.filter(|&m| value > resolve(m)) {
        return Outcome::fail(format!("{text} is above the maximum, {}", describe(max)));
    }
    if let Some(step) = multiple_of.filter(|&step| value % step != 0) {
        return Outcome::fail(format!("{text} is not a multiple of {step:#x}"));
    }
    Outcome::pass(format!("{} (within bounds)", captures[0].trim()))
}

fn serial_symbol(pattern: &Regex, symbol: &str, elf: &[u8], evidence: &Evidence) -> Outcome {
    let Some(captures) = pattern.captures(evidence.serial) else {
        return Outcome::fail(format!(
            "expected a line matching /{}/ on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        ));
    };
    let Some(address) = parse_number(&captures[1]).and_then(|n| u64::try_from(n).ok()) else {
        return Outcome::fail(format!("{:?} is not an address", &captures[1]));
    };
    match crate::elfcheck::symbol_range(elf, symbol) {
        Ok((start, size)) if (start..start + size.max(1)).contains(&address) => {
            Outcome::pass(format!("{address:#x} is inside {symbol} ({start:#x}, {size} bytes)"))
        }
        Ok((start, size)) => {
            Outcome::fail(format!("{address:#x} is not inside {symbol}, which spans {start:#x}..{:#x}", start + size))
        }
        Err(problem) => Outcome::fail(problem),
    }
}

fn screen_size(pattern: &Regex, evidence: &Evidence) -> Outcome {
    let Some(captures) = pattern.captures(evidence.serial) else {
        return Outcome::fail(format!(
            "expected a line matching /{}/ on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        ));
    };
    with_screen(evidence, |image| {
        let width = parse_number(&captures[1]);
        let height = parse_number(&captures[2]);
        if width == Some(u128::from(image.width)) && height == Some(u128::from(image.height)) {
            Outcome::pass(format!("the kernel says {}x{}, and so does QEMU's display", &captures[1], &captures[2]))
        } else {
            Outcome::fail(format!(
                "the kernel says {}x{}, but QEMU's display is {}x{}",
                &captures[1], &captures[2], image.width, image.height
            ))
        }
    })
}

fn with_screen(evidence: &Evidence, judge: impl FnOnce(&Image) -> Outcome) -> Outcome {
    match evidence.screen {
        Some(image) => judge(image),
        None => Outcome::fail(format!("no screenshot could be taken {}", ending_note(evidence))),
    }
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

fn screen_text(
    image: &Image,
    pattern: Option<&Regex>,
    absent: Option<&Regex>,
    scale: u32,
    fg: Option<[u8; 3]>,
    bg: Option<[u8; 3]>,
) -> Outcome {
    let cells = read_cells(image, scale);
    let lines = text_of(&cells);
    let text = lines.join("\n");
    if let Some(absent) = absent
        && let Some(found) = absent.find(&text)
    {
        return Outcome::fail(format!("the screen still shows {:?}, which must be gone", found.as_str()));
    }
    let Some(pattern) = pattern else {
        return Outcome::pass(format!(
            "nothing matching /{}/ on screen",
            display_regex(absent.expect("checked at parse"))
        ));
    };
    let Some(captures) = pattern.captures(&text) else {
        return Outcome::fail(format!(
            "no text matching /{}/ on screen; it reads:\n{}",
            display_regex(pattern),
            tail(&text, 6)
        ));
    };
    // Colours apply to the first capture group when there is one (so a
    // pattern can find a word by its context), else to the whole match.
    let found = captures.get(1).or_else(|| captures.get(0)).expect("a match has group 0");
    // Screen text is ASCII, so byte offsets are cell offsets.
    let mut offset = 0;
    for (row, line) in lines.iter().enumerate() {
        let line_end = offset + line.len();
        for position in found.start().max(offset)..found.end().min(line_end) {
            let column = position - offset;
            let cell: CellRead = cells[row][column];
            if cell.ch == ' ' {
                continue;
            }
            if let Some(fg) = fg
                && cell.fg != fg
            {
                return Outcome::fail(format!(
                    "found {:?}, but {:?} at ({column}, {row}) is drawn in {}, not {}",
                    found.as_str(),
                    cell.ch,
                    hex(cell.fg),
                    hex(fg)
                ));
            }
            if let Some(bg) = bg
                && cell.bg != bg
            {
                return Outcome::fail(format!(
                    "found {:?}, but {:?} at ({column}, {row}) has background {}, not {}",
                    found.as_str(),
                    cell.ch,
                    hex(cell.bg),
                    hex(bg)
                ));
            }
        }
        offset = line_end + 1;
    }
    Outcome::pass(format!("read {:?} on screen", &captures[0]))
}

fn region(
    image: &Image,
    (x, y, width, height): (u32, u32, u32, u32),
    rgb: [u8; 3],
    tolerance: u8,
    min_share: f64,
) -> Outcome {
    if x.saturating_add(width) > image.width || y.saturating_add(height) > image.height {
        return Outcome::fail(format!(
            "region {width}x{height} at ({x}, {y}) does not fit the {}x{} screen",
            image.width, image.height
        ));
    }
    let mut matching = 0u64;
    let mut other = std::collections::HashMap::<[u8; 3], u64>::new();
    for py in y..y + height {
        for px in x..x + width {
            let found = image.pixel(px, py).unwrap_or_default();
            if close(found, rgb, tolerance) {
                matching += 1;
            } else {
                *other.entry(found).or_default() += 1;
            }
        }
    }
    let total = u64::from(width) * u64::from(height);
    let share = matching as f64 / total as f64;
    if share >= min_share {
        return Outcome::pass(format!("{:.1}% of the region is {}", share * 100.0, hex(rgb)));
    }
    let common = other.iter().max_by_key(|(_, n)| **n).map(|(c, _)| hex(*c)).unwrap_or_default();
    Outcome::fail(format!(
        "only {:.1}% of the {width}x{height} region at ({x}, {y}) is {} (wanted {:.1}%); it is mostly {common}",
        share * 100.0,
        hex(rgb),
        min_share * 100.0
    ))
}

fn exit(expected: ExitExpectation, evidence: &Evidence) -> Outcome {
    let name = |code: u32| match code {
        ExitExpectation::SUCCESS_CODE => format!("{code:#x} (success)"),
        ExitExpectation::PANIC_CODE => format!("{code:#x} (panic)"),
        other => format!("{other:#x}"),
    };
    match evidence.ending {
        Ending::Exited { guest_code: Some(code), .. } if *code == expected.code() => {
            Outcome::pass(format!("QEMU exited with guest code {}", name(*code)))
        }
        Ending::Exited { guest_code: Some(code), .. } => Outcome::fail(format!(
            "QEMU exited with guest code {}, wanted {}; the kernel's last lines:\n{}",
            name(*code),
            name(expected.code()),
            tail(evidence.serial, 8)
        )),
        other => Outcome::fail(format!(
            "wanted QEMU to exit with guest code {}, but the boot {other}; the kernel's last lines:\n{}",
            name(expected.code()),
            tail(evidence.serial, 8)
        )),
    }
}

fn elf(rules: &ElfRules, bytes: &[u8]) -> Outcome {
    match crate::elfcheck::judge(rules, bytes) {
        Ok(seen) => Outcome::pass(seen),
        Err(problem) => Outcome::fail(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::key_words;

    #[test]
    fn key_words_are_the_longest_plain_run() {
        assert_eq!(key_words(r"(?m)^  hhdm offset +(0x[0-9a-f]+)$").as_deref(), Some("hhdm offset"));
        assert_eq!(key_words(r"^  modules +1$").as_deref(), Some("modules"));
        assert_eq!(key_words(r"\d+x\d+"), None);
    }
}
