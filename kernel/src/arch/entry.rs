//! The kernel's first instruction: move to our own stack, then `kmain`.
//!
//! Limine enters with a stack of its own in bootloader-reclaimable memory.
//! We leave it at once for `__kernel_stack_top`, a 128 KiB stack the linker
//! script places with an unmapped guard page below it, so that a runaway
//! recursion faults (and, at Rank III, lands in the double-fault handler)
//! instead of overwriting the kernel's data.

use core::arch::naked_asm;

/// ELF entry point (`ENTRY(_start)` in `linker.ld`).
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    naked_asm!(
        // The stack top is page aligned, so RSP is 16-byte aligned at the
        // `call`, as the System V ABI wants.
        "lea rsp, [rip + __kernel_stack_top]",
        "xor ebp, ebp", // end of the frame-pointer chain for debuggers
        "call {kmain}",
        "ud2",
        kmain = sym crate::kmain,
    );
}

/// The guard page below each stack (`linker.ld` leaves it unmapped).
const GUARD_BYTES: u64 = 4096;

// The stacks' bounds, defined by `linker.ld`, so sizes live in one place.
unsafe extern "C" {
    static __kernel_stack_bottom: u8;
    static __kernel_stack_top: u8;
    static __double_fault_stack_bottom: u8;
    static __double_fault_stack_top: u8;
    static __nmi_stack_bottom: u8;
    static __nmi_stack_top: u8;
    static __machine_check_stack_bottom: u8;
    static __machine_check_stack_top: u8;
    static __syscall_stack_bottom: u8;
    static __syscall_stack_top: u8;
}

/// The stack entries from ring 3 land on (TSS.RSP0 and `syscall`):
/// (lowest address, top). Rank 6.
pub fn syscall_stack() -> (u64, u64) {
    ((&raw const __syscall_stack_bottom) as u64, (&raw const __syscall_stack_top) as u64)
}

/// The interrupt stacks (IST 1–3): (lowest address, top) each.
pub fn interrupt_stacks() -> [(u64, u64); 3] {
    [
        ((&raw const __double_fault_stack_bottom) as u64, (&raw const __double_fault_stack_top) as u64),
        ((&raw const __nmi_stack_bottom) as u64, (&raw const __nmi_stack_top) as u64),
        ((&raw const __machine_check_stack_bottom) as u64, (&raw const __machine_check_stack_top) as u64),
    ]
}

/// The kernel stack: (lowest address, top).
pub fn kernel_stack() -> (u64, u64) {
    ((&raw const __kernel_stack_bottom) as u64, (&raw const __kernel_stack_top) as u64)
}

/// Which stack's guard page holds `address`, if any: lets a page-fault
/// report say "stack overflow" instead of leaving a reader to work it out.
pub fn guard_page_owner(address: u64) -> Option<&'static str> {
    let bottoms = [
        ((&raw const __kernel_stack_bottom) as u64, "the kernel stack"),
        ((&raw const __double_fault_stack_bottom) as u64, "the double-fault stack"),
        ((&raw const __nmi_stack_bottom) as u64, "the NMI stack"),
        ((&raw const __machine_check_stack_bottom) as u64, "the machine-check stack"),
        ((&raw const __syscall_stack_bottom) as u64, "the syscall stack"),
    ];
    bottoms.into_iter().find(|(bottom, _)| (bottom - GUARD_BYTES..*bottom).contains(&address)).map(|(_, name)| name)
}
