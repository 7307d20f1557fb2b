//! The memory map response, reserved before ExitBootServices and filled in
//! from the firmware's final map after it.
//!
//! The final map is the one ExitBootServices was called with, so the
//! response can only be written afterwards — when allocating is no longer
//! possible. Its storage is therefore reserved beforehand with slack for the
//! allocations still to come: the entries (24 bytes each, laid out as
//! `struct limine_memmap_entry`) and the array of pointers to them. The
//! conversion (`bootplan::memory_map`) works inside that storage. The
//! `uefi` crate's `exit_boot_services` retries with a fresh map when the
//! first attempt fails, as UEFI requires, and hands back the final one.

use alloc::vec::Vec;

use bootplan::memory_map::{self, MapError};
use bootplan::{FirmwareRegion, MemoryRegion};
use uefi::boot::{self, MemoryType};
use uefi::mem::memory_map::MemoryMap;

use crate::Error;
use crate::memory::{Arena, hhdm};
use crate::protocol::ListResponse;

/// Storage reserved for the memory map response.
pub struct MemoryMapResponse {
    /// Physical address of the `ListResponse`.
    pub response: u64,
    entries: u64,
    pointers: u64,
    capacity: usize,
}

impl MemoryMapResponse {
    pub fn reserve(arena: &mut Arena, capacity: usize) -> Result<Self, Error> {
        let entries = arena.allocate((capacity * size_of::<MemoryRegion>()) as u64, 8)?;
        let pointers = arena.allocate((capacity * size_of::<u64>()) as u64, 8)?;
        let response = arena.place(ListResponse { revision: 0, count: 0, list: hhdm(pointers) })?;
        Ok(MemoryMapResponse { response, entries, pointers, capacity })
    }

    /// Converts the final firmware map plus `overlays` (the framebuffer)
    /// into the reserved storage and sets the entry count. Allocates
    /// nothing; returns the number of entries.
    pub fn fill(
        &self,
        firmware: impl Iterator<Item = FirmwareRegion>,
        overlays: &[MemoryRegion],
    ) -> Result<usize, MapError> {
        // SAFETY: `entries` and `pointers` were reserved for `capacity`
        // elements each by `reserve`, are 8-byte aligned, zeroed (a valid
        // `MemoryRegion`: base 0, length 0, Usable) and used by nothing else.
        let (entries, pointers) = unsafe {
            (
                core::slice::from_raw_parts_mut(self.entries as *mut MemoryRegion, self.capacity),
                core::slice::from_raw_parts_mut(self.pointers as *mut u64, self.capacity),
            )
        };
        let count = memory_map::build(firmware, overlays, entries)?;
        for (index, pointer) in pointers.iter_mut().take(count).enumerate() {
            *pointer = hhdm(self.entries + (index * size_of::<MemoryRegion>()) as u64);
        }
        // SAFETY: `response` is the `ListResponse` `reserve` placed; nothing
        // else holds a reference to it.
        unsafe { (*(self.response as *mut ListResponse)).count = count as u64 };
        Ok(count)
    }
}

/// One firmware descriptor in `bootplan`'s terms.
pub fn firmware_region(descriptor: &uefi::mem::memory_map::MemoryDescriptor) -> FirmwareRegion {
    FirmwareRegion { base: descriptor.phys_start, pages: descriptor.page_count, efi_type: descriptor.ty.0 }
}

/// The firmware's map now (before ExitBootServices), to size the HHDM and
/// the reservation.
pub fn snapshot() -> Result<Vec<FirmwareRegion>, Error> {
    let map = boot::memory_map(MemoryType::LOADER_DATA)
        .map_err(|error| Error::new(format_args!("cannot read the memory map ({:?})", error.status())))?;
    Ok(map.entries().map(firmware_region).collect())
}
