//! Leaving QEMU with an exit status, through the `isa-debug-exit` device.
//!
//! Tests boot the kernel headless and need to know how it ended. QEMU's
//! `isa-debug-exit` device (I/O port 0xf4, added by the test harness) ends
//! the emulator when the guest writes a value N to it; QEMU then exits with
//! status `(N << 1) | 1`. Status 1 is also what QEMU returns when it fails
//! to start, so no code here is 0: success is 0x10 (status 33), a panic
//! 0x11 (status 35), and a scenario whose programs failed 0x12 (status 37). On real hardware, or in QEMU without the device, the
//! write goes nowhere and the caller halts instead.

use super::port::{self, Port};

/// The I/O port the harness gives `isa-debug-exit` (`iobase=0xf4`).
const DEBUG_EXIT_PORT: u16 = port::QEMU_DEBUG_EXIT;

/// What the kernel tells the harness. `repr(u32)` because the device is
/// declared with `iosize=0x04`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExitCode {
    /// The checkpoint ran to its end. QEMU exit status 33.
    Success = 0x10,
    /// The kernel panicked. QEMU exit status 35.
    Panic = 0x11,
    /// The kernel is fine, but what a scenario ran did not succeed (Rank
    /// VIII: init reported a failed program). QEMU exit status 37.
    Failure = 0x12,
}

/// Asks QEMU to exit; halts if nothing is listening on the port.
pub fn exit(code: ExitCode) -> ! {
    let mut port = Port::<u32>::new(DEBUG_EXIT_PORT);
    // SAFETY: port 0xf4 is either QEMU's isa-debug-exit device, which only
    // ends the emulator, or unclaimed, where an `out` has no effect. No
    // memory is touched.
    unsafe { port.write(code as u32) };
    super::cpu::halt_forever()
}
