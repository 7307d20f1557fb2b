//! Totals over the Limine memory map.
//!
//! Limine describes physical memory as a sorted list of regions, each with a
//! type. Rank 1 only reports how many regions there are and how much memory
//! is free to use; Rank 4's census and frame allocator build on the same
//! [`MemoryKind`] names.

use core::fmt;

/// The region types of the Limine protocol (PROTOCOL.md, "Memory Map
/// Feature"), numbered as the protocol numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryKind {
    Usable,
    Reserved,
    AcpiReclaimable,
    AcpiNvs,
    BadMemory,
    BootloaderReclaimable,
    ExecutableAndModules,
    Framebuffer,
    /// A number this kernel does not know; kept so nothing is silently lost.
    Unknown(u64),
}

impl MemoryKind {
    /// Every known kind, in protocol order.
    pub const ALL: [MemoryKind; 8] = [
        MemoryKind::Usable,
        MemoryKind::Reserved,
        MemoryKind::AcpiReclaimable,
        MemoryKind::AcpiNvs,
        MemoryKind::BadMemory,
        MemoryKind::BootloaderReclaimable,
        MemoryKind::ExecutableAndModules,
        MemoryKind::Framebuffer,
    ];

    pub fn from_protocol(number: u64) -> Self {
        match number {
            0 => Self::Usable,
            1 => Self::Reserved,
            2 => Self::AcpiReclaimable,
            3 => Self::AcpiNvs,
            4 => Self::BadMemory,
            5 => Self::BootloaderReclaimable,
            6 => Self::ExecutableAndModules,
            7 => Self::Framebuffer,
            other => Self::Unknown(other),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Usable => "usable",
            Self::Reserved => "reserved",
            Self::AcpiReclaimable => "ACPI reclaimable",
            Self::AcpiNvs => "ACPI NVS",
            Self::BadMemory => "bad memory",
            Self::BootloaderReclaimable => "bootloader reclaimable",
            Self::ExecutableAndModules => "kernel and modules",
            Self::Framebuffer => "framebuffer",
            Self::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for MemoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(number) => write!(f, "unknown type {number}"),
            known => f.write_str(known.name()),
        }
    }
}

/// Counts gathered in one pass over the map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryTotals {
    pub entries: usize,
    pub usable_bytes: u64,
    pub usable_entries: usize,
    /// One past the highest byte of any region: how far physical memory
    /// reaches, holes included.
    pub top_address: u64,
}

impl MemoryTotals {
    /// Totals over `(base, length, kind)` regions. Sums saturate instead of
    /// wrapping, so a corrupt map gives a visibly absurd number, not a
    /// plausible small one.
    pub fn over(regions: impl IntoIterator<Item = (u64, u64, MemoryKind)>) -> Self {
        let mut totals = Self::default();
        for (base, length, kind) in regions {
            totals.entries += 1;
            totals.top_address = totals.top_address.max(base.saturating_add(length));
            if kind == MemoryKind::Usable {
                totals.usable_entries += 1;
                totals.usable_bytes = totals.usable_bytes.saturating_add(length);
            }
        }
        totals
    }
}

/// Regions and bytes of one kind, for the Rank IV census.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindTotal {
    pub regions: usize,
    pub bytes: u64,
}

/// Totals per kind: one row per protocol type, plus one for any numbers
/// this kernel does not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub known: [KindTotal; 8],
    pub unknown: KindTotal,
}

impl Census {
    pub fn over(regions: impl IntoIterator<Item = (u64, u64, MemoryKind)>) -> Self {
        let mut census = Self::default();
        for (_, length, kind) in regions {
            let row = match MemoryKind::ALL.iter().position(|k| *k == kind) {
                Some(index) => &mut census.known[index],
                None => &mut census.unknown,
            };
            row.regions += 1;
            row.bytes = row.bytes.saturating_add(length);
        }
        census
    }

    /// The kinds that occur, in protocol order, with their totals.
    pub fn rows(&self) -> impl Iterator<Item = (MemoryKind, KindTotal)> + '_ {
        MemoryKind::ALL
            .iter()
            .zip(self.known)
            .filter(|(_, total)| total.regions > 0)
            .map(|(kind, total)| (*kind, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_census_totals_each_kind_and_keeps_unknown_ones() {
        let map = [
            (0x0, 0x9f000, MemoryKind::Usable),
            (0x9f000, 0x1000, MemoryKind::Reserved),
            (0x100000, 0x700000, MemoryKind::Usable),
            (0x800000, 0x8000, MemoryKind::Unknown(99)),
        ];
        let census = Census::over(map);
        let rows: Vec<_> = census.rows().collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], (MemoryKind::Usable, KindTotal { regions: 2, bytes: 0x79f000 }));
        assert_eq!(rows[1], (MemoryKind::Reserved, KindTotal { regions: 1, bytes: 0x1000 }));
        assert_eq!(census.unknown, KindTotal { regions: 1, bytes: 0x8000 });
    }

    #[test]
    fn counts_only_usable_regions_as_usable() {
        let map = [
            (0x0, 0x9f000, MemoryKind::Usable),
            (0x9f000, 0x1000, MemoryKind::Reserved),
            (0x100000, 0x700000, MemoryKind::Usable),
            (0x800000, 0x8000, MemoryKind::AcpiNvs),
            (0x808000, 0x100000, MemoryKind::BootloaderReclaimable),
        ];
        let totals = MemoryTotals::over(map);
        assert_eq!(totals.entries, 5);
        assert_eq!(totals.usable_entries, 2);
        assert_eq!(totals.usable_bytes, 0x9f000 + 0x700000);
        assert_eq!(totals.top_address, 0x908000);
    }

    #[test]
    fn an_empty_map_totals_zero() {
        assert_eq!(MemoryTotals::over([]), MemoryTotals::default());
    }

    #[test]
    fn saturates_instead_of_wrapping() {
        let map = [(0, u64::MAX, MemoryKind::Usable), (u64::MAX - 1, 10, MemoryKind::Usable)];
        let totals = MemoryTotals::over(map);
        assert_eq!(totals.usable_bytes, u64::MAX);
        assert_eq!(totals.top_address, u64::MAX);
    }

    #[test]
    fn protocol_numbers_round_trip_and_unknown_ones_are_kept() {
        for (number, kind) in MemoryKind::ALL.iter().enumerate() {
            assert_eq!(MemoryKind::from_protocol(number as u64), *kind);
        }
        assert_eq!(MemoryKind::from_protocol(42), MemoryKind::Unknown(42));
        assert_eq!(MemoryKind::Unknown(42).to_string(), "unknown type 42");
    }
}
