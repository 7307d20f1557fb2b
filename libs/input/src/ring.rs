//! A single-producer, single-consumer ring buffer that never blocks.
//!
//! The kernel's keyboard and serial interrupt handlers produce input; the
//! input loop consumes it. A lock between them would be a trap: if the loop
//! held the lock when an interrupt arrived, the handler would spin forever
//! on the one CPU, waiting for code that cannot run until the handler
//! returns. So the two sides share only two counters, and each side writes
//! only its own.
//!
//! `tail` counts every item ever pushed and `head` every item ever popped.
//! Neither is reduced modulo `N`; they run freely and wrap at `usize::MAX`.
//! The number of queued items is `tail - head` (wrapping), an item lives in
//! slot `counter % N`, and the ring is full when `tail - head == N`. The
//! textbook alternative, keeping `head` and `tail` below `N`, cannot tell a
//! full ring from an empty one when `head == tail`, and so wastes a slot.
//! Free-running counters need `N` to divide 2^64 so that `counter % N`
//! stays continuous when a counter wraps: hence `N` must be a power of two,
//! which also turns `%` into a mask.

use core::cell::UnsafeCell;
use core::fmt;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A fixed-capacity FIFO queue of `N` items of `T` for one producer and one
/// consumer, without locks, allocation or blocking.
///
/// [`push`](Ring::push) never overwrites: when the ring is full the new item
/// is dropped and [`dropped`](Ring::dropped) counts it, so what the consumer
/// sees is always a prefix of what was sent, in order.
///
/// ```
/// use input::Ring;
///
/// static QUEUE: Ring<u8, 4> = Ring::new();
/// assert!(QUEUE.push(b'a'));
/// assert_eq!(QUEUE.pop(), Some(b'a'));
/// assert_eq!(QUEUE.pop(), None);
/// ```
///
/// `N` must be a power of two; any other `N` fails to compile when
/// [`Ring::new`] is used:
///
/// ```compile_fail
/// let ring: input::Ring<u8, 3> = input::Ring::new();
/// ```
pub struct Ring<T: Copy, const N: usize> {
    /// Items popped so far. Written only by the consumer.
    head: AtomicUsize,
    /// Items pushed so far. Written only by the producer.
    tail: AtomicUsize,
    /// Items refused because the ring was full. Written only by the producer.
    dropped: AtomicU64,
    /// Slot `i % N` holds item `i` for every `head <= i < tail`; the other
    /// slots are uninitialised or hold items already popped.
    slots: UnsafeCell<[MaybeUninit<T>; N]>,
}

// SAFETY: the producer writes a slot only while it is outside
// `head..tail`, and publishes it by storing `tail` with Release; the
// consumer reads a slot only while it is inside `head..tail`, after loading
// `tail` with Acquire, and gives it back by storing `head` with Release,
// which the producer loads with Acquire before reusing the slot. So no slot
// is ever read and written at the same time, provided the contract holds:
// at most one context pushes at a time, and at most one context pops at a
// time. (Successive producers, or successive consumers, must also be
// ordered one after the other, as they are on one CPU.) In the kernel the
// producers are interrupt handlers, which never nest on the single CPU, and
// the consumer is the input loop. `T: Send` because items cross from the
// producer's context to the consumer's.
unsafe impl<T: Copy + Send, const N: usize> Sync for Ring<T, N> {}

impl<T: Copy, const N: usize> Ring<T, N> {
    /// An empty ring. `const`, so a ring can live in a `static`.
    pub const fn new() -> Self {
        // Checked at compile time, once for every `N` a ring is built with.
        const { assert!(N.is_power_of_two(), "Ring capacity N must be a power of two") };
        Self {
            head: AtomicUsize::new(0),
            tail: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
            slots: UnsafeCell::new([const { MaybeUninit::uninit() }; N]),
        }
    }

    /// An empty ring whose counters start at `counter` instead of 0, so the
    /// tests can watch them wrap past `usize::MAX`.
    #[cfg(test)]
    pub(crate) fn starting_at(counter: usize) -> Self {
        let ring = Self::new();
        ring.head.store(counter, Ordering::Relaxed);
        ring.tail.store(counter, Ordering::Relaxed);
        ring
    }

    /// How many items the ring holds when full: `N`, every slot.
    pub const fn capacity() -> usize {
        N
    }

    /// Appends `item`, or drops it and returns `false` if the ring is full.
    ///
    /// Never blocks and never overwrites queued items, so it is safe to call
    /// from an interrupt handler. Only one context may push at a time (see
    /// the `Sync` contract on [`Ring`]).
    pub fn push(&self, item: T) -> bool {
        // Only the producer writes `tail`, so our own last store is current.
        let tail = self.tail.load(Ordering::Relaxed);
        // Acquire pairs with the consumer's Release store of `head`: once we
        // see a slot freed, the consumer's read of it is complete, and our
        // write below cannot overtake it.
        let head = self.head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) == N {
            // Only the producer writes `dropped`; Relaxed because the count
            // orders nothing else.
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let slot = self.slot(tail);
        // SAFETY: `slot` points into our storage. Item `tail` is outside
        // `head..tail`, so the consumer is not reading this slot, and we are
        // the only producer. A raw pointer write creates no reference to the
        // whole array, which the consumer may be reading elsewhere.
        unsafe { slot.write(MaybeUninit::new(item)) };
        // Release publishes the slot's contents together with the new tail.
        self.tail.store(tail.wrapping_add(1), Ordering::Release);
        true
    }

    /// Removes and returns the oldest item, or `None` if the ring is empty.
    ///
    /// Only one context may pop at a time (see the `Sync` contract on
    /// [`Ring`]).
    pub fn pop(&self) -> Option<T> {
        // Only the consumer writes `head`, so our own last store is current.
        let head = self.head.load(Ordering::Relaxed);
        // Acquire pairs with the producer's Release store of `tail`: the
        // slot's contents are visible once the new tail is.
        let tail = self.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let slot = self.slot(head);
        // SAFETY: `slot` points into our storage. Item `head` is inside
        // `head..tail`, so the producer wrote it completely before its
        // Release store of `tail`, which our Acquire load saw, and it will
        // not write the slot again until we advance `head`. We are the only
        // consumer. `T: Copy`, so reading leaves nothing to drop.
        let item = unsafe { slot.read().assume_init() };
        // Release: our read of the slot happens before the producer reuses it.
        self.head.store(head.wrapping_add(1), Ordering::Release);
        Some(item)
    }

    /// How many items are queued.
    ///
    /// Exact when called by the producer or the consumer with the other side
    /// idle; otherwise a snapshot that may already be out of date.
    pub fn len(&self) -> usize {
        // Load `head` first: it never overtakes `tail`, so a `tail` loaded
        // afterwards is at least as large and the difference cannot wrap
        // below zero. It can exceed N if the consumer popped in between and
        // the producer refilled, so clamp.
        let head = self.head.load(Ordering::Acquire);
        let tail = self.tail.load(Ordering::Acquire);
        tail.wrapping_sub(head).min(N)
    }

    /// Whether no items are queued (a snapshot, as for [`Ring::len`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many items [`Ring::push`] has refused because the ring was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// A raw pointer to the slot of item number `counter`.
    fn slot(&self, counter: usize) -> *mut MaybeUninit<T> {
        // `[MaybeUninit<T>; N]` is laid out as N consecutive `MaybeUninit<T>`,
        // and `counter % N < N`, so the offset stays inside the array.
        self.slots.get().cast::<MaybeUninit<T>>().wrapping_add(counter % N)
    }
}

impl<T: Copy, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const N: usize> fmt::Debug for Ring<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ring")
            .field("capacity", &N)
            .field("len", &self.len())
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}
