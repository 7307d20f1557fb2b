//! Forgeries: broken copies of a real program, one broken rule each.
//!
//! The loader's refusals are only worth something if each is provoked on
//! purpose. These recipes patch a few bytes of a real ELF from `user/`
//! (the build runs them through `elf-forge` to fill the vault's `bad/`
//! folder, and the host tests run the same recipes), so every copy is a
//! plausible file that is wrong in exactly one way.
//!
//! The recipes need a file that [`crate::plan`] accepts, with at least two
//! PT_LOAD segments, the first executable and the second not (every
//! program linked by `user/link.ld` qualifies).

use alloc::vec::Vec;

use crate::{LoadError, plan};

/// One forgery: its file name in `bad/` and the bytes.
pub struct Forgery {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// Offsets in an ELF64 file header.
const E_MACHINE: usize = 18;
const E_ENTRY: usize = 24;
const E_PHOFF: usize = 32;
/// Offsets in an ELF64 program header.
const P_OFFSET: usize = 8;
const P_VADDR: usize = 16;
const P_PADDR: usize = 24;
const P_FILESZ: usize = 32;

/// Why a file cannot be forged from.
#[derive(Debug, PartialEq, Eq)]
pub enum ForgeError {
    /// The original itself is refused.
    Refused(LoadError),
    /// It lacks an executable segment followed by a non-executable one.
    Unsuitable,
}

impl core::fmt::Display for ForgeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Refused(error) => write!(f, "the original is refused: {error}"),
            Self::Unsuitable => f.write_str("the original needs an executable segment and a data segment after it"),
        }
    }
}

/// Every forgery of `original`, in a fixed order.
pub fn forgeries(original: &[u8]) -> Result<Vec<Forgery>, ForgeError> {
    let copy = aligned_copy(original);
    let plan = plan(&copy).map_err(ForgeError::Refused)?;
    let (code, data) = match plan.segments.as_slice() {
        [code, data, ..] if code.flags.executable() && !data.flags.executable() => (*code, *data),
        _ => return Err(ForgeError::Unsuitable),
    };
    let table = u64_at(original, E_PHOFF) as usize;
    let header = |index: u16| table + usize::from(index) * 56;
    let length = original.len() as u64;

    let mut out = Vec::new();
    let mut forge = |name: &'static str, patch: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = original.to_vec();
        patch(&mut bytes);
        out.push(Forgery { name, bytes });
    };
    forge("bad-magic", &|b| b[1] = b'X');
    forge("class-32", &|b| b[4] = 1);
    // EM_ARM (40).
    forge("wrong-machine", &|b| put_u16(b, E_MACHINE, 40));
    // The code's bytes start 16 bytes before the end of the file.
    forge("past-end", &|b| put_u64(b, header(code.index) + P_OFFSET, length - 16));
    forge("kernel-half", &|b| {
        put_u64(b, header(code.index) + P_VADDR, 0xffff_ffff_8000_0000);
        put_u64(b, header(code.index) + P_PADDR, 0xffff_ffff_8000_0000);
    });
    // The data segment moved onto the code's first page.
    forge("overlap", &|b| {
        let moved = (code.vaddr & !0xfff) | (data.offset & 0xfff);
        put_u64(b, header(data.index) + P_VADDR, moved);
        put_u64(b, header(data.index) + P_PADDR, moved);
    });
    forge("filesz-over-memsz", &|b| put_u64(b, header(data.index) + P_FILESZ, data.memory_size + 1));
    // The entry point moved into the (non-executable) data segment.
    forge("entry-outside", &|b| put_u64(b, E_ENTRY, data.vaddr));
    Ok(out)
}

/// The reason each forgery must be refused for, by name: the tests and
/// the documentation hold the kernel's words against this.
pub fn expected(name: &str, error: &LoadError) -> bool {
    matches!(
        (name, error),
        ("bad-magic", LoadError::BadMagic)
            | ("class-32", LoadError::NotSixtyFourBit { class: 1 })
            | ("wrong-machine", LoadError::WrongMachine { machine: 40 })
            | ("past-end", LoadError::SegmentPastEndOfFile { .. })
            | ("kernel-half", LoadError::OutsideUserHalf { .. })
            | ("overlap", LoadError::Overlap { .. })
            | ("filesz-over-memsz", LoadError::FileSizeExceedsMemorySize { .. })
            | ("entry-outside", LoadError::EntryNotExecutable { .. })
    )
}

/// A copy of `bytes` that starts 8-byte aligned (xmas-elf reads in place).
pub fn aligned_copy(bytes: &[u8]) -> AlignedBytes {
    let mut buffer = alloc::vec![0u8; bytes.len() + 7];
    let start = buffer.as_ptr().align_offset(8).min(7);
    buffer[start..start + bytes.len()].copy_from_slice(bytes);
    AlignedBytes { buffer, start, length: bytes.len() }
}

/// Bytes that start at an 8-byte-aligned address: a slice of a buffer
/// 7 bytes longer than needed, starting where the alignment works out.
pub struct AlignedBytes {
    buffer: Vec<u8>,
    start: usize,
    length: usize,
}

impl core::ops::Deref for AlignedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buffer[self.start..self.start + self.length]
    }
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}
