//! Rank III scenarios: exceptions on purpose, and the timer under load.

use bootinfo::CommandLine;

use crate::arch::cpu;
use crate::interrupts::timer;
use crate::{kprintln, serial};

/// `int3`: the handler reports and returns, and the boot carries on.
pub fn breakpoint() {
    x86_64::instructions::interrupts::int3();
    kprintln!("breakpoint: back in the scenario after int3");
}

/// A write to `fault-at=ADDR` (hex), which nothing maps.
pub fn page_fault(cmdline: &CommandLine) {
    const DEFAULT: u64 = 0x0000_5a5a_5a5a_5000;
    let address = cmdline
        .value("fault-at")
        .and_then(|text| u64::from_str_radix(text.trim_start_matches("0x"), 16).ok())
        .unwrap_or(DEFAULT);
    kprintln!("page-fault: writing to {address:#x}");
    // SAFETY: deliberately unsound: the point is the fault. The address is
    // in the lower half, which this kernel never maps at Rank III, so the
    // write cannot corrupt anything; it traps into the page-fault report.
    unsafe { (address as *mut u64).write_volatile(0x5a) };
    kprintln!("page-fault: the write did not fault");
}

/// `div` by zero in the CPU itself (Rust's `/` would check first). Not
/// mangled and never inlined, so the check can find the faulting RIP
/// inside this very symbol.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn scenario_divide_error() {
    cpu::divide_by_zero();
}

/// `ud2`, the instruction defined to be invalid.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn scenario_invalid_opcode() {
    cpu::invalid_opcode();
}

/// Recurses until the kernel stack runs into its guard page. The page
/// fault cannot push its frame on the dead stack, so the CPU raises a
/// double fault, which runs on its own IST stack.
pub fn stack_overflow() {
    #[inline(never)]
    #[expect(unconditional_recursion, reason = "running out of stack is the point")]
    fn recurse(depth: u64) -> u64 {
        let frame = [depth; 32];
        core::hint::black_box(&frame);
        recurse(depth + 1) + frame[7]
    }
    kprintln!("stack-overflow: recursing");
    let never = recurse(0);
    kprintln!("stack-overflow: returned {never}, which cannot happen");
}

/// Uptime lines every 100 ticks for five seconds, for the rate check.
pub fn ticks() {
    let hz = u64::from(timer::hz());
    let end = timer::ticks() + 5 * hz;
    let mut next = timer::ticks() / 100 * 100 + 100;
    while timer::ticks() < end {
        if timer::ticks() >= next {
            serial::write_fmt(format_args!("uptime: {} ticks at {} Hz\n", next, hz));
            next += 100;
        }
        x86_64::instructions::hlt();
    }
    let (spurious, unexpected) = crate::interrupts::stray_counts();
    kprintln!("ticks: done; {spurious} spurious and {unexpected} unexpected interrupts so far");
}

/// The timer at 4 kHz while a long computation runs: every interrupt must
/// leave every register as it found it, or the result is wrong. The same
/// computation repeats until at least 1,500 interrupts have hit it (at most
/// eight times), and every repetition must agree.
pub fn irq_storm() {
    const STORM_HZ: u32 = 4000;
    const ROUNDS: u64 = 150_000_000;
    const ENOUGH_INTERRUPTS: u64 = 1500;
    const MAX_REPETITIONS: u32 = 8;
    let default_hz = timer::hz();
    timer::start(crate::interrupts::TIMER_VECTOR, STORM_HZ);
    let before = timer::interrupts();
    let first = storm_computation(ROUNDS);
    let mut repetitions = 1;
    let mut agreed = true;
    while timer::interrupts() - before < ENOUGH_INTERRUPTS && repetitions < MAX_REPETITIONS {
        agreed &= storm_computation(ROUNDS) == first;
        repetitions += 1;
    }
    let interrupted = timer::interrupts() - before;
    timer::start(crate::interrupts::TIMER_VECTOR, default_hz);
    if agreed {
        kprintln!("irq-storm: result {first:#018x} after {interrupted} timer interrupts");
    } else {
        kprintln!("irq-storm: repetitions disagree: registers were corrupted");
    }
    kprintln!("irq-storm: {repetitions} repetitions of {ROUNDS} rounds");
    let (spurious, unexpected) = crate::interrupts::stray_counts();
    kprintln!("irq-storm: {spurious} spurious and {unexpected} unexpected interrupts so far");
}

/// xorshift64* folded into a sum: many registers live at once, all
/// integer, nothing the compiler can precompute.
#[inline(never)]
fn storm_computation(rounds: u64) -> u64 {
    let mut state = core::hint::black_box(0x9e37_79b9_7f4a_7c15_u64);
    let mut sum = 0u64;
    for round in 0..rounds {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        sum = sum.wrapping_add(state.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ round);
    }
    sum
}

/// The cost of one timer interrupt, for the Rank III chapter: spin for a
/// known number of instructions with the timer at 1 kHz and compare. Under
/// QEMU's `-icount shift=S` the TSC counts instructions × 2^S, so
/// `(cycles / 2^S - spun) / ticks` is the instructions per interrupt.
pub fn irq_cost() {
    const SPIN: u32 = 50_000_000;
    let default_hz = timer::hz();
    timer::start(crate::interrupts::TIMER_VECTOR, 1000);
    let ticks_before = timer::interrupts();
    let start = cpu::timestamp();
    cpu::spin_exactly(SPIN);
    let cycles = cpu::timestamp() - start;
    let ticks = timer::interrupts() - ticks_before;
    timer::start(crate::interrupts::TIMER_VECTOR, default_hz);
    kprintln!("irq-cost: {} instructions spun, {cycles} cycles, {ticks} timer interrupts", 2 * u64::from(SPIN) + 1);
}
