//! The root table: the XSDT or RSDT listing every other table's address.
//!
//! After the 36-byte header, a root table is nothing but an array of
//! physical addresses: 64-bit in the XSDT (ACPI 2.0+), 32-bit in the RSDT
//! (ACPI 1.0). Tables are found by walking that array and comparing each
//! header's signature (ACPI 6.5, 5.2.7 and 5.2.8). Firmware usually offers
//! both roots with the same contents; the XSDT is preferred because its
//! entries can point above 4 GiB, and the RSDT is the fallback for ACPI 1.0
//! machines and for 2.0+ ones that leave the XSDT address zero.
//!
//! Entries are not sorted and there is no index: a linear scan of a dozen
//! headers is the whole algorithm.

use crate::bytes;
use crate::table::{Signature, TABLE_HEADER_BYTES, Table, TableHeader};
use crate::{Error, PhysicalMemory, Rsdp};
use core::fmt;

/// Which root table the RSDP led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootKind {
    /// Extended System Description Table: 8-byte entries.
    Xsdt,
    /// Root System Description Table: 4-byte entries.
    Rsdt,
}

impl RootKind {
    pub fn signature(self) -> Signature {
        match self {
            Self::Xsdt => Signature::XSDT,
            Self::Rsdt => Signature::RSDT,
        }
    }

    /// Width of one table address in this root table.
    pub fn entry_bytes(self) -> usize {
        match self {
            Self::Xsdt => 8,
            Self::Rsdt => 4,
        }
    }
}

impl fmt::Display for RootKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.signature().fmt(f)
    }
}

/// A verified XSDT or RSDT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootTable<'a> {
    kind: RootKind,
    table: Table<'a>,
}

impl<'a> RootTable<'a> {
    /// Reads the root table `rsdp` points to, checking its signature and
    /// checksum.
    pub fn read<M: PhysicalMemory + ?Sized>(memory: &'a M, rsdp: &Rsdp) -> Result<RootTable<'a>, Error> {
        let (kind, address) = rsdp.root_table().ok_or(Error::RsdpNoRootTable { address: rsdp.address })?;
        let table = Table::read(memory, address, Some(kind.signature()))?;
        Ok(RootTable { kind, table })
    }

    pub fn kind(&self) -> RootKind {
        self.kind
    }

    pub fn table(&self) -> &Table<'a> {
        &self.table
    }

    /// The physical address of every table listed, in firmware order. A
    /// trailing fragment shorter than one entry is ignored.
    pub fn table_addresses(&self) -> impl Iterator<Item = u64> + 'a {
        let entry_bytes = self.kind.entry_bytes();
        self.table.body().chunks_exact(entry_bytes).map(move |entry| match entry_bytes {
            8 => bytes::u64_at(entry, 0),
            _ => u64::from(bytes::u32_at(entry, 0)),
        })
    }

    /// The first listed table signed `signature`, verified whole.
    ///
    /// Null entries are skipped. So are entries whose header cannot be read,
    /// since one odd table should not hide the others; but if the search
    /// then fails, the unreadable entry is reported instead of "not found",
    /// because it may have been the table being looked for.
    pub fn find<M: PhysicalMemory + ?Sized>(&self, memory: &'a M, signature: Signature) -> Result<Table<'a>, Error> {
        let mut first_unreadable = None;
        for address in self.table_addresses().filter(|&address| address != 0) {
            let header = crate::read_exact(memory, address, TABLE_HEADER_BYTES).and_then(TableHeader::parse);
            match header {
                Some(header) if header.signature == signature => {
                    return Table::read(memory, address, Some(signature));
                }
                Some(_) => {}
                None => {
                    first_unreadable.get_or_insert(Error::TableUnreadable {
                        address,
                        length: TABLE_HEADER_BYTES,
                        expected: None,
                    });
                }
            }
        }
        Err(first_unreadable.unwrap_or(Error::TableNotFound { signature, root: self.kind }))
    }
}
