//! Size classes: which free list a request is served from.
//!
//! A request of `size` bytes aligned to `align` goes to the smallest class
//! of at least `max(size, align)` bytes. Blocks are carved aligned to their
//! own size, so a block of class `c` satisfies any alignment up to `c`:
//! taking the maximum is all alignment needs. The price is rounding — a
//! 33-byte request occupies a 64-byte block — at most half a block lost,
//! and about a quarter on average for evenly spread sizes.

use core::alloc::Layout;

/// Block sizes in bytes, one free list each. Powers of two, so the class of
/// a request is a `next_power_of_two` and a shift. The smallest holds the
/// free list's next pointer; requests above the largest go to the linked
/// list, which wastes less on big sizes and can hand memory back.
pub const CLASSES: [usize; 9] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048];

/// `log2(CLASSES[0])`: class index = `log2(block size) - SMALLEST_SHIFT`.
const SMALLEST_SHIFT: u32 = CLASSES[0].trailing_zeros();

/// The index into [`CLASSES`] that serves `layout`, or `None` when
/// `max(size, align)` exceeds the largest class and the request goes to the
/// linked-list fallback instead. A zero-sized request gets a smallest block,
/// so every allocation has its own address.
pub const fn class_of(layout: Layout) -> Option<usize> {
    let needed = if layout.size() > layout.align() { layout.size() } else { layout.align() };
    if needed > CLASSES[CLASSES.len() - 1] {
        return None;
    }
    // `needed` is at most 2048 here, so the power of two cannot overflow.
    let block = needed.next_power_of_two();
    let shift = block.trailing_zeros();
    Some(if shift < SMALLEST_SHIFT { 0 } else { (shift - SMALLEST_SHIFT) as usize })
}
