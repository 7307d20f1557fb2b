//! A program that attacks the kernel, one way per run (its argument is
//! the attack's number). Each must end with this program refused or
//! ended, and the kernel still standing (Rank VI, achievement 051).
#![no_std]
#![no_main]

use core::arch::{asm, global_asm};

runtime::entry!(main);

// The very last bytes of the user half: a `syscall` whose return address,
// the next byte, is 0x800000000000 — not canonical. `sysretq` there would
// fault in ring 0 on Intel CPUs with the user's stack loaded.
global_asm!(
    ".section .last_page, \"ax\"",
    ".global last_page",
    "last_page:",
    ".fill 4094, 1, 0x90",
    "syscall",
    ".previous",
);

/// Where `user/link.ld` puts `.last_page` (a constant: the small code
/// model cannot encode the symbol's address in an instruction).
const LAST_PAGE: u64 = abi::USER_END - 0x1000;

fn main(args: runtime::Args) -> i32 {
    let attack = args.number(1).unwrap_or(0);
    runtime::println!("hostile: attack {attack}");
    // SAFETY: none, on purpose (all arms): each attack must be stopped
    // by the CPU or the kernel, which is what is being tested.
    unsafe {
        match attack {
            1 => {
                let secret = (0xffff_ffff_8000_0000 as *const u64).read_volatile();
                runtime::println!("hostile: read kernel memory: {secret:#x}");
            }
            2 => {
                let kernel_code: extern "C" fn() = core::mem::transmute(0xffff_ffff_8000_1000_usize);
                kernel_code();
            }
            3 => asm!("int 0x20"),
            4 => asm!(
                "mov rsp, {kernel}",
                "syscall",
                "push rax",
                kernel = in(reg) 0xffff_ffff_8000_0000_u64,
                in("rax") abi::Syscall::GetPid.number(),
                lateout("rcx") _, lateout("r11") _,
            ),
            5 => asm!(
                "jmp {target}",
                target = in(reg) LAST_PAGE,
                in("rax") abi::Syscall::GetPid.number(),
            ),
            _ => return 2,
        }
    }
    runtime::println!("hostile: attack {attack} got through");
    1
}
