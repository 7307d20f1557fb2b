//! `fsprobe`: hands the file system calls bad arguments on purpose (Rank
//! VII, achievement 057). Each must come back as a named error, never a
//! fault in the kernel, and the program must live to print its last line.
#![no_std]
#![no_main]

use runtime::{DirEntry, Syscall, println};

runtime::entry!(main);

fn show(what: &str, result: Result<u64, runtime::Error>) {
    match result {
        Ok(value) => println!("fsprobe: {what}: returned {value}"),
        Err(error) => println!("fsprobe: {what}: {} ({})", error.name(), error.description()),
    }
}

fn main(_: runtime::Args) -> i32 {
    show("stat hello.txt into a null pointer", runtime::stat_raw("hello.txt", 0));
    show("stat hello.txt into kernel memory", runtime::stat_raw("hello.txt", 0xffff_ffff_8000_0000));
    let code = main as *const () as u64;
    show("stat hello.txt into my own code", runtime::stat_raw("hello.txt", code));
    let unmapped_path = abi::decode(runtime::raw_syscall(Syscall::Open.number(), 0x10, 9, 0));
    show("open with a path at 0x10", unmapped_path);
    let long = [b'a'; 300];
    let too_long = core::str::from_utf8(&long).unwrap_or("");
    show("open a 300-byte path", runtime::open(too_long));
    show("open missing.txt", runtime::open("missing.txt"));
    show("read from fd 42", runtime::read(42, &mut [0; 8]).map(|n| n as u64));
    let mut entry = DirEntry::EMPTY;
    let file = runtime::open("hello.txt");
    show("open hello.txt", file);
    if let Ok(fd) = file {
        show("readdir on a file", runtime::readdir(fd, 0, &mut entry).map(u64::from));
        show("close it", runtime::close(fd).map(|()| 0));
        show("close it again", runtime::close(fd).map(|()| 0));
    }
    match runtime::stat("hello.txt") {
        Ok(stat) => println!("fsprobe: stat hello.txt: kind {}, {} bytes", stat.kind, stat.size),
        Err(error) => println!("fsprobe: stat hello.txt: {error}"),
    }
    println!("fsprobe: still here after every refusal");
    0
}
