//! Paging: page tables of the kernel's own, and the three verbs of virtual
//! memory — map, unmap, translate.
//!
//! Limine enters with its own tables, in bootloader-reclaimable memory,
//! mapping the kernel image per ELF segment and a direct map (HHDM) of
//! physical memory that is readable, writable *and executable*. At Rank IV
//! the kernel builds tables from scratch and switches to them, so that it
//! owns every mapping and no page anywhere is both writable and executable:
//!
//! * the direct map: read-write, no-execute, in 2 MiB pages where possible;
//! * `.text` read-execute, `.rodata` read-only, `.data`/`.bss` and the
//!   stacks read-write no-execute (addresses from `linker.ld`), each stack
//!   with its guard page left out.
//!
//! Page tables are reached through the direct map (physical + HHDM offset),
//! which is why the `x86_64` crate's `OffsetPageTable` does the walking. We
//! chose that over a recursive mapping (one top-level entry pointing at the
//! table itself): the direct map exists anyway, it reaches the tables of
//! *any* address space, not only the active one, and it costs no top-level
//! slot. See `ranks/04-mind/docs/03-paging.md`.
//!
//! The kernel half (top-level entries 256–511) gets all of its 256
//! third-level tables at boot and those are never freed: every address
//! space copies the same 256 entries, so a mapping the kernel adds later is
//! visible in all of them at once.
//!
//! Rank 4.

use core::fmt;

use spin::Mutex;
use x86_64::registers::control::{Cr3, Cr3Flags, Cr4, Cr4Flags};
use x86_64::registers::model_specific::{Efer, EferFlags};
use x86_64::structures::paging::mapper::{MapToError, MapperFlush, TranslateResult, UnmapError};
use x86_64::structures::paging::page_table::PageTableEntry;
use x86_64::structures::paging::{
    FrameAllocator, FrameDeallocator, Mapper, OffsetPageTable, Page, PageSize, PageTable, PageTableFlags as Flags,
    PhysFrame, Size2MiB, Size4KiB, Translate,
};
use x86_64::{PhysAddr, VirtAddr};

use super::frames;
use super::layout::KERNEL_HALF_FIRST_ENTRY;
use crate::boot::BootInfo;
use crate::boot::summary::field;

/// Entry flags, for callers of `map`.
pub use x86_64::structures::paging::PageTableFlags;

/// Bytes in a small page (and a frame).
pub const PAGE_BYTES: u64 = 4096;
const LARGE_PAGE_BYTES: u64 = Size2MiB::SIZE;

/// The kernel's own address space, once `init` has switched to it.
static KERNEL_SPACE: Mutex<Option<AddressSpace>> = Mutex::new(None);

/// Whether the CPU honours the no-execute bit (CPUID 0x8000_0001 EDX.NX);
/// without it, bit 63 of an entry is reserved and setting it faults.
static NX_SUPPORTED: spin::Once<bool> = spin::Once::new();

/// Page tables come from, and go back to, the frame allocator.
struct TableFrames;

// SAFETY: every frame comes from the frame allocator, which hands a frame
// to one owner at a time; it is zeroed, as a fresh page table must be.
unsafe impl FrameAllocator<Size4KiB> for TableFrames {
    fn allocate_frame(&mut self) -> Option<PhysFrame> {
        frames::allocate_zeroed().map(|address| PhysFrame::containing_address(PhysAddr::new(address)))
    }
}

impl FrameDeallocator<Size4KiB> for TableFrames {
    unsafe fn deallocate_frame(&mut self, frame: PhysFrame) {
        frames::free(frame.start_address().as_u64()).unwrap_or_else(|e| panic!("freeing a page table: {e}"));
    }
}

/// A page table, reached through the direct map.
///
/// # Safety
/// `frame` must hold a page table that the caller may use exclusively for
/// the returned lifetime (here: under the lock of the space it belongs to).
unsafe fn table_at<'a>(frame: PhysAddr) -> &'a mut PageTable {
    // SAFETY: the direct map covers all usable memory, page tables are
    // frame aligned, and the caller guarantees exclusive use.
    unsafe { &mut *((super::hhdm_offset() + frame.as_u64()) as *mut PageTable) }
}

/// Why a mapping failed.
#[derive(Debug)]
pub enum MapError {
    NotPageAligned(u64),
    OutOfFrames,
    AlreadyMapped(u64),
    InsideLargePage(u64),
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotPageAligned(a) => write!(f, "{a:#x} is not page aligned"),
            Self::OutOfFrames => f.write_str("no free frame for a page table"),
            Self::AlreadyMapped(a) => write!(f, "{a:#x} is already mapped"),
            Self::InsideLargePage(a) => write!(f, "{a:#x} lies inside a 2 MiB or 1 GiB page"),
        }
    }
}

fn map_error<S: PageSize>(address: u64, error: MapToError<S>) -> MapError {
    match error {
        MapToError::FrameAllocationFailed => MapError::OutOfFrames,
        MapToError::PageAlreadyMapped(_) => MapError::AlreadyMapped(address),
        MapToError::ParentEntryHugePage => MapError::InsideLargePage(address),
    }
}

/// A four-level page-table tree: one top-level table whose upper half is
/// the kernel's, shared with every other address space.
pub struct AddressSpace {
    top: PhysFrame,
}

impl AddressSpace {
    /// A fresh address space: an empty lower half, the kernel half copied
    /// from the kernel's own table (entries 256–511, pointing at the same
    /// third-level tables). `None` when no frame is left.
    pub fn new() -> Option<Self> {
        let kernel_top = KERNEL_SPACE.lock().as_ref().expect("paging::init ran").top;
        let mut space = Self { top: TableFrames.allocate_frame()? };
        // SAFETY: `space.top` was just allocated and is ours alone; the
        // kernel's top-level table is only read, and its upper half never
        // changes after `init` (its third-level tables are fixed).
        let (new, kernel) = unsafe { (space.table(), table_at(kernel_top.start_address())) };
        for index in KERNEL_HALF_FIRST_ENTRY..512 {
            new[index] = kernel[index].clone();
        }
        Some(space)
    }

    /// The physical address of the top-level table: what CR3 holds while
    /// this space is active.
    pub fn cr3(&self) -> u64 {
        self.top.start_address().as_u64()
    }

    pub fn is_active(&self) -> bool {
        Cr3::read().0 == self.top
    }

    /// Makes this the address space the CPU translates through. Writing
    /// CR3 also flushes every non-global TLB entry.
    pub fn activate(&self) {
        // SAFETY: every address space shares the kernel half, where this
        // code, its stack and all kernel data live, so execution continues
        // unchanged at the next instruction.
        unsafe { Cr3::write(self.top, Cr3Flags::empty()) };
    }

    /// # Safety
    /// The returned table must not outlive the borrow of `self`'s tree by
    /// another walk (callers hold `&mut self`, so none can start).
    unsafe fn table(&mut self) -> &mut PageTable {
        // SAFETY: `top` is this space's top-level table; see the caller.
        unsafe { table_at(self.top.start_address()) }
    }

    fn mapper(&mut self) -> OffsetPageTable<'_> {
        // SAFETY: the top-level table is ours (`&mut self`) and the direct
        // map at the HHDM offset covers every frame a page table lives in.
        unsafe { OffsetPageTable::new(self.table(), VirtAddr::new(super::hhdm_offset())) }
    }

    /// Maps the 4 KiB page at `page` to the frame at `frame`, creating
    /// intermediate tables as needed. NO_EXECUTE is dropped on CPUs without NX.
    pub fn map(&mut self, page: u64, frame: u64, flags: Flags) -> Result<(), MapError> {
        let (Ok(virt), Ok(phys)) = (
            Page::<Size4KiB>::from_start_address(VirtAddr::new(page)),
            PhysFrame::from_start_address(PhysAddr::new(frame)),
        ) else {
            return Err(MapError::NotPageAligned(if !page.is_multiple_of(PAGE_BYTES) { page } else { frame }));
        };
        let active = self.is_active() || is_shared(page);
        // SAFETY: mapping a frame can alias memory; callers of `map` hand
        // in frames they own (from the allocator) or device/kernel frames
        // they mean to alias, and the page was unmapped, so no existing
        // reference changes meaning.
        let flush = unsafe { self.mapper().map_to(virt, phys, effective(flags), &mut TableFrames) }
            .map_err(|e| map_error(page, e))?;
        finish(flush, active);
        Ok(())
    }

    /// Unmaps the 4 KiB page at `page`, returns the frame that was behind
    /// it, frees the second- and first-level tables it leaves empty (and,
    /// in the lower half, an emptied third-level table), and flushes the
    /// TLB entry when this space is active.
    pub fn unmap(&mut self, page: u64) -> Result<u64, UnmapError> {
        let virt = Page::<Size4KiB>::from_start_address(VirtAddr::new(page))
            .map_err(|_| UnmapError::InvalidFrameAddress(PhysAddr::new(0)))?;
        let active = self.is_active() || is_shared(page);
        let (frame, flush) = self.mapper().unmap(virt)?;
        self.prune(virt);
        // `invlpg` also drops the cached upper-level entries for the page
        // (Intel SDM Vol. 3A, "Invalidation of TLBs and Paging-Structure
        // Caches"), so the freed tables cannot be walked from a stale cache.
        finish(flush, active);
        Ok(frame.start_address().as_u64())
    }

    /// Frees the tables on `page`'s walk that have become empty, bottom up.
    fn prune(&mut self, page: Page<Size4KiB>) {
        let freed = |entry: &mut PageTableEntry| {
            let frame = entry.frame().expect("a present table entry");
            entry.set_unused();
            // SAFETY: the table was created by `map` for this space alone
            // and no entry refers to it any more.
            unsafe { TableFrames.deallocate_frame(frame) };
        };
        // SAFETY: `&mut self` gives exclusive use of the tree; each table is
        // reached through an entry `unmap` just walked, so each is present.
        unsafe {
            let top = self.table();
            let l3 = table_at(top[page.p4_index()].addr());
            let l2 = table_at(l3[page.p3_index()].addr());
            let l1 = table_at(l2[page.p2_index()].addr());
            if !is_empty(l1) {
                return;
            }
            freed(&mut l2[page.p2_index()]);
            if !is_empty(l2) {
                return;
            }
            freed(&mut l3[page.p3_index()]);
            // The kernel half's third-level tables are shared by every
            // address space, so they stay even when empty.
            if usize::from(page.p4_index()) < KERNEL_HALF_FIRST_ENTRY && is_empty(l3) {
                freed(&mut top[page.p4_index()]);
            }
        }
    }

    /// The physical address behind `address`, or `None` if not mapped.
    /// Works through 4 KiB, 2 MiB and 1 GiB pages alike.
    pub fn translate(&mut self, address: u64) -> Option<u64> {
        self.mapper().translate_addr(VirtAddr::try_new(address).ok()?).map(|a| a.as_u64())
    }

    /// The flags of the page that maps `address` (the last level's entry;
    /// the levels above are made at least as permissive by `map`).
    pub fn flags(&mut self, address: u64) -> Option<Flags> {
        match self.mapper().translate(VirtAddr::try_new(address).ok()?) {
            TranslateResult::Mapped { flags, .. } => Some(flags),
            _ => None,
        }
    }
}

impl Drop for AddressSpace {
    /// Frees the lower half's page tables and the top-level table. The
    /// frames *mapped* there belong to whoever mapped them and must have
    /// been unmapped first (Rank VIII frees a process's pages this way).
    fn drop(&mut self) {
        assert!(!self.is_active(), "dropping the active address space");
        // SAFETY: `&mut self`: nobody else walks this tree, and it is not
        // active, so no TLB entry can refer to the tables freed below.
        let top = unsafe { self.table() };
        for entry in top.iter_mut().take(KERNEL_HALF_FIRST_ENTRY).filter(|e| !e.is_unused()) {
            // SAFETY: a present lower-half entry points at a table this
            // space allocated.
            free_subtree(unsafe { table_at(entry.addr()) }, 3);
            // SAFETY: the table is no longer referenced.
            unsafe { TableFrames.deallocate_frame(entry.frame().expect("present")) };
            entry.set_unused();
        }
        // SAFETY: the top-level table is referenced by nothing now.
        unsafe { TableFrames.deallocate_frame(self.top) };
    }
}

/// Frees the tables below a level-`level` table (not the leaf frames).
fn free_subtree(table: &mut PageTable, level: u8) {
    if level == 1 {
        return;
    }
    for entry in table.iter_mut().filter(|e| !e.is_unused() && !e.flags().contains(Flags::HUGE_PAGE)) {
        // SAFETY: a present non-leaf entry points at a table of this tree.
        free_subtree(unsafe { table_at(entry.addr()) }, level - 1);
        // SAFETY: nothing refers to that table any more.
        unsafe { TableFrames.deallocate_frame(entry.frame().expect("present")) };
        entry.set_unused();
    }
}

fn is_empty(table: &PageTable) -> bool {
    table.iter().all(PageTableEntry::is_unused)
}

/// Whether `page` is in the kernel half, whose tables every address space
/// shares: a change there is seen through whichever CR3 is loaded, so its
/// TLB entry must be flushed even when this space is not the active one
/// (a process's kernel stack is unmapped by its parent, say, while the
/// CPU may still cache the translation from running the child).
fn is_shared(page: u64) -> bool {
    page >= 0xffff_8000_0000_0000
}

fn finish<S: PageSize>(flush: MapperFlush<S>, active: bool) {
    if active {
        flush.flush();
    } else {
        flush.ignore();
    }
}

/// `flags` as this CPU can take them: without NX, bit 63 is reserved.
fn effective(flags: Flags) -> Flags {
    if *NX_SUPPORTED.get().unwrap_or(&false) { flags } else { flags - Flags::NO_EXECUTE }
}

/// Runs `f` on the kernel's address space (the one `init` built).
pub fn with_kernel_space<R>(f: impl FnOnce(&mut AddressSpace) -> R) -> R {
    f(KERNEL_SPACE.lock().as_mut().expect("paging::init ran"))
}

// Section bounds from `linker.ld`.
unsafe extern "C" {
    static __kernel_start: u8;
    static __text_start: u8;
    static __text_end: u8;
    static __rodata_start: u8;
    static __rodata_end: u8;
    static __data_start: u8;
    static __data_end: u8;
}

/// One run of the kernel image with one set of permissions.
struct Section {
    name: &'static str,
    start: u64,
    end: u64,
    flags: Flags,
}

fn kernel_sections() -> [Section; 5] {
    let rw_nx = Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE;
    let address = |symbol: *const u8| symbol as u64;
    let up = |a: u64| a.next_multiple_of(PAGE_BYTES);
    let (stack_bottom, stack_top) = crate::arch::entry::kernel_stack();
    [
        Section {
            name: "requests",
            start: address(&raw const __kernel_start),
            end: address(&raw const __text_start),
            flags: rw_nx,
        },
        Section {
            name: "text",
            start: address(&raw const __text_start),
            end: up(address(&raw const __text_end)),
            flags: Flags::PRESENT,
        },
        Section {
            name: "rodata",
            start: address(&raw const __rodata_start),
            end: up(address(&raw const __rodata_end)),
            flags: Flags::PRESENT | Flags::NO_EXECUTE,
        },
        Section {
            name: "data+bss",
            start: address(&raw const __data_start),
            end: up(address(&raw const __data_end)),
            flags: rw_nx,
        },
        Section { name: "kernel stack", start: stack_bottom, end: stack_top, flags: rw_nx },
    ]
}

/// Builds the kernel's own tables and switches CR3 to them.
pub fn init(boot: &BootInfo) {
    let nx = core::arch::x86_64::__cpuid(0x8000_0000).eax >= 0x8000_0001
        && core::arch::x86_64::__cpuid(0x8000_0001).edx & (1 << 20) != 0;
    if nx {
        // SAFETY: setting EFER.NXE only makes bit 63 of page-table entries
        // meaningful; no current mapping changes.
        unsafe { Efer::update(|flags| flags.insert(EferFlags::NO_EXECUTE_ENABLE)) };
    }
    NX_SUPPORTED.call_once(|| nx);
    let (_, free_before, _) = frames::counters();

    let top = TableFrames.allocate_frame().expect("a frame for the top-level table");
    let mut space = AddressSpace { top };
    // SAFETY: `top` is a fresh frame, ours alone.
    let table = unsafe { space.table() };
    for entry in table.iter_mut().skip(KERNEL_HALF_FIRST_ENTRY) {
        let l3 = TableFrames.allocate_frame().expect("frames for the kernel half's tables");
        entry.set_frame(l3, Flags::PRESENT | Flags::WRITABLE);
    }

    let direct = map_direct(&mut space, boot);
    let (physical_base, virtual_base) = boot.kernel_address.expect("Limine's executable-address response");
    for section in kernel_sections() {
        for page in (section.start..section.end).step_by(PAGE_BYTES as usize) {
            space
                .map(page, page - virtual_base + physical_base, section.flags)
                .unwrap_or_else(|e| panic!("mapping the kernel's {}: {e}", section.name));
        }
    }
    let syscall_stack = crate::arch::entry::syscall_stack();
    for (bottom, top) in crate::arch::entry::interrupt_stacks().into_iter().chain([syscall_stack]) {
        for page in (bottom..top).step_by(PAGE_BYTES as usize) {
            let flags = Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE;
            space.map(page, page - virtual_base + physical_base, flags).unwrap_or_else(|e| panic!("a stack: {e}"));
        }
    }

    space.activate();
    // Writing CR3 keeps global TLB entries; toggling CR4.PGE drops them
    // too, so nothing of Limine's tables survives the switch.
    let cr4 = Cr4::read();
    if cr4.contains(Cr4Flags::PAGE_GLOBAL) {
        // SAFETY: clearing and restoring PGE only flushes the TLB.
        unsafe {
            Cr4::write(cr4 - Cr4Flags::PAGE_GLOBAL);
            Cr4::write(cr4);
        }
    }
    let cr3 = space.cr3();
    *KERNEL_SPACE.lock() = Some(space);

    let (_, free_after, _) = frames::counters();
    field(
        "page tables",
        format_args!(
            "own, CR3 {cr3:#x}, {} frames of tables, NX {}",
            free_before - free_after,
            if nx { "on" } else { "absent" }
        ),
    );
    field(
        "direct map",
        format_args!(
            "{} MiB rw- nx at {:#x} ({} large pages, {} small)",
            direct.bytes >> 20,
            super::hhdm_offset(),
            direct.large,
            direct.small
        ),
    );
    for section in kernel_sections() {
        let f = section.flags;
        let (w, x) = (f.contains(Flags::WRITABLE), !f.contains(Flags::NO_EXECUTE));
        let perms = format_args!("r{}{}", if w { 'w' } else { '-' }, if x { 'x' } else { '-' });
        field("kernel map", format_args!("{:<13}{:#x}..{:#x} {perms}", section.name, section.start, section.end));
    }
}

/// How the direct map was built.
struct DirectMap {
    bytes: u64,
    large: u64,
    small: u64,
}

/// Maps physical memory at the HHDM offset as Limine's base revision 2
/// promises it (PROTOCOL.md, "Entry memory layout"): the first 4 GiB
/// whole, and above that every memory-map region except reserved and bad
/// memory. Read-write, no-execute, 2 MiB pages wherever alignment allows.
fn map_direct(space: &mut AddressSpace, boot: &BootInfo) -> DirectMap {
    let mut done = DirectMap { bytes: 0, large: 0, small: 0 };
    let mut ranges = [(0u64, 0u64); 64];
    let mut count = 0;
    let mut push = |start: u64, end: u64| {
        if count < ranges.len() {
            ranges[count] = (start, end);
            count += 1;
        }
    };
    push(0, 4 << 30);
    for entry in boot.memory_map.iter() {
        use bootinfo::MemoryKind;
        let kind = crate::boot::memory_kind(entry);
        if !matches!(kind, MemoryKind::Reserved | MemoryKind::BadMemory) && entry.base + entry.length > 4 << 30 {
            push(entry.base.max(4 << 30) & !(PAGE_BYTES - 1), (entry.base + entry.length).next_multiple_of(PAGE_BYTES));
        }
    }
    let ranges = &mut ranges[..count];
    ranges.sort_unstable();
    let offset = super::hhdm_offset();
    let flags = effective(Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE);
    let mut next = 0; // first byte not yet mapped, so overlaps are skipped
    for &(start, end) in ranges.iter() {
        let mut physical = start.max(next);
        while physical < end {
            let virt = VirtAddr::new(offset + physical);
            if physical % LARGE_PAGE_BYTES == 0 && end - physical >= LARGE_PAGE_BYTES {
                let page = Page::<Size2MiB>::containing_address(virt);
                let frame = PhysFrame::<Size2MiB>::containing_address(PhysAddr::new(physical));
                // SAFETY: the direct map aliases physical memory by design;
                // nothing else is mapped in its range.
                unsafe { space.mapper().map_to(page, frame, flags, &mut TableFrames) }
                    .map(MapperFlush::ignore)
                    .unwrap_or_else(|e| panic!("direct map at {physical:#x}: {}", map_error(physical, e)));
                physical += LARGE_PAGE_BYTES;
                done.large += 1;
            } else {
                space.map(offset + physical, physical, flags).unwrap_or_else(|e| panic!("direct map: {e}"));
                physical += PAGE_BYTES;
                done.small += 1;
            }
        }
        next = next.max(end);
    }
    done.bytes = done.large * LARGE_PAGE_BYTES + done.small * PAGE_BYTES;
    done
}
