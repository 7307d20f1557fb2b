//! A small deterministic pseudo-random generator for stress tests.
//!
//! The kernel's allocation stress test must do exactly the same thing on
//! every boot, so a failure can be replayed, and the host tests must be able
//! to replay it too. Marsaglia's xorshift64 (Journal of Statistical Software
//! 8(14), 2003) is three shifts and three xors on one `u64`: no tables, no
//! allocation, `const`-constructible, and plenty random for picking sizes.
//! It is not for anything an attacker could care about.

/// Marsaglia's xorshift64 with the shift triple (13, 7, 17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XorShift64 {
    state: u64,
}

impl XorShift64 {
    /// Replaces a zero seed: zero is the one state xorshift never leaves.
    /// The constant is the 64-bit golden ratio, a conventional odd filler.
    const ZERO_SEED_REPLACEMENT: u64 = 0x9e37_79b9_7f4a_7c15;

    /// A generator starting from `seed`. The same seed always yields the
    /// same sequence; seed 0 is replaced by a fixed non-zero constant.
    pub const fn new(seed: u64) -> Self {
        Self { state: if seed == 0 { Self::ZERO_SEED_REPLACEMENT } else { seed } }
    }

    /// The next 64 pseudo-random bits. Every non-zero `u64` appears once per
    /// period of 2^64 - 1 calls.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// A number in `0..n`, taken from the high bits of `next_u64() * n`
    /// (Lemire's multiply-shift): no division, and the bias is at most
    /// `n / 2^64`, invisible at the sizes a test uses.
    ///
    /// # Panics
    ///
    /// When `n` is 0: the range `0..0` is empty.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "XorShift64::below(0): the range 0..0 is empty");
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}
