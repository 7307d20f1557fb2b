//! Where things live in the kernel's half of the address space.
//!
//! The upper half (top-level entries 256 to 511) belongs to the kernel and
//! is the same in every address space; the lower half is each program's
//! own (Rank VI on). Each region below starts on a top-level (512 GiB)
//! boundary, so regions never share a third-level table and a glance at an
//! address says what it is.
//!
//! ```text
//! 0xffff_8000_0000_0000  direct map of physical memory (HHDM; Limine picks
//!                        the offset, this is where it puts it)
//! 0xffff_c000_0000_0000  kernel heap, growing up          (HEAP_START)
//! 0xffff_d000_0000_0000  scratch pages for scenarios      (SCRATCH_START)
//! 0xffff_e000_0000_0000  process kernel stacks, 64 KiB apart, each with
//!                        an unmapped guard page       (KERNEL_STACKS_START)
//! 0xffff_ffff_8000_0000  the kernel image and its stacks  (linker.ld)
//! ```

/// First top-level index of the kernel half.
pub const KERNEL_HALF_FIRST_ENTRY: usize = 256;

/// The kernel heap's first byte; it grows upwards from here.
pub const HEAP_START: u64 = 0xffff_c000_0000_0000;

/// The heap may grow to this size (far beyond RAM: the limit is the frame
/// allocator, not the address space).
pub const HEAP_MAX_BYTES: u64 = 64 << 30;

/// Pages that scenarios map and unmap to show paging at work.
pub const SCRATCH_START: u64 = 0xffff_d000_0000_0000;

/// Process kernel stacks (Rank VIII): one 64 KiB window per process slot.
pub const KERNEL_STACKS_START: u64 = 0xffff_e000_0000_0000;
