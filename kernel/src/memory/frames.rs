//! The physical frame allocator, for the whole kernel.

pub use frames::FRAME_BYTES;
use frames::{FrameBitmap, FreeError};
use spin::Mutex;

use crate::boot::BootInfo;
use crate::boot::summary::field;

static FRAMES: Mutex<Option<FrameBitmap<'static>>> = Mutex::new(None);

/// Counters: (usable, free, used) frames.
pub fn counters() -> (u64, u64, u64) {
    FRAMES.lock().as_ref().map_or((0, 0, 0), |f| (f.usable_frames(), f.free_frames(), f.used_frames()))
}

pub fn allocate() -> Option<u64> {
    FRAMES.lock().as_mut()?.allocate()
}

/// A frame filled with zeros (through the HHDM).
pub fn allocate_zeroed() -> Option<u64> {
    let frame = allocate()?;
    let bytes = frame_bytes(frame);
    bytes.fill(0);
    Some(frame)
}

pub fn allocate_contiguous(count: u64, align_frames: u64) -> Option<u64> {
    FRAMES.lock().as_mut()?.allocate_contiguous(count, align_frames)
}

pub fn free(address: u64) -> Result<(), FreeError> {
    match FRAMES.lock().as_mut() {
        Some(frames) => frames.free(address),
        None => Err(FreeError::OutsideBitmap { address, top_address: 0 }),
    }
}

/// The 4 KiB of a frame the caller owns, through the HHDM.
pub fn frame_bytes(frame: u64) -> &'static mut [u8] {
    let hhdm = super::hhdm_offset();
    // SAFETY: `frame` is a frame the allocator handed to the caller, so
    // no one else uses it; the HHDM maps all usable memory for the
    // kernel's lifetime (PROTOCOL.md, base revision 2).
    unsafe { core::slice::from_raw_parts_mut((hhdm + frame) as *mut u8, FRAME_BYTES as usize) }
}

/// Carves the bitmap from the first usable region large enough, then
/// reserves those frames so they are never handed out.
pub fn init(boot: &BootInfo) {
    let hhdm = super::hhdm_offset();
    let usable = || {
        boot.memory_map
            .iter()
            .filter(|e| crate::boot::memory_kind(e) == bootinfo::MemoryKind::Usable)
            .map(|e| (e.base, e.length))
    };
    let top = usable().map(|(base, length)| base + length).max().unwrap_or(0);
    let needed = FrameBitmap::bytes_needed(top);
    let storage_bytes = (needed as u64).div_ceil(FRAME_BYTES) * FRAME_BYTES;
    let Some((storage, _)) = usable().find(|(base, length)| base % FRAME_BYTES == 0 && *length >= storage_bytes) else {
        panic!("no usable region holds the {needed}-byte frame bitmap");
    };
    // SAFETY: [storage, storage + storage_bytes) is usable RAM that nothing
    // else has claimed yet (no allocator exists before this one), reached
    // through the HHDM, 8-byte aligned because frame aligned; it is
    // reserved in the bitmap below, so it is never handed out.
    let words: &'static mut [u64] =
        unsafe { core::slice::from_raw_parts_mut((hhdm + storage) as *mut u64, (storage_bytes / 8) as usize) };
    let mut bitmap = FrameBitmap::new(words, usable()).unwrap_or_else(|e| panic!("frame bitmap: {e}"));
    bitmap.reserve(storage, storage_bytes).unwrap_or_else(|e| panic!("frame bitmap: {e}"));
    let usable_bytes: u64 = usable().map(|(_, length)| length).sum();
    field(
        "frames",
        format_args!(
            "{} managed + {} bitmap = {} usable bytes / 4 KiB",
            bitmap.usable_frames(),
            storage_bytes / FRAME_BYTES,
            usable_bytes,
        ),
    );
    field("frame use", format_args!("{} free, {} used", bitmap.free_frames(), bitmap.used_frames()));
    field("frame bitmap", format_args!("{needed} bytes at physical {storage:#x}"));
    *FRAMES.lock() = Some(bitmap);
}
