//! Reserving: frames the kernel claims by address leave the pool for good.

use super::{QEMU_LIKE_MAP, allocate_all, storage_for, usable_addresses};
use crate::{FrameBitmap, FrameInUse, FreeError};

#[test]
fn reserved_ranges_are_never_handed_out() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    // The bitmap's own storage, say, at 1 MiB, plus a range reaching into
    // the hole after 4 MiB.
    assert_eq!(bitmap.reserve(0x10_0000, 0x2000), Ok(2));
    assert_eq!(bitmap.reserve(0x3f_e000, 0x10_0000), Ok(2));
    let handed_out = allocate_all(&mut bitmap);

    for address in [0x10_0000, 0x10_1000, 0x3f_e000, 0x3f_f000] {
        assert!(!handed_out.contains(&address), "{address:#x} was reserved");
    }
    assert_eq!(handed_out.len(), usable_addresses(&QEMU_LIKE_MAP).len() - 4);
    assert_eq!(bitmap.usable_frames(), 1250 - 4);
}

#[test]
fn reserving_part_of_a_frame_reserves_all_of_it() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    assert_eq!(bitmap.reserve(0x1fff, 2), Ok(2));

    assert_eq!(bitmap.allocate_contiguous(3, 1), Some(0x3000));
}

#[test]
fn freeing_a_reserved_frame_is_detected() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    bitmap.reserve(0x10_0000, 0x1000).unwrap();

    assert_eq!(bitmap.free(0x10_0000), Err(FreeError::NeverUsable { address: 0x10_0000 }));
}

#[test]
fn reserving_a_frame_in_use_is_refused_and_changes_nothing() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let frame = bitmap.allocate().unwrap();
    let before = bitmap.snapshot();

    assert_eq!(bitmap.reserve(0, 0x10_0000), Err(FrameInUse { address: frame }));

    assert_eq!(bitmap.snapshot(), before);
    bitmap.free(frame).unwrap();
    assert_eq!(bitmap.reserve(0, 0x10_0000), Ok(158), "accepted once the frame is back");
}

#[test]
fn reserving_unusable_or_uncovered_memory_changes_nothing() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let before = bitmap.snapshot();

    assert_eq!(bitmap.reserve(0xa_0000, 0x6_0000), Ok(0), "the legacy hole");
    assert_eq!(bitmap.reserve(0x1_0000_0000, u64::MAX), Ok(0), "past the bitmap, length saturating");
    assert_eq!(bitmap.reserve(0x20_0000, 0), Ok(0), "an empty range");

    assert_eq!(bitmap.snapshot(), before);
}

#[test]
fn reserve_refusal_message_names_the_frame_in_hex() {
    assert_eq!(FrameInUse { address: 0x10_0000 }.to_string(), "cannot reserve frame 0x100000: it is handed out");
}
