//! Fixtures for the tests: memory maps and an independent idea of "usable".
//!
//! The maps imitate what Limine reports on QEMU — low memory ending below
//! the EBDA, a hole for the legacy video and BIOS area, then regions whose
//! edges do not fall on frame boundaries — at a size where every frame can
//! be checked one by one.

mod allocate;
mod contiguous;
mod free;
mod random;
mod reserve;
mod small_maps;
mod storage;

use crate::{FRAME_BYTES, FrameBitmap};
use std::collections::BTreeSet;

/// `(base address, length in bytes)` pairs, as the kernel reads them from
/// the usable entries of Limine's memory map.
pub type Regions = [(u64, u64)];

/// Usable memory on a small QEMU-like machine: 1,250 whole frames.
pub const QEMU_LIKE_MAP: [(u64, u64); 4] = [
    (0x1000, 0x9_ec00),     // ends mid-frame, below the EBDA at 0x9fc00
    (0x10_0000, 0x30_0000), // 1 MiB to 4 MiB
    (0x50_0800, 0x10_0000), // starts and ends mid-frame
    (0x80_0000, 0x4_5000),
];

/// Storage for a bitmap over `regions`, exactly as large as `bytes_needed` says.
pub fn storage_for(regions: &Regions) -> Vec<u64> {
    let top_address = regions.iter().map(|&(base, length)| base + length).max().unwrap_or(0);
    vec![0; FrameBitmap::bytes_needed(top_address) / size_of::<u64>()]
}

/// The addresses of the whole frames inside `regions`, worked out frame by
/// frame rather than with the library's rounding.
pub fn usable_addresses(regions: &Regions) -> BTreeSet<u64> {
    let top_address = regions.iter().map(|&(base, length)| base + length).max().unwrap_or(0);
    (0..top_address / FRAME_BYTES)
        .map(|frame| frame * FRAME_BYTES)
        .filter(|&address| {
            regions.iter().any(|&(base, length)| base <= address && address + FRAME_BYTES <= base + length)
        })
        .collect()
}

/// Allocates until the bitmap runs dry, returning every address in order.
pub fn allocate_all(bitmap: &mut FrameBitmap) -> Vec<u64> {
    std::iter::from_fn(|| bitmap.allocate()).collect()
}
