//! Single-frame allocation: uniqueness, rounding and lowest-first order.

use super::{QEMU_LIKE_MAP, allocate_all, storage_for, usable_addresses};
use crate::{FRAME_BYTES, FrameBitmap};
use std::collections::BTreeSet;

#[test]
fn never_hands_out_a_frame_twice() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    let handed_out = allocate_all(&mut bitmap);
    let unique: BTreeSet<u64> = handed_out.iter().copied().collect();

    assert_eq!(unique.len(), handed_out.len(), "some frame was handed out twice");
    assert_eq!(unique, usable_addresses(&QEMU_LIKE_MAP), "every usable frame, and nothing else");
    assert_eq!(handed_out.len(), 1250);
    assert_eq!(bitmap.allocate(), None);
    assert_eq!(bitmap.allocate(), None, "stays empty once empty");
}

#[test]
fn regions_are_aligned_inward() {
    let regions = [(0x1800, 0x2000), (0x5000, 0x1fff), (0x9001, 0xfff)];
    let mut storage = storage_for(&regions);
    let mut bitmap = FrameBitmap::new(&mut storage, regions).unwrap();

    // 0x1800..0x3800 holds one whole frame; 0x5000..0x6fff holds one;
    // 0x9001..0xa000 holds none.
    assert_eq!(allocate_all(&mut bitmap), [0x2000, 0x5000]);
    assert_eq!(bitmap.usable_frames(), 2);
    assert_eq!(bitmap.top_address(), 0x6000);
}

#[test]
fn hands_out_the_lowest_free_frame_first() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    let handed_out = allocate_all(&mut bitmap);

    assert!(handed_out.is_sorted());
    assert_eq!(handed_out[0], 0x1000);
}

#[test]
fn a_freed_frame_is_handed_back_by_the_next_allocation() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let handed_out: Vec<u64> = (0..300).map(|_| bitmap.allocate().unwrap()).collect();

    bitmap.free(handed_out[7]).unwrap();
    bitmap.free(handed_out[250]).unwrap();

    assert_eq!(bitmap.allocate(), Some(handed_out[7]));
    assert_eq!(bitmap.allocate(), Some(handed_out[250]));
    assert_eq!(bitmap.allocate(), Some(handed_out[299] + FRAME_BYTES));
}

#[test]
fn overlapping_regions_are_counted_once() {
    let regions = [(0x1000, 0x4000), (0x3000, 0x4000)];
    let mut storage = storage_for(&regions);
    let mut bitmap = FrameBitmap::new(&mut storage, regions).unwrap();

    assert_eq!(bitmap.usable_frames(), 6);
    assert_eq!(allocate_all(&mut bitmap), [0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000]);
}

#[test]
fn a_map_without_usable_frames_hands_out_nothing() {
    let regions = [(0x1000, 0x800)];
    let mut bitmap = FrameBitmap::new(&mut [], regions).unwrap();

    assert_eq!(bitmap.usable_frames(), 0);
    assert_eq!(bitmap.allocate(), None);
    assert_eq!(bitmap.allocate_contiguous(1, 1), None);
}
