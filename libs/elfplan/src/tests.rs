//! The plan, tested on the programs the project builds and on copies of
//! them broken one rule at a time, plus random damage that must never
//! make the planner panic.

use std::path::PathBuf;

use super::*;
use crate::forge::{aligned_copy, expected, forgeries};

/// A program from `build/user/` (`make user` builds them; `make test` runs
/// it before `cargo test`).
fn program(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../build/user").join(format!("{name}.elf"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; run `make user` first", path.display()))
}

fn plan_of(bytes: &[u8]) -> Result<Plan, LoadError> {
    plan(&aligned_copy(bytes))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// The PT_LOAD headers as `readelf -l` shows them, read independently of
/// the planner: (vaddr, offset, filesz, memsz, flags).
fn loads(bytes: &[u8]) -> Vec<(u64, u64, u64, u64, u32)> {
    let table = u64_at(bytes, 32) as usize;
    let count = u16::from_le_bytes([bytes[56], bytes[57]]) as usize;
    (0..count)
        .map(|i| table + i * 56)
        .filter(|&h| u32::from_le_bytes(bytes[h..h + 4].try_into().unwrap()) == 1 && u64_at(bytes, h + 40) > 0)
        .map(|h| {
            let flags = u32::from_le_bytes(bytes[h + 4..h + 8].try_into().unwrap());
            (u64_at(bytes, h + 16), u64_at(bytes, h + 8), u64_at(bytes, h + 32), u64_at(bytes, h + 40), flags)
        })
        .collect()
}

const PROGRAMS: [&str; 5] = ["first", "answer", "hostile", "segments", "cat"];

#[test]
fn real_programs_plan_as_their_headers_say() {
    for name in PROGRAMS {
        let bytes = program(name);
        let plan = plan_of(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let seen: Vec<_> =
            plan.segments.iter().map(|s| (s.vaddr, s.offset, s.file_size, s.memory_size, s.flags.0)).collect();
        assert_eq!(seen, loads(&bytes), "{name}");
        assert_eq!(plan.entry, u64_at(&bytes, 24), "{name}");
        assert!(plan.segments.iter().all(|s| !(s.flags.writable() && s.flags.executable())), "{name}");
        assert_eq!(plan.segments[0].flags.to_string(), "R-X", "{name}: text first");
    }
}

#[test]
fn segments_has_a_bss_that_the_plan_zero_fills() {
    let plan = plan_of(&program("segments")).unwrap();
    let data = plan.segments.iter().find(|s| s.flags.writable()).expect("a data segment");
    assert_eq!(data.flags.to_string(), "RW-");
    assert!(data.memory_size >= data.file_size + 4 * PAGE, "a BSS of several pages: {data:?}");
    // The last pages hold no file bytes at all: only zeros go there.
    let (_, last) = data.pages();
    assert_eq!(data.file_bytes_for_page(last), None);
    let (first, _) = data.pages();
    let (range, at) = data.file_bytes_for_page(first).expect("the initialised data");
    assert_eq!((range.start as u64, at as u64), (data.offset, data.vaddr - first));
}

#[test]
fn file_bytes_for_page_splits_at_page_boundaries() {
    let segment =
        Segment { index: 0, vaddr: 0x400800, offset: 0x1800, file_size: 0x1000, memory_size: 0x3000, flags: Flags(6) };
    assert_eq!(segment.pages(), (0x400000, 0x403000));
    assert_eq!(segment.file_bytes_for_page(0x400000), Some((0x1800..0x2000, 0x800)));
    assert_eq!(segment.file_bytes_for_page(0x401000), Some((0x2000..0x2800, 0)));
    assert_eq!(segment.file_bytes_for_page(0x402000), None);
    assert_eq!(segment.file_bytes_for_page(0x403000), None);
}

#[test]
fn every_forgery_is_refused_for_its_own_reason() {
    for original in ["answer", "first", "segments"] {
        let forged = forgeries(&program(original)).unwrap();
        assert_eq!(forged.len(), 8);
        for forgery in forged {
            let error = plan_of(&forgery.bytes).expect_err(forgery.name);
            assert!(expected(forgery.name, &error), "{original}/{}: refused with {error:?}", forgery.name);
            assert!(!error.to_string().is_empty());
        }
    }
}

#[test]
fn refusals_read_well() {
    let forged = forgeries(&program("answer")).unwrap();
    let reasons: Vec<String> =
        forged.iter().map(|f| format!("{}: {}", f.name, plan_of(&f.bytes).unwrap_err())).collect();
    let text = reasons.join("\n");
    for words in [
        "bad-magic: bad magic: not an ELF file",
        "class-32: 32-bit ELF (class 1), not 64-bit",
        "wrong-machine: wrong machine 40, not x86-64 (62)",
        "past the end of the file",
        "is outside the user half",
        "overlap (share a page)",
        "larger than memory size",
        "outside every executable segment",
    ] {
        assert!(text.contains(words), "{words:?} missing from\n{text}");
    }
}

#[test]
fn header_rules_each_fire() {
    let good = program("answer");
    let patched = |at: usize, bytes: &[u8]| {
        let mut copy = good.clone();
        copy[at..at + bytes.len()].copy_from_slice(bytes);
        plan_of(&copy)
    };
    assert_eq!(plan_of(&good[..10]), Err(LoadError::TooShort { length: 10 }));
    assert_eq!(plan_of(b"\x7fEL"), Err(LoadError::TooShort { length: 3 }));
    assert_eq!(patched(5, &[2]), Err(LoadError::NotLittleEndian { data: 2 }));
    assert_eq!(patched(6, &[7]), Err(LoadError::BadVersion { version: 7 }));
    assert_eq!(patched(16, &3u16.to_le_bytes()), Err(LoadError::NotExecutable { kind: 3 }));
    assert_eq!(patched(54, &32u16.to_le_bytes()), Err(LoadError::BadProgramHeaderSize { size: 32 }));
    assert_eq!(patched(56, &40u16.to_le_bytes()), Err(LoadError::TooManyProgramHeaders { count: 40 }));
    assert!(matches!(patched(32, &u64::MAX.to_le_bytes()), Err(LoadError::ProgramHeadersOutsideFile { .. })));
    assert_eq!(patched(32, &0x44u64.to_le_bytes()), Err(LoadError::ProgramHeadersMisaligned { offset: 0x44 }));
    let table = u64_at(&good, 32) as usize;
    // PT_INTERP (3) in place of the first PT_LOAD.
    assert_eq!(patched(table, &3u32.to_le_bytes()), Err(LoadError::NeedsDynamicLinker { index: 0 }));
    // PF_R | PF_W | PF_X on the code.
    assert_eq!(patched(table + 4, &7u32.to_le_bytes()), Err(LoadError::WritableAndExecutable { index: 0 }));
    assert_eq!(
        patched(table + 16, &0x1000u64.to_le_bytes()),
        Err(LoadError::BelowImageBase { index: 0, vaddr: 0x1000 })
    );
    assert_eq!(patched(table + 48, &0x3000u64.to_le_bytes()), Err(LoadError::BadAlignment { index: 0, align: 0x3000 }));
    assert!(matches!(patched(table + 16, &0x400010u64.to_le_bytes()), Err(LoadError::NotCongruent { .. })));
    assert_eq!(
        patched(table + 16, &(abi::USER_STACK_TOP - 0x2000).to_le_bytes()),
        Err(LoadError::OverlapsStack { index: 0 })
    );
    assert!(matches!(patched(table + 40, &u64::MAX.to_le_bytes()), Err(LoadError::OutsideUserHalf { .. })));
    // No program headers at all.
    assert_eq!(patched(56, &0u16.to_le_bytes()), Err(LoadError::NoLoadableSegments));
}

#[test]
fn the_planner_insists_on_alignment_instead_of_reading_misaligned() {
    let good = program("answer");
    let mut shifted = vec![0u8; good.len() + 8];
    let start = shifted.as_ptr().align_offset(8) + 1;
    shifted[start..start + good.len()].copy_from_slice(&good);
    assert_eq!(plan(&shifted[start..start + good.len()]), Err(LoadError::Misaligned));
}

/// Random damage to real programs: any result but a panic is fine, and an
/// accepted plan must still keep every promise the kernel relies on.
#[test]
fn mutated_programs_never_panic_and_accepted_plans_stay_sane() {
    let mut rng = heap::XorShift64::new(0x5eed_1234);
    let mut next = move || rng.next_u64();
    let originals: Vec<Vec<u8>> = PROGRAMS.iter().map(|n| program(n)).collect();
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..200_000 {
        let mut bytes = originals[round % originals.len()].clone();
        // Damage the headers most of the time, where the rules live.
        for _ in 0..1 + next() % 4 {
            let at = if next().is_multiple_of(4) { next() as usize % bytes.len() } else { next() as usize % 400 };
            let length = bytes.len();
            bytes[at % length] = next() as u8;
        }
        if next().is_multiple_of(16) {
            bytes.truncate(next() as usize % bytes.len());
        }
        match plan_of(&bytes) {
            Ok(plan) => {
                accepted += 1;
                for s in &plan.segments {
                    assert!(s.file_size <= s.memory_size);
                    assert!(s.offset + s.file_size <= bytes.len() as u64);
                    assert!(s.vaddr >= abi::USER_IMAGE_BASE && s.end() <= abi::USER_END);
                    assert!(!(s.flags.writable() && s.flags.executable()));
                }
                assert!(
                    plan.segments.iter().any(|s| s.flags.executable() && s.vaddr <= plan.entry && plan.entry < s.end())
                );
            }
            Err(_) => refused += 1,
        }
    }
    eprintln!("mutated programs: {accepted} plans accepted (and sane), {refused} refused, no panic");
    assert!(accepted > 1000 && refused > 1000, "both outcomes exercised: {accepted} accepted, {refused} refused");
}

#[test]
fn random_bytes_are_refused_without_panicking() {
    let mut rng = 0xdead_beef_u64;
    for _ in 0..20_000 {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let length = (rng >> 40) as usize % 600;
        let mut bytes: Vec<u8> = (0..length).map(|i| (rng >> (i % 56)) as u8 ^ i as u8).collect();
        if length >= 7 && rng.is_multiple_of(2) {
            bytes[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        }
        assert!(plan_of(&bytes).is_err());
    }
}
