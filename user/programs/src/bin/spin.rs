//! `spin TICKS`: spins in ring 3 without a single system call for that
//! many time-stamp ticks (Rank VI asks for about two seconds): the timer
//! keeps interrupting it, and each interrupt must land on TSS.RSP0.
//!
//! `spin NAME COUNT` (Rank VIII): prints `NAME 1` … `NAME COUNT`, busy
//! for 25 ms of the kernel's clock before each line, never yielding — two
//! of them at once show preemption interleaving their lines.
//!
//! `spin forever`: loops forever without a system call (run it with `&`).
#![no_std]
#![no_main]

runtime::entry!(main);

fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` reads the time-stamp counter (allowed in ring 3
    // while CR4.TSD is clear); it has no other effect.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Busy time before each numbered line.
const LINE_MS: u64 = 25;

fn main(args: runtime::Args) -> i32 {
    match (args.get(1), args.number(2)) {
        (Some("forever"), _) => forever(),
        (Some(name), Some(count)) => {
            for n in 1..=count {
                let start = runtime::clock_ms();
                while runtime::clock_ms() - start < LINE_MS {
                    core::hint::spin_loop();
                }
                runtime::println!("{name} {n}");
            }
            0
        }
        _ => ticks(args.number(1).unwrap_or(0)),
    }
}

/// A loop the kernel can only interrupt, never be called from.
fn forever() -> ! {
    let mut rounds = 0u64;
    loop {
        rounds = core::hint::black_box(rounds.wrapping_add(1));
    }
}

fn ticks(ticks: u64) -> i32 {
    let start = rdtsc();
    let mut rounds = 0u64;
    while rdtsc().wrapping_sub(start) < ticks {
        rounds = core::hint::black_box(rounds + 1);
    }
    runtime::println!("spin: {rounds} rounds in ring 3 without a system call");
    0
}
