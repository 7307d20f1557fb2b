//! Port I/O: the x86's second, tiny address space.
//!
//! Besides memory, an x86 CPU reaches devices through 65,536 I/O ports with
//! the `in` and `out` instructions (Intel SDM Vol. 1, chapter 19, "Input/
//! Output"). They are privileged (ring 0, or an I/O permission bitmap) and
//! have side effects: reading a data port consumes the byte. The `x86_64`
//! crate's `Port<T>` wraps `in`/`out` for 8-, 16- and 32-bit ports; its
//! `read` and `write` are `unsafe` because the compiler cannot know what a
//! port does. Every port MinimalOS touches is listed here, so one file
//! answers "what talks to what".
//!
//! Rank 5 gathered them; the drivers came earlier (ranks noted below).

pub use x86_64::instructions::port::Port;

/// The 8259 PICs (Rank III): command and data of each.
pub const PIC_MASTER_COMMAND: u16 = 0x20;
pub const PIC_MASTER_DATA: u16 = 0x21;
pub const PIC_SLAVE_COMMAND: u16 = 0xa0;
pub const PIC_SLAVE_DATA: u16 = 0xa1;
/// An unused port (POST codes): writing to it takes about a microsecond.
pub const IO_WAIT: u16 = 0x80;

/// The 8254 PIT (Rank III): channel 2 and its gate, for calibration.
pub const PIT_CHANNEL_2: u16 = 0x42;
pub const PIT_COMMAND: u16 = 0x43;
/// System control port B: PIT channel 2's gate (bit 0) and output (bit 5).
pub const SYSTEM_CONTROL_B: u16 = 0x61;

/// The 8042 PS/2 controller (Rank V): data both ways, and status on read,
/// command on write.
pub const PS2_DATA: u16 = 0x60;
pub const PS2_STATUS_COMMAND: u16 = 0x64;

/// The first 16550 UART (Rank I); its registers follow at +1..+7.
pub const COM1: u16 = 0x3f8;

/// QEMU's `isa-debug-exit` device (Rank I).
pub const QEMU_DEBUG_EXIT: u16 = 0xf4;
