//! Byte-level reading of ELF64 headers (System V gABI, "ELF Header",
//! "Program Header", "Sections"), every offset bounds-checked.

use alloc::vec::Vec;
use core::ops::Range;

use super::ElfError;

const MAGIC: &[u8; 4] = b"\x7fELF";
const CLASS_64: u8 = 2;
const DATA_LITTLE_ENDIAN: u8 = 1;
const VERSION_CURRENT: u8 = 1;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_X86_64: u16 = 62;
const FILE_HEADER_BYTES: usize = 64;
const PROGRAM_HEADER_BYTES: usize = 56;
const SECTION_HEADER_BYTES: usize = 64;

/// The fields of the ELF file header testboot uses.
pub(super) struct FileHeader {
    pub entry: u64,
    program_table: u64,
    program_entry_bytes: u16,
    program_count: u16,
    section_table: u64,
    section_entry_bytes: u16,
    section_count: u16,
    section_names_index: u16,
}

/// The fields of one program header testboot uses.
pub(super) struct ProgramHeader {
    pub kind: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

impl FileHeader {
    /// Checks identity (64-bit, little-endian, x86-64, ET_EXEC) and reads
    /// the table positions.
    pub fn read(file: &[u8]) -> Result<Self, ElfError> {
        if file.len() < FILE_HEADER_BYTES {
            return Err(if file.len() >= 4 && &file[..4] != MAGIC { ElfError::BadMagic } else { ElfError::TooShort });
        }
        if &file[..4] != MAGIC {
            return Err(ElfError::BadMagic);
        }
        if file[4] != CLASS_64 {
            return Err(ElfError::NotElf64);
        }
        if file[5] != DATA_LITTLE_ENDIAN {
            return Err(ElfError::NotLittleEndian);
        }
        if file[6] != VERSION_CURRENT {
            return Err(ElfError::UnsupportedVersion);
        }
        let machine = u16_at(file, 18);
        if machine != EM_X86_64 {
            return Err(ElfError::WrongMachine(machine));
        }
        match u16_at(file, 16) {
            ET_EXEC => {}
            ET_DYN => return Err(ElfError::Relocatable),
            other => return Err(ElfError::WrongType(other)),
        }
        Ok(FileHeader {
            entry: u64_at(file, 24),
            program_table: u64_at(file, 32),
            section_table: u64_at(file, 40),
            program_entry_bytes: u16_at(file, 54),
            program_count: u16_at(file, 56),
            section_entry_bytes: u16_at(file, 58),
            section_count: u16_at(file, 60),
            section_names_index: u16_at(file, 62),
        })
    }

    pub fn program_headers(&self, file: &[u8]) -> Result<Vec<ProgramHeader>, ElfError> {
        if usize::from(self.program_entry_bytes) < PROGRAM_HEADER_BYTES && self.program_count > 0 {
            return Err(ElfError::ProgramHeaderTooSmall(self.program_entry_bytes));
        }
        let table = table_range(self.program_table, self.program_entry_bytes, self.program_count, file.len())
            .ok_or(ElfError::ProgramHeadersOutsideFile)?;
        let entries = file[table].chunks(usize::from(self.program_entry_bytes).max(1));
        Ok(entries
            .take(usize::from(self.program_count))
            .map(|entry| ProgramHeader {
                kind: u32_at(entry, 0),
                flags: u32_at(entry, 4),
                offset: u64_at(entry, 8),
                vaddr: u64_at(entry, 16),
                filesz: u64_at(entry, 32),
                memsz: u64_at(entry, 40),
                align: u64_at(entry, 48),
            })
            .collect())
    }

    /// The file range of the section called `name`. Files without section
    /// headers (or with more than fit the 16-bit count) have none.
    pub fn find_section(&self, file: &[u8], name: &[u8]) -> Result<Option<Range<usize>>, ElfError> {
        if self.section_table == 0 || self.section_count == 0 {
            return Ok(None);
        }
        if usize::from(self.section_entry_bytes) < SECTION_HEADER_BYTES {
            return Err(ElfError::SectionHeadersOutsideFile);
        }
        let table = table_range(self.section_table, self.section_entry_bytes, self.section_count, file.len())
            .ok_or(ElfError::SectionHeadersOutsideFile)?;
        let sections: Vec<&[u8]> = file[table].chunks(usize::from(self.section_entry_bytes)).collect();
        let names = sections
            .get(usize::from(self.section_names_index))
            .and_then(|names| contents(names, file.len()))
            .ok_or(ElfError::SectionHeadersOutsideFile)?;
        for section in &sections {
            let name_start = usize::try_from(u32_at(section, 0)).unwrap_or(usize::MAX);
            let section_name = file[names.clone()].get(name_start..).unwrap_or(&[]);
            let matches = section_name.starts_with(name) && section_name.get(name.len()) == Some(&0);
            if matches {
                return contents(section, file.len()).map(Some).ok_or(ElfError::SectionHeadersOutsideFile);
            }
        }
        Ok(None)
    }
}

/// The bytes a section header's `sh_offset`/`sh_size` describe, if inside.
fn contents(section: &[u8], file_len: usize) -> Option<Range<usize>> {
    let start = usize::try_from(u64_at(section, 24)).ok()?;
    let end = start.checked_add(usize::try_from(u64_at(section, 32)).ok()?)?;
    (end <= file_len).then_some(start..end)
}

fn table_range(offset: u64, entry_bytes: u16, count: u16, file_len: usize) -> Option<Range<usize>> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::from(entry_bytes) * usize::from(count))?;
    (end <= file_len).then_some(start..end)
}

// Callers pass slices at least `offset + N` long: the file header is
// checked to be 64 bytes, table entries to be at least as long as ELF64's.
fn u16_at(bytes: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes([bytes[offset], bytes[offset + 1]])
}

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[offset..offset + 4]);
    u32::from_le_bytes(word)
}

fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[offset..offset + 8]);
    u64::from_le_bytes(word)
}
