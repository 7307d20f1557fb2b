//! Panics on purpose: the runtime prints where and exits with 101.
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(argument: u64) -> i32 {
    let divisor = core::hint::black_box(argument); // the kernel passes 0
    if divisor == 0 {
        panic!("crash: dividing by {divisor} on purpose");
    }
    (100 / divisor) as i32
}
