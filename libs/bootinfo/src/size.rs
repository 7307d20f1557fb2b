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
    /// Honours width and alignment (`{:>10}`), so tables line up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Text { bytes: [0; 32], length: 0 };
        self.write_plain(&mut text)?;
        f.pad(core::str::from_utf8(&text.bytes[..text.length]).map_err(|_| fmt::Error)?)
    }
}

impl Bytes {
    fn write_plain(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let bytes = self.0;
        let mut unit = 0;
        while unit + 1 < UNITS.len() && bytes >= 1u64 << (10 * (unit + 1)) {
            unit += 1;
        }
        if unit == 0 {
            return write!(out, "{bytes} B");
        }
        let scale = 1u64 << (10 * unit);
        let whole = bytes / scale;
        // Tenths, rounded down: (remainder * 10) / scale < 10 always.
        let tenths = (bytes % scale) * 10 / scale;
        write!(out, "{whole}.{tenths} {}", UNITS[unit])
    }
}

/// A small stack buffer to format into before padding.
struct Text {
    bytes: [u8; 32],
    length: usize,
}

impl fmt::Write for Text {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.length + text.len();
        self.bytes.get_mut(self.length..end).ok_or(fmt::Error)?.copy_from_slice(text.as_bytes());
        self.length = end;
        Ok(())
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
    fn honours_width_and_alignment() {
        assert_eq!(format!("[{:>10}]", Bytes(1536)), "[   1.5 KiB]");
        assert_eq!(format!("[{:<8}]", Bytes(7)), "[7 B     ]");
    }

    #[test]
    fn the_largest_value_does_not_overflow() {
        assert_eq!(Bytes(u64::MAX).to_string(), "15.9 EiB");
    }
}
