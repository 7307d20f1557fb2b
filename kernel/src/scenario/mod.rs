//! Scenarios: things a check asks the kernel to do on purpose.
//!
//! An achievement is proven by behaviour, and some behaviour only shows
//! when provoked: a panic, a picture, five hundred lines of scrolling. The
//! quest tool picks one with `scenario=NAME` on the kernel command line
//! (set in `limine.conf`); a plain boot runs none. Scenarios run after the
//! rank ladder, so each can use everything its checkpoint brought up — and
//! one that needs a higher rank than the build reached says so and does
//! nothing, which is what keeps later ranks' checks honest on earlier
//! checkpoints.

mod allocation;
mod artist;
mod awakening;
mod barrier;
mod conductor;
mod mind;
mod reflexes;
mod vault;

use bootinfo::CommandLine;

use crate::{kprintln, rank};

struct Scenario {
    name: &'static str,
    rank: u8,
    run: fn(&CommandLine),
}

const SCENARIOS: &[Scenario] = &[
    Scenario { name: "panic", rank: 1, run: |_| awakening::panic() },
    Scenario { name: "canvas", rank: 2, run: |_| artist::canvas() },
    Scenario { name: "format", rank: 2, run: |_| artist::format() },
    Scenario { name: "scroll", rank: 2, run: |_| artist::scroll() },
    Scenario { name: "colours", rank: 2, run: |_| artist::colours() },
    Scenario { name: "control", rank: 2, run: |_| artist::control() },
    Scenario { name: "panic-in-print", rank: 2, run: |_| artist::panic_in_print() },
    Scenario { name: "console-bench", rank: 2, run: |_| artist::console_bench() },
    Scenario { name: "breakpoint", rank: 3, run: |_| reflexes::breakpoint() },
    Scenario { name: "page-fault", rank: 3, run: reflexes::page_fault },
    Scenario { name: "divide-error", rank: 3, run: |_| reflexes::scenario_divide_error() },
    Scenario { name: "invalid-opcode", rank: 3, run: |_| reflexes::scenario_invalid_opcode() },
    Scenario { name: "stack-overflow", rank: 3, run: |_| reflexes::stack_overflow() },
    Scenario { name: "ticks", rank: 3, run: |_| reflexes::ticks() },
    Scenario { name: "irq-storm", rank: 3, run: |_| reflexes::irq_storm() },
    Scenario { name: "irq-cost", rank: 3, run: |_| reflexes::irq_cost() },
    Scenario { name: "frames", rank: 4, run: |_| mind::frames() },
    Scenario { name: "double-free", rank: 4, run: mind::double_free },
    Scenario { name: "guard-page", rank: 4, run: |_| mind::guard_page() },
    Scenario { name: "paging", rank: 4, run: |_| mind::paging() },
    Scenario { name: "address-space", rank: 4, run: |_| mind::address_space() },
    Scenario { name: "write-text", rank: 4, run: |_| mind::write_text() },
    Scenario { name: "exec-data", rank: 4, run: |_| mind::exec_data() },
    Scenario { name: "heap", rank: 4, run: allocation::collections },
    Scenario { name: "alloc-stress", rank: 4, run: |_| allocation::stress() },
    Scenario { name: "heap-bench", rank: 4, run: |_| allocation::bench() },
    Scenario { name: "frames-bench", rank: 4, run: |_| mind::frames_bench() },
    Scenario { name: "input-hold", rank: 5, run: |_| crate::input::hold_until_quiet() },
    Scenario { name: "ring3", rank: 6, run: |_| barrier::ring3() },
    Scenario { name: "syscalls", rank: 6, run: |_| barrier::ring3() },
    Scenario { name: "user-exit", rank: 6, run: |_| barrier::exits() },
    Scenario { name: "user-privileged", rank: 6, run: |_| barrier::privileged() },
    Scenario { name: "user-pointers", rank: 6, run: |_| barrier::pointers() },
    Scenario { name: "user-spin", rank: 6, run: |_| barrier::spin() },
    Scenario { name: "smap-violation", rank: 6, run: |_| barrier::smap_violation() },
    Scenario { name: "syscall-bench", rank: 6, run: |_| barrier::syscall_bench() },
    Scenario { name: "hostile", rank: 6, run: |_| barrier::hostile() },
    Scenario { name: "vault-tour", rank: 7, run: |_| vault::tour() },
    Scenario { name: "segments", rank: 7, run: |_| vault::segments() },
    Scenario { name: "bad-elves", rank: 7, run: |_| vault::bad_elves() },
    Scenario { name: "vault-bench", rank: 7, run: |_| vault::bench() },
    Scenario { name: "duet", rank: 8, run: |c| conductor::through_init("duet", c) },
    Scenario { name: "pingpong", rank: 8, run: |c| conductor::through_init("pingpong", c) },
    Scenario { name: "family", rank: 8, run: |c| conductor::through_init("family", c) },
    Scenario { name: "churn", rank: 8, run: |c| conductor::through_init("churn", c) },
    Scenario { name: "sched-bench", rank: 8, run: |c| conductor::through_init("sched-bench", c) },
    Scenario { name: "boot-bench", rank: 8, run: |_| conductor::boot_bench() },
];

/// Runs the scenario the command line names, if any. Returns whether one
/// ran (the caller then stays quiet, leaving the screen as it drew it).
pub fn run(cmdline: &CommandLine) -> bool {
    let Some(name) = cmdline.value("scenario") else {
        return false;
    };
    match SCENARIOS.iter().find(|s| s.name == name) {
        Some(scenario) if scenario.rank <= rank::REACHED => {
            kprintln!("scenario: {name}");
            (scenario.run)(cmdline);
            true
        }
        Some(scenario) => {
            kprintln!("scenario: {name} needs rank {}; this checkpoint is rank {}", scenario.rank, rank::REACHED);
            false
        }
        None => {
            let known: [&str; SCENARIOS.len()] = core::array::from_fn(|i| SCENARIOS[i].name);
            kprintln!("scenario: unknown scenario {name:?}; known: {known:?}");
            false
        }
    }
}
