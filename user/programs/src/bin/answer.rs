//! Returns 42 from `main`: the runtime turns that into `exit(42)`.
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(_: runtime::Args) -> i32 {
    runtime::println!("answer: returning 42 from main");
    42
}
