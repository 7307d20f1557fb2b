//! A list with a fixed capacity that counts what did not fit.
//!
//! At Rank III the kernel has no heap yet, so the MADT summary cannot grow a
//! `Vec`. An array plus a count does the job, as `arrayvec`/`heapless` would;
//! those crates were not pulled in because the library needs only `push` and
//! a slice, and keeping zero dependencies keeps the crate readable end to end.
//! Rather than fail when firmware lists more CPUs than the kernel supports,
//! the list keeps the first `CAPACITY` items and counts the rest, so the
//! kernel can boot on what it has and say what it left out.

/// Up to `CAPACITY` items in insertion order, plus a count of dropped ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoundedList<T, const CAPACITY: usize> {
    items: [T; CAPACITY],
    length: usize,
    dropped: usize,
}

impl<T: Copy + Default, const CAPACITY: usize> BoundedList<T, CAPACITY> {
    pub fn new() -> Self {
        Self { items: [T::default(); CAPACITY], length: 0, dropped: 0 }
    }

    /// Appends `item`, or counts it as dropped when the list is full.
    pub fn push(&mut self, item: T) {
        match self.items.get_mut(self.length) {
            Some(slot) => {
                *slot = item;
                self.length += 1;
            }
            None => self.dropped += 1,
        }
    }

    pub fn as_slice(&self) -> &[T] {
        &self.items[..self.length]
    }

    /// How many pushes found the list already full.
    pub fn dropped(&self) -> usize {
        self.dropped
    }
}

impl<T: Copy + Default, const CAPACITY: usize> Default for BoundedList<T, CAPACITY> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::BoundedList;

    #[test]
    fn keeps_items_in_the_order_they_were_pushed() {
        let mut list = BoundedList::<u8, 4>::new();
        list.push(3);
        list.push(1);
        assert_eq!(list.as_slice(), [3, 1]);
        assert_eq!(list.dropped(), 0);
    }

    #[test]
    fn keeps_the_first_items_and_counts_the_rest_when_full() {
        let mut list = BoundedList::<u8, 2>::new();
        for item in 0..5 {
            list.push(item);
        }
        assert_eq!(list.as_slice(), [0, 1]);
        assert_eq!(list.dropped(), 3);
    }

    #[test]
    fn a_zero_capacity_list_drops_everything_without_panicking() {
        let mut list = BoundedList::<u8, 0>::new();
        list.push(7);
        assert!(list.as_slice().is_empty());
        assert_eq!(list.dropped(), 1);
    }
}
