//! Checks: what the referee looks at to decide an achievement.
//!
//! Every check observes the kernel from outside — its serial output (and
//! when each line arrived), the pixels on its screen, what it does with
//! keys it is sent, how QEMU exits, QEMU's own view of the devices through
//! its monitor, or the built ELF. A line where the kernel claims success is never
//! enough on its own: serial checks match the *content* the kernel
//! produced (numbers, names, file:line), and `number` checks hold those
//! values against facts the referee knows independently (the RAM it gave
//! QEMU, the screen size QEMU reports).
//!
//! `parse` turns a manifest's `[[achievement.check]]` table into a
//! [`Check`]; `evaluate` judges one against the evidence of a boot, with
//! the kinds that need more than a log in their own files: `monitor`
//! (QEMU's monitor), `over_time` (rates and changes against the host's
//! clock), `files` (an archive, a listing and a file's bytes against the
//! archive the referee reads itself), `segments` (a load plan and a
//! fault address against an ELF's program headers) and `interleave`
//! (several counters sharing one serial port: each in order, taking turns).

pub(crate) mod evaluate;
pub(crate) mod files;
mod interleave;
mod monitor;
pub(crate) mod over_time;
mod parse;
pub(crate) mod segments;

use std::time::Duration;

use regex::Regex;

use crate::manifest::Module;
pub use evaluate::{Evidence, Outcome, evaluate};
pub use parse::{RawCheck, parse_check};

/// One check of one achievement.
#[derive(Debug, Clone)]
pub struct Check {
    /// How the kernel must be booted for this check; `None` for checks of
    /// the built ELF, which need no boot.
    pub boot: Option<BootSpec>,
    pub kind: CheckKind,
    /// The longest the boot may run before it is stopped.
    pub timeout: Duration,
}

/// What a boot needs: the scenario on the command line, input sent while
/// it runs, and what the check asks of the boot. Checks with the same
/// scenario and steps share boots; the referee takes the union of what
/// they ask (every monitor command, the longest screenshot interval, the
/// longest CPU window).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BootSpec {
    pub scenario: Option<String>,
    pub steps: Vec<Step>,
    /// What the check needs from the boot.
    pub needs: Needs,
    /// A monitor command to run when the held boot settles (`monitor`).
    pub monitor: Option<String>,
    /// A counter the held boot must be given time to print (`serial-rate`).
    pub rate_window: Option<RateWindow>,
    /// A second screenshot, this long after the first (`screen-changes`).
    pub second_screenshot: Option<Duration>,
    /// Measure QEMU's own CPU time over this much wall-clock time once the
    /// held boot has settled (`host-cpu`).
    pub cpu_window: Option<Duration>,
    /// A named variation of the machine (`machine = "no-8042"`), for the
    /// few checks about hardware that is missing.
    pub machine: Option<String>,
    /// Boot modules in place of the checkpoint's (`modules = [...]`), for
    /// checks of what the kernel does with a different file: a corrupted
    /// archive, a vault without init.
    pub modules: Option<Vec<Module>>,
}

impl BootSpec {
    /// A spec that asks nothing beyond `needs`.
    pub fn new(scenario: Option<String>, steps: Vec<Step>, needs: Needs) -> Self {
        Self {
            scenario,
            steps,
            needs,
            monitor: None,
            rate_window: None,
            second_screenshot: None,
            cpu_window: None,
            machine: None,
            modules: None,
        }
    }
}

/// The machine variations a check may ask for, with the QEMU options each
/// adds. Everything else about the machine is fixed, because checks
/// compare against it.
pub const MACHINE_VARIANTS: &[(&str, &[&str])] = &[
    // A PC with no 8042 PS/2 controller at all (QEMU's q35 can leave it out).
    ("no-8042", &["-machine", "q35,i8042=off"]),
];

/// The QEMU options of a machine variation (none for the standard machine).
pub fn machine_args(variant: Option<&str>) -> Vec<String> {
    let args = variant.and_then(|name| MACHINE_VARIANTS.iter().find(|(known, _)| *known == name));
    args.map_or_else(Vec::new, |(_, args)| args.iter().map(|a| a.to_string()).collect())
}

/// Serial lines a held boot must not be stopped before: lines matching
/// `pattern` whose arrival times span at least `min_span`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RateWindow {
    /// The regex as written in the manifest (validated at parse time).
    pub pattern: String,
    pub min_span: Duration,
}

/// QEMU's CPU time over a window of wall-clock time, as the host counted
/// it (`host-cpu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuUse {
    /// User plus system time of the QEMU process during the window.
    pub cpu: Duration,
    /// The window's wall-clock length, as measured.
    pub wall: Duration,
}

/// What a check needs from its boot. A boot cannot give both a held
/// machine and an exit code: a held boot is photographed, questioned
/// through the monitor and then quit by the referee, while an unheld one
/// is left to end itself (`qemu-exit`) so its exit code means something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Needs {
    /// Only serial output: any boot of the same scenario and input will do.
    Serial,
    /// Serial output over host time: the held boot when there is one, as it
    /// keeps running after the ladder (an unheld plain boot ends there).
    SerialOverTime,
    /// A screenshot of the settled screen (held).
    Screen,
    /// QEMU's monitor, asked about the settled machine (held).
    Monitor,
    /// QEMU's own CPU time on the host, measured while the settled machine
    /// keeps running (held).
    HostCpu,
    /// The exit code the kernel leaves QEMU with.
    Exit,
}

/// One thing sent to the running kernel, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// QEMU key names (`a`, `shift-a`, `ret`, `backspace`) sent with QMP
    /// `send-key`, one key press each.
    Keys(Vec<String>),
    /// Bytes written to COM1 as if typed on the serial console.
    Serial(String),
    /// Pause, in milliseconds.
    WaitMs(u64),
    /// Wait until serial output matches this regex.
    WaitFor(String),
}

#[derive(Debug, Clone)]
pub enum CheckKind {
    /// Each `expect` regex matches, in order, and no `forbid` regex does.
    Serial { expect: Vec<Pattern>, forbid: Vec<Regex> },
    /// The pattern's first capture is a number (decimal or 0x-hex) within
    /// the bounds.
    Number { pattern: Regex, min: Option<Bound>, max: Option<Bound>, multiple_of: Option<u128> },
    /// The pattern captures `WIDTHxHEIGHT` equal to the screenshot's size.
    ScreenSize { pattern: Regex },
    /// The pixel at (x, y) has this colour, within `tolerance` per channel.
    ScreenPixel { x: u32, y: u32, rgb: [u8; 3], tolerance: u8 },
    /// At least `min_share` of the rectangle's pixels have this colour.
    ScreenRegion { x: u32, y: u32, width: u32, height: u32, rgb: [u8; 3], tolerance: u8, min_share: f64 },
    /// Text read back from the screen's 8x8 font cells matches `pattern`
    /// (its non-blank cells in `fg`/`bg` when given) and `absent` does not.
    ScreenText { pattern: Option<Pattern>, absent: Option<Regex>, scale: u32, fg: Option<[u8; 3]>, bg: Option<[u8; 3]> },
    /// The cell at (column, row) is exactly this glyph, pixel for pixel.
    ScreenCell { column: u32, row: u32, scale: u32, ch: char },
    /// The pattern's capture, an address printed on serial, lies inside
    /// the named symbol of the kernel ELF (e.g. a fault's RIP inside the
    /// function that caused it).
    /// With `file`, the symbol is looked up in that ELF (a user program,
    /// relative to the project root) instead of the kernel.
    SerialSymbol { pattern: Regex, symbol: String, file: Option<String> },
    /// The pattern's two captures are the same text (a frame handed out
    /// again after a free; counters before and after).
    SerialSame { pattern: Regex },
    /// The pattern's two captures differ (two address spaces' CR3).
    SerialDiffer { pattern: Regex },
    /// The pattern captures a (virtual, physical) pair that the `base`
    /// pattern's (virtual, physical) pair explains: both lie at the same
    /// offset from their base. With `symbol`, the virtual address must be
    /// that ELF symbol's. So a kernel's `translate` is checked against the
    /// linker and the bootloader, not against itself.
    SerialTranslation { pattern: Regex, base: Regex, symbol: Option<String> },
    /// The rectangle differs between the settle screenshot and one taken
    /// `interval` later.
    ScreenChanges { x: u32, y: u32, width: u32, height: u32, interval: Duration },
    /// The text a QEMU monitor command printed about the settled machine
    /// matches each `expect` in order and no `forbid`.
    Monitor { command: String, expect: Vec<Regex>, forbid: Vec<Regex> },
    /// A counter printed on serial (the pattern's capture) grows at `rate`
    /// per second of host time, within `tolerance` (a fraction), measured
    /// over lines at least `min_span` apart.
    SerialRate { pattern: Regex, rate: f64, tolerance: f64, min_span: Duration },
    /// Every match of `pattern` (captures: a stream name, a decimal number)
    /// whose name is one of `streams` is taken in order of appearance. Each
    /// stream counts exactly 1..=`count` in order; with `min_switches`,
    /// consecutive matches change stream at least that often; with
    /// `strict`, the streams take turns in the listed order
    /// (`a 1, b 1, a 2, b 2, …`).
    Interleave { pattern: Regex, streams: Vec<String>, count: u64, min_switches: Option<u64>, strict: bool },
    /// QEMU's own CPU time (user + system, read from the host's `/proc`)
    /// over `window` of wall-clock time after the held boot settled is
    /// less than `max_share` of that time: a guest that halts when idle.
    HostCpu { window: Duration, max_share: f64 },
    /// QEMU ended through `isa-debug-exit` with this guest code.
    Exit { code: ExitExpectation },
    /// The pattern captures (bytes, entries) the kernel reports for an
    /// archive; both must equal what `libs/ustar` finds in the archive at
    /// `file` (relative to the project root), read by the referee itself.
    /// When the archive is corrupted, `entries` counts the good entries
    /// before the bad header, and `error` (one capture) must be set and
    /// capture exactly the error `libs/ustar` reports; when it is intact,
    /// `error` must not match at all.
    Archive { pattern: Regex, file: String, error: Option<Regex> },
    /// The output of `command`, run by the kernel between `$ command` and
    /// its `[program exited with code 0 after writing N bytes]` line, is
    /// one `TYPE SIZE PATH` line for each entry of the archive at `file`
    /// (implied directories included), or with `directory` for each of
    /// that directory's direct children, in any order.
    Listing { command: String, file: String, directory: Option<String> },
    /// The output of `command`, framed the same way, is exactly the bytes
    /// of `entry` in the archive at `file` (plus the newline the kernel
    /// adds before its end line when the file does not end with one).
    FileBytes { command: String, file: String, entry: String },
    /// Every match of `pattern` (captures: address, file offset, file
    /// size, memory size, flags like `R-X`) is, in order, one PT_LOAD
    /// segment of the ELF at `file` with a non-zero memory size; with
    /// `entry` (one capture), the entry point too.
    ElfPlan { file: String, pattern: Regex, entry: Option<Regex> },
    /// The pattern's capture, an address, lies inside a PT_LOAD segment of
    /// the ELF at `file` whose flags are `flags` (`R-X`): a fault's CR2
    /// inside the program's own code.
    SerialSegment { pattern: Regex, file: String, flags: String },
    /// Properties of the built kernel ELF.
    Elf(ElfRules),
}

/// An expected pattern (serial or screen text). `{nonce}` in it stands for the random
/// word the referee puts on each boot's command line (`nonce=…`): a kernel
/// can only print it by really reading its command line.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
}

/// What `{nonce}` becomes when a pattern is validated at parse time.
pub const SAMPLE_NONCE: &str = "n0nce1234";

impl Pattern {
    pub fn regex(&self, nonce: &str) -> Regex {
        let source = self.source.replace("{nonce}", &regex::escape(nonce));
        Regex::new(&format!("(?m){source}")).unwrap_or_else(|_| Regex::new("$^").expect("valid regex"))
    }
}

/// A bound for `number` checks: a literal, or a fact of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Value(u128),
    /// The RAM QEMU was given (`-m`), in bytes.
    RamBytes,
}

/// Guest exit codes, as the kernel's `arch::qemu::ExitCode` defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitExpectation {
    Success,
    Panic,
    Code(u32),
}

impl ExitExpectation {
    pub const SUCCESS_CODE: u32 = 0x10;
    pub const PANIC_CODE: u32 = 0x11;

    pub fn code(self) -> u32 {
        match self {
            Self::Success => Self::SUCCESS_CODE,
            Self::Panic => Self::PANIC_CODE,
            Self::Code(code) => code,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ElfRules {
    /// Every PT_LOAD segment's virtual address is at least this.
    pub load_at_least: Option<u64>,
    /// The file is ET_EXEC (statically linked at a fixed address).
    pub fixed_address: bool,
    /// A section by this name exists...
    pub section: Option<String>,
    /// ...and begins with these bytes...
    pub section_starts_with: Option<Vec<u8>>,
    /// ...and ends with these bytes.
    pub section_ends_with: Option<Vec<u8>>,
    /// A symbol by this name exists.
    pub symbol: Option<String>,
    /// No PT_LOAD segment is both writable and executable.
    pub no_writable_code: bool,
    /// Regexes that must not match the disassembly (`objdump -d -M intel`),
    /// e.g. `xmm` for SSE registers or `\[rsp-` for red-zone accesses.
    pub disassembly_forbids: Vec<Regex>,
    /// Byte strings that occur nowhere in the file (a user program's text,
    /// to prove the programs are no longer embedded in the kernel).
    pub absent: Vec<String>,
}

/// Time limit for a boot when a check sets none. Under TCG the firmware
/// alone takes 5-6 s, and twice that when two boots share two cores.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);
