//! Fixtures for the tests: a small USTAR writer, a pseudo-random generator,
//! and the checks every walk must pass, whatever the bytes.
//!
//! The writer is the tests' own idea of the format, written from POSIX and
//! not from the reader. `fixtures::writer_reproduces_*` shows it produces
//! what GNU tar and Python's `tarfile` produce, byte for byte, so archives
//! built with it in the other tests are realistic ones.

mod corruption;
mod fixtures;
mod lookup;
mod path;
mod property;
mod read;
mod round_trip;

use crate::{Archive, BLOCK_BYTES, End, Entry};
use std::ops::Range;

/// The modification time every fixture uses: 2023-11-14 22:13:20 UTC.
pub const MTIME: u64 = 1_700_000_000;

/// Where each header field sits, from POSIX rather than from the crate.
pub mod field {
    use std::ops::Range;
    pub const NAME: Range<usize> = 0..100;
    pub const MODE: Range<usize> = 100..108;
    pub const UID: Range<usize> = 108..116;
    pub const GID: Range<usize> = 116..124;
    pub const SIZE: Range<usize> = 124..136;
    pub const MTIME: Range<usize> = 136..148;
    pub const CHKSUM: Range<usize> = 148..156;
    pub const TYPEFLAG: usize = 156;
    pub const LINKNAME: Range<usize> = 157..257;
    pub const MAGIC: Range<usize> = 257..263;
    pub const VERSION: Range<usize> = 263..265;
    pub const UNAME: Range<usize> = 265..297;
    pub const GNAME: Range<usize> = 297..329;
    pub const DEVMAJOR: Range<usize> = 329..337;
    pub const DEVMINOR: Range<usize> = 337..345;
    pub const PREFIX: Range<usize> = 345..500;
}

/// One member for the writer to pack, with the metadata GNU tar writes for
/// `--owner=0 --group=0 --numeric-owner --mtime=@1700000000` by default.
///
/// The two tools differ in one more detail: GNU tar writes the device
/// numbers of every entry as `0000000\0`, Python leaves them NUL unless the
/// entry is a device (`device_numbers: false`).
#[derive(Clone, Debug)]
pub struct Member<'t> {
    pub path: &'t str,
    pub typeflag: u8,
    pub data: &'t [u8],
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: u64,
    pub linkname: &'t str,
    pub uname: &'t str,
    pub gname: &'t str,
    pub device_numbers: bool,
}

impl<'t> Member<'t> {
    pub fn file(path: &'t str, data: &'t [u8]) -> Self {
        Self {
            path,
            typeflag: b'0',
            data,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: MTIME,
            linkname: "",
            uname: "",
            gname: "",
            device_numbers: true,
        }
    }

    /// A directory; like tar, give its path with a trailing `/`.
    pub fn directory(path: &'t str) -> Self {
        Self { typeflag: b'5', mode: 0o755, ..Self::file(path, b"") }
    }

    pub fn symlink(path: &'t str, target: &'t str) -> Self {
        Self { typeflag: b'2', mode: 0o777, linkname: target, ..Self::file(path, b"") }
    }

    /// The header block, sealed with its checksum.
    pub fn header(&self) -> [u8; BLOCK_BYTES] {
        let mut header = [0; BLOCK_BYTES];
        let (prefix, name) = split_path(self.path);
        put(&mut header, field::NAME, name.as_bytes());
        put_octal(&mut header, field::MODE, self.mode.into());
        put_octal(&mut header, field::UID, self.uid.into());
        put_octal(&mut header, field::GID, self.gid.into());
        put_octal(&mut header, field::SIZE, self.data.len() as u64);
        put_octal(&mut header, field::MTIME, self.mtime);
        header[field::TYPEFLAG] = self.typeflag;
        put(&mut header, field::LINKNAME, self.linkname.as_bytes());
        put(&mut header, field::MAGIC, b"ustar\0");
        put(&mut header, field::VERSION, b"00");
        put(&mut header, field::UNAME, self.uname.as_bytes());
        put(&mut header, field::GNAME, self.gname.as_bytes());
        if self.device_numbers {
            put_octal(&mut header, field::DEVMAJOR, 0);
            put_octal(&mut header, field::DEVMINOR, 0);
        }
        put(&mut header, field::PREFIX, prefix.as_bytes());
        seal(&mut header);
        header
    }
}

/// Splits a path too long for the name field the way GNU tar does: at the
/// last slash that leaves at most 155 bytes in front of it.
pub fn split_path(path: &str) -> (&str, &str) {
    if path.len() <= 100 {
        return ("", path);
    }
    let limit = path.len().min(156);
    let slash = (1..limit).rev().find(|&index| path.as_bytes()[index] == b'/').expect("no slash to split at");
    let (prefix, name) = (&path[..slash], &path[slash + 1..]);
    assert!(!name.is_empty() && name.len() <= 100, "{path:?} does not fit a USTAR header");
    (prefix, name)
}

/// Writes `value` into the field, NUL-padded; panics if it does not fit.
pub fn put(header: &mut [u8; BLOCK_BYTES], range: Range<usize>, value: &[u8]) {
    assert!(value.len() <= range.len(), "{value:?} does not fit in {range:?}");
    header[range.clone()].fill(0);
    header[range.start..range.start + value.len()].copy_from_slice(value);
}

/// Writes `value` as zero-padded octal digits and a NUL, filling the field
/// as GNU tar and Python do: `0000644\0` for a mode of 0o644.
pub fn put_octal(header: &mut [u8; BLOCK_BYTES], range: Range<usize>, value: u64) {
    let digits = format!("{value:0width$o}\0", width = range.len() - 1);
    assert_eq!(digits.len(), range.len(), "{value:#o} does not fit in {range:?}");
    header[range].copy_from_slice(digits.as_bytes());
}

/// The POSIX checksum, computed independently of the crate: every byte as
/// unsigned, the checksum field counted as eight spaces.
pub fn checksum(header: &[u8; BLOCK_BYTES]) -> u32 {
    let all: u32 = header.iter().map(|&byte| u32::from(byte)).sum();
    let field: u32 = header[field::CHKSUM].iter().map(|&byte| u32::from(byte)).sum();
    all - field + 8 * u32::from(b' ')
}

/// Stores the checksum as six octal digits, a NUL and a space, as GNU tar
/// and Python do.
pub fn seal(header: &mut [u8; BLOCK_BYTES]) {
    let sum = checksum(header);
    header[field::CHKSUM].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

/// The header block at `offset` of a byte vector, to edit in place.
pub fn header_at(bytes: &mut [u8], offset: usize) -> &mut [u8; BLOCK_BYTES] {
    (&mut bytes[offset..offset + BLOCK_BYTES]).try_into().unwrap()
}

/// Packs members into an archive, block by block.
#[derive(Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub fn add(&mut self, member: &Member<'_>) -> &mut Self {
        self.raw(&member.header(), member.data)
    }

    /// Appends any header, sealed or not, then `data` padded to a block.
    pub fn raw(&mut self, header: &[u8; BLOCK_BYTES], data: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(header);
        self.bytes.extend_from_slice(data);
        self.bytes.resize(self.bytes.len().next_multiple_of(BLOCK_BYTES), 0);
        self
    }

    /// The entries so far, without an end marker.
    pub fn unterminated(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The entries and the end marker, two zero blocks.
    pub fn finish(&self) -> Vec<u8> {
        let mut bytes = self.bytes.clone();
        bytes.resize(bytes.len() + 2 * BLOCK_BYTES, 0);
        bytes
    }

    /// As [`Writer::finish`], then padded with zeros to a whole 10 KiB
    /// record, as GNU tar and Python do by default.
    pub fn finish_record(&self) -> Vec<u8> {
        let mut bytes = self.finish();
        bytes.resize(bytes.len().next_multiple_of(20 * BLOCK_BYTES), 0);
        bytes
    }
}

pub fn archive(members: &[Member<'_>]) -> Vec<u8> {
    let mut writer = Writer::default();
    for member in members {
        writer.add(member);
    }
    writer.finish()
}

/// The project's xorshift64 (`libs/heap`): a fixed seed gives the same
/// sequence on every run, so a failing random test fails again the same way.
pub use heap::XorShift64 as XorShift;

/// Whether `inner` lies inside `outer`, by address.
pub fn inside(outer: &[u8], inner: &[u8]) -> bool {
    let (outer, inner) = (outer.as_ptr_range(), inner.as_ptr_range());
    outer.start <= inner.start && inner.end <= outer.end
}

/// Where `inner` starts in `outer`, by address.
pub fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    inner.as_ptr() as usize - outer.as_ptr() as usize
}

/// A path as an owned string, through `write_to` (which must agree with `Display`).
pub fn path_text(entry: &Entry<'_>) -> String {
    let mut buffer = [0; 256];
    let length = entry.path().write_to(&mut buffer).expect("a USTAR path is at most 256 bytes");
    let text = std::str::from_utf8(&buffer[..length]).unwrap().to_owned();
    assert_eq!(text, entry.path().to_string());
    text
}

/// Walks `bytes` in every way the kernel can, checks what must hold for any
/// input at all, and returns the good entries and how the walk ended.
///
/// - the walk yields at most one item per block, plus one, and is fused;
/// - every good entry has its header inside the input, on a block boundary,
///   offsets rising, and its data right after the header, inside the input;
/// - an error is the last item, and is where the walk says it ended;
/// - `summary` agrees, and its `trusted` archive walks to the same entries
///   without an error;
/// - `find` finds every good entry's path there, and `children` of the root
///   and of the first directory stay bounded and inside the input.
pub fn check_any(bytes: &[u8]) -> (Vec<Entry<'_>>, End) {
    let archive = Archive::new(bytes);
    let bound = bytes.len() / BLOCK_BYTES + 1;
    let mut walk = archive.entries();
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut items = 0;
    let mut error = None;
    for item in walk.by_ref() {
        items += 1;
        assert!(items <= bound, "more than {bound} items from {} bytes", bytes.len());
        assert!(error.is_none(), "an item after the error {error:?}");
        match item {
            Ok(entry) => {
                assert_eq!(entry.offset % BLOCK_BYTES, 0);
                assert!(entry.offset + BLOCK_BYTES <= bytes.len());
                assert!(entries.last().is_none_or(|last| last.offset < entry.offset));
                assert!(inside(bytes, entry.data), "data of {entry:?} escapes the input");
                assert_eq!(offset_in(bytes, entry.data), entry.offset + BLOCK_BYTES);
                assert_eq!(entry.data.len() as u64, entry.size);
                entries.push(entry);
            }
            Err(refused) => {
                assert_eq!(refused.offset % BLOCK_BYTES, 0);
                assert!(refused.offset < bytes.len());
                assert!(entries.last().is_none_or(|last| last.offset < refused.offset));
                assert!(refused.to_string().starts_with(&format!("entry at offset {}: ", refused.offset)));
                error = Some(refused);
            }
        }
    }
    assert!(walk.next().is_none(), "the walk is not fused");
    let end = walk.end().expect("a finished walk knows how it ended");
    assert_eq!(error.map(End::Error), matches!(end, End::Error(_)).then_some(end));

    let summary = archive.summary();
    assert_eq!((summary.entries, summary.end), (entries.len(), end));
    assert!(bytes.starts_with(summary.trusted.bytes()));
    let trusted: Vec<Entry<'_>> = summary.trusted.entries().collect::<Result<_, _>>().expect("trusted part fails");
    assert_eq!(trusted, entries);

    for entry in entries.iter().take(4) {
        let found = summary.trusted.find(&path_text(entry)).expect("find fails on the trusted part");
        assert_eq!(found.expect("an entry's own path is not found").path(), entry.path());
    }
    let first_directory = entries.iter().find(|entry| entry.kind == crate::Kind::Directory);
    for directory in [String::new()].into_iter().chain(first_directory.map(path_text)) {
        let mut children = 0;
        for child in archive.children(&directory) {
            children += 1;
            assert!(children <= bound, "children of {directory:?} do not stop");
            let Ok(child) = child else { continue };
            assert!(!child.name.is_empty() && !child.name.contains('/'), "bad child name {:?}", child.name);
            assert!(inside(bytes, child.name.as_bytes()));
            assert!(child.entry.is_none_or(|entry| inside(bytes, entry.data)));
        }
    }
    (entries, end)
}
