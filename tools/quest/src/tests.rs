//! Tests of the referee against recorded evidence: real serial logs and a
//! real screendump from a Rank I boot under Limine (`fixtures/`), judged
//! with the real Rank I manifest — and the same evidence tampered with,
//! to show each check notices what it is meant to notice.

mod conductor;
mod mind;
mod reflexes;
mod vault;

use std::path::Path;

use crate::checks::{CheckKind, Evidence, evaluate};
use crate::machine::{Ending, RAM_BYTES, clean_serial};
use crate::manifest::{self, Rank, parse_rank};
use crate::results::{AchievementResult, CheckResult, Results, Status};
use crate::screen::Image;

const PLAIN: &str = include_str!("../fixtures/rank1-plain-limine.serial.txt");
const PANIC: &str = include_str!("../fixtures/rank1-panic-limine.serial.txt");
const PLAIN_NONCE: &str = "db18c449";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().and_then(Path::parent).expect("repo root")
}

fn rank_one() -> Rank {
    let path = repo().join("ranks/01-awakening/rank.toml");
    parse_rank(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
}

fn screen() -> Image {
    Image::load(&repo().join("tools/quest/fixtures/rank1-screen.png")).unwrap()
}

/// Judges every check of one achievement against a serial log.
fn judge(
    rank: &Rank,
    id: &str,
    serial: &str,
    ending: &Ending,
    nonce: &str,
    screen: Option<&Image>,
) -> Vec<(bool, String)> {
    let elf = std::fs::read(repo().join("build/kernel/rank-1/kernel.elf")).unwrap_or_default();
    let achievement = rank.achievements.iter().find(|a| a.id == id).unwrap();
    let serial = clean_serial(serial);
    achievement
        .checks
        .iter()
        .filter(|c| c.boot.is_some())
        .map(|check| {
            let evidence = Evidence {
                serial: &serial,
                lines: &[],
                ending,
                screen,
                second_screen: None,
                monitor: &Default::default(),
                ram_bytes: RAM_BYTES,
                elf: &elf,
                nonce,
                host_cpu: None,
            };
            let outcome = evaluate(&check.kind, &evidence);
            (outcome.passed, outcome.detail)
        })
        .collect()
}

fn exited(code: u32) -> Ending {
    Ending::Exited { status: (code * 2 + 1) as i32, guest_code: Some(code) }
}

#[test]
fn the_recorded_rank_one_boot_unlocks_every_serial_and_screen_check() {
    let rank = rank_one();
    let image = screen();
    for id in ["001", "002", "003", "004", "005", "006"] {
        for (passed, detail) in judge(&rank, id, PLAIN, &exited(0x10), PLAIN_NONCE, Some(&image)) {
            assert!(passed, "{id}: {detail}");
        }
    }
    for (passed, detail) in judge(&rank, "007", PANIC, &exited(0x11), "", None) {
        assert!(passed, "007: {detail}");
    }
}

#[test]
fn a_command_line_not_read_from_the_bootloader_is_caught_by_the_nonce() {
    let results = judge(&rank_one(), "006", PLAIN, &exited(0x10), "0badc0de", None);
    assert!(!results[0].0);
    assert!(results[0].1.contains("nonce=0badc0de"), "{}", results[0].1);
}

#[test]
fn a_zero_hhdm_offset_is_not_accepted() {
    let log = PLAIN.replace("0xffff800000000000", "0x0");
    let results = judge(&rank_one(), "003", &log, &exited(0x10), PLAIN_NONCE, None);
    assert!(!results[0].0);
    assert!(results[0].1.contains("below the minimum"), "{}", results[0].1);
}

#[test]
fn an_unaligned_hhdm_offset_is_not_accepted() {
    let log = PLAIN.replace("0xffff800000000000", "0xffff800000000800");
    let results = judge(&rank_one(), "003", &log, &exited(0x10), PLAIN_NONCE, None);
    assert!(!results[0].0);
    assert!(results[0].1.contains("not a multiple of 0x1000"), "{}", results[0].1);
}

#[test]
fn more_usable_memory_than_the_machine_has_is_not_accepted() {
    let log = PLAIN.replace("(257232896 bytes", "(357232896 bytes");
    let results = judge(&rank_one(), "004", &log, &exited(0x10), PLAIN_NONCE, None);
    assert!(!results[0].0);
    assert!(results[0].1.contains("RAM QEMU was given"), "{}", results[0].1);
}

#[test]
fn a_framebuffer_size_that_disagrees_with_the_screen_is_caught() {
    let log = PLAIN.replace("1280x800", "1024x768");
    let image = screen();
    let results = judge(&rank_one(), "005", &log, &exited(0x10), PLAIN_NONCE, Some(&image));
    assert!(!results[0].0);
    assert!(results[0].1.contains("QEMU's display is 1280x800"), "{}", results[0].1);
}

#[test]
fn a_panic_without_a_location_or_the_right_exit_code_stays_locked() {
    let rank = rank_one();
    let no_location = PANIC.replace("  at kernel/src/scenario.rs", "  somewhere");
    let results = judge(&rank, "007", &no_location, &exited(0x11), "", None);
    assert!(!results[0].0 && results[1].0);
    let results = judge(&rank, "007", PANIC, &Ending::TimedOut { seconds: 90 }, "", None);
    assert!(results[0].0 && !results[1].0);
    assert!(results[1].1.contains("timed out after 90 s"), "{}", results[1].1);
}

#[test]
fn a_panic_anywhere_locks_first_words() {
    let log = PLAIN.replace("rank 1: The Awakening reached", "KERNEL PANIC: oops");
    let results = judge(&rank_one(), "001", &log, &exited(0x11), PLAIN_NONCE, None);
    assert!(!results[0].0);
    assert!(results[0].1.contains("forbidden"), "{}", results[0].1);
}

fn manifest_error(text: &str) -> String {
    parse_rank(text, Path::new("ranks/09-test/rank.toml")).unwrap_err().to_string()
}

const HEADER: &str = "number = 9\nnumeral = \"IX\"\nname = \"Test\"\nslug = \"test\"\nfocus = \"f\"\nsummary = \"s\"\n";
const ACHIEVEMENT: &str =
    "\n[[achievement]]\nid = \"001\"\ntitle = \"t\"\nquest = \"q\"\nwhy = \"w\"\nhints = [\"h\"]\n";

#[test]
fn an_unknown_check_kind_names_the_file_and_line() {
    let text = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"telepathy\"\n");
    let error = manifest_error(&text);
    assert!(error.starts_with("ranks/09-test/rank.toml:15:"), "{error}");
    assert!(error.contains("unknown check kind \"telepathy\""), "{error}");
}

#[test]
fn a_bad_regex_is_an_error_not_a_check_that_never_matches() {
    let text = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"serial\"\nexpect = ['(unclosed']\n");
    let error = manifest_error(&text);
    assert!(error.contains(":15:") && error.contains("bad regex"), "{error}");
}

#[test]
fn a_field_of_another_kind_is_refused() {
    let text =
        format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"exit\"\ncode = \"panic\"\nforbid = [\"x\"]\n");
    assert!(manifest_error(&text).contains("`forbid` does not apply to a exit check"));
}

#[test]
fn a_misspelt_key_is_refused_with_its_line() {
    let text = format!("{HEADER}{ACHIEVEMENT}hint = [\"typo\"]\n");
    let error = manifest_error(&text);
    assert!(error.contains(":14:") && error.contains("unknown field `hint`"), "{error}");
}

#[test]
fn a_number_check_needs_exactly_one_capture_and_a_bound() {
    let base = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"number\"\n");
    assert!(manifest_error(&format!("{base}pattern = 'x (\\d+) (\\d+)'\nmin = 1\n")).contains("exactly 1 capture"));
    assert!(manifest_error(&format!("{base}pattern = 'x (\\d+)'\n")).contains("needs `min`, `max` or `multiple_of`"));
}

#[test]
fn a_rank_in_the_wrong_folder_is_refused() {
    let error = parse_rank(&format!("{HEADER}{ACHIEVEMENT}"), Path::new("ranks/03-test/rank.toml")).unwrap_err();
    assert!(error.to_string().contains("must live in ranks/09-test/"), "{error}");
}

#[test]
fn duplicate_and_out_of_order_ids_are_refused_across_manifests() {
    let one = parse_rank(&format!("{HEADER}{ACHIEVEMENT}"), Path::new("ranks/09-test/rank.toml")).unwrap();
    let other_header = HEADER.replace("number = 9", "number = 10").replace("\"test\"", "\"more\"");
    let two = parse_rank(&format!("{other_header}{ACHIEVEMENT}"), Path::new("ranks/10-more/rank.toml")).unwrap();
    let error = manifest::validate_set(&[one, two]).unwrap_err().to_string();
    assert!(error.contains("achievement id 001 appears twice"), "{error}");

    let one =
        parse_rank(&format!("{HEADER}{}", ACHIEVEMENT.replace("001", "002")), Path::new("ranks/09-test/rank.toml"))
            .unwrap();
    let error = manifest::validate_set(&[one]).unwrap_err().to_string();
    assert!(error.contains("has 002 where 001 belongs"), "{error}");
}

#[test]
fn the_real_manifests_load_and_rank_one_is_fully_checkable() {
    let ranks = manifest::load_all(&repo().join("ranks")).unwrap();
    assert!(ranks.len() >= 8);
    assert!(ranks[0].achievements.iter().all(|a| a.checkable()));
    let kinds: Vec<bool> =
        ranks[0].achievements.iter().flat_map(|a| &a.checks).map(|c| matches!(c.kind, CheckKind::Elf(_))).collect();
    assert!(kinds.contains(&true) && kinds.contains(&false));
}

fn result(id: &str, status: Status, detail: &str) -> AchievementResult {
    AchievementResult {
        id: id.into(),
        status,
        checkpoint: 1,
        checks: vec![CheckResult {
            describe: "serial shows `x`".into(),
            outcome: crate::checks::Outcome { passed: status == Status::Unlocked, detail: detail.into() },
        }],
    }
}

#[test]
fn the_board_shows_progress_reasons_and_the_next_quest_without_colour() {
    let ranks = manifest::load_all(&repo().join("ranks")).unwrap();
    let mut results = Results::default();
    for a in &ranks[0].achievements {
        results.record(&[result(&a.id, Status::Unlocked, "ok")]);
    }
    results.record(&[result("003", Status::Locked, "expected a line matching /hhdm/\n    | last line")]);
    let board = crate::board::render(&ranks, &results, &crate::board::Style { colour: false }, None);
    assert!(!board.contains('\x1b'), "no escape codes without colour");
    assert!(board.contains("score 70 / 690"), "{board}");
    assert!(board.contains("█████████████████░░░  7/8  in progress"), "{board}");
    assert!(board.contains("✘ 003 The Mirror Offset  locked"), "{board}");
    assert!(board.contains("why:   expected a line matching /hhdm/"), "{board}");
    assert!(board.contains("Next quest: 003 The Mirror Offset"), "{board}");
    assert!(board.contains("Hint: "), "{board}");
    assert!(board.contains("Rank II    The Artist"), "{board}");
    let coloured = crate::board::render(&ranks, &results, &crate::board::Style { colour: true }, None);
    assert!(coloured.contains("\x1b[31m✘\x1b[0m"));
}

#[test]
fn quests_md_lists_every_achievement_and_how_it_is_proven() {
    let ranks = manifest::load_all(&repo().join("ranks")).unwrap();
    let page = crate::questsmd::render(&ranks);
    for rank in &ranks {
        for a in &rank.achievements {
            assert!(page.contains(&format!("### {} {}", a.id, a.title)));
        }
    }
    assert!(page.contains("QEMU exits with the panic code (0x11)"));
    // Achievements without checks yet are marked, and only then.
    let uncheckable = ranks.iter().flat_map(|r| &r.achievements).any(|a| !a.checkable());
    assert_eq!(page.contains("not yet checkable"), uncheckable);
}

#[test]
fn a_missing_value_is_explained_with_the_closest_line() {
    let log = PLAIN.replace("hhdm offset   0xffff800000000000", "hhdm offset   not answered");
    let results = judge(&rank_one(), "003", &log, &exited(0x10), PLAIN_NONCE, None);
    assert!(!results[0].0);
    assert!(results[0].1.contains("the closest line was:\n    |   hhdm offset   not answered"), "{}", results[0].1);
}
