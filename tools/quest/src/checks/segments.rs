//! Checks that hold what the kernel prints about a program it loads
//! against the program's ELF file, read by the referee: `elf-plan` (the
//! load plan is the file's PT_LOAD headers) and `serial-segment` (an
//! address, such as a fault's CR2, lies in a segment with given flags).

use regex::Regex;

use super::evaluate::{Evidence, Outcome, display_regex, missing_line};
use super::parse::parse_number;
use crate::elfcheck::{LoadSegment, load_segments};

/// A captured number as an address, or a failure naming the text.
fn address(text: &str, what: &str) -> Result<u64, Outcome> {
    parse_number(text)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| Outcome::fail(format!("{text:?} ({what}) is not a number")))
}

/// One segment as the kernel printed it.
fn printed(captures: &regex::Captures) -> Result<LoadSegment, Outcome> {
    Ok(LoadSegment {
        vaddr: address(&captures[1], "the virtual address")?,
        offset: address(&captures[2], "the file offset")?,
        file_size: address(&captures[3], "the file size")?,
        mem_size: address(&captures[4], "the memory size")?,
        flags: captures[5].to_string(),
    })
}

fn listed(segments: &[LoadSegment]) -> String {
    if segments.is_empty() {
        return "    | (none)".into();
    }
    segments.iter().map(|s| format!("    | {s}")).collect::<Vec<_>>().join("\n")
}

/// Every segment the kernel plans for a program, against the ELF's
/// PT_LOAD headers; with `entry`, the entry point too.
pub(crate) fn elf_plan(pattern: &Regex, entry: Option<&Regex>, file: &str, elf: &[u8], evidence: &Evidence) -> Outcome {
    let (entry_point, wanted) = match load_segments(elf) {
        Ok(found) => found,
        Err(problem) => return Outcome::fail(format!("{file} cannot be read: {problem}")),
    };
    let mut seen = Vec::new();
    for captures in pattern.captures_iter(evidence.serial) {
        match printed(&captures) {
            Ok(segment) => seen.push(segment),
            Err(outcome) => return outcome,
        }
    }
    if seen.is_empty() {
        return Outcome::fail(format!(
            "expected a line matching /{}/ on serial for each of the {} loadable segments of {file} {}",
            display_regex(pattern),
            wanted.len(),
            missing_line(pattern.as_str(), evidence)
        ));
    }
    if seen.len() != wanted.len() {
        return Outcome::fail(format!(
            "the kernel plans {} segments, but {file} has {} PT_LOAD segments that take memory;\n  the kernel:\n{}\n  \
             the file's program headers:\n{}",
            seen.len(),
            wanted.len(),
            listed(&seen),
            listed(&wanted)
        ));
    }
    for (index, (seen, wanted)) in seen.iter().zip(&wanted).enumerate() {
        let fields = [
            ("virtual address", seen.vaddr, wanted.vaddr),
            ("file offset", seen.offset, wanted.offset),
            ("file size", seen.file_size, wanted.file_size),
            ("memory size", seen.mem_size, wanted.mem_size),
        ];
        if let Some((name, got, want)) = fields.iter().find(|(_, got, want)| got != want) {
            return Outcome::fail(format!(
                "segment {index}: the kernel says {name} {got:#x}, {file}'s program header says {want:#x}\n    | \
                 kernel: {seen}\n    | file:   {wanted}"
            ));
        }
        if seen.flags != wanted.flags {
            return Outcome::fail(format!(
                "segment {index} at {:#x}: the kernel says flags {}, {file}'s program header says {}",
                wanted.vaddr, seen.flags, wanted.flags
            ));
        }
    }
    let mut detail = format!(
        "{} segments as in {file}'s program headers ({})",
        wanted.len(),
        wanted.iter().map(|s| format!("{:#x} {}", s.vaddr, s.flags)).collect::<Vec<_>>().join(", ")
    );
    if let Some(entry) = entry {
        let Some(captures) = entry.captures(evidence.serial) else {
            return Outcome::fail(format!(
                "expected a line matching /{}/ with the entry point {entry_point:#x} on serial {}",
                display_regex(entry),
                missing_line(entry.as_str(), evidence)
            ));
        };
        match address(&captures[1], "the entry point") {
            Ok(found) if found == entry_point => detail.push_str(&format!(", entry {entry_point:#x}")),
            Ok(found) => {
                return Outcome::fail(format!(
                    "the kernel says the entry point is {found:#x}, but {file}'s header says {entry_point:#x}"
                ));
            }
            Err(outcome) => return outcome,
        }
    }
    Outcome::pass(detail)
}

/// The captured address lies in a PT_LOAD segment of `file` with `flags`.
pub(crate) fn serial_segment(pattern: &Regex, file: &str, flags: &str, elf: &[u8], evidence: &Evidence) -> Outcome {
    let segments = match load_segments(elf) {
        Ok((_, segments)) => segments,
        Err(problem) => return Outcome::fail(format!("{file} cannot be read: {problem}")),
    };
    let Some(captures) = pattern.captures(evidence.serial) else {
        return Outcome::fail(format!(
            "expected a line matching /{}/ on serial {}",
            display_regex(pattern),
            missing_line(pattern.as_str(), evidence)
        ));
    };
    let found = match address(&captures[1], "the address") {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let inside = |s: &&LoadSegment| s.vaddr <= found && found - s.vaddr < s.mem_size;
    let range = |s: &LoadSegment| format!("{:#x}..{:#x} {}", s.vaddr, s.vaddr.saturating_add(s.mem_size), s.flags);
    if let Some(segment) = segments.iter().filter(|s| s.flags == flags).find(inside) {
        return Outcome::pass(format!("{found:#x} lies in {file}'s {flags} segment {}", range(segment)));
    }
    let candidates: Vec<String> = segments.iter().filter(|s| s.flags == flags).map(range).collect();
    if candidates.is_empty() {
        return Outcome::fail(format!("{file} has no {flags} segment for {found:#x} to lie in"));
    }
    let actually = segments
        .iter()
        .find(inside)
        .map_or_else(|| "in no segment of the file at all".to_string(), |s| format!("in the segment {}", range(s)));
    Outcome::fail(format!(
        "{found:#x} is not inside {file}'s {flags} segment ({}); it lies {actually}",
        candidates.join(", ")
    ))
}
