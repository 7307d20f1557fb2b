//! Fixtures for the tests: arenas to run the allocators in, and scripted
//! random workloads replayed against a model of what must be true.
//!
//! An [`Arena`] is a 4 KiB-aligned block from `std::alloc`, like the pages the
//! kernel maps for its heap. A heap built on it borrows the arena mutably,
//! so the borrow checker keeps the memory alive and unshared for as long as
//! the heap hands out pointers into it.

mod bump;
mod classes;
mod grow;
mod placement;
mod random;
mod reuse;
mod rng;
mod rounds;

use crate::{BlockHeap, Bump, CLASSES, XorShift64, class_of};
use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Alignment of every arena: one page, as the kernel's heap start.
pub const ARENA_ALIGN: usize = 4096;

/// Memory from the host allocator, freed when dropped.
pub struct Arena {
    start: NonNull<u8>,
    layout: Layout,
}

impl Arena {
    pub fn new(len: usize) -> Self {
        let layout = Layout::from_size_align(len, ARENA_ALIGN).unwrap();
        assert!(len > 0);
        // SAFETY: the layout has a non-zero size, checked just above.
        let start = unsafe { alloc(layout) };
        let start = NonNull::new(start).unwrap_or_else(|| handle_alloc_error(layout));
        Self { start, layout }
    }

    /// A block heap over the first `initial` bytes, able to grow over the rest.
    pub fn block_heap(&mut self, initial: usize) -> ArenaHeap<'_> {
        assert!(initial <= self.layout.size());
        let mut heap = BlockHeap::empty();
        // SAFETY: the arena is valid for `layout.size()` bytes, and the
        // returned value borrows it mutably, so nothing else uses it and it
        // outlives every pointer the heap hands out through that value.
        unsafe { heap.init(self.start.as_ptr(), initial) };
        ArenaHeap {
            heap,
            start: self.start.addr().get(),
            given: initial,
            capacity: self.layout.size(),
            _arena: PhantomData,
        }
    }

    /// A bump allocator over the whole arena.
    pub fn bump(&mut self) -> ArenaBump<'_> {
        let mut bump = Bump::empty();
        // SAFETY: as in `block_heap`: the whole arena, borrowed mutably.
        unsafe { bump.init(self.start.as_ptr(), self.layout.size()) };
        ArenaBump { bump, start: self.start.addr().get(), len: self.layout.size(), _arena: PhantomData }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: `start` came from `alloc` with this layout, once.
        unsafe { dealloc(self.start.as_ptr(), self.layout) };
    }
}

/// A [`BlockHeap`] over part of an arena, which it can grow into.
pub struct ArenaHeap<'a> {
    pub heap: BlockHeap,
    start: usize,
    /// Bytes handed to the heap so far, through `init` and `extend`.
    given: usize,
    capacity: usize,
    _arena: PhantomData<&'a mut Arena>,
}

impl ArenaHeap<'_> {
    /// Extends the heap by `by` bytes, if the arena has them.
    pub fn grow(&mut self, by: usize) -> bool {
        if self.capacity - self.given < by {
            return false;
        }
        // SAFETY: the bytes right after those given so far lie in the
        // arena, which this value borrows exclusively.
        unsafe { self.heap.extend(by) };
        self.given += by;
        true
    }

    /// Whether `[pointer, pointer + len)` lies in the memory given so far.
    pub fn contains(&self, pointer: NonNull<u8>, len: usize) -> bool {
        let address = pointer.addr().get();
        self.start <= address && address + len <= self.start + self.given
    }

    /// What the kernel's global allocator does: on failure, map `step`
    /// more bytes at the heap's top and retry, until the arena runs out.
    pub fn allocate_growing(&mut self, layout: Layout, step: usize) -> Option<NonNull<u8>> {
        loop {
            if let Some(pointer) = self.heap.allocate(layout) {
                return Some(pointer);
            }
            if !self.grow(step) {
                return None;
            }
        }
    }
}

/// A [`Bump`] over a whole arena.
pub struct ArenaBump<'a> {
    pub bump: Bump,
    pub start: usize,
    pub len: usize,
    _arena: PhantomData<&'a mut Arena>,
}

/// One step of a scripted workload.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Allocate, and fill the allocation with this byte.
    Allocate(Layout, u8),
    /// Free the live allocation at this index of the live list, which is
    /// then `swap_remove`d.
    Free(usize),
}

/// Most allocations alive at once in a script.
const MAX_LIVE: usize = 400;

/// A random layout: sizes 1..=65536 log-uniform-ish (the number of bits is
/// uniform, so every class sees traffic), mostly small alignments, now and
/// then 64 B to 4 KiB.
pub fn random_layout(rng: &mut XorShift64) -> Layout {
    let bits = rng.below(17);
    let size = 1 + rng.below(1 << bits);
    let align = if rng.below(16) == 0 { 64 << rng.below(7) } else { 1 << rng.below(5) };
    Layout::from_size_align(size, align).unwrap()
}

/// `ops` random allocations and frees from `seed`, allocating a little more
/// often than freeing while few allocations are live.
pub fn script(seed: u64, ops: usize) -> Vec<Op> {
    let mut rng = XorShift64::new(seed);
    let mut live = 0;
    (0..ops)
        .map(|_| {
            let allocate = live == 0 || (live < MAX_LIVE && rng.below(100) < 55);
            if allocate {
                live += 1;
                Op::Allocate(random_layout(&mut rng), rng.next_u64() as u8)
            } else {
                live -= 1;
                Op::Free(rng.below(live + 1))
            }
        })
        .collect()
}

/// An allocation handed out and not yet freed.
#[derive(Clone, Copy, Debug)]
struct Live {
    pointer: NonNull<u8>,
    layout: Layout,
    fill: u8,
}

/// Bytes the linked list charges for an allocation of `size` bytes: at
/// least 16, rounded up to a multiple of 8 (`HoleList::align_layout`).
fn fallback_charge(size: usize) -> usize {
    size.max(16).next_multiple_of(8)
}

/// What the heap must look like, kept independently of it.
#[derive(Default)]
pub struct Model {
    live: Vec<Live>,
    /// `start -> end` of every live allocation, to catch overlaps.
    ranges: BTreeMap<usize, usize>,
    live_bytes: usize,
    live_per_class: [usize; CLASSES.len()],
    /// Linked-list bytes held by live large allocations.
    large_charge: usize,
    served: [u64; CLASSES.len()],
    large_served: u64,
    /// Blocks each class owns (cached or live): never shrinks.
    blocks: [usize; CLASSES.len()],
    /// Allocations that failed even after growing as far as the arena goes.
    pub failures: usize,
}

impl Model {
    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// Allocates through `arena_heap` (growing it by `grow_step` on failure
    /// if that is not 0), checks the answer and fills the memory.
    pub fn allocate(&mut self, arena_heap: &mut ArenaHeap, layout: Layout, fill: u8, grow_step: usize) {
        let pointer = if grow_step == 0 {
            arena_heap.heap.allocate(layout)
        } else {
            arena_heap.allocate_growing(layout, grow_step)
        };
        let Some(pointer) = pointer else {
            self.failures += 1;
            return;
        };
        let address = pointer.addr().get();
        let len = layout.size().max(1);
        assert!(address.is_multiple_of(layout.align()), "{layout:?} misaligned at {address:#x}");
        assert!(arena_heap.contains(pointer, len), "{layout:?} at {address:#x} lies outside the heap");
        if let Some((&start, &end)) = self.ranges.range(..=address).next_back() {
            assert!(end <= address, "{layout:?} at {address:#x} overlaps {start:#x}..{end:#x}");
        }
        if let Some((&start, &end)) = self.ranges.range(address..).next() {
            assert!(address + len <= start, "{layout:?} at {address:#x} overlaps {start:#x}..{end:#x}");
        }
        self.ranges.insert(address, address + len);
        // SAFETY: the heap handed out `layout.size()` bytes at `pointer`,
        // inside the arena and (checked above) shared with no live allocation.
        unsafe { pointer.write_bytes(fill, layout.size()) };

        match class_of(layout) {
            Some(class) => {
                self.live_per_class[class] += 1;
                self.served[class] += 1;
            }
            None => {
                self.large_charge += fallback_charge(layout.size());
                self.large_served += 1;
            }
        }
        self.live_bytes += layout.size();
        self.live.push(Live { pointer, layout, fill });
        self.check(&arena_heap.heap);
    }

    /// Checks the allocation at `index` still holds its fill, then frees it.
    pub fn free(&mut self, heap: &mut BlockHeap, index: usize) {
        let Live { pointer, layout, fill } = self.live.swap_remove(index);
        // SAFETY: the allocation is live, `layout.size()` bytes long, and was
        // filled when it was handed out, so every byte is initialised.
        let bytes = unsafe { std::slice::from_raw_parts(pointer.as_ptr(), layout.size()) };
        if let Some(offset) = bytes.iter().position(|&byte| byte != fill) {
            panic!("{layout:?} at {pointer:?}: byte {offset} is {:#x}, not {fill:#x}", bytes[offset]);
        }
        self.ranges.remove(&pointer.addr().get());
        // SAFETY: `pointer` came from this heap with this layout and leaves
        // the live list here, so it is freed exactly once.
        unsafe { heap.deallocate(pointer, layout) };

        match class_of(layout) {
            Some(class) => self.live_per_class[class] -= 1,
            None => self.large_charge -= fallback_charge(layout.size()),
        }
        self.live_bytes -= layout.size();
        self.check(heap);
    }

    /// Plays `ops`, then frees whatever is still live.
    pub fn run(&mut self, arena_heap: &mut ArenaHeap, ops: &[Op], grow_step: usize) {
        for &op in ops {
            match op {
                Op::Allocate(layout, fill) => self.allocate(arena_heap, layout, fill, grow_step),
                // A failed allocation leaves fewer live ones than the script
                // expects; free the last then.
                Op::Free(index) if !self.live.is_empty() => {
                    self.free(&mut arena_heap.heap, index.min(self.live.len() - 1))
                }
                Op::Free(_) => {}
            }
        }
        while let Some(index) = self.live.len().checked_sub(1) {
            self.free(&mut arena_heap.heap, index);
        }
    }

    /// Compares the heap's counters with the model's.
    fn check(&mut self, heap: &BlockHeap) {
        let stats = heap.stats();
        assert_eq!(stats.live_bytes, self.live_bytes, "live bytes");
        assert_eq!(stats.live_allocations, self.live.len(), "live allocations");
        assert_eq!(stats.served, self.served, "blocks served per class");
        assert_eq!(stats.large_served, self.large_served, "large allocations served");
        let mut block_charge = 0;
        for (class, &size) in CLASSES.iter().enumerate() {
            let blocks = stats.cached_blocks[class] + self.live_per_class[class];
            assert!(blocks >= self.blocks[class], "class {size} gave blocks back");
            self.blocks[class] = blocks;
            block_charge += blocks * fallback_charge(size);
        }
        assert_eq!(stats.fallback_used, block_charge + self.large_charge, "linked-list bytes in use");
        assert!(stats.fallback_used <= stats.fallback_size);
    }
}
