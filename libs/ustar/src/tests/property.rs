//! Corruption, exhaustively and at random.
//!
//! First every single-bit flip and every whole-byte flip of a small
//! archive, each of which must be refused with the reason that fits the
//! flipped field, or change nothing the reader reports. Then a fixed-seed
//! xorshift makes random mutations of real archives, and random byte
//! strings, on which only [`check_any`]'s rules must hold: no panic, at
//! most one step per block, data only from inside the input.

use super::fixtures::{GNU_FORMAT, GNU_USTAR, LONG_PATH, PYTHON_USTAR};
use super::{Member, XorShift, archive, check_any, checksum, field, header_at, seal};
use crate::{Archive, BLOCK_BYTES, End, Entry, Error, Reason};
use std::collections::BTreeMap;
use std::ops::Range;

/// Mutated archives in `random_mutations_never_panic_or_escape_the_input`.
const RANDOM_MUTATIONS: usize = 50_000;
/// Byte strings in `random_byte_strings_never_panic_or_escape_the_input`,
/// half pure noise and half blocks that look like headers.
const RANDOM_STRINGS: usize = 20_000;

const NUMERIC: [(Range<usize>, &str); 5] =
    [(field::MODE, "mode"), (field::UID, "uid"), (field::GID, "gid"), (field::SIZE, "size"), (field::MTIME, "mtime")];

/// Five entries of every shape in nine blocks: a file, a directory, a path
/// in the prefix field, an empty file and a symbolic link.
fn small_archive() -> Vec<u8> {
    archive(&[
        Member::file("hello.txt", b"Hello from the vault!\n"),
        Member::directory("docs/"),
        Member::file(LONG_PATH, b"deep"),
        Member::file("empty", b""),
        Member::symlink("link", "hello.txt"),
    ])
}

/// An archive with an archive inside: a size that grows or shrinks by a
/// few blocks can land the walk on a real header in the middle of data.
fn nested_archive() -> Vec<u8> {
    let inner = small_archive();
    archive(&[Member::file("inner.tar", &inner), Member::file("after", b"after")])
}

/// The name of the outcome, for counting: `ZeroBlocks`, `BadChecksum`, ...
fn outcome(end: End) -> String {
    let text = match end {
        End::Error(error) => format!("{:?}", error.reason),
        other => format!("{other:?}"),
    };
    text.split(['(', ' ', '{']).next().unwrap().to_owned()
}

#[test]
fn every_flip_of_a_small_archive_is_refused_with_the_fitting_reason_or_harmless() {
    let original = small_archive();
    let (good, end) = check_any(&original);
    assert_eq!((good.len(), end, original.len()), (5, End::ZeroBlocks, 9 * BLOCK_BYTES));
    let end_marker = original.len() - 2 * BLOCK_BYTES;
    let stored: Vec<u32> =
        good.iter().map(|entry| checksum(original[entry.offset..][..512].try_into().unwrap())).collect();

    let (mut flips, mut harmless) = (0, 0);
    for position in 0..original.len() {
        for mask in (0..8).map(|bit| 1 << bit).chain([0xff]) {
            let mut bytes = original.clone();
            bytes[position] ^= mask;
            let (entries, end) = check_any(&bytes);
            flips += 1;
            let context = format!("flip {mask:#04x} at byte {position}: {end:?}");

            if position >= end_marker {
                // The first zero block becomes a header with no magic; the
                // second leaves a lone zero block, where the walk stops anyway.
                assert_eq!(entries, good, "{context}");
                let expected = if position < end_marker + BLOCK_BYTES {
                    End::Error(Error { offset: end_marker, reason: Reason::BadMagic })
                } else {
                    End::LoneZeroBlock
                };
                assert_eq!(end, expected, "{context}");
                continue;
            }

            let index = good.iter().rposition(|entry| entry.offset <= position).unwrap();
            let header = good[index].offset;
            let within = position - header;
            if within >= BLOCK_BYTES {
                // Data or padding: every header reads the same, and only this
                // entry's data changes, if the byte was data at all.
                assert_eq!(end, End::ZeroBlocks, "{context}");
                assert_eq!(entries.len(), good.len(), "{context}");
                for (mutated, before) in entries.iter().zip(&good) {
                    assert_eq!(Entry { data: before.data, ..*mutated }, *before, "{context}");
                }
                let is_data = within - BLOCK_BYTES < good[index].data.len();
                assert_eq!(entries[index].data != good[index].data, is_data, "{context}");
                continue;
            }

            if entries == good && end == End::ZeroBlocks {
                // Only the checksum's own terminator may change unnoticed:
                // a NUL and a space end the number alike.
                assert!(field::CHKSUM.contains(&within), "{context} is not noticed");
                harmless += 1;
                continue;
            }
            assert_eq!(entries, good[..index], "{context}");
            let End::Error(error) = end else { panic!("{context}") };
            assert_eq!(error.offset, header, "{context}");
            let block = bytes[header..][..BLOCK_BYTES].try_into().unwrap();
            let mismatch = Reason::BadChecksum { stored: stored[index], computed: checksum(block) };
            let fits = if field::CHKSUM.contains(&within) {
                error.reason == Reason::BadField("chksum")
                    || matches!(error.reason, Reason::BadChecksum { stored: now, computed }
                        if now != stored[index] && computed == stored[index])
            } else if let Some((_, name)) = NUMERIC.iter().find(|(range, _)| range.contains(&within)) {
                [Reason::BadField(name), Reason::Base256Unsupported(name), mismatch].contains(&error.reason)
            } else if (field::MAGIC.start..field::VERSION.end).contains(&within) {
                [Reason::BadMagic, mismatch].contains(&error.reason)
            } else {
                error.reason == mismatch
            };
            assert!(fits, "{context}: the reason does not fit the field");
        }
    }
    assert_eq!(flips, 9 * original.len());
    assert!(harmless > 0, "the checksum's NUL and space are interchangeable");
}

/// Makes 1 to 4 random changes to `base`: bytes anywhere, bytes in a header
/// resealed so the checksum passes, a numeric field rewritten, truncation,
/// appended noise, or one block copied over another.
fn mutate(rng: &mut XorShift, base: &[u8]) -> Vec<u8> {
    let headers: Vec<usize> = Archive::new(base).entries().map_while(Result::ok).map(|entry| entry.offset).collect();
    let mut bytes = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let header = headers[rng.below(headers.len())];
        let whole_header = header + BLOCK_BYTES <= bytes.len();
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                for _ in 0..1 + rng.below(8) {
                    let position = rng.below(bytes.len());
                    bytes[position] = rng.next_u64() as u8;
                }
            }
            1 if whole_header => {
                for _ in 0..1 + rng.below(4) {
                    bytes[header + rng.below(BLOCK_BYTES)] = rng.next_u64() as u8;
                }
                if rng.below(4) != 0 {
                    seal(header_at(&mut bytes, header));
                }
            }
            2 if whole_header => {
                let (range, _) = &NUMERIC[rng.below(NUMERIC.len())];
                let block = header_at(&mut bytes, header);
                if rng.below(2) == 0 {
                    // A well-formed number of any size the field can hold.
                    let digits = 1 + rng.below(range.len());
                    let value = rng.next_u64() & ((1 << (3 * digits.min(21))) - 1);
                    let text = format!("{value:0digits$o}");
                    block[range.clone()].fill(if rng.below(2) == 0 { 0 } else { b' ' });
                    block[range.start..][..text.len().min(range.len())]
                        .copy_from_slice(&text.as_bytes()[..text.len().min(range.len())]);
                } else {
                    const ALPHABET: &[u8] = b"000111777 \0\089x+-\x80\xff";
                    for byte in &mut block[range.clone()] {
                        *byte = ALPHABET[rng.below(ALPHABET.len())];
                    }
                }
                seal(block);
            }
            3 => bytes.truncate(rng.below(bytes.len() + 1)),
            4 => {
                let extra = rng.below(3 * BLOCK_BYTES);
                let zeros = rng.below(2) == 0;
                bytes.extend((0..extra).map(|_| if zeros { 0 } else { rng.next_u64() as u8 }));
            }
            5 if bytes.len() >= 2 * BLOCK_BYTES => {
                let blocks = bytes.len() / BLOCK_BYTES;
                let (from, to) = (rng.below(blocks) * BLOCK_BYTES, rng.below(blocks) * BLOCK_BYTES);
                bytes.copy_within(from..from + BLOCK_BYTES, to);
            }
            _ => {}
        }
    }
    bytes
}

#[test]
fn random_mutations_never_panic_or_escape_the_input() {
    let (small, nested) = (small_archive(), nested_archive());
    let bases: [&[u8]; 5] = [&small, &nested, GNU_USTAR, PYTHON_USTAR, GNU_FORMAT];
    let mut rng = XorShift::new(0x7a12_5eed_0000_0001);
    let mut outcomes = BTreeMap::new();
    for _ in 0..RANDOM_MUTATIONS {
        let base = bases[rng.below(bases.len())];
        let bytes = mutate(&mut rng, base);
        let (_, end) = check_any(&bytes);
        *outcomes.entry(outcome(end)).or_insert(0) += 1;
    }
    // Mutations that never reached a check would prove nothing about it.
    let every = [
        "ZeroBlocks",
        "LoneZeroBlock",
        "EndOfData",
        "TruncatedHeader",
        "BadMagic",
        "BadField",
        "Base256Unsupported",
        "BadChecksum",
        "NameNotUtf8",
        "DataPastEnd",
    ];
    for name in every {
        assert!(outcomes.contains_key(name), "no mutation ended in {name}: {outcomes:?}");
    }
}

/// Blocks that look like headers, or are zeros or noise, in any order: a
/// header's random size may point anywhere in the blocks after it.
fn header_soup(rng: &mut XorShift) -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..1 + rng.below(12) {
        let mut block = [0; BLOCK_BYTES];
        match rng.below(5) {
            0 => {}
            1 => block.iter_mut().for_each(|byte| *byte = rng.next_u64() as u8),
            _ => {
                // Mostly ASCII, so that most names are UTF-8, with now and
                // then a byte that is not.
                const NAME: &[u8] = b"aaabbb.//\xff";
                for byte in &mut block[..rng.below(101)] {
                    let choices = if rng.below(16) == 0 { NAME.len() } else { NAME.len() - 1 };
                    *byte = NAME[rng.below(choices)];
                }
                const PREFIX: &[u8] = b"cd/.";
                for byte in &mut block[field::PREFIX][..rng.below(4) * rng.below(40)] {
                    *byte = PREFIX[rng.below(PREFIX.len())];
                }
                for (range, _) in NUMERIC {
                    let width = range.len() - 1;
                    let limit = if range == field::SIZE { 3 * BLOCK_BYTES as u64 } else { 1 << 20 };
                    block[range].copy_from_slice(format!("{:0width$o}\0", rng.next_u64() % limit).as_bytes());
                }
                block[field::TYPEFLAG] = b"00055\0\x272Lx7"[rng.below(11)];
                let magic: &[u8] = if rng.below(4) == 0 { b"ustar  \0" } else { b"ustar\x0000" };
                block[field::MAGIC.start..field::VERSION.end].copy_from_slice(magic);
                seal(&mut block);
                if rng.below(8) == 0 {
                    block[field::CHKSUM.start] = b'7'; // a checksum that no longer adds up
                }
            }
        }
        bytes.extend_from_slice(&block);
    }
    if rng.below(4) == 0 {
        bytes.truncate(rng.below(bytes.len() + 1));
    }
    bytes
}

#[test]
fn random_byte_strings_never_panic_or_escape_the_input() {
    let mut rng = XorShift::new(0x0dd_b17e_5eed);
    let mut outcomes = BTreeMap::new();
    let mut entries = 0;
    for case in 0..RANDOM_STRINGS {
        let bytes = if case % 2 == 0 {
            (0..rng.below(4 * BLOCK_BYTES + 1)).map(|_| rng.next_u64() as u8).collect()
        } else {
            header_soup(&mut rng)
        };
        let (good, end) = check_any(&bytes);
        entries += good.len();
        *outcomes.entry(outcome(end)).or_insert(0) += 1;
    }
    assert!(entries > RANDOM_STRINGS / 10, "the soup too rarely makes a good entry: {entries}");
    for name in ["ZeroBlocks", "EndOfData", "BadMagic", "BadChecksum", "NameNotUtf8", "DataPastEnd", "TruncatedHeader"]
    {
        assert!(outcomes.contains_key(name), "no string ended in {name}: {outcomes:?}");
    }
}
