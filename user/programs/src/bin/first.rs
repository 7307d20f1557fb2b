//! The first program: proves it runs in ring 3 and talks to the kernel
//! only through `syscall` (Rank VI, achievements 044–046).
#![no_std]
#![no_main]

use runtime::println;

runtime::entry!(main);

fn main(_: runtime::Args) -> i32 {
    let cs = runtime::code_segment();
    println!("first: running with CS {cs:#06x}, privilege level {}", cs & 3);
    println!("first: getpid() = {}", runtime::getpid());
    let message = b"hello, kernel\n";
    match runtime::write(1, message) {
        Ok(n) => println!("first: write of {} bytes returned {n}", message.len()),
        Err(e) => println!("first: write of {} bytes failed: {e}", message.len()),
    }
    for number in [9999, u64::MAX] {
        match abi::decode(runtime::raw_syscall(number, 0, 0, 0)) {
            Ok(value) => println!("first: syscall {number} returned {value}"),
            Err(error) => println!("first: syscall {number} answered {error}"),
        }
    }
    println!("first: exiting with code 0");
    0
}
