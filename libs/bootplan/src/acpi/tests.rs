//! RSDP → root table → MADT → I/O APIC addresses, over tables built here.

use super::*;

fn rsdp(revision: u8, rsdt: u32, xsdt: u64) -> Vec<u8> {
    let mut bytes = vec![0u8; RSDP_V2_BYTES];
    bytes[..8].copy_from_slice(b"RSD PTR ");
    bytes[15] = revision;
    bytes[16..20].copy_from_slice(&rsdt.to_le_bytes());
    bytes[24..32].copy_from_slice(&xsdt.to_le_bytes());
    bytes
}

fn table(signature: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0u8; TABLE_HEADER_BYTES];
    bytes[..4].copy_from_slice(signature);
    bytes[4..8].copy_from_slice(&((TABLE_HEADER_BYTES + body.len()) as u32).to_le_bytes());
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn prefers_the_xsdt_of_an_acpi_2_rsdp() {
    assert_eq!(root_table(&rsdp(2, 0x1000, 0x2000)), Some(RootTable { address: 0x2000, entry_bytes: 8 }));
    assert!(rsdp_is_extended(&rsdp(2, 0, 0)));
}

#[test]
fn falls_back_to_the_rsdt() {
    assert_eq!(root_table(&rsdp(0, 0x1000, 0)[..RSDP_V1_BYTES]), Some(RootTable { address: 0x1000, entry_bytes: 4 }));
    assert_eq!(root_table(&rsdp(2, 0x1000, 0)), Some(RootTable { address: 0x1000, entry_bytes: 4 }));
}

#[test]
fn rejects_a_bad_rsdp_signature() {
    let mut bytes = rsdp(2, 0x1000, 0x2000);
    bytes[0] = b'X';
    assert_eq!(root_table(&bytes), None);
}

#[test]
fn lists_root_table_entries_of_either_width() {
    let xsdt = table(b"XSDT", &[0x10u64.to_le_bytes(), 0x20u64.to_le_bytes()].concat());
    assert_eq!(root_entries(&xsdt, 8).collect::<Vec<_>>(), [0x10, 0x20]);
    let rsdt = table(b"RSDT", &[0x30u32.to_le_bytes(), 0x40u32.to_le_bytes()].concat());
    assert_eq!(root_entries(&rsdt, 4).collect::<Vec<_>>(), [0x30, 0x40]);
    assert_eq!(table_length(&rsdt), Some(44));
    assert_eq!(signature(&rsdt), Some(*b"RSDT"));
}

#[test]
fn finds_every_io_apic_in_the_madt() {
    let mut body = vec![0u8; 8]; // local APIC address, flags
    body.extend_from_slice(&[0, 8, 0, 0, 1, 0, 0, 0]); // processor local APIC
    body.extend_from_slice(&[1, 12, 0, 0]); // I/O APIC, id 0
    body.extend_from_slice(&0xfec0_0000u32.to_le_bytes());
    body.extend_from_slice(&0u32.to_le_bytes());
    body.extend_from_slice(&[2, 10, 0, 0, 2, 0, 0, 0, 0, 0]); // interrupt source override
    body.extend_from_slice(&[1, 12, 1, 0]); // I/O APIC, id 1
    body.extend_from_slice(&0xfec0_1000u32.to_le_bytes());
    body.extend_from_slice(&24u32.to_le_bytes());
    let madt = table(MADT_SIGNATURE, &body);
    assert_eq!(madt_io_apics(&madt).collect::<Vec<_>>(), [0xfec0_0000, 0xfec0_1000]);
}

#[test]
fn stops_at_a_zero_length_madt_entry() {
    let mut body = vec![0u8; 8];
    body.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0xc0, 0xfe]);
    assert_eq!(madt_io_apics(&table(MADT_SIGNATURE, &body)).count(), 0);
}
