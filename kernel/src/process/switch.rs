//! The context switch: the only code that changes which kernel stack the
//! CPU runs on.
//!
//! A process that is not running is, from the kernel's point of view, a
//! saved stack pointer. Everything else it needs to resume — the
//! interrupted user registers (in the trap or system-call frame), the
//! Rust frames of whatever kernel path it was in — is already on its
//! kernel stack. `switch` pushes the six registers the System V ABI says
//! a called function must preserve (RBX, RBP, R12–R15), stores RSP
//! through `save`, loads the other stack's RSP, pops that stack's six,
//! and returns — on the other stack, into whatever called `switch` there
//! (or, for a new process, into `process_start`). The caller-saved
//! registers need no saving: the compiler already treats `switch` as a
//! call that may clobber them. RFLAGS travels implicitly: both sides run
//! with interrupts off, and each restores its own state on the way out.

use core::arch::naked_asm;

/// Saves the current context's stack pointer in `*save` and resumes the
/// one whose stack pointer is `next`.
///
/// # Safety
/// Interrupts must be off. `next` must be a stack pointer saved by
/// `switch`, or one laid out by `initial_stack`, on a mapped stack that
/// nothing else uses; `save` must stay valid until that context resumes.
#[unsafe(naked)]
pub unsafe extern "sysv64" fn switch(save: *mut u64, next: u64) {
    naked_asm!(
        "push rbp",
        "push rbx",
        "push r12",
        "push r13",
        "push r14",
        "push r15",
        "mov [rdi], rsp",
        "mov rsp, rsi",
        "pop r15",
        "pop r14",
        "pop r13",
        "pop r12",
        "pop rbx",
        "pop rbp",
        "ret",
    )
}

/// Lays out a new process's kernel stack as if it had called `switch`
/// from the start of `entry`: six zero registers, then `entry` as the
/// return address, then a zero word so that `entry` begins with RSP ≡ 8
/// (mod 16), as after a `call`. Returns the stack pointer to switch to.
pub fn initial_stack(top: u64, entry: extern "C" fn() -> !) -> u64 {
    let words = [0u64, 0, 0, 0, 0, 0, entry as usize as u64, 0];
    let rsp = top - (words.len() as u64) * 8;
    for (i, word) in words.iter().enumerate() {
        // SAFETY: [rsp, top) is the top of a freshly mapped kernel stack
        // that no one runs on yet; the words are 8-byte aligned.
        unsafe { ((rsp + i as u64 * 8) as *mut u64).write(*word) };
    }
    rsp
}
