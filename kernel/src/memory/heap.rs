//! The kernel heap: what makes `Box`, `Vec`, `String` and `BTreeMap` work.
//!
//! A region of the kernel half (`layout::HEAP_START`) is mapped page by
//! page from the frame allocator and handed to `libs/heap`'s `BlockHeap`:
//! power-of-two blocks from 8 B to 2 KiB served from per-size free lists
//! (constant time), everything larger from a first-fit linked list
//! (`linked_list_allocator`). When a request does not fit, the heap grows
//! at its top by mapping more frames, and tries again; only when the frame
//! allocator is out too does the allocation fail (and Rust's
//! `handle_alloc_error` panics).
//!
//! The lock is taken with interrupts off, so an interrupt handler can never
//! spin on a lock its own CPU holds. Handlers still should not allocate.
//!
//! Rank 4.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};

use heap::{BlockHeap, Stats};
use spin::Mutex;
use x86_64::instructions::interrupts;

use super::frames;
use super::layout::{HEAP_MAX_BYTES, HEAP_START};
use super::paging::{PAGE_BYTES, PageTableFlags as Flags, with_kernel_space};
use crate::boot::summary::field;

/// Mapped at boot.
const INITIAL_BYTES: u64 = 256 << 10;
/// The smallest growth step, so a run of small allocations does not map
/// one page at a time.
const GROW_MIN_BYTES: u64 = 256 << 10;

struct Region {
    blocks: BlockHeap,
    /// Bytes mapped from `HEAP_START`.
    mapped: u64,
}

impl Region {
    /// Maps up to `bytes` more at the heap's top and hands them to the
    /// allocator. Returns how many bytes were added (fewer when frames ran
    /// out: what was mapped is still used).
    fn grow(&mut self, bytes: u64) -> u64 {
        let bytes = bytes.next_multiple_of(PAGE_BYTES).min(HEAP_MAX_BYTES - self.mapped);
        let start = HEAP_START + self.mapped;
        let flags = Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE;
        let mut added = 0;
        with_kernel_space(|space| {
            while added < bytes {
                let Some(frame) = frames::allocate() else { break };
                if space.map(start + added, frame, flags).is_err() {
                    frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
                    break;
                }
                added += PAGE_BYTES;
            }
        });
        if added > 0 {
            if self.mapped == 0 {
                // SAFETY: [HEAP_START, HEAP_START + added) was just mapped
                // writable, to frames nothing else owns, and is used by
                // nothing but this allocator from now on.
                unsafe { self.blocks.init(HEAP_START as *mut u8, added as usize) };
            } else {
                // SAFETY: the pages right above the heap's top were just
                // mapped for it alone.
                unsafe { self.blocks.extend(added as usize) };
            }
            self.mapped += added;
        }
        added
    }
}

/// The global allocator: a `BlockHeap` behind a spin lock taken with
/// interrupts disabled.
struct KernelHeap {
    region: Mutex<Region>,
}

#[global_allocator]
static HEAP: KernelHeap = KernelHeap { region: Mutex::new(Region { blocks: BlockHeap::empty(), mapped: 0 }) };

// SAFETY: `alloc` returns blocks of at least `layout.size()` bytes aligned
// to `layout.align()` that no other live allocation overlaps (BlockHeap's
// contract, tested in libs/heap), or null; `dealloc` returns them.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        interrupts::without_interrupts(|| {
            let mut region = self.region.lock();
            if let Some(block) = region.blocks.allocate(layout) {
                return block.as_ptr();
            }
            // Room for the request wherever the top hole begins, plus its
            // alignment.
            let wanted = (layout.size() + layout.align()) as u64;
            if region.grow(wanted.max(GROW_MIN_BYTES)) == 0 {
                return ptr::null_mut();
            }
            region.blocks.allocate(layout).map_or(ptr::null_mut(), NonNull::as_ptr)
        })
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(block) = NonNull::new(block) else { return };
        interrupts::without_interrupts(|| {
            // SAFETY: the caller hands back a block `alloc` returned for
            // this layout (GlobalAlloc's contract).
            unsafe { self.region.lock().blocks.deallocate(block, layout) }
        });
    }
}

/// Maps the first pages of the heap.
pub fn init() {
    let added = interrupts::without_interrupts(|| HEAP.region.lock().grow(INITIAL_BYTES));
    assert!(added > 0, "no frames for the kernel heap");
    field("heap", format_args!("{} KiB mapped at {HEAP_START:#x}, grows on demand", added >> 10));
}

/// The allocator's counters and the bytes mapped.
pub fn stats() -> (Stats, u64) {
    interrupts::without_interrupts(|| {
        let region = HEAP.region.lock();
        (region.blocks.stats(), region.mapped)
    })
}
