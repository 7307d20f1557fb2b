//! Memory: from the bootloader's map to frames the kernel hands out.
//!
//! First a census of the Limine memory map, per type. Then the physical
//! frame allocator: a bitmap with a bit per 4 KiB frame (two, in fact:
//! taken and usable), kept in usable memory found at boot, because it must
//! exist before any heap does and can be checked in one glance while
//! debugging. The bit logic is `libs/frames`, tested on the host; this
//! module carves its storage, reaches it through the HHDM, and keeps the
//! one allocator behind a lock.
//!
//! Rank 4 (in progress: census and frames; paging and the heap follow).

pub mod census;
pub mod frames;

use core::sync::atomic::{AtomicU64, Ordering};

use crate::boot::BootInfo;

static KERNEL_PHYSICAL_BASE: AtomicU64 = AtomicU64::new(0);

/// Brings memory management up as far as this rank has it.
pub fn init(boot: &BootInfo) {
    if let Some((physical, _)) = boot.kernel_address {
        KERNEL_PHYSICAL_BASE.store(physical, Ordering::Relaxed);
    }
    census::print(boot);
    frames::init(boot);
}

/// Where the kernel image starts in physical memory.
pub fn kernel_physical_base() -> u64 {
    KERNEL_PHYSICAL_BASE.load(Ordering::Relaxed)
}
