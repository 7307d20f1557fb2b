//! What the writer packs comes back out: entries, paths, sizes, data,
//! kinds and offsets, and every way an archive may end.

use super::{Member, Writer, archive, check_any, field, header_at, path_text, put, put_octal, seal};
use crate::{Archive, BLOCK_BYTES, End, Kind};

/// Data of `length` bytes that differs from block to block.
fn data(length: usize) -> Vec<u8> {
    (0..length).map(|index| (index * 31 + index / 512) as u8).collect()
}

#[test]
fn entries_come_back_as_written() {
    let sizes = [0, 1, 100, 511, 512, 513, 1024, 4097, 5000];
    let contents: Vec<Vec<u8>> = sizes.iter().map(|&size| data(size)).collect();
    let names: Vec<String> = sizes.iter().map(|size| format!("files/{size}.bin")).collect();
    let mut members = vec![Member::directory("files/")];
    members.extend(names.iter().zip(&contents).map(|(name, content)| Member {
        mode: 0o600,
        uid: 1000,
        gid: 100,
        mtime: 0o77_777_777_777,
        ..Member::file(name, content)
    }));
    let bytes = archive(&members);

    let (entries, end) = check_any(&bytes);
    assert_eq!(end, End::ZeroBlocks);
    assert_eq!(entries.len(), members.len());
    let mut offset = 0;
    for (entry, member) in entries.iter().zip(&members) {
        assert_eq!(entry.offset, offset);
        assert_eq!(path_text(entry), member.path.trim_end_matches('/'));
        assert_eq!((entry.size, entry.data), (member.data.len() as u64, member.data));
        assert_eq!(
            (entry.mode, entry.uid, entry.gid, entry.mtime),
            (member.mode, member.uid, member.gid, member.mtime)
        );
        offset += BLOCK_BYTES + member.data.len().next_multiple_of(BLOCK_BYTES);
    }
    assert_eq!(entries[0].kind, Kind::Directory);
    assert!(entries[1..].iter().all(|entry| entry.kind == Kind::File));
    assert_eq!(offset + 2 * BLOCK_BYTES, bytes.len());
}

#[test]
fn a_long_path_is_split_into_prefix_and_name_and_joined_back() {
    let directory = "d".repeat(150);
    let path = format!("{directory}/{}", "f".repeat(100));
    assert_eq!(path.len(), 251);
    let bytes = archive(&[Member::file(&path, b"deep")]);
    let (entries, _) = check_any(&bytes);
    assert_eq!((entries[0].prefix, entries[0].name), (directory.as_str(), "f".repeat(100).as_str()));
    assert_eq!(path_text(&entries[0]), path);
    assert!(entries[0].path().eq_str(&path));
    assert_eq!(Archive::new(&bytes).find(&path).unwrap().unwrap().data, b"deep");
}

#[test]
fn a_name_that_fills_its_field_has_no_terminator() {
    let name = "n".repeat(100);
    let bytes = archive(&[Member::file(&name, b"")]);
    assert_ne!(bytes[99], 0);
    let (entries, _) = check_any(&bytes);
    assert_eq!(entries[0].name, name);
}

#[test]
fn empty_archives() {
    for bytes in [&[][..], &[0; 512], &[0; 1024], &[0; 10240]] {
        let (entries, end) = check_any(bytes);
        assert!(entries.is_empty());
        let expected = if bytes.is_empty() { End::EndOfData } else { End::ZeroBlocks };
        assert_eq!(end, expected, "{} zero bytes", bytes.len());
    }
}

#[test]
fn every_way_an_archive_ends() {
    let mut writer = Writer::default();
    writer.add(&Member::file("a", b"alpha")).add(&Member::file("b", b"beta"));
    let two_entries = |bytes: &[u8]| {
        let (entries, end) = check_any(bytes);
        assert_eq!(entries.iter().map(path_text).collect::<Vec<_>>(), ["a", "b"]);
        end
    };

    assert_eq!(two_entries(&writer.finish()), End::ZeroBlocks);
    assert_eq!(two_entries(&writer.finish_record()), End::ZeroBlocks);
    let one_zero_block = [writer.unterminated(), vec![0; BLOCK_BYTES]].concat();
    assert_eq!(two_entries(&one_zero_block), End::ZeroBlocks);
    let unterminated = writer.unterminated();
    assert_eq!(two_entries(&unterminated), End::EndOfData);
    assert!(!Archive::new(&unterminated).summary().end.is_terminated());

    // The last entry's padding cut off: its data is whole, so it is read.
    let cut_padding = &unterminated[..unterminated.len() - 100];
    assert_eq!(two_entries(cut_padding), End::EndOfData);
    // Part of a zero block: the end marker cut short.
    let cut_marker = [unterminated.clone(), vec![0; 100]].concat();
    assert_eq!(two_entries(&cut_marker), End::EndOfData);

    // A zero block, then a header: tar stops at the zero block, and so does this.
    let mut lone = one_zero_block.clone();
    lone.extend_from_slice(&archive(&[Member::file("after", b"hidden")]));
    assert_eq!(two_entries(&lone), End::LoneZeroBlock);
    assert!(!End::LoneZeroBlock.is_terminated());
}

/// Before POSIX, a directory was a plain entry whose name ends in `/`; and
/// `'7'`, a contiguous file, is to be read as a regular one.
#[test]
fn old_typeflags_read_as_files_and_directories() {
    let cases = [(0, "old-dir/", Kind::Directory), (0, "old-file", Kind::File), (b'7', "contiguous", Kind::File)];
    for (typeflag, name, kind) in cases {
        let bytes = archive(&[Member { typeflag, ..Member::file(name, b"") }]);
        let (entries, _) = check_any(&bytes);
        assert_eq!(entries[0].kind, kind, "{name}");
    }
}

#[test]
fn other_types_are_entries_not_errors() {
    let members = [
        Member::symlink("link", "target"),
        Member { typeflag: b'1', linkname: "a", ..Member::file("hard", b"") },
        Member { typeflag: b'3', ..Member::file("tty", b"") },
        Member { typeflag: b'6', ..Member::file("fifo", b"") },
        Member { typeflag: b'x', ..Member::file("pax", b"path=whatever\n") },
        Member::file("last", b"still read"),
    ];
    let bytes = archive(&members);
    let (entries, end) = check_any(&bytes);
    assert_eq!(end, End::ZeroBlocks);
    let kinds: Vec<Kind> = entries.iter().map(|entry| entry.kind).collect();
    let others = [b'2', b'1', b'3', b'6', b'x'].map(Kind::Other);
    assert_eq!(kinds[..5], others);
    assert_eq!(entries[4].data, b"path=whatever\n", "data follows every type");
    assert_eq!((entries[5].kind, entries[5].data), (Kind::File, &b"still read"[..]));
}

/// Old GNU tar's magic is accepted, and the bytes where POSIX has the
/// prefix (GNU's access and change times) are not taken as part of the name.
#[test]
fn gnu_magic_is_accepted_and_its_prefix_ignored() {
    let mut header = Member::file("gnu.txt", b"gnu").header();
    put(&mut header, field::MAGIC, b"ustar ");
    put(&mut header, field::VERSION, b" \0");
    put_octal(&mut header, 345..357, 0o14_524_770_400);
    seal(&mut header);
    let bytes = Writer::default().raw(&header, b"gnu").finish();
    let (entries, _) = check_any(&bytes);
    assert_eq!((entries[0].prefix, path_text(&entries[0]).as_str(), entries[0].data), ("", "gnu.txt", &b"gnu"[..]));
}

/// Numbers may be space-padded on the left, end in a space instead of a
/// NUL, or fill their whole field; all are octal all the same.
#[test]
fn numeric_fields_allow_spaces_and_full_width() {
    let mut bytes = archive(&[Member::file("spaced", &[7; 10])]);
    let header = header_at(&mut bytes, 0);
    header[field::MODE].copy_from_slice(b"    644 ");
    header[field::UID].copy_from_slice(b"0\0\0\0\0\0\0\0");
    header[field::GID].copy_from_slice(b"17 \0    ");
    header[field::SIZE].copy_from_slice(b"000000000012");
    header[field::MTIME].copy_from_slice(b"14524770400 ");
    seal(header);
    header[field::CHKSUM][6..].copy_from_slice(b"  ");
    let (entries, _) = check_any(&bytes);
    let entry = entries[0];
    assert_eq!((entry.mode, entry.uid, entry.gid, entry.size, entry.mtime), (0o644, 0, 0o17, 10, 1_700_000_000));
}
