//! The run queue: ready processes in the order they will run.

use crate::Pid;

/// A process could not be queued: the queue holds `N` already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFull(pub Pid);

/// A ring of at most `N` pids. Each pid is in it at most once: pushing
/// one that is already queued is a no-op, so a wake-up that races with a
/// yield can never make a process run twice per round.
#[derive(Clone, Debug)]
pub struct RunQueue<const N: usize> {
    slots: [Pid; N],
    head: usize,
    len: usize,
}

impl<const N: usize> Default for RunQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RunQueue<N> {
    pub const fn new() -> Self {
        Self { slots: [0; N], head: 0, len: 0 }
    }

    pub const fn len(&self) -> usize {
        self.len
    }

    /// Nothing is ready: the scheduler runs the idle task.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, pid: Pid) -> bool {
        self.iter().any(|queued| queued == pid)
    }

    /// Queues `pid` at the back, unless it is queued already.
    pub fn push(&mut self, pid: Pid) -> Result<(), QueueFull> {
        if self.contains(pid) {
            return Ok(());
        }
        if self.len == N {
            return Err(QueueFull(pid));
        }
        self.slots[(self.head + self.len) % N] = pid;
        self.len += 1;
        Ok(())
    }

    /// The next process to run.
    pub fn pop(&mut self) -> Option<Pid> {
        if self.len == 0 {
            return None;
        }
        let pid = self.slots[self.head];
        self.head = (self.head + 1) % N;
        self.len -= 1;
        Some(pid)
    }

    /// Takes `pid` out wherever it is (it blocked or exited); the others
    /// keep their order. Returns whether it was there.
    pub fn remove(&mut self, pid: Pid) -> bool {
        let Some(position) = self.iter().position(|queued| queued == pid) else {
            return false;
        };
        for i in position..self.len - 1 {
            self.slots[(self.head + i) % N] = self.slots[(self.head + i + 1) % N];
        }
        self.len -= 1;
        true
    }

    /// The queued pids, front first.
    pub fn iter(&self) -> impl Iterator<Item = Pid> + '_ {
        (0..self.len).map(move |i| self.slots[(self.head + i) % N])
    }
}
