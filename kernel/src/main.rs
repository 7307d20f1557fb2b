//! MinimalOS: a 64-bit x86 kernel you build one rank at a time.
//!
//! `kmain` is the whole course in a dozen lines. Each rank brings one
//! subsystem up, in the order the hardware allows; a checkpoint build stops
//! the climb after the rank it was made for (`rank::REACHED`). Reading
//! `kmain` top to bottom is reading QUESTS.md.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod boot;
mod display;
mod input;
mod interrupts;
mod memory;
mod panic;
mod print;
mod process;
mod rank;
mod scenario;
mod serial;
mod user;
mod vault;

use arch::{cpu, qemu};

/// The kernel proper: `arch::entry::_start` calls it on the kernel's own
/// stack, after Limine entered in 64-bit mode with paging on and
/// interrupts off (PROTOCOL.md, "Machine state at entry").
#[unsafe(no_mangle)]
extern "C" fn kmain() -> ! {
    cpu::mark_kmain();
    // I  The Awakening: a voice on COM1 and what Limine handed over.
    serial::init();
    let boot = boot::info();
    // `qemu-exit`: a test harness is watching; leave QEMU when done or dead.
    let exit_qemu = boot.cmdline.has_flag("qemu-exit");
    panic::set_exit_qemu_on_panic(exit_qemu);

    // II The Artist: the framebuffer becomes a console, so what follows
    // is on screen as well as on serial.
    let screen = (rank::REACHED >= 2).then(|| display::init(boot.framebuffer.as_ref()));

    boot::summary::print_banner();
    if !boot.base_revision_accepted {
        panic!("the bootloader did not accept Limine base revision {}", boot::BASE_REVISION_WANTED);
    }
    boot::summary::print(&boot);
    match screen {
        Some(Ok(console)) => boot::summary::field(
            "console",
            format_args!(
                "{}x{} cells of {}x{} px (font8x8 at {}x)",
                console.columns, console.rows, console.cell_pixels, console.cell_pixels, console.scale
            ),
        ),
        Some(Err(why)) => boot::summary::field("console", format_args!("none: {why}")),
        None => {}
    }

    // III The Reflexes: exceptions reported, the APICs found, a timer.
    let timer_hz = boot.cmdline.value("timer-hz").and_then(|hz| hz.parse().ok());
    let interrupts =
        (rank::REACHED >= 3).then(|| interrupts::init(&boot, timer_hz.unwrap_or(interrupts::timer::DEFAULT_HZ)));

    // IV The Mind: the memory census, frames, page tables of our own (W^X)
    // and the heap.
    if rank::REACHED >= 4 {
        memory::init(&boot);
    }

    // V  The Senses: the 8042 and its keyboard, serial input, one queue.
    if rank::REACHED >= 5
        && let Some(ready) = &interrupts
    {
        input::init(ready);
    }

    // VI The Barrier: ring 3, syscall/sysret, SMEP and SMAP.
    if rank::REACHED >= 6 && interrupts.is_some() {
        user::init();
    }

    // VII The Vault: the tar archive Limine loaded, found and checked.
    let vault = (rank::REACHED >= 7).then(|| vault::init(&boot)).flatten();

    // VIII The Conductor: processes, a preemptive scheduler, a shell.
    if rank::REACHED >= 8 && interrupts.is_some() {
        process::init();
    }

    // Ranks IX and up join here, one line each, behind `rank::REACHED >= N`.

    kprintln!("\x1b[92mrank {}: {} reached\x1b[0m", rank::REACHED, rank::name());
    let ran_scenario = scenario::run(&boot.cmdline);
    // VII: the first program comes from the vault, not the kernel image.
    if rank::REACHED >= 7 && !ran_scenario && interrupts.is_some() {
        start_init(vault.is_some(), exit_qemu);
    }
    if exit_qemu {
        qemu::exit(qemu::ExitCode::Success);
    }
    if rank::REACHED >= 5 {
        // A person at the keyboard (or a test on the serial line) from here.
        input::console()
    }
    if rank::REACHED >= 3 {
        if !ran_scenario {
            kprintln!("nothing more to do at this rank; idling with interrupts on.");
        }
        cpu::idle_forever()
    }
    if !ran_scenario {
        kprintln!("nothing more to do at this rank; the CPU is halted.");
    }
    cpu::halt_forever()
}

/// Runs `bin/init` from the vault: as a lone program at Rank VII, as
/// process 1 from Rank VIII (where it starts the shell and never ends).
/// Without one there is nothing to run: say so and halt (leaving QEMU
/// when a harness is watching), no panic.
fn start_init(have_vault: bool, exit_qemu: bool) {
    const INIT: &str = "bin/init";
    if rank::REACHED >= 8 {
        crate::display::with_console(|console| console.set_cursor_visible(true));
        match process::run_init(&[]) {
            Ok(status) => kprintln!("init ended: {status:?}; nothing is left to run"),
            Err(abi::Error::NoEntry) => kprintln!("init not found in vault; halting"),
            Err(error) => kprintln!("init could not start: {error}; halting"),
        }
        if exit_qemu {
            qemu::exit(qemu::ExitCode::Success);
        }
        cpu::halt_forever()
    }
    if user::run_and_report(INIT, &[]).is_none() {
        // Missing, refused, or out of memory: nothing else is worth running.
        let missing = !have_vault || vault::find(INIT).is_none();
        kprintln!("{}; halting", if missing { "init not found in vault" } else { "init could not start" });
        if exit_qemu {
            qemu::exit(qemu::ExitCode::Success);
        }
        cpu::halt_forever()
    }
}
