//! Tests of the check kinds Rank IV brought: `serial-differ` (two CR3
//! values) and `serial-translation` (a `translate` judged against the
//! bootloader's bases rather than against the kernel's own claim).

use std::path::Path;

use super::{ACHIEVEMENT, HEADER, manifest_error};
use crate::checks::{Check, Evidence, Outcome, evaluate};
use crate::machine::{Ending, RAM_BYTES};
use crate::manifest::parse_rank;

/// The single check of a test manifest made of one check table.
pub(super) fn check(table: &str) -> Check {
    let text = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\n{table}");
    let rank = parse_rank(&text, Path::new("ranks/09-test/rank.toml")).unwrap();
    rank.achievements[0].checks[0].clone()
}

/// What a boot that only printed `serial` leaves for a check.
pub(super) fn serial_only(serial: &str) -> Evidence<'_> {
    static NO_ANSWERS: std::sync::LazyLock<std::collections::BTreeMap<String, String>> =
        std::sync::LazyLock::new(Default::default);
    Evidence {
        serial,
        lines: &[],
        ending: &Ending::Stopped,
        screen: None,
        second_screen: None,
        monitor: &NO_ANSWERS,
        ram_bytes: RAM_BYTES,
        elf: &[],
        nonce: "n",
        host_cpu: None,
    }
}

fn judge(check: &Check, serial: &str) -> Outcome {
    evaluate(&check.kind, &serial_only(serial))
}

const DIFFER: &str = "kind = \"serial-differ\"\npattern = '^cr3 (0x[0-9a-f]+), new (0x[0-9a-f]+)$'\n";

#[test]
fn serial_differ_passes_on_two_values_and_fails_on_one_repeated_or_none() {
    let check = check(DIFFER);
    assert!(judge(&check, "cr3 0x5000, new 0x16d000\n").passed);
    let same = judge(&check, "cr3 0x5000, new 0x5000\n");
    assert!(!same.passed && same.detail.contains("must differ"), "{}", same.detail);
    assert!(!judge(&check, "something else\n").passed);
}

const TRANSLATION: &str = "kind = \"serial-translation\"\n\
    pattern = '^translate\\((0x[0-9a-f]+)\\) = (0x[0-9a-f]+)$'\n\
    base = '^kernel at (0x[0-9a-f]+) \\(physical (0x[0-9a-f]+)\\)$'\n";

#[test]
fn serial_translation_applies_the_bases_offset() {
    let check = check(TRANSLATION);
    let base = "kernel at 0xffffffff80000000 (physical 0x99d1000)\n";
    let right = judge(&check, &format!("{base}translate(0xffffffff80010d40) = 0x99e1d40\n"));
    assert!(right.passed, "{}", right.detail);
    let wrong = judge(&check, &format!("{base}translate(0xffffffff80010d40) = 0x99e1d48\n"));
    assert!(!wrong.passed && wrong.detail.contains("0x99e1d40"), "{}", wrong.detail);
    let below = judge(&check, &format!("{base}translate(0xffff800000001000) = 0x1000\n"));
    assert!(!below.passed && below.detail.contains("below"), "{}", below.detail);
    let no_base = judge(&check, "translate(0xffffffff80010d40) = 0x99e1d40\n");
    assert!(!no_base.passed);
}

#[test]
fn serial_translation_with_a_symbol_needs_the_elf_to_name_it() {
    let check = check(&format!("{TRANSLATION}symbol = \"kmain\"\n"));
    let serial = "kernel at 0xffffffff80000000 (physical 0x1000000)\ntranslate(0xffffffff80000040) = 0x1000040\n";
    assert!(!judge(&check, serial).passed, "an empty ELF has no kmain");
}

#[test]
fn serial_translation_requires_a_base_pattern_with_two_captures() {
    let missing = manifest_error(&format!(
        "{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"serial-translation\"\npattern = '(a)(b)'\n"
    ));
    assert!(missing.contains("needs `base`"), "{missing}");
    let one = manifest_error(&format!(
        "{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"serial-translation\"\npattern = '(a)(b)'\nbase = '(a)'\n"
    ));
    assert!(one.contains("capture"), "{one}");
}

/// The archive check against a real archive written by GNU tar.
#[test]
fn archive_checks_size_and_entries_against_the_file_itself() {
    let bytes = std::fs::read(super::repo().join("libs/ustar/tests/fixtures/gnu-ustar.tar")).unwrap();
    let entries = ustar::Archive::new(&bytes).summary().entries;
    let check = check("kind = \"archive\"\npattern = '^vault (\\d+) bytes, (\\d+) entries$'\nfile = \"x.tar\"\n");
    let crate::checks::CheckKind::Archive { pattern, .. } = &check.kind else { panic!("an archive check") };
    let evidence = |serial: &str| {
        let outcome = crate::checks::files::archive(pattern, None, "x.tar", &bytes, &serial_only(serial));
        (outcome.passed, outcome.detail)
    };
    let right = evidence(&format!("vault {} bytes, {entries} entries\n", bytes.len()));
    assert!(right.0, "{}", right.1);
    let wrong = evidence(&format!("vault {} bytes, {} entries\n", bytes.len(), entries + 1));
    assert!(!wrong.0 && wrong.1.contains("entries"), "{}", wrong.1);
    assert!(!evidence("nothing\n").0);
}
