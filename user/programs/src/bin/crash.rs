//! `crash`: dereferences a null pointer, so the CPU raises a page fault
//! and the kernel kills it (Rank VIII: the shell prints `[killed: page
//! fault]`). `crash panic`: panics instead; the runtime prints where and
//! exits with 101 (Rank VI).
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(args: runtime::Args) -> i32 {
    if args.get(1) != Some("panic") {
        runtime::println!("crash: reading address 0");
        let value: u64;
        // SAFETY: none, on purpose: page 0 is never mapped, so this load
        // faults. (In asm, because Rust may assume a null read never runs.)
        unsafe {
            core::arch::asm!("mov {value}, qword ptr [{zero}]", value = out(reg) value, zero = in(reg) 0u64, options(nostack))
        };
        runtime::println!("crash: read {value} at address 0, which must never happen");
        return 1;
    }
    // The number of arguments after "panic": 0, so this divides by zero.
    let divisor = core::hint::black_box(args.len().saturating_sub(2) as u64);
    if divisor == 0 {
        panic!("crash: dividing by {divisor} on purpose");
    }
    (100 / divisor) as i32
}
