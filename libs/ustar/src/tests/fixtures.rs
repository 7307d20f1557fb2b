//! Archives written by real tools, read back exactly as they wrote them.
//!
//! `tests/fixtures/README.md` has the commands. The expected contents are
//! spelled out here rather than read from disk, so these tests check the
//! reader against what the tools were given, not against itself.

use super::{Member, Writer, check_any, path_text};
use crate::{Archive, BLOCK_BYTES, End, Kind};

pub const GNU_USTAR: &[u8] = include_bytes!("../../tests/fixtures/gnu-ustar.tar");
pub const PYTHON_USTAR: &[u8] = include_bytes!("../../tests/fixtures/python-ustar.tar");
pub const GNU_FORMAT: &[u8] = include_bytes!("../../tests/fixtures/gnu-format.tar");

pub const HELLO: &[u8] = b"Hello from the vault!\n";
pub const NOTE: &[u8] = b"A note in a nested directory.\n";
pub const LONG: &[u8] = b"Only the prefix field makes room for this path.\n";
pub const LONG_DIRECTORY: &str =
    "docs/nested/a-directory-whose-name-is-long-enough-to-push-the-whole-path-past-one-hundred-bytes";
pub const LONG_PATH: &str = "docs/nested/a-directory-whose-name-is-long-enough-to-push-the-whole-path-past-one-hundred-bytes/and-a-long-file-name-too.txt";

/// `block.bin`: 512 bytes that are not all alike.
pub fn block_bin() -> Vec<u8> {
    (0..512).map(|index| ((index * 7 + 3) % 256) as u8).collect()
}

/// `big.txt`: numbered lines, cut at 4,200 bytes.
pub fn big_txt() -> Vec<u8> {
    let mut text = String::new();
    for line in 0.. {
        if text.len() >= 4200 {
            break;
        }
        text += &format!("line {line:04}: the quick brown fox jumps over the lazy dog\n");
    }
    text.truncate(4200);
    text.into_bytes()
}

/// The members of both USTAR fixtures, in the order the tools were given them.
fn members<'t>(block: &'t [u8], big: &'t [u8], owner: (u32, &'t str)) -> Vec<Member<'t>> {
    let (id, name) = owner;
    let device_numbers = id == 0; // GNU tar writes them, Python does not
    [
        Member::file("hello.txt", HELLO),
        Member::file("empty.txt", b""),
        Member::file("block.bin", block),
        Member::file("big.txt", big),
        Member::symlink("link-to-hello", "hello.txt"),
        Member::directory("docs/"),
        Member::directory("docs/nested/"),
        Member::file("docs/nested/note.txt", NOTE),
        Member::file(LONG_PATH, LONG),
    ]
    .into_iter()
    .map(|member| Member { uid: id, gid: id, uname: name, gname: name, device_numbers, ..member })
    .collect()
}

/// Reads `bytes` and compares every entry with what the tool was given.
fn reads_as_written(bytes: &[u8], owner: (u32, &str)) {
    let (block, big) = (block_bin(), big_txt());
    let expected = members(&block, &big, owner);
    let (entries, end) = check_any(bytes);
    assert_eq!(end, End::ZeroBlocks);
    assert_eq!(entries.len(), expected.len());

    let mut offset = 0;
    for (entry, member) in entries.iter().zip(&expected) {
        assert_eq!(entry.offset, offset, "{}", member.path);
        assert_eq!(path_text(entry), member.path.trim_end_matches('/'));
        assert_eq!(entry.data, member.data, "{}", member.path);
        assert_eq!(entry.size, member.data.len() as u64);
        assert_eq!((entry.mode, entry.uid, entry.gid, entry.mtime), (member.mode, owner.0, owner.0, super::MTIME));
        let kind = match member.typeflag {
            b'0' => Kind::File,
            b'5' => Kind::Directory,
            other => Kind::Other(other),
        };
        assert_eq!(entry.kind, kind, "{}", member.path);
        offset += BLOCK_BYTES + member.data.len().next_multiple_of(BLOCK_BYTES);
    }

    // Only the long path needed the prefix field, split at its last slash.
    let long = entries.last().unwrap();
    assert_eq!((long.prefix, long.name), (LONG_DIRECTORY, "and-a-long-file-name-too.txt"));
    assert!(entries[..entries.len() - 1].iter().all(|entry| entry.prefix.is_empty()));
    assert_eq!(entries[5].name, "docs/", "tar stores directories with a trailing slash");
}

#[test]
fn gnu_tar_ustar_fixture_reads_as_written() {
    reads_as_written(GNU_USTAR, (0, ""));
}

#[test]
fn python_tarfile_fixture_reads_as_written() {
    reads_as_written(PYTHON_USTAR, (1000, "vault"));
}

#[test]
fn writer_reproduces_gnu_tar_byte_for_byte() {
    let (block, big) = (block_bin(), big_txt());
    let mut writer = Writer::default();
    for member in members(&block, &big, (0, "")) {
        writer.add(&member);
    }
    assert!(writer.finish_record() == GNU_USTAR, "the test writer and GNU tar disagree");
}

#[test]
fn writer_reproduces_python_tarfile_byte_for_byte() {
    let (block, big) = (block_bin(), big_txt());
    let mut writer = Writer::default();
    for member in members(&block, &big, (1000, "vault")) {
        writer.add(&member);
    }
    assert!(writer.finish_record() == PYTHON_USTAR, "the test writer and Python's tarfile disagree");
}

/// GNU's own format: the old magic, and a long name carried by a `'L'`
/// entry, which this reader lists as it is instead of following it.
#[test]
fn gnu_format_fixture_has_gnu_magic_and_a_long_link_entry() {
    assert_eq!(&GNU_FORMAT[257..265], b"ustar  \0");
    let (entries, end) = check_any(GNU_FORMAT);
    assert_eq!(end, End::ZeroBlocks);
    assert_eq!(entries.len(), 3);

    assert_eq!((entries[0].offset, entries[0].kind, entries[0].data), (0, Kind::File, HELLO));
    assert_eq!(path_text(&entries[0]), "hello.txt");

    let long_link = &entries[1];
    assert_eq!((long_link.offset, long_link.kind, long_link.name), (1024, Kind::Other(b'L'), "././@LongLink"));
    assert_eq!(long_link.data, format!("{LONG_PATH}\0").as_bytes());

    let file = &entries[2];
    assert_eq!((file.offset, file.kind, file.data), (2048, Kind::File, LONG));
    assert_eq!((file.prefix, file.name), ("", &LONG_PATH[..100]));
}

/// The listings `ls` prints for the fixture, including a directory that
/// only exists because a path runs through it.
#[test]
fn fixture_directories_list_their_children() {
    let archive = Archive::new(GNU_USTAR);
    let names = |directory: &str| -> Vec<(String, Kind, bool)> {
        archive
            .children(directory)
            .map(|child| child.unwrap())
            .map(|child| (child.name.to_owned(), child.kind(), child.entry.is_some()))
            .collect()
    };
    let file = |name: &str| (name.to_owned(), Kind::File, true);
    assert_eq!(
        names(""),
        [
            file("hello.txt"),
            file("empty.txt"),
            file("block.bin"),
            file("big.txt"),
            ("link-to-hello".to_owned(), Kind::Other(b'2'), true),
            ("docs".to_owned(), Kind::Directory, true),
        ]
    );
    assert_eq!(names("docs"), [("nested".to_owned(), Kind::Directory, true)]);
    let implied = LONG_DIRECTORY.rsplit('/').next().unwrap();
    assert_eq!(names("docs/nested/"), [file("note.txt"), (implied.to_owned(), Kind::Directory, false)]);
    assert_eq!(names(LONG_DIRECTORY), [file("and-a-long-file-name-too.txt")]);

    assert_eq!(archive.find(LONG_DIRECTORY), Ok(None), "an implied directory has no entry");
    assert_eq!(archive.is_directory(LONG_DIRECTORY), Ok(true));
    assert_eq!(archive.find(LONG_PATH).unwrap().unwrap().data, LONG);
}
