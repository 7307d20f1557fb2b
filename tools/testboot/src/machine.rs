//! The machine state PROTOCOL.md promises at entry, apart from paging
//! and the GDT (`handoff`): interrupt sources masked, and the CPU features
//! the hand-off depends on.
//!
//! "Machine state at entry / x86-64": "Legacy PIC (if available) and IO
//! APIC IRQs (only those with delivery mode fixed (0b000) or lowest priority
//! (0b001)) are all masked." The kernel unmasks what it wants once its IDT
//! is ready. Masking runs after ExitBootServices, when the firmware no
//! longer services interrupts, and does not allocate.
//!
//! Limine enables NX only "if available" and programs the PAT only if the
//! CPU has one; a no-execute bit without EFER.NXE would make every such
//! mapping fault. And testboot builds 4-level tables only, so it must not
//! run under a firmware that already switched to 5-level paging.

use alloc::vec::Vec;
use core::arch::x86_64::__cpuid;

use x86_64::instructions::port::Port;
use x86_64::registers::control::{Cr4, Cr4Flags};

use crate::Error;

/// CPUID leaf 1, EDX bit 16: the page attribute table.
const LEAF_1_EDX_PAT: u32 = 1 << 16;
/// CPUID leaf 0x8000_0001, EDX bit 20: the execute-disable bit.
const LEAF_8000_0001_EDX_NX: u32 = 1 << 20;

#[derive(Clone, Copy)]
pub struct CpuFeatures {
    pub has_pat: bool,
    pub has_nx: bool,
}

impl CpuFeatures {
    pub fn detect() -> Self {
        let has_pat = __cpuid(1).edx & LEAF_1_EDX_PAT != 0;
        let has_extended_leaf = __cpuid(0x8000_0000).eax >= 0x8000_0001;
        let has_nx = has_extended_leaf && __cpuid(0x8000_0001).edx & LEAF_8000_0001_EDX_NX != 0;
        CpuFeatures { has_pat, has_nx }
    }
}

/// Refuses to go on under 5-level paging, which 4-level tables cannot
/// replace while in long mode.
pub fn check_paging_mode() -> Result<(), Error> {
    if Cr4::read().contains(Cr4Flags::L5_PAGING) {
        return Err(Error::new(format_args!(
            "the firmware runs with 5-level paging; testboot builds 4-level page tables only"
        )));
    }
    Ok(())
}

/// Interrupt-mask registers of the primary and secondary 8259 PIC.
const PIC_PRIMARY_DATA_PORT: u16 = 0x21;
const PIC_SECONDARY_DATA_PORT: u16 = 0xa1;
/// I/O APIC register select and data window, as offsets from its base
/// (Intel 82093AA datasheet, 3.0).
const IO_APIC_SELECT: u64 = 0x00;
const IO_APIC_WINDOW: u64 = 0x10;
const IO_APIC_VERSION_REGISTER: u32 = 0x01;
const IO_APIC_FIRST_REDIRECTION_REGISTER: u32 = 0x10;
const REDIRECTION_MASKED: u32 = 1 << 16;
const DELIVERY_MODE_SHIFT: u32 = 8;

/// The I/O APICs found in the MADT before ExitBootServices.
pub struct InterruptControllers {
    pub io_apics: Vec<u64>,
}

impl InterruptControllers {
    /// Masks both PICs and the fixed and lowest-priority redirection
    /// entries of every I/O APIC.
    pub fn mask_all(&self) {
        for port in [PIC_PRIMARY_DATA_PORT, PIC_SECONDARY_DATA_PORT] {
            // SAFETY: writing all ones to a PIC's data port (outside its
            // initialisation sequence) sets its interrupt mask; nothing else.
            unsafe { Port::<u8>::new(port).write(0xff) };
        }
        for &base in &self.io_apics {
            let last_entry = (read_io_apic(base, IO_APIC_VERSION_REGISTER) >> 16) & 0xff;
            for entry in 0..=last_entry {
                let register = IO_APIC_FIRST_REDIRECTION_REGISTER + 2 * entry;
                let low = read_io_apic(base, register);
                if (low >> DELIVERY_MODE_SHIFT) & 0b111 <= 0b001 {
                    write_io_apic(base, register, low | REDIRECTION_MASKED);
                }
            }
        }
    }
}

fn read_io_apic(base: u64, register: u32) -> u32 {
    // SAFETY: `base` is an I/O APIC's MMIO base from the MADT, mapped
    // (uncached) by the firmware's identity map; selecting a register and
    // reading the window has no other effect.
    unsafe {
        ((base + IO_APIC_SELECT) as *mut u32).write_volatile(register);
        ((base + IO_APIC_WINDOW) as *const u32).read_volatile()
    }
}

fn write_io_apic(base: u64, register: u32, value: u32) {
    // SAFETY: as in `read_io_apic`; the only value written is a
    // redirection entry with its mask bit set.
    unsafe {
        ((base + IO_APIC_SELECT) as *mut u32).write_volatile(register);
        ((base + IO_APIC_WINDOW) as *mut u32).write_volatile(value);
    }
}
