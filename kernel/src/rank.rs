//! Which rank this kernel was built for.
//!
//! One reference kernel serves every checkpoint: the Makefile passes
//! `MINIMALOS_RANK=N` to the build and `kmain` stops climbing the rank
//! ladder after rank N. Every rank's code is still compiled and
//! type-checked in every build; only the ladder is cut short, so there is no
//! `#[cfg]` scattered through the modules.

/// The highest rank this kernel knows how to reach.
pub const HIGHEST: u8 = 8;

/// The rank this build stops at (`MINIMALOS_RANK`, default [`HIGHEST`]).
pub const REACHED: u8 = match option_env!("MINIMALOS_RANK") {
    Some(text) => parse_rank(text),
    None => HIGHEST,
};

const _: () = assert!(REACHED >= 1 && REACHED <= HIGHEST, "MINIMALOS_RANK is out of range");

/// The names of the ranks, first to last, for banners and logs.
pub const NAMES: [&str; HIGHEST as usize] = [
    "The Awakening",
    "The Artist",
    "The Reflexes",
    "The Mind",
    "The Senses",
    "The Barrier",
    "The Vault",
    "The Conductor",
];

/// Roman numerals, as the quests and the site write rank numbers.
pub const NUMERALS: [&str; 8] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"];

/// The name of the rank this build stops at.
pub const fn name() -> &'static str {
    NAMES[REACHED as usize - 1]
}

/// Roman numeral of the rank this build stops at.
pub const fn numeral() -> &'static str {
    NUMERALS[REACHED as usize - 1]
}

/// Parses a small decimal number at compile time; a bad value stops the build.
const fn parse_rank(text: &str) -> u8 {
    let bytes = text.as_bytes();
    assert!(!bytes.is_empty() && bytes.len() <= 2, "MINIMALOS_RANK must be a number like 1 or 8");
    let mut value = 0u8;
    let mut index = 0;
    while index < bytes.len() {
        let digit = bytes[index];
        assert!(digit.is_ascii_digit(), "MINIMALOS_RANK must be a number like 1 or 8");
        value = value * 10 + (digit - b'0');
        index += 1;
    }
    value
}
