//! How much storage the kernel must carve, and what happens when it carves
//! too little or too much.

use super::{QEMU_LIKE_MAP, allocate_all, storage_for};
use crate::{FrameBitmap, StorageTooSmall};

#[test]
fn storage_is_two_bits_per_frame_rounded_up_to_whole_words() {
    assert_eq!(FrameBitmap::bytes_needed(0), 0);
    assert_eq!(FrameBitmap::bytes_needed(0xfff), 0, "a partial frame is never usable");
    assert_eq!(FrameBitmap::bytes_needed(0x1000), 16, "one frame: one word in each array");
    assert_eq!(FrameBitmap::bytes_needed(64 * 0x1000), 16);
    assert_eq!(FrameBitmap::bytes_needed(65 * 0x1000), 32);
    // 4 GiB is 2^20 frames: 2^21 bits, 256 KiB, or 64 frames of storage.
    assert_eq!(FrameBitmap::bytes_needed(1 << 32), 256 * 1024);
}

#[test]
fn storage_of_exactly_the_needed_size_is_accepted() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    assert_eq!(storage.len() * 8, FrameBitmap::bytes_needed(0x84_5000));

    let bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    assert_eq!(bitmap.top_address(), 0x84_5000);
    assert_eq!(bitmap.usable_frames(), 1250);
    assert_eq!(bitmap.free_frames(), 1250);
    assert_eq!(bitmap.used_frames(), 0);
}

#[test]
fn storage_one_word_short_is_refused_with_the_size_it_needs() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let needed_bytes = storage.len() * 8;
    storage.pop();

    let refusal = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).err();

    assert_eq!(refusal, Some(StorageTooSmall { needed_bytes, given_bytes: needed_bytes - 8 }));
    assert_eq!(
        refusal.unwrap().to_string(),
        format!("the frame bitmap needs {needed_bytes} bytes of storage, but was given {}", needed_bytes - 8)
    );
}

#[test]
fn the_needed_size_comes_from_the_highest_region_even_when_it_is_not_last() {
    let regions = [(0x100_0000, 0x1000), (0x1000, 0x1000)];
    let mut storage = vec![0; 2];

    let refusal = FrameBitmap::new(&mut storage, regions).err().unwrap();

    assert_eq!(refusal.needed_bytes, FrameBitmap::bytes_needed(0x100_1000));
}

#[test]
fn extra_storage_is_left_unused() {
    let mut storage = vec![0; 1000];
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();

    assert_eq!(bitmap.top_address(), 0x84_5000);
    assert_eq!(allocate_all(&mut bitmap).len(), 1250);
    assert!(bitmap.free(0x84_5000).is_err(), "the spare storage covers no frames");
}
