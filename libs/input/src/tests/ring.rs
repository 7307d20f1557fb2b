//! The ring buffer: order, overflow accounting, wraparound, and two real
//! threads hammering the atomics.

use crate::Ring;
use crate::tests::XorShift;

#[test]
fn a_new_ring_is_empty() {
    let ring: Ring<u8, 8> = Ring::new();
    assert!(ring.is_empty());
    assert_eq!(ring.len(), 0);
    assert_eq!(ring.dropped(), 0);
    assert_eq!(ring.pop(), None);
    assert_eq!(Ring::<u8, 8>::capacity(), 8);
    assert_eq!(Ring::<u32, 1>::capacity(), 1);
}

#[test]
fn a_ring_can_be_a_static() {
    static RING: Ring<u8, 4> = Ring::new();
    assert!(RING.push(7));
    assert_eq!(RING.pop(), Some(7));
}

#[test]
fn fill_then_drain_keeps_order_and_uses_every_slot() {
    let ring: Ring<u32, 16> = Ring::new();
    for i in 0..16 {
        assert!(ring.push(i), "slot {i} refused");
        assert_eq!(ring.len(), i as usize + 1);
    }
    assert_eq!(ring.dropped(), 0);
    for i in 0..16 {
        assert_eq!(ring.pop(), Some(i));
    }
    assert_eq!(ring.pop(), None);
    assert!(ring.is_empty());
}

#[test]
fn overflow_drops_exactly_the_excess_and_keeps_the_first_items() {
    const N: usize = 8;
    for k in [1, 2, 7, 8, 100] {
        let ring: Ring<usize, N> = Ring::new();
        let accepted = (0..N + k).filter(|&i| ring.push(i)).count();
        assert_eq!(accepted, N);
        assert_eq!(ring.dropped(), k as u64);
        assert_eq!(ring.len(), N);
        let drained: Vec<usize> = std::iter::from_fn(|| ring.pop()).collect();
        assert_eq!(drained, (0..N).collect::<Vec<_>>(), "not the first {N} in order with k = {k}");
        // Room again, and the count of drops stays.
        assert!(ring.push(42));
        assert_eq!(ring.pop(), Some(42));
        assert_eq!(ring.dropped(), k as u64);
    }
}

#[test]
fn capacity_one_holds_one_item() {
    let ring: Ring<char, 1> = Ring::new();
    assert!(ring.push('a'));
    assert!(!ring.push('b'));
    assert_eq!(ring.pop(), Some('a'));
    assert_eq!(ring.pop(), None);
    assert!(ring.push('c'));
    assert_eq!(ring.pop(), Some('c'));
    assert_eq!(ring.dropped(), 1);
}

/// Random bursts of pushes and pops against a `VecDeque`, for many times
/// the capacity, so every slot is reused thousands of times.
#[test]
fn wraparound_over_many_cycles_matches_a_model() {
    let ring: Ring<u64, 8> = Ring::new();
    let mut model = std::collections::VecDeque::new();
    let mut dropped = 0;
    let mut rng = XorShift::new(0x5eed_0001);
    let mut next = 0u64;
    for _ in 0..20_000 {
        for _ in 0..rng.below(11) {
            if ring.push(next) {
                model.push_back(next);
            } else {
                assert_eq!(model.len(), 8);
                dropped += 1;
            }
            next += 1;
        }
        for _ in 0..rng.below(11) {
            assert_eq!(ring.pop(), model.pop_front());
        }
        assert_eq!(ring.len(), model.len());
        assert_eq!(ring.dropped(), dropped);
    }
    assert!(next > 50_000, "too few items to have wrapped often: {next}");
}

#[test]
fn counters_wrap_past_usize_max() {
    let ring: Ring<usize, 4> = Ring::starting_at(usize::MAX - 5);
    let mut expected = 0;
    for round in 0..6 {
        for i in 0..4 {
            assert!(ring.push(round * 4 + i));
        }
        assert!(!ring.push(999), "full ring accepted an item in round {round}");
        assert_eq!(ring.len(), 4);
        for _ in 0..4 {
            assert_eq!(ring.pop(), Some(expected));
            expected += 1;
        }
        assert!(ring.is_empty());
    }
    assert_eq!(ring.dropped(), 6);
}

/// One producer thread and one consumer thread, a million items through a
/// small ring. The producer retries when the ring is full (in the kernel it
/// would drop instead); the consumer checks that every item arrives once, in
/// order, and whole: each item carries its number and its complement, so a
/// slot read before its write was visible shows up as a torn pair.
#[test]
fn two_threads_pass_a_million_items_in_order() {
    const ITEMS: u64 = 1_000_000;
    let ring: Ring<(u64, u64), 64> = Ring::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for i in 0..ITEMS {
                while !ring.push((i, !i)) {
                    std::thread::yield_now();
                }
            }
        });
        scope.spawn(|| {
            let mut expected = 0;
            while expected < ITEMS {
                match ring.pop() {
                    Some((i, check)) => {
                        assert_eq!(i, expected, "out of order");
                        assert_eq!(check, !i, "torn item {i}");
                        expected += 1;
                    }
                    None => std::thread::yield_now(),
                }
            }
        });
    });
    assert!(ring.is_empty());
    assert_eq!(ring.pop(), None);
}
