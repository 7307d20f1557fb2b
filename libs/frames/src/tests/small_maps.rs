//! Every map of up to 12 frames, checked against a direct search.
//!
//! With one usable-or-not choice per frame there are 4,096 such maps, few
//! enough to try them all: each one must hand out exactly its usable frames
//! in order, and `allocate_contiguous` must find the same run a frame-by-
//! frame search finds, for every length and alignment that could fit.

use super::allocate_all;
use crate::{FRAME_BYTES, FrameBitmap};

const FRAMES: u64 = 12;

/// The map whose usable frames are the set bits of `pattern`, one region per frame.
fn regions_of(pattern: u64) -> Vec<(u64, u64)> {
    (0..FRAMES).filter(|frame| pattern & (1 << frame) != 0).map(|frame| (frame * FRAME_BYTES, FRAME_BYTES)).collect()
}

/// The lowest aligned start of `count` usable frames in `pattern`.
fn lowest_run(pattern: u64, count: u64, align: u64) -> Option<u64> {
    (0..FRAMES)
        .step_by(align as usize)
        .find(|&start| start + count <= FRAMES && (start..start + count).all(|frame| pattern & (1 << frame) != 0))
}

#[test]
fn every_small_map_hands_out_exactly_its_usable_frames_in_order() {
    for pattern in 0..1 << FRAMES {
        let mut storage = vec![0; 2];
        let mut bitmap = FrameBitmap::new(&mut storage, regions_of(pattern)).unwrap();

        let expected: Vec<u64> =
            (0..FRAMES).filter(|frame| pattern & (1 << frame) != 0).map(|frame| frame * FRAME_BYTES).collect();
        assert_eq!(allocate_all(&mut bitmap), expected, "map {pattern:#014b}");
        assert_eq!(bitmap.free_frames(), 0);
    }
}

#[test]
fn every_small_map_places_runs_where_a_direct_search_does() {
    for pattern in 0..1 << FRAMES {
        for count in 1..=5 {
            for align in [1, 2, 4, 8] {
                let mut storage = vec![0; 2];
                let mut bitmap = FrameBitmap::new(&mut storage, regions_of(pattern)).unwrap();

                let expected = lowest_run(pattern, count, align).map(|frame| frame * FRAME_BYTES);
                let context = format!("map {pattern:#014b}, {count} frames aligned to {align}");
                assert_eq!(bitmap.allocate_contiguous(count, align), expected, "{context}");
                let taken = if expected.is_some() { count } else { 0 };
                assert_eq!(bitmap.used_frames(), taken, "{context}");
            }
        }
    }
}
