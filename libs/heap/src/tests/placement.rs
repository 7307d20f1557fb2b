//! Where allocations land: aligned, inside the heap, in the right pool.

use super::{Arena, Model, random_layout};
use crate::{CLASSES, XorShift64};
use std::alloc::Layout;

#[test]
fn allocations_are_aligned_and_inside_the_heap() {
    let mut arena = Arena::new(32 << 20);
    let mut arena_heap = arena.block_heap(32 << 20);
    let mut model = Model::default();
    // Every class boundary with every alignment up to a page, all live at once.
    let mut sizes: Vec<usize> = vec![0, 1, 3, 7, 4095, 4096, 4097, 10_000, 65_536];
    sizes.extend(CLASSES.iter().flat_map(|&class| [class - 1, class, class + 1]));
    for &size in &sizes {
        for shift in 0..=12 {
            let layout = Layout::from_size_align(size, 1 << shift).unwrap();
            model.allocate(&mut arena_heap, layout, size as u8, 0);
        }
    }
    // And a random mix (the checks live in `Model::allocate`).
    let mut rng = XorShift64::new(7);
    for _ in 0..2000 {
        let layout = random_layout(&mut rng);
        model.allocate(&mut arena_heap, layout, rng.next_u64() as u8, 0);
    }
    assert_eq!(model.failures, 0);
    model.run(&mut arena_heap, &[], 0);
    assert_eq!(arena_heap.heap.stats().live_allocations, 0);
}

#[test]
fn large_requests_go_to_the_linked_list() {
    let mut arena = Arena::new(1 << 20);
    let mut arena_heap = arena.block_heap(1 << 20);
    let heap = &mut arena_heap.heap;

    let large = Layout::from_size_align(2049, 8).unwrap();
    let pointer = heap.allocate(large).unwrap();
    let stats = heap.stats();
    assert_eq!(stats.large_served, 1);
    assert_eq!(stats.served, [0; CLASSES.len()], "no class served it");
    assert_eq!(stats.fallback_used, 2056, "2049 rounded up to a multiple of 8");
    assert_eq!((stats.live_bytes, stats.live_allocations), (2049, 1));

    let page_aligned = Layout::from_size_align(8, 4096).unwrap();
    let small_but_aligned = heap.allocate(page_aligned).unwrap();
    assert!(small_but_aligned.addr().get().is_multiple_of(4096));
    assert_eq!(heap.stats().large_served, 2);
    assert_eq!(heap.stats().served, [0; CLASSES.len()]);

    // SAFETY: both came from this heap with these layouts, freed once.
    unsafe {
        heap.deallocate(pointer, large);
        heap.deallocate(small_but_aligned, page_aligned);
    }
    let stats = heap.stats();
    assert_eq!((stats.fallback_used, stats.live_bytes, stats.live_allocations), (0, 0, 0));
    assert_eq!(stats.cached_blocks, [0; CLASSES.len()], "nothing went onto a class list");
}

#[test]
fn small_requests_are_served_by_their_class() {
    let mut arena = Arena::new(1 << 20);
    let mut arena_heap = arena.block_heap(1 << 20);
    let heap = &mut arena_heap.heap;
    for (class, &size) in CLASSES.iter().enumerate() {
        let layout = Layout::from_size_align(size, 1).unwrap();
        let pointer = heap.allocate(layout).unwrap();
        assert!(pointer.addr().get().is_multiple_of(size), "blocks are aligned to their size");
        assert_eq!(heap.stats().served[class], 1);
        // SAFETY: allocated just above with this layout, freed once.
        unsafe { heap.deallocate(pointer, layout) };
        assert_eq!(heap.stats().cached_blocks[class], 1, "the block stays in its class");
    }
    let stats = heap.stats();
    assert_eq!(stats.large_served, 0);
    assert_eq!(stats.served, [1; CLASSES.len()]);
    // The 8-byte block costs the linked list's minimum of 16 bytes.
    assert_eq!(stats.fallback_used, 16 + CLASSES[1..].iter().sum::<usize>());
}

#[test]
fn an_empty_heap_refuses_everything() {
    let mut heap = crate::BlockHeap::empty();
    assert_eq!(heap.allocate(Layout::new::<u64>()), None);
    assert_eq!(heap.allocate(Layout::from_size_align(1 << 16, 8).unwrap()), None);
    assert_eq!(heap.stats(), crate::Stats::default());
}

#[test]
fn lives_in_a_static_behind_a_lock() {
    // `empty` is `const` and the heap is `Send`, so a lock makes it a static.
    static HEAP: std::sync::Mutex<crate::BlockHeap> = std::sync::Mutex::new(crate::BlockHeap::empty());
    let mut arena = Arena::new(64 << 10);
    let arena_heap = arena.block_heap(64 << 10);
    let mut heap = HEAP.lock().unwrap();
    *heap = arena_heap.heap;
    let layout = Layout::new::<[u64; 4]>();
    let pointer = heap.allocate(layout).unwrap();
    // SAFETY: allocated just above with this layout, freed once.
    unsafe { heap.deallocate(pointer, layout) };
    // Leave the static as it was, with no pointers into the arena.
    *heap = crate::BlockHeap::empty();
}
