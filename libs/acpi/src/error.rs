//! Everything that can be wrong with the tables, said in one line each.
//!
//! Firmware tables are input like any other: they can be corrupt, truncated
//! or simply absent, and a kernel that finds its interrupt controllers this
//! way must explain on serial *which* table broke and *how*, then fall back
//! (to the 8259 PICs) or stop. So every variant names the table, its
//! physical address or the offset inside it, and the rule it broke. The
//! kernel prints one with `{}`; tests match on the variant.

use crate::bytes::Ascii;
use crate::madt::entry_type_name;
use crate::{RootKind, RsdpChecksum, Signature};
use core::fmt;

/// Why reading the ACPI tables failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The memory seam could not provide `length` bytes of the RSDP.
    RsdpUnreadable { address: u64, length: usize },
    /// The first 8 bytes are not `"RSD PTR "`: Limine's address is wrong.
    RsdpBadSignature { address: u64, found: [u8; 8] },
    /// One of the RSDP's two checksums does not sum to zero.
    RsdpBadChecksum { address: u64, checksum: RsdpChecksum },
    /// A revision 2+ RSDP whose length is smaller than its own fields.
    RsdpBadLength { address: u64, length: u32 },
    /// The RSDP's XSDT and RSDT addresses are both zero.
    RsdpNoRootTable { address: u64 },
    /// The memory seam could not provide `length` bytes of a table.
    TableUnreadable { address: u64, length: usize, expected: Option<Signature> },
    /// The table at `address` is not the one that was asked for.
    TableBadSignature { address: u64, expected: Signature, found: Signature },
    /// The table's `length` bytes do not sum to zero.
    TableBadChecksum { address: u64, signature: Signature, length: u32, sum: u8 },
    /// The table's length field is smaller than its fixed fields.
    TableTooShort { address: u64, signature: Signature, length: u32, minimum: usize },
    /// No table with this signature is listed in the root table.
    TableNotFound { signature: Signature, root: RootKind },
    /// An entry claims length 0; stepping by it would loop forever.
    MadtEntryZeroLength { offset: usize, entry_type: u8 },
    /// An entry is shorter than the fields of its type.
    MadtEntryTooShort { offset: usize, entry_type: u8, length: u8, minimum: usize },
    /// An entry runs past the end of the MADT.
    MadtEntryOverrun { offset: usize, entry_type: u8, needed: usize, remaining: usize },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::RsdpUnreadable { address, length } => {
                write!(f, "RSDP at {address:#x}: cannot read {length} bytes there")
            }
            Self::RsdpBadSignature { address, found } => {
                write!(f, "RSDP at {address:#x}: signature is \"{}\", expected \"RSD PTR \"", Ascii(&found))
            }
            Self::RsdpBadChecksum { address, checksum: RsdpChecksum::Original } => {
                write!(f, "RSDP at {address:#x}: bad checksum: the first 20 bytes do not sum to zero")
            }
            Self::RsdpBadChecksum { address, checksum: RsdpChecksum::Extended { length } } => {
                write!(f, "RSDP at {address:#x}: bad extended checksum: its {length} bytes do not sum to zero")
            }
            Self::RsdpBadLength { address, length } => {
                write!(f, "RSDP at {address:#x}: length is {length}, but a revision 2+ RSDP has at least 36 bytes")
            }
            Self::RsdpNoRootTable { address } => {
                write!(f, "RSDP at {address:#x}: neither an XSDT nor an RSDT address is set")
            }
            Self::TableUnreadable { address, length, expected: Some(signature) } => {
                write!(f, "{signature} at {address:#x}: cannot read {length} bytes there")
            }
            Self::TableUnreadable { address, length, expected: None } => {
                write!(f, "ACPI table at {address:#x}: cannot read {length} bytes there")
            }
            Self::TableBadSignature { address, expected, found } => {
                write!(f, "{expected} at {address:#x}: signature is \"{found}\", expected \"{expected}\"")
            }
            Self::TableBadChecksum { address, signature, length, sum } => {
                write!(f, "{signature} at {address:#x}: bad checksum: its {length} bytes sum to {sum:#04x}, not 0")
            }
            Self::TableTooShort { address, signature, length, minimum } => {
                write!(f, "{signature} at {address:#x}: length is {length}, but this table needs at least {minimum}")
            }
            Self::TableNotFound { signature, root } => {
                write!(f, "no \"{signature}\" table is listed in the {root}")
            }
            Self::MadtEntryZeroLength { offset, entry_type } => {
                let name = entry_type_name(entry_type);
                write!(f, "MADT entry at offset {offset} ({name}, type {entry_type}): length is 0")
            }
            Self::MadtEntryTooShort { offset, entry_type, length, minimum } => {
                let name = entry_type_name(entry_type);
                write!(f, "MADT entry at offset {offset} ({name}, type {entry_type}): ")?;
                write!(f, "length is {length}, but this type needs at least {minimum}")
            }
            Self::MadtEntryOverrun { offset, entry_type, needed, remaining } => {
                let name = entry_type_name(entry_type);
                write!(f, "MADT entry at offset {offset} ({name}, type {entry_type}): ")?;
                write!(f, "needs {needed} bytes, but the table ends after {remaining}")
            }
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsdp_checksum_messages_say_which_checksum_failed() {
        let original = Error::RsdpBadChecksum { address: 0xf5a40, checksum: RsdpChecksum::Original };
        assert_eq!(original.to_string(), "RSDP at 0xf5a40: bad checksum: the first 20 bytes do not sum to zero");
        let extended = Error::RsdpBadChecksum { address: 0xf5a40, checksum: RsdpChecksum::Extended { length: 36 } };
        assert_eq!(extended.to_string(), "RSDP at 0xf5a40: bad extended checksum: its 36 bytes do not sum to zero");
    }

    #[test]
    fn table_messages_name_the_table_and_its_address() {
        let error = Error::TableBadChecksum { address: 0x7fe1000, signature: Signature::MADT, length: 120, sum: 1 };
        assert_eq!(error.to_string(), "APIC at 0x7fe1000: bad checksum: its 120 bytes sum to 0x01, not 0");
        let error = Error::TableNotFound { signature: Signature::HPET, root: RootKind::Rsdt };
        assert_eq!(error.to_string(), "no \"HPET\" table is listed in the RSDT");
    }

    #[test]
    fn a_garbage_signature_prints_escaped_on_one_line() {
        let error = Error::RsdpBadSignature { address: 0x1000, found: *b"RSD\0PTR\n" };
        assert_eq!(error.to_string(), "RSDP at 0x1000: signature is \"RSD\\x00PTR\\x0a\", expected \"RSD PTR \"");
    }

    #[test]
    fn madt_entry_messages_give_offset_type_and_name() {
        let error = Error::MadtEntryOverrun { offset: 44, entry_type: 1, needed: 12, remaining: 8 };
        assert_eq!(
            error.to_string(),
            "MADT entry at offset 44 (I/O APIC, type 1): needs 12 bytes, but the table ends after 8"
        );
        let error = Error::MadtEntryZeroLength { offset: 52, entry_type: 0x7f };
        assert_eq!(error.to_string(), "MADT entry at offset 52 (unknown, type 127): length is 0");
    }
}
