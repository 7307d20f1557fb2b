//! Interrupts and exceptions: the kernel learns to be interrupted.
//!
//! `init` sets up, in the order the hardware allows: our own GDT and TSS
//! (with separate stacks for faults that cannot trust the current one),
//! the IDT and its assembly stubs (`arch::idt`), the legacy PICs moved
//! aside and masked, the ACPI MADT read to find the APICs, the local APIC
//! enabled, the I/O APIC's ISA lines routed (masked until a driver wants
//! one), and the LAPIC timer calibrated and started. Every interrupt and
//! exception then arrives in [`dispatch`] as one `traps::TrapFrame`.
//!
//! Rank 3. Intel SDM Vol. 3A, chapters 6 (interrupts) and 11 (APIC).

mod controllers;
pub mod heartbeat;
mod ioapic;
mod lapic;
mod pic;
pub mod timer;

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use traps::TrapFrame;
use x86_64::registers::control::Cr2;

use crate::boot::BootInfo;
use crate::kprintln;

/// Vector plan: exceptions 0–31, legacy PIC 0x20–0x2F, I/O APIC ISA
/// lines 0x30–0x3F, the LAPIC timer 0x40, the LAPIC spurious vector 0xFF.
pub const IOAPIC_BASE_VECTOR: u8 = 0x30;
pub const TIMER_VECTOR: u8 = 0x40;
pub const SPURIOUS_VECTOR: u8 = 0xff;
const BREAKPOINT: u64 = 3;

static SPURIOUS: AtomicU64 = AtomicU64::new(0);
static UNEXPECTED: AtomicU64 = AtomicU64::new(0);

/// Drivers' handlers for ISA IRQs 0–15, as `fn()` addresses (0: none).
static ISA_HANDLERS: [AtomicUsize; 16] = [const { AtomicUsize::new(0) }; 16];

/// Why a driver could not have its line.
#[derive(Debug)]
pub struct NotRouted(pub u8);

/// Installs `handler` for ISA IRQ `irq` and unmasks the line at the I/O
/// APIC. The handler runs with interrupts off and must not block; the EOI
/// is sent after it returns. Returns the vector the line arrives on.
pub fn enable_isa_line(_ready: &InterruptsReady, irq: u8, handler: fn()) -> Result<u8, NotRouted> {
    ISA_HANDLERS[usize::from(irq & 15)].store(handler as usize, Ordering::Release);
    ioapic::unmask_isa(irq).ok_or(NotRouted(irq))?;
    Ok(IOAPIC_BASE_VECTOR + (irq & 15))
}

/// Proof that `init` ran: drivers that need interrupts (the keyboard, at
/// Rank V) take one, so the compiler checks the boot order.
pub struct InterruptsReady {
    _private: (),
}

/// Brings up everything listed in the module header and enables
/// interrupts. `timer_hz` comes from the command line (`timer-hz=`).
pub fn init(boot: &BootInfo, timer_hz: u32) -> InterruptsReady {
    let selectors = crate::arch::gdt::init();
    crate::arch::idt::init(&selectors);
    crate::boot::summary::field("traps", format_args!("GDT, TSS with IST 1-3, IDT of 66 gates into one dispatcher"));
    pic::remap_and_mask();
    crate::boot::summary::field(
        "pic",
        format_args!("8259s remapped to {:#x}/{:#x}, all 16 lines masked", pic::MASTER_BASE, pic::SLAVE_BASE),
    );
    controllers::init(boot, timer_hz);
    x86_64::instructions::interrupts::enable();
    InterruptsReady { _private: () }
}

/// Every interrupt and exception ends up here, with interrupts off.
pub extern "C" fn dispatch(frame: &mut TrapFrame) {
    if frame.from_user_mode() {
        crate::user::close_window();
    }
    match frame.vector {
        vector if vector < 32 && frame.from_user_mode() && crate::rank::REACHED >= 6 => {
            // A program's fault (a breakpoint included) is the program's
            // end, not the kernel's.
            crate::user::kill(frame, Cr2::read_raw())
        }
        BREAKPOINT => {
            // `int3` is a trap: RIP already points past it, so returning
            // simply continues.
            kprintln!("breakpoint: {}", frame.report(0));
            kprintln!("breakpoint: resuming at {:#x}", frame.rip);
        }
        vector if vector < 32 => {
            let cr2 = Cr2::read_raw();
            let owner = crate::arch::entry::guard_page_owner(cr2)
                .or_else(|| crate::process::in_stack_guard(cr2).then_some("a process's kernel stack"));
            match owner.filter(|_| vector == 14) {
                Some(stack) => {
                    panic!("unrecoverable exception: {}\n  cr2 is in the guard page of {stack}", frame.report(cr2))
                }
                None => panic!("unrecoverable exception: {}", frame.report(cr2)),
            }
        }
        vector if vector == u64::from(pic::MASTER_SPURIOUS) => {
            SPURIOUS.fetch_add(1, Ordering::Relaxed);
        }
        vector if vector == u64::from(pic::SLAVE_SPURIOUS) => {
            SPURIOUS.fetch_add(1, Ordering::Relaxed);
            pic::acknowledge_slave_spurious();
        }
        vector if vector == u64::from(TIMER_VECTOR) => {
            timer::tick();
            // The EOI before any switch: the next tick must be able to
            // arrive in whichever process runs next.
            lapic::end_of_interrupt();
            crate::process::tick();
        }
        vector if vector == u64::from(SPURIOUS_VECTOR) => {
            // The LAPIC's spurious vector needs no EOI (SDM Vol. 3A, 11.9).
            SPURIOUS.fetch_add(1, Ordering::Relaxed);
        }
        vector
            if (u64::from(IOAPIC_BASE_VECTOR)..u64::from(TIMER_VECTOR)).contains(&vector)
                && ISA_HANDLERS[(vector - u64::from(IOAPIC_BASE_VECTOR)) as usize].load(Ordering::Acquire) != 0 =>
        {
            let address = ISA_HANDLERS[(vector - u64::from(IOAPIC_BASE_VECTOR)) as usize].load(Ordering::Acquire);
            // SAFETY: only `enable_isa_line` stores here, and it stores a
            // `fn()`; 0 was ruled out just above.
            let handler: fn() = unsafe { core::mem::transmute::<usize, fn()>(address) };
            handler();
            lapic::end_of_interrupt();
        }
        vector if (u64::from(IOAPIC_BASE_VECTOR)..u64::from(TIMER_VECTOR)).contains(&vector) => {
            UNEXPECTED.fetch_add(1, Ordering::Relaxed);
            kprintln!("interrupts: ISA line {} fired but has no driver yet", vector - u64::from(IOAPIC_BASE_VECTOR));
            lapic::end_of_interrupt();
        }
        vector => {
            UNEXPECTED.fetch_add(1, Ordering::Relaxed);
            kprintln!("interrupts: unexpected interrupt on vector {vector:#x}");
        }
    }
}

/// (spurious, unexpected) interrupts seen so far.
pub fn stray_counts() -> (u64, u64) {
    (SPURIOUS.load(Ordering::Relaxed), UNEXPECTED.load(Ordering::Relaxed))
}
