//! Bytes from a serial terminal to [`Key`]s.
//!
//! A terminal on the other end of the serial line (`screen`, `minicom`,
//! QEMU's `-serial stdio`, a test script) sends what the person types as
//! bytes: printable ASCII as itself, Enter as CR (sometimes CR LF, or a
//! bare LF), Backspace as DEL (0x7f) or BS (0x08) depending on its
//! settings, and keys with no ASCII code as escape sequences defined by
//! ECMA-48 and the VT100: `ESC [ D` for Left, `ESC [ 3 ~` for Delete, or
//! `ESC O H` for Home in the terminal's "application" mode.
//!
//! A control sequence (`ESC [`) is parameter bytes `0x30..=0x3f` (digits
//! and `;`), then intermediate bytes `0x20..=0x2f`, then one final byte
//! `0x40..=0x7e` that names the function. Knowing where every sequence ends,
//! even ones we do not understand, is what lets the decoder skip unknown
//! keys (F5 is `ESC [ 1 5 ~`) without leaking their bytes into the line.

use crate::Key;

const ESC: u8 = 0x1b;

/// At most this many bytes after `ESC [` before the sequence is given up:
/// real keys need five or six, so more means line noise, and giving up
/// keeps a stray `ESC [` from swallowing everything typed after it.
const MAX_SEQUENCE: u8 = 16;

/// Where the decoder is inside a possible escape sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Plain text.
    Ground,
    /// After `ESC`.
    Escape,
    /// After `ESC [`, inside a control sequence.
    Csi {
        /// The first numeric parameter, as far as read (`3` in `ESC [ 3 ~`).
        first: Option<u16>,
        /// A `;` was seen: digits now belong to later parameters, which only
        /// carry modifiers (`ESC [ 1 ; 5 C` is Ctrl+Right) and are ignored.
        past_first: bool,
        /// A private marker (`<=>?`, `:`) or an intermediate byte was seen:
        /// not a key we know, so the final byte is ignored.
        unknown: bool,
        /// Bytes read since `ESC [`.
        len: u8,
    },
    /// After `ESC O` (SS3): one more byte names the key.
    Ss3,
}

/// Turns bytes from a serial terminal, one at a time, into [`Key`]s.
#[derive(Debug)]
pub struct SerialDecoder {
    state: State,
    /// The previous byte was CR, so an LF now is the second half of CR LF.
    after_cr: bool,
}

impl SerialDecoder {
    /// A decoder in plain-text state.
    pub const fn new() -> Self {
        Self { state: State::Ground, after_cr: false }
    }

    /// Feeds one byte received on the serial port.
    ///
    /// Returns the key it completes, if any. Bytes inside escape sequences,
    /// unknown sequences, non-printable bytes and anything that is not ASCII
    /// give `None`. A byte that cannot belong to the sequence in progress
    /// (a control character, or anything but `[` or `O` after `ESC`) ends
    /// that sequence, which is dropped, and is then decoded on its own.
    pub fn feed(&mut self, byte: u8) -> Option<Key> {
        let after_cr = core::mem::replace(&mut self.after_cr, false);
        match self.state {
            State::Ground => self.ground(byte, after_cr),
            State::Escape => match byte {
                b'[' => {
                    self.state = State::Csi { first: None, past_first: false, unknown: false, len: 0 };
                    None
                }
                b'O' => {
                    self.state = State::Ss3;
                    None
                }
                // A lone ESC (the Escape key, or Alt as a prefix): drop it
                // and keep the byte after it.
                _ => self.abandon(byte),
            },
            State::Ss3 => match byte {
                0x40..=0x7e => {
                    self.state = State::Ground;
                    match byte {
                        b'C' => Some(Key::Right),
                        b'D' => Some(Key::Left),
                        b'H' => Some(Key::Home),
                        b'F' => Some(Key::End),
                        // Up, Down, F1 to F4 and the keypad in
                        // application mode: nothing for the line editor.
                        _ => None,
                    }
                }
                _ => self.abandon(byte),
            },
            State::Csi { first, past_first, unknown, len } => {
                if len >= MAX_SEQUENCE {
                    return self.abandon(byte);
                }
                let len = len + 1;
                match byte {
                    b'0'..=b'9' => {
                        let first = if past_first {
                            first
                        } else {
                            let digit = u16::from(byte - b'0');
                            Some(first.unwrap_or(0).saturating_mul(10).saturating_add(digit))
                        };
                        self.state = State::Csi { first, past_first, unknown, len };
                        None
                    }
                    b';' => {
                        self.state = State::Csi { first, past_first: true, unknown, len };
                        None
                    }
                    // Other parameter bytes (`:<=>?`) and intermediate bytes.
                    0x20..=0x3f => {
                        self.state = State::Csi { first, past_first, unknown: true, len };
                        None
                    }
                    0x40..=0x7e => {
                        self.state = State::Ground;
                        if unknown { None } else { csi_key(byte, first) }
                    }
                    _ => self.abandon(byte),
                }
            }
        }
    }

    /// Drops the escape sequence in progress and decodes `byte` as plain
    /// text, so that a broken sequence costs only its own bytes.
    fn abandon(&mut self, byte: u8) -> Option<Key> {
        self.state = State::Ground;
        self.ground(byte, false)
    }

    /// Decodes a byte outside any escape sequence.
    fn ground(&mut self, byte: u8, after_cr: bool) -> Option<Key> {
        match byte {
            ESC => {
                self.state = State::Escape;
                None
            }
            b'\r' => {
                self.after_cr = true;
                Some(Key::Enter)
            }
            // LF straight after CR completes CR LF: one Enter, already given.
            b'\n' if after_cr => None,
            b'\n' => Some(Key::Enter),
            0x7f | 0x08 => Some(Key::Backspace),
            0x20..=0x7e => Some(Key::Char(char::from(byte))),
            _ => None,
        }
    }
}

impl Default for SerialDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// The key a complete `ESC [ <first> ... <final>` sequence stands for.
fn csi_key(final_byte: u8, first: Option<u16>) -> Option<Key> {
    match final_byte {
        b'C' => Some(Key::Right),
        b'D' => Some(Key::Left),
        b'H' => Some(Key::Home),
        b'F' => Some(Key::End),
        // The VT220 editing keys: `ESC [ n ~`. Terminals disagree on Home
        // and End (1 and 4 for xterm's VT220 mode, 7 and 8 for rxvt).
        b'~' => match first? {
            1 | 7 => Some(Key::Home),
            4 | 8 => Some(Key::End),
            3 => Some(Key::Delete),
            // 2 Insert, 5 and 6 Page Up and Down, 11 and above F keys.
            _ => None,
        },
        // `A` and `B` (Up and Down) and everything else.
        _ => None,
    }
}
