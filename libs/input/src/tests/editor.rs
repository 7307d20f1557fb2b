//! The line editor, replayed on the test [`Terminal`]: after every key the
//! row on screen must read prompt, line, blanks, with the terminal's cursor
//! where the editor says its cursor is.

use crate::tests::{PROMPT, Terminal, XorShift};
use crate::{Key, LineEditor};

/// An editor and the terminal showing its output.
struct Session<const N: usize> {
    editor: LineEditor<N>,
    terminal: Terminal,
}

impl<const N: usize> Session<N> {
    fn new() -> Self {
        // One spare cell: the blank written after a shortened line can land
        // one past the longest line, never further.
        Self { editor: LineEditor::new(), terminal: Terminal::new(PROMPT.len() + N + 1) }
    }

    /// Feeds one key, checks the screen, and returns the finished line, if
    /// any, with the bytes written for the key.
    fn press(&mut self, key: Key) -> (Option<String>, String) {
        let line = self.editor.feed(key, &mut self.terminal).map(str::to_owned);
        let output = self.terminal.take_output();
        if let Some(line) = &line {
            assert_eq!(key, Key::Enter);
            assert_eq!(output, "\n");
            let shown = self.terminal.history.last().expect("Enter starts a new row");
            assert_eq!(*shown, format!("{PROMPT}{line:<width$}", width = N + 1), "the finished row");
            self.terminal.prompt();
        }
        self.check(key);
        (line, output)
    }

    /// Presses every key in turn.
    fn keys(&mut self, keys: impl IntoIterator<Item = Key>) -> Option<String> {
        let mut finished = None;
        for key in keys {
            finished = self.press(key).0.or(finished);
        }
        finished
    }

    fn type_text(&mut self, text: &str) {
        self.keys(text.chars().map(Key::Char));
    }

    /// The screen and the editor agree.
    fn check(&self, after: Key) {
        let line = self.editor.line();
        assert_eq!(self.editor.len(), line.len());
        assert!(self.editor.cursor() <= line.len());
        assert_eq!(self.terminal.after_prompt(), format!("{line:<width$}", width = N + 1), "row after {after:?}");
        assert!(self.terminal.row().starts_with(PROMPT), "the prompt was overwritten after {after:?}");
        assert_eq!(self.terminal.cursor(), self.editor.cursor(), "cursor after {after:?} in {line:?}");
    }
}

fn repeat(key: Key, times: usize) -> impl Iterator<Item = Key> {
    std::iter::repeat_n(key, times)
}

#[test]
fn typing_at_the_end_echoes_each_char() {
    let mut s = Session::<32>::new();
    for c in "hello".chars() {
        assert_eq!(s.press(Key::Char(c)), (None, c.to_string()));
    }
    assert_eq!(s.editor.line(), "hello");
    assert_eq!(s.editor.cursor(), 5);
}

/// Quest 040: `hllo`, Left three times, `e`, End, Enter gives `hello`.
#[test]
fn hllo_left_three_e_end_enter_gives_hello() {
    let mut s = Session::<32>::new();
    s.type_text("hllo");
    s.keys(repeat(Key::Left, 3));
    assert_eq!(s.editor.cursor(), 1);
    assert_eq!(s.press(Key::Char('e')), (None, "ello\u{8}\u{8}\u{8}".to_owned()));
    assert_eq!(s.editor.cursor(), 2);
    assert_eq!(s.press(Key::End), (None, "llo".to_owned()));
    assert_eq!(s.press(Key::Enter), (Some("hello".to_owned()), "\n".to_owned()));
    assert_eq!(s.terminal.history, [format!("{PROMPT}hello{}", " ".repeat(28))]);
    assert_eq!(s.editor.line(), "");
    assert_eq!(s.editor.cursor(), 0);
}

/// Quest 039: the edit arrives as backspace, space, backspace.
#[test]
fn backspace_at_the_end_writes_bs_space_bs() {
    let mut s = Session::<32>::new();
    s.type_text("abc");
    let (_, output) = s.press(Key::Backspace);
    assert_eq!(output.as_bytes(), b"\x08 \x08");
    assert_eq!(s.editor.line(), "ab");
    // The next key lands where `c` was.
    assert_eq!(s.press(Key::Char('x')).1, "x");
    assert_eq!(s.editor.line(), "abx");
}

#[test]
fn extra_backspaces_at_the_start_write_nothing() {
    let mut s = Session::<32>::new();
    s.type_text("ab");
    s.keys(repeat(Key::Backspace, 2));
    for _ in 0..5 {
        assert_eq!(s.press(Key::Backspace), (None, String::new()));
    }
    assert_eq!(s.terminal.row().trim_end(), PROMPT.trim_end());
    // Also mid-line edits at column 0 never reach into the prompt.
    s.type_text("xy");
    s.press(Key::Home);
    assert_eq!(s.press(Key::Backspace), (None, String::new()));
    assert_eq!(s.press(Key::Left), (None, String::new()));
    assert_eq!(s.editor.line(), "xy");
}

#[test]
fn backspace_mid_line_closes_the_gap() {
    let mut s = Session::<32>::new();
    s.type_text("abcd");
    s.keys(repeat(Key::Left, 2));
    let (_, output) = s.press(Key::Backspace);
    assert_eq!(output, "\u{8}cd \u{8}\u{8}\u{8}");
    assert_eq!(s.editor.line(), "acd");
    assert_eq!(s.editor.cursor(), 1);
}

#[test]
fn delete_removes_the_char_under_the_cursor() {
    let mut s = Session::<32>::new();
    s.type_text("abcd");
    s.press(Key::Home);
    assert_eq!(s.press(Key::Delete).1, "bcd \u{8}\u{8}\u{8}\u{8}");
    assert_eq!(s.editor.line(), "bcd");
    assert_eq!(s.editor.cursor(), 0);
    s.press(Key::End);
    assert_eq!(s.press(Key::Delete), (None, String::new()), "nothing under the cursor at the end");
    s.press(Key::Left);
    assert_eq!(s.press(Key::Delete).1, " \u{8}");
    assert_eq!(s.editor.line(), "bc");
}

#[test]
fn cursor_movement_writes() {
    let mut s = Session::<32>::new();
    s.type_text("abcd");
    assert_eq!(s.press(Key::Right).1, "", "right at the end");
    assert_eq!(s.press(Key::Left).1, "\u{8}");
    assert_eq!(s.press(Key::Home).1, "\u{8}\u{8}\u{8}");
    assert_eq!(s.press(Key::Home).1, "", "home at the start");
    assert_eq!(s.press(Key::Right).1, "a");
    assert_eq!(s.press(Key::End).1, "bcd");
    assert_eq!(s.press(Key::End).1, "", "end at the end");
}

#[test]
fn enter_returns_the_whole_line_wherever_the_cursor_is() {
    let mut s = Session::<32>::new();
    s.type_text("abc");
    s.keys(repeat(Key::Left, 2));
    assert_eq!(s.press(Key::Enter).0.as_deref(), Some("abc"));
    // The next line starts empty.
    s.type_text("de");
    assert_eq!(s.press(Key::Enter).0.as_deref(), Some("de"));
    assert_eq!(s.press(Key::Enter).0.as_deref(), Some(""), "an empty line is a line");
    assert_eq!(s.terminal.history.len(), 3);
}

#[test]
fn a_full_buffer_refuses_chars_and_writes_nothing() {
    let mut s = Session::<4>::new();
    s.type_text("abcd");
    assert_eq!(s.press(Key::Char('e')), (None, String::new()));
    s.press(Key::Home);
    assert_eq!(s.press(Key::Char('z')), (None, String::new()), "no insert mid-line either");
    assert_eq!(s.editor.line(), "abcd");
    s.press(Key::Delete);
    s.press(Key::Char('z'));
    assert_eq!(s.editor.line(), "zbcd");
    assert_eq!(s.editor.cursor(), 1);
    s.press(Key::End);
    s.press(Key::Backspace);
    s.press(Key::Char('!'));
    assert_eq!(s.keys([Key::Enter]).as_deref(), Some("zbc!"));
}

#[test]
fn capacity_zero_accepts_nothing_but_enter() {
    let mut s = Session::<0>::new();
    for key in [Key::Char('a'), Key::Backspace, Key::Delete, Key::Left, Key::Right, Key::Home, Key::End] {
        assert_eq!(s.press(key), (None, String::new()), "{key:?}");
    }
    assert_eq!(s.press(Key::Enter).0.as_deref(), Some(""));
}

#[test]
fn capacity_one() {
    let mut s = Session::<1>::new();
    s.type_text("ab");
    assert_eq!(s.editor.line(), "a");
    s.press(Key::Left);
    s.press(Key::Delete);
    s.type_text("cd");
    assert_eq!(s.press(Key::Enter).0.as_deref(), Some("c"));
}

#[test]
fn non_ascii_and_control_chars_are_refused() {
    let mut s = Session::<8>::new();
    for c in ['é', '→', '\t', '\u{7}', '\u{8}', '\u{7f}', '\n'] {
        assert_eq!(s.press(Key::Char(c)), (None, String::new()), "{c:?}");
    }
    assert_eq!(s.editor.line(), "");
}

#[test]
fn spaces_inside_the_line_are_kept() {
    let mut s = Session::<16>::new();
    s.type_text("a  b ");
    s.keys(repeat(Key::Left, 3));
    s.press(Key::Backspace);
    assert_eq!(s.keys([Key::Enter]).as_deref(), Some("a b "));
}

/// A model of the editing rules on a `Vec`, written independently of the
/// editor, to check what the line holds (the terminal checks what it shows).
struct Model {
    line: Vec<u8>,
    cursor: usize,
    capacity: usize,
}

impl Model {
    fn apply(&mut self, key: Key) -> Option<String> {
        match key {
            Key::Char(c) if c.is_ascii() && !c.is_ascii_control() && self.line.len() < self.capacity => {
                self.line.insert(self.cursor, c as u8);
                self.cursor += 1;
            }
            Key::Char(_) => {}
            Key::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.line.remove(self.cursor);
            }
            Key::Delete if self.cursor < self.line.len() => {
                self.line.remove(self.cursor);
            }
            Key::Left => self.cursor = self.cursor.saturating_sub(1),
            Key::Right => self.cursor = (self.cursor + 1).min(self.line.len()),
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = self.line.len(),
            Key::Enter => {
                self.cursor = 0;
                return Some(String::from_utf8(std::mem::take(&mut self.line)).unwrap());
            }
            Key::Backspace | Key::Delete => {}
        }
        None
    }
}

fn random_key(rng: &mut XorShift) -> Key {
    match rng.below(100) {
        0..=44 => Key::Char(char::from(b' ' + rng.below(95) as u8)),
        45..=47 => Key::Char(['é', '\t', '\u{0}', 'ß'][rng.below(4)]),
        48..=59 => Key::Backspace,
        60..=67 => Key::Delete,
        68..=77 => Key::Left,
        78..=85 => Key::Right,
        86..=90 => Key::Home,
        91..=96 => Key::End,
        _ => Key::Enter,
    }
}

/// Thousands of random key sequences, checked against the model and the
/// terminal after every key.
fn random_sequences<const N: usize>(seed: u64, sequences: usize) {
    let mut rng = XorShift::new(seed);
    for _ in 0..sequences {
        let mut s = Session::<N>::new();
        let mut model = Model { line: Vec::new(), cursor: 0, capacity: N };
        for _ in 0..rng.below(80) {
            let key = random_key(&mut rng);
            let expected = model.apply(key);
            let (finished, _) = s.press(key);
            assert_eq!(finished, expected, "Enter with N = {N}");
            assert_eq!(s.editor.line().as_bytes(), model.line, "line after {key:?} with N = {N}");
            assert_eq!(s.editor.cursor(), model.cursor, "cursor after {key:?} with N = {N}");
        }
    }
}

#[test]
fn random_sequences_keep_screen_and_line_in_step() {
    random_sequences::<0>(0x1111, 300);
    random_sequences::<1>(0x2222, 1_000);
    random_sequences::<3>(0x3333, 2_000);
    random_sequences::<8>(0x4444, 3_000);
    random_sequences::<40>(0x5555, 3_000);
}
