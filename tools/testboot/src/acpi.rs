//! The ACPI tables, as far as testboot needs them: the RSDP for the RSDP
//! response, and the MADT's I/O APICs, which must be masked at hand-off.
//!
//! The RSDP comes from the UEFI configuration table, the ACPI 2.0 entry
//! preferred (it can reach the XSDT). The tables are read where the
//! firmware left them, through UEFI's identity map; `libs/acpi` — the same
//! parser the kernel uses — does the reading, checksums included.

use alloc::vec::Vec;

use uefi::table::cfg::ConfigTableEntry;

/// Physical address of the RSDP, if the firmware published one.
pub fn find_rsdp() -> Option<u64> {
    uefi::system::with_config_table(|entries| {
        let address_of = |guid| entries.iter().find(|entry| entry.guid == guid).map(|entry| entry.address as u64);
        address_of(ConfigTableEntry::ACPI2_GUID).or_else(|| address_of(ConfigTableEntry::ACPI_GUID))
    })
}

/// Memory as UEFI maps it before exit: identity.
struct IdentityMap;

impl acpi::PhysicalMemory for IdentityMap {
    fn read(&self, address: u64, length: usize) -> Option<&[u8]> {
        if address == 0 || address.checked_add(length as u64).is_none() {
            return None;
        }
        // SAFETY: testboot runs before ExitBootServices, under the
        // firmware's identity map of all memory. The addresses come from the
        // firmware's configuration table and from ACPI tables pointing to
        // one another, and the parser only asks for lengths those tables
        // declare; the memory is firmware-owned and not written while
        // testboot runs. A bad pointer reads garbage that the checksums
        // then reject.
        Some(unsafe { core::slice::from_raw_parts(address as *const u8, length) })
    }
}

/// MMIO bases of every I/O APIC the MADT lists (none without ACPI, or
/// when the tables do not check out).
pub fn io_apics(rsdp: u64) -> Vec<u64> {
    let madt = acpi::Acpi::new(&IdentityMap, rsdp).and_then(|tables| tables.madt());
    match madt {
        Ok(madt) => madt.io_apics().iter().map(|io_apic| u64::from(io_apic.address)).collect(),
        Err(error) => {
            crate::log!("ACPI: {error}; no I/O APIC to mask");
            Vec::new()
        }
    }
}
