//! The load plan over a small ELF built here, and over broken copies of it.

use super::*;

const BASE: u64 = HIGHER_HALF_BASE;
const PF_R: u32 = 4;

/// One program header of the test file; `data` is placed in the file and
/// becomes the segment's file bytes (`p_filesz`) when `kind` is PT_LOAD.
struct Program {
    kind: u32,
    flags: u32,
    vaddr: u64,
    memsz: u64,
    data: Vec<u8>,
}

fn load(flags: u32, vaddr: u64, memsz: u64, data: &[u8]) -> Program {
    Program { kind: PT_LOAD, flags, vaddr, memsz, data: data.to_vec() }
}

/// Builds a little-endian ELF64 x86-64 executable: file header, program
/// headers, then each program's bytes.
fn build(entry: u64, programs: &[Program]) -> Vec<u8> {
    let header_bytes = 64 + 56 * programs.len();
    let mut file = vec![0u8; header_bytes];
    file[..4].copy_from_slice(b"\x7fELF");
    file[4] = 2; // ELFCLASS64
    file[5] = 1; // little-endian
    file[6] = 1; // EV_CURRENT
    file[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    file[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    file[20..24].copy_from_slice(&1u32.to_le_bytes());
    file[24..32].copy_from_slice(&entry.to_le_bytes());
    file[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    file[52..54].copy_from_slice(&64u16.to_le_bytes());
    file[54..56].copy_from_slice(&56u16.to_le_bytes());
    file[56..58].copy_from_slice(&(programs.len() as u16).to_le_bytes());
    for (index, program) in programs.iter().enumerate() {
        let offset = file.len() as u64;
        file.extend_from_slice(&program.data);
        let at = 64 + 56 * index;
        let entry = &mut file[at..at + 56];
        entry[0..4].copy_from_slice(&program.kind.to_le_bytes());
        entry[4..8].copy_from_slice(&program.flags.to_le_bytes());
        entry[8..16].copy_from_slice(&offset.to_le_bytes());
        entry[16..24].copy_from_slice(&program.vaddr.to_le_bytes());
        entry[24..32].copy_from_slice(&program.vaddr.to_le_bytes());
        entry[32..40].copy_from_slice(&(program.data.len() as u64).to_le_bytes());
        entry[40..48].copy_from_slice(&program.memsz.to_le_bytes());
        entry[48..56].copy_from_slice(&0x1000u64.to_le_bytes());
    }
    file
}

/// A kernel shaped like MinimalOS's: requests (RW), text (RX), data + bss (RW).
fn kernel() -> Vec<u8> {
    build(
        BASE + 0x1000,
        &[
            load(PF_R | PF_W, BASE, 0x40, &[0xaa; 0x40]),
            load(PF_R | PF_X, BASE + 0x1000, 0x10, &[0x90; 0x10]),
            load(PF_R | PF_W, BASE + 0x2000, 0x3000, &[0x55; 0x20]),
        ],
    )
}

fn program_header_field(file: &mut [u8], index: usize, field: usize, value: u64) {
    let at = 64 + 56 * index + field;
    file[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

#[test]
fn plans_every_loadable_segment_at_its_link_address() {
    let plan = LoadPlan::parse(&kernel()).unwrap();
    assert_eq!(plan.entry, BASE + 0x1000);
    assert_eq!(plan.virtual_base, BASE);
    assert_eq!(plan.image_bytes, 0x5000);
    assert_eq!(plan.alignment, 0x1000);
    let shapes: Vec<_> =
        plan.segments.iter().map(|s| (s.vaddr, s.memsz, s.file_range.len(), s.writable(), s.executable())).collect();
    assert_eq!(
        shapes,
        [
            (BASE, 0x40, 0x40, true, false),
            (BASE + 0x1000, 0x10, 0x10, false, true),
            (BASE + 0x2000, 0x3000, 0x20, true, false)
        ]
    );
    assert_eq!(&kernel()[plan.segments[1].file_range.clone()], &[0x90; 0x10]);
}

#[test]
fn knows_which_addresses_are_code() {
    let plan = LoadPlan::parse(&kernel()).unwrap();
    assert!(plan.is_executable(BASE + 0x1000));
    assert!(!plan.is_executable(BASE + 0x20));
    assert_eq!(plan.image_offset(BASE + 0x2008), Some(0x2008));
    assert_eq!(plan.image_offset(BASE + 0x5000), None);
}

#[test]
fn skips_non_load_and_empty_segments() {
    let stack = Program { kind: 0x6474_e551, flags: PF_R | PF_W, vaddr: 0, memsz: 0, data: vec![] }; // PT_GNU_STACK
    let file = build(BASE, &[stack, load(PF_R | PF_X, BASE, 0x10, &[0; 0x10]), load(PF_R, BASE + 0x1000, 0, &[])]);
    assert_eq!(LoadPlan::parse(&file).unwrap().segments.len(), 1);
}

#[test]
fn rejects_bad_magic() {
    let mut file = kernel();
    file[0] = 0x7e;
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::BadMagic));
    assert_eq!(LoadPlan::parse(b"#!/bin/sh\n"), Err(ElfError::BadMagic));
    assert_eq!(LoadPlan::parse(b"\x7fELF"), Err(ElfError::TooShort));
}

#[test]
fn rejects_the_wrong_class_endianness_and_machine() {
    let corrupt = |at: usize, value: u8| {
        let mut file = kernel();
        file[at] = value;
        LoadPlan::parse(&file).unwrap_err()
    };
    assert_eq!(corrupt(4, 1), ElfError::NotElf64);
    assert_eq!(corrupt(5, 2), ElfError::NotLittleEndian);
    assert_eq!(corrupt(18, 183), ElfError::WrongMachine(183)); // aarch64
}

#[test]
fn rejects_relocatable_kernels_and_says_why() {
    let mut file = kernel();
    file[16] = 3; // ET_DYN
    let error = LoadPlan::parse(&file).unwrap_err();
    assert_eq!(error, ElfError::Relocatable);
    assert!(error.to_string().contains("relocation"), "{error}");
}

#[test]
fn rejects_a_dynamic_segment() {
    let dynamic = Program { kind: PT_DYNAMIC, flags: PF_R, vaddr: BASE + 0x1000, memsz: 0x10, data: vec![0; 0x10] };
    let file = build(BASE, &[load(PF_R | PF_X, BASE, 0x10, &[0; 0x10]), dynamic]);
    let error = LoadPlan::parse(&file).unwrap_err();
    assert_eq!(error, ElfError::Dynamic);
    assert!(error.to_string().contains("relocations are not supported"), "{error}");
}

#[test]
fn rejects_an_interpreter() {
    let interp = Program { kind: PT_INTERP, flags: PF_R, vaddr: BASE + 0x1000, memsz: 3, data: b"ld\0".to_vec() };
    let file = build(BASE, &[load(PF_R | PF_X, BASE, 0x10, &[0; 0x10]), interp]);
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::Interpreter));
}

#[test]
fn rejects_overlapping_segments() {
    let file =
        build(BASE, &[load(PF_R | PF_X, BASE, 0x2000, &[0; 0x10]), load(PF_R | PF_X, BASE + 0x1000, 0x10, &[0; 0x10])]);
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::Overlap { first: 0, second: 1 }));
}

#[test]
fn rejects_segments_sharing_a_page_with_different_permissions() {
    let file =
        build(BASE, &[load(PF_R | PF_X, BASE, 0x10, &[0; 0x10]), load(PF_R | PF_W, BASE + 0x800, 0x10, &[0; 0x10])]);
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::MixedPermissionsInPage { first: 0, second: 1 }));
}

#[test]
fn rejects_a_segment_outside_the_file() {
    let mut file = kernel();
    let past_the_end = file.len() as u64 - 8;
    program_header_field(&mut file, 2, 8, past_the_end); // p_offset of segment 2
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::SegmentOutsideFile { index: 2 }));
}

#[test]
fn rejects_more_file_bytes_than_memory_bytes() {
    let mut file = kernel();
    program_header_field(&mut file, 1, 40, 0x8); // p_memsz of segment 1
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::FileSizeExceedsMemorySize { index: 1 }));
}

#[test]
fn rejects_lower_half_segments() {
    let file = build(0x20_0000, &[load(PF_R | PF_X, 0x20_0000, 0x10, &[0; 0x10])]);
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::LowerHalf { index: 0, vaddr: 0x20_0000 }));
}

#[test]
fn rejects_a_program_header_table_outside_the_file() {
    let mut file = kernel();
    let past_the_end = file.len() as u64;
    file[32..40].copy_from_slice(&past_the_end.to_le_bytes());
    assert_eq!(LoadPlan::parse(&file), Err(ElfError::ProgramHeadersOutsideFile));
}

#[test]
fn rejects_a_file_without_loadable_segments() {
    assert_eq!(LoadPlan::parse(&build(BASE, &[])), Err(ElfError::NoLoadableSegments));
}

#[test]
fn finds_a_named_section() {
    let mut file = kernel();
    // Append a section-name table and three section headers: null,
    // `.shstrtab`, `.limine_reqs` (pointing at segment 0's bytes).
    let names_at = file.len();
    file.extend_from_slice(b"\0.shstrtab\0.limine_reqs\0");
    let table_at = file.len();
    let mut section = |name: u32, offset: u64, size: u64| {
        let mut header = [0u8; 64];
        header[0..4].copy_from_slice(&name.to_le_bytes());
        header[24..32].copy_from_slice(&offset.to_le_bytes());
        header[32..40].copy_from_slice(&size.to_le_bytes());
        file.extend_from_slice(&header);
    };
    section(0, 0, 0);
    section(1, names_at as u64, 24);
    section(11, 0xb0, 0x40);
    file[40..48].copy_from_slice(&(table_at as u64).to_le_bytes());
    file[58..60].copy_from_slice(&64u16.to_le_bytes());
    file[60..62].copy_from_slice(&3u16.to_le_bytes());
    file[62..64].copy_from_slice(&1u16.to_le_bytes());
    assert_eq!(find_section(&file, ".limine_reqs"), Ok(Some(0xb0..0xf0)));
    assert_eq!(find_section(&file, ".limine"), Ok(None));
    assert_eq!(find_section(&kernel(), ".limine_reqs"), Ok(None));
}
