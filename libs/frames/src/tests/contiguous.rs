//! Runs of frames: alignment, length, and a clean failure when memory is
//! too fragmented to hold the run.

use super::{QEMU_LIKE_MAP, storage_for};
use crate::{FRAME_BYTES, FrameBitmap};

#[test]
fn contiguous_allocation_respects_alignment_and_count() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    // 16 frames on a 64 KiB boundary: low memory (frames 1..159) has room at 0x10000.
    let start = bitmap.allocate_contiguous(16, 16).unwrap();
    assert_eq!(start, 0x1_0000);
    assert_eq!(bitmap.used_frames(), 16);

    // The run is taken: nothing in it comes back from a later allocation.
    let next = bitmap.allocate_contiguous(16, 16).unwrap();
    assert_eq!(next, 0x2_0000);

    // A 2 MiB-aligned run of 512 frames fits only at 2 MiB (1 MiB..4 MiB).
    let huge = bitmap.allocate_contiguous(512, 512).unwrap();
    assert_eq!(huge, 0x20_0000);
    assert_eq!(huge % (512 * FRAME_BYTES), 0);
    assert_eq!(bitmap.used_frames(), 16 + 16 + 512);
    assert_eq!(bitmap.allocate_contiguous(512, 512), None, "no second 2 MiB-aligned run");
}

#[test]
fn contiguous_allocation_fails_cleanly_when_fragmented() {
    let regions = [(0x0, 0x40_0000)];
    let mut storage = storage_for(&regions);
    let mut bitmap = FrameBitmap::new(&mut storage, regions).unwrap();

    // Take every frame, then give back every other one: half the memory is
    // free, but no two free frames touch.
    let handed_out: Vec<u64> = std::iter::from_fn(|| bitmap.allocate()).collect();
    for &address in handed_out.iter().step_by(2) {
        bitmap.free(address).unwrap();
    }
    let before = bitmap.snapshot();

    assert_eq!(bitmap.allocate_contiguous(2, 1), None);
    assert_eq!(bitmap.allocate_contiguous(512, 1), None);

    assert_eq!(bitmap.snapshot(), before);
    assert_eq!(bitmap.allocate_contiguous(1, 2), Some(0x0), "single frames still work");
    assert_eq!(bitmap.allocate_contiguous(1, 4), Some(0x4000));
}

#[test]
fn a_run_is_not_placed_across_a_hole() {
    // Two usable regions of 3 frames each, separated by one unusable frame.
    let regions = [(0x0, 0x3000), (0x4000, 0x3000)];
    let mut storage = storage_for(&regions);
    let mut bitmap = FrameBitmap::new(&mut storage, regions).unwrap();

    assert_eq!(bitmap.allocate_contiguous(4, 1), None);
    assert_eq!(bitmap.allocate_contiguous(3, 1), Some(0x0));
    assert_eq!(bitmap.allocate_contiguous(3, 1), Some(0x4000));
}

#[test]
fn a_zero_count_or_an_alignment_that_is_not_a_power_of_two_is_refused() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let before = bitmap.snapshot();

    assert_eq!(bitmap.allocate_contiguous(0, 1), None);
    assert_eq!(bitmap.allocate_contiguous(4, 0), None);
    assert_eq!(bitmap.allocate_contiguous(4, 3), None);
    assert_eq!(bitmap.allocate_contiguous(u64::MAX, 1), None);

    assert_eq!(bitmap.snapshot(), before);
}

#[test]
fn a_run_may_end_exactly_at_the_top_of_memory() {
    let regions = [(0x1000, 0x7000)];
    let mut storage = storage_for(&regions);
    let mut bitmap = FrameBitmap::new(&mut storage, regions).unwrap();

    assert_eq!(bitmap.allocate_contiguous(4, 4), Some(0x4000));
    assert_eq!(bitmap.allocate_contiguous(3, 1), Some(0x1000));
    assert_eq!(bitmap.free_frames(), 0);
}
