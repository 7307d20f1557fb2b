//! Freeing: every kind of bad address is reported and changes nothing.

use super::{QEMU_LIKE_MAP, storage_for};
use crate::{FrameBitmap, FreeError};

#[test]
fn a_double_free_is_detected_and_leaves_the_bitmap_unchanged() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let first = bitmap.allocate().unwrap();
    let second = bitmap.allocate().unwrap();
    bitmap.free(first).unwrap();
    let before = bitmap.snapshot();

    assert_eq!(bitmap.free(first), Err(FreeError::AlreadyFree { address: first }));

    assert_eq!(bitmap.snapshot(), before);
    assert_eq!(bitmap.allocate(), Some(first), "the frame is handed out once more, not twice");
    assert_eq!(bitmap.allocate(), Some(second + 0x1000));
}

#[test]
fn freeing_a_frame_never_handed_out_is_a_double_free() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    assert_eq!(bitmap.free(0x20_0000), Err(FreeError::AlreadyFree { address: 0x20_0000 }));
    assert_eq!(bitmap.free_frames(), bitmap.usable_frames());
}

#[test]
fn freeing_a_never_usable_frame_is_detected() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let before = bitmap.snapshot();

    // Frame 0, the legacy video area, the partial frame at 0x500000 and the
    // hole between 6 MiB and 8 MiB were never usable.
    for address in [0x0, 0xb_8000, 0x50_0000, 0x70_0000] {
        assert_eq!(bitmap.free(address), Err(FreeError::NeverUsable { address }));
    }
    assert_eq!(bitmap.snapshot(), before);
}

#[test]
fn freeing_an_unaligned_address_is_detected() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let frame = bitmap.allocate().unwrap();
    let before = bitmap.snapshot();

    for address in [frame + 1, frame + 0x800, frame + 0xfff] {
        assert_eq!(bitmap.free(address), Err(FreeError::NotFrameAligned { address }));
    }
    assert_eq!(bitmap.snapshot(), before);
}

#[test]
fn freeing_past_the_last_usable_frame_is_detected() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let top_address = bitmap.top_address();
    let before = bitmap.snapshot();

    for address in [top_address, top_address + 0x1000, u64::MAX - 0xfff] {
        assert_eq!(bitmap.free(address), Err(FreeError::OutsideBitmap { address, top_address }));
    }
    assert_eq!(bitmap.snapshot(), before);
}

#[test]
fn error_messages_name_the_address_in_hex() {
    let messages = [
        FreeError::NotFrameAligned { address: 0x1234 }.to_string(),
        FreeError::OutsideBitmap { address: 0x1_0000_0000, top_address: 0x8000_0000 }.to_string(),
        FreeError::NeverUsable { address: 0xb_8000 }.to_string(),
        FreeError::AlreadyFree { address: 0x20_0000 }.to_string(),
    ];

    assert_eq!(messages[0], "cannot free 0x1234: not the start of a frame (a multiple of 4096 bytes)");
    assert_eq!(messages[1], "cannot free 0x100000000: past the last usable frame (the bitmap ends at 0x80000000)");
    assert_eq!(messages[2], "cannot free 0xb8000: that frame was never usable (reserved, or not usable memory)");
    assert_eq!(messages[3], "double free of frame 0x200000: it is already free");
}
