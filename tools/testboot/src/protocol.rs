//! The Limine protocol's response structures, byte for byte.
//!
//! Each struct copies its `limine.h` counterpart (PROTOCOL.md v8.2.0,
//! "Feature List") and matches the layout the `limine` crate 0.5.0 reads in
//! the kernel; the assertions at the bottom pin the sizes. Pointers are
//! plain `u64`s because they hold HHDM addresses, valid only once the
//! kernel runs on testboot's page tables (PROTOCOL.md, "General Notes").
//!
//! Request IDs are listed by their last two words; the first two are the
//! common magic every request shares (`bootplan::requests::COMMON_MAGIC`).

use core::mem::size_of;

use crate::Error;
use crate::memory::{Arena, hhdm};

/// `id[2..4]` of each request testboot answers.
pub mod id {
    pub const BOOTLOADER_INFO: [u64; 2] = [0xf55038d8e2a1202f, 0x279426fcf5f59740];
    pub const FIRMWARE_TYPE: [u64; 2] = [0x8c2f75d90bef28a8, 0x7045a4688eac00c3];
    pub const STACK_SIZE: [u64; 2] = [0x224ef0460a8e8926, 0xe1cb0fc25f46ea3d];
    pub const HHDM: [u64; 2] = [0x48dcf1cb8ad2b852, 0x63984e959a98244b];
    pub const FRAMEBUFFER: [u64; 2] = [0x9d5827dcd881dd75, 0xa3148604f6fab11b];
    pub const PAGING_MODE: [u64; 2] = [0x95c1a0edab0944cb, 0xa4e5cb3842f7488a];
    pub const MEMORY_MAP: [u64; 2] = [0x67cf3d9d378a806f, 0xe304acdfc50c3c62];
    pub const ENTRY_POINT: [u64; 2] = [0x13d86c035a1cd3e1, 0x2b0caa89d8f3026a];
    pub const KERNEL_FILE: [u64; 2] = [0xad97e90e83f1ed67, 0x31eb5d1c5ff23b69];
    pub const MODULE: [u64; 2] = [0x3e7e279702be32af, 0xca1c4f3bd1280cee];
    pub const RSDP: [u64; 2] = [0xc5e77b6b397e7b43, 0x27637845accdcf3c];
    pub const KERNEL_ADDRESS: [u64; 2] = [0x71ba76863cc55f63, 0xb2644a48c516a487];
}

/// Requests PROTOCOL.md v8.2.0 defines that testboot leaves unanswered,
/// named so the serial log says which one was skipped.
pub const UNANSWERED: &[([u64; 2], &str)] = &[
    ([0x95a67b819a1b857e, 0xa0b61b723b6a73e0], "SMP"),
    ([0x9e9046f11e095391, 0xaa4a520fefbde5ee], "SMBIOS"),
    ([0x5ceba5163eaaf6d6, 0x0a6981610cf65fcc], "EFI system table"),
    ([0x7df62a431d6872d5, 0xa4fcdfb3e57306c8], "EFI memory map"),
    ([0x502746e184c088aa, 0xfbc5ec83e6327893], "boot time"),
    ([0xb40ddb48fb54bac7, 0x545081493f81ffb7], "device tree blob"),
    ([0x4b161536e598651e, 0xb390ad4a2f1f303a], "executable command line (newer than 8.2)"),
];

/// `LIMINE_FIRMWARE_TYPE_UEFI64`.
pub const FIRMWARE_TYPE_UEFI64: u64 = 2;
/// `LIMINE_FRAMEBUFFER_RGB`.
pub const MEMORY_MODEL_RGB: u8 = 1;
/// `LIMINE_PAGING_MODE_X86_64_4LVL`.
pub const PAGING_MODE_4_LEVEL: u64 = 0;

/// The shape of every response that carries one value after `revision`
/// (firmware type, HHDM offset, RSDP address, kernel file pointer...).
#[repr(C)]
pub struct OneValueResponse {
    pub revision: u64,
    pub value: u64,
}

/// Responses with nothing but a revision (stack size, entry point).
#[repr(C)]
pub struct EmptyResponse {
    pub revision: u64,
}

/// Bootloader info, and any response made of two values.
#[repr(C)]
pub struct TwoValueResponse {
    pub revision: u64,
    pub first: u64,
    pub second: u64,
}

/// Framebuffer, module and memory-map responses: a count and a pointer to
/// an array of pointers.
#[repr(C)]
pub struct ListResponse {
    pub revision: u64,
    pub count: u64,
    pub list: u64,
}

impl ListResponse {
    /// Places a list response over `items` (physical addresses of
    /// structures), with its array of HHDM pointers; returns the
    /// response's physical address.
    pub fn place(arena: &mut Arena, revision: u64, items: &[u64]) -> Result<u64, Error> {
        let pointers: alloc::vec::Vec<u64> = items.iter().map(|&item| hhdm(item)).collect();
        let list = arena.place_slice(&pointers)?;
        arena.place(ListResponse { revision, count: items.len() as u64, list: hhdm(list) })
    }
}

/// `struct limine_framebuffer` (response revision 1: with the mode list).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Framebuffer {
    pub address: u64,
    pub width: u64,
    pub height: u64,
    pub pitch: u64,
    pub bpp: u16,
    pub memory_model: u8,
    pub masks: PixelMasks,
    pub unused: [u8; 7],
    pub edid_size: u64,
    pub edid: u64,
    pub mode_count: u64,
    pub modes: u64,
}

/// Red, green and blue `(mask_size, mask_shift)`, in `limine.h` order.
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct PixelMasks {
    pub red_size: u8,
    pub red_shift: u8,
    pub green_size: u8,
    pub green_shift: u8,
    pub blue_size: u8,
    pub blue_shift: u8,
}

/// `struct limine_video_mode`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct VideoMode {
    pub pitch: u64,
    pub width: u64,
    pub height: u64,
    pub bpp: u16,
    pub memory_model: u8,
    pub masks: PixelMasks,
}

/// `struct limine_uuid`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Uuid {
    pub a: u32,
    pub b: u16,
    pub c: u16,
    pub d: [u8; 8],
}

/// `struct limine_file`, revision 0.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct File {
    pub revision: u64,
    pub address: u64,
    pub size: u64,
    pub path: u64,
    pub cmdline: u64,
    pub media_type: u32,
    pub unused: u32,
    pub tftp_ip: u32,
    pub tftp_port: u32,
    pub partition_index: u32,
    pub mbr_disk_id: u32,
    pub gpt_disk_uuid: Uuid,
    pub gpt_part_uuid: Uuid,
    pub part_uuid: Uuid,
}

// The sizes `limine.h` gives these structures on x86-64.
const _: () = assert!(size_of::<Framebuffer>() == 80);
const _: () = assert!(size_of::<VideoMode>() == 40);
const _: () = assert!(size_of::<File>() == 112);
const _: () = assert!(size_of::<ListResponse>() == 24);
const _: () = assert!(size_of::<bootplan::MemoryRegion>() == 24);
