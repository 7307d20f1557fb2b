//! The memory census: what the bootloader says physical memory holds.

use bootinfo::{Bytes, Census};

use crate::boot::BootInfo;
use crate::kprintln;

/// One row per type present: regions and bytes (and a row for types this
/// kernel does not know, if any).
pub fn print(boot: &BootInfo) {
    let census =
        Census::over(boot.memory_map.iter().map(|entry| (entry.base, entry.length, crate::boot::memory_kind(entry))));
    kprintln!("  memory census ({} regions):", boot.memory_map.len());
    kprintln!("    {:<24}{:>8}{:>16}{:>12}", "type", "regions", "bytes", "");
    for (kind, total) in census.rows() {
        kprintln!("    {:<24}{:>8}{:>16}{:>12}", kind.name(), total.regions, total.bytes, Bytes(total.bytes));
    }
    if census.unknown.regions > 0 {
        let unknown = census.unknown;
        kprintln!("    {:<24}{:>8}{:>16}{:>12}", "unknown types", unknown.regions, unknown.bytes, Bytes(unknown.bytes));
    }
}
