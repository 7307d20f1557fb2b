//! The boot summary: one readable line per thing Limine handed over.
//!
//! This is the first thing a learner sees their kernel say, and the quest
//! tool reads the same lines to check Rank I, so the format is stable:
//! a label padded to 14 columns, then the value. Missing answers say
//! "not answered" rather than printing zeros that look like data.

use bootinfo::{Bytes, MemoryTotals};
use limine::firmware_type::FirmwareType;
use limine::framebuffer::Framebuffer;

use super::BootInfo;
use crate::kprintln;

pub fn print(boot: &BootInfo) {
    match boot.bootloader {
        Some((name, version)) => kprintln!("  {:<14}{name} {version}", "bootloader"),
        None => kprintln!("  {:<14}not answered", "bootloader"),
    }
    if boot.base_revision_accepted {
        kprintln!("  {:<14}{} (accepted)", "base revision", super::BASE_REVISION_WANTED);
    } else {
        kprintln!("  {:<14}{} NOT accepted by the bootloader", "base revision", super::BASE_REVISION_WANTED);
    }
    kprintln!("  {:<14}{}", "firmware", firmware_name(boot.firmware));
    match boot.stack_bytes {
        Some(bytes) => kprintln!("  {:<14}{}", "boot stack", Bytes(bytes)),
        None => kprintln!("  {:<14}bootloader default (64.0 KiB)", "boot stack"),
    }
    match boot.hhdm_offset {
        Some(offset) => kprintln!("  {:<14}{offset:#018x}", "hhdm offset"),
        None => kprintln!("  {:<14}not answered", "hhdm offset"),
    }
    print_memory_map(boot);
    match &boot.framebuffer {
        Some(framebuffer) => print_framebuffer(framebuffer),
        None => kprintln!("  {:<14}none", "framebuffer"),
    }
    match boot.rsdp_address {
        Some(address) => kprintln!("  {:<14}{address:#x}", "acpi rsdp"),
        None => kprintln!("  {:<14}not answered", "acpi rsdp"),
    }
    match boot.kernel_address {
        Some((physical, virtual_base)) => {
            kprintln!("  {:<14}{virtual_base:#x} (physical {physical:#x})", "kernel at")
        }
        None => kprintln!("  {:<14}not answered", "kernel at"),
    }
    kprintln!("  {:<14}{:?}", "kernel file", boot.kernel_path);
    kprintln!("  {:<14}{:?}", "command line", boot.cmdline.as_str());
    print_modules(boot);
}

fn firmware_name(firmware: Option<FirmwareType>) -> &'static str {
    match firmware {
        Some(FirmwareType::UEFI_64) => "UEFI (64-bit)",
        Some(FirmwareType::UEFI_32) => "UEFI (32-bit)",
        Some(FirmwareType::X86_BIOS) => "BIOS",
        Some(_) => "unknown",
        None => "not answered",
    }
}

fn print_memory_map(boot: &BootInfo) {
    let totals =
        MemoryTotals::over(boot.memory_map.iter().map(|entry| (entry.base, entry.length, super::memory_kind(entry))));
    kprintln!(
        "  {:<14}{} entries, {} usable ({} bytes in {} regions)",
        "memory map",
        totals.entries,
        Bytes(totals.usable_bytes),
        totals.usable_bytes,
        totals.usable_entries,
    );
}

fn print_framebuffer(framebuffer: &Framebuffer) {
    kprintln!(
        "  {:<14}{}x{}, {} bpp, pitch {}, red {}@{} green {}@{} blue {}@{}",
        "framebuffer",
        framebuffer.width(),
        framebuffer.height(),
        framebuffer.bpp(),
        framebuffer.pitch(),
        framebuffer.red_mask_size(),
        framebuffer.red_mask_shift(),
        framebuffer.green_mask_size(),
        framebuffer.green_mask_shift(),
        framebuffer.blue_mask_size(),
        framebuffer.blue_mask_shift(),
    );
}

fn print_modules(boot: &BootInfo) {
    kprintln!("  {:<14}{}", "modules", boot.modules.len());
    for (index, module) in boot.modules.iter().enumerate() {
        kprintln!(
            "    [{index}] {:?} {} ({} bytes), cmdline {:?}, starts {:?}",
            super::text(module.path().to_bytes()),
            Bytes(module.size()),
            module.size(),
            super::text(module.string().to_bytes()),
            printable_prefix(super::module_bytes(module)),
        );
    }
}

/// The module's first bytes up to the first non-printable one (at most
/// 48): enough to recognise a text file, and proof the bytes were read.
fn printable_prefix(bytes: &[u8]) -> &str {
    let length = bytes.iter().take(48).take_while(|b| b.is_ascii_graphic() || **b == b' ').count();
    // Printable ASCII is valid UTF-8.
    core::str::from_utf8(&bytes[..length]).unwrap_or("")
}
