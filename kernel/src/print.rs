//! `kprint!` and `kprintln!`: the kernel's `print!`.
//!
//! Every line goes to COM1 (Rank 1) and, once `display::init` has run, to
//! the screen console (Rank 2), without callers knowing either. The macros
//! take `format_args!`, so `{:#x}` and `{:>8}` work and nothing allocates.

/// Prints to the kernel's outputs (serial from Rank 1, screen from Rank 2).
/// ANSI colour escapes (`\x1b[31m`) colour both.
#[macro_export]
macro_rules! kprint {
    ($($arg:tt)*) => ($crate::print::print_args(format_args!($($arg)*)));
}

/// Prints a line to the kernel's outputs.
#[macro_export]
macro_rules! kprintln {
    () => ($crate::kprint!("\n"));
    ($($arg:tt)*) => ($crate::print::print_args(format_args!("{}\n", format_args!($($arg)*))));
}

/// Where the macros end up. Public only so the macros can reach it.
///
/// The screen is written first: a `Display` implementation that panics
/// then does so while the console's lock is held, the harder case for the
/// panic handler (Rank II's `panic-in-print` scenario provokes it).
pub fn print_args(args: core::fmt::Arguments) {
    crate::display::write_fmt(args);
    crate::serial::write_fmt(args);
}
