//! Rank I scenarios.

/// A panic on purpose: the check wants the message, `file:line`, and the
/// panic exit code.
pub fn panic() {
    panic!("deliberate panic requested by the command line");
}
