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
