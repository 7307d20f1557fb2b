//! Stopping the processor.

use x86_64::instructions::{hlt, interrupts};

/// Stops this CPU for good: interrupts off, then `hlt` in a loop (an NMI or
/// SMI can still wake a halted CPU, so one `hlt` is not enough).
pub fn halt_forever() -> ! {
    interrupts::disable();
    loop {
        hlt();
    }
}
