//! Reads just enough ACPI to find the I/O APICs testboot must mask.
//!
//! Limine hands over with legacy PIC and I/O APIC interrupts masked
//! (PROTOCOL.md, "Machine state at entry / x86-64"). The I/O APICs are only
//! listed in the MADT, reached from the RSDP through the XSDT (ACPI 2.0+)
//! or the RSDT (ACPI 6.5, 5.2.5 "Root System Description Pointer", 5.2.12
//! "Multiple APIC Description Table"). These functions parse byte slices;
//! testboot reads the tables out of physical memory and calls them.

#[cfg(test)]
mod tests;

/// Every system description table starts with this 36-byte header.
pub const TABLE_HEADER_BYTES: usize = 36;
/// An ACPI 1.0 RSDP; 2.0 and later ones are 36 bytes.
pub const RSDP_V1_BYTES: usize = 20;
pub const RSDP_V2_BYTES: usize = 36;

const RSDP_SIGNATURE: &[u8; 8] = b"RSD PTR ";
/// The MADT's signature.
pub const MADT_SIGNATURE: &[u8; 4] = b"APIC";
/// MADT interrupt controller structures begin after the header, the local
/// APIC address and the flags.
const MADT_ENTRIES_OFFSET: usize = 44;
const MADT_IO_APIC: u8 = 1;

/// Where the root table lives and how wide its pointers are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootTable {
    pub address: u64,
    /// 8 for the XSDT, 4 for the RSDT.
    pub entry_bytes: usize,
}

/// The root table an RSDP points to: the XSDT when the RSDP is revision 2
/// or later and has one, else the RSDT. `rsdp` holds at least
/// [`RSDP_V1_BYTES`]; pass [`RSDP_V2_BYTES`] when the revision allows.
pub fn root_table(rsdp: &[u8]) -> Option<RootTable> {
    if rsdp.len() < RSDP_V1_BYTES || &rsdp[..8] != RSDP_SIGNATURE {
        return None;
    }
    let revision = rsdp[15];
    if revision >= 2 && rsdp.len() >= RSDP_V2_BYTES {
        let xsdt = u64_at(rsdp, 24);
        if xsdt != 0 {
            return Some(RootTable { address: xsdt, entry_bytes: 8 });
        }
    }
    let rsdt = u64::from(u32_at(rsdp, 16));
    (rsdt != 0).then_some(RootTable { address: rsdt, entry_bytes: 4 })
}

/// Whether an RSDP of this revision (byte 15) is the 36-byte kind.
pub fn rsdp_is_extended(rsdp_start: &[u8]) -> bool {
    rsdp_start.get(15).is_some_and(|&revision| revision >= 2)
}

/// A table's total length from its header, if the header is whole.
pub fn table_length(header: &[u8]) -> Option<usize> {
    let length = usize::try_from(u32_at(header.get(..TABLE_HEADER_BYTES)?, 4)).ok()?;
    (length >= TABLE_HEADER_BYTES).then_some(length)
}

/// A table's 4-byte signature, if the header is whole.
pub fn signature(header: &[u8]) -> Option<[u8; 4]> {
    let header = header.get(..TABLE_HEADER_BYTES)?;
    Some([header[0], header[1], header[2], header[3]])
}

/// The table addresses listed in a whole XSDT or RSDT.
pub fn root_entries(root: &[u8], entry_bytes: usize) -> impl Iterator<Item = u64> + '_ {
    root.get(TABLE_HEADER_BYTES..)
        .unwrap_or(&[])
        .chunks_exact(entry_bytes)
        .map(move |entry| if entry_bytes == 8 { u64_at(entry, 0) } else { u64::from(u32_at(entry, 0)) })
}

/// The MMIO base of every I/O APIC a whole MADT lists.
pub fn madt_io_apics(madt: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let mut offset = MADT_ENTRIES_OFFSET;
    core::iter::from_fn(move || {
        loop {
            let kind = *madt.get(offset)?;
            let length = usize::from(*madt.get(offset + 1)?);
            let entry = madt.get(offset..offset + length.max(2))?;
            if length < 2 {
                return None; // a zero length would loop forever: stop here
            }
            offset += length;
            if kind == MADT_IO_APIC && entry.len() >= 8 {
                return Some(u64::from(u32_at(entry, 4)));
            }
        }
    })
}

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(word)
}

fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[offset..offset + 8]);
    u64::from_le_bytes(word)
}
