//! A small ANSI escape parser: enough SGR ("select graphic rendition",
//! `ESC [ n ; n m`) for coloured log levels, and the discipline to swallow
//! every other escape sequence rather than paint it.
//!
//! ECMA-48 calls `ESC [` the Control Sequence Introducer; parameters are
//! decimal numbers separated by `;`, and one byte in 0x40–0x7e ends the
//! sequence. We act on `m` and on `2J` (erase the whole screen, what a
//! shell's `clear` sends) and ignore the rest.

/// What one input byte means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Draw this byte (or act on it if it is a control character).
    Byte(u8),
    /// Apply these SGR parameters (`count` of them).
    Sgr { params: [u16; MAX_PARAMS], count: usize },
    /// `ESC [ 2 J`: erase the whole screen (the console also homes the
    /// cursor, which is what `clear` wants).
    ClearScreen,
    /// Part of an escape sequence: nothing to do yet.
    Nothing,
}

const MAX_PARAMS: usize = 8;
const ESC: u8 = 0x1b;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum State {
    #[default]
    Ground,
    Escape,
    Csi,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Parser {
    state: State,
    params: [u16; MAX_PARAMS],
    count: usize,
}

impl Parser {
    pub fn feed(&mut self, byte: u8) -> Action {
        match self.state {
            State::Ground if byte == ESC => {
                self.state = State::Escape;
                Action::Nothing
            }
            State::Ground => Action::Byte(byte),
            State::Escape if byte == b'[' => {
                self.state = State::Csi;
                self.params = [0; MAX_PARAMS];
                self.count = 0;
                Action::Nothing
            }
            // A two-byte escape (`ESC c` …): swallow it.
            State::Escape => {
                self.state = State::Ground;
                Action::Nothing
            }
            State::Csi => self.csi(byte),
        }
    }

    fn csi(&mut self, byte: u8) -> Action {
        match byte {
            b'0'..=b'9' => {
                // `count` is how many parameters have begun; digits extend
                // the last one.
                self.count = self.count.max(1);
                let slot = self.count - 1;
                self.params[slot] = self.params[slot].saturating_mul(10).saturating_add(u16::from(byte - b'0'));
                Action::Nothing
            }
            b';' => {
                // `ESC[;5m` has an empty first parameter, which means 0.
                self.count = (self.count.max(1) + 1).min(MAX_PARAMS);
                Action::Nothing
            }
            0x40..=0x7e => {
                self.state = State::Ground;
                match byte {
                    // `ESC[m` with no parameter is a reset, like `ESC[0m`.
                    b'm' => Action::Sgr { params: self.params, count: self.count.max(1) },
                    b'J' if self.count == 1 && self.params[0] == 2 => Action::ClearScreen,
                    _ => Action::Nothing,
                }
            }
            // Intermediate and private bytes (`?`, `=`, space…): keep going.
            0x20..=0x3f => Action::Nothing,
            // Anything else cannot be part of a sequence: abandon it.
            _ => {
                self.state = State::Ground;
                Action::Byte(byte)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erase_display_2_clears_and_other_erases_are_swallowed() {
        assert_eq!(actions(b"\x1b[2J"), vec![Action::ClearScreen]);
        assert_eq!(actions(b"\x1b[J\x1b[1J\x1b[H"), vec![]);
        assert_eq!(actions(b"a\x1b[2Jb"), vec![Action::Byte(b'a'), Action::ClearScreen, Action::Byte(b'b')]);
    }

    fn actions(input: &[u8]) -> Vec<Action> {
        let mut parser = Parser::default();
        input.iter().map(|&b| parser.feed(b)).filter(|a| *a != Action::Nothing).collect()
    }

    fn sgr(values: &[u16]) -> Action {
        let mut params = [0; MAX_PARAMS];
        params[..values.len()].copy_from_slice(values);
        Action::Sgr { params, count: values.len() }
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(actions(b"hi\n"), vec![Action::Byte(b'h'), Action::Byte(b'i'), Action::Byte(b'\n')]);
    }

    #[test]
    fn parses_colour_codes_with_several_parameters() {
        assert_eq!(actions(b"\x1b[1;31mX"), vec![sgr(&[1, 31]), Action::Byte(b'X')]);
        assert_eq!(actions(b"\x1b[m"), vec![sgr(&[0])]);
        assert_eq!(actions(b"\x1b[;44m"), vec![sgr(&[0, 44])]);
    }

    #[test]
    fn swallows_sequences_it_does_not_understand() {
        // Erase above, cursor home and a private mode: none is drawn.
        assert_eq!(actions(b"\x1b[1J\x1b[01;01H\x1b[=3hok"), vec![Action::Byte(b'o'), Action::Byte(b'k')]);
        assert_eq!(actions(b"\x1bcA"), vec![Action::Byte(b'A')]);
    }

    #[test]
    fn too_many_parameters_do_not_overflow() {
        let mut input = b"\x1b[".to_vec();
        for _ in 0..20 {
            input.extend_from_slice(b"99999;");
        }
        input.push(b'm');
        assert_eq!(actions(&input).len(), 1);
    }
}
