//! Stopping the processor, and reading its time-stamp counter.

use x86_64::instructions::{hlt, interrupts};

/// Stops this CPU for good: interrupts off, then `hlt` in a loop (an NMI or
/// SMI can still wake a halted CPU, so one `hlt` is not enough).
pub fn halt_forever() -> ! {
    interrupts::disable();
    loop {
        hlt();
    }
}

/// The time-stamp counter: CPU cycles on real hardware, guest
/// instructions (scaled by 2^shift) under QEMU's `-icount`.
pub fn timestamp() -> u64 {
    // SAFETY: `rdtsc` only reads a counter; every x86-64 CPU has it.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The time-stamp counter when `kmain` began (`mark_kmain`), for the
/// boot benchmark.
static KMAIN_TIMESTAMP: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

pub fn mark_kmain() {
    KMAIN_TIMESTAMP.store(timestamp(), core::sync::atomic::Ordering::Relaxed);
}

pub fn kmain_timestamp() -> u64 {
    KMAIN_TIMESTAMP.load(core::sync::atomic::Ordering::Relaxed)
}

/// Executes exactly `2 * iterations + 1` instructions (`mov`, then `dec`
/// and `jnz` per turn): a yardstick that turns TSC deltas into
/// instruction counts under QEMU's `-icount`, where they are proportional.
pub fn spin_exactly(iterations: u32) {
    // SAFETY: only ECX and the flags change, and both are declared.
    unsafe {
        core::arch::asm!(
            "mov ecx, {n:e}",
            "2:",
            "dec ecx",
            "jnz 2b",
            n = in(reg) iterations,
            out("ecx") _,
            options(nomem, nostack),
        );
    }
}

/// Halts with interrupts on, forever: the idle loop once interrupts work.
/// `sti` takes effect after the next instruction, so nothing can slip in
/// between it and `hlt`.
pub fn idle_forever() -> ! {
    loop {
        interrupts::enable_and_hlt();
    }
}

/// Divides by zero with the `div` instruction (#DE, vector 0).
#[inline(always)]
pub fn divide_by_zero() {
    // SAFETY: faults by design before changing anything; the registers it
    // would write are declared.
    unsafe {
        core::arch::asm!("xor edx, edx", "xor ecx, ecx", "div rcx", out("rax") _, out("rcx") _, out("rdx") _);
    }
}

/// Executes `ud2` (#UD, vector 6).
#[inline(always)]
pub fn invalid_opcode() {
    // SAFETY: raises #UD by design; touches nothing.
    unsafe { core::arch::asm!("ud2", options(nomem, nostack)) };
}
