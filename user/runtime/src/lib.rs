//! The user-space runtime: everything a MinimalOS program needs that is
//! not its own code.
//!
//! * `entry!(main)` defines `_start`, the ELF entry point: it calls
//!   `main(args)` and passes its return value to `exit`. The kernel enters
//!   with the argument count in `rdi` and the address of the arguments
//!   (`abi::Argument`s on the stack) in `rsi`; [`Args`] reads them.
//! * System-call wrappers over the shared ABI (`libs/abi`): `write`,
//!   `getpid`, `exit`, the vault's files (`open`, `read`, `close`, `stat`,
//!   `readdir`, Rank VII), processes (`spawn`, `wait`, `yield_now`,
//!   stdin, `clock_ms`, `meminfo`, Rank VIII), and `raw_syscall` for
//!   programs that want to send the kernel something it should refuse.
//! * `print!` / `println!` over `write(1, …)`, `eprintln!` over fd 2.
//! * A panic handler that prints the message and location and exits with
//!   code 101, like a Rust program on Linux.
//!
//! Rank 6, files and arguments Rank 7. The programs themselves live in `user/programs/src/bin/`.
#![no_std]

use core::arch::asm;
use core::fmt;

pub use abi::{DirEntry, Error, ExitStatus, FileKind, MemInfo, Stat, Syscall};

/// Exit code of a program that panicked (Rust's own convention).
pub const PANIC_EXIT_CODE: i32 = 101;

/// A system call with up to three arguments, exactly as the hardware
/// sees it: number in `rax`, arguments in `rdi`, `rsi`, `rdx`; `rcx` and
/// `r11` are overwritten by `syscall` itself.
#[inline(always)]
pub fn raw_syscall(number: u64, a: u64, b: u64, c: u64) -> u64 {
    raw_syscall4(number, a, b, c, 0)
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

/// `open(path)`: a file descriptor for a file or directory of the vault.
pub fn open(path: &str) -> Result<u64, Error> {
    abi::decode(raw_syscall(Syscall::Open.number(), path.as_ptr() as u64, path.len() as u64, 0))
}

/// `read(fd, buffer)`: how many bytes arrived, 0 at the end of the file.
/// Fewer than asked for is normal; loop until 0 to read a whole file.
pub fn read(fd: u64, buffer: &mut [u8]) -> Result<usize, Error> {
    let result = raw_syscall(Syscall::Read.number(), fd, buffer.as_mut_ptr() as u64, buffer.len() as u64);
    abi::decode(result).map(|n| n as usize)
}

pub fn close(fd: u64) -> Result<(), Error> {
    abi::decode(raw_syscall(Syscall::Close.number(), fd, 0, 0)).map(|_| ())
}

/// `stat(path)`: what the path is and its size.
pub fn stat(path: &str) -> Result<Stat, Error> {
    let mut stat = Stat::default();
    stat_raw(path, &raw mut stat as u64)?;
    Ok(stat)
}

/// `stat` writing to any address, for programs that test the kernel's
/// pointer checks.
pub fn stat_raw(path: &str, address: u64) -> Result<u64, Error> {
    abi::decode(raw_syscall4(Syscall::Stat.number(), path.as_ptr() as u64, path.len() as u64, address, 0))
}

/// `readdir(fd, index)`: the `index`-th child of an open directory into
/// `entry`; `Ok(false)` past the last one.
pub fn readdir(fd: u64, index: u64, entry: &mut DirEntry) -> Result<bool, Error> {
    abi::decode(raw_syscall(Syscall::ReadDir.number(), fd, index, entry as *mut DirEntry as u64)).map(|n| n == 1)
}

/// A system call with a fourth argument, in `r10` (not `rcx`, which
/// `syscall` overwrites).
#[inline(always)]
pub fn raw_syscall4(number: u64, a: u64, b: u64, c: u64, d: u64) -> u64 {
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
            in("r10") d,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    result
}

/// `spawn(path, arguments)`: a new process running the vault's program
/// at `path`; its arguments are `path` followed by `arguments`.
pub fn spawn(path: &str, arguments: &[&str]) -> Result<u64, Error> {
    let mut list = [abi::Argument { address: 0, length: 0 }; abi::MAX_ARGUMENTS];
    if arguments.len() >= abi::MAX_ARGUMENTS {
        return Err(Error::Invalid);
    }
    for (slot, argument) in list.iter_mut().zip(arguments) {
        *slot = abi::Argument { address: argument.as_ptr() as u64, length: argument.len() as u64 };
    }
    let result = raw_syscall4(
        Syscall::Spawn.number(),
        path.as_ptr() as u64,
        path.len() as u64,
        list.as_ptr() as u64,
        arguments.len() as u64,
    );
    abi::decode(result)
}

/// `wait(pid)` (0: any child): blocks until it exits; its pid and status.
pub fn wait(pid: u64) -> Result<(u64, ExitStatus), Error> {
    let mut status = 0u64;
    let child = abi::decode(raw_syscall(Syscall::Wait.number(), pid, &raw mut status as u64, 0))?;
    Ok((child, ExitStatus::decode(status)))
}

/// `wait` without blocking: `None` while no such child has exited.
pub fn wait_no_hang(pid: u64) -> Result<Option<(u64, ExitStatus)>, Error> {
    let mut status = 0u64;
    let child = abi::decode(raw_syscall(Syscall::Wait.number(), pid, &raw mut status as u64, abi::WAIT_NO_HANG))?;
    Ok((child != 0).then(|| (child, ExitStatus::decode(status))))
}

/// `yield`: let the next ready process run.
pub fn yield_now() {
    raw_syscall(Syscall::Yield.number(), 0, 0, 0);
}

/// Milliseconds since the kernel's timer started.
pub fn clock_ms() -> u64 {
    raw_syscall(Syscall::Clock.number(), 0, 0, 0)
}

/// The kernel's free frames and heap use.
pub fn meminfo() -> Result<MemInfo, Error> {
    let mut info = MemInfo::default();
    abi::decode(raw_syscall(Syscall::MemInfo.number(), &raw mut info as u64, 0, 0))?;
    Ok(info)
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

/// Standard error, for `eprint!` (the same console; a shell may tell
/// them apart one day).
pub struct Stderr;

impl fmt::Write for Stderr {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        write(abi::STDERR, text.as_bytes()).map(|_| ()).map_err(|_| fmt::Error)
    }
}

#[doc(hidden)]
pub fn eprint_args(args: fmt::Arguments) {
    let _ = fmt::Write::write_fmt(&mut Stderr, args);
}

#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => ($crate::eprint_args(format_args!("{}\n", format_args!($($arg)*))));
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

/// A program's arguments, the first being its own path (`bin/cat`).
#[derive(Clone, Copy)]
pub struct Args {
    list: &'static [abi::Argument],
}

impl Args {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Argument `index`, if there is one and it is UTF-8.
    pub fn get(&self, index: usize) -> Option<&'static str> {
        let argument = self.list.get(index)?;
        // SAFETY: the kernel wrote `length` bytes at `address` on this
        // program's stack before entering it (`abi::Argument`), and
        // nothing writes to them afterwards.
        let bytes = unsafe { core::slice::from_raw_parts(argument.address as *const u8, argument.length as usize) };
        core::str::from_utf8(bytes).ok()
    }

    /// Argument `index` read as a decimal number.
    pub fn number(&self, index: usize) -> Option<u64> {
        self.get(index)?.parse().ok()
    }

    /// The arguments after the program's path.
    pub fn rest(&self) -> impl Iterator<Item = &'static str> {
        let args = *self;
        (1..self.len()).filter_map(move |i| args.get(i))
    }
}

/// What `_start` does: read the arguments the kernel left, run `main`,
/// exit with what it returns.
///
/// # Safety
/// `list` must point at `count` `Argument`s that stay valid and unchanged
/// for the whole program, each naming bytes that do too: what the kernel
/// sets up before it enters a program.
#[doc(hidden)]
pub unsafe fn start(count: u64, list: *const abi::Argument, main: fn(Args) -> i32) -> ! {
    let count = (count as usize).min(abi::MAX_ARGUMENTS);
    let list = if count == 0 || list.is_null() {
        &[][..]
    } else {
        // SAFETY: the kernel placed `count` (at most MAX_ARGUMENTS)
        // `Argument`s at `list` on the stack, aligned, before entering.
        unsafe { core::slice::from_raw_parts(list, count) }
    };
    exit(main(Args { list }))
}

/// Defines the program's entry point: `entry!(main)` with
/// `fn main(args: runtime::Args) -> i32`.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        #[unsafe(link_section = ".text._start")]
        extern "C" fn _start(count: u64, list: *const $crate::abi::Argument) -> ! {
            // SAFETY: the kernel enters `_start` with the count and the
            // address of the arguments it placed on the stack.
            unsafe { $crate::start(count, list, $main) }
        }
    };
}

#[doc(hidden)]
pub use abi;

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
