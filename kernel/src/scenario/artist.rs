//! Rank II scenarios: pictures and text for the screen checks.

use core::fmt;

use text::Rgb;

use crate::arch::cpu;
use crate::{display, kprint, kprintln, serial};

/// Clears to #123456, fills a 200×100 rectangle at (100, 50) with
/// #ffcc00, then lights the four corner pixels. Serial-only report, so no
/// text lands on the picture.
pub fn canvas() {
    let drawn = display::with_console(|console| {
        let canvas = console.canvas();
        let (right, bottom) = (canvas.width() - 1, canvas.height() - 1);
        canvas.clear(Rgb(0x12, 0x34, 0x56));
        canvas.fill_rect(100, 50, 200, 100, Rgb(0xff, 0xcc, 0x00));
        canvas.put(0, 0, Rgb(0xff, 0, 0));
        canvas.put(right, 0, Rgb(0, 0xff, 0));
        canvas.put(0, bottom, Rgb(0, 0, 0xff));
        canvas.put(right, bottom, Rgb::WHITE);
    });
    match drawn {
        Some(()) => serial::write_fmt(format_args!("canvas: ready\n")),
        None => serial::write_fmt(format_args!("canvas: no screen to draw on\n")),
    }
}

/// Formatting through `kprintln!`, on screen and serial alike.
pub fn format() {
    kprintln!("hex {:#x} {:#010x} bin {:08b}", 48879, 255, 5);
    kprintln!("pad [{:>8}] [{:<6}]", 42, 7);
    kprintln!("min {} max {}", i64::MIN, u64::MAX);
}

/// Five hundred numbered lines, then the cost of one more full-screen
/// scroll (serial only, so the screen keeps `line 0500` on its last row).
pub fn scroll() {
    for line in 1..=500 {
        kprintln!("line {line:04}");
    }
    let cycles = display::with_console(|console| {
        let start = cpu::timestamp();
        console.scroll();
        cpu::timestamp() - start
    });
    match cycles {
        Some(cycles) => serial::write_fmt(format_args!("console: one full-screen scroll took {cycles} TSC cycles\n")),
        None => serial::write_fmt(format_args!("console: no screen\n")),
    }
}

/// One word in each ANSI foreground colour, and one on a blue background.
pub fn colours() {
    const WORDS: [(u8, &str); 15] = [
        (31, "red"),
        (32, "green"),
        (33, "brown"),
        (34, "blue"),
        (35, "magenta"),
        (36, "cyan"),
        (37, "grey"),
        (90, "darkgrey"),
        (91, "pink"),
        (92, "lime"),
        (93, "yellow"),
        (94, "azure"),
        (95, "violet"),
        (96, "aqua"),
        (97, "white"),
    ];
    kprint!("colours:");
    for (code, word) in WORDS {
        kprint!(" \x1b[{code}m{word}\x1b[0m");
    }
    kprintln!();
    kprintln!("background: \x1b[97;44mon-blue\x1b[0m done");
}

/// Tab, carriage return, and a line longer than the screen is wide.
pub fn control() {
    kprint!("a\tb\n");
    kprint!("abc\rX\n");
    kprint!("long:");
    for index in 0..30 {
        kprint!("{:04}", index);
    }
    kprintln!(" end");
}

/// Panics from inside a `Display` implementation, while `kprintln!` holds
/// the console's lock with half a line drawn.
pub fn panic_in_print() {
    struct Bomb;
    impl fmt::Display for Bomb {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("half a line, then ")?;
            panic!("a Display implementation panicked mid-print");
        }
    }
    kprintln!("about to print a bomb: {}", Bomb);
}

/// What the console costs, for the Rank II chapter: one scroll by moving
/// pixels (averaged over 50), one full repaint from the cell grid
/// (averaged over 10), and 10,000 printed lines. TSC cycles: CPU cycles on
/// hardware, instructions × 2^shift under QEMU's `-icount`.
pub fn console_bench() {
    // The yardstick first: 2,000,001 instructions exactly.
    let start = cpu::timestamp();
    cpu::spin_exactly(1_000_000);
    let yardstick = cpu::timestamp() - start;
    let costs = display::with_console(|console| {
        let start = cpu::timestamp();
        for _ in 0..50 {
            console.scroll();
        }
        let scroll = (cpu::timestamp() - start) / 50;
        let start = cpu::timestamp();
        for _ in 0..10 {
            console.redraw();
        }
        (scroll, (cpu::timestamp() - start) / 10)
    });
    let Some((scroll, redraw)) = costs else {
        serial::write_fmt(format_args!("console: no screen\n"));
        return;
    };
    let start = cpu::timestamp();
    for line in 0..10_000 {
        kprintln!("bench line {line:05} the quick brown fox jumps over the lazy dog");
    }
    let lines = cpu::timestamp() - start;
    serial::write_fmt(format_args!(
        "console-bench: 2000001 instructions {yardstick} cycles, scroll {scroll} cycles, full redraw {redraw} cycles, \
         10000 lines {lines} cycles\n"
    ));
}
