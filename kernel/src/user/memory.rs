//! Touching user memory on purpose: SMEP, SMAP and the access window.
//!
//! With SMEP (CR4 bit 20) the CPU refuses to execute user pages in ring 0;
//! with SMAP (CR4 bit 21) it refuses to read or write them, unless
//! RFLAGS.AC is set. So the kernel sets AC (`stac`) only inside the copy
//! routines, after the range was checked, and clears it (`clac`) right
//! after: a stray kernel dereference of a user pointer anywhere else is a
//! page fault instead of a silent read. Intel SDM Vol. 3A, 4.6 "Access
//! Rights", "Supervisor-mode access prevention".
//!
//! Rank 6.

use core::sync::atomic::{AtomicBool, Ordering};

use x86_64::registers::control::{Cr4, Cr4Flags};

use crate::boot::summary::field;

static SMAP: AtomicBool = AtomicBool::new(false);

/// Turns SMEP and SMAP on where the CPU has them (CPUID leaf 7, EBX bits 7
/// and 20).
pub fn init() {
    let leaf7 = if core::arch::x86_64::__cpuid(0).eax >= 7 { core::arch::x86_64::__cpuid_count(7, 0).ebx } else { 0 };
    let (smep, smap) = (leaf7 & (1 << 7) != 0, leaf7 & (1 << 20) != 0);
    let mut flags = Cr4::read();
    flags.set(Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION, smep);
    flags.set(Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION, smap);
    // SAFETY: the kernel neither executes nor (outside the windows below)
    // touches user pages, so turning the protections on changes nothing
    // for correct code.
    unsafe { Cr4::write(flags) };
    SMAP.store(smap, Ordering::Relaxed);
    let state = |on: bool| if on { "on" } else { "absent" };
    field("smep/smap", format_args!("SMEP {}, SMAP {}", state(smep), state(smap)));
}

/// Closes the user-access window on entry to an interrupt or exception:
/// the CPU keeps RFLAGS.AC as ring 3 left it, and a program may set AC
/// (`stac` is privileged, but `popf` is not), which would switch SMAP off
/// for the handler. `syscall` clears AC through SFMASK instead.
pub fn close_window() {
    if SMAP.load(Ordering::Relaxed) {
        // SAFETY: `clac` only clears RFLAGS.AC; the CPU has SMAP.
        unsafe { core::arch::asm!("clac", options(nomem, nostack)) };
    }
}

/// Runs `f` with user memory accessible (RFLAGS.AC set under SMAP).
fn with_user_access<R>(f: impl FnOnce() -> R) -> R {
    let smap = SMAP.load(Ordering::Relaxed);
    if smap {
        // SAFETY: `stac` only sets RFLAGS.AC; the CPU has SMAP, so the
        // instruction exists.
        unsafe { core::arch::asm!("stac", options(nomem, nostack)) };
    }
    let result = f();
    if smap {
        // SAFETY: clears RFLAGS.AC again.
        unsafe { core::arch::asm!("clac", options(nomem, nostack)) };
    }
    result
}

/// Copies `into.len()` bytes from user address `from`. The caller has
/// checked the range with `syscalls::check_user_range`.
pub fn copy_from_user(into: &mut [u8], from: u64) {
    with_user_access(|| {
        // SAFETY: the range [from, from + len) was checked to be mapped,
        // user-accessible memory of the active address space; bytes are
        // copied volatile-free but the program cannot run concurrently
        // (one CPU, interrupts off in the syscall path).
        unsafe { core::ptr::copy_nonoverlapping(from as *const u8, into.as_mut_ptr(), into.len()) };
    });
}

/// Copies `from` to user address `to`. The caller has checked the range
/// with `syscalls::check_user_range(.., writable: true)`.
pub fn copy_to_user(to: u64, from: &[u8]) {
    with_user_access(|| {
        // SAFETY: [to, to + len) was checked to be mapped, user-accessible
        // and writable in the active address space, which holds no kernel
        // data; the program cannot run while the kernel copies.
        unsafe { core::ptr::copy_nonoverlapping(from.as_ptr(), to as *mut u8, from.len()) };
    });
}

/// A deliberate read of user memory *outside* any window: with SMAP on,
/// this page-faults (the `smap-violation` scenario).
pub fn read_without_window(address: u64) -> u8 {
    // SAFETY: deliberately wrong when SMAP is on (the point is the fault);
    // the address is a mapped user page, so without SMAP it is a plain read.
    unsafe { (address as *const u8).read_volatile() }
}
