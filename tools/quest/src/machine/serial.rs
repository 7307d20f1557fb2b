//! The serial port as the referee hears it: QEMU's COM1 on our child's
//! stdout (`-serial stdio`), read by a thread as it arrives.
//!
//! Two things are kept: the raw bytes (the log, `serial.txt`) and the
//! complete lines, cleaned of terminal escapes and each stamped with the
//! moment it reached us. The stamps are the referee's clock for
//! `serial-rate` checks. That clock is fair at this resolution: QEMU's
//! stdio character device writes each byte the guest sends the UART
//! straight into the pipe, with no stdio buffering on its side, and this
//! thread is blocked in `read` waiting for it, so a line is stamped within
//! about a millisecond of the kernel printing its last byte. Rates are
//! measured over seconds.

use std::io::Read;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use regex::Regex;

/// What has arrived so far.
#[derive(Default)]
struct Received {
    bytes: Vec<u8>,
    /// Complete lines, cleaned, with their arrival time from `start`.
    lines: Vec<(Duration, String)>,
    /// The bytes of the line not yet ended by `\n`.
    partial: Vec<u8>,
    /// When the last bytes arrived (the stamp a final unended line gets).
    last_arrival: Duration,
}

impl Received {
    fn take(&mut self, chunk: &[u8], at: Duration) {
        self.bytes.extend_from_slice(chunk);
        self.last_arrival = at;
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.partial.extend_from_slice(&rest[..end]);
            let line = clean_serial(&String::from_utf8_lossy(&self.partial));
            self.lines.push((at, line));
            self.partial.clear();
            rest = &rest[end + 1..];
        }
        self.partial.extend_from_slice(rest);
    }

    /// A last line without `\n` (a prompt, or output cut off) still counts.
    fn finish(&mut self) {
        if !self.partial.is_empty() {
            let line = clean_serial(&String::from_utf8_lossy(&self.partial));
            self.lines.push((self.last_arrival, line));
            self.partial.clear();
        }
    }
}

/// Reads a serial stream on its own thread until it ends.
pub struct SerialReader {
    received: Arc<Mutex<Received>>,
    thread: JoinHandle<()>,
}

/// Everything a serial stream said, once it has ended.
pub struct SerialLog {
    /// Raw output, firmware escape sequences included.
    pub raw: String,
    /// Cleaned lines with their arrival time from the boot's start.
    pub lines: Vec<(Duration, String)>,
}

impl SerialReader {
    /// Starts reading `source`; arrival times count from `start`.
    pub fn spawn(mut source: impl Read + Send + 'static, start: Instant) -> Self {
        let received = Arc::new(Mutex::new(Received::default()));
        let thread = {
            let received = Arc::clone(&received);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = source.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    let at = start.elapsed();
                    received.lock().expect("serial buffer").take(&buffer[..n], at);
                }
            })
        };
        Self { received, thread }
    }

    fn lock(&self) -> MutexGuard<'_, Received> {
        self.received.lock().expect("serial buffer")
    }

    /// What has arrived so far, escapes removed.
    pub fn text(&self) -> String {
        clean_serial(&String::from_utf8_lossy(&self.lock().bytes))
    }

    /// Calls `look` with the complete lines so far.
    pub fn with_lines<T>(&self, look: impl FnOnce(&[(Duration, String)]) -> T) -> T {
        look(&self.lock().lines)
    }

    /// Waits for the stream to end (QEMU gone) and hands over the log.
    pub fn finish(self) -> SerialLog {
        let Self { received, thread } = self;
        let _ = thread.join();
        let mut received = received.lock().expect("serial buffer");
        received.finish();
        SerialLog {
            raw: String::from_utf8_lossy(&received.bytes).into_owned(),
            lines: std::mem::take(&mut received.lines),
        }
    }
}

/// Strips terminal escape sequences (OVMF and Limine clear the screen over
/// serial) and carriage returns.
pub fn clean_serial(raw: &str) -> String {
    static ESCAPES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1bc").expect("valid regex"));
    ESCAPES.replace_all(raw, "").replace('\r', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_firmware_escapes_and_carriage_returns() {
        let raw = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: loading\r\nMinimalOS 0.1.0\r\n";
        assert_eq!(clean_serial(raw), "BdsDxe: loading\nMinimalOS 0.1.0\n");
    }

    /// Hands out its chunks one `read` at a time, pausing before each.
    struct Trickle(Vec<(&'static [u8], Duration)>);

    impl Read for Trickle {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            let (chunk, pause) = self.0.remove(0);
            std::thread::sleep(pause);
            buffer[..chunk.len()].copy_from_slice(chunk);
            Ok(chunk.len())
        }
    }

    #[test]
    fn each_line_is_stamped_when_its_end_arrives() {
        let gap = Duration::from_millis(150);
        let source = Trickle(vec![
            (b"\x1b[92mticks: 1", Duration::ZERO),
            (b"00\x1b[0m\r\nticks: 200\r\n", gap),
            (b"ticks: 300\r\n> ", gap),
        ]);
        let log = SerialReader::spawn(source, Instant::now()).finish();
        let lines: Vec<&str> = log.lines.iter().map(|(_, line)| line.as_str()).collect();
        assert_eq!(lines, ["ticks: 100", "ticks: 200", "ticks: 300", "> "]);
        let at: Vec<Duration> = log.lines.iter().map(|(at, _)| *at).collect();
        assert!(at[0] >= gap && at[0] == at[1], "a line is stamped by its end, not its start: {at:?}");
        assert!(at[2] >= at[1] + gap && at[3] == at[2], "{at:?}");
        assert!(log.raw.starts_with("\x1b[92mticks: 100"));
    }
}
