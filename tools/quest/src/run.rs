//! `quest run`: boot a checkpoint for a person, not a check.
//!
//! A window when a display exists, the serial console on the terminal
//! either way (QEMU's `mon:stdio`: Ctrl-A X quits, Ctrl-A C opens the
//! monitor). With `--gdb`, QEMU waits for a debugger and `gdb` starts
//! with the kernel's symbols loaded.

use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::machine::{self, Accel, EspSpec, Firmware, Loader};
use crate::manifest::Rank;
use crate::project::Project;

pub struct RunOptions<'a> {
    pub rank: &'a Rank,
    pub loader: Loader,
    pub accel: Accel,
    pub headless: bool,
    pub gdb: bool,
    pub cmdline: String,
}

pub fn run(project: &Project, options: RunOptions) -> Result<i32> {
    let firmware = Firmware::find()?;
    let kernel = project.require_kernel(options.rank.number)?;
    let run_dir = project.build.join(format!("run/rank-{}", options.rank.number));
    let esp_dir = run_dir.join("esp");
    let mut cmdline = options.rank.checkpoint.cmdline.clone();
    cmdline.push(' ');
    cmdline.push_str(&options.cmdline);
    let modules = options.rank.checkpoint.modules.iter().map(|m| (project.root.join(&m.path), m.clone())).collect();
    let spec = EspSpec {
        loader: &options.loader,
        kernel: &kernel,
        title: format!("MinimalOS rank {}", options.rank.numeral),
        cmdline: cmdline.trim().to_string(),
        modules,
    };
    machine::build_esp(&esp_dir, &spec)?;
    let vars = run_dir.join("OVMF_VARS.fd");
    std::fs::copy(&firmware.vars, &vars).with_context(|| format!("copying {}", firmware.vars.display()))?;

    let display =
        !options.headless && (std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some());
    let mut command = Command::new(crate::machine::qemu_binary());
    let qemu_args = &options.rank.checkpoint.qemu;
    command.args(machine::base_args(&firmware, &vars, &esp_dir, options.accel, qemu_args));
    if !display {
        command.args(["-display", "none"]);
    }
    if options.gdb {
        return run_with_gdb(command, &kernel, &run_dir, display);
    }
    command.args(["-serial", "mon:stdio"]);
    let extra = if qemu_args.is_empty() { String::new() } else { format!(" (QEMU {})", qemu_args.join(" ")) };
    eprintln!(
        "Rank {} {}: {}{extra}. Serial console below; quit with Ctrl-A then X.",
        options.rank.numeral,
        options.rank.name,
        if display { "QEMU window open" } else { "no display found, running headless" }
    );
    let status = command.status().context("starting qemu-system-x86_64")?;
    Ok(status.code().unwrap_or(1))
}

fn run_with_gdb(
    mut command: Command,
    kernel: &std::path::Path,
    run_dir: &std::path::Path,
    display: bool,
) -> Result<i32> {
    let serial_log = run_dir.join("serial.txt");
    command.args(["-s", "-S", "-serial"]).arg(format!("file:{}", serial_log.display())).stdin(Stdio::null());
    let mut qemu = command.spawn().context("starting qemu-system-x86_64")?;
    eprintln!("QEMU is waiting for GDB on localhost:1234 (serial output goes to {}).", serial_log.display());
    if !display {
        eprintln!("No display: watch the serial log with `tail -f {}`.", serial_log.display());
    }
    eprintln!(
        "`hbreak kmain` is a *hardware* breakpoint: the kernel is not in memory until the loader\n\
         puts it there, so a software breakpoint written now would be overwritten. Then `continue`."
    );
    let gdb = Command::new("gdb")
        .arg("-q")
        .arg(kernel)
        .args(["-ex", "target remote localhost:1234", "-ex", "hbreak kmain", "-ex", "continue"])
        .status();
    let _ = qemu.kill();
    let _ = qemu.wait();
    match gdb {
        Ok(status) => Ok(status.code().unwrap_or(0)),
        Err(_) => {
            eprintln!("gdb was not found (Debian/Ubuntu: sudo apt-get install gdb).");
            Ok(1)
        }
    }
}
