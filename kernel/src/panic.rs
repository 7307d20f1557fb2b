//! What happens when the kernel cannot go on.
//!
//! A panic prints its message and the file, line and column it came from,
//! on serial and (from Rank 2) in white on red on screen — even when it
//! struck inside a `kprintln!` that held the console — then stops the
//! machine. Under the test harness (`qemu-exit` on the
//! command line) it also leaves QEMU with the panic exit code, so a test
//! learns of the panic at once instead of waiting for its time limit.
//!
//! Rank 1.

use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::arch::{cpu, qemu};

/// Set from the command line at boot: leave QEMU when panicking.
static EXIT_QEMU_ON_PANIC: AtomicBool = AtomicBool::new(false);

/// Chooses whether a panic ends QEMU (true) or only halts the CPU.
pub fn set_exit_qemu_on_panic(exit: bool) {
    EXIT_QEMU_ON_PANIC.store(exit, Ordering::Relaxed);
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    x86_64::instructions::interrupts::disable();
    // SAFETY: interrupts are off, there is one CPU, and this function never
    // returns, so whoever held the COM1 or console lock (perhaps the very
    // `kprintln!` that panicked) will never write again.
    unsafe {
        crate::serial::break_lock_for_panic();
        crate::display::recover_for_panic();
    }

    // White on red on screen; the escapes are stripped by anything that
    // reads serial as text.
    crate::kprintln!();
    crate::kprintln!("\x1b[97;41mKERNEL PANIC: {}\x1b[0m", info.message());
    match info.location() {
        Some(at) => crate::kprintln!("  at {}:{}:{}", at.file(), at.line(), at.column()),
        None => crate::kprintln!("  at an unknown location"),
    }

    if EXIT_QEMU_ON_PANIC.load(Ordering::Relaxed) {
        qemu::exit(qemu::ExitCode::Panic);
    }
    crate::kprintln!("  the CPU is halted.");
    cpu::halt_forever()
}
