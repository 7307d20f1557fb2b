//! Memory testboot leaves behind for the kernel, typed so the kernel's
//! memory map tells the truth about it.
//!
//! Every page is taken from the firmware with `AllocatePages` under an OS
//! loader memory type that `bootplan::memory_map` converts to the right
//! Limine type: the kernel image and modules become EXECUTABLE_AND_MODULES,
//! and page tables, responses, strings and the stack become
//! BOOTLOADER_RECLAIMABLE (PROTOCOL.md: "All responses and associated data
//! structures are placed in bootloader-reclaimable memory regions"). Small
//! objects come from an [`Arena`] of such pages, so a few dozen responses
//! do not add a few dozen entries to the memory map.
//!
//! UEFI identity-maps all memory, so until the hand-off a physical address
//! is also a pointer. The kernel sees the same bytes at `hhdm(physical)`.

use core::mem::{align_of, size_of};
use core::ptr::NonNull;

use bootplan::memory_map::efi_type_for;
use bootplan::{MemoryKind, PAGE_SIZE, align_up};
use uefi::boot::{self, AllocateType, MemoryType};

use crate::{Error, paging::HHDM_OFFSET};

/// Bytes the arena takes from the firmware at a time.
const ARENA_CHUNK_BYTES: u64 = 64 * 1024;

/// The kernel's view of physical address `physical` (the HHDM).
pub const fn hhdm(physical: u64) -> u64 {
    physical + HHDM_OFFSET
}

/// Zeroed, page-aligned memory of `bytes` (rounded up to whole pages)
/// that the final map will show as `kind`. `below` limits the highest
/// address (exclusive), for memory that must be reachable early.
pub fn allocate_pages(kind: MemoryKind, bytes: u64, below: Option<u64>) -> Result<u64, Error> {
    allocate_typed(MemoryType::custom(efi_type_for(kind)), bytes, below)
}

/// Like [`allocate_pages`] with a UEFI type of the caller's choice.
pub fn allocate_typed(memory_type: MemoryType, bytes: u64, below: Option<u64>) -> Result<u64, Error> {
    let pages = align_up(bytes.max(1), PAGE_SIZE)
        .ok_or_else(|| Error::new(format_args!("cannot allocate {bytes} bytes")))?
        / PAGE_SIZE;
    let placement = match below {
        Some(limit) => AllocateType::MaxAddress(limit - 1),
        None => AllocateType::AnyPages,
    };
    let start = boot::allocate_pages(placement, memory_type, pages as usize).map_err(|error| {
        Error::new(format_args!("out of memory: {pages} pages for {bytes} bytes ({:?})", error.status()))
    })?;
    // SAFETY: the firmware just gave us `pages` whole pages at `start`;
    // nothing else refers to them, and UEFI identity-maps them writable.
    unsafe { start.as_ptr().write_bytes(0, (pages * PAGE_SIZE) as usize) };
    Ok(start.as_ptr() as u64)
}

/// Gives `bytes` (whole pages) at `start` back to the firmware: slack
/// around an over-sized allocation. Failure only wastes the pages.
pub fn free_pages(start: u64, bytes: u64) {
    let Some(pointer) = NonNull::new(start as *mut u8) else { return };
    if bytes >= PAGE_SIZE {
        // SAFETY: the caller passes pages from one of its own allocations
        // that it will not touch again; the firmware accepts sub-ranges.
        let _ = unsafe { boot::free_pages(pointer, (bytes / PAGE_SIZE) as usize) };
    }
}

/// A bump allocator over BOOTLOADER_RECLAIMABLE pages. Nothing is freed:
/// everything it holds is for the kernel.
pub struct Arena {
    next: u64,
    end: u64,
}

impl Arena {
    pub fn new() -> Self {
        Arena { next: 0, end: 0 }
    }

    /// `bytes` of zeroed memory aligned to `align` (a power of two at most
    /// a page). Large requests get pages of their own.
    pub fn allocate(&mut self, bytes: u64, align: u64) -> Result<u64, Error> {
        if bytes > ARENA_CHUNK_BYTES / 4 {
            return allocate_pages(MemoryKind::BootloaderReclaimable, bytes, None);
        }
        let mut start = align_up(self.next, align).unwrap_or(u64::MAX);
        if self.end == 0 || start.saturating_add(bytes) > self.end {
            self.next = allocate_pages(MemoryKind::BootloaderReclaimable, ARENA_CHUNK_BYTES, None)?;
            self.end = self.next + ARENA_CHUNK_BYTES;
            start = self.next;
        }
        self.next = start + bytes;
        Ok(start)
    }

    /// One zeroed 4 KiB page (a page table, say).
    pub fn allocate_page(&mut self) -> Result<u64, Error> {
        self.allocate(PAGE_SIZE, PAGE_SIZE)
    }

    /// Moves `value` into the arena; returns its physical address.
    pub fn place<T>(&mut self, value: T) -> Result<u64, Error> {
        let address = self.allocate(size_of::<T>() as u64, align_of::<T>() as u64)?;
        // SAFETY: `address` is fresh arena memory, aligned for `T` and big
        // enough for it, identity-mapped and referenced by nothing else.
        unsafe { (address as *mut T).write(value) };
        Ok(address)
    }

    /// Copies `values` into the arena; returns the physical address of the
    /// first (or of an empty, aligned spot).
    pub fn place_slice<T: Copy>(&mut self, values: &[T]) -> Result<u64, Error> {
        let address = self.allocate(size_of::<T>() as u64 * values.len() as u64, align_of::<T>() as u64)?;
        // SAFETY: as in `place`, for `values.len()` elements; the source is
        // a live slice that cannot overlap fresh arena memory.
        unsafe { core::ptr::copy_nonoverlapping(values.as_ptr(), address as *mut T, values.len()) };
        Ok(address)
    }

    /// A NUL-terminated copy of `text` (C strings in responses).
    pub fn place_c_string(&mut self, text: &str) -> Result<u64, Error> {
        // The arena hands out zeroed memory, so the terminator is already there.
        let address = self.allocate(text.len() as u64 + 1, 1)?;
        // SAFETY: `text.len() + 1` fresh bytes at `address`, as in `place`.
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), address as *mut u8, text.len()) };
        Ok(address)
    }
}
