//! Hands `write` pointers it has no right to: each must come back as
//! EFAULT, with the program still running (Rank VI, achievement 047).
#![no_std]
#![no_main]

use runtime::println;

runtime::entry!(main);

fn main(_: runtime::Args) -> i32 {
    let attempts: [(&str, u64, u64); 5] = [
        ("a kernel address", 0xffff_ffff_8000_0000, 16),
        ("a null pointer", 0, 16),
        ("an unmapped range", 0x1000_0000, 16),
        ("a range from the last user page into the kernel half", 0x0000_7fff_ffff_fff0, 0x20),
        ("a non-canonical address", 0x0000_9000_0000_0000, 16),
    ];
    for (what, address, length) in attempts {
        match runtime::write_raw(1, address, length) {
            Ok(n) => println!("pointers: write from {what} ({address:#x}) wrote {n} bytes"),
            Err(error) => println!("pointers: write from {what} ({address:#x}): {error}"),
        }
    }
    println!("pointers: still alive");
    0
}
