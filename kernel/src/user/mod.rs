//! User mode: programs in ring 3, in address spaces of their own.
//!
//! One program at a time, to its end: `run` finds the file (`programs`),
//! has `elfplan` check it and say how to map it, carries out that plan in
//! a fresh `AddressSpace` (each segment with its own permissions, user-
//! accessible, W^X, the BSS zeroed; a stack below `abi::USER_STACK_TOP`
//! with the arguments on it), switches CR3, and enters ring 3 with
//! `iretq`. The program comes back only through the kernel: `exit` (a
//! system call), a fault in ring 3 (the interrupt dispatcher calls
//! `kill`), or a `syscall` whose return address is not canonical. All
//! three call `end_program`, which abandons the kernel stack it runs on
//! and resumes `run` where `enter_user` was called, like a `longjmp`:
//! `enter_user` saved the callee-saved registers and the stack pointer,
//! `resume_kernel` puts them back and returns. Then `run` switches back to
//! the kernel's tables, closes the program's files and frees every page
//! and table it had.
//!
//! Rank 6; programs from the vault, the loader's plan, arguments and
//! files Rank 7. Rank VIII turns "one program, to its end" into processes.

pub mod files;
mod memory;
mod programs;

pub use memory::close_window;
pub mod syscall;
mod syscalls;

use alloc::vec::Vec;
use core::arch::naked_asm;
use core::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use spin::Mutex;
use traps::TrapFrame;

use crate::boot::summary::field;
use crate::kprintln;
use crate::memory::frames;
use crate::memory::paging::{AddressSpace, PAGE_BYTES, PageTableFlags as Flags, with_kernel_space};

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
    /// There is no vault to find programs in.
    #[cfg_attr(embedded_programs, allow(dead_code))]
    NoVault,
    /// The path is a directory or something else that is not a file.
    #[cfg_attr(embedded_programs, allow(dead_code))]
    NotAFile,
    /// `elfplan` refused the file.
    Refused(elfplan::LoadError),
    /// More arguments than `abi::MAX_ARGUMENTS`, or longer than
    /// `abi::MAX_ARGUMENT_BYTES` together.
    TooManyArguments,
    OutOfMemory,
}

impl core::fmt::Display for LoadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoSuchProgram => f.write_str("no such program"),
            Self::NoVault => f.write_str("there is no vault"),
            Self::NotAFile => f.write_str("not a file"),
            Self::Refused(why) => write!(f, "{why}"),
            Self::TooManyArguments => f.write_str("too many arguments"),
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
/// with stack `stack`, the argument count in RDI and the arguments'
/// address in RSI. Returns when `resume_kernel` is called with that context.
#[unsafe(naked)]
unsafe extern "sysv64" fn enter_user(
    entry: u64,
    stack: u64,
    count: u64,
    arguments: u64,
    context: *mut KernelContext,
) -> u64 {
    naked_asm!(
        "mov [r8 + 0x08], rbx",
        "mov [r8 + 0x10], rbp",
        "mov [r8 + 0x18], r12",
        "mov [r8 + 0x20], r13",
        "mov [r8 + 0x28], r14",
        "mov [r8 + 0x30], r15",
        "mov [r8], rsp",
        // The rest is a first entry: the same four arguments, in place.
        "jmp {ring3}",
        ring3 = sym enter_ring3,
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
    if crate::process::current() != crate::process::IDLE {
        // A process (Rank VIII): it ends like `exit`, and its parent learns how.
        let status = match ending {
            Ending::Exited(code) => abi::ExitStatus::Code(code),
            Ending::Killed { vector, .. } => abi::ExitStatus::Killed(vector as u8),
            Ending::BadReturn(_) => abi::ExitStatus::Killed(13),
        };
        crate::process::exit_current(status)
    }
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
    let allowed = |flags: Option<Flags>| {
        flags.is_some_and(|flags| {
            flags.contains(Flags::PRESENT | Flags::USER_ACCESSIBLE) && (!writable || flags.contains(Flags::WRITABLE))
        })
    };
    if let Some(flags) = crate::process::with_current_space(|space| space.flags(page)) {
        return allowed(flags);
    }
    let mut space = SPACE.lock();
    let Some(space) = space.as_mut() else { return false };
    allowed(space.flags(page))
}

/// Brings up what ring 3 needs: RSP0, the SYSCALL MSRs, SMEP and SMAP.
pub fn init() {
    let (_, top) = crate::arch::entry::syscall_stack();
    crate::arch::gdt::set_kernel_stack(top);
    syscall::init(top);
    memory::init();
    field("user mode", format_args!("syscall/sysret, RSP0 {top:#x}, programs from {}", programs::source()));
}

/// A loaded program: its space, the pages mapped in it, where to start
/// and the stack pointer and arguments to start with.
pub struct Loaded {
    pub space: AddressSpace,
    pages: Vec<u64>,
    entry: u64,
    stack: u64,
    count: u64,
    arguments: u64,
}

/// Where and how a program starts: what `enter_first` needs.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    entry: u64,
    stack: u64,
    count: u64,
    arguments: u64,
}

impl Loaded {
    pub fn start(&self) -> Start {
        Start { entry: self.entry, stack: self.stack, count: self.count, arguments: self.arguments }
    }

    /// Unmaps and frees every page; the tables go with the space's drop.
    pub fn free(self) {
        let Loaded { mut space, pages, .. } = self;
        for page in pages {
            let frame = space.unmap(page).unwrap_or_else(|e| panic!("unmapping {page:#x}: {e:?}"));
            frames::free(frame).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The load plan of the program at `path`, checked by `elfplan`.
pub fn plan(path: &str) -> Result<elfplan::Plan, LoadError> {
    elfplan::plan(programs::find(path)?).map_err(LoadError::Refused)
}

/// Prints a plan as `readelf -l` would list its PT_LOADs.
pub fn print_plan(path: &str, plan: &elfplan::Plan) {
    kprintln!("plan {path}: entry {:#x}, {} segments, {} pages", plan.entry, plan.segments.len(), plan.pages());
    for s in &plan.segments {
        kprintln!(
            "  load {:#x} file {:#x}+{:#x} memory {:#x} {}",
            s.vaddr,
            s.offset,
            s.file_size,
            s.memory_size,
            s.flags
        );
    }
}

/// Carries out `plan` for `file` in a fresh space, adds the stack with
/// `arguments` on it.
fn load(file: &[u8], plan: &elfplan::Plan, arguments: &[&str]) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded {
        space: AddressSpace::new().ok_or(LoadError::OutOfMemory)?,
        pages: Vec::new(),
        entry: plan.entry,
        stack: 0,
        count: 0,
        arguments: 0,
    };
    // On any error below, `loaded` is dropped with what it mapped so far:
    // free it explicitly so no frame leaks.
    match map_everything(&mut loaded, file, plan, arguments) {
        Ok(()) => Ok(loaded),
        Err(error) => {
            loaded.free();
            Err(error)
        }
    }
}

fn map_everything(loaded: &mut Loaded, file: &[u8], plan: &elfplan::Plan, arguments: &[&str]) -> Result<(), LoadError> {
    for segment in &plan.segments {
        let mut flags = Flags::PRESENT | Flags::USER_ACCESSIBLE;
        if segment.flags.writable() {
            flags |= Flags::WRITABLE;
        }
        if !segment.flags.executable() {
            flags |= Flags::NO_EXECUTE;
        }
        let (first, last) = segment.pages();
        for page in (first..=last).step_by(PAGE_BYTES as usize) {
            // A zeroed frame is the BSS for free: only file bytes are copied.
            let frame = frames::allocate_zeroed().ok_or(LoadError::OutOfMemory)?;
            if let Some((range, at)) = segment.file_bytes_for_page(page) {
                frames::frame_bytes(frame)[at..at + range.len()].copy_from_slice(&file[range]);
            }
            map(loaded, page, frame, flags)?;
        }
    }
    // The stack, with the guard page below it left unmapped.
    let stack_flags = Flags::PRESENT | Flags::USER_ACCESSIBLE | Flags::WRITABLE | Flags::NO_EXECUTE;
    let mut top_frame = 0;
    for page in (abi::USER_STACK_TOP - abi::USER_STACK_BYTES..abi::USER_STACK_TOP).step_by(PAGE_BYTES as usize) {
        let frame = frames::allocate_zeroed().ok_or(LoadError::OutOfMemory)?;
        map(loaded, page, frame, stack_flags)?;
        top_frame = frame;
    }
    place_arguments(loaded, frames::frame_bytes(top_frame), arguments)
}

fn map(loaded: &mut Loaded, page: u64, frame: u64, flags: Flags) -> Result<(), LoadError> {
    match loaded.space.map(page, frame, flags) {
        Ok(()) => {
            loaded.pages.push(page);
            Ok(())
        }
        Err(_) => {
            // elfplan refuses overlaps, so this is a table allocation failing.
            let _ = frames::free(frame);
            Err(LoadError::OutOfMemory)
        }
    }
}

/// Writes the arguments at the top of the stack (the last stack page is
/// `top`, seen through the direct map): the strings, then an array of
/// `abi::Argument` 16-byte aligned below them, then the stack pointer 8
/// below that, as if `_start` had been called (the System V ABI wants
/// RSP + 8 to be 16-byte aligned at a function's entry).
fn place_arguments(loaded: &mut Loaded, top: &mut [u8], arguments: &[&str]) -> Result<(), LoadError> {
    let total: usize = arguments.iter().map(|a| a.len()).sum();
    if arguments.len() > abi::MAX_ARGUMENTS || total > abi::MAX_ARGUMENT_BYTES {
        return Err(LoadError::TooManyArguments);
    }
    let page = abi::USER_STACK_TOP - PAGE_BYTES;
    let mut at = PAGE_BYTES as usize;
    let mut list = [abi::Argument { address: 0, length: 0 }; abi::MAX_ARGUMENTS];
    for (slot, argument) in list.iter_mut().zip(arguments) {
        at -= argument.len();
        top[at..at + argument.len()].copy_from_slice(argument.as_bytes());
        *slot = abi::Argument { address: page + at as u64, length: argument.len() as u64 };
    }
    at = (at - arguments.len() * 16) & !15;
    for (i, argument) in list[..arguments.len()].iter().enumerate() {
        top[at + i * 16..at + i * 16 + 8].copy_from_slice(&argument.address.to_le_bytes());
        top[at + i * 16 + 8..at + i * 16 + 16].copy_from_slice(&argument.length.to_le_bytes());
    }
    loaded.arguments = page + at as u64;
    loaded.count = arguments.len() as u64;
    loaded.stack = loaded.arguments - 8;
    Ok(())
}

/// Finds, plans and loads the program at `path`, with arguments `path`
/// and `rest`, into a fresh address space (not activated).
pub fn load_program(path: &str, rest: &[&str]) -> Result<Loaded, LoadError> {
    let file = programs::find(path)?;
    let plan = elfplan::plan(file).map_err(LoadError::Refused)?;
    let mut arguments: Vec<&str> = Vec::with_capacity(rest.len() + 1);
    arguments.push(path);
    arguments.extend_from_slice(rest);
    load(file, &plan, &arguments)
}

/// Enters ring 3 for a process's first time, with nothing to come back
/// to: the process returns to the kernel only through system calls and
/// interrupts, on its own kernel stack.
///
/// # Safety
/// The active address space must map `start`'s entry and stack for user
/// mode, and interrupts must be off.
pub unsafe fn enter_first(start: Start) -> ! {
    // SAFETY: as the caller promised; `enter_ring3` never returns.
    unsafe { enter_ring3(start.entry, start.stack, start.count, start.arguments) }
}

/// `iretq` into ring 3 at `entry` with `stack`, the argument count in RDI
/// and their address in RSI, every other register zeroed.
#[unsafe(naked)]
unsafe extern "sysv64" fn enter_ring3(entry: u64, stack: u64, count: u64, arguments: u64) -> ! {
    naked_asm!(
        "push {user_ss}",
        "push rsi",
        "push 0x202",
        "push {user_cs}",
        "push rdi",
        "mov rdi, rdx",
        "mov rsi, rcx",
        "xor eax, eax",
        "xor ebx, ebx",
        "xor ecx, ecx",
        "xor edx, edx",
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

/// The name `kill` reports for the running program.
pub fn set_name(name: &'static str) {
    *NAME.lock() = name;
}

/// The name reports use: a path's last component (`bin/first` → `first`).
fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// How loud `run` is about entering a program.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    /// A `user: entering …` line with RIP, CS, stack and CR3 (Rank VI).
    Details,
    /// Nothing: the caller frames the program's output itself.
    Quiet,
}

/// Bytes the running program has written, and the last of them (for
/// `run_framed`'s end line).
static WRITTEN: AtomicU64 = AtomicU64::new(0);
static LAST_BYTE: AtomicU8 = AtomicU8::new(b'\n');

/// Called by `write` with what reached the console.
fn wrote(bytes: &[u8]) {
    if let Some(&last) = bytes.last() {
        WRITTEN.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        LAST_BYTE.store(last, Ordering::Relaxed);
    }
}

/// Runs the program at `path` (`bin/NAME`) in ring 3 until it ends. Its
/// arguments are `path` followed by `rest`.
pub fn run(path: &str, rest: &[&str], announce: Announce) -> Result<Ending, LoadError> {
    let file = programs::find(path)?;
    let plan = elfplan::plan(file).map_err(LoadError::Refused)?;
    let mut arguments: Vec<&str> = Vec::with_capacity(rest.len() + 1);
    arguments.push(path);
    arguments.extend_from_slice(rest);
    let loaded = load(file, &plan, &arguments)?;
    let name = short(path);
    if announce == Announce::Details {
        let cs = crate::arch::gdt::selectors().user_code.0;
        kprintln!(
            "user: entering {name} at rip {:#x} with CS {cs:#x}, stack {:#x}, CR3 {:#x}",
            loaded.entry,
            abi::USER_STACK_TOP,
            loaded.space.cr3()
        );
    }
    let Loaded { space, pages, entry, stack, count, arguments: list } = loaded;
    // `kill` names the program in its report: keep a name that lives on.
    *NAME.lock() = short_static(name);
    WRITTEN.store(0, Ordering::Relaxed);
    LAST_BYTE.store(b'\n', Ordering::Relaxed);
    space.activate();
    *SPACE.lock() = Some(space);
    *ENDING.lock() = None;
    x86_64::instructions::interrupts::disable();
    syscall::prepare_gs();
    // SAFETY: `entry` and the stack are mapped user pages of the active
    // space; CONTEXT is only used by `end_program` for this call.
    unsafe { enter_user(entry, stack, count, list, &raw mut CONTEXT) };
    // Back from ring 3, interrupts off, on this stack.
    with_kernel_space(|kernel| kernel.activate());
    let space = SPACE.lock().take().expect("the program's space");
    files::close_all(crate::process::IDLE);
    Loaded { space, pages, entry, stack, count, arguments: list }.free();
    x86_64::instructions::interrupts::enable();
    Ok(ENDING.lock().take().expect("end_program set the ending"))
}

/// Names for reports live in a small static buffer, so `kill` (which runs
/// on the exception path) never borrows from a caller's stack.
pub fn short_static(name: &str) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock();
    if let Some(known) = names.iter().find(|n| **n == name) {
        return known;
    }
    let leaked: &'static str = alloc::boxed::Box::leak(alloc::string::String::from(name).into_boxed_str());
    names.push(leaked);
    leaked
}

/// Runs a program and prints how it ended, as the scenarios do.
pub fn run_and_report(path: &str, rest: &[&str]) -> Option<Ending> {
    let name = short(path);
    match run(path, rest, Announce::Details) {
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
            kprintln!("user: cannot run {path}: {error}");
            None
        }
    }
}

/// Runs a program between two lines a referee can find its output by:
/// `$ path args…` before, and after it, on a line of its own,
/// `[path exited with code C after writing N bytes]` (or `killed by
/// vector V`). When the output does not end with a newline the kernel
/// adds one before the end line, and the byte count says what the
/// program wrote itself.
pub fn run_framed(path: &str, rest: &[&str]) -> Option<Ending> {
    let mut command = alloc::string::String::from(path);
    for argument in rest {
        command.push(' ');
        command.push_str(argument);
    }
    kprintln!("$ {command}");
    let result = run(path, rest, Announce::Quiet);
    let written = WRITTEN.load(Ordering::Relaxed);
    if written > 0 && LAST_BYTE.load(Ordering::Relaxed) != b'\n' {
        kprintln!();
    }
    match result {
        Ok(Ending::Exited(code)) => kprintln!("[{path} exited with code {code} after writing {written} bytes]"),
        Ok(Ending::Killed { vector, rip }) => {
            kprintln!("[{path} killed by vector {vector} at rip {rip:#x} after writing {written} bytes]")
        }
        Ok(Ending::BadReturn(rip)) => kprintln!("[{path} ended at a bad return to {rip:#x}]"),
        Err(ref error) => kprintln!("[{path} not started: {error}]"),
    }
    result.ok()
}

/// Loads `path` and, with its space active, reads its first page from the
/// kernel outside any user-access window: under SMAP this must fault
/// (`scenario=smap-violation`). Returns the byte when it does not.
pub fn read_user_page_without_window(path: &str) -> Result<(u64, u8), LoadError> {
    let file = programs::find(path)?;
    let plan = elfplan::plan(file).map_err(LoadError::Refused)?;
    let loaded = load(file, &plan, &[path])?;
    loaded.space.activate();
    kprintln!("smap-violation: reading user address {:#x} from the kernel, outside any window", loaded.entry);
    let byte = memory::read_without_window(loaded.entry);
    with_kernel_space(|kernel| kernel.activate());
    let entry = loaded.entry;
    loaded.free();
    Ok((entry, byte))
}
