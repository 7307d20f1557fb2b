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

/// Map one fresh frame at two scratch addresses (under different
/// second-level tables, so the walk creates tables for each), show that
/// both read the same bytes, translate `kmain`, then unmap both: the
/// tables the mapping created are freed, and the counters are as before.
pub fn paging() {
    use crate::memory::layout::SCRATCH_START;
    use crate::memory::paging::{PAGE_BYTES, PageTableFlags as Flags, with_kernel_space};

    print_counters("before");
    let first = SCRATCH_START + PAGE_BYTES;
    let second = SCRATCH_START + (1 << 30) + 3 * PAGE_BYTES;
    let frame = frames::allocate_zeroed().expect("a frame");
    let flags = Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE;
    let (_, free_mapped, _) = frames::counters();
    with_kernel_space(|space| {
        for page in [first, second] {
            space.map(page, frame, flags).unwrap_or_else(|e| panic!("map {page:#x}: {e}"));
        }
    });
    let (_, free_tables, _) = frames::counters();
    kprintln!(
        "paging: mapped frame {frame:#x} at {first:#x} and {second:#x} ({} new page tables)",
        free_mapped - free_tables
    );

    // A value nobody could predict: the time stamp counter, now.
    let pattern = crate::arch::cpu::timestamp() | 1;
    // SAFETY: both pages were just mapped, writable, to a frame we own.
    let seen = unsafe {
        (first as *mut u64).write_volatile(pattern);
        (second as *const u64).read_volatile()
    };
    kprintln!("paging: wrote {pattern:#x} through {first:#x}, read {seen:#x} through {second:#x}");

    with_kernel_space(|space| {
        for page in [first, second] {
            match space.translate(page) {
                Some(physical) => kprintln!("paging: translate({page:#x}) = {physical:#x}"),
                None => kprintln!("paging: translate({page:#x}) = not mapped"),
            }
        }
        let kmain = crate::kmain as *const () as u64;
        match space.translate(kmain) {
            Some(physical) => kprintln!("paging: translate(kmain at {kmain:#x}) = {physical:#x}"),
            None => kprintln!("paging: translate(kmain at {kmain:#x}) = not mapped"),
        }
        for page in [first, second] {
            let back = space.unmap(page).unwrap_or_else(|e| panic!("unmap {page:#x}: {e:?}"));
            match space.translate(page) {
                None => kprintln!("paging: unmap({page:#x}) returned frame {back:#x}; translate now: not mapped"),
                Some(still) => {
                    kprintln!("paging: unmap({page:#x}) returned frame {back:#x}; translate now: {still:#x}")
                }
            }
        }
    });
    frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
    print_counters("after");
}

/// A second address space: 0x400000 mapped there only, CR3 switched to it
/// and back. The kernel keeps running across both switches because the
/// upper half is the same in both.
pub fn address_space() {
    use crate::memory::paging::{AddressSpace, PageTableFlags as Flags, with_kernel_space};
    const LOW: u64 = 0x40_0000;

    print_counters("before");
    let frame = frames::allocate_zeroed().expect("a frame");
    let marker = crate::arch::cpu::timestamp() | 1;
    frames::frame_bytes(frame)[..8].copy_from_slice(&marker.to_le_bytes());
    let mut space = AddressSpace::new().expect("frames for an address space");
    space.map(LOW, frame, Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE).unwrap_or_else(|e| panic!("{e}"));

    let kernel_cr3 = with_kernel_space(|kernel| kernel.cr3());
    kprintln!("address-space: kernel CR3 {kernel_cr3:#x}, new CR3 {:#x}", space.cr3());
    space.activate();
    // SAFETY: 0x400000 is mapped in the space now active, to `frame`.
    let seen = unsafe { (LOW as *const u64).read_volatile() };
    with_kernel_space(|kernel| kernel.activate());
    kprintln!("address-space: wrote {marker:#x}, read {seen:#x} at {LOW:#x} in the new space");
    match with_kernel_space(|kernel| kernel.translate(LOW)) {
        None => kprintln!("address-space: {LOW:#x} in the kernel's space: not mapped"),
        Some(physical) => kprintln!("address-space: {LOW:#x} in the kernel's space: {physical:#x}"),
    }
    let back = space.unmap(LOW).unwrap_or_else(|e| panic!("{e:?}"));
    drop(space);
    frames::free(back).unwrap_or_else(|e| panic!("{e}"));
    print_counters("after");
}

/// A byte of code-looking data (`ret`) in `.data`, to jump into.
#[unsafe(no_mangle)]
static mut SCENARIO_DATA_CODE: [u8; 16] = [0xc3; 16];

/// A write into `kmain`'s first byte: text is read-execute.
pub fn write_text() {
    let target = crate::kmain as *const () as u64;
    kprintln!("write-text: writing to kmain at {target:#x}");
    // SAFETY: deliberately faulting: text is mapped read-only, so the
    // write traps before it changes an instruction (and if W^X were
    // broken, the byte written is `int3`, which would trap as well).
    unsafe { (target as *mut u8).write_volatile(0xcc) };
    kprintln!("write-text: the write did not fault: text is writable");
}

/// A call into `.data`: data is no-execute.
pub fn exec_data() {
    let target = (&raw const SCENARIO_DATA_CODE) as u64;
    kprintln!("exec-data: calling into .data at {target:#x}");
    // SAFETY: deliberately faulting: the instruction fetch from a
    // no-execute page traps. Were NX missing, the bytes are `ret`, so the
    // call would come straight back.
    let code: extern "C" fn() = unsafe { core::mem::transmute(target as usize) };
    code();
    kprintln!("exec-data: the call returned: data is executable");
}

/// The frame allocator's cost (`make bench`): an allocate + free pair, and
/// the same with the frame zeroed, in guest instructions under `-icount`.
pub fn frames_bench() {
    const PAIRS: u64 = 1000;
    let pair = |zeroed: bool| {
        let start = crate::arch::cpu::timestamp();
        for _ in 0..PAIRS {
            let frame = if zeroed { frames::allocate_zeroed() } else { frames::allocate() };
            let frame = frame.expect("a frame");
            frames::free(core::hint::black_box(frame)).unwrap_or_else(|e| panic!("{e}"));
        }
        (crate::arch::cpu::timestamp() - start) / PAIRS
    };
    pair(false);
    let plain = pair(false);
    let zeroed = pair(true);
    kprintln!("bench: frames: allocate+free pair: {plain} instructions ({PAIRS} pairs)");
    kprintln!("bench: frames: allocate_zeroed+free pair (4 KiB zeroed): {zeroed} instructions ({PAIRS} pairs)");
}
