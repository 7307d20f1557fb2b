//! Condensing the MADT, and refusing malformed entries.

use super::*;
use crate::madt::{Entries, MAX_PROCESSORS};
use crate::{
    Acpi, Entry, Error, InterruptFlags, InterruptSourceOverride, IoApic, LocalApicNmi, Madt, Polarity, Processor,
    Signature, Table, Trigger, Truncation,
};

fn parse(madt: &[u8]) -> Result<Madt, Error> {
    Madt::parse(&Table::from_bytes(MADT_ADDRESS, madt)?)
}

fn entries(madt: &[u8]) -> Vec<Result<Entry, Error>> {
    let table = Table::from_bytes(MADT_ADDRESS, madt).unwrap();
    Madt::entries(&table).unwrap().collect()
}

fn cpu(id: u8) -> Processor {
    Processor { processor_uid: u32::from(id), apic_id: u32::from(id), enabled: true, online_capable: false }
}

#[test]
fn reads_qemu_q35s_madt_through_the_rsdp() {
    let memory = q35_machine();
    let madt = Acpi::new(&memory, RSDP_ADDRESS).unwrap().madt().unwrap();

    assert_eq!(madt.local_apic_address(), 0xfee0_0000);
    assert!(madt.has_legacy_pics());
    assert_eq!(madt.processors(), [cpu(0), cpu(1)]);
    assert_eq!(madt.io_apics(), [IoApic { io_apic_id: 0, address: 0xfec0_0000, gsi_base: 0 }]);
    let irqs: Vec<(u8, u32)> = madt.interrupt_overrides().iter().map(|entry| (entry.source_irq, entry.gsi)).collect();
    assert_eq!(irqs, [(0, 2), (5, 5), (9, 9), (10, 10), (11, 11)]);
    let lint1_for_all =
        LocalApicNmi { processor_uid: LocalApicNmi::ALL_PROCESSORS, flags: InterruptFlags::default(), lint: 1 };
    assert_eq!(madt.local_apic_nmis(), [lint1_for_all]);
    assert!(madt.truncation().is_none());
}

#[test]
fn decodes_override_flags_as_qemu_sets_them() {
    let madt = parse(&q35_madt(1).build()).unwrap();
    let timer = madt.interrupt_overrides()[0];
    assert_eq!(timer, InterruptSourceOverride { bus: 0, source_irq: 0, gsi: 2, flags: InterruptFlags::default() });
    let sci = madt.interrupt_overrides()[2];
    assert_eq!(sci.source_irq, 9);
    assert_eq!(sci.flags, InterruptFlags { polarity: Polarity::ActiveHigh, trigger: Trigger::Level });
}

#[test]
fn without_pcat_compat_there_are_no_legacy_pics() {
    let madt = parse(&MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 0).build()).unwrap();
    assert!(!madt.has_legacy_pics());
    assert!(madt.processors().is_empty());
}

#[test]
fn honours_a_local_apic_address_override() {
    let madt = parse(&q35_madt(1).local_apic_address_override(0x1_fee0_0000).build()).unwrap();
    assert_eq!(madt.local_apic_address(), 0x1_fee0_0000);
}

#[test]
fn reads_processor_flags_and_x2apic_entries() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1)
        .local_apic(0, 0, 1)
        .local_apic(1, 1, 0b10) // disabled, online-capable: hot-pluggable
        .local_apic(2, 2, 0) // disabled for good
        .local_x2apic(300, 1, 3)
        .build();
    let processors = parse(&madt).unwrap().processors().to_vec();
    assert_eq!(processors[1], Processor { processor_uid: 1, apic_id: 1, enabled: false, online_capable: true });
    assert_eq!(processors[3], Processor { processor_uid: 3, apic_id: 300, enabled: true, online_capable: false });
    let usable: Vec<bool> = processors.iter().map(Processor::is_usable).collect();
    assert_eq!(usable, [true, true, false, true]);
}

#[test]
fn skips_unknown_entry_types_by_their_length() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1)
        .local_apic(0, 0, 1)
        .raw(&[0x7f, 5, 0xaa, 0xbb, 0xcc]) // a future type, odd length
        .raw(&[0xa, 12, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]) // local x2APIC NMI, not decoded
        .local_apic(1, 1, 1)
        .build();
    let walked = entries(&madt);
    assert_eq!(walked[1], Ok(Entry::Other { entry_type: 0x7f, length: 5 }));
    assert_eq!(walked[2], Ok(Entry::Other { entry_type: 0xa, length: 12 }));
    assert_eq!(parse(&madt).unwrap().processors(), [cpu(0), cpu(1)]);
}

#[test]
fn accepts_known_entries_longer_than_their_fields() {
    // A later ACPI revision may append fields: step over them.
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1)
        .raw(&[0, 10, 0, 0, 1, 0, 0, 0, 0xee, 0xee])
        .local_apic(1, 1, 1)
        .build();
    assert_eq!(parse(&madt).unwrap().processors(), [cpu(0), cpu(1)]);
}

#[test]
fn a_zero_length_entry_is_an_error_not_an_endless_loop() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).local_apic(0, 0, 1).raw(&[1, 0, 0, 0]).build();
    assert_eq!(parse(&madt), Err(Error::MadtEntryZeroLength { offset: 52, entry_type: 1 }));
}

#[test]
fn an_entry_running_past_the_table_is_an_error() {
    // An I/O APIC entry claiming 12 bytes with only 8 left in the table.
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).raw(&[1, 12, 0, 0, 0, 0, 0xc0, 0xfe]).build();
    assert_eq!(parse(&madt), Err(Error::MadtEntryOverrun { offset: 44, entry_type: 1, needed: 12, remaining: 8 }));
}

#[test]
fn a_lone_byte_after_the_last_entry_is_an_error() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).local_apic(0, 0, 1).raw(&[0]).build();
    assert_eq!(parse(&madt), Err(Error::MadtEntryOverrun { offset: 52, entry_type: 0, needed: 2, remaining: 1 }));
}

#[test]
fn an_entry_shorter_than_its_type_is_an_error() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).raw(&[2, 6, 0, 0, 2, 0]).build();
    assert_eq!(parse(&madt), Err(Error::MadtEntryTooShort { offset: 44, entry_type: 2, length: 6, minimum: 10 }));
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).raw(&[0x7f, 1]).build();
    assert_eq!(parse(&madt), Err(Error::MadtEntryTooShort { offset: 44, entry_type: 0x7f, length: 1, minimum: 2 }));
}

#[test]
fn entries_stop_after_the_first_error() {
    let madt =
        MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).local_apic(0, 0, 1).raw(&[0, 0]).local_apic(1, 1, 1).build();
    let walked = entries(&madt);
    assert_eq!(walked.len(), 2);
    assert!(walked[1].is_err());
}

#[test]
fn keeps_the_first_processors_and_counts_the_ones_that_did_not_fit() {
    let mut madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1);
    for id in 0..70 {
        madt = madt.local_apic(id, id, 1);
    }
    let madt = parse(&madt.build()).unwrap();
    assert_eq!(madt.processors().len(), MAX_PROCESSORS);
    assert_eq!(madt.processors()[63], cpu(63));
    assert_eq!(madt.truncation(), Truncation { processors: 6, ..Truncation::default() });
}

#[test]
fn only_a_table_signed_apic_is_parsed_as_a_madt() {
    let hpet = table(b"HPET", &[0; 20]);
    let error = parse(&hpet).unwrap_err();
    let expected =
        Error::TableBadSignature { address: MADT_ADDRESS, expected: Signature::MADT, found: Signature::HPET };
    assert_eq!(error, expected);
}

#[test]
fn a_madt_too_short_for_its_fixed_fields_is_an_error() {
    let error = parse(&table(b"APIC", &[0; 4])).unwrap_err();
    let expected = Error::TableTooShort { address: MADT_ADDRESS, signature: Signature::MADT, length: 40, minimum: 44 };
    assert_eq!(error, expected);
}

#[test]
fn never_panics_or_hangs_on_arbitrary_entry_bytes() {
    // A small xorshift generator: deterministic, no dependency.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let length = usize::try_from(next() % 96).unwrap();
        let body: Vec<u8> = (0..length).map(|_| (next() % 20) as u8).collect();
        let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).raw(&body).build();
        let table = Table::from_bytes(MADT_ADDRESS, &madt).unwrap();
        // Every step consumes at least one byte, so the walk is bounded.
        assert!(Madt::entries(&table).unwrap().count() <= body.len() + 1);
        let _ = Madt::parse(&table);
    }
}

#[test]
fn the_entry_walk_is_fused() {
    let madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1).raw(&[0, 0]).build();
    let table = Table::from_bytes(MADT_ADDRESS, &madt).unwrap();
    let mut walk: Entries<'_> = Madt::entries(&table).unwrap();
    assert!(matches!(walk.next(), Some(Err(_))));
    assert_eq!(walk.next(), None);
    assert_eq!(walk.next(), None);
}
