//! The serial decoder, fed what terminals really send.

use crate::{Key, SerialDecoder};

/// Feeds `bytes` to a fresh decoder and collects the keys it gives.
fn keys(bytes: &[u8]) -> Vec<Key> {
    let mut decoder = SerialDecoder::new();
    bytes.iter().filter_map(|&b| decoder.feed(b)).collect()
}

fn chars(text: &str) -> Vec<Key> {
    text.chars().map(Key::Char).collect()
}

#[test]
fn printable_ascii_is_itself() {
    for byte in 0x20..=0x7e_u8 {
        assert_eq!(keys(&[byte]), [Key::Char(char::from(byte))], "byte {byte:#04x}");
    }
}

#[test]
fn a_typed_line_ends_with_cr() {
    let mut expected = chars("serial");
    expected.push(Key::Enter);
    assert_eq!(keys(b"serial\r"), expected);
}

#[test]
fn cr_lf_and_crlf_are_each_one_enter() {
    assert_eq!(keys(b"\r"), [Key::Enter]);
    assert_eq!(keys(b"\n"), [Key::Enter]);
    assert_eq!(keys(b"\r\n"), [Key::Enter]);
    assert_eq!(keys(b"a\r\nb"), [Key::Char('a'), Key::Enter, Key::Char('b')]);
    // Only an LF directly after a CR is swallowed.
    assert_eq!(keys(b"\n\n"), [Key::Enter, Key::Enter]);
    assert_eq!(keys(b"\r\r\n"), [Key::Enter, Key::Enter]);
    assert_eq!(keys(b"\n\r"), [Key::Enter, Key::Enter]);
    assert_eq!(keys(b"\rx\n"), [Key::Enter, Key::Char('x'), Key::Enter]);
    assert_eq!(keys(b"\r\x1b[C\n"), [Key::Enter, Key::Right, Key::Enter]);
}

#[test]
fn del_and_bs_are_backspace() {
    assert_eq!(keys(&[0x7f]), [Key::Backspace]);
    assert_eq!(keys(&[0x08]), [Key::Backspace]);
}

#[test]
fn other_bytes_give_nothing() {
    // NUL, Tab, Ctrl+C, and the two bytes of a UTF-8 'é'.
    assert_eq!(keys(&[0x00, b'\t', 0x03, 0xc3, 0xa9, 0xff]), []);
}

#[test]
fn csi_arrows() {
    assert_eq!(keys(b"\x1b[C"), [Key::Right]);
    assert_eq!(keys(b"\x1b[D"), [Key::Left]);
    assert_eq!(keys(b"\x1b[A\x1b[B"), [], "up and down are ignored");
}

#[test]
fn home_and_end_in_every_dialect() {
    for home in [&b"\x1b[H"[..], b"\x1bOH", b"\x1b[1~", b"\x1b[7~"] {
        assert_eq!(keys(home), [Key::Home], "{home:02x?}");
    }
    for end in [&b"\x1b[F"[..], b"\x1bOF", b"\x1b[4~", b"\x1b[8~"] {
        assert_eq!(keys(end), [Key::End], "{end:02x?}");
    }
}

#[test]
fn csi_3_tilde_is_delete() {
    assert_eq!(keys(b"\x1b[3~"), [Key::Delete]);
}

#[test]
fn application_mode_arrows() {
    assert_eq!(keys(b"\x1bOC\x1bOD\x1bOA"), [Key::Right, Key::Left]);
}

#[test]
fn unknown_sequences_are_swallowed_whole() {
    // Insert, Page Up, F5, F1 (SS3), a private-mode report, bare `ESC [ ~`.
    assert_eq!(keys(b"\x1b[2~\x1b[5~\x1b[15~\x1bOP\x1b[?1;2c\x1b[~x"), [Key::Char('x')]);
}

#[test]
fn modifier_parameters_are_ignored() {
    // Ctrl+Right, Shift+Home, Ctrl+Delete as xterm sends them.
    assert_eq!(keys(b"\x1b[1;5C\x1b[1;2H\x1b[3;5~"), [Key::Right, Key::Home, Key::Delete]);
}

#[test]
fn a_lone_escape_keeps_the_next_byte() {
    assert_eq!(keys(b"\x1bx"), [Key::Char('x')]);
    assert_eq!(keys(b"\x1b\r"), [Key::Enter]);
    // A second ESC starts a new sequence.
    assert_eq!(keys(b"\x1b\x1b[D"), [Key::Left]);
}

#[test]
fn a_control_byte_breaks_a_sequence_and_still_counts() {
    assert_eq!(keys(b"\x1b[\ra"), [Key::Enter, Key::Char('a')]);
    assert_eq!(keys(b"\x1b[3\x7f"), [Key::Backspace]);
    assert_eq!(keys(b"\x1bO\n"), [Key::Enter]);
    assert_eq!(keys(b"\x1b[1;\x1b[C"), [Key::Right]);
}

#[test]
fn an_overlong_sequence_is_given_up() {
    let mut bytes = b"\x1b[".to_vec();
    bytes.extend([b'1'; 16]);
    bytes.extend(b"ab");
    assert_eq!(keys(&bytes), chars("ab"));
}

#[test]
fn decoding_continues_after_sequences() {
    assert_eq!(
        keys(b"ab\x1b[Dc\x1b[3~\x7f\r"),
        [Key::Char('a'), Key::Char('b'), Key::Left, Key::Char('c'), Key::Delete, Key::Backspace, Key::Enter]
    );
}
