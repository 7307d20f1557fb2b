//! Measures the null system call: `getpid` round trips timed with the
//! time-stamp counter. Under `-icount shift=0` (`make bench`) a tick is one
//! guest instruction.
#![no_std]
#![no_main]

runtime::entry!(main);

const CALLS: u64 = 10_000;

fn rdtsc() -> u64 {
    // SAFETY: reads the time-stamp counter; no other effect.
    unsafe { core::arch::x86_64::_rdtsc() }
}

fn main(_: runtime::Args) -> i32 {
    runtime::getpid(); // warm: the first call faults nothing in, but be fair
    let start = rdtsc();
    for _ in 0..CALLS {
        core::hint::black_box(runtime::getpid());
    }
    let loop_start = rdtsc();
    for i in 0..CALLS {
        core::hint::black_box(i);
    }
    let end = rdtsc();
    let calls = loop_start - start;
    let empty = end - loop_start;
    runtime::println!(
        "bench: syscall: {} ticks per getpid round trip ({CALLS} calls, loop overhead {} ticks each subtracted)",
        calls.saturating_sub(empty) / CALLS,
        empty / CALLS
    );
    0
}
