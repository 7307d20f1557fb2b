//! The system-call ABI: numbers, registers, errors and the user half.
//!
//! Defined once, here, and used by both sides: the kernel's dispatcher
//! (`kernel/src/user/`) and the runtime of the programs in `user/`. A
//! mismatch between two copies of a syscall table is a bug that compiles,
//! runs, and does the wrong thing quietly; one shared crate makes it a
//! build error instead.
//!
//! The calling convention follows the System V x86-64 one for `syscall`
//! (and so Linux's): the number in `rax`, up to six arguments in `rdi`,
//! `rsi`, `rdx`, `r10`, `r8`, `r9` (not `rcx`: the `syscall` instruction
//! overwrites it with the return address, and `r11` with RFLAGS), the
//! result in `rax`. A result is a value when non-negative and an error
//! when negative (`-errno`), so one register carries both.
//!
//! Rank 6. Intel SDM Vol. 2B, "SYSCALL" and "SYSRET".
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

use core::fmt;

/// System-call numbers. Gaps are not allowed: the dispatcher's `match`
/// covers every number this enum knows, and anything else is `ENOSYS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Syscall {
    /// `read(fd, buffer, length) -> bytes read`. Reserved: stdin arrives in Rank VIII.
    Read = 0,
    /// `write(fd, buffer, length) -> bytes written`. fd 1 and 2 are the console.
    Write = 1,
    /// `exit(code) -> !`.
    Exit = 2,
    /// `yield() -> 0`: give up the rest of the time slice.
    Yield = 3,
    /// `getpid() -> pid`.
    GetPid = 4,
}

impl Syscall {
    /// Every syscall, in number order.
    pub const ALL: [Syscall; 5] = [Self::Read, Self::Write, Self::Exit, Self::Yield, Self::GetPid];

    /// The syscall with this number, or `None` (which the kernel answers
    /// with [`Error::NoSys`]). Any `u64` is safe to pass: there is no table
    /// to index out of bounds.
    pub const fn from_number(number: u64) -> Option<Self> {
        match number {
            0 => Some(Self::Read),
            1 => Some(Self::Write),
            2 => Some(Self::Exit),
            3 => Some(Self::Yield),
            4 => Some(Self::GetPid),
            _ => None,
        }
    }

    pub const fn number(self) -> u64 {
        self as u64
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Exit => "exit",
            Self::Yield => "yield",
            Self::GetPid => "getpid",
        }
    }
}

/// Errors a system call can return, with the classic Unix numbers so
/// that `-14` reads as EFAULT to anyone who has used `strace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum Error {
    /// A file descriptor that is not open.
    BadFd = 9,
    /// A pointer or range the program may not hand over.
    Fault = 14,
    /// An argument out of range.
    Invalid = 22,
    /// No such system call.
    NoSys = 38,
}

impl Error {
    pub const ALL: [Error; 4] = [Self::BadFd, Self::Fault, Self::Invalid, Self::NoSys];

    pub const fn errno(self) -> i64 {
        self as i64
    }

    /// The conventional name (`EFAULT`), what programs print.
    pub const fn name(self) -> &'static str {
        match self {
            Self::BadFd => "EBADF",
            Self::Fault => "EFAULT",
            Self::Invalid => "EINVAL",
            Self::NoSys => "ENOSYS",
        }
    }

    pub const fn from_errno(errno: i64) -> Option<Self> {
        match errno {
            9 => Some(Self::BadFd),
            14 => Some(Self::Fault),
            22 => Some(Self::Invalid),
            38 => Some(Self::NoSys),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `rax` holds on return from a system call.
pub fn encode(result: Result<u64, Error>) -> u64 {
    match result {
        Ok(value) => value,
        Err(error) => (-error.errno()) as u64,
    }
}

/// The inverse of [`encode`], for the user side. Values from -4095 to -1
/// are errors (an unknown errno decodes as `Invalid`), as on Linux, so a
/// successful result can use almost the whole range.
pub fn decode(rax: u64) -> Result<u64, Error> {
    let signed = rax as i64;
    if (-4095..0).contains(&signed) { Err(Error::from_errno(-signed).unwrap_or(Error::Invalid)) } else { Ok(rax) }
}

/// The lower half of the address space belongs to the program; the kernel
/// never maps anything there for itself. Its top is the end of canonical
/// addresses with bit 47 clear.
pub const USER_END: u64 = 0x0000_8000_0000_0000;

/// Where programs are linked (`user/link.ld`): above the first 4 MiB, so a
/// null pointer and small offsets from it always fault.
pub const USER_IMAGE_BASE: u64 = 0x40_0000;

/// The top of a program's stack (it grows down from here), one page below
/// the user half's end so the page at the very top stays unmapped.
pub const USER_STACK_TOP: u64 = USER_END - 0x1000;

/// The file descriptors of the console.
pub const STDOUT: u64 = 1;
pub const STDERR: u64 = 2;

/// The checks on a user range that need no page tables: not null-adjacent
/// nonsense, no overflow when the length is added, and entirely inside the
/// user half (which also makes it canonical). Whether each page is mapped
/// with the right permissions is the kernel's walk, after this.
pub fn check_user_range(address: u64, length: u64) -> Result<(), Error> {
    if length == 0 {
        return Ok(());
    }
    let end = address.checked_add(length).ok_or(Error::Fault)?;
    if address == 0 || end > USER_END {
        return Err(Error::Fault);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_round_trips_and_nothing_else_decodes() {
        for call in Syscall::ALL {
            assert_eq!(Syscall::from_number(call.number()), Some(call));
        }
        for number in [5, 9999, u64::MAX, 1 << 63, 0x1_0000_0000] {
            assert_eq!(Syscall::from_number(number), None, "{number}");
        }
        let numbers: Vec<u64> = Syscall::ALL.iter().map(|c| c.number()).collect();
        assert_eq!(numbers, (0..Syscall::ALL.len() as u64).collect::<Vec<_>>(), "numbers have no gaps");
    }

    #[test]
    fn results_encode_and_decode() {
        for value in [0, 1, 14, 4096, u64::MAX / 2, (-4096i64) as u64] {
            assert_eq!(decode(encode(Ok(value))), Ok(value), "{value}");
        }
        for error in Error::ALL {
            assert_eq!(decode(encode(Err(error))), Err(error));
            assert_eq!(Error::from_errno(error.errno()), Some(error));
        }
        assert_eq!(encode(Err(Error::Fault)), (-14i64) as u64);
        assert_eq!(decode((-1i64) as u64), Err(Error::Invalid), "an unknown errno is still an error");
    }

    #[test]
    fn error_names_are_the_unix_ones() {
        assert_eq!(Error::NoSys.to_string(), "ENOSYS");
        assert_eq!(Error::Fault.name(), "EFAULT");
    }

    #[test]
    fn user_ranges_must_lie_in_the_user_half_without_overflow() {
        assert_eq!(check_user_range(USER_IMAGE_BASE, 14), Ok(()));
        assert_eq!(check_user_range(USER_END - 8, 8), Ok(()), "touching the end is fine");
        assert_eq!(check_user_range(USER_END - 8, 9), Err(Error::Fault), "one byte into the kernel half");
        assert_eq!(check_user_range(0xffff_ffff_8000_0000, 1), Err(Error::Fault), "kernel address");
        assert_eq!(check_user_range(0, 1), Err(Error::Fault), "null");
        assert_eq!(check_user_range(0x0000_9000_0000_0000, 1), Err(Error::Fault), "non-canonical");
        assert_eq!(check_user_range(u64::MAX - 3, 8), Err(Error::Fault), "overflow");
        assert_eq!(check_user_range(0, 0), Ok(()), "an empty range touches nothing");
    }
}
