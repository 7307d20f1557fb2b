//! The Root System Description Pointer: where the ACPI tables begin.
//!
//! The RSDP is the one ACPI structure found by address rather than by
//! signature in a list: Limine hands the kernel its physical address. It is
//! not a table with the shared header; it has its own layout and grew once
//! (ACPI 6.5, 5.2.5.3 "Root System Description Pointer Structure"):
//!
//! ```text
//! ACPI 1.0, revision 0, 20 bytes      ACPI 2.0+, revision >= 2, adds
//!  0  "RSD PTR "  signature            20  length (u32, >= 36)
//!  8  checksum    first 20 bytes sum 0 24  XSDT address (u64)
//!  9  OEM id      6 bytes              32  extended checksum: `length` sum 0
//! 15  revision                         33  reserved, 3 bytes
//! 16  RSDT address (u32)
//! ```
//!
//! So the reader looks at 20 bytes first, and only reads further once the
//! revision says there is more. Both checksums must hold: the first keeps
//! ACPI 1.0 software working, the second covers the fields 2.0 added.

use crate::bytes;
use crate::root::RootKind;
use crate::{Error, PhysicalMemory};

/// Size of an ACPI 1.0 RSDP, and the span of its checksum.
pub const RSDP_V1_BYTES: usize = 20;
/// Smallest ACPI 2.0+ RSDP; its `length` field may claim more.
pub const RSDP_V2_BYTES: usize = 36;
/// Revisions from this one on have the extended fields.
const FIRST_EXTENDED_REVISION: u8 = 2;
const RSDP_SIGNATURE: [u8; 8] = *b"RSD PTR ";

/// Which of the RSDP's two checksums failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsdpChecksum {
    /// The ACPI 1.0 checksum over the first 20 bytes.
    Original,
    /// The ACPI 2.0+ checksum over all `length` bytes.
    Extended { length: u32 },
}

/// A verified RSDP, reduced to what locating the root table needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rsdp {
    /// Where it was read from (physical).
    pub address: u64,
    /// 0 for ACPI 1.0; 2 or more for ACPI 2.0 and later.
    pub revision: u8,
    pub oem_id: [u8; 6],
    pub rsdt_address: u32,
    /// `None` for ACPI 1.0, and for a 2.0+ RSDP whose XSDT field is zero.
    pub xsdt_address: Option<u64>,
}

impl Rsdp {
    /// Reads and verifies the RSDP at physical `address`.
    pub fn read<M: PhysicalMemory + ?Sized>(memory: &M, address: u64) -> Result<Rsdp, Error> {
        let unreadable = |length| Error::RsdpUnreadable { address, length };

        // The ACPI 1.0 part: present in every revision.
        let original = crate::read_exact(memory, address, RSDP_V1_BYTES).ok_or(unreadable(RSDP_V1_BYTES))?;
        let signature: [u8; 8] = bytes::array_at(original, 0);
        if signature != RSDP_SIGNATURE {
            return Err(Error::RsdpBadSignature { address, found: signature });
        }
        if bytes::sum(original) != 0 {
            return Err(Error::RsdpBadChecksum { address, checksum: RsdpChecksum::Original });
        }
        let mut rsdp = Rsdp {
            address,
            revision: original[15],
            oem_id: bytes::array_at(original, 9),
            rsdt_address: bytes::u32_at(original, 16),
            xsdt_address: None,
        };
        if rsdp.revision < FIRST_EXTENDED_REVISION {
            return Ok(rsdp);
        }

        // The ACPI 2.0+ part: its own length, checksum and XSDT address.
        let extended = crate::read_exact(memory, address, RSDP_V2_BYTES).ok_or(unreadable(RSDP_V2_BYTES))?;
        let length = bytes::u32_at(extended, 20);
        let length_bytes = usize::try_from(length).unwrap_or(usize::MAX);
        if length_bytes < RSDP_V2_BYTES {
            return Err(Error::RsdpBadLength { address, length });
        }
        let whole = crate::read_exact(memory, address, length_bytes).ok_or(unreadable(length_bytes))?;
        if bytes::sum(whole) != 0 {
            return Err(Error::RsdpBadChecksum { address, checksum: RsdpChecksum::Extended { length } });
        }
        rsdp.xsdt_address = Some(bytes::u64_at(whole, 24)).filter(|&xsdt| xsdt != 0);
        Ok(rsdp)
    }

    /// The root table to walk: the XSDT when there is one, since its 64-bit
    /// entries can reach tables above 4 GiB, else the RSDT. `None` when
    /// both addresses are zero.
    pub fn root_table(&self) -> Option<(RootKind, u64)> {
        match self.xsdt_address {
            Some(xsdt) => Some((RootKind::Xsdt, xsdt)),
            None if self.rsdt_address != 0 => Some((RootKind::Rsdt, u64::from(self.rsdt_address))),
            None => None,
        }
    }
}
