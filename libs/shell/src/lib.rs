//! What the shell decides, apart from the system calls it makes: how a
//! line splits into a command, which words are built-ins, what path a
//! program name means, and how a program's end is written. `user/`'s `sh`
//! does the I/O; this crate is `no_std`, allocation-free and tested on the
//! host with `cargo test -p shell`.
//!
//! Rank 8.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

use core::fmt;

use abi::ExitStatus;

/// The most words a command may have: the program and its arguments
/// (`abi::MAX_ARGUMENTS` counts the program's path too).
pub const MAX_WORDS: usize = abi::MAX_ARGUMENTS;

/// One parsed line: its words and whether it ends in `&`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Command<'a> {
    words: [&'a str; MAX_WORDS],
    count: usize,
    /// A trailing `&`: start the program and do not wait for it.
    pub background: bool,
}

impl<'a> Command<'a> {
    /// The program's name (the first word).
    pub fn name(&self) -> &'a str {
        self.words[0]
    }

    /// The words after the name.
    pub fn arguments(&self) -> &[&'a str] {
        &self.words[1..self.count]
    }

    pub fn words(&self) -> &[&'a str] {
        &self.words[..self.count]
    }
}

/// What a line turned out to be.
// One lives on the stack per command, and programs have no heap to box
// it in: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// Nothing but spaces: just print a new prompt.
    Empty,
    Command(Command<'a>),
}

/// Why a line was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    TooManyWords,
    /// `&` somewhere other than at the end, or alone.
    MisplacedAmpersand,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyWords => write!(f, "too many words (at most {MAX_WORDS})"),
            Self::MisplacedAmpersand => f.write_str("`&` may only end a command"),
        }
    }
}

/// Splits `line` at spaces and tabs. A final `&` word, or a `&` glued to
/// the last word (`spin forever&`), marks the command as background.
pub fn parse(line: &str) -> Result<Line<'_>, ParseError> {
    let mut words = [""; MAX_WORDS];
    let mut count = 0;
    let mut background = false;
    let mut pieces = line.split([' ', '\t']).filter(|w| !w.is_empty()).peekable();
    while let Some(mut word) = pieces.next() {
        let last = pieces.peek().is_none();
        if let Some(stripped) = word.strip_suffix('&')
            && last
        {
            background = true;
            word = stripped;
            if word.is_empty() {
                break;
            }
        }
        if word.contains('&') {
            return Err(ParseError::MisplacedAmpersand);
        }
        if count == MAX_WORDS {
            return Err(ParseError::TooManyWords);
        }
        words[count] = word;
        count += 1;
    }
    match (count, background) {
        (0, false) => Ok(Line::Empty),
        (0, true) => Err(ParseError::MisplacedAmpersand),
        _ => Ok(Line::Command(Command { words, count, background })),
    }
}

/// The shell's own commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Help,
    Clear,
    Exit,
}

impl Builtin {
    pub fn find(name: &str) -> Option<Self> {
        match name {
            "help" => Some(Self::Help),
            "clear" => Some(Self::Clear),
            "exit" => Some(Self::Exit),
            _ => None,
        }
    }
}

/// Where the program `name` lives: `bin/NAME`, or `name` itself when it
/// is already a path (`bin/ls`, `bad/overlap`). Writes into `buffer`.
pub fn program_path<'b>(name: &str, buffer: &'b mut [u8; abi::PATH_MAX as usize]) -> Option<&'b str> {
    let (prefix, name) = if name.contains('/') { ("", name.trim_start_matches('/')) } else { ("bin/", name) };
    let length = prefix.len() + name.len();
    if length > buffer.len() {
        return None;
    }
    buffer[..prefix.len()].copy_from_slice(prefix.as_bytes());
    buffer[prefix.len()..length].copy_from_slice(name.as_bytes());
    core::str::from_utf8(&buffer[..length]).ok()
}

/// How the shell reports a program's end: `[exit 0]`, `[killed: page fault]`.
pub struct Ending(pub ExitStatus);

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ExitStatus::Code(code) => write!(f, "[exit {code}]"),
            ExitStatus::Killed(vector) => write!(f, "[killed: {}]", abi::fault_name(vector)),
        }
    }
}

/// The text of `help`.
pub const HELP: &str = "\
built-ins: help, clear, exit
programs:  any file in bin/, with arguments, e.g.
  ls [DIR]          list the vault
  cat FILE...       print files
  hello [NAME]      say hello
  spin forever &    a program that never stops, in the background
  crash             a program that dereferences a null pointer
add & at the end of a line to run a program without waiting for it";

#[cfg(test)]
mod tests;
