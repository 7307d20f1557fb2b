//! Walking the MADT's entries without trusting their lengths.
//!
//! Each entry's length byte is the only way to find the next entry, so a
//! corrupt one decides where parsing goes: a length of 0 would revisit the
//! same entry forever, and a length running past the table would read
//! whatever follows it in memory. The walk therefore checks every step
//! against the table's end, yields an error for the first bad entry, and
//! then stops for good: after a bad length there is no trustworthy place to
//! resume.

use crate::Error;
use crate::madt::entry::{ENTRY_HEADER_BYTES, Entry};

/// Iterator over the entries of a verified MADT, in table order. Yields at
/// most one `Err`, as its last item.
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    /// The whole MADT, so offsets match a hex dump of the table.
    table: &'a [u8],
    offset: usize,
    stopped: bool,
}

impl<'a> Entries<'a> {
    /// Walks `table` (the whole MADT) from `first_entry_offset`.
    pub(crate) fn new(table: &'a [u8], first_entry_offset: usize) -> Entries<'a> {
        Entries { table, offset: first_entry_offset, stopped: false }
    }

    fn next_entry(&mut self) -> Option<Result<Entry, Error>> {
        let offset = self.offset;
        let rest = self.table.get(offset..).filter(|rest| !rest.is_empty())?;
        let entry_type = rest[0];

        // The type and length bytes themselves must fit...
        let Some(&length) = rest.get(1) else {
            return Some(Err(Error::MadtEntryOverrun {
                offset,
                entry_type,
                needed: ENTRY_HEADER_BYTES,
                remaining: rest.len(),
            }));
        };
        // ...then a length that moves forward and stays inside the table...
        if length == 0 {
            return Some(Err(Error::MadtEntryZeroLength { offset, entry_type }));
        }
        let Some(entry) = rest.get(..usize::from(length)) else {
            let needed = usize::from(length);
            return Some(Err(Error::MadtEntryOverrun { offset, entry_type, needed, remaining: rest.len() }));
        };
        // ...and enough bytes for the fields of its type.
        self.offset = offset + entry.len();
        Some(Entry::parse(entry).map_err(|minimum| Error::MadtEntryTooShort { offset, entry_type, length, minimum }))
    }
}

impl Iterator for Entries<'_> {
    type Item = Result<Entry, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped {
            return None;
        }
        let item = self.next_entry();
        self.stopped = !matches!(item, Some(Ok(_)));
        item
    }
}

impl core::iter::FusedIterator for Entries<'_> {}
