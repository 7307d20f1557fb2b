//! The local APIC: this CPU's interrupt controller and timer.
//!
//! Its registers are memory-mapped at a physical address the MADT gives
//! (0xfee00000 on every PC so far), reached through the HHDM. Each is a
//! 32-bit value at a 16-byte-aligned offset (Intel SDM Vol. 3A, 11.4.1,
//! table 11-1).

use core::sync::atomic::{AtomicU64, Ordering};

/// Register offsets.
const ID: usize = 0x20;
const VERSION: usize = 0x30;
const TASK_PRIORITY: usize = 0x80;
const END_OF_INTERRUPT: usize = 0xb0;
const SPURIOUS: usize = 0xf0;
const LVT_TIMER: usize = 0x320;
const TIMER_INITIAL_COUNT: usize = 0x380;
const TIMER_CURRENT_COUNT: usize = 0x390;
const TIMER_DIVIDE: usize = 0x3e0;

const SOFTWARE_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_PERIODIC: u32 = 1 << 17;
/// Divide configuration 0b0011: the timer counts bus clock / 16.
const DIVIDE_BY_16: u32 = 0b0011;

/// Virtual address of the register page, set by `init`.
static BASE: AtomicU64 = AtomicU64::new(0);

fn register(offset: usize) -> *mut u32 {
    (BASE.load(Ordering::Relaxed) as usize + offset) as *mut u32
}

fn read(offset: usize) -> u32 {
    // SAFETY: `init` stored the HHDM address of the LAPIC's register page,
    // which is mapped for the kernel's lifetime; registers are 32-bit and
    // aligned, and volatile keeps every access.
    unsafe { register(offset).read_volatile() }
}

fn write(offset: usize, value: u32) {
    // SAFETY: as in `read`; writing a LAPIC register changes only the
    // APIC's state.
    unsafe { register(offset).write_volatile(value) }
}

/// Software-enables the LAPIC at `virtual_base` with `spurious_vector`,
/// accepting every priority. Returns (APIC id, version).
pub fn init(virtual_base: u64, spurious_vector: u8) -> (u32, u32) {
    BASE.store(virtual_base, Ordering::Relaxed);
    write(TASK_PRIORITY, 0);
    write(SPURIOUS, SOFTWARE_ENABLE | u32::from(spurious_vector));
    (read(ID) >> 24, read(VERSION) & 0xff)
}

/// Tells the LAPIC the current interrupt has been handled.
pub fn end_of_interrupt() {
    write(END_OF_INTERRUPT, 0);
}

/// Starts the timer counting down from `u32::MAX`, masked, for
/// calibration; read the progress with [`timer_elapsed`].
pub fn timer_start_free_running() {
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    write(LVT_TIMER, LVT_MASKED);
    write(TIMER_INITIAL_COUNT, u32::MAX);
}

/// Counts since [`timer_start_free_running`].
pub fn timer_elapsed() -> u32 {
    u32::MAX - read(TIMER_CURRENT_COUNT)
}

/// Fires `vector` every `count` timer counts (bus clock / 16).
pub fn timer_periodic(vector: u8, count: u32) {
    write(TIMER_DIVIDE, DIVIDE_BY_16);
    write(LVT_TIMER, LVT_PERIODIC | u32::from(vector));
    write(TIMER_INITIAL_COUNT, count.max(1));
}
