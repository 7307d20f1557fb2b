//! `churn N`: spawns, waits for and so frees `true` N times, and shows the
//! kernel's frame and heap counters are back where they started; then
//! spawns without waiting until `spawn` refuses, and collects them all
//! (Rank VIII, achievement 064).
//!
//! `churn bench N`: the cost of one spawn + exit + wait (`make bench`).
#![no_std]
#![no_main]

use runtime::{Error, MemInfo, println};

runtime::entry!(main);

fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` only reads the time-stamp counter (CR4.TSD is clear).
    unsafe { core::arch::x86_64::_rdtsc() }
}

fn cycle() -> Result<(), Error> {
    let pid = runtime::spawn("bin/true", &[])?;
    runtime::wait(pid).map(|_| ())
}

fn show(when: &str, info: MemInfo) {
    println!(
        "churn: {when}: {} free frames, {} heap bytes in {} allocations",
        info.free_frames, info.heap_bytes, info.heap_allocations
    );
}

fn main(args: runtime::Args) -> i32 {
    if args.get(1) == Some("bench") {
        let rounds = args.number(2).unwrap_or(1000).max(1);
        let _ = cycle();
        let start = rdtsc();
        for _ in 0..rounds {
            if cycle().is_err() {
                return 1;
            }
        }
        println!(
            "bench: spawn+exit+wait of bin/true: {} instructions per cycle ({rounds} cycles)",
            (rdtsc() - start) / rounds
        );
        return 0;
    }
    let rounds = args.number(1).unwrap_or(10_000);
    // Warm-up: the first spawns may grow the kernel's tables and heap.
    for _ in 0..100 {
        if let Err(error) = cycle() {
            println!("churn: warm-up spawn failed: {}", error.description());
            return 1;
        }
    }
    let Ok(before) = runtime::meminfo() else { return 1 };
    show("before", before);
    for round in 1..=rounds {
        if let Err(error) = cycle() {
            println!("churn: cycle {round} failed: {}", error.description());
            return 1;
        }
        if round % 2500 == 0 {
            println!("churn: {round} of {rounds} cycles");
        }
    }
    let Ok(after) = runtime::meminfo() else { return 1 };
    show("after", after);
    println!("churn: free frames {} before, {} after {rounds} cycles", before.free_frames, after.free_frames);
    println!("churn: heap bytes {} before, {} after {rounds} cycles", before.heap_bytes, after.heap_bytes);

    // Fill the process table: children that exit at once still hold their
    // slot until they are collected.
    let mut spawned = 0;
    let refusal = loop {
        match runtime::spawn("bin/true", &[]) {
            Ok(_) => spawned += 1,
            Err(error) => break error,
        }
        if spawned > 1000 {
            println!("churn: 1000 children and no refusal: the table has no limit");
            return 1;
        }
    };
    println!("churn: spawn number {} refused: {} ({})", spawned + 1, refusal.name(), refusal.description());
    println!("churn: the process limit let {spawned} children live at once");
    let mut collected = 0;
    while runtime::wait(0).is_ok() {
        collected += 1;
    }
    println!("churn: collected {collected} children");
    let Ok(end) = runtime::meminfo() else { return 1 };
    show("after the limit", end);
    println!("churn: free frames {} before, {} at the end", before.free_frames, end.free_frames);
    0
}
