//! The header every system description table shares, and its checksum.
//!
//! Apart from the RSDP, every ACPI table (XSDT, RSDT, MADT, FADT, HPET...)
//! opens with the same 36-byte header: a 4-character signature, the table's
//! total length, and a checksum byte chosen so that all `length` bytes sum
//! to zero (ACPI 6.5, 5.2.6 "System Description Table Header"). One reader
//! therefore serves them all: read the header, check the signature, read
//! `length` bytes, check the sum. Only then does a table-specific parser
//! such as [`crate::Madt`] see the bytes.
//!
//! The header is read first, on its own, because the length that says how
//! much more to read lives inside it.

use crate::bytes::{self, Ascii};
use crate::{Error, PhysicalMemory};
use core::fmt;

/// Size of the shared header; table-specific fields start at this offset.
pub const TABLE_HEADER_BYTES: usize = 36;

/// A table's 4-byte name, such as `APIC` for the MADT.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; 4]);

impl Signature {
    /// Multiple APIC Description Table: the interrupt controllers.
    pub const MADT: Signature = Signature(*b"APIC");
    /// Extended System Description Table: 64-bit root table (ACPI 2.0+).
    pub const XSDT: Signature = Signature(*b"XSDT");
    /// Root System Description Table: 32-bit root table (ACPI 1.0).
    pub const RSDT: Signature = Signature(*b"RSDT");
    /// Fixed ACPI Description Table (power management, the century byte).
    pub const FADT: Signature = Signature(*b"FACP");
    /// High Precision Event Timer table.
    pub const HPET: Signature = Signature(*b"HPET");
    /// PCI Express memory-mapped configuration space.
    pub const MCFG: Signature = Signature(*b"MCFG");
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ascii(&self.0).fmt(f)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature(\"{self}\")")
    }
}

/// The 36-byte header at the start of every table except the RSDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableHeader {
    pub signature: Signature,
    /// Length of the whole table in bytes, header included.
    pub length: u32,
    pub revision: u8,
    pub checksum: u8,
    pub oem_id: [u8; 6],
    pub oem_table_id: [u8; 8],
    pub oem_revision: u32,
    pub creator_id: [u8; 4],
    pub creator_revision: u32,
}

impl TableHeader {
    /// Decodes the first [`TABLE_HEADER_BYTES`] of `bytes`, or `None` when
    /// there are fewer. Checks nothing: that is [`Table`]'s job.
    pub fn parse(bytes: &[u8]) -> Option<TableHeader> {
        let header = bytes.get(..TABLE_HEADER_BYTES)?;
        Some(TableHeader {
            signature: Signature(bytes::array_at(header, 0)),
            length: bytes::u32_at(header, 4),
            revision: header[8],
            checksum: header[9],
            oem_id: bytes::array_at(header, 10),
            oem_table_id: bytes::array_at(header, 16),
            oem_revision: bytes::u32_at(header, 24),
            creator_id: bytes::array_at(header, 28),
            creator_revision: bytes::u32_at(header, 32),
        })
    }

    /// `length` as a byte count the slices can use.
    fn length_bytes(&self) -> usize {
        usize::try_from(self.length).unwrap_or(usize::MAX)
    }
}

/// A whole table whose length and checksum have been verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table<'a> {
    address: u64,
    header: TableHeader,
    bytes: &'a [u8],
}

impl<'a> Table<'a> {
    /// Reads the table at physical `address`. When `expected` is given, a
    /// different signature is an error before anything else is read.
    pub fn read<M>(memory: &'a M, address: u64, expected: Option<Signature>) -> Result<Table<'a>, Error>
    where
        M: PhysicalMemory + ?Sized,
    {
        let unreadable = |length| Error::TableUnreadable { address, length, expected };
        let header_bytes = crate::read_exact(memory, address, TABLE_HEADER_BYTES);
        let header = header_bytes.and_then(TableHeader::parse).ok_or(unreadable(TABLE_HEADER_BYTES))?;
        if let Some(expected) = expected.filter(|&expected| expected != header.signature) {
            return Err(Error::TableBadSignature { address, expected, found: header.signature });
        }
        check_length(address, &header, TABLE_HEADER_BYTES)?;
        let length = header.length_bytes();
        Table::from_bytes(address, crate::read_exact(memory, address, length).ok_or(unreadable(length))?)
    }

    /// Checks a table that is already in memory: `bytes` starts with the
    /// header and holds at least `length` bytes (any extra is ignored).
    /// `address` is only used in error messages.
    pub fn from_bytes(address: u64, bytes: &'a [u8]) -> Result<Table<'a>, Error> {
        let header = TableHeader::parse(bytes).ok_or(Error::TableUnreadable {
            address,
            length: TABLE_HEADER_BYTES,
            expected: None,
        })?;
        check_length(address, &header, TABLE_HEADER_BYTES)?;
        let length = header.length_bytes();
        let bytes = bytes.get(..length).ok_or(Error::TableUnreadable { address, length, expected: None })?;
        let sum = bytes::sum(bytes);
        if sum != 0 {
            return Err(Error::TableBadChecksum { address, signature: header.signature, length: header.length, sum });
        }
        Ok(Table { address, header, bytes })
    }

    /// Errors unless the table is signed `expected`.
    pub fn expect_signature(self, expected: Signature) -> Result<Table<'a>, Error> {
        match self.header.signature {
            found if found == expected => Ok(self),
            found => Err(Error::TableBadSignature { address: self.address, expected, found }),
        }
    }

    /// Errors unless the table is at least `minimum` bytes long.
    pub fn expect_length(self, minimum: usize) -> Result<Table<'a>, Error> {
        check_length(self.address, &self.header, minimum).map(|()| self)
    }

    pub fn address(&self) -> u64 {
        self.address
    }

    pub fn header(&self) -> &TableHeader {
        &self.header
    }

    pub fn signature(&self) -> Signature {
        self.header.signature
    }

    /// The whole table, header included: exactly `length` bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The table-specific part after the shared header.
    pub fn body(&self) -> &'a [u8] {
        self.bytes.get(TABLE_HEADER_BYTES..).unwrap_or(&[])
    }
}

fn check_length(address: u64, header: &TableHeader, minimum: usize) -> Result<(), Error> {
    if header.length_bytes() < minimum {
        return Err(Error::TableTooShort { address, signature: header.signature, length: header.length, minimum });
    }
    Ok(())
}
