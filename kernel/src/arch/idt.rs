//! The IDT and the interrupt entry stubs.
//!
//! On an interrupt the CPU pushes SS, RSP, RFLAGS, CS and RIP — and for some
//! exceptions an error code — then jumps through the IDT. The stubs below
//! make every entry look the same: they push a zero where the CPU pushed
//! no error code, then the vector number, then the fifteen general
//! registers, and call one Rust function with a pointer to the result, a
//! `traps::TrapFrame`. Returning pops it all and `iretq`s.
//!
//! No `x86-interrupt` ABI (nightly only): the stubs are plain assembly.
//! 5 CPU words + our 2 (or 6 + our 1) + 15 registers = 22 words, a
//! multiple of 16 bytes, so RSP is 16-byte aligned at the `call`
//! (the CPU aligns RSP before pushing, SDM Vol. 3A, 6.14.2).
//!
//! Rank 3.

use core::arch::global_asm;

use x86_64::VirtAddr;
use x86_64::instructions::tables::lidt;
use x86_64::structures::DescriptorTablePointer;

use super::gdt::Selectors;

/// The vectors that get a stub: the 32 exceptions, the legacy PIC range
/// (0x20–0x2F, masked but able to deliver spurious interrupts), the
/// I/O APIC's ISA lines (0x30–0x3F), the LAPIC timer (0x40) and the
/// LAPIC spurious vector (0xFF).
const STUB_COUNT: usize = 66;

global_asm!(
    r#"
    .section .text.interrupt_stubs, "ax"
    .macro STUB vector, has_error_code
        .align 16
    interrupt_stub_\vector:
        .if \has_error_code == 0
        push 0
        .endif
        push \vector
        jmp {common}
    .endm

    .irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
    STUB \v, 0
    .endr
    .irp v, 8,10,11,12,13,14,17,21,29,30
    STUB \v, 1
    .endr
    .irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,255
    STUB \v, 0
    .endr

    .section .rodata.interrupt_stubs, "a"
    .align 8
    .global interrupt_stub_vectors
    interrupt_stub_vectors:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,255
        .quad \v
        .quad interrupt_stub_\v
    .endr
    "#,
    common = sym interrupt_common,
);

/// Saves the general registers, calls the dispatcher, restores, returns.
#[unsafe(naked)]
extern "C" fn interrupt_common() {
    core::arch::naked_asm!(
        "push rax", "push rbx", "push rcx", "push rdx", "push rsi", "push rdi", "push rbp",
        "push r8", "push r9", "push r10", "push r11", "push r12", "push r13", "push r14", "push r15",
        "mov rdi, rsp",   // arg 0: &mut TrapFrame
        "cld",            // the C ABI expects DF = 0
        "call {dispatch}",
        "pop r15", "pop r14", "pop r13", "pop r12", "pop r11", "pop r10", "pop r9", "pop r8",
        "pop rbp", "pop rdi", "pop rsi", "pop rdx", "pop rcx", "pop rbx", "pop rax",
        "add rsp, 16",    // vector and error code
        "iretq",
        dispatch = sym crate::interrupts::dispatch,
    );
}

unsafe extern "C" {
    /// (vector, stub address) pairs, from the assembly above.
    static interrupt_stub_vectors: [[u64; 2]; STUB_COUNT];
}

/// One 16-byte IDT gate (SDM Vol. 3A, figure 6-8).
#[derive(Clone, Copy)]
#[repr(C)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    attributes: u8,
    offset_middle: u16,
    offset_high: u32,
    reserved: u32,
}

/// Present, ring 0, 64-bit interrupt gate (IF cleared on entry).
const INTERRUPT_GATE: u8 = 0x8e;

impl Gate {
    const MISSING: Gate =
        Gate { offset_low: 0, selector: 0, ist: 0, attributes: 0, offset_middle: 0, offset_high: 0, reserved: 0 };

    fn new(handler: u64, selector: u16, ist: u8) -> Self {
        Gate {
            offset_low: handler as u16,
            selector,
            ist,
            attributes: INTERRUPT_GATE,
            offset_middle: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }
}

#[repr(C, align(16))]
struct Idt([Gate; 256]);

static IDT: spin::Once<Idt> = spin::Once::new();

/// Fills the IDT from the stub table and loads it.
pub fn init(selectors: &Selectors) {
    let idt = IDT.call_once(|| {
        let mut idt = Idt([Gate::MISSING; 256]);
        // SAFETY: the assembly above defines exactly STUB_COUNT pairs,
        // in read-only data that is never written.
        let stubs = unsafe { &interrupt_stub_vectors };
        for [vector, address] in stubs {
            let ist = match *vector {
                8 => super::gdt::DOUBLE_FAULT_IST,
                2 => super::gdt::NMI_IST,
                18 => super::gdt::MACHINE_CHECK_IST,
                _ => 0,
            };
            idt.0[*vector as usize] = Gate::new(*address, selectors.kernel_code.0, ist);
        }
        idt
    });
    let pointer = DescriptorTablePointer { limit: (size_of::<Idt>() - 1) as u16, base: VirtAddr::from_ptr(idt) };
    // SAFETY: the IDT is `'static` and every present gate points at a stub
    // above, which preserves all registers and returns with `iretq`.
    unsafe { lidt(&pointer) };
}
