//! What the kernel finds mapped at entry (PROTOCOL.md, "Entry memory
//! layout" and "Caching / x86-64"), for base revisions 0, 1 and 2:
//!
//! * the kernel's segments at their link addresses, each with its own
//!   rights: writable only with PF_W, no-execute unless PF_X;
//! * the HHDM at `HHDM_OFFSET`: physical 0–4 GiB, plus every memory-map
//!   region above 4 GiB in whole GiBs — except, from revision 1, reserved
//!   and bad memory — read/write/execute, write-back; the framebuffer
//!   write-combining through the PAT (4 KiB pages, PAT index 5);
//! * revision 0 only: the same again identity-mapped, from 0x1000.
//!
//! From revision 1 nothing below the higher half is promised. Limine maps
//! the low 4 GiB only to jump to the higher half, then clears PML4 entries
//! 0–255 before entering the kernel (common/protos/limine_32.asm_x86).
//! testboot identity-maps just its trampoline page, and the trampoline
//! clears the lower half the same way.

use bootplan::{FirmwareRegion, MemoryKind, memory_map::kind_of_efi_type};
use x86_64::structures::paging::PageTableFlags as Flags;

use crate::Error;
use crate::kernel::LoadedKernel;
use crate::memory::Arena;
use crate::paging::{HHDM_OFFSET, PAGE_2M, PAGE_4K, PageTables};

const FOUR_GIB: u64 = 4 << 30;
const ONE_GIB: u64 = 1 << 30;
/// PWT together with the PAT bit of a 4 KiB entry (bit 7) selects PAT
/// entry 5, which the trampoline programs as write-combining.
const WRITE_COMBINING_4K: Flags = Flags::WRITE_THROUGH.union(Flags::HUGE_PAGE);

/// The inputs that decide the mapping.
pub struct Layout<'a> {
    pub kernel: &'a LoadedKernel,
    pub base_revision: u64,
    /// The firmware's memory map shortly before ExitBootServices.
    pub firmware_map: &'a [FirmwareRegion],
    /// Physical start and length of the framebuffer, if any.
    pub framebuffer: Option<(u64, u64)>,
    /// The page the trampoline runs from while switching page tables.
    pub trampoline_page: u64,
    /// CPU features: PAT for write-combining, NX for no-execute.
    pub has_pat: bool,
    pub has_nx: bool,
}

/// Builds the tables; returns the PML4's physical address.
pub fn build(layout: &Layout, arena: &mut Arena) -> Result<u64, Error> {
    let mut tables = PageTables::new(arena)?;
    let identity = layout.base_revision == 0;
    let read_write = Flags::WRITABLE;

    // The kernel image, segment by segment.
    for segment in &layout.kernel.plan.segments {
        let mut flags = Flags::empty();
        if segment.writable() {
            flags |= Flags::WRITABLE;
        }
        if !segment.executable() && layout.has_nx {
            flags |= Flags::NO_EXECUTE;
        }
        for page in segment.page_range().step_by(PAGE_4K as usize) {
            tables.map_4k(arena, page, layout.kernel.physical(page), flags)?;
        }
    }

    // Physical 0–4 GiB, in the HHDM (and, for revision 0, identity-mapped
    // from 0x1000: page 0 stays unmapped to catch null pointers).
    for physical in (0..FOUR_GIB).step_by(PAGE_2M as usize) {
        tables.map_2m(arena, HHDM_OFFSET + physical, physical, read_write)?;
        if identity && physical != 0 {
            tables.map_2m(arena, physical, physical, read_write)?;
        }
    }
    if identity {
        for physical in (PAGE_4K..PAGE_2M).step_by(PAGE_4K as usize) {
            tables.map_4k(arena, physical, physical, read_write)?;
        }
    }

    // Memory-map regions above 4 GiB, rounded out to whole GiBs.
    for region in layout.firmware_map {
        let kind = kind_of_efi_type(region.efi_type);
        if !identity && matches!(kind, MemoryKind::Reserved | MemoryKind::BadMemory) {
            continue;
        }
        let end = region.base.saturating_add(region.pages.saturating_mul(PAGE_4K));
        if end <= FOUR_GIB {
            continue;
        }
        let start = region.base.max(FOUR_GIB) & !(ONE_GIB - 1);
        let end = end.next_multiple_of(ONE_GIB);
        for physical in (start..end).step_by(PAGE_2M as usize) {
            tables.map_2m(arena, HHDM_OFFSET + physical, physical, read_write)?;
            if identity {
                tables.map_2m(arena, physical, physical, read_write)?;
            }
        }
    }

    // The framebuffer again, in small write-combining pages.
    if let Some((base, bytes)) = layout.framebuffer {
        let caching = if layout.has_pat { WRITE_COMBINING_4K } else { Flags::empty() };
        let first = base & !(PAGE_4K - 1);
        let end = (base + bytes).next_multiple_of(PAGE_4K);
        for physical in (first..end).step_by(PAGE_4K as usize) {
            tables.map_4k(arena, HHDM_OFFSET + physical, physical, read_write | caching)?;
            if identity {
                tables.map_4k(arena, physical, physical, read_write | caching)?;
            }
        }
    }

    // The trampoline, identity-mapped so it survives its own CR3 switch.
    tables.map_4k(arena, layout.trampoline_page, layout.trampoline_page, read_write)?;
    Ok(tables.root)
}
