//! Tests of the check kinds Rank VII brought, each against evidence built
//! here and nothing from `build/`: archives from a small USTAR writer (a
//! directory with no entry of its own, a path over 100 bytes that only fits
//! through the prefix field, a path stored twice, a header with a broken
//! checksum), minimal ELF64 files, and serial logs framed the way the
//! kernel frames its programs' output. Also check-level `modules`, which
//! boots a check with other files, and `elf` with `absent`.

use super::mind::{check, serial_only};
use super::{ACHIEVEMENT, HEADER, manifest_error};
use crate::checks::{CheckKind, Evidence, Outcome, evaluate, files, segments};
use crate::manifest::Module;

// ---- a USTAR writer ----

/// The vault's deep directory: 107 bytes, so a file in it needs the prefix field.
const DEEP: &str =
    "deep/a-directory-whose-name-is-long-enough/to-push-the-whole-path-past-the-hundred-bytes-of-the-name-field";

fn octal(header: &mut [u8; 512], at: usize, width: usize, value: u64) {
    let digits = format!("{value:0digits$o}\0", digits = width - 1);
    header[at..at + width].copy_from_slice(digits.as_bytes());
}

/// The header checksum: every byte, with the checksum field read as spaces.
fn checksum(header: &[u8; 512]) -> u32 {
    header.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u32::from(b) }).sum()
}

/// One header block, sealed. A path over 100 bytes is split at a slash, the
/// front going in the prefix field, as GNU tar does.
fn header(path: &str, typeflag: u8, size: usize) -> [u8; 512] {
    let (prefix, name) = match path.len() {
        0..=100 => ("", path),
        _ => {
            let slash = path[..path.len().min(156)].rfind('/').expect("a slash to split at");
            (&path[..slash], &path[slash + 1..])
        }
    };
    assert!(name.len() <= 100 && prefix.len() <= 155, "{path} does not fit a USTAR header");
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut header, 100, 8, 0o644);
    octal(&mut header, 108, 8, 0);
    octal(&mut header, 116, 8, 0);
    octal(&mut header, 124, 12, size as u64);
    octal(&mut header, 136, 12, 1_700_000_000);
    header[156] = typeflag;
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    octal(&mut header, 329, 8, 0);
    octal(&mut header, 337, 8, 0);
    header[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    let sum = checksum(&header);
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    header
}

/// An archive of (path, typeflag, data), data padded to whole blocks, ended
/// by two zero blocks.
fn tar(members: &[(&str, u8, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, typeflag, data) in members {
        out.extend_from_slice(&header(path, *typeflag, data.len()));
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

const HELLO: &[u8] = b"Hello from the vault!\n";
const OLD_LONG: &[u8] = b"an older copy of long.txt, replaced later in the archive\n";
const NESTED: &[u8] = b"nested, in a directory with no entry of its own\n";
const SCROLL: &[u8] = b"found at the bottom of the deep directory\n";
const NO_NEWLINE: &[u8] = b"a last line without its newline";
const PROGRAM: &[u8] = b"\x7fELF, or so it says";

/// 1,700 bytes across four blocks: what `cat` must not lose at a boundary.
fn long_text() -> Vec<u8> {
    (0..100).map(|i| format!("line {i:03} of long\n")).collect::<String>().into_bytes()
}

fn deep_file() -> String {
    format!("{DEEP}/scroll.txt")
}

/// A small vault: the root as `./`, a directory entry (`docs/`), one only
/// implied (`docs/notes`, `bin`, `deep` …), a path stored twice
/// (`docs/long.txt`, the second copy counts), a symbolic link, and a file
/// 148 bytes deep.
fn vault() -> Vec<u8> {
    let (long, deep) = (long_text(), deep_file());
    tar(&[
        ("./", b'5', b""),
        ("bin/ls", b'0', PROGRAM),
        ("docs/", b'5', b""),
        ("docs/long.txt", b'0', OLD_LONG),
        ("docs/notes/nested.txt", b'0', NESTED),
        (&deep, b'0', SCROLL),
        ("link", b'2', b""),
        ("no-newline.txt", b'0', NO_NEWLINE),
        ("empty.txt", b'0', b""),
        ("docs/long.txt", b'0', &long),
        ("hello.txt", b'0', HELLO),
    ])
}

#[test]
fn the_test_vault_is_what_libs_ustar_reads() {
    let bytes = vault();
    let summary = ustar::Archive::new(&bytes).summary();
    assert_eq!((summary.entries, summary.end), (11, ustar::End::ZeroBlocks));
    let deep = ustar::Archive::new(&bytes).find(&deep_file()).unwrap().unwrap();
    assert!(!deep.prefix.is_empty() && deep_file().len() > 100, "the deep file goes through the prefix field");
    assert_eq!(ustar::Archive::new(&bytes).find("docs/long.txt").unwrap().unwrap().data, long_text());
}

// ---- serial logs ----

/// A program's run as the kernel frames it: `$ COMMAND`, what the program
/// wrote (with the newline the kernel adds when it does not end with one),
/// and the end line.
fn run(command: &str, output: &[u8], code: i32) -> String {
    let program = command.split(' ').next().unwrap();
    let mut text = format!("$ {command}\n{}", String::from_utf8_lossy(output));
    if !output.is_empty() && !output.ends_with(b"\n") {
        text.push('\n');
    }
    text + &format!("[{program} exited with code {code} after writing {} bytes]\n", output.len())
}

/// A log with other programs run before and after `runs`.
fn tour(runs: &[String]) -> String {
    let mut log = String::from("  vault  12800 bytes, 11 entries\nuser: entering init\n");
    log.push_str(&run("bin/cat empty.txt", b"", 0));
    for text in runs {
        log.push_str(text);
    }
    log.push_str(&run("bin/cat missing.txt", b"cat: missing.txt: no such file\n", 1));
    log + "vault-tour: done\n"
}

/// `ls`'s lines, as the user program prints them.
fn ls_output(lines: &[(char, usize, &str)]) -> Vec<u8> {
    lines.iter().map(|(kind, size, path)| format!("{kind} {size:>8} {path}\n")).collect::<String>().into_bytes()
}

/// Every entry of the vault, in the order `ls` walks it.
fn full_listing(deep: &str) -> Vec<(char, usize, &str)> {
    vec![
        ('d', 0, "bin"),
        ('f', PROGRAM.len(), "bin/ls"),
        ('d', 0, "docs"),
        ('f', long_text().len(), "docs/long.txt"),
        ('d', 0, "docs/notes"),
        ('f', NESTED.len(), "docs/notes/nested.txt"),
        ('d', 0, "deep"),
        ('d', 0, "deep/a-directory-whose-name-is-long-enough"),
        ('d', 0, DEEP),
        ('f', SCROLL.len(), deep),
        ('?', 0, "link"),
        ('f', NO_NEWLINE.len(), "no-newline.txt"),
        ('f', 0, "empty.txt"),
        ('f', HELLO.len(), "hello.txt"),
    ]
}

// ---- listing ----

fn listing(table: &str, serial: &str, bytes: &[u8]) -> Outcome {
    let check = check(&format!("kind = \"listing\"\nscenario = \"vault-tour\"\nfile = \"build/vault.tar\"\n{table}"));
    let CheckKind::Listing { command, file, directory } = &check.kind else { panic!("{:?}", check.kind) };
    files::listing(command, file, directory.as_deref(), bytes, &serial_only(serial))
}

#[test]
fn a_listing_of_every_entry_passes_with_implied_directories_and_the_prefix_field() {
    let deep = deep_file();
    let serial = tour(&[run("bin/ls", &ls_output(&full_listing(&deep)), 0)]);
    let outcome = listing("command = \"bin/ls\"\n", &serial, &vault());
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.contains("all 14 entries"), "{}", outcome.detail);
    assert!(
        outcome.detail.contains(&format!("the longest path is {} bytes, longer than tar's 100-byte", deep.len())),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_directory_listing_holds_only_its_direct_children() {
    let docs = ls_output(&[('f', long_text().len(), "docs/long.txt"), ('d', 0, "docs/notes")]);
    let serial = tour(&[run("bin/ls", b"d 0 docs\n", 0), run("bin/ls docs", &docs, 0)]);
    let table = "command = \"bin/ls docs\"\ndirectory = \"docs/\"\n";
    let outcome = listing(table, &serial, &vault());
    assert!(outcome.passed && outcome.detail.contains("all 2 entries directly inside docs"), "{}", outcome.detail);
    // The deep directory's one file, found through the prefix field.
    let deep = deep_file();
    let serial = tour(&[run(&format!("bin/ls {DEEP}"), &ls_output(&[('f', SCROLL.len(), &deep)]), 0)]);
    let outcome = listing(&format!("command = \"bin/ls {DEEP}\"\ndirectory = \"{DEEP}\"\n"), &serial, &vault());
    assert!(outcome.passed, "{}", outcome.detail);
    // The nested file is not a direct child of docs.
    let too_deep = ls_output(&[
        ('f', long_text().len(), "docs/long.txt"),
        ('d', 0, "docs/notes"),
        ('f', NESTED.len(), "docs/notes/nested.txt"),
    ]);
    let outcome = listing(table, &tour(&[run("bin/ls docs", &too_deep, 0)]), &vault());
    assert!(!outcome.passed && outcome.detail.contains("0 missing, 1 unexpected"), "{}", outcome.detail);
    let nested = format!("unexpected:\n    | f {} docs/notes/nested.txt", NESTED.len());
    assert!(outcome.detail.contains(&nested), "{}", outcome.detail);
}

#[test]
fn a_listing_that_drops_an_implied_directory_or_the_prefix_is_caught() {
    let deep = deep_file();
    let mut lines = full_listing(&deep);
    lines.retain(|(_, _, path)| *path != "docs/notes");
    let outcome = listing("command = \"bin/ls\"\n", &tour(&[run("bin/ls", &ls_output(&lines), 0)]), &vault());
    assert!(!outcome.passed && outcome.detail.contains("1 missing, 0 unexpected"), "{}", outcome.detail);
    assert!(outcome.detail.contains("missing (in the archive, not in the listing):\n    | d 0 docs/notes"));

    // A reader that ignores the prefix field sees only the name field.
    let mut lines = full_listing(&deep);
    lines[9].2 = "scroll.txt";
    let outcome = listing("command = \"bin/ls\"\n", &tour(&[run("bin/ls", &ls_output(&lines), 0)]), &vault());
    assert!(!outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.contains(&format!("| f {} {deep}", SCROLL.len())), "{}", outcome.detail);
    assert!(outcome.detail.contains(&format!("unexpected:\n    | f {} scroll.txt", SCROLL.len())));
}

#[test]
fn a_listing_shows_the_last_copy_of_a_path_stored_twice_and_only_once() {
    let deep = deep_file();
    let mut lines = full_listing(&deep);
    lines[3].1 = OLD_LONG.len();
    let outcome = listing("command = \"bin/ls\"\n", &tour(&[run("bin/ls", &ls_output(&lines), 0)]), &vault());
    assert!(!outcome.passed && outcome.detail.contains("1 missing, 1 unexpected"), "{}", outcome.detail);
    let mut lines = full_listing(&deep);
    lines.push(lines[3]);
    let outcome = listing("command = \"bin/ls\"\n", &tour(&[run("bin/ls", &ls_output(&lines), 0)]), &vault());
    assert!(!outcome.passed && outcome.detail.contains("0 missing, 1 unexpected"), "{}", outcome.detail);
}

#[test]
fn a_listing_fails_on_a_bad_exit_a_missing_end_a_strange_line_or_a_program_never_run() {
    let bytes = vault();
    let table = "command = \"bin/ls docs\"\ndirectory = \"docs\"\n";
    let docs = ls_output(&[('f', long_text().len(), "docs/long.txt"), ('d', 0, "docs/notes")]);

    let failed = listing(table, &tour(&[run("bin/ls docs", &docs, 2)]), &bytes);
    assert!(!failed.passed && failed.detail.contains("exited with code 2, wanted 0"), "{}", failed.detail);

    let unfinished = format!("{}$ bin/ls docs\n{}", tour(&[]), String::from_utf8_lossy(&docs));
    let unfinished = listing(table, &unfinished, &bytes);
    assert!(!unfinished.passed && unfinished.detail.contains("never finished"), "{}", unfinished.detail);

    let killed = "$ bin/ls docs\nd 0 docs/notes\n[bin/ls killed by vector 14 at rip 0x401000 after writing 16 bytes]\n";
    let killed = listing(table, &format!("{killed}{}", tour(&[])), &bytes);
    assert!(!killed.passed && killed.detail.contains("did not exit normally"), "{}", killed.detail);

    let strange = listing(table, &tour(&[run("bin/ls docs", b"docs/long.txt 1300\n", 0)]), &bytes);
    assert!(!strange.passed && strange.detail.contains("is not `TYPE SIZE PATH`"), "{}", strange.detail);

    let never = listing(table, &tour(&[]), &bytes);
    assert!(!never.passed && never.detail.contains("expected the line `$ bin/ls docs`"), "{}", never.detail);
    assert!(never.detail.contains("| $ bin/cat missing.txt"), "the programs that did run: {}", never.detail);
}

#[test]
fn a_listing_against_a_broken_archive_blames_the_archive() {
    let mut bytes = vault();
    bytes[512] ^= 0x20; // the name of bin/ls, under a checksum that no longer fits
    let outcome = listing("command = \"bin/ls\"\n", &tour(&[run("bin/ls", b"", 0)]), &bytes);
    assert!(!outcome.passed && outcome.detail.contains("build/vault.tar itself is broken"), "{}", outcome.detail);
    assert!(outcome.detail.contains("entry at offset 512: bad checksum"), "{}", outcome.detail);
}

#[test]
fn a_listing_check_needs_a_one_line_command_and_a_file() {
    let base = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"listing\"\n");
    assert!(manifest_error(&format!("{base}file = \"build/vault.tar\"\n")).contains("needs `command`"));
    assert!(manifest_error(&format!("{base}command = \"bin/ls\"\n")).contains("needs `file`"));
    let padded = manifest_error(&format!("{base}command = \" bin/ls\"\nfile = \"build/vault.tar\"\n"));
    assert!(padded.contains("without spaces around"), "{padded}");
    let root = manifest_error(&format!("{base}command = \"bin/ls\"\nfile = \"build/vault.tar\"\ndirectory = \"./\"\n"));
    assert!(root.contains("leave `directory` out"), "{root}");
    let climbing = manifest_error(&format!("{base}command = \"bin/ls\"\nfile = \"../vault.tar\"\n"));
    assert!(climbing.contains("no `..`"), "{climbing}");
}

// ---- file-bytes ----

fn file_bytes(command: &str, entry: &str, serial: &str, bytes: &[u8]) -> Outcome {
    let check = check(&format!(
        "kind = \"file-bytes\"\nscenario = \"vault-tour\"\ncommand = \"{command}\"\nfile = \"build/vault.tar\"\nentry = \"{entry}\"\n"
    ));
    let CheckKind::FileBytes { command, file, entry } = &check.kind else { panic!("{:?}", check.kind) };
    files::file_bytes(command, file, entry, bytes, &serial_only(serial))
}

#[test]
fn file_bytes_passes_on_the_exact_bytes_across_blocks_without_a_newline_and_empty() {
    let bytes = vault();
    let long = long_text();
    let serial = tour(&[
        run("bin/cat hello.txt", HELLO, 0),
        run("bin/cat docs/long.txt", &long, 0),
        run("bin/cat no-newline.txt", NO_NEWLINE, 0),
    ]);
    let hello = file_bytes("bin/cat hello.txt", "hello.txt", &serial, &bytes);
    assert!(hello.passed && hello.detail.contains("exactly the 22 bytes of hello.txt"), "{}", hello.detail);
    let long = file_bytes("bin/cat docs/long.txt", "docs/long.txt", &serial, &bytes);
    assert!(long.passed && long.detail.contains("1700 bytes"), "{}", long.detail);
    let bare = file_bytes("bin/cat no-newline.txt", "no-newline.txt", &serial, &bytes);
    assert!(bare.passed, "the kernel's own newline before its end line is not the program's: {}", bare.detail);
    let empty = file_bytes("bin/cat empty.txt", "empty.txt", &serial, &bytes);
    assert!(empty.passed && empty.detail.contains("wrote nothing"), "{}", empty.detail);
}

#[test]
fn file_bytes_names_the_first_differing_byte() {
    let bytes = vault();
    let mut long = long_text();
    long[1024] = b'#'; // the first byte of the third block
    let outcome =
        file_bytes("bin/cat docs/long.txt", "docs/long.txt", &tour(&[run("bin/cat docs/long.txt", &long, 0)]), &bytes);
    assert!(!outcome.passed, "{}", outcome.detail);
    assert!(
        outcome.detail.ends_with(
            "differs from docs/long.txt in build/vault.tar at byte 1024 (the output is 1700 bytes, the file 1700):\n    \
             | file:   …\"059 of long\\nline 060 of long\\nlin\"…\n    \
             | output: …\"059 of long\\nline#060 of long\\nlin\"…"
        ),
        "{}",
        outcome.detail
    );

    // A block lost at a boundary: the output is short.
    let short = [&long_text()[..512], &long_text()[1024..]].concat();
    let outcome =
        file_bytes("bin/cat docs/long.txt", "docs/long.txt", &tour(&[run("bin/cat docs/long.txt", &short, 0)]), &bytes);
    assert!(!outcome.passed && outcome.detail.contains("at byte 512 (the output is 1188 bytes, the file 1700)"));

    // The older copy of a path stored twice is not the file.
    let outcome = file_bytes(
        "bin/cat docs/long.txt",
        "docs/long.txt",
        &tour(&[run("bin/cat docs/long.txt", OLD_LONG, 0)]),
        &bytes,
    );
    assert!(
        !outcome.passed && outcome.detail.contains("at byte 0 (the output is 57 bytes, the file 1700)"),
        "{}",
        outcome.detail
    );
}

#[test]
fn file_bytes_holds_the_kernels_byte_count_and_the_exit_code_too() {
    let bytes = vault();
    // `cat` adding its own newline: the text reads the same, the count does not.
    let added = "$ bin/cat no-newline.txt\na last line without its newline\n[bin/cat exited with code 0 after writing 32 bytes]\n";
    let outcome = file_bytes("bin/cat no-newline.txt", "no-newline.txt", &tour(&[added.to_string()]), &bytes);
    assert!(!outcome.passed && outcome.detail.contains("counted 32 bytes written where no-newline.txt has 31"));
    let failed = file_bytes("bin/cat hello.txt", "hello.txt", &tour(&[run("bin/cat hello.txt", HELLO, 1)]), &bytes);
    assert!(!failed.passed && failed.detail.contains("exited with code 1, wanted 0"), "{}", failed.detail);
}

#[test]
fn file_bytes_refuses_what_it_cannot_compare() {
    let bytes = vault();
    let serial = tour(&[]);
    let missing = file_bytes("bin/cat nothing.txt", "nothing.txt", &serial, &bytes);
    assert!(!missing.passed && missing.detail.contains("has no entry \"nothing.txt\""), "{}", missing.detail);
    let directory = file_bytes("bin/cat docs", "docs", &serial, &bytes);
    assert!(!directory.passed && directory.detail.contains("docs in build/vault.tar is a directory"));
    let link = file_bytes("bin/cat link", "link", &serial, &bytes);
    assert!(!link.passed && link.detail.contains("not a regular file"), "{}", link.detail);
    let awkward = tar(&[
        ("crlf.txt", b'0', b"dos\r\n"),
        ("latin1.txt", b'0', b"caf\xe9\n"),
        ("ansi.txt", b'0', b"\x1b[31mred\n"),
    ]);
    for (entry, reason) in [
        ("crlf.txt", "carriage return at byte 3"),
        ("latin1.txt", "not UTF-8 text (from byte 3)"),
        ("ansi.txt", "escape byte (0x1b) at byte 0"),
    ] {
        let outcome = file_bytes(&format!("bin/cat {entry}"), entry, &serial, &awkward);
        assert!(
            !outcome.passed && outcome.detail.contains("this check cannot compare") && outcome.detail.contains(reason),
            "{}",
            outcome.detail
        );
    }
}

// ---- archive with `error` ----

const CORRUPTED: &str = "pattern = '^  vault +(\\d+) bytes, (\\d+) entries before an error$'\n";
const INTACT: &str = "pattern = '^  vault +(\\d+) bytes, (\\d+) entries$'\n";
const ERROR: &str = "error = '^  vault error +(.+)$'\n";

fn archive(table: &str, serial: &str, bytes: &[u8]) -> Outcome {
    let check = check(&format!("kind = \"archive\"\nfile = \"build/vault-bad-checksum.tar\"\n{table}"));
    let CheckKind::Archive { pattern, file, error } = &check.kind else { panic!("{:?}", check.kind) };
    files::archive(pattern, error.as_ref(), file, bytes, &serial_only(serial))
}

/// The vault with the first letter of `hello.txt`'s header turned from
/// `h` to `j`, as the Makefile does, and the error that must name it.
fn bad_checksum() -> (Vec<u8>, String) {
    let mut bytes = vault();
    let offset = ustar::Archive::new(&bytes).find("hello.txt").unwrap().unwrap().offset;
    let stored = checksum(bytes[offset..offset + 512].try_into().unwrap());
    assert_eq!(bytes[offset], b'h');
    bytes[offset] = b'j';
    let error = format!("entry at offset {offset}: bad checksum: stored {stored:#o}, computed {:#o}", stored + 2);
    (bytes, error)
}

#[test]
fn a_corrupted_archive_passes_when_the_kernel_counts_the_good_entries_and_names_the_error() {
    let (bytes, error) = bad_checksum();
    let serial = format!("  vault  {} bytes, 10 entries before an error\n  vault error  {error}\n", bytes.len());
    let outcome = archive(&format!("{CORRUPTED}{ERROR}"), &serial, &bytes);
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.contains("10 good entries before the bad header at offset 9728"), "{}", outcome.detail);
    assert!(outcome.detail.contains(&format!("names the error exactly: {error}")), "{}", outcome.detail);
}

#[test]
fn a_corrupted_archive_fails_on_a_wrong_count_a_wrong_error_or_none() {
    let (bytes, error) = bad_checksum();
    let length = bytes.len();
    let table = format!("{CORRUPTED}{ERROR}");

    let counted_bad = format!("  vault  {length} bytes, 11 entries before an error\n  vault error  {error}\n");
    let outcome = archive(&table, &counted_bad, &bytes);
    assert!(!outcome.passed && outcome.detail.contains("the kernel says"), "{}", outcome.detail);
    assert!(outcome.detail.contains("has 11776 bytes and 10 good entries before the bad header"), "{}", outcome.detail);

    let misread = error.replace("computed 0o", "computed 0o1");
    let wrong = format!("  vault  {length} bytes, 10 entries before an error\n  vault error  {misread}\n");
    let outcome = archive(&table, &wrong, &bytes);
    assert!(!outcome.passed && outcome.detail.contains(&format!("the referee finds {error:?}")), "{}", outcome.detail);

    let silent = format!("  vault  {length} bytes, 10 entries before an error\n");
    let outcome = archive(&table, &silent, &bytes);
    assert!(
        !outcome.passed && outcome.detail.contains("no line matches /^  vault error +(.+)$/"),
        "{}",
        outcome.detail
    );

    let unasked = archive(CORRUPTED, &format!("{silent}  vault error  {error}\n"), &bytes);
    assert!(!unasked.passed && unasked.detail.contains("needs an `error` pattern"), "{}", unasked.detail);
    assert!(unasked.detail.contains("is corrupted (entry at offset 9728: bad checksum"), "{}", unasked.detail);
}

#[test]
fn an_intact_archive_with_an_error_pattern_fails_only_if_the_kernel_invents_an_error() {
    let bytes = vault();
    let clean = format!("  vault  {} bytes, 11 entries\n", bytes.len());
    let outcome = archive(&format!("{INTACT}{ERROR}"), &clean, &bytes);
    assert!(outcome.passed && outcome.detail.contains("and no error"), "{}", outcome.detail);
    let invented = format!("{clean}  vault error  entry at offset 512: bad magic: not a USTAR header\n");
    let outcome = archive(&format!("{INTACT}{ERROR}"), &invented, &bytes);
    assert!(
        !outcome.passed && outcome.detail.contains("but build/vault-bad-checksum.tar is intact"),
        "{}",
        outcome.detail
    );
}

#[test]
fn an_archive_error_pattern_has_exactly_one_capture() {
    let base = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"archive\"\nfile = \"x.tar\"\n{INTACT}");
    let error = manifest_error(&format!("{base}error = '^  vault error +(\\S+) (.+)$'\n"));
    assert!(error.contains("exactly 1 capture group"), "{error}");
}

// ---- check-level modules ----

const BAD_MODULES: &str = "modules = [{ path = \"build/vault-bad-checksum.tar\", cmdline = \"vault\" }]\n";

#[test]
fn a_check_may_boot_with_other_modules() {
    let check = check(&format!("kind = \"serial\"\n{BAD_MODULES}expect = ['^  vault error']\n"));
    let boot = check.boot.as_ref().unwrap();
    let wanted = Module { path: "build/vault-bad-checksum.tar".into(), cmdline: "vault".into() };
    assert_eq!(boot.modules.as_deref(), Some(&[wanted][..]));
    let plain = super::mind::check("kind = \"serial\"\nexpect = ['^  vault error']\n");
    assert_ne!(plain.boot, check.boot, "checks with other modules must not share the checkpoint's boot");
    assert_eq!(plain.boot.unwrap().modules, None);
    let text = crate::describe::check(&check);
    assert!(
        text.starts_with("booted with `build/vault-bad-checksum.tar` (`vault`) in place of the checkpoint's modules, "),
        "{text}"
    );
    let none = super::mind::check("kind = \"exit\"\nmodules = []\ncode = \"success\"\n");
    assert_eq!(none.boot.as_ref().unwrap().modules, Some(Vec::new()));
    assert!(crate::describe::check(&none).starts_with("booted with no modules at all"));
}

#[test]
fn module_paths_stay_inside_the_project_and_an_elf_check_boots_none() {
    let error = |modules: &str| {
        manifest_error(&format!(
            "{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"serial\"\nmodules = {modules}\nexpect = ['x']\n"
        ))
    };
    assert!(error(r#"[{ path = "../outside.tar" }]"#).contains("no `..`"));
    assert!(error(r#"[{ path = "build/../../outside.tar" }]"#).contains("no `..`"));
    assert!(error(r#"[{ path = "/etc/passwd" }]"#).contains("not absolute"));
    assert!(error(r#"[{ path = "" }]"#).contains("must not be empty"));
    assert!(error(r#"[{ path = "build/vault.tar", string = "vault" }]"#).contains("unknown field `string`"));
    let elf = manifest_error(&format!(
        "{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"elf\"\n{BAD_MODULES}fixed_address = true\n"
    ));
    assert!(elf.contains("boots nothing") && elf.contains("`modules`"), "{elf}");
}

// ---- ELF files ----

const PT_LOAD: u32 = 1;
const PT_GNU_STACK: u32 = 0x6474_e551;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

/// A program header: type, flags, file offset, address, file size, memory size.
type Ph = (u32, u32, u64, u64, u64, u64);

/// A minimal ELF64 executable: the header, the program headers, and 12 KiB
/// of bytes for the segments to point at. No sections.
fn elf64(entry: u64, headers: &[Ph]) -> Vec<u8> {
    let mut out = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&62u16.to_le_bytes()); // x86-64
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&entry.to_le_bytes());
    out.extend_from_slice(&64u64.to_le_bytes()); // program headers right after this header
    out.extend_from_slice(&0u64.to_le_bytes()); // no section headers
    out.extend_from_slice(&0u32.to_le_bytes());
    for half in [64u16, 56, headers.len() as u16, 64, 0, 0] {
        out.extend_from_slice(&half.to_le_bytes());
    }
    for &(kind, flags, offset, vaddr, file_size, mem_size) in headers {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        for word in [offset, vaddr, vaddr, file_size, mem_size, 0x1000] {
            out.extend_from_slice(&word.to_le_bytes());
        }
    }
    out.resize(0x3000, 0xcc);
    out
}

/// `bin/segments`: code, read-only data, data with BSS; an empty PT_LOAD
/// and the stack header, which plan nothing.
fn segments_elf() -> Vec<u8> {
    elf64(
        0x40_1000,
        &[
            (PT_LOAD, PF_R | PF_X, 0x1000, 0x40_1000, 0x2a4, 0x2a4),
            (PT_LOAD, PF_R, 0x2000, 0x40_2000, 0x58, 0x58),
            (PT_LOAD, 0, 0x2058, 0x40_2058, 0, 0),
            (PT_LOAD, PF_R | PF_W, 0x2100, 0x40_3100, 0x20, 0x8020),
            (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0),
        ],
    )
}

/// The plan as the kernel prints it.
const PLAN: &str = "plan bin/segments: entry 0x401000, 3 segments\n\
    \x20 load 0x401000 file 0x1000+0x2a4 memory 0x2a4 R-X\n\
    \x20 load 0x402000 file 0x2000+0x58 memory 0x58 R--\n\
    \x20 load 0x403100 file 0x2100+0x20 memory 0x8020 RW-\n";

const PLAN_CHECK: &str = "kind = \"elf-plan\"\nscenario = \"segments\"\nfile = \"build/user/segments.elf\"\n\
    pattern = '^  load (0x[0-9a-f]+) file (0x[0-9a-f]+)\\+(0x[0-9a-f]+) memory (0x[0-9a-f]+) ([R-][W-][X-])$'\n";
const PLAN_ENTRY: &str = "entry = '^plan bin/segments: entry (0x[0-9a-f]+),'\n";

fn elf_plan(table: &str, serial: &str, elf: &[u8]) -> Outcome {
    let check = check(table);
    let CheckKind::ElfPlan { file, pattern, entry } = &check.kind else { panic!("{:?}", check.kind) };
    segments::elf_plan(pattern, entry.as_ref(), file, elf, &serial_only(serial))
}

#[test]
fn a_load_plan_equal_to_the_program_headers_passes() {
    let outcome = elf_plan(&format!("{PLAN_CHECK}{PLAN_ENTRY}"), PLAN, &segments_elf());
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(
        outcome.detail.contains("3 segments as in build/user/segments.elf's program headers (0x401000 R-X, 0x402000 R--, 0x403100 RW-), entry 0x401000"),
        "{}",
        outcome.detail
    );
}

#[test]
fn a_load_plan_that_differs_in_any_field_count_or_entry_fails() {
    let elf = segments_elf();
    let cases = [
        (
            PLAN.replace("0x2100+0x20 memory", "0x2100+0x8020 memory"),
            "segment 2: the kernel says file size 0x8020, build/user/segments.elf's program header says 0x20",
        ),
        (PLAN.replace("memory 0x8020", "memory 0x20"), "segment 2: the kernel says memory size 0x20"),
        (PLAN.replace("file 0x1000+", "file 0x0+"), "segment 0: the kernel says file offset 0x0"),
        (
            PLAN.replace("0x58 R--", "0x58 R-X"),
            "segment 1 at 0x402000: the kernel says flags R-X, build/user/segments.elf's program header says R--",
        ),
        (
            PLAN.replace("  load 0x402000 file 0x2000+0x58 memory 0x58 R--\n", ""),
            "the kernel plans 2 segments, but build/user/segments.elf has 3",
        ),
        (format!("{PLAN}  load 0x402058 file 0x2058+0x0 memory 0x0 ---\n"), "the kernel plans 4 segments"),
        ("plan bin/segments: entry 0x401000, 0 segments\n".to_string(), "expected a line matching"),
    ];
    for (serial, wanted) in cases {
        let outcome = elf_plan(PLAN_CHECK, &serial, &elf);
        assert!(!outcome.passed && outcome.detail.contains(wanted), "wanted {wanted:?}, got {}", outcome.detail);
    }
    let entry = elf_plan(&format!("{PLAN_CHECK}{PLAN_ENTRY}"), &PLAN.replace("entry 0x401000", "entry 0x401010"), &elf);
    assert!(
        !entry.passed
            && entry.detail.contains("the entry point is 0x401010, but build/user/segments.elf's header says 0x401000"),
        "{}",
        entry.detail
    );
}

#[test]
fn a_malformed_elf_is_a_failure_not_a_panic() {
    let mut truncated = segments_elf();
    truncated.truncate(64 + 56 * 2); // the header says 5 program headers
    let outcome = elf_plan(PLAN_CHECK, PLAN, &truncated);
    assert!(!outcome.passed && outcome.detail.contains("do not lie inside the file (176 bytes)"), "{}", outcome.detail);
    let mut short_entries = segments_elf();
    short_entries[54] = 32; // e_phentsize
    let outcome = elf_plan(PLAN_CHECK, PLAN, &short_entries);
    assert!(!outcome.passed && outcome.detail.contains("32 bytes each, not the 56"), "{}", outcome.detail);
    let mut far = segments_elf();
    far[32..40].copy_from_slice(&u64::MAX.to_le_bytes()); // e_phoff
    assert!(!elf_plan(PLAN_CHECK, PLAN, &far).passed);
    let garbage = elf_plan(PLAN_CHECK, PLAN, b"#!/bin/sh\necho not an elf\n");
    assert!(!garbage.passed && garbage.detail.contains("not a readable ELF file"), "{}", garbage.detail);
    let mut thirty_two = segments_elf();
    thirty_two[4] = 1; // ELFCLASS32
    assert!(!elf_plan(PLAN_CHECK, PLAN, &thirty_two).passed);
}

#[test]
fn an_elf_plan_pattern_has_five_captures() {
    let base = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"elf-plan\"\nfile = \"x.elf\"\n");
    let error = manifest_error(&format!("{base}pattern = '^  load (0x[0-9a-f]+) (\\S+)$'\n"));
    assert!(error.contains("exactly 5 capture group(s), it has 2"), "{error}");
    assert!(
        manifest_error(&format!(
            "{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\nkind = \"elf-plan\"\npattern = '(a)(b)(c)(d)(e)'\n"
        ))
        .contains("needs `file`")
    );
}

// ---- serial-segment ----

const FAULT_CHECK: &str = "kind = \"serial-segment\"\nscenario = \"segments\"\n\
    pattern = '^user: segments killed by #PF[^\\n]*\\n  cr2 (0x[0-9a-f]+)$'\nfile = \"build/user/segments.elf\"\nflags = \"R-X\"\n";

fn fault(cr2: &str) -> Outcome {
    let check = check(FAULT_CHECK);
    let CheckKind::SerialSegment { pattern, file, flags } = &check.kind else { panic!("{:?}", check.kind) };
    let serial = format!("user: segments killed by #PF page fault (vector 14) in user mode\n  cr2 {cr2}\n");
    segments::serial_segment(pattern, file, flags, &segments_elf(), &serial_only(&serial))
}

#[test]
fn a_fault_address_inside_the_code_segment_passes() {
    let outcome = fault("0x4010a0");
    assert!(outcome.passed, "{}", outcome.detail);
    assert!(outcome.detail.contains("0x4010a0 lies in build/user/segments.elf's R-X segment 0x401000..0x4012a4"));
    assert!(fault("0x4012a3").passed, "the segment's last byte");
}

#[test]
fn a_fault_address_elsewhere_fails_and_says_where_it_lies() {
    let data = fault("0x403108");
    assert!(
        !data.passed
            && data.detail.contains("is not inside build/user/segments.elf's R-X segment (0x401000..0x4012a4 R-X)")
    );
    assert!(data.detail.contains("it lies in the segment 0x403100..0x40b120 RW-"), "{}", data.detail);
    let past = fault("0x4012a4");
    assert!(!past.passed && past.detail.contains("in no segment of the file at all"), "{}", past.detail);
    let check = check(&FAULT_CHECK.replace("R-X", "RWX"));
    let CheckKind::SerialSegment { pattern, file, flags } = &check.kind else { panic!() };
    let serial = "user: segments killed by #PF\n  cr2 0x401000\n";
    let none = segments::serial_segment(pattern, file, flags, &segments_elf(), &serial_only(serial));
    assert!(!none.passed && none.detail.contains("has no RWX segment"), "{}", none.detail);
}

#[test]
fn serial_segment_flags_are_three_letters() {
    for flags in ["rx", "R-XX", "X-R", ""] {
        let error = manifest_error(&format!(
            "{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\n{}",
            FAULT_CHECK.replace("\"R-X\"", &format!("{flags:?}"))
        ));
        assert!(error.contains("must be three letters"), "{flags}: {error}");
    }
}

// ---- elf with `absent` ----

#[test]
fn an_elf_check_proves_strings_are_absent_from_the_kernel() {
    let check = check("kind = \"elf\"\nabsent = [\"MinimalOS userland, awake from\", \"hello, kernel\"]\n");
    let mut kernel = segments_elf();
    let judge = |kernel: &[u8]| evaluate(&check.kind, &Evidence { elf: kernel, ..serial_only("") });
    let clean = judge(&kernel);
    assert!(
        clean.passed && clean.detail.contains("none of \"MinimalOS userland, awake from\", \"hello, kernel\" occurs"),
        "{}",
        clean.detail
    );
    kernel[0x2400..0x2400 + 13].copy_from_slice(b"hello, kernel");
    let embedded = judge(&kernel);
    assert!(
        !embedded.passed && embedded.detail.contains("contains \"hello, kernel\" at file offset 0x2400"),
        "{}",
        embedded.detail
    );
    assert!(crate::describe::check(&check).contains("contains none of the strings \"MinimalOS userland, awake from\""));
}

#[test]
fn absent_is_a_list_for_elf_and_one_regex_for_the_screen() {
    let base = format!("{HEADER}{ACHIEVEMENT}\n[[achievement.check]]\n");
    assert!(manifest_error(&format!("{base}kind = \"elf\"\nabsent = \"hello\"\n")).contains("a list of strings"));
    assert!(manifest_error(&format!("{base}kind = \"elf\"\nabsent = [\"\"]\n")).contains("none may be empty"));
    assert!(manifest_error(&format!("{base}kind = \"screen-text\"\nabsent = [\"x\"]\n")).contains("one regex"));
    let screen = check("kind = \"screen-text\"\nabsent = '^> $'\n");
    assert!(matches!(screen.kind, CheckKind::ScreenText { absent: Some(_), .. }));
}

// ---- in words ----

#[test]
fn the_new_kinds_are_described_in_plain_words() {
    let describe = |table: &str| crate::describe::check(&check(table));
    let all = describe("kind = \"listing\"\ncommand = \"bin/ls\"\nfile = \"build/vault.tar\"\n");
    assert_eq!(
        all,
        "`bin/ls`, run by the kernel, lists every entry of build/vault.tar (type, size and full path, implied directories included), exactly as the referee reads the archive, and exits with code 0"
    );
    let docs = describe(
        "kind = \"listing\"\ncommand = \"bin/ls docs\"\nfile = \"build/vault.tar\"\ndirectory = \"docs\"\nscenario = \"vault-tour\"\n",
    );
    assert!(
        docs.starts_with("with `scenario=vault-tour`, `bin/ls docs`")
            && docs.contains("the entries directly inside `docs`"),
        "{docs}"
    );
    let cat = describe(
        "kind = \"file-bytes\"\ncommand = \"bin/cat hello.txt\"\nfile = \"build/vault.tar\"\nentry = \"hello.txt\"\n",
    );
    assert!(cat.contains("writes exactly the bytes of `hello.txt` in build/vault.tar"), "{cat}");
    let plan = describe(&format!("{PLAN_CHECK}{PLAN_ENTRY}"));
    assert!(
        plan.contains("are, in order, the PT_LOAD segments of build/user/segments.elf")
            && plan.contains("gives its entry point"),
        "{plan}"
    );
    let fault = describe(FAULT_CHECK);
    assert!(fault.contains("lies inside a `R-X` PT_LOAD segment of build/user/segments.elf"), "{fault}");
    let error = describe(&format!(
        "kind = \"archive\"\nfile = \"build/vault-bad-checksum.tar\"\n{CORRUPTED}{ERROR}{BAD_MODULES}"
    ));
    assert!(error.contains("is word for word the one the referee meets in it"), "{error}");
}
