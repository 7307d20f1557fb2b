//! The boot summary: one readable line per thing Limine handed over.
//!
//! This is the first thing a learner sees their kernel say, and the quest
//! tool reads the same lines to check Rank I, so the format is stable:
//! a label padded to 14 columns, then the value. Missing answers say
//! "not answered" rather than printing zeros that look like data. Labels
//! are cyan and gaps yellow (ANSI colours, which the console draws from
//! Rank 2 and serial terminals show; the quest tool strips them).

use core::fmt;

use bootinfo::{Bytes, MemoryTotals};
use limine::firmware_type::FirmwareType;
use limine::framebuffer::Framebuffer;

use super::BootInfo;
use crate::kprintln;

/// A missing answer, in yellow so it stands out.
const NOT_ANSWERED: &str = "\x1b[93mnot answered\x1b[0m";

/// One summary line: the label in cyan, padded to 14 columns, then the
/// value.
pub fn field(label: &str, value: fmt::Arguments) {
    kprintln!("  \x1b[36m{label:<14}\x1b[0m{value}");
}

/// The first line the kernel says: who it is and which checkpoint this is.
pub fn print_banner() {
    kprintln!(
        "\x1b[97mMinimalOS {}\x1b[0m - rank {} of {}: \x1b[93m{}\x1b[0m",
        env!("CARGO_PKG_VERSION"),
        crate::rank::numeral(),
        crate::rank::NUMERALS[crate::rank::HIGHEST as usize - 1],
        crate::rank::name(),
    );
}

pub fn print(boot: &BootInfo) {
    match boot.bootloader {
        Some((name, version)) => field("bootloader", format_args!("{name} {version}")),
        None => field("bootloader", format_args!("{NOT_ANSWERED}")),
    }
    if boot.base_revision_accepted {
        field("base revision", format_args!("{} (accepted)", super::BASE_REVISION_WANTED));
    } else {
        field(
            "base revision",
            format_args!("\x1b[91m{} NOT accepted by the bootloader\x1b[0m", super::BASE_REVISION_WANTED),
        );
    }
    field("firmware", format_args!("{}", firmware_name(boot.firmware)));
    match boot.stack_bytes {
        Some(bytes) => field("boot stack", format_args!("{}", Bytes(bytes))),
        None => field("boot stack", format_args!("bootloader default (64.0 KiB)")),
    }
    match boot.hhdm_offset {
        Some(offset) => field("hhdm offset", format_args!("{offset:#018x}")),
        None => field("hhdm offset", format_args!("{NOT_ANSWERED}")),
    }
    print_memory_map(boot);
    match &boot.framebuffer {
        Some(framebuffer) => print_framebuffer(framebuffer),
        None => field("framebuffer", format_args!("none")),
    }
    match boot.rsdp_address {
        Some(address) => field("acpi rsdp", format_args!("{address:#x}")),
        None => field("acpi rsdp", format_args!("{NOT_ANSWERED}")),
    }
    match boot.kernel_address {
        Some((physical, virtual_base)) => {
            field("kernel at", format_args!("{virtual_base:#x} (physical {physical:#x})"))
        }
        None => field("kernel at", format_args!("{NOT_ANSWERED}")),
    }
    field("kernel file", format_args!("{:?}", boot.kernel_path));
    field("command line", format_args!("{:?}", boot.cmdline.as_str()));
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
    field(
        "memory map",
        format_args!(
            "{} entries, {} usable ({} bytes in {} regions)",
            totals.entries,
            Bytes(totals.usable_bytes),
            totals.usable_bytes,
            totals.usable_entries,
        ),
    );
}

fn print_framebuffer(framebuffer: &Framebuffer) {
    field(
        "framebuffer",
        format_args!(
            "{}x{}, {} bpp, pitch {}, red {}@{} green {}@{} blue {}@{}",
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
        ),
    );
}

fn print_modules(boot: &BootInfo) {
    field("modules", format_args!("{}", boot.modules.len()));
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
