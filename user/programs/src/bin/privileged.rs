//! Executes `hlt`, which ring 3 may not: the CPU raises #GP and the
//! kernel must end this program, not itself.
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(_: u64) -> i32 {
    runtime::println!("privileged: about to execute hlt in ring 3");
    // SAFETY: deliberately faulting: `hlt` at CPL 3 raises #GP before
    // doing anything.
    unsafe { core::arch::asm!("hlt", options(nomem, nostack)) };
    runtime::println!("privileged: hlt returned, which ring 3 must never see");
    1
}
