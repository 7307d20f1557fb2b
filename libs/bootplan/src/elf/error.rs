//! Why a kernel ELF cannot be loaded, in words a learner can act on.
//!
//! Segment problems name the program header by its index, as `readelf -l`
//! numbers them, so the message points at the line of the linker script
//! that made it.

use core::fmt;

/// A reason testboot refuses a kernel file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    TooShort,
    BadMagic,
    NotElf64,
    NotLittleEndian,
    UnsupportedVersion,
    WrongMachine(u16),
    Relocatable,
    WrongType(u16),
    ProgramHeaderTooSmall(u16),
    ProgramHeadersOutsideFile,
    SectionHeadersOutsideFile,
    Dynamic,
    Interpreter,
    NoLoadableSegments,
    LowerHalf { index: usize, vaddr: u64 },
    FileSizeExceedsMemorySize { index: usize },
    SegmentOutsideFile { index: usize },
    AddressOverflow { index: usize },
    BadAlignment { index: usize, align: u64 },
    Overlap { first: usize, second: usize },
    MixedPermissionsInPage { first: usize, second: usize },
}

impl fmt::Display for ElfError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooShort => write!(formatter, "file is too short to be an ELF executable"),
            Self::BadMagic => write!(formatter, "not an ELF file (bad magic number)"),
            Self::NotElf64 => write!(formatter, "not a 64-bit ELF file"),
            Self::NotLittleEndian => write!(formatter, "not a little-endian ELF file"),
            Self::UnsupportedVersion => write!(formatter, "unknown ELF version (expected 1)"),
            Self::WrongMachine(machine) => {
                write!(formatter, "built for ELF machine {machine}, not x86-64 (62)")
            }
            Self::Relocatable => write!(
                formatter,
                "relocatable (ET_DYN) kernels are not supported: testboot applies no relocations; link a static ET_EXEC (-C relocation-model=static)"
            ),
            Self::WrongType(kind) => write!(formatter, "ELF type {kind} is not an executable (ET_EXEC)"),
            Self::ProgramHeaderTooSmall(size) => {
                write!(formatter, "program header entries of {size} bytes are smaller than ELF64's 56")
            }
            Self::ProgramHeadersOutsideFile => write!(formatter, "program header table lies outside the file"),
            Self::SectionHeadersOutsideFile => write!(formatter, "section header table lies outside the file"),
            Self::Dynamic => write!(
                formatter,
                "has a PT_DYNAMIC segment: relocations are not supported by testboot; link a static executable (-C relocation-model=static)"
            ),
            Self::Interpreter => {
                write!(formatter, "has a PT_INTERP segment: a kernel cannot ask for a program interpreter")
            }
            Self::NoLoadableSegments => write!(formatter, "has no PT_LOAD segment to load"),
            Self::LowerHalf { index, vaddr } => write!(
                formatter,
                "segment {index} is linked at {vaddr:#x}, below 0xffffffff80000000 where the Limine protocol loads kernels"
            ),
            Self::FileSizeExceedsMemorySize { index } => {
                write!(formatter, "segment {index} has more bytes in the file than in memory (p_filesz > p_memsz)")
            }
            Self::SegmentOutsideFile { index } => write!(formatter, "segment {index} reaches past the end of the file"),
            Self::AddressOverflow { index } => {
                write!(formatter, "segment {index} runs past the top of the address space")
            }
            Self::BadAlignment { index, align } => {
                write!(formatter, "segment {index} has alignment {align:#x}, not a power of two")
            }
            Self::Overlap { first, second } => write!(formatter, "segments {first} and {second} overlap"),
            Self::MixedPermissionsInPage { first, second } => write!(
                formatter,
                "segments {first} and {second} share a page but differ in permissions; page-align them in the linker script"
            ),
        }
    }
}
