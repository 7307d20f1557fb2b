//! The system calls themselves, and the checks on what a program hands in.
//!
//! Every number is decoded with `abi::Syscall::from_number`, a `match`:
//! any `u64` gets an answer (ENOSYS for the unknown ones) and there is no
//! table to index out of bounds. Every pointer goes through `user_bytes`,
//! which proves the range is the program's before the kernel reads it:
//! inside the user half without overflow (`abi::check_user_range`), and
//! every page present and user-accessible in the program's own tables.
//!
//! Rank 6; the file calls (`open`, `read`, `close`, `stat`, `readdir`)
//! Rank 7, answered by `files.rs`; processes (`spawn`, `wait`, `yield`,
//! `read` of stdin, `clock`, `meminfo`) Rank 8, answered by `process`. A
//! kernel built for an earlier rank answers those with ENOSYS.

use alloc::string::String;
use alloc::vec::Vec;

use abi::{Error, Syscall};

use super::files;
use super::memory::{copy_from_user, copy_to_user};
use super::syscall::SyscallFrame;
use crate::kprint;

/// The pid a lone program sees (Ranks VI and VII).
const PID: u64 = 1;

/// Whether processes are this kernel's to offer (Rank VIII) and one runs.
fn processes() -> bool {
    crate::rank::REACHED >= 8 && crate::process::current() != crate::process::IDLE
}

/// Bytes copied per step of a `write`.
const CHUNK: usize = 256;

pub fn handle(frame: &mut SyscallFrame) {
    let result = match Syscall::from_number(frame.rax) {
        Some(Syscall::Write) => write(frame.rdi, frame.rsi, frame.rdx),
        Some(Syscall::GetPid) if processes() => Ok(crate::process::current()),
        Some(Syscall::GetPid) => Ok(PID),
        Some(Syscall::Yield) => {
            if processes() {
                crate::process::yield_now();
            }
            Ok(0)
        }
        Some(Syscall::Exit) => super::end_program(super::Ending::Exited(frame.rdi as u32 as i32)),
        Some(Syscall::Read) => read(frame.rdi, frame.rsi, frame.rdx),
        Some(Syscall::Open) => with_path(frame.rdi, frame.rsi, files::open),
        Some(Syscall::Close) => files::close(frame.rdi).map(|()| 0),
        Some(Syscall::Stat) => stat(frame.rdi, frame.rsi, frame.rdx),
        Some(Syscall::ReadDir) => readdir(frame.rdi, frame.rsi, frame.rdx),
        Some(Syscall::Spawn) if processes() => spawn(frame.rdi, frame.rsi, frame.rdx, frame.r10),
        Some(Syscall::Wait) if processes() => wait(frame.rdi, frame.rsi, frame.rdx),
        Some(Syscall::Clock) if crate::rank::REACHED >= 8 => Ok(clock()),
        Some(Syscall::MemInfo) if crate::rank::REACHED >= 8 => meminfo(frame.rdi),
        Some(Syscall::Spawn | Syscall::Wait | Syscall::Clock | Syscall::MemInfo) | None => Err(Error::NoSys),
    };
    frame.rax = abi::encode(result);
}

/// Copies a path in from the program — length checked against
/// `abi::PATH_MAX` before a byte is read, range checked like any other —
/// and hands it to `then` as `&str`.
fn with_path<T>(address: u64, length: u64, then: impl FnOnce(&str) -> Result<T, Error>) -> Result<T, Error> {
    if length > abi::PATH_MAX {
        return Err(Error::NameTooLong);
    }
    check_user_range(address, length, false)?;
    let mut buffer = [0u8; abi::PATH_MAX as usize];
    let path = &mut buffer[..length as usize];
    copy_from_user(path, address);
    then(core::str::from_utf8(path).map_err(|_| Error::Invalid)?)
}

/// `read(fd, address, length)`: a file of the vault, or stdin (fd 0) for
/// a process, which blocks until a key arrives.
fn read(fd: u64, address: u64, length: u64) -> Result<u64, Error> {
    if fd == abi::STDIN && processes() {
        check_user_range(address, length, true)?;
        let mut buffer = [0u8; CHUNK];
        let want = (length as usize).min(CHUNK);
        let got = crate::process::read_input(&mut buffer[..want]);
        copy_to_user(address, &buffer[..got]);
        return Ok(got as u64);
    }
    if fd < abi::FIRST_FILE_FD {
        return Err(Error::BadFd);
    }
    check_user_range(address, length, true)?;
    let mut buffer = [0u8; CHUNK];
    let mut done = 0;
    while done < length {
        let want = (length - done).min(CHUNK as u64) as usize;
        let got = files::read(fd, &mut buffer[..want])?;
        copy_to_user(address + done, &buffer[..got]);
        done += got as u64;
        if got < want {
            break;
        }
    }
    Ok(done)
}

/// `stat(path, length, out)`: the output range is checked first, so a bad
/// buffer is EFAULT whatever the path.
fn stat(path: u64, length: u64, out: u64) -> Result<u64, Error> {
    check_user_range(out, size_of::<abi::Stat>() as u64, true)?;
    let stat = with_path(path, length, files::stat)?;
    copy_to_user(out, &stat.kind.to_le_bytes());
    copy_to_user(out + 4, &stat.reserved.to_le_bytes());
    copy_to_user(out + 8, &stat.size.to_le_bytes());
    Ok(0)
}

/// `readdir(fd, index, out)`: 1 and one `abi::DirEntry`, or 0 at the end.
fn readdir(fd: u64, index: u64, out: u64) -> Result<u64, Error> {
    check_user_range(out, size_of::<abi::DirEntry>() as u64, true)?;
    let Some(entry) = files::readdir(fd, index)? else {
        return Ok(0);
    };
    let mut bytes = [0u8; size_of::<abi::DirEntry>()];
    bytes[0..4].copy_from_slice(&entry.kind.to_le_bytes());
    bytes[4..8].copy_from_slice(&entry.name_length.to_le_bytes());
    bytes[8..16].copy_from_slice(&entry.size.to_le_bytes());
    bytes[16..].copy_from_slice(&entry.name);
    copy_to_user(out, &bytes);
    Ok(1)
}

/// `write(fd, address, length)` to the console.
fn write(fd: u64, address: u64, length: u64) -> Result<u64, Error> {
    if fd != abi::STDOUT && fd != abi::STDERR {
        return Err(Error::BadFd);
    }
    check_user_range(address, length, false)?;
    let mut buffer = [0u8; CHUNK];
    let mut done = 0;
    while done < length {
        let count = (length - done).min(CHUNK as u64) as usize;
        copy_from_user(&mut buffer[..count], address + done);
        super::wrote(&buffer[..count]);
        match core::str::from_utf8(&buffer[..count]) {
            Ok(text) => kprint!("{text}"),
            Err(_) => {
                for &byte in &buffer[..count] {
                    kprint!("{}", if byte.is_ascii() { byte as char } else { '?' });
                }
            }
        }
        done += count as u64;
    }
    Ok(length)
}

/// `spawn(path, path_length, arguments, count)`: the path and every
/// argument are copied in (each range checked) before anything is loaded.
fn spawn(path: u64, length: u64, arguments: u64, count: u64) -> Result<u64, Error> {
    if count > abi::MAX_ARGUMENTS as u64 - 1 {
        return Err(Error::Invalid);
    }
    let size = size_of::<abi::Argument>() as u64;
    check_user_range(arguments, count * size, false)?;
    let mut copied: Vec<String> = Vec::with_capacity(count as usize);
    let mut total = 0;
    for i in 0..count {
        let mut raw = [0u8; 16];
        copy_from_user(&mut raw, arguments + i * size);
        let address = u64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
        let length = u64::from_le_bytes(raw[8..].try_into().expect("8 bytes"));
        // Each length is bounded before it is added, so the sum cannot
        // overflow whatever the program wrote there.
        if length > abi::MAX_ARGUMENT_BYTES as u64 {
            return Err(Error::Invalid);
        }
        total += length;
        if total > abi::MAX_ARGUMENT_BYTES as u64 {
            return Err(Error::Invalid);
        }
        check_user_range(address, length, false)?;
        let mut bytes = alloc::vec![0u8; length as usize];
        copy_from_user(&mut bytes, address);
        copied.push(String::from_utf8(bytes).map_err(|_| Error::Invalid)?);
    }
    let rest: Vec<&str> = copied.iter().map(String::as_str).collect();
    let parent = crate::process::current();
    with_path(path, length, |path| crate::process::spawn(parent, path, &rest))
}

/// `wait(pid, status_address, flags)`: the collected child's pid, its
/// status written to `status_address` (unless 0).
fn wait(pid: u64, status: u64, flags: u64) -> Result<u64, Error> {
    if flags & !abi::WAIT_NO_HANG != 0 {
        return Err(Error::Invalid);
    }
    if status != 0 {
        check_user_range(status, 8, true)?;
    }
    match crate::process::wait(pid, flags & abi::WAIT_NO_HANG != 0)? {
        Some((child, code)) => {
            if status != 0 {
                // Checked before blocking; the process's own space is
                // active again now that it runs.
                check_user_range(status, 8, true)?;
                copy_to_user(status, &code.to_le_bytes());
            }
            Ok(child)
        }
        None => Ok(0),
    }
}

/// Milliseconds since the timer started.
fn clock() -> u64 {
    crate::interrupts::timer::ticks() * 1000 / u64::from(crate::interrupts::timer::hz().max(1))
}

/// `meminfo(out)`: free frames and the heap's live bytes and allocations.
fn meminfo(out: u64) -> Result<u64, Error> {
    check_user_range(out, size_of::<abi::MemInfo>() as u64, true)?;
    let (_, free, _) = crate::memory::frames::counters();
    let (stats, _) = crate::memory::heap::stats();
    let info = [free, stats.live_bytes as u64, stats.live_allocations as u64];
    for (i, value) in info.iter().enumerate() {
        copy_to_user(out + i as u64 * 8, &value.to_le_bytes());
    }
    Ok(0)
}

/// The whole range lies in the user half and every page of it is mapped
/// for user mode (and writable when the kernel will write to it).
pub fn check_user_range(address: u64, length: u64, writable: bool) -> Result<(), Error> {
    abi::check_user_range(address, length)?;
    if length == 0 {
        return Ok(());
    }
    let first = address & !0xfff;
    let last = (address + length - 1) & !0xfff;
    let mut page = first;
    loop {
        if !super::page_is_user(page, writable) {
            return Err(Error::Fault);
        }
        if page == last {
            return Ok(());
        }
        page += 0x1000;
    }
}
