//! Checks on the built kernel ELF: where it is linked, what sections it
//! keeps, whether any segment is both writable and executable.
//!
//! These are facts of the file the bootloader loads, read with
//! `xmas-elf`, so they hold whatever the kernel prints about itself.

use xmas_elf::ElfFile;
use xmas_elf::header::Type as FileType;
use xmas_elf::program::Type as SegmentType;
use xmas_elf::sections::SectionData;
use xmas_elf::symbol_table::Entry;

use crate::checks::ElfRules;

/// Applies every rule; returns what was seen, or the first rule broken.
pub fn judge(rules: &ElfRules, bytes: &[u8]) -> Result<String, String> {
    let elf = ElfFile::new(bytes).map_err(|e| format!("the kernel is not a readable ELF file: {e}"))?;
    let mut seen = Vec::new();

    if rules.fixed_address {
        match elf.header.pt2.type_().as_type() {
            FileType::Executable => seen.push("ET_EXEC (fixed address)".to_string()),
            other => {
                return Err(format!(
                    "the kernel is {other:?}, not a fixed-address executable (ET_EXEC): link it with relocation-model=static"
                ));
            }
        }
    }
    if let Some(lowest) = rules.load_at_least {
        let loads: Vec<_> = elf.program_iter().filter(|ph| ph.get_type() == Ok(SegmentType::Load)).collect();
        if loads.is_empty() {
            return Err("the kernel has no PT_LOAD segments".into());
        }
        for segment in &loads {
            if segment.virtual_addr() < lowest {
                return Err(format!(
                    "a PT_LOAD segment starts at {:#x}, below {lowest:#x}: the kernel is not linked in the higher half",
                    segment.virtual_addr()
                ));
            }
        }
        let first = loads.iter().map(|ph| ph.virtual_addr()).min().unwrap_or_default();
        seen.push(format!("{} PT_LOAD segments from {first:#x}", loads.len()));
    }
    if rules.no_writable_code {
        for segment in elf.program_iter().filter(|ph| ph.get_type() == Ok(SegmentType::Load)) {
            let flags = segment.flags();
            if flags.is_write() && flags.is_execute() {
                return Err(format!(
                    "the PT_LOAD segment at {:#x} is both writable and executable",
                    segment.virtual_addr()
                ));
            }
        }
        seen.push("no segment is both writable and executable".into());
    }
    if let Some(name) = &rules.section {
        let section = elf.find_section_by_name(name).ok_or_else(|| format!("the kernel has no {name} section"))?;
        let data = section.raw_data(&elf);
        if let Some(prefix) = &rules.section_starts_with
            && !data.starts_with(prefix)
        {
            return Err(format!("section {name} does not begin with the expected {} bytes", prefix.len()));
        }
        if let Some(suffix) = &rules.section_ends_with
            && !data.ends_with(suffix)
        {
            return Err(format!("section {name} does not end with the expected {} bytes", suffix.len()));
        }
        seen.push(format!("section {name} ({} bytes) at {:#x}", data.len(), section.address()));
    }
    if let Some(name) = &rules.symbol {
        let address = find_symbol(&elf, name).ok_or_else(|| format!("the kernel has no symbol {name}"))?;
        seen.push(format!("symbol {name} at {address:#x}"));
    }
    Ok(seen.join("; "))
}

fn find_symbol(elf: &ElfFile, name: &str) -> Option<u64> {
    for section in elf.section_iter() {
        if let Ok(SectionData::SymbolTable64(entries)) = section.get_data(elf) {
            for entry in entries {
                if entry.get_name(elf) == Ok(name) {
                    return Some(entry.value());
                }
            }
        }
    }
    None
}
