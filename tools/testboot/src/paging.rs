//! Four-level x86-64 page tables, built in memory the kernel will inherit.
//!
//! testboot cannot use the firmware's page tables: they map nothing in the
//! higher half, and they live in boot-services memory the kernel will reuse.
//! So it builds its own, in BOOTLOADER_RECLAIMABLE arena pages (PROTOCOL.md,
//! "Entry memory layout": "The bootloader page tables are in
//! bootloader-reclaimable memory"). This module knows how to map one 4 KiB
//! or 2 MiB page; `address_space` decides what to map.
//!
//! Like Limine (common/mm/vmm.c), non-leaf entries are present, writable
//! and user-accessible, so that only the leaf decides access; mapping a
//! 4 KiB page inside an existing 2 MiB page splits it into 512 small pages
//! with the same rights. Tables are written through UEFI's identity map.

use x86_64::PhysAddr;
use x86_64::structures::paging::{PageTable, PageTableFlags};

use crate::Error;
use crate::memory::Arena;

/// Where the higher half direct map starts with 4-level paging, without
/// randomisation (Limine 8.2: `paging_mode_higher_half`, common/mm/vmm.h).
pub const HHDM_OFFSET: u64 = 0xffff_8000_0000_0000;
pub const PAGE_4K: u64 = 4096;
pub const PAGE_2M: u64 = 2 * 1024 * 1024;

/// Flags of every non-leaf entry.
const TABLE_FLAGS: PageTableFlags =
    PageTableFlags::PRESENT.union(PageTableFlags::WRITABLE).union(PageTableFlags::USER_ACCESSIBLE);

/// Page tables under construction; `root` is the PML4's physical address,
/// the value for CR3.
pub struct PageTables {
    pub root: u64,
}

impl PageTables {
    pub fn new(arena: &mut Arena) -> Result<Self, Error> {
        Ok(PageTables { root: new_table(arena)? })
    }

    /// Maps the 4 KiB page at `virtual_address` to `physical`. `flags` are
    /// the leaf's; PRESENT is added.
    pub fn map_4k(
        &mut self,
        arena: &mut Arena,
        virtual_address: u64,
        physical: u64,
        flags: PageTableFlags,
    ) -> Result<(), Error> {
        let directory = self.walk_to_directory(arena, virtual_address)?;
        let table = child(arena, &mut directory[index(virtual_address, 1)])?;
        table[index(virtual_address, 0)].set_addr(PhysAddr::new(physical), flags | PageTableFlags::PRESENT);
        Ok(())
    }

    /// Maps the 2 MiB page at `virtual_address` (2 MiB-aligned) to
    /// `physical` (2 MiB-aligned). Replaces a small-page table if there was
    /// one; testboot maps large pages before small ones, so none is lost.
    pub fn map_2m(
        &mut self,
        arena: &mut Arena,
        virtual_address: u64,
        physical: u64,
        flags: PageTableFlags,
    ) -> Result<(), Error> {
        let directory = self.walk_to_directory(arena, virtual_address)?;
        directory[index(virtual_address, 1)]
            .set_addr(PhysAddr::new(physical), flags | PageTableFlags::PRESENT | PageTableFlags::HUGE_PAGE);
        Ok(())
    }

    /// The page directory (level 2) covering `virtual_address`.
    fn walk_to_directory(&mut self, arena: &mut Arena, virtual_address: u64) -> Result<&'static mut PageTable, Error> {
        let level_4 = table_at(self.root);
        let level_3 = child(arena, &mut level_4[index(virtual_address, 3)])?;
        child(arena, &mut level_3[index(virtual_address, 2)])
    }
}

/// The table an entry points to, creating it (or splitting the large page
/// the entry maps) first if needed.
fn child(
    arena: &mut Arena,
    entry: &mut x86_64::structures::paging::page_table::PageTableEntry,
) -> Result<&'static mut PageTable, Error> {
    let flags = entry.flags();
    if !flags.contains(PageTableFlags::PRESENT) {
        let table = new_table(arena)?;
        entry.set_addr(PhysAddr::new(table), TABLE_FLAGS);
        return Ok(table_at(table));
    }
    if !flags.contains(PageTableFlags::HUGE_PAGE) {
        return Ok(table_at(entry.addr().as_u64()));
    }
    // Split a large page into 512 pages of the next size down. Only 2 MiB
    // pages are ever split (testboot makes no 1 GiB pages), and none of them
    // uses the PAT bit (bit 12 in a large entry, bit 7 in a small one), so
    // dropping HUGE_PAGE (bit 7) leaves the small pages the same rights.
    let old_base = entry.addr().as_u64();
    let small_flags = flags - PageTableFlags::HUGE_PAGE;
    let table_address = new_table(arena)?;
    let table = table_at(table_address);
    for (number, small) in table.iter_mut().enumerate() {
        small.set_addr(PhysAddr::new(old_base + number as u64 * PAGE_4K), small_flags);
    }
    entry.set_addr(PhysAddr::new(table_address), TABLE_FLAGS);
    Ok(table)
}

fn new_table(arena: &mut Arena) -> Result<u64, Error> {
    let address = arena.allocate_page()?;
    table_at(address).zero();
    Ok(address)
}

/// The table at physical `address`.
fn table_at(address: u64) -> &'static mut PageTable {
    // SAFETY: every `address` passed here is a page testboot allocated from
    // its arena for a page table: 4 KiB-aligned, zeroed or already a valid
    // table, identity-mapped, and written only through this module, one
    // reference at a time (each is dropped before the next walk).
    unsafe { &mut *(address as *mut PageTable) }
}

/// The 9-bit table index of `virtual_address` at `level` (0 = page table).
fn index(virtual_address: u64, level: u32) -> usize {
    ((virtual_address >> (12 + 9 * level)) & 0x1ff) as usize
}
