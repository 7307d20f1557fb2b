//! `pingpong N`: a parent and its child take turns with `yield` (Rank
//! VIII, achievement 062). The parent spawns `pingpong N pong`, then both
//! print a line and yield, N times: `ping 1`, `pong 1`, `ping 2`, …
//!
//! `pingpong bench N`: the same hand-off without printing, timed with the
//! time-stamp counter (guest instructions under `-icount`): the cost of
//! one yield-and-switch (`make bench`).
#![no_std]
#![no_main]

use runtime::println;

runtime::entry!(main);

fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` only reads the time-stamp counter (CR4.TSD is clear).
    unsafe { core::arch::x86_64::_rdtsc() }
}

fn main(args: runtime::Args) -> i32 {
    match (args.get(1), args.get(2)) {
        (Some("bench"), count) => bench(count.and_then(|c| c.parse().ok()).unwrap_or(10_000), args.get(3)),
        (Some(count), role) => {
            let count: u64 = count.parse().unwrap_or(50);
            if role == Some("pong") {
                play("pong", count);
                return 0;
            }
            let Some(count_text) = args.get(1) else { return 2 };
            let child = match runtime::spawn("bin/pingpong", &[count_text, "pong"]) {
                Ok(pid) => pid,
                Err(error) => {
                    println!("pingpong: cannot spawn the other player: {}", error.description());
                    return 1;
                }
            };
            play("ping", count);
            match runtime::wait(child) {
                Ok(_) => 0,
                Err(_) => 1,
            }
        }
        _ => 2,
    }
}

fn play(word: &str, count: u64) {
    for n in 1..=count {
        println!("{word} {n}");
        runtime::yield_now();
    }
}

/// Two processes yielding to each other `rounds` times each.
fn bench(rounds: u64, role: Option<&str>) -> i32 {
    if role == Some("partner") {
        for _ in 0..rounds {
            runtime::yield_now();
        }
        return 0;
    }
    let mut text = [0u8; 20];
    let rounds_text = decimal(rounds, &mut text);
    let Ok(partner) = runtime::spawn("bin/pingpong", &["bench", rounds_text, "partner"]) else { return 1 };
    // Let the partner start and reach its loop first.
    runtime::yield_now();
    let start = rdtsc();
    for _ in 0..rounds {
        runtime::yield_now();
    }
    let elapsed = rdtsc() - start;
    let _ = runtime::wait(partner);
    // Each round is two switches: to the partner and back.
    println!("bench: yield ping-pong: {} instructions per switch ({rounds} rounds)", elapsed / (2 * rounds));
    0
}

fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    core::str::from_utf8(&buffer[at..]).unwrap_or("0")
}
