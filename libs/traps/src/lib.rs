//! What the CPU tells the kernel when it traps, in words.
//!
//! An exception arrives as a vector number, sometimes an error code, and
//! five words the CPU pushed (RIP, CS, RFLAGS, RSP, SS). The kernel's
//! assembly stubs add the general registers, so every trap reaches Rust as
//! one [`TrapFrame`]. Turning that into a report a person can act on —
//! "#PF page fault: not-present write in supervisor mode at CR2=…" — is
//! pure logic, so it lives here where `cargo test` checks it.
//!
//! Rank 3. Intel SDM Vol. 3A, chapter 6 ("Interrupt and Exception
//! Handling"), table 6-1 for the vectors and section 6.13 for error codes.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod error_code;
mod frame;
mod vectors;

pub use error_code::{PageFaultError, SelectorError};
pub use frame::TrapFrame;
pub use vectors::{Exception, exception};
