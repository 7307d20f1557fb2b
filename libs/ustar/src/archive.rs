//! The archive as a whole: walking its headers, and looking paths up.
//!
//! There is no index to build. Every question is answered by walking the
//! headers from the start, which costs one checksum per entry and no
//! memory: fine for a vault of a few dozen files, and it means an
//! [`Archive`] is only a slice and can be copied around freely.

use crate::entry::{Entry, Kind};
use crate::error::Error;
use crate::header::{Step, step};
use crate::path::Path;
use core::fmt;
use core::iter::FusedIterator;

/// A USTAR archive in memory, such as a boot module.
///
/// Creating one checks nothing; the headers are checked as they are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Archive<'a> {
    bytes: &'a [u8],
}

/// How a walk through the headers stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The proper end: a zero block followed by a second one, or by nothing
    /// but zeros up to the end of the data.
    ZeroBlocks,
    /// A zero block followed by more data. tar stops there too (GNU tar
    /// warns about "a lone zero block"), so whatever follows is not read.
    LoneZeroBlock,
    /// The data ran out where a header should start, without an end marker:
    /// every entry was whole, but the archive may have been cut short.
    EndOfData,
    /// A header was refused. The entries before it are good; none after it
    /// can be found, because only a header says where the next one starts.
    Error(Error),
}

impl End {
    /// Whether the archive ended with its end marker.
    pub fn is_terminated(&self) -> bool {
        matches!(self, Self::ZeroBlocks)
    }
}

/// What one walk through every header found: what the kernel prints at
/// boot, and the part of the archive it can trust afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary<'a> {
    /// How many good entries, of every kind.
    pub entries: usize,
    pub end: End,
    /// The archive cut just before the first refused header, or the whole
    /// archive when none was refused. Walking it finds the same good entries
    /// and no error, so lookups in it cannot fail.
    pub trusted: Archive<'a>,
}

impl<'a> Archive<'a> {
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// The whole archive, as given to [`Archive::new`].
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Every entry in archive order. After an `Err` the iterator ends.
    pub fn entries(&self) -> Entries<'a> {
        Entries { bytes: self.bytes, offset: 0, end: None }
    }

    /// Walks every header once and reports what it found.
    pub fn summary(&self) -> Summary<'a> {
        let mut walk = self.entries();
        let entries = walk.by_ref().filter(Result::is_ok).count();
        let end = walk.end().unwrap_or(End::EndOfData);
        let trusted = match end {
            End::Error(error) => Archive::new(self.bytes.get(..error.offset).unwrap_or_default()),
            _ => *self,
        };
        Summary { entries, end, trusted }
    }

    /// The entry at `path`, normalised as [`Path`] does. A `path` ending in
    /// `/` only finds a directory. When an archive holds the same path more
    /// than once, the last one counts, as it does for tar, which extracts
    /// them in order.
    ///
    /// A directory that has no entry of its own (see [`Archive::children`])
    /// is not found; ask [`Archive::is_directory`]. The whole archive is
    /// walked, and a refused header anywhere is returned as the error.
    pub fn find(&self, path: &str) -> Result<Option<Entry<'a>>, Error> {
        let wanted = Path::from(path);
        let directory_only = path.ends_with('/');
        let mut found = None;
        for entry in self.entries() {
            let entry = entry?;
            if entry.path() == wanted && (!directory_only || entry.kind == Kind::Directory) {
                found = Some(entry);
            }
        }
        Ok(found)
    }

    /// Whether `path` is a directory: the root, a directory entry, or the
    /// parent of any entry. Returns as soon as it knows; a refused header
    /// met before then is the error.
    pub fn is_directory(&self, path: &str) -> Result<bool, Error> {
        let wanted = Path::from(path);
        if wanted.is_empty() {
            return Ok(true);
        }
        for entry in self.entries() {
            let entry = entry?;
            let path = entry.path();
            if (path == wanted && entry.kind == Kind::Directory) || path.child_of(&wanted).is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The direct children of `directory` (`""` for the root), each once,
    /// in the order the archive first mentions them.
    ///
    /// tar does not need an entry for a directory to hold files in it:
    /// `tar cf vault.tar docs/nested/note.txt` stores only the file. Such a
    /// directory is still listed, as a [`Child`] without an entry. Finding
    /// those without a heap means walking the archive again for each
    /// candidate, so a listing costs O(entries²) header reads.
    pub fn children<'p>(&self, directory: &'p str) -> Children<'a, 'p> {
        Children { archive: *self, directory: Path::from(directory), walk: self.entries() }
    }
}

/// Shows the archive's length, not its bytes.
impl fmt::Debug for Archive<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Archive({} bytes)", self.bytes.len())
    }
}

/// The entries of an [`Archive`], from [`Archive::entries`].
///
/// Each call reads one header and moves at least one block on, so a walk
/// over `n` bytes yields at most `n / 512 + 1` items, whatever the bytes are.
#[derive(Clone)]
pub struct Entries<'a> {
    bytes: &'a [u8],
    offset: usize,
    end: Option<End>,
}

impl Entries<'_> {
    /// How the walk stopped, once it has; `None` while it goes on.
    pub fn end(&self) -> Option<End> {
        self.end
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.end.is_some() {
            return None;
        }
        match step(self.bytes, self.offset) {
            Step::Entry(entry, next) => {
                self.offset = next;
                Some(Ok(entry))
            }
            Step::End(end) => {
                self.end = Some(end);
                None
            }
            Step::Error(error) => {
                self.end = Some(End::Error(error));
                Some(Err(error))
            }
        }
    }
}

impl FusedIterator for Entries<'_> {}

impl fmt::Debug for Entries<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Entries").field("offset", &self.offset).field("end", &self.end).finish()
    }
}

/// One name in a directory listing, from [`Archive::children`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Child<'a> {
    /// The child's own name: one path component, without slashes.
    pub name: &'a str,
    /// The child's entry (the last one, if the archive repeats it), or
    /// `None` for a directory the archive only implies by holding paths
    /// below it.
    pub entry: Option<Entry<'a>>,
}

impl Child<'_> {
    /// The entry's kind; an implied directory is a [`Kind::Directory`].
    pub fn kind(&self) -> Kind {
        self.entry.map_or(Kind::Directory, |entry| entry.kind)
    }
}

/// The children of a directory, from [`Archive::children`]. After an `Err`
/// the iterator ends.
#[derive(Clone, Debug)]
pub struct Children<'a, 'p> {
    archive: Archive<'a>,
    directory: Path<'p>,
    walk: Entries<'a>,
}

impl<'a> Children<'a, '_> {
    /// Whether an entry before the header at `offset` lies in or below `name`.
    fn mentioned_before(&self, name: &str, offset: usize) -> bool {
        self.archive
            .entries()
            .map_while(Result::ok)
            .take_while(|entry| entry.offset < offset)
            .any(|entry| entry.path().child_of(&self.directory).is_some_and(|(child, _)| child == name))
    }

    /// The last entry for exactly `directory/name`, searched from the first
    /// entry to mention `name`, at `offset`. A refused header ends the
    /// search; the main walk reports it when it gets there.
    fn last_entry(&self, name: &str, offset: usize) -> Option<Entry<'a>> {
        Entries { bytes: self.archive.bytes, offset, end: None }
            .map_while(Result::ok)
            .filter(|entry| entry.path().child_of(&self.directory) == Some((name, true)))
            .last()
    }
}

impl<'a> Iterator for Children<'a, '_> {
    type Item = Result<Child<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let entry = match self.walk.next()? {
                Ok(entry) => entry,
                Err(error) => return Some(Err(error)),
            };
            let Some((name, _)) = entry.path().child_of(&self.directory) else {
                continue;
            };
            if !self.mentioned_before(name, entry.offset) {
                return Some(Ok(Child { name, entry: self.last_entry(name, entry.offset) }));
            }
        }
    }
}

impl FusedIterator for Children<'_, '_> {}
