//! The pure logic behind the kernel's boot summary.
//!
//! The kernel reads what Limine hands over through raw pointers; everything
//! it then *computes* from those values lives here, where `cargo test` runs
//! it on the host: splitting the command line into words and options,
//! totalling the memory map, and printing byte counts a person can read.
//! Keeping it out of the kernel means a mistake here shows up as a failing
//! test in a second, not as a wrong number after a five-second boot.
//!
//! Rank 1. The kernel's `boot` module is the only user.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod cmdline;
pub mod memmap;
pub mod size;

pub use cmdline::CommandLine;
pub use memmap::{Census, KindTotal, MemoryKind, MemoryTotals};
pub use size::Bytes;
