//! The allocator logic behind the kernel heap, without the paging.
//!
//! The kernel heap is one contiguous range of virtual memory that starts
//! small and grows at its top when it runs out. Which bytes of that range
//! to hand out is a question of bookkeeping only, so it lives here, where
//! `cargo test -p heap` can run millions of allocations against a plain
//! `std::alloc` arena. The kernel's side (mapping pages, growing the range,
//! the `#[global_allocator]` wrapper behind a spin lock) stays small.
//!
//! Three strategies, from simplest to what the kernel uses:
//!
//! - [`Bump`]: a pointer that only moves forward. Allocation is one add and
//!   one compare, but nothing is reused until every allocation is freed.
//! - `linked_list_allocator::Heap`: free memory kept as a sorted list of
//!   holes, searched first-fit and merged on free. General, but every call
//!   walks the list, and mixed sizes fragment it.
//! - [`BlockHeap`]: free lists of fixed-size blocks (8 B to 2 KiB) in front
//!   of the linked list. Small allocations, by far the most common, become
//!   a push or a pop; larger ones still go to the list. Linux's slab
//!   allocators follow the same idea.
//!
//! [`XorShift64`] is here too: the kernel's stress test and the host tests
//! replay the same pseudo-random allocation pattern from a fixed seed.
//!
//! Rank 4. Draws its memory from pages the kernel maps with frames from `frames`.
#![cfg_attr(not(test), no_std)]

mod block;
mod bump;
mod class;
mod rng;

pub use block::{BlockHeap, Stats};
pub use bump::Bump;
pub use class::{CLASSES, class_of};
pub use rng::XorShift64;

#[cfg(test)]
mod tests;
