//! The frame bitmap: building it from the memory map, reserving, counting.
//!
//! Two bits per frame, kept in two arrays carved from the one storage slice:
//!
//! - `taken`: 1 when the frame may not be handed out — it is allocated,
//!   reserved, or was never usable. Allocation searches this array only.
//! - `usable`: 1 when the frame belongs to the allocator's pool. It never
//!   changes after `reserve`, so `free` can tell "you never owned this frame"
//!   from "you freed it twice" without trusting the caller.
//!
//! The second array doubles the storage (64 KiB per GiB instead of 32), and
//! was chosen over keeping the usable regions in a fixed array because
//! Limine's map has no fixed length and a lookup stays one bit test.
//!
//! The bitmap covers frame 0 up to the end of the highest usable region, so
//! a frame's bit index is simply its address / 4096. Starting at the lowest
//! usable frame instead would save the bits for the first megabyte only.

use crate::error::{FrameInUse, StorageTooSmall};
use crate::words::{
    FRAMES_PER_WORD, first_frame_of_word, frame_address, frames_inside, frames_touching, word_masks, words_for,
};

/// A bitmap over every usable 4 KiB frame of physical memory.
///
/// Invariants, kept by every method:
/// 1. A frame that is not `usable` is `taken`, so searches never see it.
/// 2. `free_frame_count` is the number of clear `taken` bits, and
///    `usable_frame_count` the number of set `usable` bits.
/// 3. Every word before `search_start_word` is full: no free frame lies
///    below it, so allocation starts there.
pub struct FrameBitmap<'a> {
    pub(crate) taken: &'a mut [u64],
    pub(crate) usable: &'a mut [u64],
    /// Frames `[0, end_frame)` are covered; bits past it are taken and unusable.
    pub(crate) end_frame: u64,
    pub(crate) usable_frame_count: u64,
    pub(crate) free_frame_count: u64,
    pub(crate) search_start_word: usize,
}

impl<'a> FrameBitmap<'a> {
    /// Bytes of storage [`FrameBitmap::new`] needs to cover physical memory
    /// up to `top_address` (the end of the highest usable region): two bits
    /// per frame, rounded up to whole words.
    pub const fn bytes_needed(top_address: u64) -> usize {
        2 * words_for(top_address / crate::FRAME_BYTES) * size_of::<u64>()
    }

    /// Builds the bitmap in `storage`: every frame starts taken, then each
    /// `(base address, length in bytes)` of `usable_regions` is marked free,
    /// shrunk inward to whole frames. Overlapping regions are counted once.
    ///
    /// Fails when `storage` is smaller than [`FrameBitmap::bytes_needed`] for
    /// the highest region. Storage beyond that is left unused.
    pub fn new(
        storage: &'a mut [u64],
        usable_regions: impl IntoIterator<Item = (u64, u64)>,
    ) -> Result<Self, StorageTooSmall> {
        let given_bytes = size_of_val(storage);
        let words_per_array = storage.len() / 2;
        let (taken, rest) = storage.split_at_mut(words_per_array);
        let (usable, _) = rest.split_at_mut(words_per_array);
        taken.fill(u64::MAX);
        usable.fill(0);

        // One pass over the regions, since an iterator may only be read once.
        // A region that does not fit is skipped, but its end still counts, so
        // the error can say how much storage the whole map needs.
        let frames_that_fit = words_per_array as u64 * FRAMES_PER_WORD;
        let mut end_frame = 0;
        let mut usable_frame_count = 0;
        for (base_address, length_bytes) in usable_regions {
            let Some((start, end)) = frames_inside(base_address, length_bytes) else { continue };
            end_frame = end_frame.max(end);
            if end > frames_that_fit {
                continue;
            }
            for (index, mask) in word_masks(start, end) {
                usable_frame_count += u64::from((mask & !usable[index]).count_ones());
                usable[index] |= mask;
                taken[index] &= !mask;
            }
        }
        if end_frame > frames_that_fit {
            let needed_bytes = Self::bytes_needed(frame_address(end_frame));
            return Err(StorageTooSmall { needed_bytes, given_bytes });
        }

        // Searches stop at the last word that holds a usable frame.
        let words_in_use = words_for(end_frame);
        Ok(Self {
            taken: &mut taken[..words_in_use],
            usable: &mut usable[..words_in_use],
            end_frame,
            usable_frame_count,
            free_frame_count: usable_frame_count,
            search_start_word: 0,
        })
    }

    /// Takes every frame `[base, base + length)` touches out of the pool for
    /// good: it is never handed out, and freeing it is an error. The kernel
    /// reserves the bitmap's own storage this way, and anything else it
    /// claims by address. Unusable or uncovered frames in the range are
    /// ignored. Returns how many frames left the pool.
    ///
    /// Fails, changing nothing, if a frame in the range is handed out: its
    /// owner still believes it has it.
    pub fn reserve(&mut self, base_address: u64, length_bytes: u64) -> Result<u64, FrameInUse> {
        let (start_frame, end_frame) = frames_touching(base_address, length_bytes);
        let end_frame = end_frame.min(self.end_frame);

        // Check every word before changing any, so a refusal leaves no trace.
        for (index, mask) in word_masks(start_frame, end_frame) {
            let handed_out = mask & self.usable[index] & self.taken[index];
            if handed_out != 0 {
                let frame = first_frame_of_word(index) + u64::from(handed_out.trailing_zeros());
                return Err(FrameInUse { address: frame_address(frame) });
            }
        }
        let mut withdrawn_frames = 0;
        for (index, mask) in word_masks(start_frame, end_frame) {
            withdrawn_frames += u64::from((mask & self.usable[index]).count_ones());
            self.usable[index] &= !mask;
            self.taken[index] |= mask;
        }
        self.usable_frame_count -= withdrawn_frames;
        self.free_frame_count -= withdrawn_frames;
        Ok(withdrawn_frames)
    }

    /// Frames in the pool: usable at boot and not reserved since.
    pub const fn usable_frames(&self) -> u64 {
        self.usable_frame_count
    }

    /// Frames ready to be handed out.
    pub const fn free_frames(&self) -> u64 {
        self.free_frame_count
    }

    /// Frames handed out and not yet freed. Always `usable - free`.
    pub const fn used_frames(&self) -> u64 {
        self.usable_frame_count - self.free_frame_count
    }

    /// The end of the highest usable frame: the bitmap covers `[0, top)`.
    pub const fn top_address(&self) -> u64 {
        frame_address(self.end_frame)
    }

    /// Both bit arrays and the counters, so tests can check that a refused
    /// call changed nothing.
    #[cfg(test)]
    pub(crate) fn snapshot(&self) -> (Vec<u64>, Vec<u64>, u64, u64) {
        (self.taken.to_vec(), self.usable.to_vec(), self.usable_frame_count, self.free_frame_count)
    }
}
