//! The 32 exception vectors the CPU reserves (Intel SDM Vol. 3A, table 6-1).

/// One exception vector: its mnemonic, its name, and whether the CPU
/// pushes an error code for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exception {
    pub vector: u8,
    pub mnemonic: &'static str,
    pub name: &'static str,
    pub has_error_code: bool,
}

const fn e(vector: u8, mnemonic: &'static str, name: &'static str, has_error_code: bool) -> Exception {
    Exception { vector, mnemonic, name, has_error_code }
}

/// Vectors 0–31. Reserved ones are named as such so a report never
/// leaves a vector unexplained.
pub const EXCEPTIONS: [Exception; 32] = [
    e(0, "#DE", "divide error", false),
    e(1, "#DB", "debug", false),
    e(2, "NMI", "non-maskable interrupt", false),
    e(3, "#BP", "breakpoint", false),
    e(4, "#OF", "overflow", false),
    e(5, "#BR", "bound range exceeded", false),
    e(6, "#UD", "invalid opcode", false),
    e(7, "#NM", "device not available", false),
    e(8, "#DF", "double fault", true),
    e(9, "CSO", "coprocessor segment overrun (reserved)", false),
    e(10, "#TS", "invalid TSS", true),
    e(11, "#NP", "segment not present", true),
    e(12, "#SS", "stack-segment fault", true),
    e(13, "#GP", "general protection", true),
    e(14, "#PF", "page fault", true),
    e(15, "--", "reserved", false),
    e(16, "#MF", "x87 floating-point error", false),
    e(17, "#AC", "alignment check", true),
    e(18, "#MC", "machine check", false),
    e(19, "#XM", "SIMD floating-point exception", false),
    e(20, "#VE", "virtualization exception", false),
    e(21, "#CP", "control protection", true),
    e(22, "--", "reserved", false),
    e(23, "--", "reserved", false),
    e(24, "--", "reserved", false),
    e(25, "--", "reserved", false),
    e(26, "--", "reserved", false),
    e(27, "--", "reserved", false),
    e(28, "#HV", "hypervisor injection", false),
    e(29, "#VC", "VMM communication", true),
    e(30, "#SX", "security exception", true),
    e(31, "--", "reserved", false),
];

/// The exception for a vector below 32.
pub fn exception(vector: u64) -> Option<&'static Exception> {
    EXCEPTIONS.get(usize::try_from(vector).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vector_sits_at_its_own_index() {
        for (index, exception) in EXCEPTIONS.iter().enumerate() {
            assert_eq!(usize::from(exception.vector), index);
        }
    }

    #[test]
    fn exactly_the_documented_vectors_push_an_error_code() {
        let with_code: Vec<u8> = EXCEPTIONS.iter().filter(|e| e.has_error_code).map(|e| e.vector).collect();
        assert_eq!(with_code, [8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);
    }

    #[test]
    fn names_the_common_faults() {
        assert_eq!(exception(14).map(|e| e.mnemonic), Some("#PF"));
        assert_eq!(exception(8).map(|e| e.name), Some("double fault"));
        assert_eq!(exception(32), None);
    }
}
