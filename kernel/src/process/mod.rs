//! Processes: many programs at once, each with its own address space and
//! kernel stack, sharing the CPU under a preemptive round-robin scheduler.
//!
//! The data — who exists, whose child is whose, who is ready, who waits
//! for what — is `libs/sched`'s [`Table`] and [`RunQueue`], tested on the
//! host. This module adds what needs the machine: it builds a process
//! (the program's image from `user::load_program`, a kernel stack from
//! `stack.rs`, a first stack frame that starts in [`process_start`]) and
//! switches between them (`switch.rs`), setting CR3, TSS.RSP0 and the
//! system-call stack for the process that runs next.
//!
//! When does a switch happen? Only at four places, always with interrupts
//! off and the scheduler's lock released just before `switch`:
//! - the timer tick, when the running process has used its time slice
//!   ([`SLICE_TICKS`]) and another one is ready — preemption, so that a
//!   program that never makes a system call cannot keep the CPU;
//! - `yield`, which gives the rest of the slice to the next process;
//! - blocking: `wait` for a child that is still alive, `read` of stdin
//!   with no key waiting;
//! - `exit` (or a fault in ring 3), after which the process never runs
//!   again.
//!
//! Pid 0 is the idle task: the boot stack `kmain` runs on. It is never in
//! the run queue; the scheduler switches to it only when nothing is ready,
//! and it halts the CPU (`sti; hlt`) until an interrupt makes something
//! ready. The kernel is not preemptible: system calls run with interrupts
//! off (SFMASK clears IF), so a switch never lands in the middle of one
//! except where the system call itself blocks.
//!
//! Rank 8.

mod stack;
mod switch;

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use abi::{Error, ExitStatus};
use sched::{Pid, RunQueue, State, Table, WaitFor, WaitOutcome};
use spin::{Mutex, MutexGuard};
use x86_64::instructions::interrupts;

use crate::boot::summary::field;
use crate::memory::paging::{AddressSpace, with_kernel_space};
use crate::user::{self, LoadError, Loaded};
use stack::KernelStack;

/// The most processes at once, zombies included.
pub const MAX_PROCESSES: usize = 32;

/// Timer ticks a process may run before another ready one gets the CPU.
pub const SLICE_TICKS: u32 = 3;

/// The idle task's pid.
pub const IDLE: Pid = 0;

/// Pid of the first process (`sched::Table` counts from 1).
pub const INIT: Pid = 1;

/// What the kernel keeps for a process besides `sched`'s record.
struct Data {
    /// The program's short name, for reports (`user: crash killed by …`).
    name: &'static str,
    /// The saved kernel stack pointer while the process is not running.
    rsp: u64,
    stack: Option<KernelStack>,
    /// The address space, its pages and where to start: `None` once the
    /// process has exited and they were freed.
    image: Option<Loaded>,
}

/// Whatever a record still holds when it goes is freed: a zombie holds
/// only its kernel stack, but a process whose creation failed half-way
/// may still hold its image.
impl Drop for Data {
    fn drop(&mut self) {
        if let Some(image) = self.image.take() {
            image.free();
        }
    }
}

struct Scheduler {
    table: Table<Data, MAX_PROCESSES>,
    queue: RunQueue<MAX_PROCESSES>,
    current: Pid,
    /// The idle task's saved stack pointer while a process runs.
    idle_rsp: u64,
    /// Ticks left in the current process's slice.
    slice: u32,
}

static SCHEDULER: Mutex<Scheduler> = Mutex::new(Scheduler {
    table: Table::new(INIT),
    queue: RunQueue::new(),
    current: IDLE,
    idle_rsp: 0,
    slice: SLICE_TICKS,
});

/// Whether processes exist yet (Rank VIII and a first spawn).
static STARTED: AtomicBool = AtomicBool::new(false);

/// The lock, taken with interrupts off (they must already be off: the
/// timer and input interrupts take it too, on this one CPU).
fn scheduler() -> MutexGuard<'static, Scheduler> {
    debug_assert!(!interrupts::are_enabled(), "the scheduler's lock is taken with interrupts off");
    SCHEDULER.lock()
}

/// Reports the scheduler's parameters in the boot summary.
pub fn init() {
    field(
        "processes",
        format_args!(
            "up to {MAX_PROCESSES}, round robin, slice {SLICE_TICKS} ticks, kernel stacks {} KiB + guard",
            stack::STACK_BYTES / 1024
        ),
    );
}

/// The running process (0: the idle task, or no processes yet).
pub fn current() -> Pid {
    if !STARTED.load(Ordering::Relaxed) {
        return IDLE;
    }
    interrupts::without_interrupts(|| scheduler().current)
}

/// Runs `f` on the running process's address space, if a process runs.
pub fn with_current_space<R>(f: impl FnOnce(&mut AddressSpace) -> R) -> Option<R> {
    if !STARTED.load(Ordering::Relaxed) {
        return None;
    }
    interrupts::without_interrupts(|| {
        let mut sched = scheduler();
        let current = sched.current;
        let image = sched.table.get_mut(current)?.data.image.as_mut()?;
        Some(f(&mut image.space))
    })
}

/// Why `spawn` failed, as the system call reports it.
fn errno(error: &LoadError) -> Error {
    match error {
        LoadError::NoSuchProgram | LoadError::NotAFile | LoadError::NoVault => Error::NoEntry,
        LoadError::Refused(_) => Error::NoExec,
        LoadError::TooManyArguments => Error::Invalid,
        LoadError::OutOfMemory => Error::NoMemory,
    }
}

/// A new process running the vault's program at `path` with arguments
/// `path` and `rest`, child of `parent`, ready to run.
pub fn spawn(parent: Pid, path: &str, rest: &[&str]) -> Result<Pid, Error> {
    // Loading allocates and copies; do it before taking the lock.
    let image = user::load_program(path, rest).map_err(|e| errno(&e))?;
    let name = user::short_static(path.rsplit('/').next().unwrap_or(path));
    interrupts::without_interrupts(|| {
        let mut sched = scheduler();
        let data = Data { name, rsp: 0, stack: None, image: Some(image) };
        let (pid, slot) = match sched.table.spawn(parent, data) {
            Ok(spawned) => spawned,
            Err(sched::TableFull) => {
                drop(sched);
                return Err(Error::TryAgain);
            }
        };
        let Some(stack) = KernelStack::new(slot) else {
            let record = sched.table.remove(pid);
            drop(sched);
            // Frees the image (`Data`'s drop).
            drop(record);
            return Err(Error::NoMemory);
        };
        let process = sched.table.get_mut(pid).expect("just spawned");
        process.data.rsp = switch::initial_stack(stack.top(), process_start);
        process.data.stack = Some(stack);
        sched.queue.push(pid).expect("the queue holds every process");
        STARTED.store(true, Ordering::Relaxed);
        Ok(pid)
    })
}

/// Where a new process's first `switch` returns to: enter ring 3 at the
/// program's entry with its stack and arguments.
extern "C" fn process_start() -> ! {
    let start = {
        let sched = scheduler();
        let process = sched.table.get(sched.current).expect("the running process has a record");
        let image = process.data.image.as_ref().expect("a new process has its image");
        image.start()
    };
    crate::user::syscall::prepare_gs();
    // SAFETY: the running process's space is active (the switch loaded
    // it) and maps the entry and stack `start` names.
    unsafe { user::enter_first(start) }
}

/// Picks the next process and switches to it. `requeue`: the current
/// process stays ready (yield, preemption) and goes to the back. With
/// nothing else ready, a requeued process simply keeps running and a
/// blocked or exited one gives way to the idle task.
fn reschedule(mut sched: MutexGuard<'static, Scheduler>, requeue: bool) {
    let previous = sched.current;
    if requeue && sched.queue.is_empty() {
        sched.slice = SLICE_TICKS;
        return;
    }
    if requeue && previous != IDLE {
        sched.table.get_mut(previous).expect("current").state = State::Ready;
        sched.queue.push(previous).expect("the queue holds every process");
    }
    let next = sched.queue.pop().unwrap_or(IDLE);
    sched.slice = SLICE_TICKS;
    if next == previous {
        sched.table.get_mut(next).expect("current").state = State::Running;
        return;
    }
    sched.current = next;
    let save: *mut u64 = if previous == IDLE {
        &raw mut sched.idle_rsp
    } else {
        &raw mut sched.table.get_mut(previous).expect("current").data.rsp
    };
    let resume = if next == IDLE {
        with_kernel_space(|kernel| kernel.activate());
        let (_, top) = crate::arch::entry::syscall_stack();
        set_kernel_stack(top);
        sched.idle_rsp
    } else {
        let process = sched.table.get_mut(next).expect("queued pids have records");
        process.state = State::Running;
        if let Some(image) = &process.data.image {
            image.space.activate();
        }
        set_kernel_stack(process.data.stack.as_ref().expect("a live process has a stack").top());
        user::set_name(process.data.name);
        process.data.rsp
    };
    drop(sched);
    // SAFETY: interrupts are off; `resume` was saved by `switch` or laid
    // out by `initial_stack`; `save` points into the record of `previous`
    // (or the idle slot), which outlives this switch: a record is removed
    // only by a `wait` or by `run_init`, both of which run after it.
    unsafe { switch::switch(save, resume) };
}

/// Where the CPU lands when this process is interrupted in ring 3 or
/// makes a system call.
fn set_kernel_stack(top: u64) {
    crate::arch::gdt::set_kernel_stack(top);
    user::syscall::set_entry_stack(top);
}

/// `yield`: the rest of the slice to the next ready process.
pub fn yield_now() {
    interrupts::without_interrupts(|| reschedule(scheduler(), true));
}

/// The timer's tick (after its EOI): preempts a process whose slice is
/// used up when another one is ready.
pub fn tick() {
    if !STARTED.load(Ordering::Relaxed) {
        return;
    }
    let mut sched = scheduler();
    if sched.current == IDLE {
        return;
    }
    sched.slice = sched.slice.saturating_sub(1);
    if sched.slice == 0 {
        if !sched.queue.is_empty() {
            reschedule(sched, true);
        } else {
            sched.slice = SLICE_TICKS;
        }
    }
}

/// Ends the running process with `status`: frees its address space and
/// files, keeps its record as a zombie for the parent, wakes whoever
/// waits for it, and switches away for good. Its kernel stack — the one
/// this runs on — is freed by the `wait` that collects it.
pub fn exit_current(status: ExitStatus) -> ! {
    interrupts::disable();
    with_kernel_space(|kernel| kernel.activate());
    let mut sched = scheduler();
    let pid = sched.current;
    assert_ne!(pid, IDLE, "the idle task cannot exit");
    let image = sched.table.get_mut(pid).and_then(|p| p.data.image.take());
    drop(sched);
    if let Some(image) = image {
        image.free();
    }
    user::files::close_all(pid);
    let mut sched = scheduler();
    let wake = sched.table.exit(pid, status.encode());
    for woken in wake.iter() {
        make_ready(&mut sched, woken);
    }
    reschedule(sched, false);
    unreachable!("an exited process was switched back to");
}

fn make_ready(sched: &mut Scheduler, pid: Pid) {
    if let Some(process) = sched.table.get_mut(pid) {
        process.state = State::Ready;
        sched.queue.push(pid).expect("the queue holds every process");
    }
}

/// `wait`: the pid and status of an exited child (`which`: one pid, or 0
/// for any), blocking until there is one; `Ok(None)` with `no_hang` when
/// none has exited yet.
pub fn wait(which: Pid, no_hang: bool) -> Result<Option<(Pid, u64)>, Error> {
    let which = if which == 0 { WaitFor::AnyChild } else { WaitFor::Child(which) };
    loop {
        let mut sched = scheduler();
        let me = sched.current;
        match sched.table.wait(me, which) {
            WaitOutcome::Reaped { pid, status, data } => {
                drop(sched);
                // Its kernel stack (and, for a child of the kernel, its
                // image) goes here, on the parent's stack.
                drop(data);
                return Ok(Some((pid, status)));
            }
            WaitOutcome::NotChild => return Err(Error::NoChild),
            WaitOutcome::MustBlock if no_hang => return Ok(None),
            WaitOutcome::MustBlock => {
                let child = match which {
                    WaitFor::Child(pid) => Some(pid),
                    WaitFor::AnyChild => None,
                };
                sched.table.get_mut(me).expect("current").state = State::WaitingForChild(child);
                reschedule(sched, false);
            }
        }
    }
}

/// `scenario=boot-bench`: report when the first process waits for a key.
static REPORT_FIRST_PROMPT: AtomicBool = AtomicBool::new(false);

pub fn report_first_prompt() {
    REPORT_FIRST_PROMPT.store(true, Ordering::Relaxed);
}

/// `read` of stdin: at least one byte, blocking until a key arrives.
pub fn read_input(into: &mut [u8]) -> usize {
    loop {
        let count = crate::input::take_bytes(into);
        if count > 0 || into.is_empty() {
            return count;
        }
        if REPORT_FIRST_PROMPT.swap(false, Ordering::Relaxed) {
            let now = crate::arch::cpu::timestamp();
            let kmain = crate::arch::cpu::kmain_timestamp();
            crate::kprintln!();
            crate::kprintln!("bench: boot: kmain entered at {kmain} instructions after reset");
            crate::kprintln!(
                "bench: boot: shell waiting for a key at {now} instructions ({} in the kernel)",
                now - kmain
            );
            crate::arch::qemu::exit(crate::arch::qemu::ExitCode::Success);
        }
        let mut sched = scheduler();
        let me = sched.current;
        sched.table.get_mut(me).expect("current").state = State::WaitingForInput;
        reschedule(sched, false);
    }
}

/// Called by the keyboard and serial interrupts after a key arrived.
pub fn wake_input() {
    if !STARTED.load(Ordering::Relaxed) {
        return;
    }
    let mut sched = scheduler();
    let waiting: Vec<Pid> = sched.table.waiting_for_input().collect();
    for pid in waiting {
        make_ready(&mut sched, pid);
    }
}

/// Starts `bin/init` with `arguments` as pid 1 and idles — runs the other
/// processes, halting when none is ready — until init exits. Returns how
/// it ended, or why it could not start.
pub fn run_init(arguments: &[&str]) -> Result<ExitStatus, Error> {
    let pid = spawn(IDLE, "bin/init", arguments)?;
    let status = idle_until(|sched| match sched.table.get(pid).map(|p| p.state) {
        Some(State::Exited(status)) => Some(status),
        _ => None,
    });
    // Its parent is the kernel: collect it here.
    interrupts::without_interrupts(|| drop(scheduler().table.remove(pid)));
    Ok(ExitStatus::decode(status))
}

/// The idle task: runs ready processes, halts when there are none, until
/// `done` returns a value.
fn idle_until<R>(done: impl Fn(&Scheduler) -> Option<R>) -> R {
    loop {
        interrupts::disable();
        let sched = scheduler();
        if let Some(result) = done(&sched) {
            drop(sched);
            interrupts::enable();
            return result;
        }
        if !sched.queue.is_empty() {
            reschedule(sched, false);
            continue;
        }
        drop(sched);
        // `sti; hlt`: `sti` takes effect after the next instruction, so an
        // interrupt cannot slip in between and leave us halted with work.
        interrupts::enable_and_hlt();
    }
}

/// Whether `address` is in a process kernel stack's guard page.
pub fn in_stack_guard(address: u64) -> bool {
    KernelStack::is_guard(address)
}
