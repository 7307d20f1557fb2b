//! Fixtures for the tests: a fake physical memory and table builders.
//!
//! Tables are built byte by byte, the way firmware lays them out, so the
//! tests exercise the same offsets the parser reads on real hardware. The
//! default machine copies what QEMU's q35 board reports (QEMU
//! `hw/i386/acpi-common.c`, `acpi_build_madt`).

mod madt;
mod root;
mod routing;
mod rsdp;

use crate::PhysicalMemory;
use std::collections::BTreeMap;

pub const RSDP_ADDRESS: u64 = 0xf_5a40;
pub const RSDT_ADDRESS: u64 = 0x7fe_2000;
pub const XSDT_ADDRESS: u64 = 0x7fe_2100;
pub const FADT_ADDRESS: u64 = 0x7fe_3000;
pub const MADT_ADDRESS: u64 = 0x7fe_3100;
pub const HPET_ADDRESS: u64 = 0x7fe_3200;
pub const QEMU_LOCAL_APIC_ADDRESS: u32 = 0xfee0_0000;
pub const QEMU_IO_APIC_ADDRESS: u32 = 0xfec0_0000;
/// MPS INTI flags QEMU gives its PCI interrupts: active-high, level.
pub const ACTIVE_HIGH_LEVEL: u16 = 0x000d;

/// Physical memory as a few disjoint regions; anything else is unreadable.
#[derive(Default)]
pub struct FakeMemory {
    regions: BTreeMap<u64, Vec<u8>>,
}

impl FakeMemory {
    pub fn place(&mut self, address: u64, bytes: Vec<u8>) {
        self.regions.insert(address, bytes);
    }

    /// The region that starts at `address`, for corrupting it in place.
    pub fn region(&mut self, address: u64) -> &mut Vec<u8> {
        self.regions.get_mut(&address).expect("no region starts at this address")
    }
}

impl PhysicalMemory for FakeMemory {
    fn read(&self, address: u64, length: usize) -> Option<&[u8]> {
        let (&start, bytes) = self.regions.range(..=address).next_back()?;
        let offset = usize::try_from(address - start).ok()?;
        bytes.get(offset..offset.checked_add(length)?)
    }
}

/// A table with a correct header: length, QEMU's OEM ids, checksum.
pub fn table(signature: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(36 + body.len());
    bytes.extend_from_slice(signature);
    bytes.extend_from_slice(&u32::try_from(36 + body.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(&[1, 0]); // revision, checksum (set below)
    bytes.extend_from_slice(b"BOCHS BXPC    ");
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(b"BXPC");
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(body);
    fix_checksum(&mut bytes, 9);
    bytes
}

/// Sets the byte at `checksum_offset` so all of `bytes` sums to zero.
pub fn fix_checksum(bytes: &mut [u8], checksum_offset: usize) {
    bytes[checksum_offset] = 0;
    let sum = bytes.iter().fold(0u8, |total, &byte| total.wrapping_add(byte));
    bytes[checksum_offset] = sum.wrapping_neg();
}

/// An RSDP of `revision` with correct checksums; 20 bytes for revision 0.
pub fn rsdp(revision: u8, rsdt: u32, xsdt: u64) -> Vec<u8> {
    let mut bytes = b"RSD PTR ".to_vec();
    bytes.push(0); // checksum
    bytes.extend_from_slice(b"BOCHS ");
    bytes.push(revision);
    bytes.extend_from_slice(&rsdt.to_le_bytes());
    fix_checksum(&mut bytes, 8);
    if revision >= 2 {
        bytes.extend_from_slice(&36u32.to_le_bytes());
        bytes.extend_from_slice(&xsdt.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]); // extended checksum, reserved
        fix_checksum(&mut bytes, 32); // the first 20 bytes already sum to 0
    }
    bytes
}

pub fn xsdt(addresses: &[u64]) -> Vec<u8> {
    table(b"XSDT", &addresses.iter().flat_map(|address| address.to_le_bytes()).collect::<Vec<_>>())
}

pub fn rsdt(addresses: &[u32]) -> Vec<u8> {
    table(b"RSDT", &addresses.iter().flat_map(|address| address.to_le_bytes()).collect::<Vec<_>>())
}

/// Builds a MADT entry by entry.
pub struct MadtBuilder {
    body: Vec<u8>,
}

impl MadtBuilder {
    pub fn new(local_apic_address: u32, flags: u32) -> Self {
        MadtBuilder { body: [local_apic_address.to_le_bytes(), flags.to_le_bytes()].concat() }
    }

    pub fn raw(mut self, entry: &[u8]) -> Self {
        self.body.extend_from_slice(entry);
        self
    }

    pub fn local_apic(self, processor_uid: u8, apic_id: u8, flags: u32) -> Self {
        self.raw(&[&[0, 8, processor_uid, apic_id][..], &flags.to_le_bytes()].concat())
    }

    pub fn io_apic(self, io_apic_id: u8, address: u32, gsi_base: u32) -> Self {
        self.raw(&[&[1, 12, io_apic_id, 0][..], &address.to_le_bytes(), &gsi_base.to_le_bytes()].concat())
    }

    pub fn source_override(self, irq: u8, gsi: u32, flags: u16) -> Self {
        self.raw(&[&[2, 10, 0, irq][..], &gsi.to_le_bytes(), &flags.to_le_bytes()].concat())
    }

    pub fn local_apic_nmi(self, processor_uid: u8, flags: u16, lint: u8) -> Self {
        self.raw(&[&[4, 6, processor_uid][..], &flags.to_le_bytes(), &[lint]].concat())
    }

    pub fn local_apic_address_override(self, address: u64) -> Self {
        self.raw(&[&[5, 12, 0, 0][..], &address.to_le_bytes()].concat())
    }

    pub fn local_x2apic(self, x2apic_id: u32, flags: u32, processor_uid: u32) -> Self {
        let fields = [x2apic_id.to_le_bytes(), flags.to_le_bytes(), processor_uid.to_le_bytes()].concat();
        self.raw(&[&[9, 16, 0, 0][..], &fields].concat())
    }

    pub fn build(self) -> Vec<u8> {
        table(b"APIC", &self.body)
    }
}

/// QEMU q35's MADT entries with `cpus` processors (LAPIC ids 0, 1, ...).
pub fn q35_madt(cpus: u8) -> MadtBuilder {
    let mut madt = MadtBuilder::new(QEMU_LOCAL_APIC_ADDRESS, 1);
    for cpu in 0..cpus {
        madt = madt.local_apic(cpu, cpu, 1);
    }
    madt.io_apic(0, QEMU_IO_APIC_ADDRESS, 0)
        .source_override(0, 2, 0)
        .source_override(5, 5, ACTIVE_HIGH_LEVEL)
        .source_override(9, 9, ACTIVE_HIGH_LEVEL)
        .source_override(10, 10, ACTIVE_HIGH_LEVEL)
        .source_override(11, 11, ACTIVE_HIGH_LEVEL)
        .local_apic_nmi(0xff, 0, 1)
}

/// A q35-like machine: an ACPI 2.0 RSDP, an XSDT and an RSDT both listing
/// FACP, APIC and HPET, and `madt` as the APIC table.
pub fn machine_with(madt: Vec<u8>) -> FakeMemory {
    let mut memory = FakeMemory::default();
    memory.place(RSDP_ADDRESS, rsdp(2, RSDT_ADDRESS as u32, XSDT_ADDRESS));
    memory.place(XSDT_ADDRESS, xsdt(&[FADT_ADDRESS, MADT_ADDRESS, HPET_ADDRESS]));
    memory.place(RSDT_ADDRESS, rsdt(&[FADT_ADDRESS as u32, MADT_ADDRESS as u32, HPET_ADDRESS as u32]));
    memory.place(FADT_ADDRESS, table(b"FACP", &[0; 208]));
    memory.place(MADT_ADDRESS, madt);
    memory.place(HPET_ADDRESS, table(b"HPET", &[0; 20]));
    memory
}

/// [`machine_with`] QEMU q35's MADT for two CPUs.
pub fn q35_machine() -> FakeMemory {
    machine_with(q35_madt(2).build())
}
