//! Spins in ring 3 without a single system call for as many time-stamp
//! ticks as the kernel passes in (about two seconds): the timer keeps
//! interrupting it, and each interrupt must land on TSS.RSP0.
#![no_std]
#![no_main]

runtime::entry!(main);

fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` reads the time-stamp counter (allowed in ring 3
    // while CR4.TSD is clear); it has no other effect.
    unsafe { core::arch::x86_64::_rdtsc() }
}

fn main(ticks: u64) -> i32 {
    let start = rdtsc();
    let mut rounds = 0u64;
    while rdtsc().wrapping_sub(start) < ticks {
        rounds = core::hint::black_box(rounds + 1);
    }
    runtime::println!("spin: {rounds} rounds in ring 3 without a system call");
    0
}
