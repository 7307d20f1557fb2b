//! Little-endian fields, checksums and printable signatures.
//!
//! ACPI tables are packed little-endian structures with no alignment
//! promise, so fields are copied out byte by byte rather than cast (a cast
//! would need `unsafe` and an aligned address). Every reader here takes a
//! slice the caller has already length-checked against the structure it
//! parses; should a check ever be missing, the field reads as zero instead
//! of panicking, because a panic while parsing firmware tables at boot would
//! take the kernel down over one bad byte.

use core::fmt;

pub(crate) fn u16_at(bytes: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes(array_at(bytes, offset))
}

pub(crate) fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(array_at(bytes, offset))
}

pub(crate) fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    u64::from_le_bytes(array_at(bytes, offset))
}

/// `N` bytes starting at `offset`, or zeros if they are not all there.
pub(crate) fn array_at<const N: usize>(bytes: &[u8], offset: usize) -> [u8; N] {
    offset
        .checked_add(N)
        .and_then(|end| bytes.get(offset..end))
        .and_then(|field| field.try_into().ok())
        .unwrap_or([0; N])
}

/// The byte sum of `bytes`, wrapping. ACPI checksums are chosen so that a
/// whole structure sums to zero (ACPI 6.5, 5.2.5.3 and 5.2.6).
pub(crate) fn sum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |total, &byte| total.wrapping_add(byte))
}

/// Shows signature bytes as text: printable ASCII as itself, anything else
/// as `\xNN`, so a corrupt signature still prints as one readable line.
pub(crate) struct Ascii<'a>(pub &'a [u8]);

impl fmt::Display for Ascii<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &byte in self.0 {
            if byte.is_ascii_graphic() || byte == b' ' {
                write!(f, "{}", char::from(byte))?;
            } else {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_fields_at_any_offset() {
        let bytes = [0xff, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0];
        assert_eq!(u16_at(&bytes, 1), 0x1234);
        assert_eq!(u32_at(&bytes, 3), 0x1234_5678);
        assert_eq!(u64_at(&bytes, 3), 0x1234_5678);
    }

    #[test]
    fn a_field_past_the_end_reads_as_zero_instead_of_panicking() {
        assert_eq!(u32_at(&[1, 2, 3], 0), 0);
        assert_eq!(u64_at(&[1; 16], usize::MAX - 2), 0);
    }

    #[test]
    fn sums_wrap_around_at_256() {
        assert_eq!(sum(&[0x80, 0x80]), 0);
        assert_eq!(sum(&[0xff, 0x02]), 1);
    }

    #[test]
    fn unprintable_signature_bytes_are_escaped() {
        assert_eq!(Ascii(b"APIC").to_string(), "APIC");
        assert_eq!(Ascii(b"RSD PTR ").to_string(), "RSD PTR ");
        assert_eq!(Ascii(&[b'A', 0, 0xff]).to_string(), "A\\x00\\xff");
    }
}
