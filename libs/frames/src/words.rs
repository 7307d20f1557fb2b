//! Frame numbers to words and masks.
//!
//! The bitmaps store 64 frames per `u64`: frame `n` is bit `n % 64` of word
//! `n / 64`. Changing a range of frames one bit at a time would cost a loop
//! iteration per frame — about a million for 4 GiB — so every range is cut
//! into whole words plus a partial word at each end, and each piece is one
//! mask. A mask also answers "is any frame in this range taken?" with one
//! AND, and `count_ones` counts how many bits an update really changed, which
//! keeps the counters exact when ranges overlap.

use crate::FRAME_BYTES;

/// Frames described by one word of a bitmap.
pub const FRAMES_PER_WORD: u64 = u64::BITS as u64;

/// The word holding `frame`'s bit. Frame numbers stay below 2^52 on x86-64
/// (52-bit physical addresses), so the index fits a 64-bit `usize`.
pub const fn word_index(frame: u64) -> usize {
    (frame / FRAMES_PER_WORD) as usize
}

/// The bit for `frame` inside its word.
pub const fn bit_mask(frame: u64) -> u64 {
    1 << (frame % FRAMES_PER_WORD)
}

/// How many words hold one bit for each of `frame_count` frames.
pub const fn words_for(frame_count: u64) -> usize {
    frame_count.div_ceil(FRAMES_PER_WORD) as usize
}

/// The first frame of word `index`.
pub const fn first_frame_of_word(index: usize) -> u64 {
    index as u64 * FRAMES_PER_WORD
}

/// The physical address where `frame` begins.
pub const fn frame_address(frame: u64) -> u64 {
    frame * FRAME_BYTES
}

/// Whole frames inside `[base, base + length)`: the start is rounded up and
/// the end rounded down, so a frame that is only partly usable is left out.
/// `None` when no whole frame fits.
pub fn frames_inside(base_address: u64, length_bytes: u64) -> Option<(u64, u64)> {
    let start_frame = base_address.div_ceil(FRAME_BYTES);
    let end_frame = base_address.saturating_add(length_bytes) / FRAME_BYTES;
    (start_frame < end_frame).then_some((start_frame, end_frame))
}

/// Every frame `[base, base + length)` touches: the start is rounded down and
/// the end rounded up, so reserving part of a frame reserves all of it.
pub fn frames_touching(base_address: u64, length_bytes: u64) -> (u64, u64) {
    let start_frame = base_address / FRAME_BYTES;
    let end_frame = base_address.saturating_add(length_bytes).div_ceil(FRAME_BYTES);
    (start_frame, end_frame)
}

/// The frames `[start_frame, end_frame)` as `(word index, mask)` pairs, in
/// ascending order (reversible, for searches that want the highest bit).
pub fn word_masks(start_frame: u64, end_frame: u64) -> impl DoubleEndedIterator<Item = (usize, u64)> {
    let first_word = word_index(start_frame);
    let end_word = if start_frame < end_frame { words_for(end_frame) } else { first_word };
    (first_word..end_word).map(move |index| {
        let word_start = first_frame_of_word(index);
        let low_bit = start_frame.max(word_start) - word_start;
        let high_bit = end_frame.min(word_start + FRAMES_PER_WORD) - word_start;
        (index, bits_between(low_bit, high_bit))
    })
}

/// A mask with bits `[low, high)` set, for `low <= high <= 64`.
const fn bits_between(low_bit: u64, high_bit: u64) -> u64 {
    let width = high_bit - low_bit;
    if width == FRAMES_PER_WORD { u64::MAX } else { ((1 << width) - 1) << low_bit }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_inside_one_word_is_one_mask() {
        let masks: Vec<_> = word_masks(3, 6).collect();
        assert_eq!(masks, [(0, 0b11_1000)]);
    }

    #[test]
    fn a_range_across_words_is_cut_at_word_boundaries() {
        let masks: Vec<_> = word_masks(62, 130).collect();
        assert_eq!(masks, [(0, 0b11 << 62), (1, u64::MAX), (2, 0b11)]);
    }

    #[test]
    fn an_empty_range_has_no_masks() {
        assert_eq!(word_masks(70, 70).count(), 0);
        assert_eq!(word_masks(70, 10).count(), 0);
    }

    #[test]
    fn partial_frames_are_left_out_inside_and_kept_when_touching() {
        assert_eq!(frames_inside(0x1001, 0x3000), Some((2, 4)));
        assert_eq!(frames_inside(0x1001, 0x1000), None);
        assert_eq!(frames_touching(0x1001, 0x1000), (1, 3));
        assert_eq!(frames_touching(0x2000, 0), (2, 2));
    }
}
