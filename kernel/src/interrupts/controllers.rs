//! Finding and starting the APICs, from the ACPI tables.
//!
//! The RSDP (from Limine) leads to the XSDT or RSDT, which lists the MADT,
//! which lists every processor's local APIC, every I/O APIC and how the
//! sixteen ISA IRQs are wired to I/O APIC inputs. `libs/acpi` does the
//! parsing (host-tested, checksums verified); this file only gives it
//! memory to read and acts on the answer.

use acpi::{Acpi, Madt, PhysicalMemory, Polarity, Trigger};

use super::{IOAPIC_BASE_VECTOR, SPURIOUS_VECTOR, TIMER_VECTOR, ioapic, lapic, timer};
use crate::boot::BootInfo;
use crate::boot::summary::field;

/// Physical memory as the HHDM shows it. Base revision 2 guarantees the
/// first 4 GiB are mapped there, which is where firmware puts the ACPI
/// tables and the APICs' registers; anything above is refused.
struct DirectMap {
    offset: u64,
}

const ALWAYS_MAPPED: u64 = 4 << 30;

impl PhysicalMemory for DirectMap {
    fn read(&self, address: u64, length: usize) -> Option<&[u8]> {
        let end = address.checked_add(length as u64)?;
        if end > ALWAYS_MAPPED {
            return None;
        }
        // SAFETY: [address, end) lies in the first 4 GiB, which the
        // bootloader maps at `offset` for the kernel's lifetime (Limine
        // PROTOCOL.md, "Entry memory layout"); firmware tables there are
        // never written by this kernel, so a shared slice is sound.
        Some(unsafe { core::slice::from_raw_parts((self.offset + address) as *const u8, length) })
    }
}

pub fn init(boot: &BootInfo, timer_hz: u32) {
    let Some(hhdm) = boot.hhdm_offset else {
        panic!("no HHDM: the APICs cannot be reached");
    };
    let memory = DirectMap { offset: hhdm };
    let rsdp = boot.rsdp_address.map(|address| {
        let address = address as u64;
        if address >= hhdm { address - hhdm } else { address }
    });
    let Some(rsdp) = rsdp else {
        panic!("the bootloader gave no RSDP: without ACPI there is no MADT to find the APICs");
    };
    let acpi = Acpi::new(&memory, rsdp).unwrap_or_else(|e| panic!("ACPI: {e}"));
    let madt = acpi.madt().unwrap_or_else(|e| panic!("ACPI: {e}"));
    field(
        "acpi",
        format_args!("RSDP revision {} at {rsdp:#x} -> {}, MADT checksum ok", acpi.rsdp().revision, acpi.root().kind()),
    );
    print_madt(&madt);
    if boot.cmdline.has_flag("acpi-dump") {
        dump("RSDP", rsdp, memory.read(rsdp, acpi::RSDP_V2_BYTES).unwrap_or_default());
        let root = acpi.root().table();
        dump("ROOT", root.address(), root.bytes());
        if let Ok(table) = acpi.find_table(acpi::Signature::MADT) {
            dump("APIC", table.address(), table.bytes());
        }
    }

    let (id, version) = lapic::init(hhdm + madt.local_apic_address(), SPURIOUS_VECTOR);
    field(
        "local apic",
        format_args!(
            "id {id}, version {version:#x}, at {:#x}, spurious vector {SPURIOUS_VECTOR:#x}",
            madt.local_apic_address()
        ),
    );
    route_isa_lines(&madt, hhdm, id as u8);

    let counts = timer::calibrate();
    timer::start(TIMER_VECTOR, timer_hz);
    super::heartbeat::draw(0);
    field("apic timer", format_args!("{counts} counts/s (bus clock / 16, measured against the PIT)"));
    field("ticks", format_args!("periodic at {} Hz on vector {TIMER_VECTOR:#x}", timer::hz()));
}

/// `acpi-dump` on the command line prints the tables in hex, so real
/// firmware's tables can become test fixtures for `libs/acpi`.
fn dump(name: &str, address: u64, bytes: &[u8]) {
    for (index, chunk) in bytes.chunks(32).enumerate() {
        crate::kprint!("acpi-dump: {name} {:#x} ", address + index as u64 * 32);
        for byte in chunk {
            crate::kprint!("{byte:02x}");
        }
        crate::kprintln!();
    }
}

fn print_madt(madt: &Madt) {
    let usable = madt.processors().iter().filter(|p| p.is_usable()).count();
    field("cpus", format_args!("{usable} usable of {} in the MADT", madt.processors().len()));
    for processor in madt.processors() {
        crate::kprintln!(
            "    cpu uid {} local apic id {}{}",
            processor.processor_uid,
            processor.apic_id,
            if processor.enabled { "" } else { " (disabled)" }
        );
    }
    for io_apic in madt.io_apics() {
        field(
            "io apic",
            format_args!("id {} at {:#x}, GSI base {}", io_apic.io_apic_id, io_apic.address, io_apic.gsi_base),
        );
    }
    for over in madt.interrupt_overrides() {
        let flags = over.flags.resolved_for_isa();
        crate::kprintln!(
            "    override: ISA IRQ {} -> GSI {} ({}, {})",
            over.source_irq,
            over.gsi,
            polarity_name(flags.polarity),
            trigger_name(flags.trigger)
        );
    }
}

/// Routes ISA IRQs 0–15 to vectors 0x30–0x3F on the I/O APIC that owns
/// their GSI, honouring overrides, all masked: a driver unmasks its line.
fn route_isa_lines(madt: &Madt, hhdm: u64, destination: u8) {
    for io_apic in madt.io_apics() {
        let inputs = ioapic::init(hhdm + u64::from(io_apic.address));
        field(
            "io apic",
            format_args!(
                "id {}: {inputs} inputs, GSI {}-{}",
                io_apic.io_apic_id,
                io_apic.gsi_base,
                io_apic.gsi_base + inputs - 1
            ),
        );
        for irq in 0..16u8 {
            // IRQ 2 is the PICs' cascade and never a device. And a line an
            // override has moved (QEMU moves IRQ 0 onto GSI 2) gives its
            // GSI away: the IRQ whose number it is gets no identity route.
            let overridden = |gsi: u32| madt.interrupt_overrides().iter().any(|o| o.gsi == gsi && o.source_irq != irq);
            let has_override = madt.interrupt_overrides().iter().any(|o| o.source_irq == irq);
            if irq == 2 || (!has_override && overridden(u32::from(irq))) {
                continue;
            }
            let route = madt.irq_to_gsi(irq);
            if !(io_apic.gsi_base..io_apic.gsi_base + inputs).contains(&route.gsi) {
                continue;
            }
            ioapic::record_isa(irq, route.gsi - io_apic.gsi_base);
            ioapic::route(ioapic::Route {
                input: route.gsi - io_apic.gsi_base,
                vector: IOAPIC_BASE_VECTOR + irq,
                level_triggered: route.trigger == Trigger::Level,
                active_low: route.polarity == Polarity::ActiveLow,
                destination_apic: destination,
                masked: true,
            });
        }
    }
}

fn polarity_name(polarity: Polarity) -> &'static str {
    match polarity {
        Polarity::ActiveHigh | Polarity::Conforming => "active high",
        Polarity::ActiveLow => "active low",
        Polarity::Reserved => "reserved polarity",
    }
}

fn trigger_name(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Edge | Trigger::Conforming => "edge",
        Trigger::Level => "level",
        Trigger::Reserved => "reserved trigger",
    }
}
