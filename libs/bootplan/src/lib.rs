//! The decisions `tools/testboot` makes, kept apart from the firmware calls.
//!
//! testboot is a small UEFI program that boots MinimalOS the way Limine 8.2
//! does (Limine PROTOCOL.md, base revisions 0–2) so that tests can boot the
//! kernel where Limine cannot be downloaded. Everything it decides without
//! touching hardware lives here, where `cargo test -p bootplan` checks it on
//! the host: reading `limine.conf`, turning the kernel ELF into a load plan,
//! finding the kernel's requests, and turning the UEFI memory map into
//! Limine's. (The ACPI tables it reads to mask the I/O APICs are parsed by
//! `libs/acpi`, the kernel's own parser.)
//!
//! A library rather than testboot modules because a UEFI binary cannot run
//! `cargo test`; the firmware side (`tools/testboot`) stays a thin layer of
//! `unsafe` calls around these plans.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod config;
pub mod elf;
pub mod memory_map;
pub mod requests;

pub use config::{BootEntry, Config, ConfigError, ModuleEntry};
pub use elf::{ElfError, LoadPlan, Segment};
pub use memory_map::{FirmwareRegion, MapError, MemoryKind, MemoryRegion};
pub use requests::{RequestScan, ScanError};

/// Size of the pages testboot allocates and maps (x86-64 base page).
pub const PAGE_SIZE: u64 = 4096;

/// Rounds `value` down to a multiple of `align` (a power of two).
pub const fn align_down(value: u64, align: u64) -> u64 {
    value & !(align - 1)
}

/// Rounds `value` up to a multiple of `align` (a power of two), or `None`
/// when that would pass `u64::MAX`.
pub const fn align_up(value: u64, align: u64) -> Option<u64> {
    match value.checked_add(align - 1) {
        Some(sum) => Some(sum & !(align - 1)),
        None => None,
    }
}
