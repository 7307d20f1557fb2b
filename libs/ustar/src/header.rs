//! One 512-byte header block, checked field by field before anything in it
//! is believed.
//!
//! The layout is POSIX.1-1988's (see `pax(1)`, "ustar Interchange Format"):
//!
//! | bytes     | field    | bytes     | field                     |
//! |-----------|----------|-----------|---------------------------|
//! | 0..100    | name     | 156       | typeflag                  |
//! | 100..108  | mode     | 157..257  | linkname                  |
//! | 108..116  | uid      | 257..263  | magic, `ustar\0`          |
//! | 116..124  | gid      | 263..265  | version, `00`             |
//! | 124..136  | size     | 265..329  | uname, gname              |
//! | 136..148  | mtime    | 329..345  | devmajor, devminor        |
//! | 148..156  | chksum   | 345..500  | prefix                    |
//!
//! Numbers are ASCII octal, so a header survives any byte order and can be
//! read in a hex dump. Text fields end at the first NUL, or fill the field.
//!
//! The reader checks and keeps name, prefix, mode, uid, gid, size, mtime and
//! typeflag. It does not read linkname, uname, gname or the device numbers,
//! which the vault has no use for; the checksum still covers them. The
//! checksum is the unsigned sum POSIX asks for; some tars of the 1980s
//! summed signed bytes, and their archives with bytes above 127 in a header
//! are refused.

use crate::archive::End;
use crate::entry::{Entry, Kind};
use crate::error::{Error, Reason};
use core::ops::Range;

/// Size of a block: every header is one, and data is padded to whole blocks.
pub const BLOCK_BYTES: usize = 512;

const NAME: Range<usize> = 0..100;
const MODE: Range<usize> = 100..108;
const UID: Range<usize> = 108..116;
const GID: Range<usize> = 116..124;
const SIZE: Range<usize> = 124..136;
const MTIME: Range<usize> = 136..148;
const CHKSUM: Range<usize> = 148..156;
const TYPEFLAG: usize = 156;
/// The magic and the version field after it, read together: old GNU tar
/// writes `ustar ` and ` \0` across both.
const MAGIC_AND_VERSION: Range<usize> = 257..265;
const PREFIX: Range<usize> = 345..500;

/// What the walk finds at one offset.
pub(crate) enum Step<'a> {
    /// A good entry, and where the next header starts (possibly past the end
    /// of the data, when the last entry's padding was cut off).
    Entry(Entry<'a>, usize),
    End(End),
    Error(Error),
}

/// Reads whatever starts at `offset`: a header, the end of the archive, or
/// something that is neither.
pub(crate) fn step(bytes: &[u8], offset: usize) -> Step<'_> {
    let rest = match bytes.get(offset..) {
        Some(rest) if !rest.is_empty() => rest,
        _ => return Step::End(End::EndOfData),
    };
    let Some(header) = rest.first_chunk::<BLOCK_BYTES>() else {
        return if is_zero(rest) {
            Step::End(End::EndOfData)
        } else {
            Step::Error(Error { offset, reason: Reason::TruncatedHeader })
        };
    };
    if is_zero(header) {
        // The end marker is two zero blocks, but tar itself stops at the
        // first one (GNU tar warns about "a lone zero block"), and the record
        // padding after the marker is zeros too.
        let after = &rest[BLOCK_BYTES..];
        let next = &after[..after.len().min(BLOCK_BYTES)];
        return Step::End(if is_zero(next) { End::ZeroBlocks } else { End::LoneZeroBlock });
    }
    match parse(bytes, offset, header) {
        Ok((entry, next)) => Step::Entry(entry, next),
        Err(reason) => Step::Error(Error { offset, reason }),
    }
}

fn parse<'a>(bytes: &'a [u8], offset: usize, header: &'a [u8; BLOCK_BYTES]) -> Result<(Entry<'a>, usize), Reason> {
    let gnu = match &header[MAGIC_AND_VERSION] {
        [b'u', b's', b't', b'a', b'r', 0, _, _] => false,
        b"ustar  \0" => true,
        _ => return Err(Reason::BadMagic),
    };

    // Every numeric field is checked before the checksum, so a size with a
    // letter in it is reported as exactly that even when the checksum also
    // disagrees: the more precise reason wins.
    let stored = small(octal(&header[CHKSUM], "chksum")?, "chksum")?;
    let size = number(&header[SIZE], "size")?;
    let mode = small(number(&header[MODE], "mode")?, "mode")?;
    let uid = small(number(&header[UID], "uid")?, "uid")?;
    let gid = small(number(&header[GID], "gid")?, "gid")?;
    let mtime = number(&header[MTIME], "mtime")?;

    let computed = checksum(header);
    if stored != computed {
        return Err(Reason::BadChecksum { stored, computed });
    }

    let name = text(&header[NAME])?;
    // Old GNU headers keep access and change times where POSIX put the
    // prefix, so there the field is not part of the name.
    let prefix = if gnu { "" } else { text(&header[PREFIX])? };
    let kind = match header[TYPEFLAG] {
        // '7' is a "contiguous file", which POSIX says to read as a regular one.
        b'0' | b'7' => Kind::File,
        // Pre-POSIX tar marked directories only by a trailing slash.
        0 if name.ends_with('/') => Kind::Directory,
        0 => Kind::File,
        b'5' => Kind::Directory,
        other => Kind::Other(other),
    };

    // Every type is followed by `size` bytes of data, as GNU tar reads it.
    let start = offset + BLOCK_BYTES;
    let available = bytes.len() - start;
    let length = usize::try_from(size).ok().filter(|&length| length <= available);
    let Some(length) = length else {
        return Err(Reason::DataPastEnd { size, available });
    };
    let data = &bytes[start..start + length];
    let next = start + length.next_multiple_of(BLOCK_BYTES);
    Ok((Entry { offset, kind, size, mode, uid, gid, mtime, name, prefix, data }, next))
}

/// The checksum POSIX defines: the sum of all 512 bytes as unsigned
/// numbers, with the checksum field itself counted as eight spaces. At most
/// 512 * 255, so it cannot overflow.
pub(crate) fn checksum(header: &[u8; BLOCK_BYTES]) -> u32 {
    header
        .iter()
        .enumerate()
        .map(|(index, &byte)| if CHKSUM.contains(&index) { u32::from(b' ') } else { u32::from(byte) })
        .sum()
}

/// A numeric field that may also be in GNU's base-256 form, which is refused.
fn number(field: &[u8], name: &'static str) -> Result<u64, Reason> {
    match field.first() {
        Some(first) if first & 0x80 != 0 => Err(Reason::Base256Unsupported(name)),
        _ => octal(field, name),
    }
}

/// Octal digits, optionally after leading spaces (old tars right-aligned
/// numbers), then nothing but NULs and spaces. At least one digit. The
/// widest field is 12 bytes, 36 bits, so the value cannot overflow.
fn octal(field: &[u8], name: &'static str) -> Result<u64, Reason> {
    let first_digit = field.iter().position(|&byte| byte != b' ').unwrap_or(field.len());
    let rest = &field[first_digit..];
    let digits = rest.iter().position(|byte| !(b'0'..=b'7').contains(byte)).unwrap_or(rest.len());
    let padding = &rest[digits..];
    if digits == 0 || !padding.iter().all(|&byte| byte == 0 || byte == b' ') {
        return Err(Reason::BadField(name));
    }
    Ok(rest[..digits].iter().fold(0, |value, &digit| value << 3 | u64::from(digit - b'0')))
}

/// The 8-byte fields hold at most eight octal digits, 24 bits.
fn small(value: u64, name: &'static str) -> Result<u32, Reason> {
    u32::try_from(value).map_err(|_| Reason::BadField(name))
}

/// A NUL-terminated text field, or the whole field when it has no NUL.
fn text(field: &[u8]) -> Result<&str, Reason> {
    let length = field.iter().position(|&byte| byte == 0).unwrap_or(field.len());
    core::str::from_utf8(&field[..length]).map_err(|_| Reason::NameNotUtf8)
}

fn is_zero(bytes: &[u8]) -> bool {
    bytes.iter().all(|&byte| byte == 0)
}
