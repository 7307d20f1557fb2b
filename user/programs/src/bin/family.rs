//! `family`: spawns `child 7`, waits for it and prints its exit code;
//! then asks `wait` for pids that are not its children (Rank VIII,
//! achievement 063).
#![no_std]
#![no_main]

use runtime::{ExitStatus, println};

runtime::entry!(main);

fn main(_: runtime::Args) -> i32 {
    let me = runtime::getpid();
    println!("family: pid {me}, spawning child 7");
    let child = match runtime::spawn("bin/child", &["7"]) {
        Ok(pid) => pid,
        Err(error) => {
            println!("family: spawn failed: {}", error.description());
            return 1;
        }
    };
    match runtime::wait(child) {
        Ok((pid, ExitStatus::Code(code))) => println!("family: child {pid} exited with {code}"),
        Ok((pid, status)) => println!("family: child {pid} ended: {status:?}"),
        Err(error) => println!("family: wait({child}) failed: {}", error.description()),
    }
    for stranger in [child, 1, me] {
        match runtime::wait(stranger) {
            Ok((pid, _)) => println!("family: wait({stranger}) collected {pid}: it should have been refused"),
            Err(error) => println!("family: wait({stranger}) refused: {} ({})", error.name(), error.description()),
        }
    }
    0
}
