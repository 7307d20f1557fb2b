//! The kernel ELF as a load plan: which bytes go where, with which rights.
//!
//! Limine loads a static (ET_EXEC) x86-64 kernel at its link address, which
//! the protocol requires to be at or above `0xffffffff80000000` (PROTOCOL.md,
//! "Entry memory layout"), into one physically contiguous block, and maps
//! each PT_LOAD segment with its own permissions. testboot does the same,
//! and refuses, with a reason, what it does not do: relocatable kernels
//! (ET_DYN or any PT_DYNAMIC segment: no relocations are applied), PT_INTERP,
//! and segments that are malformed, overlap, or would force two permission
//! sets onto one page.
//!
//! Parsing is by hand over the byte slice so every refusal can say exactly
//! what was wrong; `read` holds the byte-level accessors, `error` the reasons.

mod error;
mod read;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use core::ops::Range;

pub use error::ElfError;
use read::{FileHeader, ProgramHeader};

use crate::{PAGE_SIZE, align_down, align_up};

/// The lowest address the Limine protocol loads a kernel at.
pub const HIGHER_HALF_BASE: u64 = 0xffff_ffff_8000_0000;

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
/// The bits of `p_flags` that are permissions (R, W, X).
const PERMISSION_BITS: u32 = 0b111;

/// One PT_LOAD segment to copy and map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Position in the program header table, as `readelf -l` numbers it.
    pub header_index: usize,
    pub vaddr: u64,
    pub memsz: u64,
    /// Bytes of the file copied to `vaddr`; the rest up to `memsz` is zero.
    pub file_range: Range<usize>,
    /// `p_flags`: PF_X = 1, PF_W = 2, PF_R = 4.
    pub flags: u32,
}

impl Segment {
    pub fn writable(&self) -> bool {
        self.flags & PF_W != 0
    }

    pub fn executable(&self) -> bool {
        self.flags & PF_X != 0
    }

    /// The pages the segment touches, as virtual addresses.
    pub fn page_range(&self) -> Range<u64> {
        let end = self.vaddr + self.memsz; // checked in `LoadPlan::parse`
        align_down(self.vaddr, PAGE_SIZE)..align_up(end, PAGE_SIZE).unwrap_or(u64::MAX)
    }
}

/// Where the kernel goes: one contiguous image from `virtual_base`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadPlan {
    /// `e_entry`.
    pub entry: u64,
    /// Page-aligned start of the lowest segment.
    pub virtual_base: u64,
    /// Page-aligned size of the whole image, gaps included.
    pub image_bytes: u64,
    /// Physical alignment the image needs: the largest `p_align`, at least
    /// one page (Limine aligns the allocation the same way).
    pub alignment: u64,
    /// Sorted by address.
    pub segments: Vec<Segment>,
}

impl LoadPlan {
    /// Checks `file` and plans its loading.
    pub fn parse(file: &[u8]) -> Result<Self, ElfError> {
        let header = FileHeader::read(file)?;
        let program_headers = header.program_headers(file)?;
        if program_headers.iter().any(|header| header.kind == PT_DYNAMIC) {
            return Err(ElfError::Dynamic);
        }
        if program_headers.iter().any(|header| header.kind == PT_INTERP) {
            return Err(ElfError::Interpreter);
        }

        let mut segments = Vec::new();
        let mut alignment = PAGE_SIZE;
        for (index, program_header) in program_headers.iter().enumerate() {
            if program_header.kind != PT_LOAD || program_header.memsz == 0 {
                continue;
            }
            segments.push(plan_segment(index, program_header, file.len())?);
            if !program_header.align.is_power_of_two() && program_header.align > 1 {
                return Err(ElfError::BadAlignment { index, align: program_header.align });
            }
            alignment = alignment.max(program_header.align);
        }
        if segments.is_empty() {
            return Err(ElfError::NoLoadableSegments);
        }
        segments.sort_by_key(|segment| segment.vaddr);
        check_neighbours(&segments)?;

        let virtual_base = align_down(segments[0].vaddr, PAGE_SIZE);
        let image_end = segments.iter().map(|segment| segment.page_range().end).max().unwrap_or(virtual_base);
        Ok(LoadPlan { entry: header.entry, virtual_base, image_bytes: image_end - virtual_base, alignment, segments })
    }

    /// Whether `vaddr` lies in an executable segment (a sane entry point).
    pub fn is_executable(&self, vaddr: u64) -> bool {
        self.segments
            .iter()
            .any(|segment| segment.executable() && (segment.vaddr..segment.vaddr + segment.memsz).contains(&vaddr))
    }

    /// Offset of `vaddr` from the start of the loaded image, if inside it.
    pub fn image_offset(&self, vaddr: u64) -> Option<u64> {
        let offset = vaddr.checked_sub(self.virtual_base)?;
        (offset < self.image_bytes).then_some(offset)
    }
}

/// The file range of section `name` (e.g. `.limine_reqs`), if the file has
/// section headers and such a section.
pub fn find_section(file: &[u8], name: &str) -> Result<Option<Range<usize>>, ElfError> {
    FileHeader::read(file)?.find_section(file, name.as_bytes())
}

fn plan_segment(index: usize, header: &ProgramHeader, file_len: usize) -> Result<Segment, ElfError> {
    if header.filesz > header.memsz {
        return Err(ElfError::FileSizeExceedsMemorySize { index });
    }
    if header.vaddr < HIGHER_HALF_BASE {
        return Err(ElfError::LowerHalf { index, vaddr: header.vaddr });
    }
    if header.vaddr.checked_add(header.memsz).and_then(|end| align_up(end, PAGE_SIZE)).is_none() {
        return Err(ElfError::AddressOverflow { index });
    }
    let start = usize::try_from(header.offset).ok();
    let end = start.zip(usize::try_from(header.filesz).ok()).and_then(|(start, size)| start.checked_add(size));
    let (Some(start), Some(end)) = (start, end) else {
        return Err(ElfError::SegmentOutsideFile { index });
    };
    if end > file_len {
        return Err(ElfError::SegmentOutsideFile { index });
    }
    Ok(Segment {
        header_index: index,
        vaddr: header.vaddr,
        memsz: header.memsz,
        file_range: start..end,
        flags: header.flags,
    })
}

/// Segments may neither overlap nor share a page with different rights
/// (a page has one set of permissions). `segments` is sorted by address.
fn check_neighbours(segments: &[Segment]) -> Result<(), ElfError> {
    for (position, segment) in segments.iter().enumerate() {
        for later in &segments[position + 1..] {
            let (first, second) = (segment.header_index, later.header_index);
            if later.vaddr < segment.vaddr + segment.memsz {
                return Err(ElfError::Overlap { first, second });
            }
            let shares_page = later.page_range().start < segment.page_range().end;
            if shares_page && (segment.flags & PERMISSION_BITS) != (later.flags & PERMISSION_BITS) {
                return Err(ElfError::MixedPermissionsInPage { first, second });
            }
        }
    }
    Ok(())
}
