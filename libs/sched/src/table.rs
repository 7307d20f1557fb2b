//! The process table: records, parents, zombies and `wait`.

use crate::Pid;

/// What a process is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// In the run queue.
    Ready,
    /// On the CPU.
    Running,
    /// Waiting for a child to exit (`None`: any child).
    WaitingForChild(Option<Pid>),
    /// Waiting for input on stdin.
    WaitingForInput,
    /// Gone, but its status is kept until the parent collects it.
    Exited(u64),
}

/// One record: who it is, whose child it is, what it is doing, and the
/// kernel's data for it (address space, kernel stack, saved context…).
#[derive(Debug)]
pub struct Process<T> {
    pub pid: Pid,
    pub parent: Pid,
    pub state: State,
    pub data: T,
}

/// `spawn` found every slot taken (zombies included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableFull;

/// Which child a `wait` is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    Child(Pid),
    AnyChild,
}

/// What `wait` found.
#[derive(Debug, PartialEq, Eq)]
pub enum WaitOutcome<T> {
    /// A child had exited: its record is gone, here are its pid, status
    /// and data for the kernel to free.
    Reaped { pid: Pid, status: u64, data: T },
    /// The child (or every child) is still alive: block and try again
    /// when woken.
    MustBlock,
    /// The pid is not a child of the caller, or it has no children.
    NotChild,
}

/// Processes to make ready after an `exit`: the parent if it was waiting
/// for this child, and the adopter if it was waiting for any child and
/// just received an exited one. At most two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wakeups {
    pids: [Option<Pid>; 2],
}

impl Wakeups {
    fn add(&mut self, pid: Pid) {
        if self.pids.contains(&Some(pid)) {
            return;
        }
        if let Some(slot) = self.pids.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(pid);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Pid> + '_ {
        self.pids.iter().flatten().copied()
    }
}

/// At most `N` processes (zombies included). Pids count up from 1 and are
/// never reused while the kernel runs, so a stale pid can never name a
/// newer process.
#[derive(Debug)]
pub struct Table<T, const N: usize> {
    slots: [Option<Process<T>>; N],
    next_pid: Pid,
    /// Who adopts the children of a process that exits (init).
    adopter: Pid,
}

impl<T, const N: usize> Table<T, N> {
    /// An empty table whose orphans go to `adopter` (normally 1, init).
    pub const fn new(adopter: Pid) -> Self {
        Self { slots: [const { None }; N], next_pid: 1, adopter }
    }

    pub const fn capacity(&self) -> usize {
        N
    }

    /// Records in use, zombies included.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new record, Ready, child of `parent`; its pid and slot index.
    pub fn spawn(&mut self, parent: Pid, data: T) -> Result<(Pid, usize), TableFull> {
        let slot = self.slots.iter().position(Option::is_none).ok_or(TableFull)?;
        let pid = self.next_pid;
        self.next_pid += 1;
        self.slots[slot] = Some(Process { pid, parent, state: State::Ready, data });
        Ok((pid, slot))
    }

    /// The slot index of `pid` (stable for the record's life).
    pub fn slot_of(&self, pid: Pid) -> Option<usize> {
        self.slots.iter().position(|p| p.as_ref().is_some_and(|p| p.pid == pid))
    }

    pub fn get(&self, pid: Pid) -> Option<&Process<T>> {
        self.slots.iter().flatten().find(|p| p.pid == pid)
    }

    pub fn get_mut(&mut self, pid: Pid) -> Option<&mut Process<T>> {
        self.slots.iter_mut().flatten().find(|p| p.pid == pid)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Process<T>> {
        self.slots.iter().flatten()
    }

    /// `pid` ends with `status`. Its record stays as a zombie until its
    /// parent waits for it; its children go to the adopter. Returns who
    /// must be woken. Exiting twice, or an unknown pid, changes nothing.
    pub fn exit(&mut self, pid: Pid, status: u64) -> Wakeups {
        let mut wake = Wakeups::default();
        let Some(process) = self.get_mut(pid) else { return wake };
        if matches!(process.state, State::Exited(_)) {
            return wake;
        }
        process.state = State::Exited(status);
        let parent = process.parent;
        let adopter = if pid == self.adopter { 0 } else { self.adopter };
        let mut adopted_a_zombie = false;
        for child in self.slots.iter_mut().flatten().filter(|p| p.parent == pid) {
            child.parent = adopter;
            adopted_a_zombie |= matches!(child.state, State::Exited(_));
        }
        let parent_waits = self.get(parent).is_some_and(|p| {
            matches!(p.state, State::WaitingForChild(None)) || p.state == State::WaitingForChild(Some(pid))
        });
        if parent_waits {
            wake.add(parent);
        }
        if adopted_a_zombie && self.get(adopter).is_some_and(|p| p.state == State::WaitingForChild(None)) {
            wake.add(adopter);
        }
        wake
    }

    /// `parent` collects a child's exit: see [`WaitOutcome`].
    pub fn wait(&mut self, parent: Pid, which: WaitFor) -> WaitOutcome<T> {
        let is_candidate = |p: &Process<T>| {
            p.parent == parent
                && match which {
                    WaitFor::Child(pid) => p.pid == pid,
                    WaitFor::AnyChild => true,
                }
        };
        if !self.iter().any(is_candidate) {
            return WaitOutcome::NotChild;
        }
        let zombie = self
            .slots
            .iter()
            .position(|p| p.as_ref().is_some_and(|p| is_candidate(p) && matches!(p.state, State::Exited(_))));
        match zombie.and_then(|slot| self.slots[slot].take()) {
            Some(Process { pid, state: State::Exited(status), data, .. }) => WaitOutcome::Reaped { pid, status, data },
            _ => WaitOutcome::MustBlock,
        }
    }

    /// The pids blocked on stdin.
    pub fn waiting_for_input(&self) -> impl Iterator<Item = Pid> + '_ {
        self.iter().filter(|p| p.state == State::WaitingForInput).map(|p| p.pid)
    }

    /// Takes a record out whatever its state (for a process whose creation
    /// failed half-way, or whose parent is the kernel).
    pub fn remove(&mut self, pid: Pid) -> Option<Process<T>> {
        let slot = self.slot_of(pid)?;
        self.slots[slot].take()
    }
}
