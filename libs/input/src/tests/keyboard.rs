//! The PS/2 decoder, fed the scancode set 1 bytes QEMU's 8042 delivers.

use crate::{Key, KeyboardDecoder};

/// Feeds `bytes` to a fresh decoder and collects the keys it gives.
fn keys(bytes: &[u8]) -> Vec<Key> {
    let mut decoder = KeyboardDecoder::new();
    bytes.iter().filter_map(|&b| decoder.feed(b)).collect()
}

const SHIFT_DOWN: u8 = 0x2A;
const SHIFT_UP: u8 = 0xAA;
const CAPS_DOWN: u8 = 0x3A;
const CAPS_UP: u8 = 0xBA;
const A_DOWN: u8 = 0x1E;
const A_UP: u8 = 0x9E;
const B_DOWN: u8 = 0x30;
const B_UP: u8 = 0xB0;

#[test]
fn a_press_and_release_give_one_char() {
    let mut decoder = KeyboardDecoder::new();
    assert_eq!(decoder.feed(A_DOWN), Some(Key::Char('a')));
    assert_eq!(decoder.feed(A_UP), None);
}

#[test]
fn shift_gives_capitals_until_released() {
    assert_eq!(keys(&[SHIFT_DOWN, A_DOWN, A_UP, SHIFT_UP, A_DOWN, A_UP]), [Key::Char('A'), Key::Char('a')]);
    // Right shift (0x36 / 0xB6) too.
    assert_eq!(keys(&[0x36, A_DOWN, A_UP, 0xB6, A_DOWN]), [Key::Char('A'), Key::Char('a')]);
}

#[test]
fn shift_one_gives_bang() {
    assert_eq!(keys(&[SHIFT_DOWN, 0x02, 0x82, SHIFT_UP, 0x02]), [Key::Char('!'), Key::Char('1')]);
}

#[test]
fn caps_lock_toggles_letters_and_shift_inverts_it() {
    let mut decoder = KeyboardDecoder::new();
    let mut feed = |bytes: &[u8]| bytes.iter().filter_map(|&b| decoder.feed(b)).collect::<Vec<_>>();
    assert_eq!(feed(&[CAPS_DOWN, CAPS_UP]), []);
    assert_eq!(feed(&[A_DOWN, A_UP, B_DOWN, B_UP]), [Key::Char('A'), Key::Char('B')]);
    // Caps lock leaves digits alone.
    assert_eq!(feed(&[0x02, 0x82]), [Key::Char('1')]);
    assert_eq!(feed(&[SHIFT_DOWN, A_DOWN, A_UP, SHIFT_UP]), [Key::Char('a')]);
    assert_eq!(feed(&[CAPS_DOWN, CAPS_UP, A_DOWN, A_UP]), [Key::Char('a')]);
}

#[test]
fn enter_and_backspace() {
    assert_eq!(keys(&[0x1C, 0x9C]), [Key::Enter]);
    assert_eq!(keys(&[0x0E, 0x8E]), [Key::Backspace]);
    // The keypad's Enter is extended.
    assert_eq!(keys(&[0xE0, 0x1C, 0xE0, 0x9C]), [Key::Enter]);
}

#[test]
fn extended_editing_keys() {
    assert_eq!(keys(&[0xE0, 0x4B]), [Key::Left]);
    assert_eq!(keys(&[0xE0, 0x4D]), [Key::Right]);
    assert_eq!(keys(&[0xE0, 0x47]), [Key::Home]);
    assert_eq!(keys(&[0xE0, 0x4F]), [Key::End]);
    assert_eq!(keys(&[0xE0, 0x53]), [Key::Delete]);
}

#[test]
fn releases_give_nothing() {
    let mut decoder = KeyboardDecoder::new();
    for make in [0x4B, 0x4D, 0x47, 0x4F, 0x53] {
        assert!(decoder.feed(0xE0).is_none());
        assert!(decoder.feed(make).is_some());
        assert_eq!(decoder.feed(0xE0), None);
        assert_eq!(decoder.feed(make | 0x80), None, "release of E0 {make:#04x}");
    }
    for release in [A_UP, 0x9C, 0x8E, SHIFT_UP, CAPS_UP] {
        assert_eq!(decoder.feed(release), None, "release {release:#04x}");
    }
}

/// With num lock on, some keyboards wrap the grey arrows in a "fake shift"
/// (`E0 2A` before, `E0 AA` after); only the arrow must come through.
#[test]
fn fake_shift_around_grey_keys_is_ignored() {
    assert_eq!(keys(&[0xE0, 0x2A, 0xE0, 0x4B, 0xE0, 0xCB, 0xE0, 0xAA, A_DOWN]), [Key::Left, Key::Char('a')]);
}

#[test]
fn keys_the_editor_does_not_use_give_nothing() {
    let ignored: &[&[u8]] = &[
        &[0x01],       // Escape
        &[0x0F],       // Tab
        &[0x3B],       // F1
        &[0x1D],       // left Ctrl
        &[0x38],       // left Alt
        &[0xE0, 0x48], // Up
        &[0xE0, 0x50], // Down
        &[0xE0, 0x49], // Page Up
    ];
    for bytes in ignored {
        assert_eq!(keys(bytes), [], "{bytes:02x?}");
    }
}

#[test]
fn ctrl_passes_letters_through() {
    assert_eq!(keys(&[0x1D, 0x2E, 0xAE, 0x9D]), [Key::Char('c')]);
}

#[test]
fn unknown_scancodes_are_skipped() {
    // 0x55 and 0x7F are unassigned in set 1; E0 0x10 likewise after a prefix.
    assert_eq!(keys(&[0x55, A_DOWN, 0x7F, 0xE0, 0x10, B_DOWN]), [Key::Char('a'), Key::Char('b')]);
}

#[test]
fn keypad_digits_with_num_lock_on() {
    // Num lock starts on, so the keypad's 4 (0x4B, no prefix) is a digit.
    assert_eq!(keys(&[0x4B, 0xCB]), [Key::Char('4')]);
}

#[test]
fn the_decoder_can_be_built_at_compile_time() {
    const DECODER: KeyboardDecoder = KeyboardDecoder::new();
    let mut decoder = DECODER;
    assert_eq!(decoder.feed(A_DOWN), Some(Key::Char('a')));
}
