//! The ELF loader's plan: which bytes of a program file go where, with
//! which permissions — or the first reason the file cannot be trusted.
//!
//! A loader is a parser of untrusted input that runs with full privilege:
//! every field it believes blindly is a way into the kernel. So the kernel
//! splits loading in two. This crate, which has no `unsafe` and is tested
//! on the host, reads the file and decides; the kernel's loader
//! (`load` in `kernel/src/user/mod.rs`) only carries out a [`Plan`] — allocate frames, copy `file_size` bytes
//! from `offset`, leave the rest of `memory_size` zero, map with the
//! segment's permissions — and never looks at a header itself.
//!
//! What is checked, in this order (the first failure is the answer):
//!
//! 1. the identification: magic, ELFCLASS64, little-endian, version 1;
//! 2. the file header: x86-64, ET_EXEC (MinimalOS programs are linked at a
//!    fixed address), program headers of 56 bytes lying inside the file
//!    at an 8-byte-aligned offset;
//! 3. every program header in turn: no PT_INTERP or PT_DYNAMIC (there is
//!    no dynamic linker to hand them to); then, for a PT_LOAD with a
//!    non-zero memory size, `file_size <= memory_size`, its bytes inside
//!    the file (`offset + file_size` without overflow), its memory inside
//!    the user half, above [`abi::USER_IMAGE_BASE`] (so null pointers
//!    fault) and clear of the stack ([`abi::USER_STACK_RESERVED`]), an
//!    alignment that is a power of two with `vaddr` and `offset` congruent
//!    modulo it, never both writable and executable, and no page shared
//!    with an earlier segment (a shared page could not have both segments'
//!    permissions, so W^X would be a lie);
//! 4. the segments together: at least one, and the entry point inside an
//!    executable one.
//!
//! Header fields are read with `xmas-elf`, after this crate has checked
//! that what xmas-elf will index is inside the file (xmas-elf slices
//! without checking, and reads structures in place, so the file must also
//! be 8-byte aligned in memory; the vault's files are 512-byte aligned).
//!
//! Rank 7. System V gABI, "ELF Header" and "Program Header";
//! the x86-64 psABI for EM_X86_64.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod forge;

use alloc::vec::Vec;
use core::fmt;

use xmas_elf::ElfFile;
use xmas_elf::program::{ProgramHeader, Type as SegmentType};

/// Page size the plan reasons in.
pub const PAGE: u64 = 0x1000;

/// Size of an ELF64 file header and of one program header.
const FILE_HEADER_BYTES: u64 = 64;
const PROGRAM_HEADER_BYTES: u16 = 56;

/// More program headers than this is not a MinimalOS program.
pub const MAX_PROGRAM_HEADERS: u16 = 32;

/// Segment permissions: PF_X = 1, PF_W = 2, PF_R = 4.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flags(pub u32);

impl Flags {
    pub const EXECUTE: u32 = 1;
    pub const WRITE: u32 = 2;
    pub const READ: u32 = 4;

    pub const fn readable(self) -> bool {
        self.0 & Self::READ != 0
    }
    pub const fn writable(self) -> bool {
        self.0 & Self::WRITE != 0
    }
    pub const fn executable(self) -> bool {
        self.0 & Self::EXECUTE != 0
    }
}

/// `R-X`, `R--`, `RW-`: the order `readelf -l` uses, spelled out.
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = |on: bool, letter: char| if on { letter } else { '-' };
        write!(f, "{}{}{}", letter(self.readable(), 'R'), letter(self.writable(), 'W'), letter(self.executable(), 'X'))
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// One PT_LOAD to carry out: `file_size` bytes from `offset` in the file
/// to `vaddr`, then zeros up to `memory_size` (the BSS), with `flags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Index of the program header, as `readelf -l` numbers them.
    pub index: u16,
    pub vaddr: u64,
    pub offset: u64,
    pub file_size: u64,
    pub memory_size: u64,
    pub flags: Flags,
}

impl Segment {
    /// The first byte past the segment in memory.
    pub const fn end(&self) -> u64 {
        self.vaddr + self.memory_size
    }

    /// The pages the segment touches: `[first, last]`, page-aligned.
    pub const fn pages(&self) -> (u64, u64) {
        (self.vaddr & !(PAGE - 1), (self.end() - 1) & !(PAGE - 1))
    }

    /// The file bytes that belong at `page` (page-aligned), as a range of
    /// the file and the offset inside the page where they go; `None` if
    /// the page holds only BSS.
    pub fn file_bytes_for_page(&self, page: u64) -> Option<(core::ops::Range<usize>, usize)> {
        let start = page.max(self.vaddr);
        let end = (page + PAGE).min(self.vaddr + self.file_size);
        (start < end).then(|| {
            let from = (self.offset + (start - self.vaddr)) as usize;
            (from..from + (end - start) as usize, (start - page) as usize)
        })
    }
}

/// What to do with a program file: where to start and what to map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub entry: u64,
    pub segments: Vec<Segment>,
}

impl Plan {
    /// Pages the segments need, in total.
    pub fn pages(&self) -> u64 {
        self.segments.iter().map(|s| (s.pages().1 - s.pages().0) / PAGE + 1).sum()
    }
}

/// Why a file was refused. Each rule of the module header has its own
/// variant, so a test can say which rule fired, and `Display` says it in
/// words the kernel prints as `refused bad/x: <reason>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Shorter than an ELF64 file header.
    TooShort {
        length: usize,
    },
    /// Not `\x7fELF`.
    BadMagic,
    /// ELFCLASS32 (1) or anything but ELFCLASS64 (2).
    NotSixtyFourBit {
        class: u8,
    },
    NotLittleEndian {
        data: u8,
    },
    BadVersion {
        version: u8,
    },
    /// The file sits at an address xmas-elf cannot read in place.
    Misaligned,
    WrongMachine {
        machine: u16,
    },
    /// Not ET_EXEC: a relocatable object, a shared object (PIE), a core.
    NotExecutable {
        kind: u16,
    },
    BadProgramHeaderSize {
        size: u16,
    },
    TooManyProgramHeaders {
        count: u16,
    },
    /// The program header table runs past the end of the file.
    ProgramHeadersOutsideFile {
        offset: u64,
        count: u16,
    },
    /// The program header table does not start on an 8-byte boundary.
    ProgramHeadersMisaligned {
        offset: u64,
    },
    /// PT_INTERP or PT_DYNAMIC: it wants a dynamic linker.
    NeedsDynamicLinker {
        index: u16,
    },
    FileSizeExceedsMemorySize {
        index: u16,
        file_size: u64,
        memory_size: u64,
    },
    /// `offset + file_size` is past the end of the file (or overflows).
    SegmentPastEndOfFile {
        index: u16,
        end: u64,
        length: usize,
    },
    /// Some of `[vaddr, vaddr + memory_size)` is outside the program's part
    /// of the user half (or the sum overflows).
    OutsideUserHalf {
        index: u16,
        vaddr: u64,
        memory_size: u64,
    },
    /// Below [`abi::USER_IMAGE_BASE`], where null-pointer dereferences land.
    BelowImageBase {
        index: u16,
        vaddr: u64,
    },
    /// Over the stack or its guard page.
    OverlapsStack {
        index: u16,
    },
    BadAlignment {
        index: u16,
        align: u64,
    },
    /// `vaddr` and `offset` differ modulo the alignment.
    NotCongruent {
        index: u16,
        vaddr: u64,
        offset: u64,
        align: u64,
    },
    WritableAndExecutable {
        index: u16,
    },
    /// Two segments touch the same page.
    Overlap {
        first: u16,
        second: u16,
    },
    NoLoadableSegments,
    EntryNotExecutable {
        entry: u64,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooShort { length } => write!(f, "too short for an ELF header ({length} bytes)"),
            Self::BadMagic => f.write_str("bad magic: not an ELF file"),
            Self::NotSixtyFourBit { class: 1 } => f.write_str("32-bit ELF (class 1), not 64-bit"),
            Self::NotSixtyFourBit { class } => write!(f, "unknown ELF class {class}, not 64-bit"),
            Self::NotLittleEndian { data } => write!(f, "not little-endian (data encoding {data})"),
            Self::BadVersion { version } => write!(f, "unknown ELF version {version}"),
            Self::Misaligned => f.write_str("the file is not 8-byte aligned in memory"),
            Self::WrongMachine { machine } => write!(f, "wrong machine {machine}, not x86-64 (62)"),
            Self::NotExecutable { kind } => write!(f, "ELF type {kind}, not a fixed-address executable (2)"),
            Self::BadProgramHeaderSize { size } => write!(f, "program headers of {size} bytes, not 56"),
            Self::TooManyProgramHeaders { count } => {
                write!(f, "{count} program headers, more than {MAX_PROGRAM_HEADERS}")
            }
            Self::ProgramHeadersOutsideFile { offset, count } => {
                write!(f, "{count} program headers at {offset:#x} run past the end of the file")
            }
            Self::ProgramHeadersMisaligned { offset } => {
                write!(f, "program headers at {offset:#x} are not 8-byte aligned")
            }
            Self::NeedsDynamicLinker { index } => write!(f, "segment {index} asks for a dynamic linker"),
            Self::FileSizeExceedsMemorySize { index, file_size, memory_size } => {
                write!(f, "segment {index}: file size {file_size:#x} larger than memory size {memory_size:#x}")
            }
            Self::SegmentPastEndOfFile { index, end, length } => {
                write!(f, "segment {index} ends at {end:#x}, past the end of the file ({length:#x} bytes)")
            }
            Self::OutsideUserHalf { index, vaddr, memory_size } => {
                write!(f, "segment {index} at {vaddr:#x} ({memory_size:#x} bytes) is outside the user half")
            }
            Self::BelowImageBase { index, vaddr } => {
                write!(
                    f,
                    "segment {index} at {vaddr:#x} is below {:#x}, where null pointers point",
                    abi::USER_IMAGE_BASE
                )
            }
            Self::OverlapsStack { index } => write!(f, "segment {index} overlaps the stack"),
            Self::BadAlignment { index, align } => {
                write!(f, "segment {index}: alignment {align:#x} is not a power of two")
            }
            Self::NotCongruent { index, vaddr, offset, align } => write!(
                f,
                "segment {index}: address {vaddr:#x} and file offset {offset:#x} differ modulo the alignment {align:#x}"
            ),
            Self::WritableAndExecutable { index } => write!(f, "segment {index} is writable and executable"),
            Self::Overlap { first, second } => write!(f, "segments {first} and {second} overlap (share a page)"),
            Self::NoLoadableSegments => f.write_str("no loadable segments"),
            Self::EntryNotExecutable { entry } => {
                write!(f, "entry point {entry:#x} is outside every executable segment")
            }
        }
    }
}

/// The plan for `file`, or the first rule it breaks.
pub fn plan(file: &[u8]) -> Result<Plan, LoadError> {
    identify(file)?;
    if !(file.as_ptr() as usize).is_multiple_of(8) {
        return Err(LoadError::Misaligned);
    }
    let elf = ElfFile::new(file).map_err(|_| LoadError::TooShort { length: file.len() })?;
    let machine = u16_at(file, 18);
    if machine != 62 {
        return Err(LoadError::WrongMachine { machine });
    }
    let kind = u16_at(file, 16);
    if kind != 2 {
        return Err(LoadError::NotExecutable { kind });
    }
    let (offset, size, count) = (elf.header.pt2.ph_offset(), elf.header.pt2.ph_entry_size(), elf.header.pt2.ph_count());
    if count > MAX_PROGRAM_HEADERS {
        return Err(LoadError::TooManyProgramHeaders { count });
    }
    if count > 0 && size != PROGRAM_HEADER_BYTES {
        return Err(LoadError::BadProgramHeaderSize { size });
    }
    let table_end = offset.checked_add(u64::from(count) * u64::from(PROGRAM_HEADER_BYTES));
    if count > 0 && (offset == 0 || table_end.is_none_or(|end| end > file.len() as u64)) {
        return Err(LoadError::ProgramHeadersOutsideFile { offset, count });
    }
    // xmas-elf reads each header in place and asserts (panics) when it is
    // not 8-byte aligned: the mutation test found this one.
    if !offset.is_multiple_of(8) {
        return Err(LoadError::ProgramHeadersMisaligned { offset });
    }

    let mut segments: Vec<Segment> = Vec::new();
    for index in 0..count {
        // In bounds: the whole table was checked above.
        let header = elf.program_header(index).map_err(|_| LoadError::ProgramHeadersOutsideFile { offset, count })?;
        let ProgramHeader::Ph64(header) = header else {
            return Err(LoadError::NotSixtyFourBit { class: file[4] });
        };
        match header.get_type() {
            Ok(SegmentType::Interp) | Ok(SegmentType::Dynamic) => {
                return Err(LoadError::NeedsDynamicLinker { index });
            }
            Ok(SegmentType::Load) if header.mem_size > 0 => {}
            _ => continue,
        }
        let segment = Segment {
            index,
            vaddr: header.virtual_addr,
            offset: header.offset,
            file_size: header.file_size,
            memory_size: header.mem_size,
            flags: Flags(header.flags.0),
        };
        check_segment(&segment, header.align, file.len())?;
        if let Some(other) = segments.iter().find(|other| share_a_page(other, &segment)) {
            return Err(LoadError::Overlap { first: other.index, second: index });
        }
        segments.push(segment);
    }
    if segments.is_empty() {
        return Err(LoadError::NoLoadableSegments);
    }
    let entry = elf.header.pt2.entry_point();
    if !segments.iter().any(|s| s.flags.executable() && s.vaddr <= entry && entry < s.end()) {
        return Err(LoadError::EntryNotExecutable { entry });
    }
    Ok(Plan { entry, segments })
}

/// The first 16 bytes: magic, class, byte order, version.
fn identify(file: &[u8]) -> Result<(), LoadError> {
    if file.len() < 4 || file[..4] != *b"\x7fELF" {
        return Err(if file.len() >= 4 { LoadError::BadMagic } else { LoadError::TooShort { length: file.len() } });
    }
    if file.len() < FILE_HEADER_BYTES as usize {
        return Err(LoadError::TooShort { length: file.len() });
    }
    match (file[4], file[5], file[6]) {
        (2, 1, 1) => Ok(()),
        (2, 1, version) => Err(LoadError::BadVersion { version }),
        (2, data, _) => Err(LoadError::NotLittleEndian { data }),
        (class, _, _) => Err(LoadError::NotSixtyFourBit { class }),
    }
}

fn u16_at(file: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([file[at], file[at + 1]])
}

/// The rules one segment must keep on its own.
fn check_segment(segment: &Segment, align: u64, length: usize) -> Result<(), LoadError> {
    let index = segment.index;
    if segment.file_size > segment.memory_size {
        return Err(LoadError::FileSizeExceedsMemorySize {
            index,
            file_size: segment.file_size,
            memory_size: segment.memory_size,
        });
    }
    match segment.offset.checked_add(segment.file_size) {
        Some(end) if end <= length as u64 => {}
        end => return Err(LoadError::SegmentPastEndOfFile { index, end: end.unwrap_or(u64::MAX), length }),
    }
    let outside = LoadError::OutsideUserHalf { index, vaddr: segment.vaddr, memory_size: segment.memory_size };
    let end = segment.vaddr.checked_add(segment.memory_size).ok_or(outside)?;
    if end > abi::USER_END {
        return Err(outside);
    }
    if segment.vaddr < abi::USER_IMAGE_BASE {
        return Err(LoadError::BelowImageBase { index, vaddr: segment.vaddr });
    }
    // Page-rounded, as it will be mapped.
    let (first, last) = segment.pages();
    if first < abi::USER_STACK_TOP && last >= abi::USER_STACK_RESERVED {
        return Err(LoadError::OverlapsStack { index });
    }
    if align > 1 {
        if !align.is_power_of_two() {
            return Err(LoadError::BadAlignment { index, align });
        }
        if segment.vaddr % align != segment.offset % align {
            return Err(LoadError::NotCongruent { index, vaddr: segment.vaddr, offset: segment.offset, align });
        }
    }
    if segment.flags.writable() && segment.flags.executable() {
        return Err(LoadError::WritableAndExecutable { index });
    }
    Ok(())
}

fn share_a_page(a: &Segment, b: &Segment) -> bool {
    let (a_first, a_last) = a.pages();
    let (b_first, b_last) = b.pages();
    a_first <= b_last && b_first <= a_last
}

#[cfg(test)]
mod tests;
