//! The system calls themselves, and the checks on what a program hands in.
//!
//! Every number is decoded with `abi::Syscall::from_number`, a `match`:
//! any `u64` gets an answer (ENOSYS for the unknown ones) and there is no
//! table to index out of bounds. Every pointer goes through `user_bytes`,
//! which proves the range is the program's before the kernel reads it:
//! inside the user half without overflow (`abi::check_user_range`), and
//! every page present and user-accessible in the program's own tables.
//!
//! Rank 6.

use abi::{Error, Syscall};

use super::syscall::SyscallFrame;
use crate::kprint;

/// The one process of Rank VI.
const PID: u64 = 1;

/// Bytes copied per step of a `write`.
const CHUNK: usize = 256;

pub fn handle(frame: &mut SyscallFrame) {
    let result = match Syscall::from_number(frame.rax) {
        Some(Syscall::Write) => write(frame.rdi, frame.rsi, frame.rdx),
        Some(Syscall::GetPid) => Ok(PID),
        Some(Syscall::Yield) => Ok(0),
        Some(Syscall::Exit) => super::end_program(super::Ending::Exited(frame.rdi as u32 as i32)),
        // Reserved: stdin arrives with Rank VIII.
        Some(Syscall::Read) | None => Err(Error::NoSys),
    };
    frame.rax = abi::encode(result);
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
        super::memory::copy_from_user(&mut buffer[..count], address + done);
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
