//! `syscall` and `sysret`: the one door from ring 3 into the kernel.
//!
//! `syscall` jumps to LSTAR with CS/SS from STAR[47:32], saves the user
//! RIP in RCX and RFLAGS in R11, clears the RFLAGS bits set in SFMASK
//! (interrupts, direction, trap, alignment check) and — unlike an
//! interrupt — does *not* switch stacks. So the entry's first act is
//! `swapgs`, which swaps in the per-CPU area's address (KERNEL_GS_BASE),
//! then it saves the user RSP there, loads the kernel's, and swaps GS
//! back at once (Rank VIII: a process may block in a system call and
//! another return to ring 3 by `iretq`, so GS must not depend on which
//! path the kernel was entered by; programs never use GS). It saves the
//! registers the ABI promises to preserve, calls one Rust dispatcher with
//! a pointer to them, restores them, and leaves with `sysretq`, which
//! reloads RIP from RCX, RFLAGS from R11 and CS/SS from STAR[63:48].
//! Intel SDM Vol. 2B, "SYSCALL" and "SYSRET"; Vol. 3A 5.8.8 "Fast System
//! Calls in 64-Bit Mode".
//!
//! `sysretq` to a non-canonical RIP raises #GP *in ring 0* on Intel CPUs,
//! with the user's RSP already loaded: a classic privilege escalation. So
//! the dispatcher refuses to return to a non-canonical address: such a
//! program is ended like one that faulted.
//!
//! Rank 6.

use core::arch::global_asm;

use x86_64::VirtAddr;
use x86_64::registers::model_specific::{Efer, EferFlags, GsBase, KernelGsBase, LStar, SFMask, Star};
use x86_64::registers::rflags::RFlags;

/// What the entry saved: the user's registers, in push order reversed.
#[repr(C)]
#[derive(Debug)]
pub struct SyscallFrame {
    pub r9: u64,
    pub r8: u64,
    pub r10: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    /// The syscall number on entry, the result on return.
    pub rax: u64,
    /// The user RIP to return to (`syscall` put it in RCX).
    pub rip: u64,
    /// The user RFLAGS (`syscall` put them in R11).
    pub rflags: u64,
    pub user_rsp: u64,
}

/// The per-CPU area `swapgs` makes reachable through GS in the entry.
#[repr(C)]
struct PerCpu {
    /// Offset 0: the stack the entry switches to.
    kernel_rsp: u64,
    /// Offset 8: where the entry parks the user's RSP.
    user_rsp: u64,
}

static mut PER_CPU: PerCpu = PerCpu { kernel_rsp: 0, user_rsp: 0 };

global_asm!(
    ".global syscall_entry",
    "syscall_entry:",
    "swapgs",
    "mov gs:[8], rsp",
    "mov rsp, gs:[0]",
    "push qword ptr gs:[8]", // user RSP
    // Back to the user's GS at once: outside these four instructions
    // (interrupts off) GS is always the user's and KERNEL_GS_BASE the
    // per-CPU area, whichever process the kernel switches to meanwhile.
    "swapgs",
    "push r11", // user RFLAGS
    "push rcx",              // user RIP
    "push rax",
    "push rdi",
    "push rsi",
    "push rdx",
    "push r10",
    "push r8",
    "push r9",
    // Ten pushes from a 16-byte aligned top keep RSP aligned for the call.
    "mov rdi, rsp",
    "call {dispatch}",
    "pop r9",
    "pop r8",
    "pop r10",
    "pop rdx",
    "pop rsi",
    "pop rdi",
    "pop rax",
    "pop rcx",
    "pop r11",
    "pop rsp", // the user's stack, from here to sysret
    "sysretq",
    dispatch = sym dispatch,
);

unsafe extern "C" {
    fn syscall_entry();
}

extern "C" fn dispatch(frame: &mut SyscallFrame) {
    super::syscalls::handle(frame);
    if !is_canonical(frame.rip) {
        super::end_program(super::Ending::BadReturn(frame.rip));
    }
}

fn is_canonical(address: u64) -> bool {
    VirtAddr::try_new(address).is_ok()
}

/// Programs the SYSCALL MSRs and the per-CPU area. `stack_top` is where
/// entries land (the same stack as TSS.RSP0).
pub fn init(stack_top: u64) {
    let selectors = crate::arch::gdt::selectors();
    Star::write(selectors.user_code, selectors.user_data, selectors.kernel_code, selectors.kernel_data)
        .unwrap_or_else(|e| panic!("STAR: the GDT is not in SYSRET order: {e:?}"));
    LStar::write(VirtAddr::new(syscall_entry as *const () as u64));
    SFMask::write(RFlags::INTERRUPT_FLAG | RFlags::DIRECTION_FLAG | RFlags::TRAP_FLAG | RFlags::ALIGNMENT_CHECK);
    // SAFETY: one CPU; the entry reads PER_CPU only through GS after
    // `swapgs`, and this runs before any program does.
    unsafe { PER_CPU.kernel_rsp = stack_top };
    // SAFETY: enabling SCE only makes `syscall` legal; LSTAR, STAR and
    // SFMASK were programmed first.
    unsafe { Efer::update(|flags| flags.insert(EferFlags::SYSTEM_CALL_EXTENSIONS)) };
}

/// Where the next `syscall` lands: the running process's kernel stack.
pub fn set_entry_stack(top: u64) {
    // SAFETY: one CPU, interrupts off (the scheduler's switch); the entry
    // reads this slot only at the start of a system call.
    unsafe { PER_CPU.kernel_rsp = top };
}

/// Sets the GS bases as ring 3 must find them: the user's (0) active, the
/// per-CPU area waiting in KERNEL_GS_BASE for the entry's `swapgs`.
pub fn prepare_gs() {
    KernelGsBase::write(VirtAddr::new((&raw const PER_CPU) as u64));
    GsBase::write(VirtAddr::new(0));
}
