//! `init`: the first process, started by the kernel from `bin/init` in the
//! vault (Rank VII, achievement 059). Its banner is the proof: the words
//! below exist in this file of the vault and nowhere in the kernel image.
//!
//! From Rank VIII it is process 1: it starts the shell and starts a new one
//! whenever the shell exits, and it adopts (and collects) orphans. Booted
//! with a scenario, the kernel passes its name as the argument and init
//! runs the programs that show it instead. On a Rank VII kernel there is
//! no `spawn` (ENOSYS), so init says so and ends.
#![no_std]
#![no_main]

use runtime::{Error, ExitStatus, println};

runtime::entry!(main);

fn main(args: runtime::Args) -> i32 {
    println!("init: MinimalOS userland, awake from {}", args.get(0).unwrap_or("?"));
    if let Some(scenario) = args.get(1) {
        return scenario_run(scenario);
    }
    loop {
        let shell = match runtime::spawn("bin/sh", &[]) {
            Ok(pid) => pid,
            Err(Error::NoSys) => {
                println!("init: the vault is readable; no processes at this rank, so nothing more to start");
                return 0;
            }
            Err(error) => {
                println!("init: cannot start bin/sh: {}", error.description());
                return 1;
            }
        };
        // Collect orphans too, until the shell itself ends.
        loop {
            match runtime::wait(0) {
                Ok((pid, status)) if pid == shell => {
                    println!("init: the shell ended ({status:?}); starting a new one");
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
}

/// Runs one scenario's programs and waits for all of them.
fn scenario_run(name: &str) -> i32 {
    let runs: &[(&str, &[&str])] = match name {
        "duet" => &[("bin/spin", &["a", "20"]), ("bin/spin", &["b", "20"])],
        "pingpong" => &[("bin/pingpong", &["50"])],
        "family" => &[("bin/family", &[])],
        "churn" => &[("bin/churn", &["10000"])],
        "sched-bench" => &[("bin/pingpong", &["bench", "10000"]), ("bin/churn", &["bench", "1000"])],
        _ => {
            println!("init: unknown scenario {name:?}");
            return 2;
        }
    };
    // The bench runs one after the other; the others all at once.
    let one_by_one = name == "sched-bench";
    let mut failures = 0;
    for (path, arguments) in runs {
        match runtime::spawn(path, arguments) {
            Ok(pid) if one_by_one => failures += report(runtime::wait(pid)),
            Ok(_) => {}
            Err(error) => {
                println!("init: cannot start {path}: {}", error.description());
                failures += 1;
            }
        }
    }
    loop {
        match runtime::wait(0) {
            Err(Error::NoChild) => break,
            result => failures += report(result),
        }
    }
    println!("init: scenario {name} finished");
    failures
}

fn report(result: Result<(u64, ExitStatus), Error>) -> i32 {
    match result {
        Ok((pid, ExitStatus::Code(0))) => {
            println!("init: pid {pid} exited with 0");
            0
        }
        Ok((pid, status)) => {
            println!("init: pid {pid} ended: {status:?}");
            1
        }
        Err(error) => {
            println!("init: wait failed: {}", error.description());
            1
        }
    }
}
