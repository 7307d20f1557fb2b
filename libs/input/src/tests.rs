//! Fixtures for the tests: a pseudo-random generator and a tiny terminal.
//!
//! The [`Terminal`] is the contract the line editor writes against, and
//! nothing more: one row of cells and a cursor column, where a printable
//! character fills the cell under the cursor and moves right, `'\u{8}'`
//! moves left without erasing, and `'\n'` starts a new row. It panics on
//! anything else, on moving left into the prompt, and on writing past its
//! width, so every test that replays the editor's output checks those
//! rules too.

mod editor;
mod keyboard;
mod ring;
mod serial;

use std::fmt;

/// The project's xorshift64 (`libs/heap`): a fixed seed gives the same
/// sequence on every run, so a failing random test fails again the same way.
pub use heap::XorShift64 as XorShift;

/// The prompt the terminal shows at the start of every row.
pub const PROMPT: &str = "> ";

/// A dumb terminal: the current row, finished rows, and what was written
/// since the last [`Terminal::take_output`].
pub struct Terminal {
    width: usize,
    row: Vec<char>,
    col: usize,
    /// The first column the editor owns: left of it is the prompt.
    floor: usize,
    pub history: Vec<String>,
    output: String,
}

impl Terminal {
    /// A terminal `width` cells wide, showing the prompt.
    pub fn new(width: usize) -> Self {
        let mut terminal =
            Self { width, row: vec![' '; width], col: 0, floor: 0, history: Vec::new(), output: String::new() };
        terminal.prompt();
        terminal
    }

    /// Prints the prompt, as the kernel does at the start of every line.
    pub fn prompt(&mut self) {
        for c in PROMPT.chars() {
            self.put(c);
        }
        self.floor = self.col;
        self.output.clear();
    }

    /// The text of the current row after the prompt, blanks included.
    pub fn after_prompt(&self) -> String {
        self.row[self.floor..].iter().collect()
    }

    /// The text of the current row, blanks included.
    pub fn row(&self) -> String {
        self.row.iter().collect()
    }

    /// The cursor's column counted from the end of the prompt.
    pub fn cursor(&self) -> usize {
        self.col - self.floor
    }

    /// Everything written since the last call.
    pub fn take_output(&mut self) -> String {
        std::mem::take(&mut self.output)
    }

    fn put(&mut self, c: char) {
        match c {
            '\u{8}' => {
                assert!(self.col > self.floor, "backspace into the prompt at column {}", self.col);
                self.col -= 1;
            }
            '\n' => {
                let row = std::mem::replace(&mut self.row, vec![' '; self.width]);
                self.history.push(row.into_iter().collect());
                self.col = 0;
                self.floor = 0;
            }
            ' '..='~' => {
                assert!(self.col < self.width, "write past the right edge");
                self.row[self.col] = c;
                self.col += 1;
            }
            _ => panic!("the terminal does not understand {c:?}"),
        }
    }
}

impl fmt::Write for Terminal {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            self.put(c);
        }
        self.output.push_str(s);
        Ok(())
    }
}
