//! Executes `hlt`, which ring 3 may not: the CPU raises #GP and the
//! kernel must end this program, not itself.
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(_: runtime::Args) -> i32 {
    runtime::println!("privileged: about to execute hlt in ring 3");
    privileged_hlt();
    runtime::println!("privileged: hlt returned, which ring 3 must never see");
    1
}

/// The faulting instruction, in a function of its own with a plain name,
/// so the referee can check the #GP's RIP against this symbol.
#[unsafe(no_mangle)]
#[inline(never)]
extern "C" fn privileged_hlt() {
    // SAFETY: deliberately faulting: `hlt` at CPL 3 raises #GP before
    // doing anything.
    unsafe { core::arch::asm!("hlt", options(nomem, nostack)) };
}
