//! Rank IV scenarios for the heap: ordinary Rust collections, a leak check
//! under stress, and the cost of three allocation strategies.

use alloc::alloc::{alloc, dealloc};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::ptr::NonNull;

use bootinfo::CommandLine;
use heap::{BlockHeap, Bump, CLASSES, XorShift64};

use crate::arch::cpu::timestamp;
use crate::kprintln;
use crate::memory::{frames, heap as kernel_heap};

/// `Box`, `Vec`, `String` and `BTreeMap` doing real work, and the heap
/// growing under a 4 MiB request.
pub fn collections(cmdline: &CommandLine) {
    let boxed = Box::new(0x5eed_u64);
    kprintln!("heap: a Box<u64> holding {:#x} lives at {:p}", *boxed, boxed);

    let numbers: Vec<u64> = (0..100_000).collect();
    kprintln!("heap: sum of a Vec of 0..100000 = {}", numbers.iter().sum::<u64>());
    drop(numbers);

    kprintln!("heap: the 10000th prime (a Vec<bool> sieve) = {}", nth_prime(10_000));

    let sentence = "the quick brown fox jumps over the lazy dog and the dog sleeps";
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for word in sentence.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    let listed: Vec<String> = counts.iter().map(|(word, n)| format!("{word}={n}")).collect();
    kprintln!("heap: word counts in key order: {}", listed.join(" "));

    let nonce = cmdline.value("nonce").unwrap_or("(none)");
    let greeting: String = format!("hello from the heap, nonce {nonce}, {} bytes", nonce.len());
    kprintln!("heap: a String built with format!: {greeting:?}");

    let (_, before) = kernel_heap::stats();
    let big = vec![0xa5u8; 4 << 20];
    let (during, with_big) = kernel_heap::stats();
    kprintln!("heap: mapped {before} bytes before a 4 MiB Vec, {with_big} bytes with it");
    kprintln!("heap: in use with it: {} bytes in {} allocations", during.live_bytes, during.live_allocations);
    let last = big[big.len() - 1];
    drop(big);
    kprintln!(
        "heap: the Vec's last byte was {last:#x}; in use after dropping it: {} bytes",
        kernel_heap::stats().0.live_bytes
    );
}

/// The `n`th prime by the sieve of Eratosthenes.
fn nth_prime(n: usize) -> usize {
    // The n-th prime is below n (ln n + ln ln n) for n >= 6.
    let limit = 110_000;
    let mut composite = vec![false; limit];
    let mut found = 0;
    for candidate in 2..limit {
        if composite[candidate] {
            continue;
        }
        found += 1;
        if found == n {
            return candidate;
        }
        for multiple in (candidate * candidate..limit).step_by(candidate) {
            composite[multiple] = true;
        }
    }
    0
}

/// Live allocations the stress keeps at most.
const SLOTS: usize = 1024;
/// Allocations per round.
const ALLOCATIONS: u32 = 100_000;

/// A size from 8 B to 64 KiB, spread evenly over the powers of two, so
/// every block class and the linked list all see traffic.
fn stress_layout(rng: &mut XorShift64) -> Layout {
    let power = 3 + rng.below(14); // 2^3 ..= 2^16
    let size = (1usize << power) / 2 + rng.below(1 << power) / 2 + 1;
    let align = 1usize << rng.below(4); // 1, 2, 4 or 8
    Layout::from_size_align(size.clamp(8, 65536), align).expect("a valid layout")
}

/// One round: 100,000 allocations from a fixed seed, interleaved with
/// frees (a random slot is freed before it is reused), then everything
/// freed. Each block's first and last bytes carry a tag checked on free.
fn stress_round(slots: &mut [Option<(NonNull<u8>, Layout, u8)>]) {
    let mut rng = XorShift64::new(0x6d69_6e64); // "mind"
    for n in 0..ALLOCATIONS {
        let slot = rng.below(slots.len());
        if let Some((block, layout, tag)) = slots[slot].take() {
            release(block, layout, tag);
        }
        let layout = stress_layout(&mut rng);
        // SAFETY: the layout has a non-zero size.
        let block = NonNull::new(unsafe { alloc(layout) }).expect("the heap grows until frames run out");
        let tag = n as u8;
        // SAFETY: the block is `layout.size()` bytes, ours until freed.
        unsafe {
            block.as_ptr().write(tag);
            block.as_ptr().add(layout.size() - 1).write(tag);
        }
        slots[slot] = Some((block, layout, tag));
    }
    for entry in slots.iter_mut() {
        if let Some((block, layout, tag)) = entry.take() {
            release(block, layout, tag);
        }
    }
}

fn release(block: NonNull<u8>, layout: Layout, tag: u8) {
    // SAFETY: the block came from `alloc` with this layout and is freed
    // once (its slot was emptied by `take`).
    unsafe {
        let (first, last) = (block.as_ptr().read(), block.as_ptr().add(layout.size() - 1).read());
        assert!(first == tag && last == tag, "heap block at {block:p} was overwritten by a neighbour");
        dealloc(block.as_ptr(), layout);
    }
}

fn balance(when: &str) {
    let (_, free, _) = frames::counters();
    let (stats, mapped) = kernel_heap::stats();
    kprintln!(
        "alloc-stress: {when}: free frames {free}, heap in use {} bytes in {} allocations",
        stats.live_bytes,
        stats.live_allocations
    );
    kprintln!("alloc-stress: {when}: heap mapped {mapped} bytes");
}

/// The leak check. Two warm-up rounds let the heap reach the size this
/// workload needs (block classes carved, the linked list's holes settled:
/// see "Replaying a workload" in `libs/heap/src/block.rs`); the third,
/// identical round must then end exactly where it began, in heap bytes
/// *and* in free frames.
pub fn stress() {
    let mut slots = vec![None; SLOTS];
    let (start, _) = kernel_heap::stats();
    for round in 1..=2 {
        let began = timestamp();
        stress_round(&mut slots);
        let (stats, mapped) = kernel_heap::stats();
        kprintln!(
            "alloc-stress: warm-up round {round}: {ALLOCATIONS} allocations, in use {} -> {} bytes, heap mapped {mapped} bytes, {} ticks",
            start.live_bytes,
            stats.live_bytes,
            timestamp() - began
        );
    }
    balance("before");
    let (before, _) = kernel_heap::stats();
    stress_round(&mut slots);
    balance("after");
    let (after, _) = kernel_heap::stats();
    let served: Vec<String> = CLASSES
        .iter()
        .zip(after.served.iter().zip(before.served.iter()))
        .map(|(class, (total, earlier))| format!("{class}:{}", total - earlier))
        .collect();
    kprintln!(
        "alloc-stress: blocks served in the measured round: {} large:{}",
        served.join(" "),
        after.large_served - before.large_served
    );
}

/// Alloc/free pairs per measurement.
const PAIRS: u64 = 1000;
/// Each strategy gets a fresh arena of this size, carved from the heap.
const ARENA_BYTES: usize = 1 << 20;

/// Time-stamp ticks per alloc+free pair. Under `-icount shift=0` (what
/// `make bench` passes), a tick is one guest instruction.
fn per_pair(mut pair: impl FnMut()) -> u64 {
    pair(); // first touch: page faults and cold caches are not the point
    let began = timestamp();
    for _ in 0..PAIRS {
        pair();
    }
    (timestamp() - began) / PAIRS
}

/// An arena for one strategy, freed when dropped.
struct Arena(NonNull<u8>);

impl Arena {
    fn new() -> Self {
        let layout = Layout::from_size_align(ARENA_BYTES, 4096).expect("layout");
        // SAFETY: non-zero size.
        Self(NonNull::new(unsafe { alloc(layout) }).expect("1 MiB for an arena"))
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.0.as_ptr(), Layout::from_size_align(ARENA_BYTES, 4096).expect("layout")) };
    }
}

/// Cost of an alloc/free pair for 16 B, 256 B and 4 KiB under the three
/// classic strategies, plus the kernel's global allocator (lock and
/// interrupt masking included), and the linked list once fragmented.
pub fn bench() {
    kprintln!("bench: heap: ticks per alloc+free pair ({PAIRS} pairs; ticks = instructions under -icount shift=0)");
    kprintln!("bench: heap: {:<34}{:>8}{:>8}{:>8}", "strategy", "16 B", "256 B", "4 KiB");
    let sizes = [16usize, 256, 4096];
    let row = |name: &str, costs: [u64; 3]| {
        kprintln!("bench: heap: {name:<34}{:>8}{:>8}{:>8}", costs[0], costs[1], costs[2]);
    };

    row(
        "bump (reset when all freed)",
        sizes.map(|size| {
            let arena = Arena::new();
            let mut bump = Bump::empty();
            // SAFETY: the arena is ours for the measurement.
            unsafe { bump.init(arena.0.as_ptr(), ARENA_BYTES) };
            let layout = Layout::from_size_align(size, 8).expect("layout");
            per_pair(|| {
                let block = bump.allocate(layout).expect("room");
                // SAFETY: just allocated from this bump allocator.
                unsafe { bump.deallocate(block, layout) };
            })
        }),
    );

    let linked = |holes: usize| {
        sizes.map(|size| {
            let arena = Arena::new();
            let mut list = linked_list_allocator::Heap::empty();
            // SAFETY: the arena is ours for the measurement.
            unsafe { list.init(arena.0.as_ptr(), ARENA_BYTES) };
            // Fragmentation: `holes` 16-byte holes in front, each too small
            // for anything but the 16 B request, so first fit walks them.
            let small = Layout::from_size_align(16, 8).expect("layout");
            let keep = Layout::from_size_align(32, 8).expect("layout");
            let mut pinned = Vec::new();
            for _ in 0..holes {
                let hole = list.allocate_first_fit(small).expect("room");
                pinned.push((hole, list.allocate_first_fit(keep).expect("room")));
            }
            for (hole, _) in &pinned {
                // SAFETY: allocated just above with this layout.
                unsafe { list.deallocate(*hole, small) };
            }
            let layout = Layout::from_size_align(size, 8).expect("layout");
            per_pair(|| {
                let block = list.allocate_first_fit(layout).expect("room");
                // SAFETY: just allocated from this heap.
                unsafe { list.deallocate(block, layout) };
            })
        })
    };
    row("linked list, first fit", linked(0));
    row("linked list, 100 small holes ahead", linked(100));

    row(
        "fixed-size blocks over the list",
        sizes.map(|size| {
            let arena = Arena::new();
            let mut blocks = BlockHeap::empty();
            // SAFETY: the arena is ours for the measurement.
            unsafe { blocks.init(arena.0.as_ptr(), ARENA_BYTES) };
            let layout = Layout::from_size_align(size, 8).expect("layout");
            per_pair(|| {
                let block = blocks.allocate(layout).expect("room");
                // SAFETY: just allocated from this heap.
                unsafe { blocks.deallocate(block, layout) };
            })
        }),
    );

    row(
        "kernel heap (lock, cli/sti, blocks)",
        sizes.map(|size| {
            let layout = Layout::from_size_align(size, 8).expect("layout");
            per_pair(|| {
                // SAFETY: non-zero size; freed at once with the same layout.
                unsafe { dealloc(core::hint::black_box(alloc(layout)), layout) };
            })
        }),
    );
}
