//! One member of the archive, borrowed from the archive's bytes.

use crate::path::Path;
use core::fmt;

/// What an entry is, from its typeflag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `'0'`, `'\0'` (pre-POSIX) or `'7'` (contiguous, read as regular).
    File,
    /// `'5'`, or a pre-POSIX `'\0'` whose name ends in `/`.
    Directory,
    /// Anything else, with its typeflag: `'1'` hard link, `'2'` symbolic
    /// link, `'3'`/`'4'` devices, `'6'` FIFO, and extensions such as GNU's
    /// `'L'` long name. Listed like any entry, never an error.
    Other(u8),
}

/// A header that passed every check, and the data after it.
///
/// Nothing is copied: `name`, `prefix` and `data` point into the archive.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Byte offset of the header from the start of the archive; the data
    /// starts 512 bytes later.
    pub offset: usize,
    pub kind: Kind,
    /// Length of `data` in bytes.
    pub size: u64,
    /// Permission bits as stored, such as `0o644`.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Seconds since the Unix epoch.
    pub mtime: u64,
    /// The name field as stored: directories usually end in `/`.
    pub name: &'a str,
    /// The prefix field as stored: empty unless the path was longer than the
    /// 100 bytes of `name` (always empty under the old GNU magic).
    pub prefix: &'a str,
    /// The `size` bytes after the header, without the padding.
    pub data: &'a [u8],
}

impl<'a> Entry<'a> {
    /// The full path, prefix and name joined, without a leading `./` or a
    /// trailing `/`.
    pub fn path(&self) -> Path<'a> {
        Path::new(self.prefix, self.name)
    }
}

/// Shows the length of `data` instead of every byte of it.
impl fmt::Debug for Entry<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Entry")
            .field("offset", &self.offset)
            .field("kind", &self.kind)
            .field("size", &self.size)
            .field("mode", &format_args!("{:#o}", self.mode))
            .field("uid", &self.uid)
            .field("gid", &self.gid)
            .field("mtime", &self.mtime)
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("data", &format_args!("[{} bytes]", self.data.len()))
            .finish()
    }
}
