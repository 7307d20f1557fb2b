//! Loads the kernel ELF into one physically contiguous block.
//!
//! `bootplan::elf` has already decided what goes where and refused what
//! testboot cannot load; this module carries the plan out: one allocation
//! for the whole image (PROTOCOL.md, "Entry memory layout": "the loaded
//! kernel image is guaranteed to be physically contiguous"), typed
//! EXECUTABLE_AND_MODULES, aligned to the largest `p_align` as Limine does,
//! zero-filled, then each segment's file bytes copied to its offset. The
//! mapping, one permission set per segment, is built later by `paging`.

use bootplan::{LoadPlan, MemoryKind, PAGE_SIZE};

use crate::{Error, memory};

/// The kernel, loaded: where it sits physically and how it was planned.
pub struct LoadedKernel {
    pub plan: LoadPlan,
    /// Physical address of `plan.virtual_base`.
    pub physical_base: u64,
}

impl LoadedKernel {
    /// Plans and loads the ELF in `file`.
    pub fn load(file: &[u8]) -> Result<Self, Error> {
        let plan = LoadPlan::parse(file).map_err(|error| Error::new(format_args!("kernel ELF: {error}")))?;
        let physical_base = allocate_aligned(plan.image_bytes, plan.alignment)?;
        let mut kernel = LoadedKernel { plan, physical_base };
        let image = kernel.image_mut();
        for segment in &kernel.plan.segments {
            let start = (segment.vaddr - kernel.plan.virtual_base) as usize;
            image[start..start + segment.file_range.len()].copy_from_slice(&file[segment.file_range.clone()]);
        }
        Ok(kernel)
    }

    /// The loaded image, virtual base first; the requests live in it.
    pub fn image_mut(&mut self) -> &'static mut [u8] {
        // SAFETY: `physical_base` starts `image_bytes` bytes allocated for
        // the kernel alone and identity-mapped by UEFI. Only this value hands
        // out the slice, and testboot uses one such slice at a time.
        unsafe { core::slice::from_raw_parts_mut(self.physical_base as *mut u8, self.plan.image_bytes as usize) }
    }

    /// Physical address of kernel virtual address `vaddr`.
    pub fn physical(&self, vaddr: u64) -> u64 {
        self.physical_base + (vaddr - self.plan.virtual_base)
    }
}

/// `bytes` of zeroed EXECUTABLE_AND_MODULES memory starting on an
/// `alignment` boundary. UEFI only promises page alignment, so larger
/// alignments over-allocate and return the slack to the firmware.
fn allocate_aligned(bytes: u64, alignment: u64) -> Result<u64, Error> {
    if alignment <= PAGE_SIZE {
        return memory::allocate_pages(MemoryKind::ExecutableAndModules, bytes, None);
    }
    let padded =
        bytes.checked_add(alignment - PAGE_SIZE).ok_or_else(|| Error::new(format_args!("kernel image too large")))?;
    let start = memory::allocate_pages(MemoryKind::ExecutableAndModules, padded, None)?;
    let aligned = start.next_multiple_of(alignment);
    let end = aligned + bytes.next_multiple_of(PAGE_SIZE);
    memory::free_pages(start, aligned - start);
    memory::free_pages(end, start + padded.next_multiple_of(PAGE_SIZE) - end);
    Ok(aligned)
}
