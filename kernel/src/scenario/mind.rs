//! Rank IV scenarios: the frame allocator under test.

use bootinfo::CommandLine;

use crate::kprintln;
use crate::memory::frames;

fn print_counters(when: &str) {
    let (usable, free, used) = frames::counters();
    kprintln!("frames: {when}: usable {usable} free {free} used {used}");
}

/// Allocate, free, allocate again (the same frame must come back); a
/// zeroed frame; 16 contiguous frames aligned to 64 KiB; all freed again.
pub fn frames() {
    print_counters("before");
    let Some(first) = frames::allocate() else {
        kprintln!("frames: out of memory");
        return;
    };
    frames::free(first).unwrap_or_else(|e| panic!("{e}"));
    let again = frames::allocate().expect("a frame was just freed");
    kprintln!("frames: allocated {first:#x}, freed it, allocated {again:#x}");

    let zeroed = frames::allocate_zeroed().expect("memory for a zeroed frame");
    let nonzero = frames::frame_bytes(zeroed).iter().filter(|&&b| b != 0).count();
    kprintln!("frames: zeroed frame {zeroed:#x} has {nonzero} non-zero bytes");

    let run = frames::allocate_contiguous(16, 16).expect("16 contiguous frames");
    kprintln!("frames: 16 contiguous frames at {run:#x}");

    for frame in [again, zeroed].into_iter().chain((0..16).map(|i| run + i * frames::FRAME_BYTES)) {
        frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
    }
    print_counters("after");
}

/// Two bad frees: the same frame twice, and a frame of the kernel image,
/// which the allocator never managed. Both must be refused, with the
/// counters untouched.
pub fn double_free(_: &CommandLine) {
    let frame = frames::allocate().expect("a frame");
    frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
    print_counters("before");
    match frames::free(frame) {
        Ok(()) => kprintln!("frames: second free of {frame:#x} accepted"),
        Err(error) => kprintln!("frames: second free of {frame:#x} refused: {error}"),
    }
    let kernel = crate::memory::kernel_physical_base();
    match frames::free(kernel) {
        Ok(()) => kprintln!("frames: free of the kernel image at {kernel:#x} accepted"),
        Err(error) => kprintln!("frames: free of the kernel image at {kernel:#x} refused: {error}"),
    }
    print_counters("after");
}

/// A write just below the kernel stack: into its guard page.
pub fn guard_page() {
    let (bottom, _) = crate::arch::entry::kernel_stack();
    let target = bottom - 8;
    kprintln!("guard-page: writing to {target:#x}, just below the kernel stack");
    // SAFETY: deliberately faulting: the page below the kernel stack is
    // left unmapped by the linker script, so this write traps before it
    // can change anything.
    unsafe { (target as *mut u64).write_volatile(0xdead) };
    kprintln!("guard-page: the write did not fault");
}
