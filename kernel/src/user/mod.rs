//! User mode: programs in ring 3, in address spaces of their own.
//!
//! Rank VI runs one program at a time, to its end: `run` loads the ELF
//! into a fresh `AddressSpace` (each segment mapped with its own
//! permissions, user-accessible, W^X; a stack below `abi::USER_STACK_TOP`),
//! switches CR3, and enters ring 3 with `iretq`. The program comes back
//! only through the kernel: `exit` (a system call), a fault in ring 3
//! (the interrupt dispatcher calls `kill`), or a `syscall` whose return
//! address is not canonical. All three call `end_program`, which abandons
//! the kernel stack it runs on and resumes `run` where `enter_user` was
//! called, like a `longjmp`: `enter_user` saved the callee-saved registers
//! and the stack pointer, `resume_kernel` puts them back and returns.
//! Then `run` switches back to the kernel's tables and frees every page
//! and table of the program.
//!
//! Rank 6. Rank VIII turns "one program, to its end" into processes.

mod memory;

pub use memory::close_window;
pub mod syscall;
mod syscalls;

use alloc::vec::Vec;
use core::arch::naked_asm;

use spin::Mutex;
use traps::TrapFrame;
use xmas_elf::ElfFile;
use xmas_elf::header::{Class, Machine, Type as ElfType};
use xmas_elf::program::Type as SegmentType;

use crate::boot::summary::field;
use crate::kprintln;
use crate::memory::frames;
use crate::memory::paging::{AddressSpace, PAGE_BYTES, PageTableFlags as Flags, with_kernel_space};

/// A program built from `user/programs` and embedded in the kernel (the
/// vault of Rank VII will hold them instead).
pub struct Program {
    pub name: &'static str,
    pub elf: &'static [u8],
}

/// ELF readers want the file 8-byte aligned; `include_bytes!` promises 1.
#[repr(C, align(8))]
struct Aligned<T: ?Sized>(T);

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        [$(Program {
            name: $name,
            elf: {
                static FILE: &Aligned<[u8]> =
                    &Aligned(*include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../build/user/", $name, ".elf")));
                &FILE.0
            },
        }),*]
    };
}

/// The programs the Makefile's `user` target built.
pub static PROGRAMS: [Program; 8] =
    embedded!["first", "answer", "crash", "privileged", "pointers", "spin", "nullcall", "hostile"];

/// User stack size, below `abi::USER_STACK_TOP`.
const STACK_BYTES: u64 = 16 * PAGE_BYTES;

/// How a program ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// A fault in ring 3: the vector and the RIP it happened at.
    Killed {
        vector: u64,
        rip: u64,
    },
    /// A `syscall` whose return address is not canonical.
    BadReturn(u64),
}

/// Why a program could not be started.
#[derive(Debug)]
pub enum LoadError {
    NoSuchProgram,
    Elf(&'static str),
    Segment(&'static str),
    OutOfMemory,
}

impl core::fmt::Display for LoadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoSuchProgram => f.write_str("no such program"),
            Self::Elf(why) => write!(f, "not a MinimalOS program: {why}"),
            Self::Segment(why) => write!(f, "bad segment: {why}"),
            Self::OutOfMemory => f.write_str("out of memory"),
        }
    }
}

/// Callee-saved registers and the stack pointer of `run`, for the return.
#[repr(C)]
struct KernelContext {
    rsp: u64,
    rbx: u64,
    rbp: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
}

static mut CONTEXT: KernelContext = KernelContext { rsp: 0, rbx: 0, rbp: 0, r12: 0, r13: 0, r14: 0, r15: 0 };
/// How the running program ended, set just before `resume_kernel`.
static ENDING: Mutex<Option<Ending>> = Mutex::new(None);
/// The running program's address space (for the pointer checks).
static SPACE: Mutex<Option<AddressSpace>> = Mutex::new(None);
/// The running program's name, for reports.
static NAME: Mutex<&str> = Mutex::new("");

/// Saves the kernel's context in `context`, then enters ring 3 at `entry`
/// with stack `stack` and `argument` in RDI. Returns when `resume_kernel`
/// is called with that context.
#[unsafe(naked)]
unsafe extern "sysv64" fn enter_user(entry: u64, stack: u64, argument: u64, context: *mut KernelContext) -> u64 {
    naked_asm!(
        "mov [rcx + 0x08], rbx",
        "mov [rcx + 0x10], rbp",
        "mov [rcx + 0x18], r12",
        "mov [rcx + 0x20], r13",
        "mov [rcx + 0x28], r14",
        "mov [rcx + 0x30], r15",
        "mov [rcx], rsp",
        // The frame `iretq` pops: RIP, CS, RFLAGS (IF set), RSP, SS.
        "push {user_ss}",
        "push rsi",
        "push 0x202",
        "push {user_cs}",
        "push rdi",
        "mov rdi, rdx",
        // Nothing of the kernel's leaks into ring 3.
        "xor eax, eax",
        "xor ebx, ebx",
        "xor ecx, ecx",
        "xor edx, edx",
        "xor esi, esi",
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
        user_ss = const 0x1b,
        user_cs = const 0x23,
    )
}

/// Returns from `enter_user` with `value`, on the stack it was called on.
#[unsafe(naked)]
unsafe extern "sysv64" fn resume_kernel(context: *const KernelContext, value: u64) -> ! {
    naked_asm!(
        "mov rsp, [rdi]",
        "mov rbx, [rdi + 0x08]",
        "mov rbp, [rdi + 0x10]",
        "mov r12, [rdi + 0x18]",
        "mov r13, [rdi + 0x20]",
        "mov r14, [rdi + 0x28]",
        "mov r15, [rdi + 0x30]",
        "mov rax, rsi",
        "ret",
    )
}

/// Ends the running program and resumes `run`. Called with interrupts off
/// (from the syscall path or an exception handler).
pub fn end_program(ending: Ending) -> ! {
    *ENDING.lock() = Some(ending);
    // SAFETY: CONTEXT was filled by `enter_user` for the program now
    // running; the stack it names is `run`'s, which is still live below
    // the `enter_user` call.
    unsafe { resume_kernel(&raw const CONTEXT, 0) }
}

/// An exception in ring 3: report it and end the program.
pub fn kill(frame: &TrapFrame, cr2: u64) -> ! {
    kprintln!("user: {} killed by {}", *NAME.lock(), frame.report(cr2));
    end_program(Ending::Killed { vector: frame.vector, rip: frame.rip })
}

/// Whether the running program may access the page at `page` (writes too
/// when `writable`).
fn page_is_user(page: u64, writable: bool) -> bool {
    let mut space = SPACE.lock();
    let Some(space) = space.as_mut() else { return false };
    space.flags(page).is_some_and(|flags| {
        flags.contains(Flags::PRESENT | Flags::USER_ACCESSIBLE) && (!writable || flags.contains(Flags::WRITABLE))
    })
}

/// Brings up what ring 3 needs: RSP0, the SYSCALL MSRs, SMEP and SMAP.
pub fn init() {
    let (_, top) = crate::arch::entry::syscall_stack();
    crate::arch::gdt::set_kernel_stack(top);
    syscall::init(top);
    memory::init();
    let names: [&str; PROGRAMS.len()] = core::array::from_fn(|i| PROGRAMS[i].name);
    field("user mode", format_args!("syscall/sysret, RSP0 {top:#x}, programs {names:?}"));
}

/// A loaded program: its space, the pages mapped in it and where to start.
struct Loaded {
    space: AddressSpace,
    pages: Vec<u64>,
    entry: u64,
}

/// Maps each PT_LOAD segment of `elf` with its own permissions, and a stack.
fn load(elf: &[u8]) -> Result<Loaded, LoadError> {
    let file = ElfFile::new(elf).map_err(LoadError::Elf)?;
    if file.header.pt1.class() != Class::SixtyFour {
        return Err(LoadError::Elf("not 64-bit"));
    }
    if file.header.pt2.machine().as_machine() != Machine::X86_64 {
        return Err(LoadError::Elf("not x86-64"));
    }
    if file.header.pt2.type_().as_type() != ElfType::Executable {
        return Err(LoadError::Elf("not a fixed-address executable"));
    }
    let mut loaded = Loaded {
        space: AddressSpace::new().ok_or(LoadError::OutOfMemory)?,
        pages: Vec::new(),
        entry: file.header.pt2.entry_point(),
    };
    for header in file.program_iter() {
        if header.get_type() != Ok(SegmentType::Load) || header.mem_size() == 0 {
            continue;
        }
        let (start, size) = (header.virtual_addr(), header.mem_size());
        let (offset, file_size) = (header.offset(), header.file_size());
        abi::check_user_range(start, size).map_err(|_| LoadError::Segment("outside the user half"))?;
        if file_size > size || offset.checked_add(file_size).is_none_or(|end| end > elf.len() as u64) {
            return Err(LoadError::Segment("its bytes are outside the file"));
        }
        let flags = header.flags();
        if flags.is_write() && flags.is_execute() {
            return Err(LoadError::Segment("writable and executable"));
        }
        let mut page_flags = Flags::PRESENT | Flags::USER_ACCESSIBLE;
        if flags.is_write() {
            page_flags |= Flags::WRITABLE;
        }
        if !flags.is_execute() {
            page_flags |= Flags::NO_EXECUTE;
        }
        let mut page = start & !(PAGE_BYTES - 1);
        while page < start + size {
            let frame = frames::allocate_zeroed().ok_or(LoadError::OutOfMemory)?;
            // The file bytes that fall into this page.
            let bytes = frames::frame_bytes(frame);
            for (i, byte) in bytes.iter_mut().enumerate() {
                let address = page + i as u64;
                if address >= start && address < start + file_size {
                    *byte = elf[(offset + address - start) as usize];
                }
            }
            loaded.space.map(page, frame, page_flags).map_err(|_| LoadError::Segment("overlaps another"))?;
            loaded.pages.push(page);
            page += PAGE_BYTES;
        }
    }
    let stack_flags = Flags::PRESENT | Flags::USER_ACCESSIBLE | Flags::WRITABLE | Flags::NO_EXECUTE;
    let mut page = abi::USER_STACK_TOP - STACK_BYTES;
    while page < abi::USER_STACK_TOP {
        let frame = frames::allocate_zeroed().ok_or(LoadError::OutOfMemory)?;
        loaded.space.map(page, frame, stack_flags).map_err(|_| LoadError::Segment("the stack overlaps it"))?;
        loaded.pages.push(page);
        page += PAGE_BYTES;
    }
    Ok(loaded)
}

/// Runs the embedded program `name` in ring 3 until it ends.
pub fn run(name: &'static str, argument: u64) -> Result<Ending, LoadError> {
    let program = PROGRAMS.iter().find(|p| p.name == name).ok_or(LoadError::NoSuchProgram)?;
    let Loaded { space, pages, entry } = load(program.elf)?;
    let cs = crate::arch::gdt::selectors().user_code.0;
    kprintln!(
        "user: entering {name} at rip {entry:#x} with CS {cs:#x}, stack {:#x}, CR3 {:#x}",
        abi::USER_STACK_TOP,
        space.cr3()
    );
    *NAME.lock() = name;
    space.activate();
    *SPACE.lock() = Some(space);
    *ENDING.lock() = None;
    x86_64::instructions::interrupts::disable();
    syscall::prepare_gs();
    // The ABI's entry: RSP as if `_start` had been called (16n + 8).
    // SAFETY: `entry` and the stack are mapped user pages of the active
    // space; CONTEXT is only used by `end_program` for this call.
    unsafe { enter_user(entry, abi::USER_STACK_TOP - 8, argument, &raw mut CONTEXT) };
    // Back from ring 3, interrupts off, on this stack.
    with_kernel_space(|kernel| kernel.activate());
    let mut space = SPACE.lock().take().expect("the program's space");
    for page in pages {
        let frame = space.unmap(page).unwrap_or_else(|e| panic!("unmapping {page:#x}: {e:?}"));
        frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
    }
    drop(space);
    x86_64::instructions::interrupts::enable();
    Ok(ENDING.lock().take().expect("end_program set the ending"))
}

/// Runs a program and prints how it ended, as the scenarios do.
pub fn run_and_report(name: &'static str, argument: u64) -> Option<Ending> {
    match run(name, argument) {
        Ok(ending) => {
            match ending {
                Ending::Exited(code) => kprintln!("user: {name} exited with code {code}"),
                Ending::Killed { vector, rip } => {
                    kprintln!("user: {name} was ended by vector {vector} at rip {rip:#x}; the kernel carries on")
                }
                Ending::BadReturn(rip) => {
                    kprintln!("user: {name} made a system call that would return to {rip:#x}, not canonical: ended")
                }
            }
            Some(ending)
        }
        Err(error) => {
            kprintln!("user: cannot run {name}: {error}");
            None
        }
    }
}

/// Loads `name` and, with its space active, reads its first page from the
/// kernel outside any user-access window: under SMAP this must fault
/// (`scenario=smap-violation`). Returns the byte when it does not.
pub fn read_user_page_without_window(name: &'static str) -> Result<(u64, u8), LoadError> {
    let program = PROGRAMS.iter().find(|p| p.name == name).ok_or(LoadError::NoSuchProgram)?;
    let loaded = load(program.elf)?;
    loaded.space.activate();
    kprintln!("smap-violation: reading user address {:#x} from the kernel, outside any window", loaded.entry);
    let byte = memory::read_without_window(loaded.entry);
    with_kernel_space(|kernel| kernel.activate());
    let Loaded { mut space, pages, entry } = loaded;
    for page in pages {
        let frame = space.unmap(page).unwrap_or_else(|e| panic!("unmapping {page:#x}: {e:?}"));
        frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
    }
    Ok((entry, byte))
}
