//! Rank VIII scenarios: init, started with the scenario's name as its
//! argument, runs the programs that show it; the kernel only idles (runs
//! the processes) until init is done and says how it ended.

use crate::{kprintln, process};

pub fn through_init(name: &str) {
    match process::run_init(&[name]) {
        Ok(status) => kprintln!("{name}: init ended: {status:?}"),
        Err(error) => kprintln!("{name}: init could not start: {error}"),
    }
}
