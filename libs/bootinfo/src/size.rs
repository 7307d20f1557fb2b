//! Byte counts for people: `247.3 MiB`, not `259325952`.
//!
//! Binary units (KiB = 1024 B) because memory is sized in powers of two.
//! One decimal place, rounded down so a summary never claims memory the
//! machine does not have.

use core::fmt;

const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// A byte count that formats itself in the largest unit that keeps the
/// whole part at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let mut unit = 0;
        while unit + 1 < UNITS.len() && bytes >= 1u64 << (10 * (unit + 1)) {
            unit += 1;
        }
        if unit == 0 {
            return write!(f, "{bytes} B");
        }
        let scale = 1u64 << (10 * unit);
        let whole = bytes / scale;
        // Tenths, rounded down: (remainder * 10) / scale < 10 always.
        let tenths = (bytes % scale) * 10 / scale;
        write!(f, "{whole}.{tenths} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::Bytes;

    #[test]
    fn small_counts_stay_in_bytes() {
        assert_eq!(Bytes(0).to_string(), "0 B");
        assert_eq!(Bytes(1023).to_string(), "1023 B");
    }

    #[test]
    fn picks_the_largest_unit_with_a_whole_part() {
        assert_eq!(Bytes(1024).to_string(), "1.0 KiB");
        assert_eq!(Bytes(1536).to_string(), "1.5 KiB");
        assert_eq!(Bytes(256 << 20).to_string(), "256.0 MiB");
        assert_eq!(Bytes(3 << 30).to_string(), "3.0 GiB");
    }

    #[test]
    fn rounds_down_never_up() {
        // 1 MiB minus one byte is 1023.99 KiB: shown as 1023.9, not 1024.0.
        assert_eq!(Bytes((1 << 20) - 1).to_string(), "1023.9 KiB");
        assert_eq!(Bytes(259_325_952).to_string(), "247.3 MiB");
    }

    #[test]
    fn the_largest_value_does_not_overflow() {
        assert_eq!(Bytes(u64::MAX).to_string(), "15.9 EiB");
    }
}
