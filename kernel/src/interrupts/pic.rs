//! The legacy 8259 PICs: moved out of the way, then silenced.
//!
//! The two 8259s deliver IRQs 0–15 on whatever vector bases the firmware
//! left — 8 and 0x70 by the old BIOS convention, 0 and 0 under OVMF on
//! QEMU — on top of the CPU's exception vectors. We use the APIC
//! instead, but the PICs are still there: they are re-initialised to
//! vectors 0x20–0x2F (so anything they deliver is recognisable) and every
//! line is masked. A masked PIC can still raise a *spurious* IRQ 7 or 15,
//! which the dispatcher counts and ignores. (OSDev, "8259 PIC"; Intel's
//! 8259A data sheet for the initialisation words.)

use crate::arch::port::{self, Port};

pub const MASTER_BASE: u8 = 0x20;
pub const SLAVE_BASE: u8 = 0x28;
/// Where a spurious IRQ 7 / IRQ 15 arrives after remapping.
pub const MASTER_SPURIOUS: u8 = MASTER_BASE + 7;
pub const SLAVE_SPURIOUS: u8 = SLAVE_BASE + 7;

const MASTER_COMMAND: u16 = port::PIC_MASTER_COMMAND;
const MASTER_DATA: u16 = port::PIC_MASTER_DATA;
const SLAVE_COMMAND: u16 = port::PIC_SLAVE_COMMAND;
const SLAVE_DATA: u16 = port::PIC_SLAVE_DATA;
const ICW1_INIT_WITH_ICW4: u8 = 0x11;
const ICW4_8086_MODE: u8 = 0x01;
const END_OF_INTERRUPT: u8 = 0x20;
/// Port 0x80 (POST codes) is unused: writing it takes about a microsecond,
/// the pause old PICs need between initialisation words.
const WAIT_PORT: u16 = port::IO_WAIT;

fn write(port: u16, value: u8) {
    // SAFETY: the 8259 ports and the POST port belong to the kernel; these
    // writes reprogram the PICs as intended and touch no memory.
    unsafe {
        Port::<u8>::new(port).write(value);
        Port::<u8>::new(WAIT_PORT).write(0);
    }
}

/// Re-initialises both PICs at 0x20/0x28 and masks all sixteen lines.
pub fn remap_and_mask() {
    write(MASTER_COMMAND, ICW1_INIT_WITH_ICW4);
    write(SLAVE_COMMAND, ICW1_INIT_WITH_ICW4);
    write(MASTER_DATA, MASTER_BASE);
    write(SLAVE_DATA, SLAVE_BASE);
    write(MASTER_DATA, 1 << 2); // the slave hangs off IRQ 2
    write(SLAVE_DATA, 2); // its cascade identity
    write(MASTER_DATA, ICW4_8086_MODE);
    write(SLAVE_DATA, ICW4_8086_MODE);
    write(MASTER_DATA, 0xff);
    write(SLAVE_DATA, 0xff);
}

/// A spurious IRQ 15 came through the master's IRQ 2, which did see a
/// real request: the master needs its EOI, the slave must not get one.
pub fn acknowledge_slave_spurious() {
    write(MASTER_COMMAND, END_OF_INTERRUPT);
}
