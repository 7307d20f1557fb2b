//! Checks in words: "serial shows /hhdm offset/", for QUESTS.md and the
//! board, so a learner sees exactly how each achievement is proven.

use crate::checks::{Bound, Check, CheckKind, ExitExpectation, Step};

pub fn check(check: &Check) -> String {
    let mut text = kind(&check.kind);
    if let Some(boot) = &check.boot {
        if let Some(scenario) = &boot.scenario {
            text = format!("with `scenario={scenario}`, {text}");
        }
        if let Some(machine) = &boot.machine {
            let args = crate::checks::machine_args(Some(machine)).join(" ");
            text = format!("on the `{machine}` machine (QEMU `{args}`), {text}");
        }
        if let Some(modules) = &boot.modules {
            let shown: Vec<String> = modules
                .iter()
                .map(|m| {
                    if m.cmdline.is_empty() {
                        format!("`{}`", m.path)
                    } else {
                        format!("`{}` (`{}`)", m.path, m.cmdline)
                    }
                })
                .collect();
            text = if shown.is_empty() {
                format!("booted with no modules at all, {text}")
            } else {
                format!("booted with {} in place of the checkpoint's modules, {text}", shown.join(" and "))
            };
        }
        if !boot.steps.is_empty() {
            let steps: Vec<String> = boot.steps.iter().map(step).collect();
            text = format!("after {}, {text}", steps.join(", "));
        }
    }
    text
}

fn pattern(regex: &regex::Regex) -> String {
    format!("`{}`", regex.as_str().trim_start_matches("(?m)"))
}

fn kind(kind: &CheckKind) -> String {
    match kind {
        CheckKind::Serial { expect, forbid } => {
            let mut parts = Vec::new();
            if !expect.is_empty() {
                let shown: Vec<String> = expect.iter().map(|p| format!("`{}`", p.source)).collect();
                parts.push(format!("serial shows {}", shown.join(" then ")));
            }
            if !forbid.is_empty() {
                parts.push(format!("never {}", forbid.iter().map(pattern).collect::<Vec<_>>().join(" or ")));
            }
            parts.join(", ")
        }
        CheckKind::Number { pattern: p, min, max, multiple_of } => {
            let bound = |b: &Bound| match b {
                Bound::Value(v) if *v > 0xffff_ffff => format!("{v:#x}"),
                Bound::Value(v) => v.to_string(),
                Bound::RamBytes => "the guest's RAM".into(),
            };
            let mut limits = Vec::new();
            if let Some(min) = min {
                limits.push(format!("≥ {}", bound(min)));
            }
            if let Some(max) = max {
                limits.push(format!("≤ {}", bound(max)));
            }
            if let Some(step) = multiple_of {
                limits.push(format!("a multiple of {step:#x}"));
            }
            format!("the number in {} is {}", pattern(p), limits.join(" and "))
        }
        CheckKind::ScreenSize { pattern: p } => format!("the size in {} equals QEMU's display size", pattern(p)),
        CheckKind::ScreenPixel { x, y, rgb, .. } => format!("screen pixel ({x}, {y}) is {}", hex(rgb)),
        CheckKind::ScreenRegion { x, y, width, height, rgb, min_share, .. } => {
            format!("{:.0}% of the {width}x{height} screen region at ({x}, {y}) is {}", min_share * 100.0, hex(rgb))
        }
        CheckKind::ScreenText { pattern: p, absent, scale, fg, bg } => {
            let mut parts = Vec::new();
            if let Some(p) = p {
                let mut part = format!("the screen reads `{}`", p.source);
                if let Some(fg) = fg {
                    part.push_str(&format!(" in {}", hex(fg)));
                }
                if let Some(bg) = bg {
                    part.push_str(&format!(" on {}", hex(bg)));
                }
                parts.push(part);
            }
            if let Some(a) = absent {
                parts.push(format!("no longer shows {}", pattern(a)));
            }
            format!("{} (font scale {scale})", parts.join(" and "))
        }
        CheckKind::ScreenCell { column, row, scale, ch } => {
            format!("screen cell ({column}, {row}) is exactly font8x8 {ch:?} at scale {scale}, pixel for pixel")
        }
        CheckKind::ScreenChanges { x, y, width, height, interval } => format!(
            "the {width}x{height} screen region at ({x}, {y}) changes within {} s (two screendumps)",
            interval.as_secs_f64()
        ),
        CheckKind::Monitor { command, expect, forbid } => {
            let mut parts = Vec::new();
            if !expect.is_empty() {
                parts.push(format!("shows {}", expect.iter().map(pattern).collect::<Vec<_>>().join(" then ")));
            }
            if !forbid.is_empty() {
                parts.push(format!("never {}", forbid.iter().map(pattern).collect::<Vec<_>>().join(" or ")));
            }
            format!("QEMU's monitor `{command}` {}", parts.join(", "))
        }
        CheckKind::SerialRate { pattern: p, rate, tolerance, min_span } => format!(
            "the count in {} grows by {rate} per host second (±{:.0}%, over at least {} s of serial output)",
            pattern(p),
            tolerance * 100.0,
            min_span.as_secs_f64()
        ),
        CheckKind::SerialSame { pattern: p } => format!("the two values captured by {} are equal", pattern(p)),
        CheckKind::Archive { pattern: p, file, error: None } => {
            format!("the size and entry count in {} are those of {file}, read by the referee", pattern(p))
        }
        CheckKind::Archive { pattern: p, file, error: Some(error) } => format!(
            "the size and the count of good entries in {} are those of {file}, read by the referee, and the error in {} \
             is word for word the one the referee meets in it (none if the file is intact)",
            pattern(p),
            pattern(error)
        ),
        CheckKind::Listing { command, file, directory } => format!(
            "`{command}`, run by the kernel, lists {} of {file} (type, size and full path, implied directories \
             included), exactly as the referee reads the archive, and exits with code 0",
            directory
                .as_deref()
                .map_or_else(|| "every entry".to_string(), |d| format!("the entries directly inside `{d}`"))
        ),
        CheckKind::FileBytes { command, file, entry } => format!(
            "`{command}`, run by the kernel, writes exactly the bytes of `{entry}` in {file}, as the referee reads \
             them, and exits with code 0"
        ),
        CheckKind::ElfPlan { file, pattern: p, entry } => {
            let mut text = format!(
                "the lines matching {} are, in order, the PT_LOAD segments of {file} (address, file offset, file \
                 size, memory size and flags), as its program headers say",
                pattern(p)
            );
            if let Some(entry) = entry {
                text.push_str(&format!(", and {} gives its entry point", pattern(entry)));
            }
            text
        }
        CheckKind::SerialSegment { pattern: p, file, flags } => {
            format!("the address in {} lies inside a `{flags}` PT_LOAD segment of {file}", pattern(p))
        }
        CheckKind::SerialDiffer { pattern: p } => format!("the two values captured by {} differ", pattern(p)),
        CheckKind::SerialTranslation { pattern: p, base, symbol } => format!(
            "the physical address in {} is {}'s virtual address moved by the bases in {}",
            pattern(p),
            symbol.as_deref().map_or_else(|| "the line".to_string(), |s| format!("`{s}`")),
            pattern(base)
        ),
        CheckKind::SerialSymbol { pattern: p, symbol, file: Some(file) } => {
            format!("the address in {} lies inside the symbol `{symbol}` of {file}", pattern(p))
        }
        CheckKind::SerialSymbol { pattern: p, symbol, file: None } => {
            format!("the address in {} lies inside the kernel ELF's symbol `{symbol}`", pattern(p))
        }
        CheckKind::Interleave { pattern: p, streams, count, min_switches, strict } => {
            let names: Vec<String> = streams.iter().map(|name| format!("`{name}`")).collect();
            let (last, rest) = names.split_last().expect("two streams or more, checked at parse");
            let mut text = format!(
                "the lines matching {} of the streams {} and {last} each count 1 to {count} in order",
                pattern(p),
                rest.join(", ")
            );
            if *strict {
                let round: Vec<String> = streams.iter().map(|name| format!("{name} 1")).collect();
                text.push_str(&format!(", taking turns strictly ({}, {} 2, …)", round.join(", "), streams[0]));
            }
            if let Some(min) = min_switches {
                text.push_str(&format!(", switching from one stream to another at least {min} times"));
            }
            text
        }
        CheckKind::HostCpu { window, max_share } => format!(
            "once the boot has settled, QEMU itself uses less than {:.0}% of a host CPU over {} s of wall-clock time \
             (its user + system time, read by the referee from the host's /proc)",
            max_share * 100.0,
            window.as_secs_f64()
        ),
        CheckKind::Exit { code } => match code {
            ExitExpectation::Success => "QEMU exits with the success code (0x10)".into(),
            ExitExpectation::Panic => "QEMU exits with the panic code (0x11)".into(),
            ExitExpectation::Code(c) => format!("QEMU exits with guest code {c:#x}"),
        },
        CheckKind::Elf(rules) => {
            let mut parts = Vec::new();
            if rules.fixed_address {
                parts.push("is ET_EXEC".to_string());
            }
            if let Some(address) = rules.load_at_least {
                parts.push(format!("loads every segment at or above {address:#x}"));
            }
            if !rules.disassembly_forbids.is_empty() {
                let shown: Vec<String> = rules.disassembly_forbids.iter().map(pattern).collect();
                parts.push(format!("disassembles with no instruction matching {}", shown.join(" or ")));
            }
            if rules.no_writable_code {
                parts.push("has no writable+executable segment".into());
            }
            if let Some(section) = &rules.section {
                let mut part = format!("has section `{section}`");
                if rules.section_starts_with.is_some() || rules.section_ends_with.is_some() {
                    part.push_str(" fenced by the expected bytes");
                }
                parts.push(part);
            }
            if let Some(symbol) = &rules.symbol {
                parts.push(format!("has symbol `{symbol}`"));
            }
            if !rules.absent.is_empty() {
                let shown: Vec<String> = rules.absent.iter().map(|text| format!("{text:?}")).collect();
                parts.push(format!("contains none of the strings {}", shown.join(", ")));
            }
            format!("the kernel ELF {}", parts.join(", "))
        }
    }
}

fn step(step: &Step) -> String {
    match step {
        Step::Keys(keys) => format!("keys `{}`", keys.join(" ")),
        Step::Serial(text) => format!("serial input {text:?}"),
        Step::WaitMs(ms) => format!("{ms} ms"),
        Step::WaitFor(p) => format!("waiting for `{p}`"),
    }
}

fn hex(rgb: &[u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}
