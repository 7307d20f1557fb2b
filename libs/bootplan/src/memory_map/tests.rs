//! The UEFI → Limine memory-map conversion: types, order, merging, alignment.

use super::*;

const CONVENTIONAL: u32 = 7;
const BOOT_SERVICES_DATA: u32 = 4;
const LOADER_DATA: u32 = 2;
const RUNTIME_CODE: u32 = 5;
const ACPI_NVS: u32 = 10;
const MMIO: u32 = 11;

fn firmware(base: u64, pages: u64, efi_type: u32) -> FirmwareRegion {
    FirmwareRegion { base, pages, efi_type }
}

fn region(base: u64, length: u64, kind: MemoryKind) -> MemoryRegion {
    MemoryRegion { base, length, kind }
}

fn convert(input: &[FirmwareRegion], overlays: &[MemoryRegion]) -> Vec<MemoryRegion> {
    let mut out = [MemoryRegion::default(); 32];
    let count = build(input.iter().copied(), overlays, &mut out).unwrap();
    out[..count].to_vec()
}

#[test]
fn sorts_entries_by_base() {
    let map = convert(&[firmware(0x10_0000, 1, ACPI_NVS), firmware(0x1000, 1, RUNTIME_CODE)], &[]);
    assert_eq!(map, [region(0x1000, 0x1000, MemoryKind::Reserved), region(0x10_0000, 0x1000, MemoryKind::AcpiNvs)]);
}

#[test]
fn frees_boot_services_memory_and_merges_it_with_conventional_memory() {
    let map = convert(
        &[
            firmware(0x1000, 2, CONVENTIONAL),
            firmware(0x3000, 1, BOOT_SERVICES_DATA),
            firmware(0x4000, 4, CONVENTIONAL),
        ],
        &[],
    );
    assert_eq!(map, [region(0x1000, 0x7000, MemoryKind::Usable)]);
}

#[test]
fn keeps_what_testboot_leaves_for_the_kernel_out_of_usable_memory() {
    let map = convert(
        &[
            firmware(0x1000, 1, CONVENTIONAL),
            firmware(0x2000, 1, LOADER_DATA),
            firmware(0x3000, 1, efi_type_for(MemoryKind::BootloaderReclaimable)),
            firmware(0x4000, 2, efi_type_for(MemoryKind::ExecutableAndModules)),
        ],
        &[],
    );
    assert_eq!(
        map,
        [
            region(0x1000, 0x1000, MemoryKind::Usable),
            region(0x2000, 0x2000, MemoryKind::BootloaderReclaimable),
            region(0x4000, 0x2000, MemoryKind::ExecutableAndModules),
        ]
    );
}

#[test]
fn converts_every_uefi_type_to_its_limine_type() {
    let expected = [
        (0, MemoryKind::Reserved),
        (1, MemoryKind::BootloaderReclaimable),
        (2, MemoryKind::BootloaderReclaimable),
        (3, MemoryKind::Usable),
        (4, MemoryKind::Usable),
        (5, MemoryKind::Reserved),
        (6, MemoryKind::Reserved),
        (7, MemoryKind::Usable),
        (8, MemoryKind::BadMemory),
        (9, MemoryKind::AcpiReclaimable),
        (10, MemoryKind::AcpiNvs),
        (11, MemoryKind::Reserved),
        (12, MemoryKind::Reserved),
        (13, MemoryKind::Reserved),
        (14, MemoryKind::Reserved),
        (15, MemoryKind::Reserved),
        (0x7000_0000, MemoryKind::Reserved),
        (0x8000_0007, MemoryKind::Reserved),
    ];
    for (efi_type, kind) in expected {
        assert_eq!(kind_of_efi_type(efi_type), kind, "UEFI type {efi_type:#x}");
    }
}

#[test]
fn never_marks_page_zero_usable() {
    let map = convert(&[firmware(0, 0xa0, CONVENTIONAL)], &[]);
    assert_eq!(map, [region(0x1000, 0x9f000, MemoryKind::Usable)]);
}

#[test]
fn cuts_the_framebuffer_out_of_usable_memory_and_realigns_the_pieces() {
    let framebuffer = region(0x8_0800, 0x1_0000, MemoryKind::Framebuffer);
    let map = convert(&[firmware(0x1000, 0x100, CONVENTIONAL)], &[framebuffer]);
    assert_eq!(
        map,
        [region(0x1000, 0x7_f000, MemoryKind::Usable), framebuffer, region(0x9_1000, 0x70_000, MemoryKind::Usable),]
    );
}

#[test]
fn lets_the_framebuffer_overlap_other_reserved_ranges() {
    let framebuffer = region(0x8000_0000, 0x3e_8000, MemoryKind::Framebuffer);
    let map = convert(&[firmware(0x8000_0000, 0x1000, MMIO)], &[framebuffer]);
    assert_eq!(map, [region(0x8000_0000, 0x100_0000, MemoryKind::Reserved), framebuffer]);
}

#[test]
fn gives_reclaimable_memory_priority_over_usable_memory_it_overlaps() {
    let map = convert(&[firmware(0x1000, 4, CONVENTIONAL), firmware(0x2000, 1, LOADER_DATA)], &[]);
    assert_eq!(
        map,
        [
            region(0x1000, 0x1000, MemoryKind::Usable),
            region(0x2000, 0x1000, MemoryKind::BootloaderReclaimable),
            region(0x3000, 0x2000, MemoryKind::Usable),
        ]
    );
}

#[test]
fn leaves_no_usable_or_reclaimable_entry_overlapping_or_unaligned() {
    let map = convert(
        &[
            firmware(0, 0x100, CONVENTIONAL),
            firmware(0x5_0000, 0x10, LOADER_DATA),
            firmware(0x5_8000, 0x20, RUNTIME_CODE),
            firmware(0x9_0000, 0x80, BOOT_SERVICES_DATA),
        ],
        &[region(0x9_0123, 0x2345, MemoryKind::Framebuffer)],
    );
    for (index, entry) in map.iter().enumerate() {
        if is_strict(entry.kind) {
            assert_eq!(entry.base % PAGE_SIZE, 0, "{entry:?}");
            assert_eq!(entry.length % PAGE_SIZE, 0, "{entry:?}");
            for other in map.iter().enumerate().filter(|(other, _)| *other != index).map(|(_, other)| other) {
                assert!(end(entry) <= other.base || end(other) <= entry.base, "{entry:?} overlaps {other:?}");
            }
        }
        if index > 0 {
            assert!(map[index - 1].base <= entry.base, "not sorted: {map:?}");
        }
    }
}

#[test]
fn reports_when_the_reserved_space_is_too_small() {
    let mut out = [MemoryRegion::default(); 2];
    let input = [firmware(0x1000, 1, CONVENTIONAL), firmware(0x3000, 1, MMIO), firmware(0x5000, 1, CONVENTIONAL)];
    assert_eq!(build(input, &[], &mut out), Err(MapError { capacity: 2 }));
}

#[test]
fn lays_entries_out_like_limine_memmap_entry() {
    assert_eq!(core::mem::size_of::<MemoryRegion>(), 24);
    assert_eq!(core::mem::align_of::<MemoryRegion>(), 8);
}
