//! Limine versus testboot: the same checkpoint must tell the same story
//! under both loaders.
//!
//! testboot exists so tests can boot where Limine cannot be downloaded; it
//! is only trustworthy while the kernel cannot tell the difference. This
//! compares the boot summaries of one checkpoint booted both ways, field by
//! field, allowing only what legitimately differs: the bootloader's name,
//! where things landed in physical memory, and a little usable memory (each
//! loader keeps a different amount for itself).

use std::collections::BTreeMap;

/// The summary's labels, as `kernel/src/boot/summary.rs` prints them.
const LABELS: &[&str] = &[
    "bootloader",
    "base revision",
    "firmware",
    "boot stack",
    "hhdm offset",
    "memory map",
    "framebuffer",
    "acpi rsdp",
    "kernel at",
    "kernel file",
    "command line",
    "modules",
];

/// Usable memory may differ by this much between loaders.
const USABLE_TOLERANCE_BYTES: u64 = 8 * 1024 * 1024;

/// Label → value for each summary line found in a (cleaned) serial log.
pub fn summary_fields(serial: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in serial.lines() {
        let Some(rest) = line.strip_prefix("  ") else { continue };
        for label in LABELS {
            if let Some(value) = rest.strip_prefix(label)
                && value.starts_with(' ')
            {
                fields.insert(label.to_string(), value.trim().to_string());
            }
        }
    }
    fields
}

/// Differences that matter, as sentences; empty when the boots agree.
pub fn differences(limine: &str, testboot: &str) -> Vec<String> {
    let a = summary_fields(limine);
    let b = summary_fields(testboot);
    let mut problems = Vec::new();
    for label in LABELS {
        let (Some(x), Some(y)) = (a.get(*label), b.get(*label)) else {
            if a.contains_key(*label) != b.contains_key(*label) {
                problems.push(format!("`{label}` is printed under only one loader"));
            }
            continue;
        };
        let same = match *label {
            "bootloader" | "acpi rsdp" => true,
            "kernel at" => first_word(x) == first_word(y),
            // Every boot carries its own `nonce=` word.
            "command line" => without_nonce(x) == without_nonce(y),
            "memory map" => match (usable_bytes(x), usable_bytes(y)) {
                (Some(p), Some(q)) => p.abs_diff(q) <= USABLE_TOLERANCE_BYTES,
                _ => false,
            },
            _ => x == y,
        };
        if !same {
            problems.push(format!("`{label}` differs: limine says {x:?}, testboot says {y:?}"));
        }
    }
    if a.is_empty() {
        problems.push("no summary found in the Limine boot".into());
    }
    problems
}

fn without_nonce(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| !w.starts_with("nonce="))
        .collect::<Vec<_>>()
        .join(" ")
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}

/// The exact byte count in "… usable (259350528 bytes in 14 regions)".
fn usable_bytes(text: &str) -> Option<u64> {
    let start = text.find('(')? + 1;
    text[start..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMINE: &str = "MinimalOS 0.1.0\n  bootloader    Limine 8.2.0\n  hhdm offset   0xffff800000000000\n  memory map    36 entries, 247.3 MiB usable (259350528 bytes in 14 regions)\n  framebuffer   1280x800, 32 bpp\n  acpi rsdp     0xffff80000f77d014\n  kernel at     0xffffffff80000000 (physical 0xde9f000)\n  command line  \"qemu-exit\"\n";

    #[test]
    fn boots_that_differ_only_legitimately_agree() {
        let testboot = LIMINE
            .replace("Limine 8.2.0", "MinimalOS testboot 0.1.0")
            .replace("36 entries, 247.3 MiB usable (259350528", "20 entries, 246.1 MiB usable (258080768")
            .replace("0xf77d014", "0xf77e014")
            .replace("0xde9f000", "0x200000");
        assert_eq!(differences(LIMINE, &testboot), Vec::<String>::new());
    }

    #[test]
    fn the_nonce_on_each_boots_command_line_is_not_a_difference() {
        let a = LIMINE.replace("\"qemu-exit\"", "\"qemu-exit nonce=1234abcd\"");
        let b = LIMINE.replace("\"qemu-exit\"", "\"qemu-exit nonce=99999999\"");
        assert_eq!(differences(&a, &b), Vec::<String>::new());
        let c = LIMINE.replace("\"qemu-exit\"", "\"scenario=panic nonce=99999999\"");
        assert_eq!(differences(&a, &c).len(), 1);
    }

    #[test]
    fn a_different_framebuffer_or_hhdm_is_reported() {
        let testboot = LIMINE.replace("1280x800", "800x600").replace("0xffff800000000000", "0xffff900000000000");
        let problems = differences(LIMINE, &testboot);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("hhdm offset") || problems[1].contains("hhdm offset"));
    }

    #[test]
    fn much_less_usable_memory_is_reported() {
        let testboot = LIMINE.replace("(259350528", "(200000000");
        assert_eq!(differences(LIMINE, &testboot).len(), 1);
    }

    #[test]
    fn a_missing_line_is_reported() {
        let testboot = LIMINE.replace("  framebuffer   1280x800, 32 bpp\n", "");
        assert_eq!(differences(LIMINE, &testboot), vec!["`framebuffer` is printed under only one loader".to_string()]);
    }
}
