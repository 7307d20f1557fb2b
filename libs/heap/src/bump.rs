//! The bump allocator: the simplest strategy, kept for comparison.
//!
//! A bump allocator remembers one offset, `next`. Allocation rounds it up to
//! the alignment, hands out `[next, next + size)` and moves `next` past it;
//! freeing only counts. Once the count of live allocations drops to zero,
//! nothing in the region is in use, so `next` returns to the start ("bump
//! with reset"). That is as fast as allocation gets and needs no metadata
//! at all, but a single long-lived allocation pins everything allocated
//! after it: memory is reused only in whole generations. It fits arenas
//! whose contents die together (one request, one frame, one boot phase),
//! not a general-purpose kernel heap.

use core::alloc::Layout;
use core::ptr::{self, NonNull};

/// A bump allocator with reset over one region of memory.
#[derive(Debug)]
pub struct Bump {
    /// First byte of the region, null until [`Bump::init`].
    start: *mut u8,
    /// Length of the region in bytes.
    size: usize,
    /// Offset from `start` of the first byte not yet handed out.
    next: usize,
    /// Allocations handed out and not yet freed.
    live: usize,
}

// SAFETY: the only pointer inside points at the region `init` handed over,
// which the caller of `init` promised belongs to this allocator alone. No
// other thread can hold on to it through the `Bump`, so moving the `Bump`
// to another thread moves the ownership of the whole region with it.
unsafe impl Send for Bump {}

impl Bump {
    /// An allocator without memory: every allocation fails until
    /// [`Bump::init`]. `const`, so it can sit in a `static` behind a lock.
    pub const fn empty() -> Self {
        Self { start: ptr::null_mut(), size: 0, next: 0, live: 0 }
    }

    /// Hands the allocator `size` bytes starting at `start`, and forgets
    /// everything handed out before.
    ///
    /// # Safety
    ///
    /// `[start, start + size)` must be valid for reads and writes, must not
    /// be used by anything else for as long as this allocator hands out
    /// pointers into it, and must not wrap around the address space.
    pub unsafe fn init(&mut self, start: *mut u8, size: usize) {
        *self = Self { start, size, next: 0, live: 0 };
    }

    /// Takes `layout.size()` bytes aligned to `layout.align()` from the
    /// front of the unused part, or `None` when they do not fit before the
    /// end of the region. Never reuses memory while any allocation is live.
    pub fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        // Align the address, not the offset: the region's start need not be
        // aligned to `layout.align()`.
        let base = self.start.addr();
        let aligned = base.checked_add(self.next)?.checked_next_multiple_of(layout.align())?;
        let offset = aligned - base;
        let end = offset.checked_add(layout.size())?;
        if end > self.size {
            return None;
        }
        // `wrapping_add` keeps the pointer's provenance over the region and
        // needs no `unsafe`; `offset <= size` keeps it inside. Null only
        // before `init`, where the start is null and the size 0.
        let pointer = NonNull::new(self.start.wrapping_add(offset))?;
        self.next = end;
        self.live += 1;
        Some(pointer)
    }

    /// Counts one allocation as freed. When none remain, the whole region
    /// becomes free again and the next allocation starts at the beginning.
    ///
    /// # Safety
    ///
    /// `pointer` must have come from [`Bump::allocate`] on this allocator
    /// since the last [`Bump::init`] and not have been freed already: an
    /// extra free would reset the region under an allocation still in use.
    pub unsafe fn deallocate(&mut self, pointer: NonNull<u8>, layout: Layout) {
        debug_assert!(self.live > 0, "Bump::deallocate without a live allocation");
        debug_assert!(
            self.start.addr() <= pointer.addr().get()
                && pointer.addr().get() + layout.size() <= self.start.addr() + self.next,
            "Bump::deallocate of memory this allocator did not hand out",
        );
        self.live = self.live.saturating_sub(1);
        if self.live == 0 {
            self.next = 0;
        }
    }

    /// Allocations handed out and not yet freed.
    pub fn live_allocations(&self) -> usize {
        self.live
    }

    /// Bytes from the start of the region to the end of the last allocation,
    /// alignment padding included: what a bump allocator cannot reuse yet.
    pub fn used(&self) -> usize {
        self.next
    }
}
