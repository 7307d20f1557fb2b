//! PS/2 scancodes to [`Key`]s.
//!
//! A keyboard reports key positions, not letters: pressing `A` sends make
//! code `0x1E`, releasing it sends break code `0x9E` (make + 0x80), and
//! whether that was `a` or `A` depends on shift and caps lock, which are
//! keys of their own. Keys added after the original PC keyboard (arrows,
//! Home, End, Delete) are prefixed with `0xE0`. The keyboard itself speaks
//! scancode set 2, but the 8042 controller translates it to set 1 by
//! default, so set 1 is what the kernel reads from port 0x60.
//!
//! The `pc-keyboard` crate already holds the set 1 tables, the `0xE0` state
//! machine, the modifier state and the US layout; this wrapper only picks
//! those options and narrows its rich output down to what the line editor
//! needs.

use crate::Key;
use pc_keyboard::layouts::Us104Key;
use pc_keyboard::{DecodedKey, HandleControl, KeyCode, PS2Keyboard, ScancodeSet1};

/// Turns scancode set 1 bytes, one at a time, into [`Key`]s (US layout).
///
/// It remembers what it needs between bytes: a pending `0xE0` prefix and
/// the state of shift, caps lock and the other modifiers.
pub struct KeyboardDecoder {
    keyboard: PS2Keyboard<Us104Key, ScancodeSet1>,
}

impl KeyboardDecoder {
    /// A decoder with no keys held and caps lock off. Ctrl is passed through
    /// as a plain modifier: Ctrl+C gives `c`, not U+0003.
    pub const fn new() -> Self {
        Self { keyboard: PS2Keyboard::new(ScancodeSet1::new(), Us104Key, HandleControl::Ignore) }
    }

    /// Feeds one byte read from the keyboard's data port.
    ///
    /// Returns the key it completes, if any. Prefix bytes, releases,
    /// modifier keys, unknown scancodes and keys the editor does not use
    /// (function keys, Escape, Tab, up and down) all give `None`.
    pub fn feed(&mut self, scancode: u8) -> Option<Key> {
        // An unknown scancode is an error for `pc-keyboard`; for us it is a
        // key we ignore. The decoder is back in its start state either way.
        let event = self.keyboard.add_byte(scancode).ok()??;
        match self.keyboard.process_keyevent(event)? {
            DecodedKey::Unicode('\n' | '\r') => Some(Key::Enter),
            DecodedKey::Unicode('\u{8}') => Some(Key::Backspace),
            DecodedKey::Unicode('\u{7f}') => Some(Key::Delete),
            DecodedKey::Unicode(c) if c.is_control() => None,
            DecodedKey::Unicode(c) => Some(Key::Char(c)),
            DecodedKey::RawKey(code) => match code {
                KeyCode::ArrowLeft => Some(Key::Left),
                KeyCode::ArrowRight => Some(Key::Right),
                KeyCode::Home => Some(Key::Home),
                KeyCode::End => Some(Key::End),
                KeyCode::Delete => Some(Key::Delete),
                _ => None,
            },
        }
    }
}

impl Default for KeyboardDecoder {
    fn default() -> Self {
        Self::new()
    }
}
