//! Choosing the root table and finding tables through it.

use super::*;
use crate::{Acpi, Error, RootKind, Signature};

/// A MADT that differs from q35's only in its local APIC address, to tell
/// which root table led to it.
fn madt_at_local_apic(address: u32) -> Vec<u8> {
    MadtBuilder::new(address, 1).local_apic(0, 0, 1).build()
}

#[test]
fn prefers_the_xsdt_when_a_revision_2_rsdp_has_one() {
    let mut memory = q35_machine();
    memory.place(0x7fe_5000, madt_at_local_apic(0xaaaa_0000));
    memory.place(RSDT_ADDRESS, rsdt(&[0x7fe_5000]));
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(acpi.root().kind(), RootKind::Xsdt);
    assert_eq!(acpi.madt().unwrap().local_apic_address(), u64::from(QEMU_LOCAL_APIC_ADDRESS));
}

#[test]
fn falls_back_to_the_rsdt_when_the_xsdt_address_is_zero() {
    let mut memory = q35_machine();
    memory.place(RSDP_ADDRESS, rsdp(2, RSDT_ADDRESS as u32, 0));
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(acpi.root().kind(), RootKind::Rsdt);
    assert_eq!(acpi.madt().unwrap().processors().len(), 2);
}

#[test]
fn uses_the_rsdt_of_a_revision_0_rsdp_even_with_bytes_after_it() {
    let mut memory = q35_machine();
    // Whatever follows a 1.0 RSDP is not an XSDT address, even if it looks like one.
    let mut bytes = rsdp(0, RSDT_ADDRESS as u32, 0);
    bytes.extend_from_slice(&[36, 0, 0, 0]);
    bytes.extend_from_slice(&XSDT_ADDRESS.to_le_bytes());
    memory.place(RSDP_ADDRESS, bytes);
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(acpi.root().kind(), RootKind::Rsdt);
    assert_eq!(acpi.root().table().address(), RSDT_ADDRESS);
}

#[test]
fn lists_table_addresses_of_either_entry_width() {
    let memory = q35_machine();
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(acpi.root().table_addresses().collect::<Vec<_>>(), [FADT_ADDRESS, MADT_ADDRESS, HPET_ADDRESS]);
    let rsdp = crate::Rsdp { xsdt_address: None, ..*acpi.rsdp() };
    let root = crate::RootTable::read(&memory, &rsdp).unwrap();
    assert_eq!(root.table_addresses().collect::<Vec<_>>(), [FADT_ADDRESS, MADT_ADDRESS, HPET_ADDRESS]);
}

#[test]
fn finds_tables_by_signature_and_verifies_them() {
    let memory = q35_machine();
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    let hpet = acpi.find_table(Signature::HPET).unwrap();
    assert_eq!(hpet.address(), HPET_ADDRESS);
    assert_eq!(hpet.header().length, 56);
    assert_eq!(hpet.header().oem_id, *b"BOCHS ");
    assert_eq!(hpet.body().len(), 20);
    assert_eq!(acpi.find_table(Signature::MADT).unwrap().address(), MADT_ADDRESS);
}

#[test]
fn reports_a_missing_table_by_signature_and_root() {
    let memory = q35_machine();
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    let error = acpi.find_table(Signature::MCFG).unwrap_err();
    assert_eq!(error, Error::TableNotFound { signature: Signature::MCFG, root: RootKind::Xsdt });
}

#[test]
fn detects_a_bad_root_table_checksum() {
    let mut memory = q35_machine();
    memory.region(XSDT_ADDRESS)[40] ^= 1;
    let error = Acpi::new(&memory, RSDP_ADDRESS).err().unwrap();
    assert!(matches!(error, Error::TableBadChecksum { address: XSDT_ADDRESS, signature: Signature::XSDT, .. }));
}

#[test]
fn rejects_a_root_table_with_the_wrong_signature() {
    let mut memory = q35_machine();
    memory.place(XSDT_ADDRESS, rsdt(&[MADT_ADDRESS as u32]));
    let error = Acpi::new(&memory, RSDP_ADDRESS).err().unwrap();
    let expected =
        Error::TableBadSignature { address: XSDT_ADDRESS, expected: Signature::XSDT, found: Signature::RSDT };
    assert_eq!(error, expected);
}

#[test]
fn detects_a_bad_madt_checksum() {
    let mut memory = q35_machine();
    memory.region(MADT_ADDRESS)[50] ^= 1;
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    let error = acpi.madt().unwrap_err();
    assert!(matches!(error, Error::TableBadChecksum { address: MADT_ADDRESS, signature: Signature::MADT, sum: 1, .. }));
}

#[test]
fn skips_null_and_unreadable_entries_on_the_way_to_the_table() {
    let mut memory = q35_machine();
    memory.place(XSDT_ADDRESS, xsdt(&[0, 0xdead_0000, MADT_ADDRESS]));
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(acpi.find_table(Signature::MADT).unwrap().address(), MADT_ADDRESS);
}

#[test]
fn a_missing_table_behind_an_unreadable_entry_reports_the_unreadable_entry() {
    let mut memory = q35_machine();
    memory.place(XSDT_ADDRESS, xsdt(&[FADT_ADDRESS, 0xdead_0000]));
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    let error = acpi.find_table(Signature::MADT).unwrap_err();
    assert_eq!(error, Error::TableUnreadable { address: 0xdead_0000, length: 36, expected: None });
}

#[test]
fn rejects_a_table_whose_length_is_shorter_than_its_header() {
    let mut memory = q35_machine();
    memory.region(HPET_ADDRESS)[4] = 30;
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    let error = acpi.find_table(Signature::HPET).unwrap_err();
    let expected = Error::TableTooShort { address: HPET_ADDRESS, signature: Signature::HPET, length: 30, minimum: 36 };
    assert_eq!(error, expected);
}

#[test]
fn reports_a_table_longer_than_readable_memory() {
    let mut memory = q35_machine();
    memory.region(HPET_ADDRESS).truncate(40);
    let acpi = Acpi::new(&memory, RSDP_ADDRESS).unwrap();
    let error = acpi.find_table(Signature::HPET).unwrap_err();
    assert_eq!(error, Error::TableUnreadable { address: HPET_ADDRESS, length: 56, expected: Some(Signature::HPET) });
}

#[test]
fn an_rsdp_without_any_root_table_is_an_error() {
    let mut memory = q35_machine();
    memory.place(RSDP_ADDRESS, rsdp(0, 0, 0));
    let error = Acpi::new(&memory, RSDP_ADDRESS).err().unwrap();
    assert_eq!(error, Error::RsdpNoRootTable { address: RSDP_ADDRESS });
}
