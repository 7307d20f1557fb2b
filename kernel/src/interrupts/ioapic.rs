//! The I/O APIC: where device interrupt lines become vectors.
//!
//! Two registers reached through a window: write a register index to
//! IOREGSEL (offset 0x00), then read or write IOWIN (offset 0x10). Each
//! input has a 64-bit redirection entry, registers 0x10 + 2n and
//! 0x11 + 2n: vector, delivery mode, polarity, trigger mode, mask, and the
//! destination APIC id (82093AA I/O APIC data sheet, section 3.2.4).
//! ISA IRQs are wired through the MADT's interrupt source overrides:
//! on QEMU, the PIT's IRQ 0 arrives on input 2.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

const REGISTER_SELECT: usize = 0x00;
const REGISTER_WINDOW: usize = 0x10;
const VERSION_REGISTER: u32 = 0x01;
const REDIRECTION_BASE: u32 = 0x10;

const MASKED: u64 = 1 << 16;
const LEVEL_TRIGGERED: u64 = 1 << 15;
const ACTIVE_LOW: u64 = 1 << 13;

static BASE: AtomicU64 = AtomicU64::new(0);

/// The input each ISA IRQ was routed to, plus one (0: not routed).
static ISA_INPUTS: [AtomicU32; 16] = [const { AtomicU32::new(0) }; 16];

fn select(register: u32) -> *mut u32 {
    let base = BASE.load(Ordering::Relaxed) as usize;
    // SAFETY: `init` stored the HHDM address of the I/O APIC's register
    // page, mapped for the kernel's lifetime; the select register is a
    // 32-bit aligned MMIO word.
    unsafe { ((base + REGISTER_SELECT) as *mut u32).write_volatile(register) };
    (base + REGISTER_WINDOW) as *mut u32
}

fn read(register: u32) -> u32 {
    // SAFETY: the window register of the selected I/O APIC register.
    unsafe { select(register).read_volatile() }
}

fn write(register: u32, value: u32) {
    // SAFETY: as in `read`; the I/O APIC's state is all this changes.
    unsafe { select(register).write_volatile(value) }
}

/// Points at one I/O APIC; returns its number of inputs.
pub fn init(virtual_base: u64) -> u32 {
    BASE.store(virtual_base, Ordering::Relaxed);
    ((read(VERSION_REGISTER) >> 16) & 0xff) + 1
}

/// How an input is wired.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub input: u32,
    pub vector: u8,
    pub level_triggered: bool,
    pub active_low: bool,
    pub destination_apic: u8,
    pub masked: bool,
}

/// Programs one redirection entry (fixed delivery, physical destination).
pub fn route(route: Route) {
    let mut entry = u64::from(route.vector);
    if route.level_triggered {
        entry |= LEVEL_TRIGGERED;
    }
    if route.active_low {
        entry |= ACTIVE_LOW;
    }
    if route.masked {
        entry |= MASKED;
    }
    entry |= u64::from(route.destination_apic) << 56;
    let register = REDIRECTION_BASE + 2 * route.input;
    // Mask first, so the entry is never live half-written.
    write(register, MASKED as u32);
    write(register + 1, (entry >> 32) as u32);
    write(register, entry as u32);
}

/// Remembers that ISA IRQ `irq` arrives on `input`, for `unmask_isa`.
pub fn record_isa(irq: u8, input: u32) {
    ISA_INPUTS[usize::from(irq & 15)].store(input + 1, Ordering::Relaxed);
}

/// Lets ISA IRQ `irq` through. Returns the I/O APIC input, or `None` when
/// the line was never routed.
pub fn unmask_isa(irq: u8) -> Option<u32> {
    let input = ISA_INPUTS[usize::from(irq & 15)].load(Ordering::Relaxed).checked_sub(1)?;
    let register = REDIRECTION_BASE + 2 * input;
    write(register, read(register) & !(MASKED as u32));
    Some(input)
}
