//! Fixed-size blocks in front of a linked-list allocator.
//!
//! Each size class of [`CLASSES`] has a free list of blocks of exactly that
//! size. The list needs no memory of its own: a free block is at least 8
//! bytes, enough to hold the pointer to the next free block, so the node
//! lives inside the block it describes. Allocating pops the head, freeing
//! pushes onto it; both are O(1), whatever the heap has been through.
//!
//! When a list is empty, one block of that class is carved from the
//! fallback `linked_list_allocator::Heap`, aligned to its own size, and
//! from then on it belongs to the class for good: freeing it pushes it back
//! onto the class list, never onto the linked list. That is the classic
//! design and its trade-off:
//!
//! - Gain: blocks never need merging or searching, and a workload that
//!   repeats itself finds every block it needs already cached (see below).
//! - Cost: memory never moves between classes: a burst of 100,000 32-byte
//!   allocations keeps 3.2 MB of 32-byte blocks after they are all freed,
//!   and a 64-byte request cannot use any of it. Slab allocators return
//!   whole empty pages to be fair to other classes; this one does not.
//! - Cost: carving one block at a time pays the linked list's costs per block:
//!   its smallest allocation is 16 bytes, so an 8-byte block occupies 16,
//!   and aligning a block to its size may leave a padding hole in front.
//!   Carving a page's worth at once would avoid both, at the price of
//!   holding memory before it is needed.
//! - Cost: a double free is not detected: the block would sit on its list
//!   twice and be handed out twice.
//!
//! Requests larger than the largest class, or aligned more strictly, go
//! straight to the linked list, which merges neighbouring holes on free and
//! so can reuse the space for any size.
//!
//! # Replaying a workload
//!
//! The kernel's leak check replays one allocation sequence and expects the
//! replay to need no new memory. Given identical runs that each succeed
//! completely, with nothing else allocating in between:
//!
//! - After any complete run, every class list holds at least as many blocks
//!   as the run ever had live at once, so no later run carves a block, and
//!   `fallback_used` is the same after every run from the first on.
//! - The linked list keeps its holes sorted and fully merged, so its state
//!   depends only on which ranges are allocated. Every run after the first
//!   therefore starts from the same state, and first-fit places each large
//!   allocation where it did the time before: from the third run on, the
//!   heap never grows.
//! - The second run is the odd one out. The first carved its blocks in
//!   between its large allocations as it went; the second finds them all in
//!   place from the start, meets different holes, and may still grow the
//!   heap (over half of the seeds in the host tests do).
//!
//! So take the "before" reading after two runs, or give the heap all the
//! memory it will need up front.

use crate::class::{CLASSES, class_of};
use core::alloc::Layout;
use core::ptr::NonNull;
use linked_list_allocator::Heap;

/// The free-list node, written into the first bytes of a free block.
struct FreeBlock {
    next: Option<NonNull<FreeBlock>>,
}

// Every block can hold a node: the smallest class fits one, and blocks are
// aligned to their size, which is at least the node's alignment.
const _: () = assert!(size_of::<FreeBlock>() <= CLASSES[0] && align_of::<FreeBlock>() <= CLASSES[0]);

/// Counters describing a [`BlockHeap`], read with [`BlockHeap::stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Stats {
    /// Sum of `layout.size()` over the allocations currently handed out:
    /// what callers asked for, before any rounding.
    pub live_bytes: usize,
    /// Allocations handed out and not yet freed.
    pub live_allocations: usize,
    /// Blocks handed out per class since `init`, cumulative.
    pub served: [u64; CLASSES.len()],
    /// Allocations served by the linked list since `init`, cumulative.
    pub large_served: u64,
    /// Free blocks waiting on each class's list.
    pub cached_blocks: [usize; CLASSES.len()],
    /// Bytes the linked list has handed out: live large allocations plus
    /// every block ever carved, each as the list rounds it (16 bytes at
    /// least, a multiple of 8).
    pub fallback_used: usize,
    /// Bytes the linked list manages: the heap's size so far.
    pub fallback_size: usize,
}

/// A fixed-size-block allocator with a linked-list fallback, over one
/// contiguous region that can grow at its top.
pub struct BlockHeap {
    /// Head of each class's free list.
    heads: [Option<NonNull<FreeBlock>>; CLASSES.len()],
    /// Large allocations, and the source of every block.
    fallback: Heap,
    /// Counters; the fallback's two are filled in by `stats`.
    stats: Stats,
}

// SAFETY: the free-list pointers and the fallback's hole list point only
// into the region handed over by `init` and `extend`, whose callers promised
// it belongs to this heap alone. Nothing outside the heap can reach that
// bookkeeping, so moving the heap to another thread moves the ownership of
// the whole region with it.
unsafe impl Send for BlockHeap {}

impl BlockHeap {
    /// A heap without memory: every allocation fails until
    /// [`BlockHeap::init`]. `const`, so it can sit in a `static` behind a
    /// spin lock.
    pub const fn empty() -> Self {
        Self {
            heads: [None; CLASSES.len()],
            fallback: Heap::empty(),
            stats: Stats {
                live_bytes: 0,
                live_allocations: 0,
                served: [0; CLASSES.len()],
                large_served: 0,
                cached_blocks: [0; CLASSES.len()],
                fallback_used: 0,
                fallback_size: 0,
            },
        }
    }

    /// Hands the heap `size` bytes starting at `start`. The linked list
    /// aligns the start up to 8 and the size down to a multiple of 8.
    ///
    /// # Safety
    ///
    /// Call it once, on an [`BlockHeap::empty`] heap. `[start, start + size)`
    /// must be valid for reads and writes, and must belong to this heap alone
    /// for as long as the heap is used.
    ///
    /// # Panics
    ///
    /// When `size` is too small for the linked list's first hole (16 to 24
    /// bytes, depending on the alignment of `start`).
    pub unsafe fn init(&mut self, start: *mut u8, size: usize) {
        // SAFETY: the caller hands over exclusive use of the region, and
        // this heap has never been initialised.
        unsafe { self.fallback.init(start, size) };
    }

    /// Grows the heap by `by` bytes at its top, for the linked list to hand
    /// out (and to carve blocks from).
    ///
    /// # Safety
    ///
    /// The `by` bytes directly after the current top of the heap (the end of
    /// everything handed over so far) must be valid for reads and writes and
    /// belong to this heap alone, like the region given to `init`.
    ///
    /// # Panics
    ///
    /// When the heap has not been initialised.
    pub unsafe fn extend(&mut self, by: usize) {
        // SAFETY: the caller hands over the bytes just past the current top.
        unsafe { self.fallback.extend(by) };
    }

    /// Allocates `layout.size()` bytes aligned to `layout.align()`, or
    /// returns `None` when the heap has no room (the caller may `extend` it
    /// and try again). A small request pops a block of its class, carving
    /// one from the linked list if the class has none; any other request
    /// goes to the linked list.
    pub fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        let pointer = match class_of(layout) {
            Some(class) => self.take_block(class)?,
            None => {
                let pointer = self.fallback.allocate_first_fit(layout).ok()?;
                self.stats.large_served += 1;
                pointer
            }
        };
        self.stats.live_bytes += layout.size();
        self.stats.live_allocations += 1;
        Some(pointer)
    }

    /// Frees an allocation: a block goes back onto its class's list, a
    /// large allocation back to the linked list.
    ///
    /// # Safety
    ///
    /// `pointer` must have come from [`BlockHeap::allocate`] on this heap
    /// with this same `layout`, and must not have been freed already. The
    /// memory must no longer be used: its first bytes are overwritten.
    pub unsafe fn deallocate(&mut self, pointer: NonNull<u8>, layout: Layout) {
        match class_of(layout) {
            Some(class) => {
                debug_assert!(pointer.addr().get().is_multiple_of(CLASSES[class]), "not a block of this class");
                let block = pointer.cast::<FreeBlock>();
                // SAFETY: the same layout selects the same class, so by the
                // caller's promise `block` is a whole block of that class that
                // nobody uses any more: at least 8 bytes, aligned to its size,
                // enough for a `FreeBlock` (checked at compile time above).
                unsafe { block.write(FreeBlock { next: self.heads[class] }) };
                self.heads[class] = Some(block);
                self.stats.cached_blocks[class] += 1;
            }
            // SAFETY: the same layout selects the linked list, so by the
            // caller's promise it handed out `pointer` for this `layout`.
            None => unsafe { self.fallback.deallocate(pointer, layout) },
        }
        self.stats.live_bytes -= layout.size();
        self.stats.live_allocations -= 1;
    }

    /// The heap's counters at this moment.
    pub fn stats(&self) -> Stats {
        Stats { fallback_used: self.fallback.used(), fallback_size: self.fallback.size(), ..self.stats }
    }

    /// Pops a block of `class`, or carves a new one from the linked list.
    fn take_block(&mut self, class: usize) -> Option<NonNull<u8>> {
        let block = match self.heads[class] {
            Some(head) => {
                // SAFETY: `head` is on the free list, so `deallocate` wrote a
                // `FreeBlock` into it and nobody has used the block since.
                self.heads[class] = unsafe { head.as_ref() }.next;
                self.stats.cached_blocks[class] -= 1;
                head.cast()
            }
            None => {
                let size = CLASSES[class];
                // A block aligned to its size serves every alignment up to it.
                let layout = Layout::from_size_align(size, size).ok()?;
                self.fallback.allocate_first_fit(layout).ok()?
            }
        };
        self.stats.served[class] += 1;
        Some(block)
    }
}
