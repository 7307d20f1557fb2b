//! Finds the interrupt controllers by reading the firmware's ACPI tables.
//!
//! Firmware describes the machine in ACPI tables in physical memory: the
//! RSDP (whose address Limine reports) points at a root table, the root
//! table lists the others, and one of those, the MADT, names the CPUs'
//! local APICs and the I/O APICs that replace the 8259 PICs:
//!
//! ```text
//! RSDP ──► XSDT (or RSDT) ──► "APIC" (MADT) ──► CPUs, I/O APICs, IRQ overrides
//!                        └──► "FACP", "HPET", "MCFG", ...
//! ```
//!
//! The library never touches memory itself: it asks a [`PhysicalMemory`]
//! for byte slices. The kernel implements that trait over its direct map
//! (the one `unsafe` slice lives there); tests implement it over a `Vec`.
//! This keeps every pointer out of the parser, so the parser is safe Rust
//! that `cargo test` can feed corrupt tables, and treats every byte as
//! untrusted: checksums are verified, lengths are bounded, and a bad table
//! becomes an [`Error`], never a panic or an endless loop. Nothing here
//! allocates, because the kernel has no heap yet when it needs these answers.
//!
//! Rank III. The kernel's `interrupts` module calls [`Acpi::new`] and
//! [`Acpi::madt`]; everything else is public for logging and for later ranks.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod bounded;
mod bytes;
mod error;
pub mod madt;
mod root;
mod rsdp;
mod table;

#[cfg(test)]
mod tests;

pub use error::Error;
pub use madt::{Entry, InterruptFlags, IrqRoute, Madt, Polarity, Trigger, Truncation};
pub use madt::{InterruptSourceOverride, IoApic, LocalApicNmi, Processor};
pub use root::{RootKind, RootTable};
pub use rsdp::{RSDP_V1_BYTES, RSDP_V2_BYTES, Rsdp, RsdpChecksum};
pub use table::{Signature, TABLE_HEADER_BYTES, Table, TableHeader};

/// The seam between the parser and physical memory.
pub trait PhysicalMemory {
    /// `length` bytes at physical address `address`, or `None` if unreadable.
    fn read(&self, address: u64, length: usize) -> Option<&[u8]>;
}

/// Exactly `length` bytes, even from an implementation that returns more
/// (or, wrongly, fewer) than it was asked for.
fn read_exact<M: PhysicalMemory + ?Sized>(memory: &M, address: u64, length: usize) -> Option<&[u8]> {
    memory.read(address, length)?.get(..length)
}

/// The verified RSDP and root table, ready to look tables up.
pub struct Acpi<'a, M: PhysicalMemory + ?Sized> {
    memory: &'a M,
    rsdp: Rsdp,
    root: RootTable<'a>,
}

impl<'a, M: PhysicalMemory + ?Sized> Acpi<'a, M> {
    /// Verifies the RSDP at physical `rsdp_address` and the root table it
    /// points to (the XSDT if present, else the RSDT).
    pub fn new(memory: &'a M, rsdp_address: u64) -> Result<Acpi<'a, M>, Error> {
        let rsdp = Rsdp::read(memory, rsdp_address)?;
        let root = RootTable::read(memory, &rsdp)?;
        Ok(Acpi { memory, rsdp, root })
    }

    pub fn rsdp(&self) -> &Rsdp {
        &self.rsdp
    }

    pub fn root(&self) -> &RootTable<'a> {
        &self.root
    }

    /// The first table signed `signature`, with its checksum verified.
    pub fn find_table(&self, signature: Signature) -> Result<Table<'a>, Error> {
        self.root.find(self.memory, signature)
    }

    /// Finds, verifies and condenses the MADT.
    pub fn madt(&self) -> Result<Madt, Error> {
        Madt::parse(&self.find_table(Signature::MADT)?)
    }
}
