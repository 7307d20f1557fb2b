//! A heartbeat in the top-right corner: the uptime, redrawn every second
//! from the timer interrupt, so a glance shows the kernel is alive.
//!
//! It is painted straight onto the canvas over the last 12 cells of the
//! top row, outside the console's text grid and cursor (a scroll carries it
//! away until the next beat). The interrupt only *tries* the console's
//! lock, so it can never deadlock on a lock its own CPU holds. Today that
//! cannot happen — printing holds the lock with interrupts off, so a tick
//! waits for the print to end — but a handler must not rely on it.

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

/// A fixed buffer to format into without a heap, padded with spaces.
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
