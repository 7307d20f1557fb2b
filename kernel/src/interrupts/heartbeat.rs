//! A heartbeat in the top-right corner: the uptime, redrawn every second
//! from the timer interrupt, so a glance shows the kernel is alive.
//!
//! It is painted straight onto the canvas, outside the console's text
//! grid and cursor. The interrupt only *tries* the console's lock: if the
//! interrupted code is in the middle of printing, this second's beat is
//! skipped rather than deadlocking on a lock its own CPU holds.

use core::fmt::Write;

use text::Rgb;

use crate::display;

/// Width of the status area, in cells.
const WIDTH: usize = 12;

pub fn draw(seconds: u64) {
    let mut line = Line { bytes: [b' '; WIDTH], length: 0 };
    let _ = write!(line, "up {seconds}s");
    display::try_with_console(|console| {
        let column = console.columns().saturating_sub(WIDTH);
        console.paint_text_at(column, 0, &line.bytes, Rgb(0x00, 0x00, 0x00), Rgb(0x55, 0xff, 0x55));
    });
}

/// A fixed buffer to format into without a heap, right-aligned on use.
struct Line {
    bytes: [u8; WIDTH],
    length: usize,
}

impl Write for Line {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        for byte in text.bytes() {
            if self.length == WIDTH {
                return Err(core::fmt::Error);
            }
            self.bytes[self.length] = byte;
            self.length += 1;
        }
        Ok(())
    }
}
