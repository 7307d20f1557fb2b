//! The LAPIC timer: calibrated, periodic, counting ticks.
//!
//! The LAPIC timer counts at the bus clock divided by 16, a frequency no
//! register reports. So we measure it against a clock whose frequency is
//! fixed by history: the 8254 PIT, 1,193,182 Hz on every PC. PIT channel 2
//! can be started and watched through port 0x61 without any interrupt
//! (its gate is bit 0, its output bit 5): count 50 ms on it while the LAPIC
//! timer runs free, and the ratio is the LAPIC's rate. (CPUID leaf 0x15
//! gives the crystal frequency directly on recent Intel CPUs; QEMU's TCG
//! does not fill it in, so the PIT it is.) The TSC is measured in the same
//! window.
//!
//! Interrupts can be late or lost — a hypervisor that deschedules the
//! vCPU, QEMU merging periods it could not deliver — so the tick count is
//! not a bare counter of interrupts: each interrupt sets it from the TSC
//! (ticks since `start` = elapsed TSC × hz / TSC rate), catching up what
//! was missed, as Linux's jiffies do from their clocksource. Time then runs
//! at the right rate even when interrupts do not; the interrupts themselves
//! are counted separately.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::arch::port::{self, Port};

use super::lapic;

/// The PIT's input clock, in Hz.
const PIT_HZ: u64 = 1_193_182;
const CALIBRATION_MS: u64 = 50;
const PIT_CHANNEL_2: u16 = port::PIT_CHANNEL_2;
const PIT_COMMAND: u16 = port::PIT_COMMAND;
const PIT_GATE_PORT: u16 = port::SYSTEM_CONTROL_B;
/// Channel 2, low then high byte, mode 0 (interrupt on terminal count).
const PIT_CHANNEL_2_ONE_SHOT: u8 = 0b1011_0000;
const GATE_ON: u8 = 0x01;
const SPEAKER_ON: u8 = 0x02;
const OUTPUT_HIGH: u8 = 0x20;

pub const DEFAULT_HZ: u32 = 100;

static TICKS: AtomicU64 = AtomicU64::new(0);
static INTERRUPTS: AtomicU64 = AtomicU64::new(0);
/// TSC counts per second, measured with the LAPIC's.
static TSC_PER_SECOND: AtomicU64 = AtomicU64::new(0);
/// The TSC and tick count when the current rate was set.
static BASE_TSC: AtomicU64 = AtomicU64::new(0);
static BASE_TICKS: AtomicU64 = AtomicU64::new(0);
static HZ: AtomicU32 = AtomicU32::new(DEFAULT_HZ);
/// LAPIC timer counts per second (after the divide-by-16).
static COUNTS_PER_SECOND: AtomicU64 = AtomicU64::new(0);

fn port_read(port: u16) -> u8 {
    // SAFETY: reading the PIT or system-control port has no memory effect.
    unsafe { Port::<u8>::new(port).read() }
}

fn port_write(port: u16, value: u8) {
    // SAFETY: programming PIT channel 2 and its gate only affects the PIT
    // and the PC speaker, which we keep silent.
    unsafe { Port::<u8>::new(port).write(value) }
}

/// Measures the LAPIC timer against PIT channel 2. Returns counts per
/// second. Interrupts must be off (nothing may stretch the window).
pub fn calibrate() -> u64 {
    let pit_count = (PIT_HZ * CALIBRATION_MS / 1000) as u16;
    let gate = port_read(PIT_GATE_PORT) & !SPEAKER_ON;
    port_write(PIT_GATE_PORT, gate & !GATE_ON);
    port_write(PIT_COMMAND, PIT_CHANNEL_2_ONE_SHOT);
    port_write(PIT_CHANNEL_2, pit_count as u8);
    port_write(PIT_CHANNEL_2, (pit_count >> 8) as u8);

    // Raising the gate starts the count; the output goes high at zero.
    lapic::timer_start_free_running();
    let tsc_start = crate::arch::cpu::timestamp();
    port_write(PIT_GATE_PORT, gate | GATE_ON);
    while port_read(PIT_GATE_PORT) & OUTPUT_HIGH == 0 {
        core::hint::spin_loop();
    }
    let counted = u64::from(lapic::timer_elapsed());
    let tsc_counted = crate::arch::cpu::timestamp() - tsc_start;
    port_write(PIT_GATE_PORT, gate & !GATE_ON);

    TSC_PER_SECOND.store(tsc_counted * 1000 / CALIBRATION_MS, Ordering::Relaxed);
    let per_second = counted * 1000 / CALIBRATION_MS;
    COUNTS_PER_SECOND.store(per_second, Ordering::Relaxed);
    per_second
}

/// Starts periodic ticks at `hz` on `vector`.
pub fn start(vector: u8, hz: u32) {
    let hz = hz.clamp(1, 100_000);
    // Rebase: ticks so far stay, and time counts on from now at the new rate.
    x86_64::instructions::interrupts::without_interrupts(|| {
        BASE_TICKS.store(TICKS.load(Ordering::Relaxed), Ordering::Relaxed);
        BASE_TSC.store(crate::arch::cpu::timestamp(), Ordering::Relaxed);
        HZ.store(hz, Ordering::Relaxed);
    });
    let counts = COUNTS_PER_SECOND.load(Ordering::Relaxed) / u64::from(hz);
    lapic::timer_periodic(vector, counts.min(u64::from(u32::MAX)) as u32);
}

/// Called by the dispatcher on every timer interrupt: one more interrupt,
/// and the tick count brought up to what the TSC says has elapsed.
pub fn tick() {
    INTERRUPTS.fetch_add(1, Ordering::Relaxed);
    let hz = u64::from(HZ.load(Ordering::Relaxed));
    let tsc_per_second = TSC_PER_SECOND.load(Ordering::Relaxed).max(1);
    let elapsed = crate::arch::cpu::timestamp().wrapping_sub(BASE_TSC.load(Ordering::Relaxed));
    let by_clock =
        BASE_TICKS.load(Ordering::Relaxed) + (u128::from(elapsed) * u128::from(hz) / u128::from(tsc_per_second)) as u64;
    let before = TICKS.load(Ordering::Relaxed);
    // Never backwards, and at least one tick per interrupt.
    let now = by_clock.max(before + 1);
    TICKS.store(now, Ordering::Relaxed);
    if now / hz != before / hz {
        crate::interrupts::heartbeat::draw(now / hz);
    }
}

/// Timer interrupts actually taken (the tick count may run ahead of it).
/// Time-stamp-counter ticks per second, measured at calibration.
pub fn tsc_per_second() -> u64 {
    TSC_PER_SECOND.load(Ordering::Relaxed)
}

pub fn interrupts() -> u64 {
    INTERRUPTS.load(Ordering::Relaxed)
}

pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

pub fn hz() -> u32 {
    HZ.load(Ordering::Relaxed)
}
