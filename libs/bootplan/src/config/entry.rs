//! The entry that boots, validated option by option.
//!
//! Only the Limine protocol's options that MinimalOS uses are implemented:
//! `protocol: limine`, `kernel_path`, `cmdline` (alias `kernel_cmdline`),
//! and repeated `module_path`, each optionally followed by `module_cmdline`
//! (alias `module_string`). Paths must be `boot():/...`, the partition the
//! configuration came from. `comment` only labels Limine's menu and `kaslr`
//! only matters for relocatable kernels (which testboot refuses), so both
//! are accepted; any other option is refused with its line, because
//! ignoring, say, `resolution` would boot differently from Limine.

use alloc::string::String;
use alloc::vec::Vec;

use super::{ConfigError, Entry, Setting};

/// Options an entry may hold that testboot implements or may safely ignore.
const LOCAL_OPTIONS: &[&str] = &[
    "protocol",
    "kernel_path",
    "cmdline",
    "kernel_cmdline",
    "module_path",
    "module_cmdline",
    "module_string",
    "comment",
    "kaslr",
];

/// Limine-protocol options testboot knows but does not implement.
const REFUSED_LOCAL_OPTIONS: &[&str] = &[
    "resolution",
    "textmode",
    "dtb_path",
    "paging_mode",
    "max_paging_mode",
    "min_paging_mode",
    "randomise_hhdm_base",
    "randomize_hhdm_base",
    "image_path",
];

/// One module to load: its path on the boot volume (leading `/`) and the
/// string handed to the kernel with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleEntry {
    pub path: String,
    pub cmdline: String,
    /// The `module_path` line, for error messages.
    pub line: usize,
}

/// Everything needed to boot one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootEntry {
    pub name: String,
    /// Path on the boot volume, with a leading `/` (the form Limine reports
    /// in `limine_file.path`).
    pub kernel_path: String,
    pub cmdline: String,
    pub modules: Vec<ModuleEntry>,
}

/// Whether `key` is an option that belongs inside an entry.
pub(super) fn is_local_option(key: &str) -> bool {
    LOCAL_OPTIONS.contains(&key) || REFUSED_LOCAL_OPTIONS.contains(&key)
}

impl BootEntry {
    pub(super) fn from_entry(entry: &Entry) -> Result<Self, ConfigError> {
        let mut protocol: Option<&Setting> = None;
        let mut kernel_path: Option<&Setting> = None;
        let mut cmdline: Option<&Setting> = None;
        let mut modules: Vec<ModuleEntry> = Vec::new();
        let mut module_cmdline_lines: Vec<Option<usize>> = Vec::new();

        for setting in &entry.settings {
            match setting.key.as_str() {
                "protocol" => set_once(&mut protocol, setting)?,
                "kernel_path" => set_once(&mut kernel_path, setting)?,
                "cmdline" | "kernel_cmdline" => set_once(&mut cmdline, setting)?,
                "module_path" => {
                    modules.push(ModuleEntry { path: boot_path(setting)?, cmdline: String::new(), line: setting.line });
                    module_cmdline_lines.push(None);
                }
                "module_cmdline" | "module_string" => {
                    let (Some(module), Some(seen)) = (modules.last_mut(), module_cmdline_lines.last_mut()) else {
                        return Err(ConfigError::at(
                            setting.line,
                            format_args!("{} comes before any module_path", setting.key),
                        ));
                    };
                    if let Some(first) = *seen {
                        return Err(ConfigError::at(
                            setting.line,
                            format_args!(
                                "second command line for the module on line {} (first on line {first})",
                                module.line
                            ),
                        ));
                    }
                    *seen = Some(setting.line);
                    module.cmdline = setting.value.clone();
                }
                "comment" | "kaslr" => {}
                key if REFUSED_LOCAL_OPTIONS.contains(&key) => {
                    return Err(ConfigError::at(
                        setting.line,
                        format_args!("option `{key}` is not implemented by testboot"),
                    ));
                }
                key => {
                    return Err(ConfigError::at(
                        setting.line,
                        format_args!("unknown option `{key}` in entry `{}`", entry.name),
                    ));
                }
            }
        }

        match protocol {
            None => {
                return Err(ConfigError::at(
                    entry.line,
                    format_args!("entry `{}` has no `protocol: limine` line", entry.name),
                ));
            }
            Some(setting) if !setting.value.eq_ignore_ascii_case("limine") => {
                return Err(ConfigError::at(
                    setting.line,
                    format_args!(
                        "protocol `{}` is not supported; testboot boots only `protocol: limine`",
                        setting.value
                    ),
                ));
            }
            Some(_) => {}
        }
        let Some(kernel_path) = kernel_path else {
            return Err(ConfigError::at(entry.line, format_args!("entry `{}` has no kernel_path", entry.name)));
        };
        Ok(BootEntry {
            name: entry.name.clone(),
            kernel_path: boot_path(kernel_path)?,
            cmdline: cmdline.map(|setting| setting.value.clone()).unwrap_or_default(),
            modules,
        })
    }
}

/// Records a setting that may appear once per entry.
fn set_once<'a>(slot: &mut Option<&'a Setting>, setting: &'a Setting) -> Result<(), ConfigError> {
    if let Some(first) = slot {
        return Err(ConfigError::at(
            setting.line,
            format_args!("{} given twice (first on line {})", setting.key, first.line),
        ));
    }
    *slot = Some(setting);
    Ok(())
}

/// `boot():/dir/file` → `/dir/file`. Other resources (`hdd(...)`,
/// `boot(2)`, `guid(...)`) and blake2b `#hash` suffixes are refused.
fn boot_path(setting: &Setting) -> Result<String, ConfigError> {
    let value = setting.value.trim_end_matches([' ', '\t']);
    let Some(path) = value.strip_prefix("boot():") else {
        return Err(ConfigError::at(
            setting.line,
            format_args!(
                "{} `{value}` must start with `boot():` (the boot partition); other resources are not supported",
                setting.key
            ),
        ));
    };
    if path.contains('#') {
        return Err(ConfigError::at(setting.line, "blake2b hash suffixes (`#...`) are not supported by testboot"));
    }
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return Err(ConfigError::at(setting.line, format_args!("{} names no file", setting.key)));
    }
    Ok(["/", path].concat())
}
