//! `hello [NAME]`: the smallest useful program, for the shell to run.
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(args: runtime::Args) -> i32 {
    let name = args.get(1).unwrap_or("world");
    runtime::println!("hello, {name}! (pid {})", runtime::getpid());
    0
}
