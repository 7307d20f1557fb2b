//! limine.conf: the forms MinimalOS writes, and the mistakes testboot must name.

use super::*;

const OURS: &str = "\
# MinimalOS boot menu
timeout: 0

/MinimalOS
    protocol: limine
    kernel_path: boot():/boot/kernel.elf
    cmdline: qemu-exit scenario=plain
    module_path: boot():/boot/vault.tar
    module_cmdline: vault
";

fn boot(text: &str) -> Result<BootEntry, ConfigError> {
    Config::parse(text)?.boot_entry()
}

fn error_line(text: &str) -> Option<usize> {
    boot(text).expect_err("the config should be refused").line
}

#[test]
fn reads_the_config_minimalos_ships() {
    let config = Config::parse(OURS).unwrap();
    assert_eq!(config.timeout, Timeout::Seconds(0));
    let entry = config.boot_entry().unwrap();
    assert_eq!(entry.name, "MinimalOS");
    assert_eq!(entry.kernel_path, "/boot/kernel.elf");
    assert_eq!(entry.cmdline, "qemu-exit scenario=plain");
    assert_eq!(entry.modules, [ModuleEntry { path: "/boot/vault.tar".into(), cmdline: "vault".into(), line: 8 }]);
}

#[test]
fn pairs_each_module_cmdline_with_the_module_before_it() {
    let entry = boot(
        "/K\nprotocol: limine\nkernel_path: boot():/k\nmodule_path: boot():/a\nmodule_path: boot():/b\nmodule_string: for b\n",
    )
    .unwrap();
    assert_eq!(entry.modules[0].cmdline, "");
    assert_eq!(entry.modules[1].cmdline, "for b");
}

#[test]
fn accepts_aliases_mixed_case_keys_and_crlf_line_ends() {
    let entry =
        boot("TIMEOUT: 3\r\n/K\r\n  Protocol: LIMINE\r\n\tKERNEL_PATH: boot():/k.elf  \r\nkernel_cmdline: a b\r\n")
            .unwrap();
    assert_eq!(entry.kernel_path, "/k.elf");
    assert_eq!(entry.cmdline, "a b");
}

#[test]
fn ignores_unknown_globals_before_the_first_entry() {
    let entry = boot("some_future_option: yes\ninterface_branding: hi\n/K\nprotocol: limine\nkernel_path: boot():/k\n");
    assert!(entry.is_ok());
}

#[test]
fn boots_the_default_entry_counting_from_one() {
    let text = "default_entry: 2\n/One\nprotocol: linux\n/Two\nprotocol: limine\nkernel_path: boot():/two\n";
    assert_eq!(boot(text).unwrap().name, "Two");
}

#[test]
fn leaves_entries_it_does_not_boot_unchecked() {
    let text = "/Ours\nprotocol: limine\nkernel_path: boot():/k\n/Other\nprotocol: multiboot2\nresolution: 800x600\n";
    assert_eq!(boot(text).unwrap().name, "Ours");
}

#[test]
fn reads_a_timeout_of_no_as_never() {
    assert_eq!(Config::parse("timeout: no\n").unwrap().timeout, Timeout::Never);
}

#[test]
fn rejects_a_config_without_entries() {
    let error = boot("timeout: 0\n").unwrap_err();
    assert_eq!(error.line, None);
    assert!(error.to_string().contains("no boot entry"), "{error}");
}

#[test]
fn rejects_a_config_without_kernel_path() {
    assert_eq!(error_line("timeout: 0\n/K\nprotocol: limine\ncmdline: x\n"), Some(2));
}

#[test]
fn rejects_an_entry_without_protocol() {
    assert_eq!(error_line("/K\nkernel_path: boot():/k\n"), Some(1));
}

#[test]
fn rejects_a_protocol_other_than_limine() {
    let error = boot("/K\nprotocol: linux\nkernel_path: boot():/k\n").unwrap_err();
    assert_eq!(error.line, Some(2));
    assert!(error.to_string().contains("`linux`"), "{error}");
}

#[test]
fn rejects_a_path_outside_the_boot_partition() {
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: hdd(1:1):/k\n"), Some(3));
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: /boot/k\n"), Some(3));
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: boot():/k\nmodule_path: boot(2):/m\n"), Some(4));
}

#[test]
fn rejects_a_hash_suffix_it_cannot_verify() {
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: boot():/k#abc\n"), Some(3));
}

#[test]
fn rejects_sub_entries() {
    let error = boot("/Dir\n//K\nprotocol: limine\nkernel_path: boot():/k\n").unwrap_err();
    assert_eq!(error.line, Some(2));
    assert!(error.to_string().contains("sub-entries"), "{error}");
}

#[test]
fn rejects_a_line_that_is_not_an_option() {
    let error = boot("/K\nprotocol: limine\nkernel_path boot():/k\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "limine.conf line 3: expected `option: value`, `/Entry name` or `# comment`, found `kernel_path boot():/k`"
    );
}

#[test]
fn rejects_options_it_would_silently_ignore() {
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: boot():/k\nresolution: 800x600\n"), Some(4));
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: boot():/k\nkernal_cmdline: typo\n"), Some(4));
}

#[test]
fn rejects_a_module_cmdline_without_a_module() {
    assert_eq!(error_line("/K\nprotocol: limine\nmodule_cmdline: x\nkernel_path: boot():/k\n"), Some(3));
}

#[test]
fn rejects_options_given_twice() {
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: boot():/a\nkernel_path: boot():/b\n"), Some(4));
    assert_eq!(error_line("/K\nprotocol: limine\nkernel_path: boot():/a\ncmdline: x\nkernel_cmdline: y\n"), Some(5));
    let twice =
        "/K\nprotocol: limine\nkernel_path: boot():/a\nmodule_path: boot():/m\nmodule_cmdline: x\nmodule_cmdline: y\n";
    assert_eq!(error_line(twice), Some(6));
}

#[test]
fn rejects_a_default_entry_past_the_last_entry() {
    assert_eq!(error_line("default_entry: 3\n/K\nprotocol: limine\nkernel_path: boot():/k\n"), Some(1));
    assert_eq!(error_line("default_entry: first\n/K\n"), Some(1));
}

#[test]
fn rejects_a_timeout_that_is_not_a_number() {
    assert_eq!(Config::parse("timeout: soon\n").unwrap_err().line, Some(1));
}

#[test]
fn rejects_macros() {
    assert_eq!(Config::parse("${ROOT}=boot():\n").unwrap_err().line, Some(1));
}

#[test]
fn rejects_entry_options_before_any_entry() {
    assert_eq!(Config::parse("kernel_path: boot():/k\n/K\n").unwrap_err().line, Some(1));
}
