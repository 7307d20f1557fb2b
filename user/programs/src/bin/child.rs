//! `child ...`: prints its pid and arguments and exits with 42, for
//! `family` to collect (Rank VIII, achievement 063).
#![no_std]
#![no_main]

use runtime::{print, println};

runtime::entry!(main);

fn main(args: runtime::Args) -> i32 {
    print!("child: pid {}, {} arguments:", runtime::getpid(), args.len());
    for i in 0..args.len() {
        print!(" {:?}", args.get(i).unwrap_or("?"));
    }
    println!();
    println!("child: exiting with 42");
    42
}
