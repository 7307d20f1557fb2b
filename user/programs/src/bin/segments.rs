//! `segments`: shows the loader honouring each ELF segment (Rank VII,
//! achievement 058). An initialised global must arrive with its value
//! (copied from the file), a zero-initialised array must be all zeros (the
//! BSS, which the file does not hold), and a write to its own code must be
//! stopped by the page tables (text is mapped R-X).
#![no_std]
#![no_main]

use runtime::println;

runtime::entry!(main);

/// Initialised and writable: lives in `.data`, in the file.
static mut GREETING: [u8; 24] = *b"hello from .data, intact";

/// Zero-initialised: lives in `.bss`, 32 KiB the file does not store.
static mut ZEROS: [u64; 4096] = [0; 4096];

fn main(_: runtime::Args) -> i32 {
    // Volatile accesses, so the compiler keeps both statics in memory as
    // the linker placed them instead of folding them into constants.
    let greeting = &raw mut GREETING;
    // SAFETY: one thread, and nothing else refers to GREETING; the write
    // proves the data segment is writable (it capitalises the greeting).
    let first = unsafe {
        core::ptr::write_volatile(greeting.cast::<u8>(), b'H');
        core::ptr::read_volatile(greeting)
    };
    println!("segments: initialised global says {:?}", core::str::from_utf8(&first).unwrap_or("?"));
    let zeros = (&raw const ZEROS).cast::<u64>();
    let words = 4096;
    // SAFETY: every index is inside ZEROS, which nothing writes.
    let sum: u64 = (0..words).map(|i| unsafe { core::ptr::read_volatile(zeros.add(i)) }).sum();
    println!("segments: sum of {words} zero-initialised words = {sum}");
    let target = main as *const () as *mut u8;
    println!("segments: writing to my own code at {:#x}", target as u64);
    // SAFETY: deliberately unsound: the text page is mapped without write
    // permission, so this must fault and end the program.
    unsafe { core::ptr::write_volatile(target, 0xcc) };
    println!("segments: the write went through: text is writable!");
    3
}
