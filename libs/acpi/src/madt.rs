//! The MADT: which CPUs and interrupt controllers the machine has.
//!
//! The Multiple APIC Description Table (signature `APIC`; ACPI 6.5, 5.2.12)
//! is where a kernel leaving the 8259 PICs behind learns where each local
//! APIC and I/O APIC lives, and how ISA IRQs map onto the I/O APIC's
//! Global System Interrupts. Its fixed part is the 36-byte header, the
//! 32-bit local APIC address and a flags word; a list of typed entries
//! follows ([`Entries`]).
//!
//! [`Madt`] condenses that list into fixed-capacity arrays, because at
//! Rank III the kernel has no heap. Entries beyond a capacity are counted in
//! [`Truncation`] rather than failing the parse: a kernel that can drive 64
//! CPUs should still boot on a machine with 65, and say so. Callers who want
//! every entry, in order, walk [`Madt::entries`] instead.
//!
//! Rank III. The kernel's `interrupts` module programs the APICs from this.

mod entries;
mod entry;
mod flags;

pub use entries::Entries;
pub use entry::{Entry, InterruptSourceOverride, IoApic, LocalApicNmi, Processor, entry_type_name};
pub use flags::{InterruptFlags, Polarity, Trigger};

use crate::bounded::BoundedList;
use crate::{Error, Signature, Table, bytes, table::TABLE_HEADER_BYTES};

pub const MAX_PROCESSORS: usize = 64;
pub const MAX_IO_APICS: usize = 8;
pub const MAX_INTERRUPT_OVERRIDES: usize = 16;
pub const MAX_LOCAL_APIC_NMIS: usize = 8;

/// The fixed fields after the header, then the first entry.
const LOCAL_APIC_ADDRESS_OFFSET: usize = TABLE_HEADER_BYTES;
const FLAGS_OFFSET: usize = TABLE_HEADER_BYTES + 4;
const FIRST_ENTRY_OFFSET: usize = TABLE_HEADER_BYTES + 8;
/// MADT flags bit 0: the machine also has dual 8259 PICs, which must be
/// masked before the I/O APIC takes over.
const PCAT_COMPAT: u32 = 1 << 0;

/// Where an ISA IRQ arrives and how it signals: what an I/O APIC
/// redirection entry needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqRoute {
    pub gsi: u32,
    /// Never `Conforming` or `Reserved`: already resolved for ISA.
    pub polarity: Polarity,
    /// Never `Conforming` or `Reserved`: already resolved for ISA.
    pub trigger: Trigger,
}

/// How many entries of each kind did not fit their array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Truncation {
    pub processors: usize,
    pub io_apics: usize,
    pub interrupt_overrides: usize,
    pub local_apic_nmis: usize,
}

impl Truncation {
    pub fn is_none(&self) -> bool {
        *self == Truncation::default()
    }
}

/// The MADT, condensed. Unknown entry types are skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Madt {
    local_apic_address: u64,
    flags: u32,
    processors: BoundedList<Processor, MAX_PROCESSORS>,
    io_apics: BoundedList<IoApic, MAX_IO_APICS>,
    interrupt_overrides: BoundedList<InterruptSourceOverride, MAX_INTERRUPT_OVERRIDES>,
    local_apic_nmis: BoundedList<LocalApicNmi, MAX_LOCAL_APIC_NMIS>,
}

impl Madt {
    /// Condenses a verified MADT; fails on the first malformed entry.
    pub fn parse(table: &Table<'_>) -> Result<Madt, Error> {
        let entries = Madt::entries(table)?;
        let fixed = table.bytes();
        let mut madt = Madt {
            local_apic_address: u64::from(bytes::u32_at(fixed, LOCAL_APIC_ADDRESS_OFFSET)),
            flags: bytes::u32_at(fixed, FLAGS_OFFSET),
            processors: BoundedList::new(),
            io_apics: BoundedList::new(),
            interrupt_overrides: BoundedList::new(),
            local_apic_nmis: BoundedList::new(),
        };
        for entry in entries {
            match entry? {
                Entry::LocalApic(processor) | Entry::LocalX2Apic(processor) => madt.processors.push(processor),
                Entry::IoApic(io_apic) => madt.io_apics.push(io_apic),
                Entry::InterruptSourceOverride(source_override) => madt.interrupt_overrides.push(source_override),
                Entry::LocalApicNmi(nmi) => madt.local_apic_nmis.push(nmi),
                Entry::LocalApicAddressOverride { address } => madt.local_apic_address = address,
                Entry::Other { .. } => {}
            }
        }
        Ok(madt)
    }

    /// Every entry of a verified MADT, in table order, for callers that
    /// want more than the summary (or want to log each entry).
    pub fn entries<'a>(table: &Table<'a>) -> Result<Entries<'a>, Error> {
        let table = table.expect_signature(Signature::MADT)?.expect_length(FIRST_ENTRY_OFFSET)?;
        Ok(Entries::new(table.bytes(), FIRST_ENTRY_OFFSET))
    }

    /// Physical address of every CPU's local APIC registers: the header's
    /// 32-bit field, unless a Local APIC Address Override replaced it.
    pub fn local_apic_address(&self) -> u64 {
        self.local_apic_address
    }

    /// Whether the legacy 8259 PICs are present (and so must be masked).
    pub fn has_legacy_pics(&self) -> bool {
        self.flags & PCAT_COMPAT != 0
    }

    /// Local APIC and x2APIC entries, in table order (the boot CPU is
    /// usually first, but the spec does not promise it).
    pub fn processors(&self) -> &[Processor] {
        self.processors.as_slice()
    }

    pub fn io_apics(&self) -> &[IoApic] {
        self.io_apics.as_slice()
    }

    pub fn interrupt_overrides(&self) -> &[InterruptSourceOverride] {
        self.interrupt_overrides.as_slice()
    }

    pub fn local_apic_nmis(&self) -> &[LocalApicNmi] {
        self.local_apic_nmis.as_slice()
    }

    /// Entries dropped because an array was full.
    pub fn truncation(&self) -> Truncation {
        Truncation {
            processors: self.processors.dropped(),
            io_apics: self.io_apics.dropped(),
            interrupt_overrides: self.interrupt_overrides.dropped(),
            local_apic_nmis: self.local_apic_nmis.dropped(),
        }
    }

    /// Where ISA `irq` arrives. Without an override, ISA IRQs are identity
    /// mapped onto GSIs and signal edge, active-high (ACPI 6.5, 5.2.12.5);
    /// an override may move the IRQ (QEMU sends the PIT's IRQ 0 to GSI 2)
    /// or change its signalling (QEMU's IRQ 9 SCI is level). The first
    /// override for `irq` wins.
    pub fn irq_to_gsi(&self, irq: u8) -> IrqRoute {
        let source_override = self.interrupt_overrides().iter().find(|entry| entry.source_irq == irq);
        let (gsi, flags) = match source_override {
            Some(entry) => (entry.gsi, entry.flags),
            None => (u32::from(irq), InterruptFlags::default()),
        };
        let flags = flags.resolved_for_isa();
        IrqRoute { gsi, polarity: flags.polarity, trigger: flags.trigger }
    }
}
