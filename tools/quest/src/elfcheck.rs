//! Checks on the built kernel ELF: where it is linked, what sections it
//! keeps, whether any segment is both writable and executable, which
//! strings it does not contain; and the loadable segments of any ELF, which
//! the `elf-plan` and `serial-segment` checks compare with what a kernel
//! prints about a program it loads.
//!
//! These are facts of the file the bootloader loads, read with
//! `xmas-elf`, so they hold whatever the kernel prints about itself.

use xmas_elf::ElfFile;
use xmas_elf::header::{Class, Type as FileType};
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
    if !rules.disassembly_forbids.is_empty() {
        if let Some(line) = disassembly_violation(bytes, &rules.disassembly_forbids)? {
            return Err(format!("the disassembly contains a forbidden instruction: {line}"));
        }
        let shown: Vec<&str> =
            rules.disassembly_forbids.iter().map(|p| p.as_str().trim_start_matches("(?m)")).collect();
        seen.push(format!("no instruction matches {}", shown.join(", ")));
    }
    if let Some(name) = &rules.symbol {
        let address = find_symbol(&elf, name).ok_or_else(|| format!("the kernel has no symbol {name}"))?;
        seen.push(format!("symbol {name} at {address:#x}"));
    }
    if !rules.absent.is_empty() {
        for text in &rules.absent {
            if let Some(offset) = find_bytes(bytes, text.as_bytes()) {
                return Err(format!(
                    "the kernel ELF contains {text:?} at file offset {offset:#x}: that text must not be in the kernel \
                     (is a program still embedded in it?)"
                ));
            }
        }
        let shown: Vec<String> = rules.absent.iter().map(|text| format!("{text:?}")).collect();
        seen.push(format!("none of {} occurs in the file", shown.join(", ")));
    }
    Ok(seen.join("; "))
}

/// Where `needle` first occurs in `haystack`.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// One PT_LOAD program header, as `readelf -l` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadSegment {
    pub vaddr: u64,
    pub offset: u64,
    pub file_size: u64,
    pub mem_size: u64,
    /// `R`/`-`, `W`/`-`, `X`/`-` from PF_R, PF_W, PF_X: `R-X`, `RW-`.
    pub flags: String,
}

impl std::fmt::Display for LoadSegment {
    /// The way the kernel prints a planned segment:
    /// `0x400000 file 0x1000+0x2a4 memory 0x2a4 R-X`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:#x} file {:#x}+{:#x} memory {:#x} {}",
            self.vaddr, self.offset, self.file_size, self.mem_size, self.flags
        )
    }
}

/// A 64-bit ELF's entry point and its PT_LOAD segments that occupy memory
/// (`p_memsz > 0`), in header order. A malformed file is an error, never
/// a panic: the program header table is checked to lie inside the file
/// before `xmas-elf` reads it.
pub fn load_segments(bytes: &[u8]) -> Result<(u64, Vec<LoadSegment>), String> {
    let elf = ElfFile::new(bytes).map_err(|e| format!("not a readable ELF file: {e}"))?;
    if elf.header.pt1.class() != Class::SixtyFour {
        return Err("not a 64-bit ELF file".into());
    }
    let (offset, count, size) =
        (elf.header.pt2.ph_offset(), u64::from(elf.header.pt2.ph_count()), u64::from(elf.header.pt2.ph_entry_size()));
    if count > 0 {
        if size != 56 {
            return Err(format!("its program headers are {size} bytes each, not the 56 of ELF64"));
        }
        let end = count.checked_mul(size).and_then(|table| table.checked_add(offset));
        if offset == 0 || end.is_none_or(|end| end > bytes.len() as u64) {
            return Err(format!(
                "its {count} program headers at offset {offset:#x} do not lie inside the file ({} bytes)",
                bytes.len()
            ));
        }
    }
    let mut segments = Vec::new();
    for header in elf.program_iter() {
        if header.get_type() != Ok(SegmentType::Load) || header.mem_size() == 0 {
            continue;
        }
        let flags = header.flags();
        let flags = [(flags.is_read(), 'R'), (flags.is_write(), 'W'), (flags.is_execute(), 'X')]
            .iter()
            .map(|&(set, letter)| if set { letter } else { '-' })
            .collect();
        segments.push(LoadSegment {
            vaddr: header.virtual_addr(),
            offset: header.offset(),
            file_size: header.file_size(),
            mem_size: header.mem_size(),
            flags,
        });
    }
    Ok((elf.header.pt2.entry_point(), segments))
}

fn find_symbol(elf: &ElfFile, name: &str) -> Option<u64> {
    symbol_in(elf, name).map(|(address, _)| address)
}

fn symbol_in(elf: &ElfFile, name: &str) -> Option<(u64, u64)> {
    for section in elf.section_iter() {
        if let Ok(SectionData::SymbolTable64(entries)) = section.get_data(elf) {
            for entry in entries {
                if entry.get_name(elf) == Ok(name) {
                    return Some((entry.value(), entry.size()));
                }
            }
        }
    }
    None
}

/// A symbol's address and size in the kernel ELF.
pub fn symbol_range(bytes: &[u8], name: &str) -> Result<(u64, u64), String> {
    let elf = ElfFile::new(bytes).map_err(|e| format!("the kernel is not a readable ELF file: {e}"))?;
    symbol_in(&elf, name).ok_or_else(|| format!("the kernel has no symbol {name}"))
}

/// Disassembles the kernel with `objdump` (binutils) and looks for any of
/// `forbidden`; returns the first offending line.
fn disassembly_violation(bytes: &[u8], forbidden: &[regex::Regex]) -> Result<Option<String>, String> {
    let path = std::env::temp_dir().join(format!("quest-disasm-{}-{:x}.elf", std::process::id(), bytes.len()));
    std::fs::write(&path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))?;
    let output =
        std::process::Command::new("objdump").args(["-d", "-M", "intel", "--no-show-raw-insn"]).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let output = output.map_err(|e| format!("objdump could not run ({e}); install binutils"))?;
    if !output.status.success() {
        return Err(format!("objdump failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .lines()
        // Instruction lines look like `ffffffff80001000:\tmov rax,rbx`.
        .filter(|line| {
            line.split_once(":\t").is_some_and(|(address, _)| address.trim().chars().all(|c| c.is_ascii_hexdigit()))
        })
        .find(|line| forbidden.iter().any(|pattern| pattern.is_match(line)))
        .map(|line| line.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::judge;
    use crate::checks::ElfRules;

    const PF_X: u32 = 1;
    const PF_W: u32 = 2;
    const PF_R: u32 = 4;

    /// A minimal ELF64: `segments` as (vaddr, flags), and one `.requests`
    /// section holding `requests`.
    fn elf(file_type: u16, segments: &[(u64, u32)], requests: &[u8]) -> Vec<u8> {
        let phoff = 64u64;
        let data_offset = phoff + 56 * segments.len() as u64;
        let shstrtab = b"\0.requests\0.shstrtab\0";
        let shstr_offset = data_offset + requests.len() as u64;
        let shoff = (shstr_offset + shstrtab.len() as u64 + 7) & !7;

        let mut out = Vec::new();
        out.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        out.extend_from_slice(&file_type.to_le_bytes());
        out.extend_from_slice(&62u16.to_le_bytes()); // x86-64
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&segments.first().map_or(0, |s| s.0).to_le_bytes()); // entry
        out.extend_from_slice(&phoff.to_le_bytes());
        out.extend_from_slice(&shoff.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for half in [64u16, 56, segments.len() as u16, 64, 3, 2] {
            out.extend_from_slice(&half.to_le_bytes());
        }
        for (vaddr, flags) in segments {
            out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
            out.extend_from_slice(&flags.to_le_bytes());
            for word in [data_offset, *vaddr, *vaddr, 0, 0x1000, 0x1000] {
                out.extend_from_slice(&word.to_le_bytes());
            }
        }
        out.extend_from_slice(requests);
        out.extend_from_slice(shstrtab);
        out.resize(shoff as usize, 0);
        out.extend_from_slice(&[0; 64]); // null section
        section(&mut out, 1, 1, segments.first().map_or(0, |s| s.0), data_offset, requests.len() as u64);
        section(&mut out, 11, 3, 0, shstr_offset, shstrtab.len() as u64);
        out
    }

    fn section(out: &mut Vec<u8>, name: u32, kind: u32, address: u64, offset: u64, size: u64) {
        out.extend_from_slice(&name.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        for word in [0u64, address, offset, size] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&[0; 8]); // link, info
        out.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // align, entsize
    }

    const HIGH: u64 = 0xffff_ffff_8000_0000;
    const START: [u8; 4] = [0xae, 0xd1, 0xe7, 0x9d];
    const END: [u8; 4] = [0x62, 0x4c, 0x76, 0x31];

    fn rules() -> ElfRules {
        ElfRules {
            fixed_address: true,
            load_at_least: Some(HIGH),
            no_writable_code: true,
            section: Some(".requests".into()),
            section_starts_with: Some(START.to_vec()),
            section_ends_with: Some(END.to_vec()),
            symbol: None,
            disassembly_forbids: Vec::new(),
            absent: Vec::new(),
        }
    }

    fn good_requests() -> Vec<u8> {
        [START.as_slice(), &[0; 8], END.as_slice()].concat()
    }

    #[test]
    fn a_well_linked_higher_half_kernel_passes() {
        let bytes = elf(2, &[(HIGH, PF_R | PF_W), (HIGH + 0x1000, PF_R | PF_X)], &good_requests());
        let seen = judge(&rules(), &bytes).unwrap();
        assert!(seen.contains("ET_EXEC") && seen.contains("section .requests (16 bytes)"), "{seen}");
    }

    #[test]
    fn each_broken_property_is_named() {
        let cases: [(Vec<u8>, &str); 5] = [
            (elf(3, &[(HIGH, PF_R | PF_X)], &good_requests()), "not a fixed-address executable"),
            (elf(2, &[(0x20_0000, PF_R | PF_X)], &good_requests()), "below 0xffffffff80000000"),
            (elf(2, &[(HIGH, PF_R | PF_W | PF_X)], &good_requests()), "both writable and executable"),
            (elf(2, &[(HIGH, PF_R | PF_X)], &[0; 16]), "does not begin with the expected"),
            (elf(2, &[(HIGH, PF_R | PF_X)], &[START.as_slice(), &[0; 12]].concat()), "does not end with the expected"),
        ];
        for (bytes, wanted) in cases {
            let problem = judge(&rules(), &bytes).unwrap_err();
            assert!(problem.contains(wanted), "wanted {wanted:?}, got {problem:?}");
        }
    }

    #[test]
    fn a_forbidden_instruction_in_the_disassembly_is_found() {
        // `movaps xmm0, xmm1` (0f 28 c1) in an executable segment.
        let mut bytes = elf(2, &[(HIGH, PF_R | PF_X)], &[0x0f, 0x28, 0xc1, 0x90]);
        let rules =
            ElfRules { disassembly_forbids: vec![regex::Regex::new(r"\bxmm\d").unwrap()], ..ElfRules::default() };
        // objdump disassembles sections flagged executable: mark ours so.
        let flags_offset = bytes.len() - 2 * 64 + 8;
        bytes[flags_offset] = 0x6; // SHF_ALLOC | SHF_EXECINSTR
        match judge(&rules, &bytes) {
            Err(problem) => assert!(problem.contains("xmm0"), "{problem}"),
            Ok(seen) => panic!("SSE not noticed: {seen}"),
        }
        let clean = elf(2, &[(HIGH, PF_R | PF_X)], &[0x90, 0x90, 0xc3, 0x90]);
        let mut clean = clean;
        clean[flags_offset] = 0x6;
        assert!(judge(&rules, &clean).is_ok());
    }

    #[test]
    fn garbage_is_not_an_elf() {
        assert!(judge(&rules(), b"not an elf").unwrap_err().contains("not a readable ELF"));
    }
}
