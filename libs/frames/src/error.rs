//! What the frame bitmap refuses to do, and why, in words.
//!
//! Every refusal leaves the bitmap exactly as it was: a bad `free` is a bug
//! in the caller, and the allocator must stay trustworthy for everyone else.
//! Each error carries the address involved, printed in hex as physical
//! addresses are everywhere else in the kernel's reports.

use crate::FRAME_BYTES;
use core::fmt;

/// Why [`FrameBitmap::free`](crate::FrameBitmap::free) refused an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreeError {
    /// The address is not a multiple of [`FRAME_BYTES`].
    NotFrameAligned { address: u64 },
    /// The address lies at or past the end of the highest usable frame.
    OutsideBitmap { address: u64, top_address: u64 },
    /// The frame was never in the pool: not usable memory, or reserved.
    NeverUsable { address: u64 },
    /// The frame is already free: freed twice, or never handed out.
    AlreadyFree { address: u64 },
}

impl FreeError {
    /// The address `free` was given.
    pub const fn address(self) -> u64 {
        match self {
            Self::NotFrameAligned { address }
            | Self::OutsideBitmap { address, .. }
            | Self::NeverUsable { address }
            | Self::AlreadyFree { address } => address,
        }
    }
}

impl fmt::Display for FreeError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NotFrameAligned { address } => {
                write!(
                    formatter,
                    "cannot free {address:#x}: not the start of a frame (a multiple of {FRAME_BYTES} bytes)"
                )
            }
            Self::OutsideBitmap { address, top_address } => {
                write!(
                    formatter,
                    "cannot free {address:#x}: past the last usable frame (the bitmap ends at {top_address:#x})"
                )
            }
            Self::NeverUsable { address } => {
                write!(
                    formatter,
                    "cannot free {address:#x}: that frame was never usable (reserved, or not usable memory)"
                )
            }
            Self::AlreadyFree { address } => write!(formatter, "double free of frame {address:#x}: it is already free"),
        }
    }
}

impl core::error::Error for FreeError {}

/// Why [`FrameBitmap::new`](crate::FrameBitmap::new) refused its storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageTooSmall {
    /// [`FrameBitmap::bytes_needed`](crate::FrameBitmap::bytes_needed) for the highest usable region.
    pub needed_bytes: usize,
    pub given_bytes: usize,
}

impl fmt::Display for StorageTooSmall {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { needed_bytes, given_bytes } = self;
        write!(formatter, "the frame bitmap needs {needed_bytes} bytes of storage, but was given {given_bytes}")
    }
}

impl core::error::Error for StorageTooSmall {}

/// Why [`FrameBitmap::reserve`](crate::FrameBitmap::reserve) refused a range:
/// the frame at `address` is handed out, and its owner still uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameInUse {
    pub address: u64,
}

impl fmt::Display for FrameInUse {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "cannot reserve frame {:#x}: it is handed out", self.address)
    }
}

impl core::error::Error for FrameInUse {}
