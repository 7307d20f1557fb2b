//! `true`: does nothing and exits with 0 — the smallest process, for the
//! leak check and the spawn benchmark.
#![no_std]
#![no_main]

runtime::entry!(main);

fn main(_: runtime::Args) -> i32 {
    0
}
