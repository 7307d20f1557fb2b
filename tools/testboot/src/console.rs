//! What testboot says, where it says it, and how it stops after a last word.
//!
//! While boot services run, the firmware's text console draws on the screen
//! and OVMF copies it to COM1, so one `println!` reaches both. After
//! ExitBootServices that console is gone, and testboot polls the 16550 UART
//! at COM1 itself, as the kernel will. A flag records which half of the boot
//! we are in; nothing here allocates, so it works after the heap is gone.
//!
//! Tests must not hang on a loader that gave up, so every fatal error and
//! every panic prints `testboot: error: <reason>` and writes to QEMU's
//! `isa-debug-exit` device, which ends QEMU with status `(0x7f << 1) | 1 =
//! 255`. Without that device the write does nothing and the CPU halts. The
//! `uefi` crate's own panic handler would stall ten seconds and reset, which
//! a test would see as a reboot.

use core::fmt::{self, Write};
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use x86_64::instructions::port::{Port, PortReadOnly};

/// COM1's transmit holding register (and base of its eight ports).
const COM1_DATA_PORT: u16 = 0x3f8;
/// COM1's line status register; bit 5 means it can take a byte.
const COM1_LINE_STATUS_PORT: u16 = 0x3fd;
const TRANSMIT_EMPTY: u8 = 1 << 5;
/// Give up on a byte after this many polls, so a missing UART cannot hang.
const POLL_LIMIT: u32 = 100_000;
/// QEMU's `-device isa-debug-exit,iobase=0xf4,iosize=0x04`, and the code
/// written there: QEMU exits with `(code << 1) | 1` = 255.
const QEMU_DEBUG_EXIT_PORT: u16 = 0xf4;
const FAILURE_CODE: u32 = 0x7f;

static BOOT_SERVICES_EXITED: AtomicBool = AtomicBool::new(false);

/// Prints `testboot: <message>` on its own line.
#[macro_export]
macro_rules! log {
    ($($argument:tt)*) => {
        $crate::console::print(format_args!($($argument)*))
    };
}

/// Called right after ExitBootServices: from now on write COM1 directly.
pub fn boot_services_exited() {
    BOOT_SERVICES_EXITED.store(true, Ordering::SeqCst);
}

pub fn print(message: fmt::Arguments) {
    if BOOT_SERVICES_EXITED.load(Ordering::SeqCst) {
        // Com1 never fails; there would be nowhere to report it anyway.
        let _ = writeln!(Com1, "testboot: {message}");
    } else {
        uefi::println!("testboot: {message}");
    }
}

/// Reports `reason` and stops for good.
pub fn fatal(reason: fmt::Arguments) -> ! {
    print(format_args!("error: {reason}"));
    stop()
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    print(format_args!("error: panic: {info}"));
    stop()
}

fn stop() -> ! {
    let mut port: Port<u32> = Port::new(QEMU_DEBUG_EXIT_PORT);
    // SAFETY: testboot is giving up; the only effect of this write is QEMU
    // exiting (isa-debug-exit), or nothing on a machine without the device.
    unsafe { port.write(FAILURE_CODE) };
    loop {
        x86_64::instructions::interrupts::disable();
        x86_64::instructions::hlt();
    }
}

/// A `fmt::Write` onto COM1 that turns `\n` into `\r\n` for terminals.
/// OVMF has set the line up (115200 8N1); under QEMU it does not matter.
struct Com1;

impl Com1 {
    fn write_byte(byte: u8) {
        let mut status: PortReadOnly<u8> = PortReadOnly::new(COM1_LINE_STATUS_PORT);
        let mut data: Port<u8> = Port::new(COM1_DATA_PORT);
        for _ in 0..POLL_LIMIT {
            // SAFETY: reading COM1's line status register has no side effect
            // on a 16550 beyond clearing error bits testboot does not use.
            if unsafe { status.read() } & TRANSMIT_EMPTY != 0 {
                break;
            }
        }
        // SAFETY: after ExitBootServices testboot is the only user of COM1,
        // and writing the data register only sends the byte.
        unsafe { data.write(byte) };
    }
}

impl Write for Com1 {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for byte in text.bytes() {
            if byte == b'\n' {
                Self::write_byte(b'\r');
            }
            Self::write_byte(byte);
        }
        Ok(())
    }
}
