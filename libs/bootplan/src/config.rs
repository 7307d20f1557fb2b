//! Reads `limine.conf`, the one boot configuration Limine and testboot share.
//!
//! The file uses Limine 8's syntax (CONFIG.md, v8.2.0): global options such
//! as `timeout: 0`, `#` comment lines, and entries opened by `/Name` whose
//! local options follow, `key: value` one per line. Option names are not
//! case sensitive; leading and trailing blanks are ignored, as Limine does.
//!
//! Parsing happens in two steps. [`Config::parse`] only checks the shape of
//! every line and groups options under their entries, so an entry meant for
//! another bootloader (a Linux one, say) does not stop the boot.
//! [`Config::boot_entry`] then validates the one entry that will boot, and
//! refuses, naming the line, anything testboot does not implement — a
//! silently ignored option would make testboot boot differently from Limine.
//!
//! Neighbours: `globals` handles `timeout` and friends, `entry` validates
//! the entry that boots; tools/testboot/src/files.rs finds the file.

mod entry;
mod globals;
#[cfg(test)]
mod tests;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

pub use entry::{BootEntry, ModuleEntry};
pub use globals::Timeout;

/// One `key: value` line. `key` is lower-cased; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// A `/Name` entry and the options that follow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub line: usize,
    pub settings: Vec<Setting>,
}

/// The whole file, shape-checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Limine's default is 5 seconds.
    pub timeout: Timeout,
    /// `default_entry:` (1-based) and its line, if given.
    pub default_entry: Option<(usize, usize)>,
    pub entries: Vec<Entry>,
}

/// Why the configuration cannot be booted; `line` is 1-based when the
/// problem sits on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub problem: String,
}

impl ConfigError {
    fn at(line: usize, problem: impl fmt::Display) -> Self {
        Self { line: Some(line), problem: problem.to_string() }
    }

    fn whole_file(problem: impl fmt::Display) -> Self {
        Self { line: None, problem: problem.to_string() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(formatter, "limine.conf line {line}: {}", self.problem),
            None => write!(formatter, "limine.conf: {}", self.problem),
        }
    }
}

impl Config {
    /// Splits `text` into global options and entries, checking the shape of
    /// every line.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let mut config = Config { timeout: Timeout::Seconds(5), default_entry: None, entries: Vec::new() };
        let mut timeout_line = None;
        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw_line.trim_matches([' ', '\t', '\r']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.contains("${") {
                return Err(ConfigError::at(line_number, "macros (`${...}`) are not supported by testboot"));
            }
            if let Some(title) = line.strip_prefix('/') {
                config.entries.push(parse_entry_title(title, line_number)?);
                continue;
            }
            let setting = parse_setting(line, line_number)?;
            if globals::is_global(&setting.key) {
                config.apply_global(&setting, &mut timeout_line)?;
            } else if let Some(entry) = config.entries.last_mut() {
                entry.settings.push(setting);
            } else if entry::is_local_option(&setting.key) {
                return Err(ConfigError::at(
                    line_number,
                    format_args!("option `{}` appears before any `/Entry` line", setting.key),
                ));
            }
            // Any other option before the first entry is an unknown global:
            // ignored, as Limine ignores it.
        }
        Ok(config)
    }

    /// Validates and returns the entry Limine would boot with no one at the
    /// keyboard: `default_entry` (1-based), else the first.
    pub fn boot_entry(&self) -> Result<BootEntry, ConfigError> {
        if self.entries.is_empty() {
            return Err(ConfigError::whole_file("no boot entry (a line like `/MinimalOS`) was found"));
        }
        let index = match self.default_entry {
            None => 0,
            Some((number, line)) if number == 0 || number > self.entries.len() => {
                return Err(ConfigError::at(
                    line,
                    format_args!("default_entry is {number}, but the file has {} entries", self.entries.len()),
                ));
            }
            Some((number, _)) => number - 1,
        };
        BootEntry::from_entry(&self.entries[index])
    }
}

/// `/Name` opens an entry; `//Name` would open a sub-entry of a directory,
/// which testboot does not implement.
fn parse_entry_title(title: &str, line: usize) -> Result<Entry, ConfigError> {
    if title.starts_with('/') {
        return Err(ConfigError::at(
            line,
            "sub-entries (`//Name`) are not supported by testboot; use top-level `/Name` entries",
        ));
    }
    // A `+` marks a directory expanded by default; meaningless without
    // sub-entries, and not part of the name Limine shows.
    let name = title.strip_prefix('+').unwrap_or(title).trim_start_matches([' ', '\t']);
    if name.is_empty() {
        return Err(ConfigError::at(line, "entry has no name (write `/Name`)"));
    }
    Ok(Entry { name: name.to_string(), line, settings: Vec::new() })
}

/// `key: value`, with the key made of letters, digits and `_` and written
/// right before the colon (Limine matches `KEY:` exactly).
fn parse_setting(line: &str, line_number: usize) -> Result<Setting, ConfigError> {
    let malformed = || {
        ConfigError::at(
            line_number,
            format_args!("expected `option: value`, `/Entry name` or `# comment`, found `{line}`"),
        )
    };
    let (key, value) = line.split_once(':').ok_or_else(malformed)?;
    if key.is_empty() || !key.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_') {
        return Err(malformed());
    }
    Ok(Setting {
        key: key.to_ascii_lowercase(),
        value: value.trim_start_matches([' ', '\t']).to_string(),
        line: line_number,
    })
}
