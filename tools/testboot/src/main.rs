//! testboot: boots MinimalOS by the Limine protocol, without Limine.
//!
//! Tests boot the kernel through this small UEFI program where Limine
//! cannot be fetched (CI has no GitHub). It reads the same `limine.conf`,
//! loads the same kernel and modules, and answers the kernel's requests the
//! way Limine 8.2.0 does for base revisions 0–2 (PROTOCOL.md v8.2.0), so the
//! kernel cannot tell the two apart except by the bootloader name. What it
//! does not implement, it refuses with a reason (`testboot: error: ...`,
//! then QEMU exits with status 255) or, for requests, leaves unanswered and
//! names on the serial log. README.md lists both.
//!
//! `boot` below is the whole story in order; each step is one module.
//! Decisions that need no firmware (config, ELF plan, request scan, memory
//! map conversion, ACPI parsing) live in `libs/bootplan`, tested on the host.
#![no_std]
#![no_main]

extern crate alloc;

mod acpi;
mod address_space;
mod console;
mod display;
mod files;
mod handoff;
mod kernel;
mod machine;
mod memory;
mod memory_map;
mod paging;
mod protocol;
mod requests;
mod responses;

use alloc::string::String;
use alloc::vec::Vec;
use core::convert::Infallible;
use core::fmt;

use bootplan::{MemoryKind, MemoryRegion, PAGE_SIZE};
use uefi::mem::memory_map::MemoryMap;
use uefi::{Status, entry};

use crate::address_space::Layout;
use crate::files::BootVolume;
use crate::handoff::Trampoline;
use crate::kernel::LoadedKernel;
use crate::machine::{CpuFeatures, InterruptControllers};
use crate::memory::{Arena, hhdm};
use crate::requests::Requests;
use crate::responses::Sources;

/// Why testboot cannot go on, in words for the person reading the log.
pub struct Error(String);

impl Error {
    pub fn new(reason: fmt::Arguments) -> Self {
        Error(alloc::fmt::format(reason))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[entry]
fn main() -> Status {
    match boot() {
        Err(error) => console::fatal(format_args!("{error}")),
    }
}

fn boot() -> Result<Infallible, Error> {
    machine::check_paging_mode()?;
    let display = display::set_up();

    // What to boot, from limine.conf on the boot volume.
    let mut volume = BootVolume::open()?;
    let entry = volume.boot_entry()?;
    let plural = if entry.modules.len() == 1 { "" } else { "s" };
    log!("booting /{} (kernel boot():{}, {} module{plural})", entry.name, entry.kernel_path, entry.modules.len());

    // The kernel, its requests, its modules.
    let kernel_file = volume.load(&entry.kernel_path)?;
    let mut kernel = LoadedKernel::load(kernel_file.bytes())?;
    let requests = Requests::find(&mut kernel, kernel_file.bytes())?;
    let mut modules = Vec::new();
    for module in &entry.modules {
        modules.push(volume.load(&module.path)?);
    }
    // Firmware file handles must be closed while boot services still run.
    drop(volume);

    // The responses, the stack, the page tables.
    let rsdp = acpi::find_rsdp();
    let interrupt_controllers = InterruptControllers { io_apics: rsdp.map(acpi::io_apics).unwrap_or_default() };
    let firmware_map = memory_map::snapshot()?;
    let mut arena = Arena::new();
    let sources = Sources {
        entry: &entry,
        kernel_file,
        modules: &modules,
        display: display.as_ref(),
        rsdp,
        volume: files::volume_identity(),
        memory_map_capacity: firmware_map.len() * 2 + 128,
    };
    let answers = responses::answer(&requests, &mut kernel, &sources, &mut arena)?;
    if !kernel.plan.is_executable(answers.entry_point) {
        return Err(Error::new(format_args!("entry point {:#x} is not in an executable segment", answers.entry_point)));
    }
    let stack = arena.allocate(answers.stack_bytes, PAGE_SIZE)?;
    let trampoline = Trampoline::prepare()?;
    let cpu = CpuFeatures::detect();
    let framebuffer = display.as_ref().map(|display| (display.base, display.bytes()));
    let layout = Layout {
        kernel: &kernel,
        base_revision: requests.base_revision,
        firmware_map: &firmware_map,
        framebuffer,
        trampoline_page: trampoline.page,
        has_pat: cpu.has_pat,
        has_nx: cpu.has_nx,
    };
    let pml4 = address_space::build(&layout, &mut arena)?;
    if let Some(display) = &display {
        display.clear();
    }

    // SAFETY: nothing of the firmware's is in use any more: the file handles
    // are closed and GOP and the other protocols were opened for a moment
    // and dropped. From here on nothing allocates or calls boot services;
    // `console` switches to COM1 and the locals are never dropped (the
    // hand-off does not return).
    let final_map = unsafe { uefi::boot::exit_boot_services(None) };
    console::boot_services_exited();
    x86_64::instructions::interrupts::disable();

    let overlays: &[MemoryRegion] = match framebuffer {
        Some((base, length)) => &[MemoryRegion { base, length, kind: MemoryKind::Framebuffer }],
        None => &[],
    };
    if let Some(memory_map) = &answers.memory_map {
        match memory_map.fill(final_map.entries().map(memory_map::firmware_region), overlays) {
            Ok(count) => log!("memory map: {count} entries"),
            Err(error) => console::fatal(format_args!("{error}")),
        }
    }
    interrupt_controllers.mask_all();
    log!("entering the kernel at {:#x}, stack {} KiB", answers.entry_point, answers.stack_bytes / 1024);
    let stack_top = hhdm(stack + answers.stack_bytes);
    trampoline.enter(pml4, answers.entry_point, stack_top, requests.base_revision >= 1, cpu)
}
