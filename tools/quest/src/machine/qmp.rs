//! A minimal QMP client: the QEMU Machine Protocol, JSON lines over a Unix
//! socket. The referee uses five commands: `qmp_capabilities` (the
//! handshake), `screendump`, `send-key`, `human-monitor-command` (the
//! text monitor's `info pic` and friends, for `monitor` checks) and `quit`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

pub struct Qmp {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Qmp {
    /// Connects, retrying while QEMU creates the socket.
    pub fn connect(path: &Path, timeout: Duration) -> Result<Self> {
        let start = Instant::now();
        let stream = loop {
            match UnixStream::connect(path) {
                Ok(stream) => break stream,
                Err(_) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(e).with_context(|| format!("connecting to QMP at {}", path.display())),
            }
        };
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut qmp = Self { writer: stream.try_clone()?, reader: BufReader::new(stream) };
        let greeting = qmp.read_message()?;
        if greeting.get("QMP").is_none() {
            bail!("QEMU did not greet with QMP: {greeting}");
        }
        qmp.execute("qmp_capabilities", json!({}))?;
        Ok(qmp)
    }

    fn read_message(&mut self) -> Result<Value> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            bail!("QMP connection closed");
        }
        Ok(serde_json::from_str(&line)?)
    }

    /// Runs a command and returns its `return` value; events in between
    /// are skipped.
    pub fn execute(&mut self, command: &str, arguments: Value) -> Result<Value> {
        let request = json!({ "execute": command, "arguments": arguments });
        writeln!(self.writer, "{request}")?;
        loop {
            let message = self.read_message()?;
            if let Some(value) = message.get("return") {
                return Ok(value.clone());
            }
            if let Some(error) = message.get("error") {
                bail!("QMP {command} failed: {}", error.get("desc").unwrap_or(error));
            }
        }
    }

    /// Saves the display as PNG; falls back to QEMU's PPM for versions
    /// before 7.1, which lack the `format` argument.
    pub fn screendump(&mut self, path: &Path) -> Result<()> {
        let file = path.display().to_string();
        if self.execute("screendump", json!({ "filename": file, "format": "png" })).is_ok() {
            return Ok(());
        }
        self.execute("screendump", json!({ "filename": file }))?;
        Ok(())
    }

    /// Presses and releases one key combination such as `shift-a`.
    pub fn send_key(&mut self, combination: &str) -> Result<()> {
        self.execute("send-key", key_arguments(combination))?;
        Ok(())
    }

    /// Runs a text-monitor command such as `info pic` and returns what it
    /// printed, with QEMU's `\r\n` line ends made `\n`.
    pub fn human_monitor_command(&mut self, command_line: &str) -> Result<String> {
        let answer = self.execute("human-monitor-command", json!({ "command-line": command_line }))?;
        let text = answer.as_str().with_context(|| format!("`{command_line}` answered {answer}, not text"))?;
        Ok(text.replace("\r\n", "\n"))
    }

    pub fn quit(&mut self) {
        // QEMU may close the socket before answering; either way it quits.
        let _ = self.execute("quit", json!({}));
    }
}

/// `shift-a` → two QKeyCodes pressed together, as `send-key` wants them.
pub fn key_arguments(combination: &str) -> Value {
    let keys: Vec<Value> = combination.split('-').map(|key| json!({ "type": "qcode", "data": key })).collect();
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_combination_becomes_keys_pressed_together() {
        assert_eq!(
            key_arguments("shift-a"),
            json!({ "keys": [{ "type": "qcode", "data": "shift" }, { "type": "qcode", "data": "a" }] })
        );
        assert_eq!(key_arguments("ret"), json!({ "keys": [{ "type": "qcode", "data": "ret" }] }));
    }
}
