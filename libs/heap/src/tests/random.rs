//! Random workloads checked against the model on every operation.
//!
//! Each allocation is filled with its own byte and checked when freed, so
//! two allocations that overlap show up even if the overlap check missed
//! them; the model also checks alignment, bounds and every counter.

use super::{Arena, Model, script};

const SEEDS: u64 = 20;
const OPERATIONS: usize = 20_000;

#[test]
fn random_workloads_match_the_model() {
    for seed in 1..=SEEDS {
        let mut arena = Arena::new(64 << 20);
        let mut arena_heap = arena.block_heap(64 << 20);
        let mut model = Model::default();
        model.run(&mut arena_heap, &script(seed, OPERATIONS), 0);

        assert_eq!(model.failures, 0, "seed {seed}: 64 MiB should be plenty");
        assert_eq!(model.live_count(), 0);
        let stats = arena_heap.heap.stats();
        assert_eq!((stats.live_bytes, stats.live_allocations), (0, 0), "seed {seed}");
        assert!(stats.served.iter().all(|&served| served > 0), "seed {seed}: every class used: {stats:?}");
        assert!(stats.large_served > 0, "seed {seed}");
    }
}

#[test]
fn random_workloads_in_a_growing_heap_match_the_model() {
    // Start with one page and grow a page at a time, as the kernel does.
    for seed in 100..105 {
        let mut arena = Arena::new(64 << 20);
        let mut arena_heap = arena.block_heap(4096);
        let mut model = Model::default();
        model.run(&mut arena_heap, &script(seed, OPERATIONS), 4096);
        assert_eq!(model.failures, 0, "seed {seed}");
        assert_eq!(arena_heap.heap.stats().live_allocations, 0);
    }
}
