//! Turns the UEFI memory map into the one Limine hands the kernel.
//!
//! The kernel's frame allocator trusts this map completely: a page typed
//! USABLE will be handed out and overwritten. So everything testboot leaves
//! for the kernel (page tables, responses, GDT, stack) is allocated under a
//! UEFI memory type that converts to BOOTLOADER_RECLAIMABLE, and the kernel
//! image and modules under one that converts to EXECUTABLE_AND_MODULES.
//! UEFI reserves types from 0x8000_0000 up for OS loaders, so testboot
//! allocates with `0x8000_0000 + the Limine type` ([`efi_type_for`]).
//!
//! The result keeps PROTOCOL.md's promises ("Memory Map Feature"): sorted
//! by base; usable and bootloader-reclaimable entries 4 KiB-aligned and
//! overlapping nothing; nothing usable below 0x1000. Overlaps (the
//! framebuffer lying over a firmware range, say) are settled by cutting the
//! usable side; other types may overlap, as the protocol allows.
//!
//! It runs after ExitBootServices, when nothing may be allocated, so it
//! works inside a caller-provided slice (`sort_unstable` needs no heap).

#[cfg(test)]
mod tests;

use core::fmt;

use crate::{PAGE_SIZE, align_down, align_up};

/// Limine's memory-map entry types (PROTOCOL.md, "Memory Map Feature").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u64)]
pub enum MemoryKind {
    #[default]
    Usable = 0,
    Reserved = 1,
    AcpiReclaimable = 2,
    AcpiNvs = 3,
    BadMemory = 4,
    BootloaderReclaimable = 5,
    ExecutableAndModules = 6,
    Framebuffer = 7,
}

/// One entry, laid out exactly as `struct limine_memmap_entry` (three
/// `uint64_t`s), so testboot can build the response in place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemoryRegion {
    pub base: u64,
    pub length: u64,
    pub kind: MemoryKind,
}

/// One UEFI memory descriptor, reduced to what the conversion needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirmwareRegion {
    pub base: u64,
    pub pages: u64,
    pub efi_type: u32,
}

/// The result would not fit in the slice reserved for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapError {
    pub capacity: usize,
}

impl fmt::Display for MapError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "the memory map needs more than the {} entries reserved for it", self.capacity)
    }
}

/// First UEFI memory type reserved for OS loaders (UEFI 2.10, 7.2.1).
const EFI_OS_LOADER_TYPES: u32 = 0x8000_0000;

/// The UEFI memory type testboot allocates with so that the range shows up
/// as `kind` in the final map.
pub const fn efi_type_for(kind: MemoryKind) -> u32 {
    EFI_OS_LOADER_TYPES + kind as u32
}

/// Limine's type for a UEFI memory type. Boot services memory is free once
/// boot services have exited; testboot's own image and pool (loader code and
/// data) stay reclaimable, since responses may point into them.
pub fn kind_of_efi_type(efi_type: u32) -> MemoryKind {
    const BOOTLOADER_RECLAIMABLE: u32 = efi_type_for(MemoryKind::BootloaderReclaimable);
    const EXECUTABLE_AND_MODULES: u32 = efi_type_for(MemoryKind::ExecutableAndModules);
    match efi_type {
        3 | 4 | 7 => MemoryKind::Usable, // boot services code/data, conventional
        1 | 2 | BOOTLOADER_RECLAIMABLE => MemoryKind::BootloaderReclaimable, // loader code/data
        EXECUTABLE_AND_MODULES => MemoryKind::ExecutableAndModules,
        8 => MemoryKind::BadMemory, // unusable: errors were detected in it
        9 => MemoryKind::AcpiReclaimable,
        10 => MemoryKind::AcpiNvs,
        // Reserved, runtime services, MMIO, PAL code, persistent and
        // unaccepted memory, and anything newer or vendor-defined.
        _ => MemoryKind::Reserved,
    }
}

/// Builds Limine's map from the firmware's descriptors plus `overlays`
/// (ranges testboot knows better, such as the framebuffer) into `out`,
/// returning how many entries of `out` are used.
pub fn build(
    firmware: impl IntoIterator<Item = FirmwareRegion>,
    overlays: &[MemoryRegion],
    out: &mut [MemoryRegion],
) -> Result<usize, MapError> {
    let capacity = out.len();
    let mut count = 0;
    let converted = firmware.into_iter().map(|region| MemoryRegion {
        base: region.base,
        length: region.pages.saturating_mul(PAGE_SIZE),
        kind: kind_of_efi_type(region.efi_type),
    });
    for region in converted.chain(overlays.iter().copied()) {
        *out.get_mut(count).ok_or(MapError { capacity })? = region;
        count += 1;
    }

    count = cut_overlaps(out, count)?;
    for region in &mut out[..count] {
        if is_strict(region.kind) {
            shrink_to_pages(region);
        }
    }
    out[..count].sort_unstable_by_key(|region| (region.base, region.kind));
    Ok(merge_neighbours(out, count))
}

/// Usable and bootloader-reclaimable entries carry the protocol's promises
/// of alignment and no overlap.
fn is_strict(kind: MemoryKind) -> bool {
    matches!(kind, MemoryKind::Usable | MemoryKind::BootloaderReclaimable)
}

/// Which of two overlapping entries keeps the overlap: anything beats a
/// strict kind, and reclaimable beats usable (the firmware's view is older).
fn outranks(winner: MemoryKind, loser: MemoryKind) -> bool {
    is_strict(loser)
        && (!is_strict(winner) || (winner == MemoryKind::BootloaderReclaimable && loser == MemoryKind::Usable))
}

/// Cuts every strict entry out of whatever outranks it (or, between equals,
/// out of the earlier entry). A cut through the middle splits the entry;
/// the upper half is appended and checked in its turn.
fn cut_overlaps(regions: &mut [MemoryRegion], mut count: usize) -> Result<usize, MapError> {
    let capacity = regions.len();
    let mut index = 0;
    while index < count {
        // Pieces split off below are disjoint from `index`'s remainder and
        // get their own turn as `index`, so checking today's entries suffices.
        let others = count;
        for other in 0..others {
            let (this, that) = (regions[index], regions[other]);
            let overlaps = this.base < end(&that) && that.base < end(&this);
            let yields = outranks(that.kind, this.kind) || (this.kind == that.kind && other < index);
            if other == index || this.length == 0 || that.length == 0 || !overlaps || !is_strict(this.kind) || !yields {
                continue;
            }
            if end(&this) > end(&that) && this.base < that.base {
                let upper = MemoryRegion { base: end(&that), length: end(&this) - end(&that), kind: this.kind };
                *regions.get_mut(count).ok_or(MapError { capacity })? = upper;
                count += 1;
            }
            let region = &mut regions[index];
            if region.base < that.base {
                region.length = that.base - region.base;
            } else {
                let new_base = end(&that).min(end(region));
                region.length = end(region) - new_base;
                region.base = new_base;
            }
        }
        index += 1;
    }
    Ok(count)
}

/// Trims a strict entry inward to whole pages and off page 0.
fn shrink_to_pages(region: &mut MemoryRegion) {
    let start = align_up(region.base, PAGE_SIZE).unwrap_or(u64::MAX).max(PAGE_SIZE);
    let stop = align_down(end(region), PAGE_SIZE);
    *region = MemoryRegion { base: start, length: stop.saturating_sub(start), kind: region.kind };
}

/// Drops empty entries and joins same-kind entries that touch or overlap.
fn merge_neighbours(regions: &mut [MemoryRegion], count: usize) -> usize {
    let mut kept = 0;
    for index in 0..count {
        let region = regions[index];
        if region.length == 0 {
            continue;
        }
        if kept > 0 {
            let last = &mut regions[kept - 1];
            if last.kind == region.kind && region.base <= end(last) {
                last.length = end(last).max(end(&region)) - last.base;
                continue;
            }
        }
        regions[kept] = region;
        kept += 1;
    }
    kept
}

fn end(region: &MemoryRegion) -> u64 {
    region.base.saturating_add(region.length)
}
