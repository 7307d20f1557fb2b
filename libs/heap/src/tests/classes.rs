//! Which class serves which request.

use crate::{CLASSES, class_of};
use std::alloc::Layout;

fn class_size(size: usize, align: usize) -> Option<usize> {
    class_of(Layout::from_size_align(size, align).unwrap()).map(|class| CLASSES[class])
}

#[test]
fn classes_are_the_powers_of_two_from_8_to_2048() {
    let expected: Vec<usize> = (3..=11).map(|shift| 1 << shift).collect();
    assert_eq!(CLASSES.to_vec(), expected);
}

#[test]
fn class_boundaries() {
    assert_eq!(class_size(0, 1), Some(8), "size 0 still gets a block of its own");
    assert_eq!(class_size(1, 1), Some(8));
    assert_eq!(class_size(8, 1), Some(8));
    assert_eq!(class_size(9, 1), Some(16));
    assert_eq!(class_size(1024, 8), Some(1024));
    assert_eq!(class_size(1025, 8), Some(2048));
    assert_eq!(class_size(2048, 1), Some(2048));
    assert_eq!(class_size(2049, 1), None, "one byte over the largest class");
    assert_eq!(class_size(65536, 8), None);
}

#[test]
fn alignment_counts_like_size() {
    assert_eq!(class_size(8, 64), Some(64));
    assert_eq!(class_size(1, 2048), Some(2048));
    assert_eq!(class_size(8, 4096), None, "aligned beyond the largest class");
    assert_eq!(class_size(0, 4096), None);
}

#[test]
fn every_size_gets_the_smallest_class_that_fits() {
    for size in 0..=4096 {
        for align in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] {
            let needed = size.max(align);
            let expected = CLASSES.iter().copied().find(|&class| class >= needed);
            assert_eq!(class_size(size, align), expected, "size {size}, align {align}");
        }
    }
}
