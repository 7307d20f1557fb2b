//! The only place that speaks x86-64 directly.
//!
//! Everything else in the kernel calls these small, named wrappers instead
//! of writing instructions inline, so a reader finds each piece of hardware
//! in one file. The `x86_64` crate supplies port I/O and the instructions;
//! later ranks add the GDT, the IDT stubs and the MSRs here.
//!
//! Rank 1: halting the CPU and leaving QEMU. Rank 3: the entry point's
//! stack switch, the GDT and TSS, the IDT and its stubs.

pub mod cpu;
pub mod entry;
pub mod gdt;
pub mod idt;
pub mod port;
pub mod qemu;
