//! A reader for USTAR archives: the vault's format, read without trusting it.
//!
//! The kernel gets its files long before it has a disk driver: the build
//! packs the user programs and a folder of files into one tar archive,
//! Limine loads it next to the kernel as a boot module, and the kernel sees
//! it as a single `&[u8]`. This crate turns that slice into entries, paths
//! and file contents. It never allocates and never copies: every [`Entry`]
//! borrows its name and data from the slice, so it runs before the heap
//! exists and in user space alike, and `cargo test -p ustar` checks it.
//!
//! # Why tar, and which tar
//!
//! tar is the simplest format that carries names, sizes and types, and every
//! host already has a writer for it. The dialect is POSIX.1-1988's USTAR, as
//! `tar --format=ustar` and Python's `tarfile` with `format=USTAR` write it:
//!
//! - the archive is a run of 512-byte blocks ([`block`] shows one);
//! - each entry is one header block, then `size` bytes of data padded with
//!   zeros to a whole block;
//! - two zero blocks end the archive (writers then pad to 10 KiB);
//! - a path longer than the 100-byte name field is split at a slash, the
//!   front going in the 155-byte prefix field. [`Path`] joins the two back
//!   together without a buffer.
//!
//! The header layout is in `src/header.rs`. Old GNU archives (magic
//! `ustar  \0`) are read too, minus their extensions: GNU's long names come
//! out as a [`Kind::Other`]`(b'L')` entry holding the name, followed by the
//! entry with its name cut to 100 bytes. pax extended headers (`'x'`) come
//! out the same way, and GNU's base-256 numbers are refused
//! ([`Reason::Base256Unsupported`]); the vault is written without them.
//!
//! # Why paranoid
//!
//! A parser of someone else's bytes is where memory bugs live, and a boot
//! module is exactly that. So the crate has no `unsafe`, and a header is
//! believed only after it passes every check, in this order: it is a whole
//! block, it has the magic, every numeric field is octal, its checksum
//! matches, its names are UTF-8, and its data fits inside the archive. The
//! first failure becomes an [`Error`] naming the header's offset and the
//! [`Reason`], such as `entry at offset 1024: bad checksum: stored 0o11111,
//! computed 0o11112` or `entry at offset 1536: bad size field`.
//!
//! A refused header ends the walk, because only a header says where the
//! next one starts. The entries before it were good and stay usable:
//! [`Archive::summary`] walks once, counts them, and hands back the
//! `trusted` archive that stops just before the bad header.
//!
//! ```
//! let vault = ustar::Archive::new(include_bytes!("../tests/fixtures/gnu-ustar.tar"));
//! let summary = vault.summary();
//! assert_eq!(summary.entries, 9);
//! assert!(summary.end.is_terminated());
//! let hello = summary.trusted.find("hello.txt").unwrap().unwrap();
//! assert_eq!(hello.data, b"Hello from the vault!\n");
//!
//! let mut buffer = [0; 8];
//! assert_eq!(ustar::read_at(hello.data, 6, &mut buffer), 8);
//! assert_eq!(&buffer, b"from the");
//! ```
//!
//! # How it is tested
//!
//! Against archives that GNU tar and Python wrote (`tests/fixtures`, with
//! the commands in its README), against a small USTAR writer in the tests
//! that reproduces both of them byte for byte, and by corruption:
//!
//! - every single-bit flip and every whole-byte flip of every byte of a
//!   small archive (41,472 archives) must be refused with the reason that
//!   fits the flipped field, at that header's offset, or change nothing the
//!   reader reports;
//! - a fixed-seed xorshift makes 50,000 random mutations of real archives
//!   (bytes overwritten, headers resealed so their checksum passes, numeric
//!   fields rewritten, truncation, blocks copied over each other) and 20,000
//!   random byte strings, half of them made of header-like blocks.
//!
//! On every one the reader must not panic, must stop within one step per
//! block, must only hand out data that lies inside its input, and `find`,
//! `children` and `summary` must agree with the walk. No cargo-fuzz, so no
//! nightly: the whole run takes about 3 seconds on one core with the
//! workspace's `opt-level = 1`, and the seed makes any failure repeat.
//!
//! Rank VII. The kernel's vault and its file system calls read through
//! it; `ls` and `cat` in user space see it only through those calls.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod archive;
mod entry;
mod error;
mod header;
mod path;

pub use archive::{Archive, Child, Children, End, Entries, Summary};
pub use entry::{Entry, Kind};
pub use error::{Error, Reason};
pub use header::BLOCK_BYTES;
pub use path::Path;

/// Block `n` of `bytes`, or `None` when the slice ends before it does:
/// what a "read sector `n`" of the archive returns.
pub fn block(bytes: &[u8], n: usize) -> Option<&[u8; BLOCK_BYTES]> {
    bytes.get(n.checked_mul(BLOCK_BYTES)?..)?.first_chunk()
}

/// Copies `data` from `offset` into `into`, as much as fits, and returns
/// how many bytes it copied: fewer than asked near the end, 0 at or past
/// the end. This is the contract of `read(2)`, with `data` a file's
/// contents ([`Entry::data`]) and `offset` the open file's position.
pub fn read_at(data: &[u8], offset: u64, into: &mut [u8]) -> usize {
    let Some(rest) = usize::try_from(offset).ok().and_then(|offset| data.get(offset..)) else {
        return 0;
    };
    let copied = rest.len().min(into.len());
    into[..copied].copy_from_slice(&rest[..copied]);
    copied
}

#[cfg(test)]
mod tests;
