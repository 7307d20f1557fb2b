//! Error codes, decoded into words.
//!
//! A page fault's error code is a set of flags about the access (SDM
//! Vol. 3A, 4.7, figure 4-12); #TS, #NP, #SS and #GP push a *selector*
//! error code naming the descriptor involved (SDM Vol. 3A, 6.13).

use core::fmt;

/// A page-fault error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageFaultError(pub u64);

impl PageFaultError {
    const PRESENT: u64 = 1 << 0;
    const WRITE: u64 = 1 << 1;
    const USER: u64 = 1 << 2;
    const RESERVED_BIT: u64 = 1 << 3;
    const INSTRUCTION_FETCH: u64 = 1 << 4;
    const PROTECTION_KEY: u64 = 1 << 5;
    const SHADOW_STACK: u64 = 1 << 6;

    fn has(self, bit: u64) -> bool {
        self.0 & bit != 0
    }
}

impl fmt::Display for PageFaultError {
    /// `protection violation, write, user mode`, plus any rarer causes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.has(Self::PRESENT) { "protection violation" } else { "not-present page" })?;
        let access = if self.has(Self::INSTRUCTION_FETCH) {
            "instruction fetch"
        } else if self.has(Self::WRITE) {
            "write"
        } else {
            "read"
        };
        write!(f, ", {access}, {} mode", if self.has(Self::USER) { "user" } else { "supervisor" })?;
        if self.has(Self::RESERVED_BIT) {
            f.write_str(", reserved bit set in a paging entry")?;
        }
        if self.has(Self::PROTECTION_KEY) {
            f.write_str(", protection key")?;
        }
        if self.has(Self::SHADOW_STACK) {
            f.write_str(", shadow stack")?;
        }
        Ok(())
    }
}

/// A selector error code: which descriptor table entry was involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SelectorError(pub u64);

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("no selector (the fault is not about a descriptor)");
        }
        let table = match (self.0 >> 1) & 0b11 {
            0b00 => "GDT",
            0b10 => "LDT",
            _ => "IDT",
        };
        let index = (self.0 >> 3) & 0x1fff;
        write!(f, "{table} entry {index}")?;
        if table == "IDT" {
            write!(f, " (vector {index})")?;
        }
        if self.0 & 1 != 0 {
            f.write_str(", raised by an external event")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_not_present_read_by_the_kernel() {
        assert_eq!(PageFaultError(0).to_string(), "not-present page, read, supervisor mode");
    }

    #[test]
    fn decodes_a_user_write_to_a_read_only_page() {
        assert_eq!(PageFaultError(0b111).to_string(), "protection violation, write, user mode");
    }

    #[test]
    fn an_instruction_fetch_wins_over_read_and_write() {
        assert_eq!(PageFaultError(0b1_0001).to_string(), "protection violation, instruction fetch, supervisor mode");
        assert!(PageFaultError(0b1000).to_string().ends_with("reserved bit set in a paging entry"));
    }

    #[test]
    fn a_selector_code_names_its_table_and_index() {
        assert_eq!(SelectorError(0x28).to_string(), "GDT entry 5");
        // Vector 0x80 through the IDT: index 0x80, IDT bit (bit 1) set.
        assert_eq!(SelectorError((0x80 << 3) | 0b10).to_string(), "IDT entry 128 (vector 128)");
        assert_eq!(SelectorError((4 << 3) | 0b101).to_string(), "LDT entry 4, raised by an external event");
        assert!(SelectorError(0).to_string().starts_with("no selector"));
    }
}
