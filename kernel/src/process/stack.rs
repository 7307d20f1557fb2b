//! Kernel stacks for processes: one each, with an unmapped guard page.
//!
//! A process spends its kernel-mode life — system calls, interrupts from
//! ring 3, and the moment it is switched away — on a stack of its own, so
//! that a process blocked inside `read` keeps its place while another one
//! runs. Each stack lives in its own 64 KiB window of the kernel half at
//! `layout::KERNEL_STACKS_START + slot * 64 KiB`: the top 32 KiB are
//! mapped read-write, no-execute; the page below them never is, so an
//! overflow faults instead of writing over a neighbour. Kernel-half
//! mappings are shared by every address space, so the stack is there
//! whichever process's CR3 is loaded.

use crate::memory::frames;
use crate::memory::layout::KERNEL_STACKS_START;
use crate::memory::paging::{PAGE_BYTES, PageTableFlags as Flags, with_kernel_space};

/// Bytes of each window, and of the mapped stack at its top.
pub const WINDOW_BYTES: u64 = 64 * 1024;
pub const STACK_BYTES: u64 = 32 * 1024;

/// A mapped kernel stack; unmapped and its frames freed when dropped.
#[derive(Debug)]
pub struct KernelStack {
    bottom: u64,
}

impl KernelStack {
    /// Maps the stack of table slot `slot`.
    pub fn new(slot: usize) -> Option<Self> {
        let top = KERNEL_STACKS_START + (slot as u64 + 1) * WINDOW_BYTES;
        let stack = Self { bottom: top - STACK_BYTES };
        let flags = Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE;
        for page in (stack.bottom..top).step_by(PAGE_BYTES as usize) {
            let frame = frames::allocate()?;
            if with_kernel_space(|kernel| kernel.map(page, frame, flags)).is_err() {
                let _ = frames::free(frame);
                // `stack` unmaps the pages mapped so far when dropped.
                return None;
            }
        }
        Some(stack)
    }

    pub fn top(&self) -> u64 {
        self.bottom + STACK_BYTES
    }

    /// Whether `address` is in the guard page of some process stack.
    pub fn is_guard(address: u64) -> bool {
        address >= KERNEL_STACKS_START
            && (address - KERNEL_STACKS_START) % WINDOW_BYTES >= WINDOW_BYTES - STACK_BYTES - PAGE_BYTES
            && (address - KERNEL_STACKS_START) % WINDOW_BYTES < WINDOW_BYTES - STACK_BYTES
            && address < KERNEL_STACKS_START + 1024 * WINDOW_BYTES
    }
}

impl Drop for KernelStack {
    fn drop(&mut self) {
        with_kernel_space(|kernel| {
            for page in (self.bottom..self.top()).step_by(PAGE_BYTES as usize) {
                if let Ok(frame) = kernel.unmap(page) {
                    frames::free(frame).unwrap_or_else(|e| panic!("freeing a kernel stack frame: {e}"));
                }
            }
        });
    }
}
