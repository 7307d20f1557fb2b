//! The GDT and the TSS.
//!
//! In 64-bit mode segments barely matter, but the CPU still needs a GDT
//! for code and stack selectors and to find the TSS, which holds the
//! stacks it switches to: RSP0 for entries from ring 3 (Rank VI) and the
//! interrupt stack table (IST) for faults that cannot trust the current
//! stack — a double fault after a stack overflow above all.
//!
//! The order is fixed by `sysret`, which loads CS from STAR[63:48] + 16
//! and SS from STAR[63:48] + 8, so user data must sit directly below user
//! code (Intel SDM Vol. 2B, SYSRET):
//! null, kernel code 0x08, kernel data 0x10, user data 0x18, user code
//! 0x20, TSS 0x28 (two slots).

use spin::Once;
use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;

/// IST slots (1-based in the IDT, 0-based in the TSS array).
pub const DOUBLE_FAULT_IST: u8 = 1;
pub const NMI_IST: u8 = 2;
pub const MACHINE_CHECK_IST: u8 = 3;

#[derive(Clone, Copy, Debug)]
pub struct Selectors {
    pub kernel_code: SegmentSelector,
    pub kernel_data: SegmentSelector,
    pub user_data: SegmentSelector,
    pub user_code: SegmentSelector,
    pub tss: SegmentSelector,
}

/// The TSS, which the CPU reads and `set_kernel_stack` writes (RSP0).
struct Tss(core::cell::UnsafeCell<TaskStateSegment>);

// SAFETY: one CPU; RSP0 is written only with interrupts off, between
// entries to ring 3, and the CPU reads it only on such an entry.
unsafe impl Sync for Tss {}

static TSS: Once<Tss> = Once::new();
static GDT: Once<(GlobalDescriptorTable, Selectors)> = Once::new();

/// Points TSS.RSP0 at `top`: the stack the CPU switches to when an
/// interrupt or exception arrives while ring 3 runs. Rank 6.
pub fn set_kernel_stack(top: u64) {
    let tss = TSS.get().expect("gdt::init ran");
    x86_64::instructions::interrupts::without_interrupts(|| {
        // SAFETY: see `Tss`: nothing else writes the TSS, and the CPU only
        // reads RSP0 when it enters from ring 3, which cannot happen while
        // interrupts are off and this code runs in ring 0.
        unsafe { (*tss.0.get()).privilege_stack_table[0] = VirtAddr::new(top) };
    });
}

/// The selectors `init` made.
pub fn selectors() -> Selectors {
    GDT.get().expect("gdt::init ran").1
}

/// Builds and loads the GDT and TSS, and reloads every segment register.
pub fn init() -> Selectors {
    let tss = TSS.call_once(|| {
        let mut tss = TaskStateSegment::new();
        for (slot, top) in super::entry::interrupt_stacks().map(|(_, top)| top).into_iter().enumerate() {
            tss.interrupt_stack_table[slot] = VirtAddr::new(top);
        }
        Tss(core::cell::UnsafeCell::new(tss))
    });
    // SAFETY: the TSS lives in a `'static` and is never moved; the GDT's
    // descriptor needs a reference for its base and limit only.
    let tss: &'static TaskStateSegment = unsafe { &*tss.0.get() };
    let (gdt, selectors) = GDT.call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let selectors = Selectors {
            kernel_code: gdt.append(Descriptor::kernel_code_segment()),
            kernel_data: gdt.append(Descriptor::kernel_data_segment()),
            user_data: gdt.append(Descriptor::user_data_segment()),
            user_code: gdt.append(Descriptor::user_code_segment()),
            tss: gdt.append(Descriptor::tss_segment(tss)),
        };
        (gdt, selectors)
    });
    gdt.load();
    // SAFETY: the selectors index the GDT just loaded, whose code and data
    // descriptors are valid 64-bit kernel segments, and the TSS descriptor
    // points at a `'static` TSS that is never moved.
    unsafe {
        CS::set_reg(selectors.kernel_code);
        SS::set_reg(selectors.kernel_data);
        DS::set_reg(selectors.kernel_data);
        ES::set_reg(selectors.kernel_data);
        load_tss(selectors.tss);
    }
    *selectors
}
