//! Why a header was refused, in words the kernel can print as they are.
//!
//! An archive is read front to back, and a header is the only thing that
//! says where the next one starts. So a refused header ends the walk: the
//! [`Error`] names the byte offset of that header (a multiple of 512, the
//! same number `tar tvR` and a hex dump show) and a [`Reason`] precise
//! enough to find the bad byte, like the stored and computed checksums.

use core::fmt;

/// A header the reader refused: where it starts and why.
///
/// Displays as `entry at offset 1024: bad checksum: stored 0o11111, computed 0o11112`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// Byte offset of the refused header from the start of the archive.
    pub offset: usize,
    pub reason: Reason,
}

/// What was wrong with a header, checked in this order: the block must be
/// whole, carry the USTAR magic, have well-formed numeric fields (the
/// checksum field first), match its checksum, have UTF-8 names, and its data
/// must fit in the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Fewer than 512 bytes are left, and they are not all zero.
    TruncatedHeader,
    /// Neither `ustar\0` (POSIX) nor `ustar  \0` (old GNU) at byte 257:
    /// not a USTAR header at all, or an old V7 archive.
    BadMagic,
    /// A numeric field (`"size"`, `"mode"`, `"uid"`, `"gid"`, `"mtime"` or
    /// `"chksum"`) is not octal digits padded with spaces or NULs.
    BadField(&'static str),
    /// A numeric field is in GNU's base-256 encoding (its first byte has the
    /// high bit set), which tar uses for values octal cannot hold, such as
    /// files of 8 GiB and more. The vault never needs one, so it is refused.
    Base256Unsupported(&'static str),
    /// The header's bytes do not add up to the checksum it stores.
    BadChecksum { stored: u32, computed: u32 },
    /// The name or prefix field is not valid UTF-8.
    NameNotUtf8,
    /// The header promises `size` bytes of data, but only `available` follow it.
    DataPastEnd { size: u64, available: usize },
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "entry at offset {}: {}", self.offset, self.reason)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TruncatedHeader => formatter.write_str("header cut short: the archive ends inside it"),
            Self::BadMagic => formatter.write_str("bad magic: not a USTAR header"),
            Self::BadField(field) => write!(formatter, "bad {field} field"),
            Self::Base256Unsupported(field) => {
                write!(formatter, "bad {field} field: GNU base-256 numbers are not supported")
            }
            Self::BadChecksum { stored, computed } => {
                write!(formatter, "bad checksum: stored {stored:#o}, computed {computed:#o}")
            }
            Self::NameNotUtf8 => formatter.write_str("name is not UTF-8"),
            Self::DataPastEnd { size, available } => write!(
                formatter,
                "entry data runs past the end of the archive ({size} bytes promised, {available} left)"
            ),
        }
    }
}

impl core::error::Error for Error {}
