//! Memory: from the bootloader's map to frames, pages and a heap.
//!
//! In the order they come up:
//! 1. a census of the Limine memory map, per type (`census`);
//! 2. the physical frame allocator, a bitmap kept in usable memory found at
//!    boot (`frames`, bit logic in `libs/frames`);
//! 3. page tables of the kernel's own, W^X, and address spaces that share
//!    the kernel half (`paging`, regions in `layout`);
//! 4. the kernel heap: fixed-size blocks in front of a linked list, grown
//!    from the frame allocator on demand (`heap`, logic in `libs/heap`).
//!
//! Rank 4.

pub mod census;
pub mod frames;
pub mod heap;
pub mod layout;
pub mod paging;

use core::sync::atomic::{AtomicU64, Ordering};

use crate::boot::BootInfo;

static KERNEL_PHYSICAL_BASE: AtomicU64 = AtomicU64::new(0);
static HHDM_OFFSET: AtomicU64 = AtomicU64::new(0);

/// Brings memory management up as far as this rank has it.
pub fn init(boot: &BootInfo) {
    if let Some((physical, _)) = boot.kernel_address {
        KERNEL_PHYSICAL_BASE.store(physical, Ordering::Relaxed);
    }
    let hhdm = boot.hhdm_offset.expect("no HHDM: physical memory is unreachable");
    HHDM_OFFSET.store(hhdm, Ordering::Relaxed);
    census::print(boot);
    frames::init(boot);
    paging::init(boot);
    heap::init();
}

/// Where the kernel image starts in physical memory.
pub fn kernel_physical_base() -> u64 {
    KERNEL_PHYSICAL_BASE.load(Ordering::Relaxed)
}

/// Where physical address 0 appears in the kernel half (the HHDM).
pub fn hhdm_offset() -> u64 {
    HHDM_OFFSET.load(Ordering::Relaxed)
}
