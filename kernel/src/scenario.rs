//! Scenarios: things a check asks the kernel to do on purpose.
//!
//! An achievement is proven by behaviour, and some behaviour only shows
//! when provoked: a panic, a fault, a stack overflow. The quest tool picks
//! one with `scenario=NAME` on the kernel command line (set in
//! `limine.conf`); a plain boot runs none. Scenarios run after the rank
//! ladder, so each one can use everything the checkpoint has brought up.
//!
//! Every rank adds its own. Rank 1: `panic`.

use bootinfo::CommandLine;

use crate::kprintln;

/// The scenarios this kernel knows, for the error message on a typo.
const KNOWN: &[&str] = &["panic"];

/// Runs the scenario the command line names, if any.
pub fn run(cmdline: &CommandLine) {
    let Some(name) = cmdline.value("scenario") else {
        return;
    };
    kprintln!("scenario: {name}");
    match name {
        "panic" => panic!("deliberate panic requested by the command line"),
        unknown => kprintln!("scenario: unknown scenario {unknown:?}; known: {KNOWN:?}"),
    }
}
