//! The scheduler's bookkeeping, kept apart from the hardware so that the
//! host can test it.
//!
//! A kernel's process code mixes two kinds of logic. One kind needs the
//! CPU: saving registers, switching stacks and page tables, entering ring
//! 3. The other kind is plain data: who is ready to run next, whose child
//! is whose, which exit codes are waiting to be collected, what happens to
//! children whose parent dies first. The second kind is where the subtle
//! bugs live (a zombie never reaped, a parent woken for the wrong child, a
//! process in the run queue twice), and it is all here, in safe `no_std`
//! Rust with no allocation, tested by `cargo test -p sched`.
//!
//! - [`RunQueue`]: a fixed-capacity FIFO of pids, the round robin. A
//!   process that uses up its time slice or yields goes to the back; the
//!   front one runs next. Empty means "run the idle task", which is never
//!   queued itself.
//! - [`Table`]: fixed-capacity process records with a parent and a
//!   [`State`]. `spawn` fails cleanly when it is full; `exit` keeps the
//!   record as a zombie holding its status and hands the children to an
//!   adopter (init); `wait` collects a zombie child, says the caller must
//!   block, or refuses a pid that is not its child.
//!
//! The kernel's `process` module owns one of each behind a lock and does
//! the switching; everything it decides, it decides through these.
//!
//! Rank 8.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod queue;
mod table;

pub use queue::{QueueFull, RunQueue};
pub use table::{Process, State, Table, TableFull, WaitFor, WaitOutcome, Wakeups};

/// A process identifier. Pid 0 is the idle task, which has no record.
pub type Pid = u64;

#[cfg(test)]
mod tests;
