//! Each way a header can be wrong, refused with its own reason and offset,
//! with the entries before it kept.

use super::{Member, Writer, archive, check_any, checksum, field, header_at, path_text, put, seal};
use crate::{Archive, BLOCK_BYTES, End, Error, Reason};

/// Three entries at offsets 0, 1024 and 2048, each one block of data.
fn three_files() -> Vec<u8> {
    archive(&[Member::file("one", b"1"), Member::file("two", b"22"), Member::file("three", b"333")])
}

/// The reason the walk gives for `bytes`, after checking the first entry survived.
fn refusal(bytes: &[u8]) -> Error {
    let (entries, end) = check_any(bytes);
    assert_eq!(entries.iter().map(path_text).collect::<Vec<_>>(), ["one"]);
    let End::Error(error) = end else { panic!("not refused: {end:?}") };
    error
}

#[test]
fn checksum_mismatch_reports_stored_and_computed() {
    let mut bytes = three_files();
    let stored = checksum(header_at(&mut bytes, 1024));
    bytes[1024] ^= 0x01; // "two" becomes "uwo": one more
    let error = refusal(&bytes);
    let reason = Reason::BadChecksum { stored, computed: stored + 1 };
    assert_eq!(error, Error { offset: 1024, reason });
    assert_eq!(
        error.to_string(),
        format!("entry at offset 1024: bad checksum: stored {stored:#o}, computed {:#o}", stored + 1)
    );
    assert!(error.to_string().contains(" stored 0o"));
}

#[test]
fn a_non_octal_size_is_a_bad_size_field() {
    for reseal in [false, true] {
        let mut bytes = three_files();
        let header = header_at(&mut bytes, 1024);
        header[field::SIZE.start + 5] = b'9';
        if reseal {
            seal(header);
        }
        let error = refusal(&bytes);
        assert_eq!(error, Error { offset: 1024, reason: Reason::BadField("size") }, "resealed: {reseal}");
        assert_eq!(error.to_string(), "entry at offset 1024: bad size field");
    }
}

#[test]
fn every_numeric_field_is_checked() {
    let fields = [
        (field::MODE, "mode"),
        (field::UID, "uid"),
        (field::GID, "gid"),
        (field::SIZE, "size"),
        (field::MTIME, "mtime"),
        (field::CHKSUM, "chksum"),
    ];
    let bad_values: [&[u8]; 6] = [b"12x", b"", b"  ", b"8", b"-1", b"644\0 7"];
    for (range, name) in fields {
        for value in bad_values {
            let mut bytes = three_files();
            let header = header_at(&mut bytes, 1024);
            put(header, range.clone(), value);
            if name != "chksum" {
                seal(header);
            }
            let reason = refusal(&bytes).reason;
            assert_eq!(reason, Reason::BadField(name), "{name} = {value:?}");
        }
    }
}

#[test]
fn data_past_the_end_is_refused() {
    let mut bytes = three_files();
    bytes.truncate(2048 + BLOCK_BYTES + 2); // "three" keeps 2 of its 3 bytes
    let (entries, end) = check_any(&bytes);
    assert_eq!(entries.len(), 2);
    let error = Error { offset: 2048, reason: Reason::DataPastEnd { size: 3, available: 2 } };
    assert_eq!(end, End::Error(error));
    assert_eq!(
        error.to_string(),
        "entry at offset 2048: entry data runs past the end of the archive (3 bytes promised, 2 left)"
    );

    // A size far beyond the archive, in a header that is otherwise fine.
    let mut bytes = three_files();
    let header = header_at(&mut bytes, 1024);
    header[field::SIZE].copy_from_slice(b"77777777777\0");
    seal(header);
    let available = bytes.len() - 1024 - BLOCK_BYTES;
    assert_eq!(refusal(&bytes).reason, Reason::DataPastEnd { size: 0o77_777_777_777, available });
}

/// GNU tar writes a size of 8 GiB or more as a big-endian binary number
/// behind a 0x80 byte. Refused, by name.
#[test]
fn a_base_256_size_is_refused() {
    let mut bytes = three_files();
    let header = header_at(&mut bytes, 1024);
    header[field::SIZE].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    seal(header);
    let error = refusal(&bytes);
    assert_eq!(error.reason, Reason::Base256Unsupported("size"));
    assert_eq!(error.to_string(), "entry at offset 1024: bad size field: GNU base-256 numbers are not supported");

    // Negative base-256 numbers start with 0xff; they are refused as well.
    let mut bytes = three_files();
    let header = header_at(&mut bytes, 1024);
    header[field::MTIME].fill(0xff);
    seal(header);
    assert_eq!(refusal(&bytes).reason, Reason::Base256Unsupported("mtime"));
}

#[test]
fn a_header_cut_short_is_refused() {
    let mut bytes = three_files();
    bytes.truncate(1024 + 300);
    assert_eq!(refusal(&bytes), Error { offset: 1024, reason: Reason::TruncatedHeader });
}

/// A header from before POSIX (Version 7 tar) has no magic, and neither
/// has a block of text where a header should be.
#[test]
fn a_header_without_magic_is_refused() {
    let mut bytes = three_files();
    let header = header_at(&mut bytes, 1024);
    header[field::MAGIC.start..field::VERSION.end].fill(0);
    seal(header);
    assert_eq!(refusal(&bytes).reason, Reason::BadMagic);

    let mut bytes = three_files();
    bytes[1024..2048].fill(b'x');
    assert_eq!(refusal(&bytes).reason, Reason::BadMagic);
    assert_eq!(refusal(&bytes).to_string(), "entry at offset 1024: bad magic: not a USTAR header");
}

#[test]
fn names_must_be_utf8() {
    for range in [field::NAME, field::PREFIX] {
        let mut bytes = three_files();
        let header = header_at(&mut bytes, 1024);
        put(header, range, b"caf\xe9");
        seal(header);
        let error = refusal(&bytes);
        assert_eq!(error.reason, Reason::NameNotUtf8);
        assert_eq!(error.to_string(), "entry at offset 1024: name is not UTF-8");
    }
    // The same name in UTF-8 is fine.
    let bytes = archive(&[Member::file("café", b"")]);
    assert_eq!(path_text(&check_any(&bytes).0[0]), "café");
}

/// What the kernel relies on: the good entries before a refused header stay
/// usable, the walk stops, and `summary().trusted` answers without errors.
#[test]
fn entries_before_an_error_are_kept_and_the_walk_stops() {
    let mut bytes = three_files();
    bytes[1024] ^= 0x01;
    let archive = Archive::new(&bytes);

    let mut walk = archive.entries();
    assert_eq!(walk.next().unwrap().unwrap().name, "one");
    assert_eq!(walk.end(), None);
    let error = walk.next().unwrap().unwrap_err();
    assert_eq!(error.offset, 1024);
    assert!(walk.next().is_none() && walk.next().is_none());
    assert_eq!(walk.end(), Some(End::Error(error)));

    let summary = archive.summary();
    assert_eq!((summary.entries, summary.end), (1, End::Error(error)));
    assert_eq!(summary.trusted.bytes(), &bytes[..1024]);
    assert_eq!(summary.trusted.summary().end, End::EndOfData);

    // The whole archive reports the error; the trusted part answers.
    assert_eq!(archive.find("three"), Err(error));
    assert_eq!(archive.find("one"), Err(error), "find walks everything: a later duplicate may hide there");
    assert_eq!(summary.trusted.find("one").unwrap().unwrap().data, b"1");
    assert_eq!(summary.trusted.find("three"), Ok(None));
    let children: Vec<_> = archive.children("").collect();
    assert_eq!(children.len(), 2);
    assert_eq!((children[0].unwrap().name, children[1]), ("one", Err(error)));
    assert_eq!(archive.is_directory("nowhere"), Err(error));
}

/// A corrupted end marker is a header like any other.
#[test]
fn garbage_where_the_end_marker_should_be() {
    let mut writer = Writer::default();
    writer.add(&Member::file("one", b"1"));
    let mut bytes = writer.finish();
    bytes[1024 + 7] = b'!';
    assert_eq!(refusal(&bytes), Error { offset: 1024, reason: Reason::BadMagic });
}
