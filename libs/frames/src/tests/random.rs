//! 100,000 random operations, each checked against a model made of sets.
//!
//! The model knows which frames are usable, which are handed out and which
//! are free, and predicts every answer the bitmap should give: the lowest
//! free frame, the lowest aligned run, or the exact reason a free is
//! refused. Phases alternate between filling memory and draining it, so the
//! run spends time both nearly empty and nearly full, where fragmentation
//! makes `allocate_contiguous` fail.

use super::{QEMU_LIKE_MAP, storage_for, usable_addresses};
use crate::{FRAME_BYTES, FrameBitmap, FreeError};
use std::collections::{BTreeMap, BTreeSet, HashSet};

const OPERATIONS: u32 = 100_000;
const OPERATIONS_PER_PHASE: u32 = 5_000;

/// Marsaglia's xorshift64 (Journal of Statistical Software 8(14), 2003):
/// three shifts, deterministic, and good enough to shuffle test inputs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

struct Model {
    usable: HashSet<u64>,
    handed_out: HashSet<u64>,
    /// Ordered, so the lowest free frame is `first()`.
    free: BTreeSet<u64>,
    top_address: u64,
}

impl Model {
    fn take(&mut self, address: u64) {
        assert!(self.free.remove(&address) && self.handed_out.insert(address), "{address:#x} was not free");
    }

    /// The lowest aligned run, found by walking every frame once: when the
    /// free run ending at `address` is long enough, its start is a candidate.
    fn lowest_run(&self, count_frames: u64, align_frames: u64) -> Option<u64> {
        let mut run_frames = 0;
        for address in (0..self.top_address).step_by(FRAME_BYTES as usize) {
            run_frames = if self.free.contains(&address) { run_frames + 1 } else { 0 };
            if run_frames >= count_frames {
                let start = address + FRAME_BYTES - count_frames * FRAME_BYTES;
                if (start / FRAME_BYTES).is_multiple_of(align_frames) {
                    return Some(start);
                }
            }
        }
        None
    }

    fn expected_free(&self, address: u64) -> Result<(), FreeError> {
        if !address.is_multiple_of(FRAME_BYTES) {
            Err(FreeError::NotFrameAligned { address })
        } else if address >= self.top_address {
            Err(FreeError::OutsideBitmap { address, top_address: self.top_address })
        } else if !self.usable.contains(&address) {
            Err(FreeError::NeverUsable { address })
        } else if self.free.contains(&address) {
            Err(FreeError::AlreadyFree { address })
        } else {
            Ok(())
        }
    }
}

#[test]
fn counters_and_answers_match_a_model_through_100_000_random_operations() {
    let mut storage = storage_for(&QEMU_LIKE_MAP);
    let mut bitmap = FrameBitmap::new(&mut storage, QEMU_LIKE_MAP).unwrap();
    let usable = usable_addresses(&QEMU_LIKE_MAP);
    let mut model = Model {
        usable: usable.iter().copied().collect(),
        handed_out: HashSet::new(),
        free: usable.clone(),
        top_address: bitmap.top_address(),
    };
    let mut random = XorShift(0x2545_f491_4f6c_dd1d);
    let top_frame = model.top_address / FRAME_BYTES;
    let mut outcomes: BTreeMap<String, u32> = BTreeMap::new();

    for step in 0..OPERATIONS {
        let filling = (step / OPERATIONS_PER_PHASE).is_multiple_of(2);
        let roll = random.below(16);
        let (allocate_below, contiguous_below) = if filling { (8, 11) } else { (3, 4) };

        if roll < allocate_below {
            let address = bitmap.allocate();
            assert_eq!(address, model.free.first().copied(), "step {step}: allocate");
            address.inspect(|&address| model.take(address));
            *outcomes.entry(format!("allocate {}", address.is_some())).or_default() += 1;
        } else if roll < contiguous_below {
            let (count_frames, align_frames) = (1 + random.below(8), 1 << random.below(4));
            let start = bitmap.allocate_contiguous(count_frames, align_frames);
            let expected = model.lowest_run(count_frames, align_frames);
            assert_eq!(start, expected, "step {step}: {count_frames} frames aligned to {align_frames}");
            for frame in 0..start.map_or(0, |_| count_frames) {
                model.take(start.unwrap() + frame * FRAME_BYTES);
            }
            *outcomes.entry(format!("contiguous {}", start.is_some())).or_default() += 1;
        } else {
            // Any frame up to a little past the top; now and then unaligned.
            let mut address = random.below(top_frame + 64) * FRAME_BYTES;
            if random.below(16) == 0 {
                address += 1 + random.below(FRAME_BYTES - 1);
            }
            let outcome = bitmap.free(address);
            assert_eq!(outcome, model.expected_free(address), "step {step}: free {address:#x}");
            if outcome.is_ok() {
                model.handed_out.remove(&address);
                model.free.insert(address);
            }
            let kind = format!("{outcome:?}");
            *outcomes.entry(kind.split(' ').next().unwrap().to_owned()).or_default() += 1;
        }

        assert_eq!(bitmap.free_frames() + bitmap.used_frames(), bitmap.usable_frames(), "step {step}");
        assert_eq!(bitmap.free_frames(), model.free.len() as u64, "step {step}");
        assert_eq!(bitmap.used_frames(), model.handed_out.len() as u64, "step {step}");
    }

    // Every kind of answer came up often enough to mean something.
    let kinds = ["allocate true", "allocate false", "contiguous true", "contiguous false", "Ok(())"];
    let refusals = ["Err(NotFrameAligned", "Err(OutsideBitmap", "Err(NeverUsable", "Err(AlreadyFree"];
    for kind in kinds.iter().chain(&refusals) {
        assert!(outcomes.get(*kind).is_some_and(|&count| count >= 100), "{kind} seen too rarely: {outcomes:?}");
    }

    // Give everything back: the counters return to where they started.
    for &address in &model.handed_out {
        bitmap.free(address).unwrap();
    }
    assert_eq!(bitmap.free_frames(), bitmap.usable_frames());
    assert_eq!(bitmap.usable_frames(), usable.len() as u64);
}
