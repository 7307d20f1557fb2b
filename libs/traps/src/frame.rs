//! The trap frame: everything saved when the CPU stops what it was doing.

use core::fmt;

use crate::{PageFaultError, SelectorError, exception};

/// What the entry stubs leave on the stack, lowest address first: the 15
/// general registers they push (r15 last, so first here), the vector and
/// error code (a zero is pushed for vectors without one, so every frame
/// has the same shape), then the five words the CPU pushed.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

/// Words in a frame: the stubs' assembly relies on this layout.
pub const FRAME_WORDS: usize = 22;
const _: () = assert!(core::mem::size_of::<TrapFrame>() == FRAME_WORDS * 8);

impl TrapFrame {
    /// Whether the trap came from ring 3 (the low bits of CS are the
    /// privilege level the CPU was running at).
    pub fn from_user_mode(&self) -> bool {
        self.cs & 0b11 == 3
    }

    /// A report: the exception's name, the decoded error code, `cr2` for
    /// page faults, and the registers. Only `Display`, so it works before
    /// any heap exists.
    pub fn report(&self, cr2: u64) -> Report<'_> {
        Report { frame: self, cr2 }
    }
}

pub struct Report<'a> {
    frame: &'a TrapFrame,
    cr2: u64,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frame = self.frame;
        match exception(frame.vector) {
            Some(e) => write!(f, "{} {} (vector {})", e.mnemonic, e.name, e.vector)?,
            None => write!(f, "interrupt vector {}", frame.vector)?,
        }
        writeln!(f, " in {} mode", if frame.from_user_mode() { "user" } else { "kernel" })?;
        match exception(frame.vector) {
            Some(e) if e.vector == 14 => {
                writeln!(f, "  cr2 {:#018x}", self.cr2)?;
                writeln!(f, "  error {:#x}: {}", frame.error_code, PageFaultError(frame.error_code))?;
            }
            Some(e) if matches!(e.vector, 10..=13) => {
                writeln!(f, "  error {:#x}: {}", frame.error_code, SelectorError(frame.error_code))?;
            }
            Some(e) if e.has_error_code => writeln!(f, "  error {:#x}", frame.error_code)?,
            _ => {}
        }
        writeln!(f, "  rip {:#018x}  cs {:#06x}  rflags {:#010x}", frame.rip, frame.cs, frame.rflags)?;
        writeln!(f, "  rsp {:#018x}  ss {:#06x}", frame.rsp, frame.ss)?;
        writeln!(f, "  rax {:#018x}  rbx {:#018x}  rcx {:#018x}", frame.rax, frame.rbx, frame.rcx)?;
        writeln!(f, "  rdx {:#018x}  rsi {:#018x}  rdi {:#018x}", frame.rdx, frame.rsi, frame.rdi)?;
        write!(f, "  rbp {:#018x}  r8  {:#018x}  r9  {:#018x}", frame.rbp, frame.r8, frame.r9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(vector: u64, error_code: u64) -> TrapFrame {
        TrapFrame {
            vector,
            error_code,
            rip: 0xffff_ffff_8000_1234,
            cs: 0x08,
            rflags: 0x202,
            rsp: 0x1000,
            ..Default::default()
        }
    }

    #[test]
    fn a_page_fault_report_shows_cr2_and_the_decoded_error() {
        let text = frame(14, 0b10).report(0xdead_b000).to_string();
        assert!(text.starts_with("#PF page fault (vector 14) in kernel mode\n"), "{text}");
        assert!(text.contains("  cr2 0x00000000deadb000\n"), "{text}");
        assert!(text.contains("  error 0x2: not-present page, write, supervisor mode\n"), "{text}");
        assert!(text.contains("  rip 0xffffffff80001234  cs 0x0008  rflags 0x00000202"), "{text}");
    }

    #[test]
    fn a_general_protection_report_names_the_selector() {
        let text = frame(13, 0x28).report(0).to_string();
        assert!(text.contains("#GP general protection (vector 13)"), "{text}");
        assert!(text.contains("error 0x28: GDT entry 5"), "{text}");
    }

    #[test]
    fn a_breakpoint_has_no_error_line_and_user_mode_is_recognised() {
        let mut user = frame(3, 0);
        user.cs = 0x23;
        let text = user.report(0).to_string();
        assert!(text.starts_with("#BP breakpoint (vector 3) in user mode"), "{text}");
        assert!(!text.contains("error"), "{text}");
    }

    #[test]
    fn hardware_vectors_are_reported_by_number() {
        assert!(frame(48, 0).report(0).to_string().starts_with("interrupt vector 48 in kernel mode"));
    }
}
