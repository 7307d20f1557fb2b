//! Input: keys from the PS/2 keyboard and bytes from COM1, through one
//! queue, into one line editor.
//!
//! Two interrupt handlers produce: IRQ 1 reads a scancode from the 8042
//! and decodes it with `pc-keyboard` (scancode set 1, US layout); IRQ 4
//! drains the UART and decodes terminal bytes (CR, DEL, arrow escape
//! sequences). Both push `Key`s into a fixed ring buffer that never blocks
//! and never overwrites: when it is full, the key is dropped and counted.
//! The consumer is the console loop, which sleeps with `hlt` until a key
//! arrives and feeds it to the line editor, whose echo goes to the screen
//! and to serial alike. The decoders, the ring and the editor are
//! `libs/input`, tested on the host; this module is the wiring.
//!
//! Rank 5.

pub mod ps2;

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

use input::{Key, KeyboardDecoder, LineEditor, Ring, SerialDecoder};
use spin::Mutex;
use x86_64::instructions::interrupts;

use crate::boot::summary::field;
use crate::interrupts::InterruptsReady;
use crate::{kprint, kprintln, serial};

/// Keys waiting for the console loop.
pub const QUEUE_KEYS: usize = 256;
static QUEUE: Ring<Key, QUEUE_KEYS> = Ring::new();
/// Keys that arrived (kept or dropped): lets a scenario notice silence.
static ARRIVALS: AtomicU64 = AtomicU64::new(0);

/// Decoder state, touched only by its interrupt handler.
static KEYBOARD: Mutex<KeyboardDecoder> = Mutex::new(KeyboardDecoder::new());
static TERMINAL: Mutex<SerialDecoder> = Mutex::new(SerialDecoder::new());

/// Longest line the editor takes: a row of the console minus the prompt.
const LINE_BYTES: usize = 76;
const PROMPT: &str = "> ";

fn arrive(key: Key) {
    ARRIVALS.fetch_add(1, Ordering::Relaxed);
    QUEUE.push(key);
    // Rank VIII: a process blocked in `read` of stdin can run again.
    crate::process::wake_input();
}

/// Bytes of a key that did not fit in the last `take_bytes` buffer, to be
/// handed out first next time (a key is up to four bytes).
static PENDING: Mutex<([u8; 4], usize)> = Mutex::new(([0; 4], 0));

/// Standard input for processes (Rank VIII): queued keys as the bytes a
/// terminal would send — characters as UTF-8, Enter as `\n`, Backspace as
/// DEL (0x7f), arrows and Home/End/Delete as ANSI escape sequences — so
/// that a program decodes them with the same `SerialDecoder` the kernel
/// uses for COM1. A key that does not fit in `into` is split, and its
/// rest comes first on the next call, so any buffer size works.
pub fn take_bytes(into: &mut [u8]) -> usize {
    let mut pending = PENDING.lock();
    let mut count = 0;
    loop {
        // Hand out what is pending, as much as fits.
        let (bytes, length) = &mut *pending;
        let give = (*length).min(into.len() - count);
        into[count..count + give].copy_from_slice(&bytes[..give]);
        bytes.copy_within(give..*length, 0);
        *length -= give;
        count += give;
        if *length > 0 || count == into.len() {
            return count;
        }
        let Some(key) = QUEUE.pop() else { return count };
        let mut utf8 = [0u8; 4];
        let encoded: &[u8] = match key {
            Key::Char(c) => c.encode_utf8(&mut utf8).as_bytes(),
            Key::Enter => b"\n",
            Key::Backspace => b"\x7f",
            Key::Delete => b"\x1b[3~",
            Key::Left => b"\x1b[D",
            Key::Right => b"\x1b[C",
            Key::Home => b"\x1b[H",
            Key::End => b"\x1b[F",
        };
        bytes[..encoded.len()].copy_from_slice(encoded);
        *length = encoded.len();
    }
}

/// IRQ 1: one scancode per interrupt.
fn keyboard_interrupt() {
    if let Some(code) = ps2::read_scancode()
        && let Some(key) = KEYBOARD.lock().feed(code)
    {
        arrive(key);
    }
}

/// IRQ 4: everything the UART's FIFO holds.
fn serial_interrupt() {
    while let Some(byte) = serial::read_byte() {
        if let Some(key) = TERMINAL.lock().feed(byte) {
            arrive(key);
        }
    }
}

/// Brings up the keyboard (if there is a controller) and serial input.
pub fn init(ready: &InterruptsReady) {
    match ps2::init() {
        Ok(()) => match crate::interrupts::enable_isa_line(ready, 1, keyboard_interrupt) {
            Ok(vector) => field("keyboard", format_args!("IRQ 1 -> vector {vector:#x}, scancode set 1, US layout")),
            Err(e) => field("keyboard", format_args!("none: ISA IRQ {} is not routed", e.0)),
        },
        Err(e) => field("keyboard", format_args!("none: {e}")),
    }
    if serial::enable_receive_interrupt() {
        match crate::interrupts::enable_isa_line(ready, 4, serial_interrupt) {
            Ok(vector) => field("serial input", format_args!("COM1 IRQ 4 -> vector {vector:#x}")),
            Err(e) => field("serial input", format_args!("none: ISA IRQ {} is not routed", e.0)),
        }
    } else {
        field("serial input", format_args!("none: no UART on COM1"));
    }
    field("input queue", format_args!("{QUEUE_KEYS} keys; when full, new keys are dropped and counted"));
}

/// The next key, sleeping until one comes. Interrupts are off between the
/// check and `hlt` (`sti; hlt` is atomic), so a key cannot slip in unseen.
fn next_key() -> Key {
    loop {
        interrupts::disable();
        if let Some(key) = QUEUE.pop() {
            interrupts::enable();
            return key;
        }
        interrupts::enable_and_hlt();
    }
}

/// Echo goes where `kprint!` goes: the screen and serial.
struct Echo;

impl fmt::Write for Echo {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        kprint!("{text}");
        Ok(())
    }
}

/// The prompt loop: edit a line, hand it over, again. Never returns.
pub fn console() -> ! {
    let mut editor: LineEditor<LINE_BYTES> = LineEditor::new();
    crate::display::with_console(|console| console.set_cursor_visible(true));
    kprint!("{PROMPT}");
    loop {
        let key = next_key();
        if let Some(line) = editor.feed(key, &mut Echo) {
            kprintln!("line: {line:?}");
            kprint!("{PROMPT}");
        }
    }
}

/// `scenario=input-hold`: take interrupts but consume nothing until a
/// second passes with no new key after the first, then drain the queue
/// and report what was kept and what was dropped.
pub fn hold_until_quiet() {
    let dropped_before = QUEUE.dropped();
    kprintln!("input-hold: holding input; send keys, then stay quiet for a second");
    let hz = u64::from(crate::interrupts::timer::hz());
    let mut seen = ARRIVALS.load(Ordering::Relaxed);
    let mut quiet_since = crate::interrupts::timer::ticks();
    loop {
        interrupts::enable_and_hlt();
        let now_seen = ARRIVALS.load(Ordering::Relaxed);
        let now = crate::interrupts::timer::ticks();
        if now_seen != seen {
            seen = now_seen;
            quiet_since = now;
        } else if !QUEUE.is_empty() && now - quiet_since >= hz {
            break;
        }
    }
    let mut kept = [0u8; QUEUE_KEYS];
    let mut count = 0;
    while let Some(key) = QUEUE.pop() {
        if let (Key::Char(c), Some(slot)) = (key, kept.get_mut(count)) {
            *slot = c as u8;
        }
        count += 1;
    }
    let text = core::str::from_utf8(&kept[..count.min(QUEUE_KEYS)]).unwrap_or("?");
    kprintln!("input-hold: consumed {count}: {text:?}");
    kprintln!("input-hold: dropped {}", QUEUE.dropped() - dropped_before);
}
