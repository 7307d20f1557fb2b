//! The bump allocator: alignment, exhaustion, reset.

use super::Arena;
use std::alloc::Layout;

#[test]
fn bump_aligns_each_allocation() {
    let mut arena = Arena::new(4096);
    let mut on_arena = arena.bump();
    let bump = &mut on_arena.bump;
    let one = bump.allocate(Layout::from_size_align(1, 1).unwrap()).unwrap();
    assert_eq!(one.addr().get(), on_arena.start);
    let aligned = bump.allocate(Layout::from_size_align(8, 64).unwrap()).unwrap();
    assert_eq!(aligned.addr().get(), on_arena.start + 64, "bytes 1..64 are padding");
    let next = bump.allocate(Layout::from_size_align(3, 2).unwrap()).unwrap();
    assert_eq!(next.addr().get(), on_arena.start + 72, "right after the previous one");
    assert_eq!(bump.used(), 75);
    assert_eq!(bump.live_allocations(), 3);
    for shift in 0..=12 {
        let layout = Layout::from_size_align(1, 1 << shift).unwrap();
        if let Some(pointer) = bump.allocate(layout) {
            assert!(pointer.addr().get().is_multiple_of(1 << shift));
            assert!(pointer.addr().get() < on_arena.start + on_arena.len);
        }
    }
}

#[test]
fn bump_fails_past_the_end() {
    let mut arena = Arena::new(4096);
    let mut on_arena = arena.bump();
    let bump = &mut on_arena.bump;
    let half = Layout::from_size_align(2048, 8).unwrap();
    assert!(bump.allocate(half).is_some());
    assert!(bump.allocate(half).is_some());
    assert_eq!(bump.allocate(Layout::new::<u8>()), None, "exactly full");
    assert_eq!(bump.allocate(Layout::from_size_align(usize::MAX / 2, 1).unwrap()), None, "no overflow");
    assert_eq!(bump.live_allocations(), 2, "failures are not counted");
    assert_eq!(crate::Bump::empty().allocate(Layout::new::<u8>()), None, "no memory before init");
}

#[test]
fn bump_resets_when_everything_is_freed() {
    let mut arena = Arena::new(4096);
    let mut on_arena = arena.bump();
    let bump = &mut on_arena.bump;
    let layout = Layout::from_size_align(1000, 8).unwrap();
    let pointers: Vec<_> = (0..4).map(|_| bump.allocate(layout).unwrap()).collect();
    assert_eq!(bump.allocate(layout), None, "4 KiB holds four");

    for &pointer in &pointers[..3] {
        // SAFETY: each came from this allocator and is freed once.
        unsafe { bump.deallocate(pointer, layout) };
    }
    assert_eq!(bump.allocate(layout), None, "one live allocation pins the whole region");
    assert_eq!(bump.used(), 4000);

    // SAFETY: the last one, also freed once.
    unsafe { bump.deallocate(pointers[3], layout) };
    assert_eq!((bump.live_allocations(), bump.used()), (0, 0));
    assert_eq!(bump.allocate(layout), Some(pointers[0]), "back at the start");
}
