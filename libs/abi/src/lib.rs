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
    /// `read(fd, buffer, length) -> bytes read`, 0 at the end of a file.
    /// Files opened with `open` (Rank VII); stdin arrives in Rank VIII.
    Read = 0,
    /// `write(fd, buffer, length) -> bytes written`. fd 1 and 2 are the console.
    Write = 1,
    /// `exit(code) -> !`.
    Exit = 2,
    /// `yield() -> 0`: give up the rest of the time slice.
    Yield = 3,
    /// `getpid() -> pid`.
    GetPid = 4,
    /// `open(path, path_length) -> fd`: a file or directory of the vault.
    Open = 5,
    /// `close(fd) -> 0`.
    Close = 6,
    /// `stat(path, path_length, *mut Stat) -> 0`.
    Stat = 7,
    /// `readdir(fd, index, *mut DirEntry) -> 1`, or 0 past the last child.
    ReadDir = 8,
    /// `spawn(path, path_length, *const Argument, count) -> pid`: a new
    /// process running the vault's program at `path` (Rank VIII).
    Spawn = 9,
    /// `wait(pid or 0 for any child, *mut u64 status, flags) -> pid`:
    /// collects a child's [`ExitStatus`]; with [`WAIT_NO_HANG`], returns 0
    /// instead of blocking when no child has exited yet.
    Wait = 10,
    /// `clock() -> milliseconds since boot`.
    Clock = 11,
    /// `meminfo(*mut MemInfo) -> 0`: the kernel's frame and heap counters.
    MemInfo = 12,
}

impl Syscall {
    /// Every syscall, in number order.
    pub const ALL: [Syscall; 13] = [
        Self::Read,
        Self::Write,
        Self::Exit,
        Self::Yield,
        Self::GetPid,
        Self::Open,
        Self::Close,
        Self::Stat,
        Self::ReadDir,
        Self::Spawn,
        Self::Wait,
        Self::Clock,
        Self::MemInfo,
    ];

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
            5 => Some(Self::Open),
            6 => Some(Self::Close),
            7 => Some(Self::Stat),
            8 => Some(Self::ReadDir),
            9 => Some(Self::Spawn),
            10 => Some(Self::Wait),
            11 => Some(Self::Clock),
            12 => Some(Self::MemInfo),
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
            Self::Open => "open",
            Self::Close => "close",
            Self::Stat => "stat",
            Self::ReadDir => "readdir",
            Self::Spawn => "spawn",
            Self::Wait => "wait",
            Self::Clock => "clock",
            Self::MemInfo => "meminfo",
        }
    }
}

/// Errors a system call can return, with the classic Unix numbers so
/// that `-14` reads as EFAULT to anyone who has used `strace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum Error {
    /// No file or directory at that path.
    NoEntry = 2,
    /// A file that is not a program the loader accepts.
    NoExec = 8,
    /// A file descriptor that is not open.
    BadFd = 9,
    /// `wait` for a pid that is not a child of the caller.
    NoChild = 10,
    /// The process table is full: try again once a process has ended.
    TryAgain = 11,
    /// The kernel ran out of frames or heap.
    NoMemory = 12,
    /// A pointer or range the program may not hand over.
    Fault = 14,
    /// A directory operation on something that is not a directory.
    NotDirectory = 20,
    /// A file operation (`read`) on a directory.
    IsDirectory = 21,
    /// An argument out of range.
    Invalid = 22,
    /// Every file descriptor of the program is in use.
    TooManyFiles = 24,
    /// A path longer than [`PATH_MAX`].
    NameTooLong = 36,
    /// No such system call.
    NoSys = 38,
}

impl Error {
    pub const ALL: [Error; 13] = [
        Self::NoEntry,
        Self::NoExec,
        Self::BadFd,
        Self::NoChild,
        Self::TryAgain,
        Self::NoMemory,
        Self::Fault,
        Self::NotDirectory,
        Self::IsDirectory,
        Self::Invalid,
        Self::TooManyFiles,
        Self::NameTooLong,
        Self::NoSys,
    ];

    pub const fn errno(self) -> i64 {
        self as i64
    }

    /// The conventional name (`EFAULT`), what programs print.
    pub const fn name(self) -> &'static str {
        match self {
            Self::NoEntry => "ENOENT",
            Self::NoExec => "ENOEXEC",
            Self::BadFd => "EBADF",
            Self::NoChild => "ECHILD",
            Self::TryAgain => "EAGAIN",
            Self::NoMemory => "ENOMEM",
            Self::Fault => "EFAULT",
            Self::NotDirectory => "ENOTDIR",
            Self::IsDirectory => "EISDIR",
            Self::Invalid => "EINVAL",
            Self::TooManyFiles => "EMFILE",
            Self::NameTooLong => "ENAMETOOLONG",
            Self::NoSys => "ENOSYS",
        }
    }

    /// What went wrong, in the words a program prints after a path
    /// (`cat: missing.txt: no such file`).
    pub const fn description(self) -> &'static str {
        match self {
            Self::NoEntry => "no such file",
            Self::NoExec => "not an executable",
            Self::BadFd => "bad file descriptor",
            Self::NoChild => "no such child process",
            Self::TryAgain => "too many processes, try again later",
            Self::NoMemory => "out of memory",
            Self::Fault => "bad address",
            Self::NotDirectory => "not a directory",
            Self::IsDirectory => "is a directory",
            Self::Invalid => "invalid argument",
            Self::TooManyFiles => "too many open files",
            Self::NameTooLong => "name too long",
            Self::NoSys => "no such system call",
        }
    }

    pub const fn from_errno(errno: i64) -> Option<Self> {
        match errno {
            2 => Some(Self::NoEntry),
            8 => Some(Self::NoExec),
            9 => Some(Self::BadFd),
            10 => Some(Self::NoChild),
            11 => Some(Self::TryAgain),
            12 => Some(Self::NoMemory),
            14 => Some(Self::Fault),
            20 => Some(Self::NotDirectory),
            21 => Some(Self::IsDirectory),
            22 => Some(Self::Invalid),
            24 => Some(Self::TooManyFiles),
            36 => Some(Self::NameTooLong),
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

/// Bytes of a program's stack, just below [`USER_STACK_TOP`]. The page
/// below the stack is never mapped: a guard that turns an overflow into a
/// page fault instead of a write into the program's data.
pub const USER_STACK_BYTES: u64 = 64 * 1024;

/// The lowest address of the stack and its guard page. Nothing of a
/// program's file may be loaded from here up to [`USER_STACK_TOP`].
pub const USER_STACK_RESERVED: u64 = USER_STACK_TOP - USER_STACK_BYTES - 0x1000;

/// The file descriptors of the console: keys in (Rank VIII), text out.
pub const STDIN: u64 = 0;
pub const STDOUT: u64 = 1;
pub const STDERR: u64 = 2;

/// The first descriptor `open` hands out, and how many a program may hold.
pub const FIRST_FILE_FD: u64 = 3;
pub const MAX_OPEN_FILES: u64 = 16;

/// The longest path a system call accepts, in bytes: USTAR's limit
/// (155 bytes of prefix, a slash, 100 of name: exactly 256).
pub const PATH_MAX: u64 = 256;

/// The longest name a [`DirEntry`] carries: a whole path fits.
pub const NAME_MAX: usize = PATH_MAX as usize;

/// What a path names, in [`Stat::kind`] and [`DirEntry::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum FileKind {
    File = 1,
    Directory = 2,
    /// A link, device or anything else tar can hold: listed, and `read`
    /// gives the bytes the archive stores for it (none for links and
    /// devices; the vault holds no such entries).
    Other = 3,
}

impl FileKind {
    pub const fn from_u32(value: u32) -> Option<Self> {
        match value {
            1 => Some(Self::File),
            2 => Some(Self::Directory),
            3 => Some(Self::Other),
            _ => None,
        }
    }

    /// One letter, as `ls` prints it.
    pub const fn letter(self) -> char {
        match self {
            Self::File => 'f',
            Self::Directory => 'd',
            Self::Other => '?',
        }
    }
}

/// What `stat` writes: the kind and the size in bytes (0 for directories).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Stat {
    pub kind: u32,
    pub reserved: u32,
    pub size: u64,
}

/// What `readdir` writes for one child of a directory: its kind, size and
/// own name (one path component, `name_length` bytes of `name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct DirEntry {
    pub kind: u32,
    pub name_length: u32,
    pub size: u64,
    pub name: [u8; NAME_MAX],
}

impl DirEntry {
    pub const EMPTY: Self = Self { kind: 0, name_length: 0, size: 0, name: [0; NAME_MAX] };

    /// The name, if the kernel wrote a sane one.
    pub fn name(&self) -> Option<&str> {
        let bytes = self.name.get(..self.name_length as usize)?;
        core::str::from_utf8(bytes).ok()
    }
}

/// How the kernel hands a program its arguments: `rdi` = the count,
/// `rsi` = the address of that many `Argument`s on the program's stack,
/// each pointing at UTF-8 bytes also on the stack. The first argument is
/// the program's path, as on Unix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Argument {
    pub address: u64,
    pub length: u64,
}

/// `wait`'s flag: do not block, return 0 if no child has exited yet.
pub const WAIT_NO_HANG: u64 = 1;

/// How a process ended, as `wait` reports it in one `u64`: an exit code,
/// or the CPU exception that killed it (Unix keeps signals the same way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// `exit(code)`, or returning `code` from `main`.
    Code(i32),
    /// Killed by a fault in ring 3: the exception's vector.
    Killed(u8),
}

impl ExitStatus {
    const KILLED: u64 = 1 << 32;

    pub const fn encode(self) -> u64 {
        match self {
            Self::Code(code) => code as u32 as u64,
            Self::Killed(vector) => Self::KILLED | vector as u64,
        }
    }

    pub const fn decode(value: u64) -> Self {
        if value & Self::KILLED != 0 { Self::Killed(value as u8) } else { Self::Code(value as u32 as i32) }
    }
}

/// The name of an exception vector, as a shell prints a crash
/// (`[killed: page fault]`). Intel SDM Vol. 3A, table 6-1.
pub const fn fault_name(vector: u8) -> &'static str {
    match vector {
        0 => "divide error",
        1 => "debug",
        3 => "breakpoint",
        4 => "overflow",
        5 => "bound range exceeded",
        6 => "invalid opcode",
        7 => "device not available",
        13 => "general protection",
        14 => "page fault",
        16 => "x87 floating-point error",
        17 => "alignment check",
        19 => "SIMD floating-point error",
        _ => "exception",
    }
}

/// What `meminfo` writes: free physical frames, and the heap's live bytes
/// and allocations (the counters a leak check compares).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct MemInfo {
    pub free_frames: u64,
    pub heap_bytes: u64,
    pub heap_allocations: u64,
}

/// The most arguments, and argument bytes, a program is started with.
pub const MAX_ARGUMENTS: usize = 16;
pub const MAX_ARGUMENT_BYTES: usize = 1024;

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
        for number in [13, 9999, u64::MAX, 1 << 63, 0x1_0000_0000] {
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
        assert_eq!(Error::NoEntry.errno(), 2);
        assert_eq!(Error::IsDirectory.errno(), 21);
        assert_eq!(Error::NoEntry.description(), "no such file");
        let mut descriptions: Vec<&str> = Error::ALL.iter().map(|e| e.description()).collect();
        descriptions.sort();
        descriptions.dedup();
        assert_eq!(descriptions.len(), Error::ALL.len(), "every error reads differently");
    }

    #[test]
    fn structures_have_the_layout_both_sides_assume() {
        assert_eq!(core::mem::size_of::<Stat>(), 16);
        assert_eq!(core::mem::size_of::<DirEntry>(), 16 + NAME_MAX);
        assert_eq!(core::mem::size_of::<Argument>(), 16);
        for kind in [FileKind::File, FileKind::Directory, FileKind::Other] {
            assert_eq!(FileKind::from_u32(kind as u32), Some(kind));
        }
        assert_eq!(FileKind::from_u32(0), None);
        let mut entry = DirEntry::EMPTY;
        entry.name[..4].copy_from_slice(b"docs");
        entry.name_length = 4;
        assert_eq!(entry.name(), Some("docs"));
        entry.name_length = NAME_MAX as u32 + 1;
        assert_eq!(entry.name(), None, "a length past the buffer is refused, not trusted");
    }

    #[test]
    fn exit_statuses_round_trip_and_never_collide() {
        for status in [
            ExitStatus::Code(0),
            ExitStatus::Code(42),
            ExitStatus::Code(-1),
            ExitStatus::Code(i32::MAX),
            ExitStatus::Code(i32::MIN),
            ExitStatus::Killed(14),
            ExitStatus::Killed(0),
        ] {
            assert_eq!(ExitStatus::decode(status.encode()), status);
        }
        assert_ne!(ExitStatus::Code(14).encode(), ExitStatus::Killed(14).encode());
        assert_eq!(fault_name(14), "page fault");
        assert_eq!(fault_name(13), "general protection");
        assert_eq!(core::mem::size_of::<MemInfo>(), 24);
    }

    #[test]
    fn the_stack_and_its_guard_sit_below_the_stack_top() {
        assert_eq!(USER_STACK_RESERVED % 0x1000, 0);
        const { assert!(USER_STACK_RESERVED > USER_IMAGE_BASE) };
        assert_eq!(USER_STACK_TOP - USER_STACK_RESERVED, USER_STACK_BYTES + 0x1000);
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
