//! Checks that hold the kernel's output against an archive the referee
//! reads itself with `libs/ustar`: `archive` (its size, entry count and
//! first error), `listing` (what `ls` prints) and `file-bytes` (what `cat`
//! prints).
//!
//! `listing` and `file-bytes` read a program's output as the kernel frames
//! it on serial: a line `$ COMMAND` before the program runs, and after it,
//! on a line of its own, `[PROGRAM exited with code C after writing N
//! bytes]`. What lies between is the program's output, byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use super::evaluate::{Evidence, Outcome, display_regex, ending_note, missing_line, tail};
use super::parse::parse_number;

/// The line the kernel prints when a framed program exits.
static END_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[(\S+) exited with code (-?\d+) after writing (\d+) bytes\]$").expect("valid regex")
});

/// One line of a listing: type, size and full path.
static LISTING_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([df?]) +(\d+) +(\S.*)$").expect("valid regex"));

/// The kernel's (bytes, entries) for an archive against the file itself,
/// and with `error`, the error it reports against the one the referee
/// meets.
pub(crate) fn archive(
    pattern: &Regex,
    error: Option<&Regex>,
    file: &str,
    bytes: &[u8],
    evidence: &Evidence,
) -> Outcome {
    let summary = ustar::Archive::new(bytes).summary();
    let corruption = match summary.end {
        ustar::End::Error(e) => Some(e),
        _ => None,
    };
    if let (Some(e), None) = (corruption, error) {
        return Outcome::fail(format!(
            "{file} is corrupted ({e}), so the kernel must report that error too: this check needs an `error` \
             pattern that captures the kernel's report"
        ));
    }
    let Some(captures) = pattern.captures(evidence.serial) else {
        return Outcome::fail(format!(
            "expected a line matching /{}/ on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        ));
    };
    let (size, entries) = (parse_number(&captures[1]), parse_number(&captures[2]));
    let wanted = (Some(bytes.len() as u128), Some(summary.entries as u128));
    let counted = match corruption {
        Some(e) => format!(
            "{} bytes and {} good entries before the bad header at offset {}",
            bytes.len(),
            summary.entries,
            e.offset
        ),
        None => format!("{} bytes and {} entries", bytes.len(), summary.entries),
    };
    if (size, entries) != wanted {
        return Outcome::fail(format!(
            "the kernel says {} bytes and {} entries; {file} has {counted}",
            &captures[1], &captures[2]
        ));
    }
    match (corruption, error) {
        (Some(e), Some(error)) => {
            let expected = e.to_string();
            match error.captures(evidence.serial) {
                Some(found) if found[1] == *expected => Outcome::pass(format!(
                    "{counted}, as in {file}, and the kernel names the error exactly: {expected}"
                )),
                Some(found) => Outcome::fail(format!(
                    "the kernel reports the error {:?}, but reading {file} the referee finds {expected:?}",
                    &found[1]
                )),
                None => Outcome::fail(format!(
                    "{file} is corrupted ({expected}), but no line matches /{}/ on serial {}",
                    display_regex(error),
                    missing_line(error.as_str(), evidence)
                )),
            }
        }
        (None, Some(error)) => match error.captures(evidence.serial) {
            Some(found) => Outcome::fail(format!(
                "the kernel reports an error, {:?}, but {file} is intact: the referee reads every header with no error",
                &found[1]
            )),
            None => Outcome::pass(format!("{counted} and no error, as in {file}")),
        },
        (_, None) => Outcome::pass(format!("{counted}, as in {file}")),
    }
}

/// A program's run, cut out of the serial log.
#[derive(Debug)]
pub(crate) struct Framed<'a> {
    /// Everything after the `$ COMMAND` line up to the start of the end line.
    pub output: &'a str,
    /// The exit code on the end line.
    pub code: i64,
    /// The bytes the kernel says the program wrote.
    pub written: u64,
}

/// The framed run of `command`, which must have exited with code 0.
fn framed_success<'a>(command: &str, evidence: &Evidence<'a>) -> Result<Framed<'a>, Outcome> {
    let run = framed(command, evidence)?;
    if run.code != 0 {
        return Err(Outcome::fail(format!(
            "`{command}` exited with code {}, wanted 0; it printed:\n{}",
            run.code,
            tail(run.output, 8)
        )));
    }
    Ok(run)
}

/// Finds the run of `command` in the log: the line `$ COMMAND`, then the
/// first end line after it. A line `[PROGRAM …]` of another shape (killed,
/// not started) ends the run too, as a failure.
pub(crate) fn framed<'a>(command: &str, evidence: &Evidence<'a>) -> Result<Framed<'a>, Outcome> {
    let serial = evidence.serial;
    let start_line = format!("$ {command}");
    let program = command.split_whitespace().next().unwrap_or(command);
    let mut offset = 0;
    let mut start = None;
    for line in serial.split_inclusive('\n') {
        let next = offset + line.len();
        let text = line.strip_suffix('\n').unwrap_or(line);
        match start {
            None if text == start_line => start = Some(next),
            None => {}
            Some(from) => {
                if let Some(end) = END_LINE.captures(text) {
                    let code = end[2].parse().map_err(|_| Outcome::fail(format!("bad exit code in {text:?}")))?;
                    let written = end[3].parse().map_err(|_| Outcome::fail(format!("bad byte count in {text:?}")))?;
                    return Ok(Framed { output: &serial[from..offset], code, written });
                }
                if text.starts_with(&format!("[{program} ")) && text.ends_with(']') {
                    return Err(Outcome::fail(format!(
                        "`{command}` did not exit normally: the kernel says {text:?}; its output before that:\n{}",
                        tail(&serial[from..offset], 8)
                    )));
                }
            }
        }
        offset = next;
    }
    match start {
        Some(from) => Err(Outcome::fail(format!(
            "`{command}` never finished: no `[{program} exited with code C after writing N bytes]` line after \
             `{start_line}` {}; its last lines:\n{}",
            ending_note(evidence),
            tail(&serial[from..], 8)
        ))),
        None => {
            let runs: Vec<&str> = serial.lines().filter(|line| line.starts_with("$ ")).take(12).collect();
            if runs.is_empty() {
                Err(Outcome::fail(format!(
                    "expected the line `{start_line}` on serial, where the kernel starts the program, but no program \
                     was started that way {}",
                    missing_line(&regex::escape(&start_line), evidence)
                )))
            } else {
                Err(Outcome::fail(format!(
                    "expected the line `{start_line}` on serial, where the kernel starts the program {}; the \
                     programs it started were:\n{}",
                    ending_note(evidence),
                    tail(&runs.join("\n"), 12)
                )))
            }
        }
    }
}

/// One line of a listing: (path, type letter, size). Sorting by path
/// first keeps the lists readable.
type Listed = (String, char, u64);

fn show(listed: &Listed) -> String {
    format!("{} {} {}", listed.1, listed.2, listed.0)
}

/// What a listing of the archive must show: every entry by its full path
/// (the last one when a path repeats), every directory that deeper paths
/// only imply, and with `directory`, only that directory's direct children.
pub(crate) fn expected_listing(bytes: &[u8], directory: Option<&str>) -> Result<Vec<Listed>, ustar::Error> {
    let mut found: BTreeMap<String, (char, u64)> = BTreeMap::new();
    let mut implied = Vec::new();
    for entry in ustar::Archive::new(bytes).entries() {
        let entry = entry?;
        let path = entry.path().to_string();
        if path.is_empty() {
            continue; // `./`, the root itself
        }
        let kind = match entry.kind {
            ustar::Kind::File => ('f', entry.size),
            ustar::Kind::Directory => ('d', 0),
            ustar::Kind::Other(_) => ('?', entry.size),
        };
        let mut parent = path.as_str();
        while let Some((up, _)) = parent.rsplit_once('/') {
            implied.push(up.to_string());
            parent = up;
        }
        found.insert(path, kind);
    }
    for path in implied {
        found.entry(path).or_insert(('d', 0));
    }
    let parent_of = |path: &str| path.rsplit_once('/').map_or("", |(parent, _)| parent).to_string();
    Ok(found
        .into_iter()
        .filter(|(path, _)| directory.is_none_or(|wanted| parent_of(path) == wanted))
        .map(|(path, (kind, size))| (path, kind, size))
        .collect())
}

/// `command`'s output against the archive's entries (or one directory's).
pub(crate) fn listing(
    command: &str,
    file: &str,
    directory: Option<&str>,
    bytes: &[u8],
    evidence: &Evidence,
) -> Outcome {
    let expected = match expected_listing(bytes, directory) {
        Ok(expected) => expected,
        Err(e) => {
            return Outcome::fail(format!("{file} itself is broken ({e}), so no listing can be checked against it"));
        }
    };
    let run = match framed_success(command, evidence) {
        Ok(run) => run,
        Err(outcome) => return outcome,
    };
    let mut seen = Vec::new();
    for (number, line) in run.output.lines().enumerate() {
        let parsed = LISTING_LINE.captures(line).and_then(|found| {
            let kind = found[1].chars().next()?;
            Some((found[3].to_string(), kind, found[2].parse::<u64>().ok()?))
        });
        match parsed {
            Some(listed) => seen.push(listed),
            None => {
                return Outcome::fail(format!(
                    "line {} of `{command}`'s output, {line:?}, is not `TYPE SIZE PATH` (TYPE d for a directory, f for \
                     a file, ? for anything else; SIZE in bytes, 0 for a directory; the full path)",
                    number + 1
                ));
            }
        }
    }
    let (missing, unexpected) = differences(&expected, &seen);
    let place = directory.map_or(String::new(), |d| format!(" directly inside {d}"));
    if missing.is_empty() && unexpected.is_empty() {
        let longest = expected.iter().map(|(path, ..)| path.len()).max().unwrap_or(0);
        let note = if longest > 100 { ", longer than tar's 100-byte name field" } else { "" };
        return Outcome::pass(format!(
            "`{command}` listed all {} entries{place} of {file}, type, size and path as the referee reads them; the \
             longest path is {longest} bytes{note}",
            expected.len()
        ));
    }
    let mut message = format!(
        "`{command}` does not list what {file} holds{place}: {} missing, {} unexpected",
        missing.len(),
        unexpected.len()
    );
    for (title, lines) in [("missing (in the archive, not in the listing)", &missing), ("unexpected", &unexpected)] {
        if lines.is_empty() {
            continue;
        }
        let _ = write!(message, "\n  {title}:");
        for listed in lines.iter().take(5) {
            let _ = write!(message, "\n    | {}", show(listed));
        }
        if lines.len() > 5 {
            let _ = write!(message, "\n    | … and {} more", lines.len() - 5);
        }
    }
    Outcome::fail(message)
}

/// What `expected` has that `seen` lacks, and the other way round, each
/// line counted as often as it appears.
fn differences(expected: &[Listed], seen: &[Listed]) -> (Vec<Listed>, Vec<Listed>) {
    let mut counts: BTreeMap<&Listed, i64> = BTreeMap::new();
    for listed in expected {
        *counts.entry(listed).or_default() += 1;
    }
    for listed in seen {
        *counts.entry(listed).or_default() -= 1;
    }
    let mut missing = Vec::new();
    let mut unexpected = Vec::new();
    for (listed, count) in counts {
        for _ in 0..count.abs() {
            if count > 0 { missing.push(listed.clone()) } else { unexpected.push(listed.clone()) }
        }
    }
    (missing, unexpected)
}

/// Why a file cannot be compared through the cleaned serial log, if it cannot.
fn not_comparable(data: &[u8]) -> Option<String> {
    if let Some(at) = data.iter().position(|&b| b == b'\r') {
        return Some(format!("holds a carriage return at byte {at}"));
    }
    if let Some(at) = data.iter().position(|&b| b == 0x1b) {
        return Some(format!("holds an escape byte (0x1b) at byte {at}"));
    }
    std::str::from_utf8(data).err().map(|e| format!("is not UTF-8 text (from byte {})", e.valid_up_to()))
}

/// A short, escaped piece of `bytes` around `at`.
fn excerpt(bytes: &[u8], at: usize) -> String {
    let from = at.saturating_sub(16).min(bytes.len());
    let to = (at + 16).min(bytes.len());
    let text = format!("{:?}", String::from_utf8_lossy(&bytes[from..to]));
    let before = if from > 0 { "…" } else { "" };
    let after = if to < bytes.len() { "…" } else { "" };
    format!("{before}{text}{after}")
}

/// `command`'s output against the bytes of `entry` in the archive.
pub(crate) fn file_bytes(command: &str, file: &str, entry: &str, bytes: &[u8], evidence: &Evidence) -> Outcome {
    let found = match ustar::Archive::new(bytes).find(entry) {
        Ok(Some(found)) => found,
        Ok(None) => return Outcome::fail(format!("{file} has no entry {entry:?} to compare `{command}` with")),
        Err(e) => return Outcome::fail(format!("{file} itself is broken ({e}), so no file in it can be checked")),
    };
    if found.kind != ustar::Kind::File {
        let kind = if found.kind == ustar::Kind::Directory { "a directory" } else { "not a regular file" };
        return Outcome::fail(format!("{entry} in {file} is {kind}: there are no bytes to compare `{command}` with"));
    }
    let data = found.data;
    if let Some(reason) = not_comparable(data) {
        return Outcome::fail(format!(
            "this check cannot compare {entry}: it {reason}, and the referee's serial log has every carriage return \
             and escape sequence removed (and is read as UTF-8), so those bytes cannot be seen as the program wrote \
             them; check a plain UTF-8 text file instead"
        ));
    }
    let run = match framed_success(command, evidence) {
        Ok(run) => run,
        Err(outcome) => return outcome,
    };
    let mut expected = data.to_vec();
    let added = !data.is_empty() && !data.ends_with(b"\n");
    if added {
        expected.push(b'\n');
    }
    let output = run.output.as_bytes();
    if output != expected {
        let at = output.iter().zip(&expected).position(|(a, b)| a != b).unwrap_or(output.len().min(expected.len()));
        let newline = if added { ", plus the newline the kernel adds before its end line" } else { "" };
        return Outcome::fail(format!(
            "the output of `{command}` differs from {entry} in {file} at byte {at} (the output is {} bytes, the file \
             {}{newline}):\n    | file:   {}\n    | output: {}",
            output.len(),
            data.len(),
            excerpt(&expected, at),
            excerpt(output, at)
        ));
    }
    if run.written != data.len() as u64 {
        return Outcome::fail(format!(
            "the output reads right, but the kernel counted {} bytes written where {entry} has {}: the program must \
             write exactly the file's bytes (the kernel adds a newline of its own when they do not end with one)",
            run.written,
            data.len()
        ));
    }
    if data.is_empty() {
        Outcome::pass(format!("`{command}` wrote nothing and exited with code 0: {entry} in {file} is empty"))
    } else {
        Outcome::pass(format!(
            "`{command}` wrote exactly the {} bytes of {entry} in {file} and exited with code 0",
            data.len()
        ))
    }
}
