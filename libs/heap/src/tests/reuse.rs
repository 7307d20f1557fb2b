//! Freed blocks come straight back, last in, first out.

use super::Arena;
use crate::CLASSES;
use std::alloc::Layout;

#[test]
fn a_freed_block_serves_the_next_request_of_its_class() {
    let mut arena = Arena::new(64 << 10);
    let mut arena_heap = arena.block_heap(64 << 10);
    let heap = &mut arena_heap.heap;

    let first = Layout::from_size_align(20, 4).unwrap();
    let pointer = heap.allocate(first).unwrap();
    let used = heap.stats().fallback_used;
    // SAFETY: allocated just above with this layout, freed once.
    unsafe { heap.deallocate(pointer, first) };

    // 17..=32 bytes share the 32-byte class.
    let second = Layout::from_size_align(32, 8).unwrap();
    assert_eq!(heap.allocate(second), Some(pointer), "same block back");
    let stats = heap.stats();
    assert_eq!(stats.fallback_used, used, "nothing new carved");
    assert_eq!(stats.served[2], 2);
    assert_eq!(stats.cached_blocks, [0; CLASSES.len()]);
    // SAFETY: handed out again just above with `second`, freed once.
    unsafe { heap.deallocate(pointer, second) };
}

#[test]
fn free_lists_are_last_in_first_out() {
    let mut arena = Arena::new(64 << 10);
    let mut arena_heap = arena.block_heap(64 << 10);
    let heap = &mut arena_heap.heap;

    let layout = Layout::new::<[u8; 100]>();
    let blocks: Vec<_> = (0..3).map(|_| heap.allocate(layout).unwrap()).collect();
    for &block in &blocks {
        // SAFETY: each came from this heap with `layout`, freed once.
        unsafe { heap.deallocate(block, layout) };
    }
    assert_eq!(heap.stats().cached_blocks[4], 3, "three 128-byte blocks cached");
    let again: Vec<_> = (0..3).map(|_| heap.allocate(layout).unwrap()).collect();
    assert_eq!(again, blocks.iter().rev().copied().collect::<Vec<_>>());
    for &block in &again {
        // SAFETY: each came from this heap with `layout`, freed once.
        unsafe { heap.deallocate(block, layout) };
    }
}

#[test]
fn a_block_never_serves_another_class() {
    let mut arena = Arena::new(64 << 10);
    let mut arena_heap = arena.block_heap(64 << 10);
    let heap = &mut arena_heap.heap;

    let small = Layout::new::<u64>();
    let pointer = heap.allocate(small).unwrap();
    // SAFETY: allocated just above with this layout, freed once.
    unsafe { heap.deallocate(pointer, small) };
    let larger = Layout::new::<[u64; 2]>();
    let other = heap.allocate(larger).unwrap();
    assert_ne!(other, pointer, "the 8-byte block stays on its list");
    assert_eq!(heap.stats().cached_blocks[0], 1);
    // SAFETY: allocated just above with this layout, freed once.
    unsafe { heap.deallocate(other, larger) };
}
