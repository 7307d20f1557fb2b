//! `monitor` checks: QEMU's own account of the emulated chips.
//!
//! A kernel can print "PIC masked" whether or not it masked anything, but
//! QEMU's monitor (`info pic`, `info lapic`) reports what the device models
//! actually hold. When a held boot settles, the referee asks QEMU every
//! command its checks want, through QMP's `human-monitor-command`, and
//! keeps the text; a check then matches regexes against it, like a serial
//! check does against the log.
//!
//! Only read-only `info` commands are allowed. The monitor can also reset
//! the machine, write files on the host or quit, and a check must observe
//! the machine, never change it.

use regex::Regex;

use super::Outcome;
use super::evaluate::{Evidence, display_regex, ending_note, tail};

/// The monitor commands a check may ask for.
pub const MONITOR_COMMANDS: &[&str] = &["info pic", "info lapic", "info registers", "info irq", "info tlb", "info mem"];

/// How many lines of the monitor's answer a failure message shows.
const SHOWN_LINES: usize = 8;

/// Validates `command` against the allow-list.
pub fn command(text: Option<&str>) -> Result<String, String> {
    let text = text.ok_or("a monitor check needs `command`, like \"info pic\"")?;
    if !MONITOR_COMMANDS.contains(&text) {
        return Err(format!(
            "monitor command {text:?} is not allowed; a check may ask for one of: {}",
            MONITOR_COMMANDS.join(", ")
        ));
    }
    Ok(text.to_string())
}

/// Each `expect` matches the command's answer after the previous one, and
/// no `forbid` matches anywhere.
pub fn judge(command: &str, expect: &[Regex], forbid: &[Regex], evidence: &Evidence) -> Outcome {
    let Some(answer) = evidence.monitor.get(command) else {
        return Outcome::fail(format!("QEMU's monitor gave no answer to `{command}` {}", ending_note(evidence)));
    };
    for pattern in forbid {
        if let Some(found) = pattern.find(answer) {
            return Outcome::fail(format!(
                "`{command}` shows forbidden /{}/:\n{}",
                display_regex(pattern),
                quote(line_around(answer, found.start()))
            ));
        }
    }
    let mut from = 0;
    let mut seen = Vec::new();
    for pattern in expect {
        match pattern.find_at(answer, from) {
            Some(found) => {
                seen.push(format!("{:?}", found.as_str().trim()));
                from = found.end();
            }
            None => {
                let after = seen.last().map(|s| format!(" after {s}")).unwrap_or_default();
                return Outcome::fail(format!(
                    "expected /{}/ in what `{command}` reports{after}; QEMU said:\n{}",
                    display_regex(pattern),
                    relevant_lines(answer, pattern.as_str())
                ));
            }
        }
    }
    if seen.is_empty() {
        Outcome::pass(format!("nothing forbidden in `{command}`"))
    } else {
        Outcome::pass(format!("`{command}` shows {}", seen.join(", ")))
    }
}

/// The lines of the answer that mention a word of the pattern (`pic0`,
/// `irq_base`, `LVTT`), so a failure shows the register that was wrong
/// rather than all 28 lines of `info pic`; else the answer's end.
fn relevant_lines(answer: &str, source: &str) -> String {
    let words = words_of(source);
    let mentioned: Vec<&str> =
        answer.lines().filter(|line| words.iter().any(|word| line.contains(word.as_str()))).take(SHOWN_LINES).collect();
    if mentioned.is_empty() { tail(answer, SHOWN_LINES) } else { quote(&mentioned.join("\n")) }
}

/// Runs of letters, digits and `_` of three or more characters, skipping
/// regex escapes such as `\d` and `\s` and the inside of `[...]` classes.
fn words_of(source: &str) -> Vec<String> {
    let source = source.trim_start_matches("(?m)");
    let mut words = Vec::new();
    let mut current = String::new();
    let (mut escaped, mut in_class) = (false, false);
    for c in source.chars() {
        let plain = !escaped && !in_class && (c.is_ascii_alphanumeric() || c == '_');
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            _ => {}
        }
        if plain {
            current.push(c);
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    words.push(current);
    words.retain(|word| word.len() >= 3);
    words
}

fn line_around(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    &text[start..end]
}

fn quote(lines: &str) -> String {
    lines.lines().map(|line| format!("    | {}", line.trim_end())).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_escapes_and_classes() {
        assert_eq!(words_of(r"(?m)^pic0: .*irq_base=20"), ["pic0", "irq_base"]);
        assert_eq!(words_of(r"^LVTT\s+0x[0-9a-f]+ .*periodic"), ["LVTT", "periodic"]);
        assert!(words_of(r"\d+").is_empty());
    }

    #[test]
    fn only_read_only_commands_are_allowed() {
        assert_eq!(command(Some("info pic")).unwrap(), "info pic");
        let error = command(Some("system_reset")).unwrap_err();
        assert!(error.contains("not allowed") && error.contains("info lapic"), "{error}");
        assert!(command(None).unwrap_err().contains("needs `command`"));
    }
}
