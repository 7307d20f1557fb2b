//! The ACPI tables, as far as testboot needs them: the RSDP for the RSDP
//! response, and the MADT's I/O APICs, which must be masked at hand-off.
//!
//! The RSDP comes from the UEFI configuration table, the ACPI 2.0 entry
//! preferred (it can reach the XSDT). The tables are read where the
//! firmware left them, through UEFI's identity map; `bootplan::acpi` does
//! the parsing.

use alloc::vec::Vec;

use bootplan::acpi;
use uefi::table::cfg::ConfigTableEntry;

/// Physical address of the RSDP, if the firmware published one.
pub fn find_rsdp() -> Option<u64> {
    uefi::system::with_config_table(|entries| {
        let address_of = |guid| entries.iter().find(|entry| entry.guid == guid).map(|entry| entry.address as u64);
        address_of(ConfigTableEntry::ACPI2_GUID).or_else(|| address_of(ConfigTableEntry::ACPI_GUID))
    })
}

/// MMIO bases of every I/O APIC the MADT lists (none without ACPI).
pub fn io_apics(rsdp: u64) -> Vec<u64> {
    let start = physical(rsdp, acpi::RSDP_V1_BYTES);
    let length = if acpi::rsdp_is_extended(start) { acpi::RSDP_V2_BYTES } else { acpi::RSDP_V1_BYTES };
    let Some(root) = acpi::root_table(physical(rsdp, length)) else { return Vec::new() };
    let Some(root_bytes) = whole_table(root.address) else { return Vec::new() };
    for table in acpi::root_entries(root_bytes, root.entry_bytes) {
        let Some(bytes) = whole_table(table) else { continue };
        if acpi::signature(bytes) == Some(*acpi::MADT_SIGNATURE) {
            return acpi::madt_io_apics(bytes).collect();
        }
    }
    Vec::new()
}

/// The table at `address`, sized by its own header.
fn whole_table(address: u64) -> Option<&'static [u8]> {
    if address == 0 {
        return None;
    }
    let length = acpi::table_length(physical(address, acpi::TABLE_HEADER_BYTES))?;
    Some(physical(address, length))
}

fn physical(address: u64, length: usize) -> &'static [u8] {
    // SAFETY: `address` comes from the firmware's configuration table or
    // from an ACPI table that points to another one, and `length` from the
    // table's own header: firmware-owned ACPI memory, identity-mapped and
    // never written while testboot runs. A bad firmware pointer could make
    // this read garbage, which the parsers then reject.
    unsafe { core::slice::from_raw_parts(address as *const u8, length) }
}
