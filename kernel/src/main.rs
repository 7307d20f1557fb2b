//! MinimalOS: a 64-bit x86 kernel you build one rank at a time.
//!
//! `kmain` is the whole course in a dozen lines. Each rank brings one
//! subsystem up, in the order the hardware allows; a checkpoint build stops
//! the climb after the rank it was made for (`rank::REACHED`). Reading
//! `kmain` top to bottom is reading QUESTS.md.
#![no_std]
#![no_main]

mod arch;
mod boot;
mod panic;
mod print;
mod rank;
mod scenario;
mod serial;

use arch::{cpu, qemu};

/// The kernel's entry point: Limine jumps here in 64-bit mode with paging
/// on, interrupts off and a stack of its own (PROTOCOL.md, "Machine state
/// at entry").
#[unsafe(no_mangle)]
extern "C" fn kmain() -> ! {
    // Rank I, The Awakening: a voice on COM1, then what Limine handed over.
    serial::init();
    kprintln!(
        "MinimalOS {} - rank {} of {}: {}",
        env!("CARGO_PKG_VERSION"),
        rank::numeral(),
        rank::NUMERALS[rank::HIGHEST as usize - 1],
        rank::name(),
    );
    let boot = boot::info();
    let exit_policy = qemu::ExitPolicy::from_cmdline(&boot.cmdline);
    panic::set_exit_qemu_on_panic(exit_policy != qemu::ExitPolicy::Never);
    if !boot.base_revision_accepted {
        panic!("the bootloader did not accept Limine base revision {}", boot::BASE_REVISION_WANTED);
    }
    boot::summary::print(&boot);

    // Ranks II and up join here, one line each, behind `rank::REACHED >= N`.

    kprintln!("rank {}: {} reached", rank::REACHED, rank::name());
    scenario::run(&boot.cmdline);
    if exit_policy == qemu::ExitPolicy::Always {
        qemu::exit(qemu::ExitCode::Success);
    }
    kprintln!("nothing more to do at this rank; the CPU is halted.");
    cpu::halt_forever()
}
