//! One MADT entry: a processor, an I/O APIC, an override, ...
//!
//! After its fixed fields the MADT is a packed list of "interrupt controller
//! structures", each opening with a type byte and a length byte (ACPI 6.5,
//! 5.2.12). A parser only needs to understand the types it uses:
//! every other one, including types added by future ACPI versions, is
//! stepped over by its length and reported as [`Entry::Other`]. For the
//! same reason a known entry may be longer than the fields listed here
//! (later revisions append fields); only a *shorter* one is an error.

use crate::bytes;
use crate::madt::flags::InterruptFlags;

const LOCAL_APIC: u8 = 0;
const IO_APIC: u8 = 1;
const INTERRUPT_SOURCE_OVERRIDE: u8 = 2;
const LOCAL_APIC_NMI: u8 = 4;
const LOCAL_APIC_ADDRESS_OVERRIDE: u8 = 5;
const LOCAL_X2APIC: u8 = 9;

/// Every entry starts with its type and its length.
pub(crate) const ENTRY_HEADER_BYTES: usize = 2;

/// Processor flags, bit 0: the processor is ready to use.
const PROCESSOR_ENABLED: u32 = 1 << 0;
/// Processor flags, bit 1: a disabled processor may be brought online
/// later (ACPI 6.3+). Meaningless when the enabled bit is set.
const PROCESSOR_ONLINE_CAPABLE: u32 = 1 << 1;

/// A CPU, from a Processor Local APIC (type 0, 8 bytes) or Processor Local
/// x2APIC (type 9, 16 bytes) entry. IDs above 254 need x2APIC mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Processor {
    /// Matches the processor's `_UID` in the ACPI namespace.
    pub processor_uid: u32,
    /// The ID its local APIC answers to: the target of an IPI.
    pub apic_id: u32,
    pub enabled: bool,
    pub online_capable: bool,
}

impl Processor {
    /// Whether the kernel may start this CPU, now or after hot-plug.
    pub fn is_usable(&self) -> bool {
        self.enabled || self.online_capable
    }
}

/// An I/O APIC (type 1, 12 bytes): it serves `gsi_base` and the GSIs
/// above it, as many as its version register says it has pins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoApic {
    pub io_apic_id: u8,
    /// Physical MMIO base of its two registers (IOREGSEL, IOWIN).
    pub address: u32,
    /// The Global System Interrupt its pin 0 delivers.
    pub gsi_base: u32,
}

/// An ISA IRQ that is not wired to the GSI of the same number, or not with
/// ISA's edge/active-high signalling (type 2, 10 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterruptSourceOverride {
    /// Always 0, meaning ISA.
    pub bus: u8,
    pub source_irq: u8,
    pub gsi: u32,
    pub flags: InterruptFlags,
}

/// Which local APIC LINT pin is wired to NMI (type 4, 6 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LocalApicNmi {
    /// A processor's UID, or [`LocalApicNmi::ALL_PROCESSORS`].
    pub processor_uid: u8,
    pub flags: InterruptFlags,
    /// 0 for LINT0, 1 for LINT1.
    pub lint: u8,
}

impl LocalApicNmi {
    pub const ALL_PROCESSORS: u8 = 0xff;
}

/// One decoded MADT entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    LocalApic(Processor),
    IoApic(IoApic),
    InterruptSourceOverride(InterruptSourceOverride),
    LocalApicNmi(LocalApicNmi),
    /// Type 5, 12 bytes: a 64-bit local APIC address replacing the 32-bit
    /// one in the MADT header.
    LocalApicAddressOverride {
        address: u64,
    },
    LocalX2Apic(Processor),
    /// A type this library does not decode; skipped by its length.
    Other {
        entry_type: u8,
        length: u8,
    },
}

impl Entry {
    /// Decodes one entry; `entry` is exactly its `length` bytes, type and
    /// length included. On a too-short entry returns the length it needs.
    pub(crate) fn parse(entry: &[u8]) -> Result<Entry, usize> {
        let entry_type = entry.first().copied().unwrap_or(0);
        let minimum = minimum_length(entry_type);
        if entry.len() < minimum {
            return Err(minimum);
        }
        // Field offsets as in ACPI 6.5, 5.2.12.2 to 5.2.12.12.
        let byte = |offset: usize| entry.get(offset).copied().unwrap_or(0);
        let word = |offset| bytes::u32_at(entry, offset);
        let flags = |offset| InterruptFlags::from_bits(bytes::u16_at(entry, offset));
        Ok(match entry_type {
            LOCAL_APIC => {
                let (processor_uid, apic_id, flags) = (u32::from(byte(2)), u32::from(byte(3)), word(4));
                Entry::LocalApic(processor(processor_uid, apic_id, flags))
            }
            IO_APIC => Entry::IoApic(IoApic { io_apic_id: byte(2), address: word(4), gsi_base: word(8) }),
            INTERRUPT_SOURCE_OVERRIDE => Entry::InterruptSourceOverride(InterruptSourceOverride {
                bus: byte(2),
                source_irq: byte(3),
                gsi: word(4),
                flags: flags(8),
            }),
            LOCAL_APIC_NMI => {
                Entry::LocalApicNmi(LocalApicNmi { processor_uid: byte(2), flags: flags(3), lint: byte(5) })
            }
            LOCAL_APIC_ADDRESS_OVERRIDE => Entry::LocalApicAddressOverride { address: bytes::u64_at(entry, 4) },
            LOCAL_X2APIC => {
                // Two reserved bytes first, and the UID last: not the type 0 order.
                let (apic_id, flags, processor_uid) = (word(4), word(8), word(12));
                Entry::LocalX2Apic(processor(processor_uid, apic_id, flags))
            }
            _ => Entry::Other { entry_type, length: byte(1) },
        })
    }
}

fn processor(processor_uid: u32, apic_id: u32, flags: u32) -> Processor {
    Processor {
        processor_uid,
        apic_id,
        enabled: flags & PROCESSOR_ENABLED != 0,
        online_capable: flags & PROCESSOR_ONLINE_CAPABLE != 0,
    }
}

/// The bytes an entry of this type must have for the fields above.
fn minimum_length(entry_type: u8) -> usize {
    match entry_type {
        LOCAL_APIC => 8,
        IO_APIC => 12,
        INTERRUPT_SOURCE_OVERRIDE => 10,
        LOCAL_APIC_NMI => 6,
        LOCAL_APIC_ADDRESS_OVERRIDE => 12,
        LOCAL_X2APIC => 16,
        _ => ENTRY_HEADER_BYTES,
    }
}

/// A readable name for an entry type, for error messages and logs.
pub fn entry_type_name(entry_type: u8) -> &'static str {
    match entry_type {
        LOCAL_APIC => "processor local APIC",
        IO_APIC => "I/O APIC",
        INTERRUPT_SOURCE_OVERRIDE => "interrupt source override",
        3 => "NMI source",
        LOCAL_APIC_NMI => "local APIC NMI",
        LOCAL_APIC_ADDRESS_OVERRIDE => "local APIC address override",
        6 => "I/O SAPIC",
        7 => "local SAPIC",
        8 => "platform interrupt sources",
        LOCAL_X2APIC => "processor local x2APIC",
        0xa => "local x2APIC NMI",
        0xb..=0xf => "ARM GIC structure",
        0x10 => "multiprocessor wakeup",
        _ => "unknown",
    }
}
