//! The real thing: ACPI tables QEMU 7.2 (q35, `-smp 2`, OVMF) gave the
//! kernel, dumped by checkpoint III with `acpi-dump` on its command line
//! and kept byte for byte in `fixtures/`.

use acpi::{Acpi, Error, PhysicalMemory, Polarity, RootKind, Trigger};

const RSDP_ADDRESS: u64 = 0xf77d014;

/// Physical memory that holds only the three recorded tables.
struct Recorded {
    regions: Vec<(u64, Vec<u8>)>,
}

impl Recorded {
    fn qemu() -> Self {
        Self {
            regions: vec![
                (RSDP_ADDRESS, include_bytes!("fixtures/qemu-q35-smp2-rsdp-f77d014.bin").to_vec()),
                (0xf77c0e8, include_bytes!("fixtures/qemu-q35-smp2-root-f77c0e8.bin").to_vec()),
                (0xf777000, include_bytes!("fixtures/qemu-q35-smp2-apic-f777000.bin").to_vec()),
            ],
        }
    }
}

impl PhysicalMemory for Recorded {
    fn read(&self, address: u64, length: usize) -> Option<&[u8]> {
        self.regions.iter().find_map(|(start, bytes)| {
            let offset = usize::try_from(address.checked_sub(*start)?).ok()?;
            bytes.get(offset..offset.checked_add(length)?)
        })
    }
}

#[test]
fn qemus_tables_lead_from_the_rsdp_through_the_xsdt_to_the_madt() {
    let memory = Recorded::qemu();
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(acpi.rsdp().revision, 2);
    assert_eq!(acpi.root().kind(), RootKind::Xsdt);
    let madt = acpi.madt().unwrap();
    assert_eq!(madt.local_apic_address(), 0xfee0_0000);
    assert!(madt.has_legacy_pics());

    let ids: Vec<u32> = madt.processors().iter().filter(|p| p.is_usable()).map(|p| p.apic_id).collect();
    assert_eq!(ids, [0, 1]);
    let io_apic = madt.io_apics()[0];
    assert_eq!((io_apic.io_apic_id, io_apic.address, io_apic.gsi_base), (0, 0xfec0_0000, 0));
}

#[test]
fn qemus_overrides_move_the_timer_and_make_the_pci_lines_level_triggered() {
    let memory = Recorded::qemu();
    let madt = Acpi::new(&memory, RSDP_ADDRESS).unwrap().madt().unwrap();
    let sources: Vec<u8> = madt.interrupt_overrides().iter().map(|o| o.source_irq).collect();
    assert_eq!(sources, [0, 5, 9, 10, 11]);
    let timer = madt.irq_to_gsi(0);
    assert_eq!((timer.gsi, timer.polarity, timer.trigger), (2, Polarity::ActiveHigh, Trigger::Edge));
    let acpi_sci = madt.irq_to_gsi(9);
    assert_eq!((acpi_sci.gsi, acpi_sci.trigger), (9, Trigger::Level));
    let keyboard = madt.irq_to_gsi(1);
    assert_eq!((keyboard.gsi, keyboard.trigger), (1, Trigger::Edge));
}

#[test]
fn one_flipped_byte_in_the_recorded_madt_is_caught_by_its_checksum() {
    let mut memory = Recorded::qemu();
    memory.regions[2].1[50] ^= 0x01;
    let error = Acpi::new(&memory, RSDP_ADDRESS).unwrap().madt().err().unwrap();
    assert!(matches!(error, Error::TableBadChecksum { .. }), "{error}");
}
