//! Handing frames out and taking them back.
//!
//! Allocation returns the lowest free frame. Lowest-first makes the kernel
//! repeatable — the same boot hands out the same frames, and an allocate /
//! free / allocate round trip gets the frame it just gave back — and keeps
//! high memory in long runs for `allocate_contiguous`.
//!
//! The search skips 64 frames per comparison (a full word is `u64::MAX`) and
//! finds the free bit in a word with `trailing_zeros`, one instruction
//! (`tzcnt`). It starts at `search_start_word`, below which every word is
//! full: allocation moves that hint forward past the words it fills, and
//! `free` moves it back to the freed frame. A stream of allocations therefore
//! costs O(1) each, amortised; only a free far below the hint makes the next
//! search walk forward over full words again. Next-fit (a hint that never
//! moves back) would avoid that walk, but gives up lowest-first.

use crate::FRAME_BYTES;
use crate::FrameBitmap;
use crate::error::FreeError;
use crate::words::{bit_mask, first_frame_of_word, frame_address, word_index, word_masks};

impl FrameBitmap<'_> {
    /// Takes the lowest free frame and returns its physical address, or
    /// `None` when every usable frame is handed out.
    pub fn allocate(&mut self) -> Option<u64> {
        if self.free_frame_count == 0 {
            return None;
        }
        // A free frame exists, and none lies below the hint (invariant 3).
        let offset = self.taken[self.search_start_word..].iter().position(|&word| word != u64::MAX)?;
        let index = self.search_start_word + offset;
        let bit = (!self.taken[index]).trailing_zeros();
        self.taken[index] |= 1 << bit;
        self.free_frame_count -= 1;
        self.search_start_word = index;
        Some(frame_address(first_frame_of_word(index) + u64::from(bit)))
    }

    /// Takes `count_frames` consecutive free frames whose first frame number
    /// is a multiple of `align_frames` (a power of two: 512 gives a 2 MiB
    /// aligned block), and returns the first one's physical address. The
    /// lowest such run wins. `None` when no run fits, when `count_frames` is
    /// 0, or when `align_frames` is not a power of two; nothing changes then.
    pub fn allocate_contiguous(&mut self, count_frames: u64, align_frames: u64) -> Option<u64> {
        if count_frames == 0 || count_frames > self.free_frame_count || !align_frames.is_power_of_two() {
            return None;
        }
        let mut start_frame = first_frame_of_word(self.search_start_word).next_multiple_of(align_frames);
        loop {
            let end_frame = start_frame.checked_add(count_frames).filter(|&end| end <= self.end_frame)?;
            match self.highest_taken_frame(start_frame, end_frame) {
                // Any start up to that taken frame would include it, so the
                // next candidate is the first aligned frame past it.
                Some(taken_frame) => start_frame = (taken_frame + 1).next_multiple_of(align_frames),
                None => {
                    for (index, mask) in word_masks(start_frame, end_frame) {
                        self.taken[index] |= mask;
                    }
                    self.free_frame_count -= count_frames;
                    return Some(frame_address(start_frame));
                }
            }
        }
    }

    /// Gives the frame at `address` back to the pool. Refuses, changing
    /// nothing, an address that is not the start of a frame, lies past the
    /// bitmap, was never in the pool, or is already free (a double free).
    pub fn free(&mut self, address: u64) -> Result<(), FreeError> {
        if !address.is_multiple_of(FRAME_BYTES) {
            return Err(FreeError::NotFrameAligned { address });
        }
        let frame = address / FRAME_BYTES;
        if frame >= self.end_frame {
            return Err(FreeError::OutsideBitmap { address, top_address: self.top_address() });
        }
        let (index, mask) = (word_index(frame), bit_mask(frame));
        if self.usable[index] & mask == 0 {
            return Err(FreeError::NeverUsable { address });
        }
        if self.taken[index] & mask == 0 {
            return Err(FreeError::AlreadyFree { address });
        }
        self.taken[index] &= !mask;
        self.free_frame_count += 1;
        self.search_start_word = self.search_start_word.min(index);
        Ok(())
    }

    /// The highest taken frame in `[start_frame, end_frame)`, if any.
    fn highest_taken_frame(&self, start_frame: u64, end_frame: u64) -> Option<u64> {
        word_masks(start_frame, end_frame).rev().find_map(|(index, mask)| {
            // `ilog2` of a non-zero word is the index of its highest set bit.
            let taken = self.taken[index] & mask;
            (taken != 0).then(|| first_frame_of_word(index) + u64::from(taken.ilog2()))
        })
    }
}
