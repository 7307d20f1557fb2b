//! Rank VIII scenarios: init, started with the scenario's name as its
//! argument, runs the programs that show it; the kernel only idles (runs
//! the processes) until init is done and says how it ended.

use abi::ExitStatus;
use bootinfo::CommandLine;

use crate::arch::qemu;
use crate::{kprintln, process};

/// Runs init with the scenario's name. When init reports a failure (it
/// exits with the number of its programs that did not end with 0), a
/// watching harness gets QEMU's failure code instead of success.
pub fn through_init(name: &str, cmdline: &CommandLine) {
    let succeeded = match process::run_init(&[name]) {
        Ok(status) => {
            kprintln!("{name}: init ended: {status:?}");
            status == ExitStatus::Code(0)
        }
        Err(error) => {
            kprintln!("{name}: init could not start: {error}");
            false
        }
    };
    if !succeeded && cmdline.has_flag("qemu-exit") {
        qemu::exit(qemu::ExitCode::Failure);
    }
}

/// Boot to the shell's prompt (`make bench`): a plain boot, until the
/// shell first waits for a key; then the time-stamp counter — guest
/// instructions since QEMU's reset under `-icount`, firmware and loader
/// included — at that moment and at `kmain`'s first instruction.
pub fn boot_bench() {
    process::report_first_prompt();
    match process::run_init(&[]) {
        Ok(status) => kprintln!("boot-bench: init ended ({status:?}) before any prompt"),
        Err(error) => kprintln!("boot-bench: init could not start: {error}"),
    }
}
