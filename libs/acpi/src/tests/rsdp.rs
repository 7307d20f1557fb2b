//! Reading the RSDP: both revisions, both checksums, and bad input.

use super::*;
use crate::{Error, Rsdp, RsdpChecksum};

fn memory_with_rsdp(bytes: Vec<u8>) -> FakeMemory {
    let mut memory = FakeMemory::default();
    memory.place(RSDP_ADDRESS, bytes);
    memory
}

#[test]
fn reads_an_acpi_1_rsdp_of_twenty_bytes() {
    let memory = memory_with_rsdp(rsdp(0, 0x7fe_2000, 0));
    let found = Rsdp::read(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(found.revision, 0);
    assert_eq!(found.oem_id, *b"BOCHS ");
    assert_eq!(found.rsdt_address, 0x7fe_2000);
    assert_eq!(found.xsdt_address, None);
}

#[test]
fn reads_the_xsdt_address_from_an_acpi_2_rsdp() {
    let memory = memory_with_rsdp(rsdp(2, 0x7fe_2000, 0x1_0000_0000));
    let found = Rsdp::read(&memory, RSDP_ADDRESS).unwrap();
    assert_eq!(found.revision, 2);
    assert_eq!(found.xsdt_address, Some(0x1_0000_0000));
}

#[test]
fn a_revision_0_rsdp_is_not_read_past_its_twenty_bytes() {
    // Exactly 20 readable bytes: reading 36 would fail.
    let memory = memory_with_rsdp(rsdp(0, 0x1000, 0));
    assert!(Rsdp::read(&memory, RSDP_ADDRESS).is_ok());
}

#[test]
fn rejects_a_wrong_signature() {
    let mut bytes = rsdp(2, 0x1000, 0x2000);
    bytes[3] = b'X';
    let error = Rsdp::read(&memory_with_rsdp(bytes), RSDP_ADDRESS).unwrap_err();
    assert_eq!(error, Error::RsdpBadSignature { address: RSDP_ADDRESS, found: *b"RSDXPTR " });
}

#[test]
fn detects_a_bad_checksum_over_the_first_twenty_bytes() {
    let mut bytes = rsdp(2, 0x1000, 0x2000);
    bytes[16] ^= 0x40; // the RSDT address, covered by both checksums
    let error = Rsdp::read(&memory_with_rsdp(bytes), RSDP_ADDRESS).unwrap_err();
    assert_eq!(error, Error::RsdpBadChecksum { address: RSDP_ADDRESS, checksum: RsdpChecksum::Original });
}

#[test]
fn detects_a_bad_extended_checksum() {
    let mut bytes = rsdp(2, 0x1000, 0x2000);
    bytes[24] ^= 0x40; // the XSDT address, covered only by the extended one
    let error = Rsdp::read(&memory_with_rsdp(bytes), RSDP_ADDRESS).unwrap_err();
    assert_eq!(
        error,
        Error::RsdpBadChecksum { address: RSDP_ADDRESS, checksum: RsdpChecksum::Extended { length: 36 } }
    );
}

#[test]
fn checks_the_extended_checksum_over_the_whole_claimed_length() {
    // A firmware RSDP claiming 40 bytes: the 4 extra bytes count too.
    let mut bytes = rsdp(2, 0x1000, 0x2000);
    bytes[20] = 40;
    bytes.extend_from_slice(&[0, 0, 0, 7]);
    fix_checksum(&mut bytes[..36], 32);
    let error = Rsdp::read(&memory_with_rsdp(bytes.clone()), RSDP_ADDRESS).unwrap_err();
    assert_eq!(
        error,
        Error::RsdpBadChecksum { address: RSDP_ADDRESS, checksum: RsdpChecksum::Extended { length: 40 } }
    );

    fix_checksum(&mut bytes, 32);
    assert_eq!(Rsdp::read(&memory_with_rsdp(bytes), RSDP_ADDRESS).unwrap().xsdt_address, Some(0x2000));
}

#[test]
fn rejects_a_revision_2_length_too_small_for_its_own_fields() {
    let mut bytes = rsdp(2, 0x1000, 0x2000);
    bytes[20] = 20;
    fix_checksum(&mut bytes, 32);
    let error = Rsdp::read(&memory_with_rsdp(bytes), RSDP_ADDRESS).unwrap_err();
    assert_eq!(error, Error::RsdpBadLength { address: RSDP_ADDRESS, length: 20 });
}

#[test]
fn reports_an_rsdp_that_cannot_be_read() {
    let error = Rsdp::read(&FakeMemory::default(), RSDP_ADDRESS).unwrap_err();
    assert_eq!(error, Error::RsdpUnreadable { address: RSDP_ADDRESS, length: 20 });
}

#[test]
fn reports_a_revision_2_rsdp_cut_off_after_twenty_bytes() {
    let bytes = rsdp(2, 0x1000, 0x2000)[..20].to_vec();
    let error = Rsdp::read(&memory_with_rsdp(bytes), RSDP_ADDRESS).unwrap_err();
    assert_eq!(error, Error::RsdpUnreadable { address: RSDP_ADDRESS, length: 36 });
}

#[test]
fn a_zero_xsdt_address_counts_as_no_xsdt() {
    let memory = memory_with_rsdp(rsdp(2, 0x1000, 0));
    assert_eq!(Rsdp::read(&memory, RSDP_ADDRESS).unwrap().xsdt_address, None);
}
