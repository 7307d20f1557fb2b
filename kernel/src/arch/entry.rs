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

/// Stack sizes, as `linker.ld` reserves them.
pub const KERNEL_STACK_BYTES: u64 = 128 * 1024;
pub const INTERRUPT_STACK_BYTES: u64 = 16 * 1024;
const GUARD_BYTES: u64 = 4096;

unsafe extern "C" {
    static __kernel_stack_top: u8;
    static __double_fault_stack_top: u8;
    static __nmi_stack_top: u8;
    static __machine_check_stack_top: u8;
}

/// Top addresses of the interrupt stacks (IST 1–3), for the TSS.
pub fn interrupt_stack_tops() -> [u64; 3] {
    [
        (&raw const __double_fault_stack_top) as u64,
        (&raw const __nmi_stack_top) as u64,
        (&raw const __machine_check_stack_top) as u64,
    ]
}

/// The kernel stack: (lowest address, top).
pub fn kernel_stack() -> (u64, u64) {
    let top = (&raw const __kernel_stack_top) as u64;
    (top - KERNEL_STACK_BYTES, top)
}

/// Which stack's guard page holds `address`, if any: lets a page-fault
/// report say "stack overflow" instead of leaving a reader to work it out.
pub fn guard_page_owner(address: u64) -> Option<&'static str> {
    let (bottom, top) = kernel_stack();
    let interrupt_stacks = interrupt_stack_tops()
        .into_iter()
        .zip(["the double-fault stack", "the NMI stack", "the machine-check stack"])
        .map(|(top, name)| (top - INTERRUPT_STACK_BYTES, name));
    [(bottom, "the kernel stack")]
        .into_iter()
        .chain(interrupt_stacks)
        .find(|(bottom, _)| (bottom - GUARD_BYTES..*bottom).contains(&address))
        .map(|(_, name)| name)
        .filter(|_| top > bottom)
}
