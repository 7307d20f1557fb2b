//! Growing the heap at its top.

use super::Arena;
use std::alloc::Layout;

#[test]
fn extend_makes_a_failed_allocation_succeed() {
    let mut arena = Arena::new(64 << 10);
    let mut arena_heap = arena.block_heap(4096);
    let layout = Layout::from_size_align(16 << 10, 8).unwrap();

    assert_eq!(arena_heap.heap.allocate(layout), None, "16 KiB cannot fit in 4 KiB");
    assert_eq!(arena_heap.heap.stats().fallback_size, 4096);
    assert_eq!(arena_heap.heap.stats().live_allocations, 0, "a failure changes nothing");

    assert!(arena_heap.grow((64 << 10) - 4096));
    assert_eq!(arena_heap.heap.stats().fallback_size, 64 << 10);
    let pointer = arena_heap.heap.allocate(layout).expect("fits after extend");
    assert!(arena_heap.contains(pointer, layout.size()));
    // SAFETY: allocated just above with this layout, freed once.
    unsafe { arena_heap.heap.deallocate(pointer, layout) };
    assert_eq!(arena_heap.heap.stats().fallback_used, 0);
}

#[test]
fn a_full_class_carves_from_extended_memory() {
    let mut arena = Arena::new(16 << 10);
    let mut arena_heap = arena.block_heap(4096);
    let layout = Layout::from_size_align(2048, 2048).unwrap();
    // 4 KiB holds two 2 KiB blocks, then the class needs more memory.
    let blocks: Vec<_> = std::iter::from_fn(|| arena_heap.heap.allocate(layout)).collect();
    assert_eq!(blocks.len(), 2);
    assert!(arena_heap.grow(4096));
    let third = arena_heap.heap.allocate(layout).expect("carved from the new page");
    assert!(arena_heap.contains(third, 2048));
    assert_eq!(arena_heap.heap.stats().served[8], 3);
    for block in blocks.into_iter().chain([third]) {
        // SAFETY: each came from this heap with `layout`, freed once.
        unsafe { arena_heap.heap.deallocate(block, layout) };
    }
    assert_eq!(arena_heap.heap.stats().cached_blocks[8], 3);
}
