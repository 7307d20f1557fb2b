//! Limine's global options: the two testboot reads, and the rest it accepts.
//!
//! Global options may appear anywhere in `limine.conf`, even inside an
//! entry (CONFIG.md, "Options"). testboot has no menu, so only `timeout`
//! and `default_entry` mean anything to it; `timeout` is still checked so a
//! typo fails under both loaders. The others only style Limine's own menu
//! and terminal and are accepted without effect.

use super::{Config, ConfigError, Setting};

/// Every global option Limine 8.2 defines (CONFIG.md, "Structure of the
/// config file").
const LIMINE_GLOBALS: &[&str] = &[
    "timeout",
    "default_entry",
    "quiet",
    "serial",
    "serial_baudrate",
    "remember_last_entry",
    "graphics",
    "wallpaper",
    "wallpaper_style",
    "backdrop",
    "verbose",
    "randomise_memory",
    "randomize_memory",
    "hash_mismatch_panic",
    "interface_resolution",
    "interface_branding",
    "interface_branding_colour",
    "interface_branding_color",
    "interface_help_hidden",
    "term_font",
    "term_font_size",
    "term_font_scale",
    "term_font_spacing",
    "term_palette",
    "term_palette_bright",
    "term_background",
    "term_foreground",
    "term_background_bright",
    "term_foreground_bright",
    "term_margin",
    "term_margin_gradient",
    "editor_enabled",
    "editor_highlighting",
    "editor_validation",
];

/// Whether `key` (lower-cased) is one of Limine's global options.
pub(super) fn is_global(key: &str) -> bool {
    LIMINE_GLOBALS.contains(&key)
}

/// How long Limine would show its menu. testboot has no menu and boots at
/// once; the value is still checked so a typo is caught under both loaders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    Seconds(u64),
    /// `timeout: no`: Limine waits for a key press.
    Never,
}

impl Config {
    pub(super) fn apply_global(
        &mut self,
        setting: &Setting,
        timeout_line: &mut Option<usize>,
    ) -> Result<(), ConfigError> {
        let value = setting.value.as_str();
        match setting.key.as_str() {
            "timeout" => {
                if let Some(first) = *timeout_line {
                    return Err(ConfigError::at(
                        setting.line,
                        format_args!("timeout given twice (first on line {first})"),
                    ));
                }
                *timeout_line = Some(setting.line);
                self.timeout = match value {
                    "no" => Timeout::Never,
                    _ => Timeout::Seconds(value.parse().map_err(|_| {
                        ConfigError::at(
                            setting.line,
                            format_args!("timeout must be a number of seconds or `no`, not `{value}`"),
                        )
                    })?),
                };
            }
            "default_entry" => {
                if let Some((_, first)) = self.default_entry {
                    return Err(ConfigError::at(
                        setting.line,
                        format_args!("default_entry given twice (first on line {first})"),
                    ));
                }
                let number = value.parse().map_err(|_| {
                    ConfigError::at(
                        setting.line,
                        format_args!("default_entry must be a 1-based entry number, not `{value}`"),
                    )
                })?;
                self.default_entry = Some((number, setting.line));
            }
            _ => {}
        }
        Ok(())
    }
}
