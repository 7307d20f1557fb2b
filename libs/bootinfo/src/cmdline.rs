//! The kernel command line: words separated by spaces, each a bare flag
//! (`qemu-exit`) or a `key=value` option (`scenario=panic`).
//!
//! Limine passes the `cmdline:` line of `limine.conf` through untouched, so
//! this is where checkpoints choose a scenario and tests ask the kernel to
//! leave QEMU when it is done. Unknown words are kept, not rejected: a later
//! rank may give them meaning, and the summary prints the line verbatim.

/// A parsed view over the command-line string; borrowing, never copying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandLine<'a> {
    text: &'a str,
}

impl<'a> CommandLine<'a> {
    pub const fn new(text: &'a str) -> Self {
        Self { text }
    }

    /// The line exactly as the bootloader gave it.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Every word, in order.
    pub fn words(&self) -> impl Iterator<Item = &'a str> {
        self.text.split_ascii_whitespace()
    }

    /// True when the bare word `flag` appears.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.words().any(|word| word == flag)
    }

    /// The value of the last `key=value` word with this key (later words
    /// override earlier ones, as on Linux).
    pub fn value(&self, key: &str) -> Option<&'a str> {
        self.words().filter_map(|word| word.split_once('=')).filter(|(k, _)| *k == key).map(|(_, v)| v).last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_flags_only_as_whole_words() {
        let line = CommandLine::new("  qemu-exit   verbose ");
        assert!(line.has_flag("qemu-exit"));
        assert!(line.has_flag("verbose"));
        assert!(!line.has_flag("qemu"));
        assert!(!line.has_flag("exit"));
    }

    #[test]
    fn reads_key_value_words_and_lets_the_last_one_win() {
        let line = CommandLine::new("scenario=panic qemu-exit scenario=breakpoint");
        assert_eq!(line.value("scenario"), Some("breakpoint"));
        assert_eq!(line.value("missing"), None);
    }

    #[test]
    fn a_key_value_word_is_not_a_flag() {
        let line = CommandLine::new("scenario=panic");
        assert!(!line.has_flag("scenario"));
        assert_eq!(line.value("scenario"), Some("panic"));
    }

    #[test]
    fn an_empty_line_has_no_words() {
        let line = CommandLine::new("");
        assert_eq!(line.words().count(), 0);
        assert_eq!(line.value("scenario"), None);
    }

    #[test]
    fn an_empty_value_is_still_a_value() {
        assert_eq!(CommandLine::new("scenario=").value("scenario"), Some(""));
    }
}
