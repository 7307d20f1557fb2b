//! The 16550 UART on COM1: the kernel's first voice and its most reliable one.
//!
//! A serial port needs no memory map, no framebuffer and no interrupts, so it
//! works from the first instruction of `kmain` to the last line of a panic.
//! QEMU connects COM1 to the terminal (`make run`) or to the quest tool,
//! which is how every achievement reads what the kernel says.
//!
//! The driver polls: `write` waits for the transmit register to empty,
//! `read` returns a byte only when one is waiting. Rank 5 adds the receive
//! interrupt. Register offsets and bits: the National Semiconductor PC16550D
//! data sheet (also OSDev, "Serial Ports").
//!
//! Rank 1.

use spin::Mutex;
use x86_64::instructions::interrupts;

use crate::arch::port::{self, Port};

/// I/O base of the first serial port on every PC since the IBM PC.
const COM1_BASE: u16 = port::COM1;

/// Register offsets from the base port.
const DATA: u16 = 0; // receive / transmit buffer (DLAB=0), divisor low (DLAB=1)
const INTERRUPT_ENABLE: u16 = 1; // divisor high when DLAB=1
const FIFO_CONTROL: u16 = 2;
const LINE_CONTROL: u16 = 3;
const MODEM_CONTROL: u16 = 4;
const LINE_STATUS: u16 = 5;

const LINE_CONTROL_DLAB: u8 = 0x80; // next two registers are the divisor
const LINE_CONTROL_8N1: u8 = 0x03; // 8 data bits, no parity, 1 stop bit
const FIFO_ENABLE_CLEAR_14: u8 = 0xc7; // enable, clear both, 14-byte threshold
const MODEM_DTR_RTS_OUT2: u8 = 0x0b;
const MODEM_LOOPBACK: u8 = 0x1e; // loopback with RTS, OUT1, OUT2
const LINE_STATUS_DATA_READY: u8 = 0x01;
const LINE_STATUS_TRANSMIT_EMPTY: u8 = 0x20;

/// 115200 baud / divisor; 1 gives the full 115200 baud.
const BAUD_DIVISOR: u16 = 1;

/// Bounded wait for the transmitter, so a missing or wedged UART slows
/// output down instead of hanging the kernel.
const TRANSMIT_SPIN_LIMIT: u32 = 100_000;

/// COM1, shared by everything that prints. Locked with interrupts off so an
/// interrupt handler that prints cannot deadlock against the code it
/// interrupted.
static COM1: Mutex<SerialPort> = Mutex::new(SerialPort::new(COM1_BASE));

/// One 16550 UART.
pub struct SerialPort {
    base: u16,
    present: bool,
}

impl SerialPort {
    const fn new(base: u16) -> Self {
        Self { base, present: false }
    }

    fn register(&self, offset: u16) -> Port<u8> {
        Port::new(self.base + offset)
    }

    fn read_register(&self, offset: u16) -> u8 {
        // SAFETY: reading a UART register has no effect on memory; the only
        // side effect (consuming a received byte) is what callers ask for.
        unsafe { self.register(offset).read() }
    }

    fn write_register(&self, offset: u16, value: u8) {
        // SAFETY: this port range belongs to the UART, which the COM1 lock
        // gives us exclusively; UART registers do not touch memory.
        unsafe { self.register(offset).write(value) }
    }

    /// Programs 115200 baud 8N1 with FIFOs and checks the chip answers in
    /// loopback mode. Returns whether a working UART was found.
    fn init(&mut self) -> bool {
        self.write_register(INTERRUPT_ENABLE, 0x00);
        self.write_register(LINE_CONTROL, LINE_CONTROL_DLAB);
        self.write_register(DATA, (BAUD_DIVISOR & 0xff) as u8);
        self.write_register(INTERRUPT_ENABLE, (BAUD_DIVISOR >> 8) as u8);
        self.write_register(LINE_CONTROL, LINE_CONTROL_8N1);
        self.write_register(FIFO_CONTROL, FIFO_ENABLE_CLEAR_14);

        // Loopback self-test: a byte written comes straight back if a real
        // 16550 is there. Without one the port floats and reads 0xff.
        const PROBE: u8 = 0xae;
        self.write_register(MODEM_CONTROL, MODEM_LOOPBACK);
        self.write_register(DATA, PROBE);
        self.present = self.read_register(DATA) == PROBE;

        self.write_register(MODEM_CONTROL, MODEM_DTR_RTS_OUT2);
        self.present
    }

    fn write_byte(&mut self, byte: u8) {
        if !self.present {
            return;
        }
        let mut spins = 0;
        while self.read_register(LINE_STATUS) & LINE_STATUS_TRANSMIT_EMPTY == 0 && spins < TRANSMIT_SPIN_LIMIT {
            core::hint::spin_loop();
            spins += 1;
        }
        self.write_register(DATA, byte);
    }

    fn read_byte(&mut self) -> Option<u8> {
        if self.present && self.read_register(LINE_STATUS) & LINE_STATUS_DATA_READY != 0 {
            Some(self.read_register(DATA))
        } else {
            None
        }
    }
}

impl core::fmt::Write for SerialPort {
    /// Terminals want CR LF; Rust strings say LF.
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        for byte in text.bytes() {
            if byte == b'\n' {
                self.write_byte(b'\r');
            }
            self.write_byte(byte);
        }
        Ok(())
    }
}

/// Brings COM1 up. Returns false when no UART answered (output is then
/// dropped rather than hanging on a port nobody reads).
pub fn init() -> bool {
    interrupts::without_interrupts(|| COM1.lock().init())
}

/// Writes formatted text to COM1.
pub fn write_fmt(args: core::fmt::Arguments) {
    use core::fmt::Write;
    interrupts::without_interrupts(|| {
        // A serial write cannot fail: errors are impossible by construction.
        let _ = COM1.lock().write_fmt(args);
    });
}

/// Interrupt enable register, bit 0: "received data available" (and the
/// FIFO's character timeout), which raises COM1's IRQ 4.
const INTERRUPT_ON_RECEIVE: u8 = 0x01;

/// Asks the UART to interrupt when bytes arrive (OUT2, which gates the
/// UART's interrupt line on PCs, is already set by `init`). Rank 5.
pub fn enable_receive_interrupt() -> bool {
    interrupts::without_interrupts(|| {
        let port = COM1.lock();
        if port.present {
            port.write_register(INTERRUPT_ENABLE, INTERRUPT_ON_RECEIVE);
        }
        port.present
    })
}

/// Takes one received byte, if one is waiting.
pub fn read_byte() -> Option<u8> {
    interrupts::without_interrupts(|| COM1.lock().read_byte())
}

/// Frees COM1 if its lock was held when the kernel panicked.
///
/// # Safety
/// Only for the panic path: the caller must ensure nothing else will use
/// the port concurrently (one CPU, interrupts off, never returning).
pub unsafe fn break_lock_for_panic() {
    // SAFETY: the caller guarantees the previous holder will never run
    // again, so no two writers can interleave on the UART.
    unsafe { COM1.force_unlock() };
}
