//! The one vocabulary every input source is translated into.

/// A key press, after decoding, as the line editor understands it.
///
/// Both decoders produce these, so the editor never learns whether a key
/// came from a PS/2 keyboard or from a terminal on the serial port. Keys
/// the editor has no use for (function keys, up and down, Tab, Escape) are
/// not represented: the decoders swallow them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A character to insert at the cursor. The decoders only produce
    /// printable characters here, never control characters.
    Char(char),
    /// Finish the line.
    Enter,
    /// Erase the character before the cursor.
    Backspace,
    /// Erase the character under the cursor.
    Delete,
    /// Move the cursor one character left.
    Left,
    /// Move the cursor one character right.
    Right,
    /// Move the cursor to the start of the line.
    Home,
    /// Move the cursor to the end of the line.
    End,
}
