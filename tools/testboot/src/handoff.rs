//! The jump into the kernel, with the machine in Limine's entry state.
//!
//! PROTOCOL.md, "Machine state at entry / x86-64", asks for: testboot's page
//! tables with WP and NX on; a GDT in bootloader-reclaimable memory holding
//! null, 16-, 32- and 64-bit code and data descriptors, in that order; CS
//! and the data segments loaded with the 64-bit ones; IF, DF (and VM)
//! clear; a stack of the requested size with a return address of 0 pushed;
//! every other general-purpose register 0. The PIC and I/O APIC masking and
//! ExitBootServices happen before; this module does the rest.
//!
//! Switching page tables pulls the floor out from under the code doing it,
//! so the switch runs from a *trampoline*: a few instructions copied into a
//! page of their own, mapped at the same address before and after (the
//! identity mapping `address_space` adds). It loads CR3, jumps to its own
//! HHDM alias, clears the lower half when the revision wants it gone
//! (Limine does the same), then `iretq`s into the kernel. Control registers
//! are set the way Limine 8.2 leaves them on UEFI, which rebuilds them from
//! scratch in its 32-bit stub: CR0 = PG|WP|ET|PE, CR4 = PAE,
//! EFER = LME|NXE; PAT as the "Caching" section lists.

use core::arch::global_asm;

use bootplan::PAGE_SIZE;
use uefi::boot::MemoryType;

use crate::Error;
use crate::machine::CpuFeatures;
use crate::memory::{self, hhdm};

/// Selectors of the 64-bit code and data descriptors in [`GDT`]; the
/// trampoline's constants 0x28 and 0x30 are these.
pub const KERNEL_CODE_SELECTOR: u16 = 0x28;
pub const KERNEL_DATA_SELECTOR: u16 = 0x30;

/// Limine's GDT (common/sys/gdt.s2.c): base 0, limits 0xffff (16-bit) or
/// 4 GiB (32-bit), accessed bit preset so the CPU never writes to it.
const GDT: [u64; 7] = [
    0,
    0x0000_9b00_0000_ffff, // 16-bit code: present, readable
    0x0000_9300_0000_ffff, // 16-bit data: present, writable
    0x00cf_9b00_0000_ffff, // 32-bit code: 4 KiB granular, 32-bit default
    0x00cf_9300_0000_ffff, // 32-bit data
    0x0020_9b00_0000_0000, // 64-bit code: L bit
    0x0000_9300_0000_0000, // 64-bit data
];

/// Where, in the trampoline page, the parameters sit (code comes first).
const BLOCK_OFFSET: u64 = 0x800;

/// What the trampoline reads; field offsets are fixed by its assembly.
#[repr(C)]
struct HandoffBlock {
    pml4: u64,                     // +0
    entry: u64,                    // +8
    stack_top: u64,                // +16, an HHDM address
    hhdm_offset: u64,              // +24
    clear_lower_half: u64,         // +32, 0 or 1
    features: u64,                 // +40, bit 0: PAT, bit 1: NX
    gdtr: DescriptorTableRegister, // +48
    idtr: DescriptorTableRegister, // +64, limit 0: no IDT
    gdt: [u64; 7],                 // +80
}

/// The 10-byte operand of `lgdt`/`lidt`, padded to 16.
#[repr(C, packed)]
struct DescriptorTableRegister {
    limit: u16,
    base: u64,
    padding: [u8; 6],
}

unsafe extern "C" {
    static testboot_trampoline_start: u8;
    static testboot_trampoline_end: u8;
}

/// The page the trampoline and GDT live in: LOADER_CODE, because OVMF may
/// map OS-loader data types non-executable, and below 4 GiB, inside the
/// HHDM's fixed part. LOADER_CODE becomes BOOTLOADER_RECLAIMABLE.
pub struct Trampoline {
    pub page: u64,
}

impl Trampoline {
    pub fn prepare() -> Result<Self, Error> {
        let page = memory::allocate_typed(MemoryType::LOADER_CODE, PAGE_SIZE, Some(1 << 32))?;
        let start = &raw const testboot_trampoline_start;
        let end = &raw const testboot_trampoline_end;
        let length = end as usize - start as usize;
        if length as u64 > BLOCK_OFFSET {
            return Err(Error::new(format_args!("trampoline is {length} bytes, more than its {BLOCK_OFFSET}")));
        }
        // SAFETY: `start..end` is the trampoline's code in testboot's own
        // image; `page` is a fresh page of ours, larger than the code.
        unsafe { core::ptr::copy_nonoverlapping(start, page as *mut u8, length) };
        Ok(Trampoline { page })
    }

    /// Enters the kernel at `entry` on the stack ending at `stack_top` (an
    /// HHDM address), with page tables `pml4`. Boot services must be gone
    /// and interrupts masked.
    pub fn enter(self, pml4: u64, entry: u64, stack_top: u64, clear_lower_half: bool, cpu: CpuFeatures) -> ! {
        let block_address = self.page + BLOCK_OFFSET;
        let gdt_address = block_address + core::mem::offset_of!(HandoffBlock, gdt) as u64;
        let block = HandoffBlock {
            pml4,
            entry,
            stack_top,
            hhdm_offset: hhdm(0),
            clear_lower_half: u64::from(clear_lower_half),
            features: u64::from(cpu.has_pat) | (u64::from(cpu.has_nx) << 1),
            gdtr: DescriptorTableRegister {
                limit: (size_of_val(&GDT) - 1) as u16,
                base: hhdm(gdt_address),
                padding: [0; 6],
            },
            idtr: DescriptorTableRegister { limit: 0, base: 0, padding: [0; 6] },
            gdt: GDT,
        };
        // SAFETY: the block fits in the page after the code (0x800 + 136
        // bytes), which testboot owns and nothing else uses.
        unsafe { (block_address as *mut HandoffBlock).write(block) };
        // SAFETY: `page` holds the trampoline's position-independent code,
        // copied by `prepare`, and is identity-mapped both by the firmware
        // and by `pml4`; the block it reads is in place. The trampoline
        // never returns: it ends in the kernel.
        let trampoline: extern "sysv64" fn(u64) -> ! = unsafe { core::mem::transmute(self.page as *const u8) };
        trampoline(block_address)
    }
}

// The trampoline. rdi = HandoffBlock (identity-mapped). Position-
// independent: it only refers to its own labels, RIP-relative.
global_asm!(
    ".section .text",
    ".balign 16",
    ".global testboot_trampoline_start",
    "testboot_trampoline_start:",
    "cli",
    "cld",
    "mov r8, [rdi]",       // PML4
    "mov r9, [rdi + 8]",   // kernel entry
    "mov r10, [rdi + 16]", // stack top
    "mov r11, [rdi + 24]", // HHDM offset
    "mov r12, [rdi + 32]", // clear the lower half?
    "mov r13, [rdi + 40]", // features
    // PAT: WB, WT, UC-, UC, WP, WC, UC, UC (PROTOCOL.md, "Caching").
    "test r13, 1",
    "jz 2f",
    "mov ecx, 0x277",
    "mov eax, 0x00070406",
    "mov edx, 0x00000105",
    "wrmsr",
    "2:",
    // EFER: keep LME and LMA, add NXE if the CPU has it, clear the rest.
    "mov ecx, 0xc0000080",
    "rdmsr",
    "and eax, 0x500",
    "test r13, 2",
    "jz 3f",
    "or eax, 0x800",
    "3:",
    "xor edx, edx",
    "wrmsr",
    // Our page tables; this page is identity-mapped in them.
    "mov cr3, r8",
    "mov eax, 0x20", // CR4 = PAE
    "mov cr4, rax",
    "mov eax, 0x80010011", // CR0 = PG | WP | ET | PE
    "mov cr0, rax",
    "lgdt [rdi + 48]",
    "lidt [rdi + 64]",
    // Reload CS with the 64-bit code selector while moving to this
    // code's HHDM alias.
    "mov rsp, r10",
    "lea rax, [rip + 4f]",
    "add rax, r11",
    "push 0x28",
    "push rax",
    "retfq",
    "4:",
    "mov eax, 0x30",
    "mov ds, ax",
    "mov es, ax",
    "mov fs, ax",
    "mov gs, ax",
    "mov ss, ax",
    // Revisions 1 and 2: unmap PML4 entries 0-255 and flush the TLB.
    "test r12, r12",
    "jz 5f",
    "lea rdi, [r8 + r11]",
    "mov ecx, 256",
    "xor eax, eax",
    "rep stosq",
    "mov cr3, r8",
    "5:",
    // The return address 0, then, below it, an interrupt frame into the
    // kernel that leaves RSP pointing at that 0.
    "sub r10, 8",
    "mov qword ptr [r10], 0",
    "mov rsp, r10",
    "push 0x30", // SS
    "push r10",  // RSP
    "push 0x2",  // RFLAGS: only the always-one bit
    "push 0x28", // CS
    "push r9",   // RIP
    "xor eax, eax",
    "xor ebx, ebx",
    "xor ecx, ecx",
    "xor edx, edx",
    "xor esi, esi",
    "xor edi, edi",
    "xor ebp, ebp",
    "xor r8d, r8d",
    "xor r9d, r9d",
    "xor r10d, r10d",
    "xor r11d, r11d",
    "xor r12d, r12d",
    "xor r13d, r13d",
    "xor r14d, r14d",
    "xor r15d, r15d",
    "iretq",
    ".global testboot_trampoline_end",
    "testboot_trampoline_end:",
);

// The assembly hard-codes the selectors and block offsets; keep them true.
const _: () = assert!(KERNEL_CODE_SELECTOR == 0x28 && KERNEL_DATA_SELECTOR == 0x30);
const _: () = assert!(core::mem::offset_of!(HandoffBlock, gdtr) == 48);
const _: () = assert!(core::mem::offset_of!(HandoffBlock, idtr) == 64);
const _: () = assert!(core::mem::offset_of!(HandoffBlock, gdt) == 80);
