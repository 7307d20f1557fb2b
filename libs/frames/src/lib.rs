//! The bit logic of the physical frame allocator.
//!
//! Physical memory is handed out in 4 KiB frames, one bit per frame: 1 means
//! taken, 0 means free. A bitmap was chosen over a free list because it
//! needs no memory of its own beyond one slice carved at boot (the heap does
//! not exist yet), it finds aligned runs of frames for `allocate_contiguous`
//! by looking at neighbouring bits, and it can be dumped while debugging. A
//! free list threads its links through the free frames themselves: O(1) per
//! call, but it cannot find an aligned run, and it cannot tell a double free
//! from a good one without walking the whole list.
//!
//! The kernel's side (`kernel/src/memory/frames.rs`) needs a few lines: ask
//! [`FrameBitmap::bytes_needed`] how much storage the map needs, carve that
//! from a usable region through the HHDM, hand it to [`FrameBitmap::new`]
//! with the usable regions of the Limine memory map, then
//! [`FrameBitmap::reserve`] the frames the storage itself occupies. Everything
//! here is safe Rust over `&mut [u64]`, so `cargo test -p frames` checks it.
//!
//! Rank 4. `paging` and `heap` draw frames from it.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod allocate;
mod bitmap;
mod error;
mod words;

pub use bitmap::FrameBitmap;
pub use error::{FrameInUse, FreeError, StorageTooSmall};

/// Size of one physical frame: the x86-64 base page (Intel SDM Vol. 3A,
/// 4.5 "4-Level Paging": a PTE maps 4 KiB).
pub const FRAME_BYTES: u64 = 4096;

#[cfg(test)]
mod tests;
