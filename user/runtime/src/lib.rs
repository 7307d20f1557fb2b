//! The user-space runtime: everything a MinimalOS program needs that is
//! not its own code.
//!
//! * `entry!(main)` defines `_start`, the ELF entry point: it calls `main`
//!   and passes its return value to `exit`. The kernel enters with the
//!   stack pointer 16-byte aligned and one argument in `rdi`.
//! * System-call wrappers over the shared ABI (`libs/abi`): `write`,
//!   `getpid`, `exit`, and `raw_syscall` for programs that want to send
//!   the kernel something it should refuse.
//! * `print!` / `println!` over `write(1, …)`.
//! * A panic handler that prints the message and location and exits with
//!   code 101, like a Rust program on Linux.
//!
//! Rank 6. The programs themselves live in `user/programs/src/bin/`.
#![no_std]

use core::arch::asm;
use core::fmt;

pub use abi::{Error, Syscall};

/// Exit code of a program that panicked (Rust's own convention).
pub const PANIC_EXIT_CODE: i32 = 101;

/// A system call with up to three arguments, exactly as the hardware
/// sees it: number in `rax`, arguments in `rdi`, `rsi`, `rdx`; `rcx` and
/// `r11` are overwritten by `syscall` itself.
#[inline(always)]
pub fn raw_syscall(number: u64, a: u64, b: u64, c: u64) -> u64 {
    let result;
    // SAFETY: `syscall` enters the kernel, which checks every argument
    // and preserves all registers except rax (the result), rcx and r11
    // (declared clobbered). It touches no memory the compiler knows of
    // except through pointers the caller passed on purpose.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") number => result,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    result
}

/// `write(fd, buffer)`: bytes written, or the kernel's refusal.
pub fn write(fd: u64, bytes: &[u8]) -> Result<u64, Error> {
    abi::decode(raw_syscall(Syscall::Write.number(), fd, bytes.as_ptr() as u64, bytes.len() as u64))
}

/// `write` with a raw pointer and length, for programs that test the
/// kernel's checks on purpose.
pub fn write_raw(fd: u64, address: u64, length: u64) -> Result<u64, Error> {
    abi::decode(raw_syscall(Syscall::Write.number(), fd, address, length))
}

pub fn getpid() -> u64 {
    raw_syscall(Syscall::GetPid.number(), 0, 0, 0)
}

pub fn exit(code: i32) -> ! {
    raw_syscall(Syscall::Exit.number(), code as u32 as u64, 0, 0);
    // The kernel never returns from `exit`; if it did, trap rather than
    // run on into whatever follows.
    loop {
        // SAFETY: `ud2` only raises #UD, which ends the program.
        unsafe { asm!("ud2", options(nomem, nostack)) };
    }
}

/// Standard output, for `print!`.
pub struct Stdout;

impl fmt::Write for Stdout {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        write(abi::STDOUT, text.as_bytes()).map(|_| ()).map_err(|_| fmt::Error)
    }
}

#[doc(hidden)]
pub fn print_args(args: fmt::Arguments) {
    let _ = fmt::Write::write_fmt(&mut Stdout, args);
}

#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => ($crate::print_args(format_args!($($arg)*)));
}

#[macro_export]
macro_rules! println {
    () => ($crate::print!("\n"));
    ($($arg:tt)*) => ($crate::print_args(format_args!("{}\n", format_args!($($arg)*))));
}

/// Defines the program's entry point: `entry!(main)` with
/// `fn main(argument: u64) -> i32`.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        #[unsafe(link_section = ".text._start")]
        extern "C" fn _start(argument: u64) -> ! {
            let main: fn(u64) -> i32 = $main;
            $crate::exit(main(argument))
        }
    };
}

/// The code segment selector this program runs with (its low two bits are
/// the current privilege level: 3 in user mode).
pub fn code_segment() -> u16 {
    let cs: u16;
    // SAFETY: reading CS has no side effects.
    unsafe { asm!("mov {0:x}, cs", out(reg) cs, options(nomem, nostack, preserves_flags)) };
    cs
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(at) => println!("panicked at {}:{}:{}: {}", at.file(), at.line(), at.column(), info.message()),
        None => println!("panicked: {}", info.message()),
    }
    exit(PANIC_EXIT_CODE)
}
