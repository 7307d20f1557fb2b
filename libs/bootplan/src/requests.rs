//! Finds the kernel's Limine requests and base revision tag in its image.
//!
//! A request is an 8-byte-aligned struct starting with a 4-word ID whose
//! first two words are the common magic; the base revision tag is three
//! words, two of magic and the revision wanted (PROTOCOL.md, "Base protocol
//! revisions", "Features"). The bootloader looks for both in the loaded
//! image, only between the last start marker and the first end marker when
//! the kernel has them ("Requests Delimiters"; binding from revision 2,
//! honoured always, as Limine 8.2 does). A kernel asking for revision 0 may
//! instead list its requests in a `.limine_reqs` section
//! ([`RequestScan::from_pointer_list`]).
//!
//! The scan works on offsets into the image so it can run on the host; the
//! firmware side turns offsets into addresses to write responses through.

#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use core::fmt;

/// First two words of every request ID.
pub const COMMON_MAGIC: [u64; 2] = [0xc7b1dd30df4c8b88, 0x0a82e883a194f07b];
/// First two words of the base revision tag.
pub const BASE_REVISION_MAGIC: [u64; 2] = [0xf9562b2d5c95a6c8, 0x6a7b384944536bdc];
pub const START_MARKER: [u64; 4] = [0xf6b8f4b39de7d1ae, 0xfab91a6940fcb9cf, 0x785c6ed015d3e316, 0x181e920a7852b9d9];
pub const END_MARKER: [u64; 2] = [0xadc0e0531bb10d03, 0x9572709f31764c62];
/// The newest base revision Limine 8.2 (and testboot) implements.
pub const HIGHEST_BASE_REVISION: u64 = 2;

/// Bytes every request has: `id[4]`, `revision`, `response`.
const REQUEST_HEADER_BYTES: usize = 48;
/// Bytes of the base revision tag.
const BASE_REVISION_TAG_BYTES: usize = 24;

/// A request found at `offset` bytes into the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoundRequest {
    pub offset: usize,
    pub id: [u64; 4],
    pub revision: u64,
}

impl FoundRequest {
    /// Offset of the `response` pointer the bootloader fills in.
    pub fn response_offset(&self) -> usize {
        self.offset + 40
    }
}

/// The base revision tag at `offset`, and the revision it asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseRevisionTag {
    pub offset: usize,
    pub requested: u64,
}

/// Why the requests cannot be honoured; Limine refuses to boot these too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanError {
    DuplicateRequest { id: [u64; 2] },
    DuplicateBaseRevisionTag,
    ListedRequestOutsideImage { address: u64 },
}

impl fmt::Display for ScanError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateRequest { id } => {
                write!(formatter, "the kernel has two requests with ID {:#018x} {:#018x}", id[0], id[1])
            }
            Self::DuplicateBaseRevisionTag => write!(formatter, "the kernel has two base revision tags"),
            Self::ListedRequestOutsideImage { address } => {
                write!(
                    formatter,
                    ".limine_reqs lists {address:#x}, which is not an 8-byte-aligned request inside the image"
                )
            }
        }
    }
}

/// What the kernel image asks of the bootloader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestScan {
    pub base_revision_tag: Option<BaseRevisionTag>,
    pub requests: Vec<FoundRequest>,
}

impl RequestScan {
    /// Scans `image` (the loaded kernel, from its first byte) at 8-byte
    /// steps, honouring the markers as Limine 8.2 does: a start marker
    /// forgets everything found before it; the first end marker stops.
    pub fn scan(image: &[u8]) -> Result<Self, ScanError> {
        let mut scan = RequestScan::default();
        for offset in (0..image.len()).step_by(8) {
            if words_match(image, offset, &START_MARKER) {
                scan = RequestScan::default();
            } else if words_match(image, offset, &END_MARKER) {
                break;
            } else if words_match(image, offset, &BASE_REVISION_MAGIC)
                && offset + BASE_REVISION_TAG_BYTES <= image.len()
            {
                if scan.base_revision_tag.is_some() {
                    return Err(ScanError::DuplicateBaseRevisionTag);
                }
                scan.base_revision_tag = Some(BaseRevisionTag { offset, requested: word(image, offset + 16) });
            } else if words_match(image, offset, &COMMON_MAGIC) && offset + REQUEST_HEADER_BYTES <= image.len() {
                scan.push(request_at(image, offset))?;
            }
        }
        Ok(scan)
    }

    /// For base revision 0 with a `.limine_reqs` section: the requests are
    /// the section's NULL-terminated list of pointers (virtual addresses),
    /// replacing the scanned ones (PROTOCOL.md, "Limine Requests Section").
    pub fn from_pointer_list(self, image: &[u8], virtual_base: u64, list: &[u8]) -> Result<Self, ScanError> {
        let mut scan = RequestScan { base_revision_tag: self.base_revision_tag, requests: Vec::new() };
        for address in list.chunks_exact(8).map(|bytes| word(bytes, 0)).take_while(|&address| address != 0) {
            let offset = address.checked_sub(virtual_base).and_then(|offset| usize::try_from(offset).ok());
            match offset {
                Some(offset) if offset % 8 == 0 && offset + REQUEST_HEADER_BYTES <= image.len() => {
                    scan.push(request_at(image, offset))?;
                }
                _ => return Err(ScanError::ListedRequestOutsideImage { address }),
            }
        }
        Ok(scan)
    }

    /// The base revision the kernel is booted with: what the tag asks for
    /// when supported, the highest supported otherwise, 0 without a tag.
    pub fn base_revision(&self) -> u64 {
        self.base_revision_tag.map_or(0, |tag| tag.requested.min(HIGHEST_BASE_REVISION))
    }

    /// Where to write 0 to tell the kernel its revision is supported: the
    /// tag's third word, when the revision asked for is one testboot has.
    /// An unsupported request stays unchanged, and the kernel can tell.
    pub fn supported_marker_offset(&self) -> Option<usize> {
        let tag = self.base_revision_tag?;
        (tag.requested <= HIGHEST_BASE_REVISION).then_some(tag.offset + 16)
    }

    /// The request with ID `id`, if the kernel made it.
    pub fn find(&self, id: &[u64; 4]) -> Option<&FoundRequest> {
        self.requests.iter().find(|request| request.id[2..] == id[2..])
    }

    fn push(&mut self, request: FoundRequest) -> Result<(), ScanError> {
        if self.find(&request.id).is_some() {
            return Err(ScanError::DuplicateRequest { id: [request.id[2], request.id[3]] });
        }
        self.requests.push(request);
        Ok(())
    }
}

fn request_at(image: &[u8], offset: usize) -> FoundRequest {
    let id = [word(image, offset), word(image, offset + 8), word(image, offset + 16), word(image, offset + 24)];
    FoundRequest { offset, id, revision: word(image, offset + 32) }
}

fn words_match(image: &[u8], offset: usize, expected: &[u64]) -> bool {
    offset + expected.len() * 8 <= image.len()
        && expected.iter().enumerate().all(|(index, &value)| word(image, offset + index * 8) == value)
}

/// The little-endian word at `offset`; callers check the bounds.
fn word(bytes: &[u8], offset: usize) -> u64 {
    let mut value = [0; 8];
    value.copy_from_slice(&bytes[offset..offset + 8]);
    u64::from_le_bytes(value)
}
