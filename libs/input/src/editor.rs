//! The line editor: what a terminal in "cooked mode" does before a program
//! sees a single character.
//!
//! The program (here, the kernel's input loop) asks for a line and gets it
//! only when Enter is pressed, already edited. Until then the editor keeps
//! the line in a fixed buffer and a cursor position in it, and after every
//! key it writes to the terminal exactly the bytes that make the screen
//! match its buffer again.
//!
//! The terminal is assumed to be dumb: it understands printable characters
//! (written at the cursor, which then moves right), `'\u{8}'` (cursor one
//! cell left, erasing nothing) and `'\n'` (next row, first column). The
//! kernel's screen console and any serial terminal agree on those three,
//! so the same bytes can go to both. With so little to work with, every
//! edit is drawn the same way: rewrite the cells that changed from the
//! cursor to the end of the line, blank the one cell the line gave up if
//! it got shorter, and back the cursor up with `'\u{8}'` to where it
//! belongs. Nothing ever moves left of where the line started, so the
//! prompt in front of it is never touched.

use crate::Key;
use core::fmt::Write;

/// Backspace as the terminal understands it: one cell left, nothing erased.
const BS: char = '\u{8}';

/// A line of at most `N` bytes being typed, with a cursor, and the bytes
/// that show each edit on a dumb terminal.
///
/// Only printable ASCII (`' '..='~'`) enters the line: one byte is one
/// character is one cell, which keeps cursor arithmetic trivial. Other
/// characters are refused, as is any character once `N` bytes are typed.
#[derive(Clone, Debug)]
pub struct LineEditor<const N: usize> {
    /// The line; only `buf[..len]` is meaningful. Printable ASCII only.
    buf: [u8; N],
    len: usize,
    /// Where the next character goes, `0..=len`: the cursor sits before
    /// `buf[cursor]`, or after the last character when `cursor == len`.
    cursor: usize,
}

impl<const N: usize> LineEditor<N> {
    /// An empty line with the cursor at its start.
    pub const fn new() -> Self {
        Self { buf: [0; N], len: 0, cursor: 0 }
    }

    /// The line typed so far.
    pub fn line(&self) -> &str {
        as_str(&self.buf[..self.len])
    }

    /// The cursor's position in bytes (equal to characters and cells) from
    /// the start of the line.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The line's length in bytes (equal to characters and cells).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the line is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Applies `key` to the line and writes to `out` what changes on screen.
    ///
    /// Returns the finished line when `key` is [`Key::Enter`]: the whole
    /// line, wherever the cursor was. The editor is then already empty for
    /// the next line ([`line`](Self::line) returns `""`), in step with the
    /// terminal, whose cursor has moved to a new row; the returned `&str`
    /// borrows the editor until it is dropped.
    ///
    /// Keys that change nothing (Backspace at the start, a character that
    /// does not fit, Right at the end) write nothing. Errors from `out` are
    /// ignored: the editor's buffer is the truth, and a console that cannot
    /// show an edit is no reason to lose it.
    pub fn feed(&mut self, key: Key, out: &mut impl Write) -> Option<&str> {
        match key {
            Key::Char(c) => self.insert(c, out),
            Key::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let _ = out.write_char(BS);
                self.remove_at_cursor(out);
            }
            Key::Delete if self.cursor < self.len => self.remove_at_cursor(out),
            Key::Left if self.cursor > 0 => {
                self.cursor -= 1;
                let _ = out.write_char(BS);
            }
            Key::Right if self.cursor < self.len => {
                let _ = out.write_str(as_str(&self.buf[self.cursor..=self.cursor]));
                self.cursor += 1;
            }
            Key::Home => {
                back(out, self.cursor);
                self.cursor = 0;
            }
            Key::End => {
                let _ = out.write_str(self.tail());
                self.cursor = self.len;
            }
            Key::Enter => {
                let _ = out.write_char('\n');
                let len = core::mem::take(&mut self.len);
                self.cursor = 0;
                // The bytes stay in `buf` until the next edit, which the
                // borrow of `self` by the returned `&str` holds off.
                return Some(as_str(&self.buf[..len]));
            }
            // Backspace or Left at the start, Delete or Right at the end.
            Key::Backspace | Key::Delete | Key::Left | Key::Right => {}
        }
        None
    }

    /// Inserts `c` at the cursor if it is printable ASCII and fits.
    fn insert(&mut self, c: char, out: &mut impl Write) {
        if !(' '..='~').contains(&c) || self.len == N {
            return;
        }
        let at = self.cursor;
        self.buf.copy_within(at..self.len, at + 1);
        // `c` is ASCII, checked above, so it fits in one byte unchanged.
        self.buf[at] = c as u8;
        self.len += 1;
        // Redraw from the new character to the end of the line, then go back
        // to just after the new character.
        let _ = out.write_str(as_str(&self.buf[at..self.len]));
        self.cursor = at + 1;
        back(out, self.len - self.cursor);
    }

    /// Removes the character under the cursor (there must be one) and
    /// redraws the rest of the line, shifted one cell left.
    fn remove_at_cursor(&mut self, out: &mut impl Write) {
        self.buf.copy_within(self.cursor + 1..self.len, self.cursor);
        self.len -= 1;
        // The tail, one cell left of where it was, and a blank over the cell
        // that held the last character; then back to the cursor.
        let _ = out.write_str(self.tail());
        let _ = out.write_char(' ');
        back(out, self.len - self.cursor + 1);
    }

    /// The line from the cursor to its end.
    fn tail(&self) -> &str {
        as_str(&self.buf[self.cursor..self.len])
    }
}

impl<const N: usize> Default for LineEditor<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes `cells` backspaces: the cursor moves that far left.
fn back(out: &mut impl Write, cells: usize) {
    for _ in 0..cells {
        let _ = out.write_char(BS);
    }
}

/// The line's bytes as text.
fn as_str(bytes: &[u8]) -> &str {
    // Every byte in the buffer is printable ASCII (`insert` refuses the
    // rest), so this never fails; the fallback only avoids a panic path.
    core::str::from_utf8(bytes).unwrap_or_default()
}
