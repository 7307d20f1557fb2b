//! Rank VII scenarios: the vault's files through programs, the loader's
//! plan, refused forgeries, and what reading and loading cost.

use crate::arch::cpu::timestamp;
use crate::{kprintln, user};

/// The deep path of the vault, through tar's prefix field (> 100 bytes).
const DEEP: &str =
    "deep/a-directory-whose-name-is-long-enough/to-push-the-whole-path-past-the-hundred-bytes-of-the-name-field";

/// `ls` and `cat` from the vault, each framed so a referee can cut its
/// output out of the log and hold it against the archive.
pub fn tour() {
    let runs: [(&str, &[&str]); 12] = [
        ("bin/ls", &[]),
        ("bin/ls", &["docs"]),
        ("bin/ls", &[DEEP]),
        ("bin/cat", &["hello.txt"]),
        ("bin/cat", &["block.txt"]),
        ("bin/cat", &["docs/long.txt"]),
        ("bin/cat", &["empty.txt"]),
        ("bin/cat", &["docs/notes/nested.txt"]),
        ("bin/cat", &["missing.txt"]),
        ("bin/cat", &["docs"]),
        ("bin/ls", &["nowhere"]),
        ("bin/fsprobe", &[]),
    ];
    for (path, arguments) in runs {
        user::run_framed(path, arguments);
    }
    kprintln!("vault-tour: done");
}

/// The load plan of `bin/segments`, then the program itself, which ends
/// by writing to its own code.
pub fn segments() {
    match user::plan("bin/segments") {
        Ok(plan) => user::print_plan("bin/segments", &plan),
        Err(error) => kprintln!("plan bin/segments: {error}"),
    }
    user::run_and_report("bin/segments", &[]);
}

/// Every file in `bad/`: each must be refused with its reason, and the
/// kernel must go on to the next.
pub fn bad_elves() {
    let Some(vault) = crate::vault::get() else {
        kprintln!("bad-elves: there is no vault");
        return;
    };
    let mut tried = 0;
    for child in vault.children("bad") {
        let Ok(child) = child else { break };
        let path = alloc::format!("bad/{}", child.name);
        tried += 1;
        match user::run(&path, &[], user::Announce::Quiet) {
            Err(user::LoadError::Refused(reason)) => kprintln!("refused {path}: {reason}"),
            Err(other) => kprintln!("not started {path}: {other}"),
            Ok(ending) => kprintln!("ran {path}: {ending:?} (it should have been refused)"),
        }
    }
    kprintln!("bad-elves: {tried} files tried; the kernel is still standing");
}

/// Instructions (under `-icount shift=0`) to walk the vault, find a file,
/// plan an ELF, load and free it, and run a program from start to exit.
pub fn bench() {
    let Some(vault) = crate::vault::get() else {
        kprintln!("bench: vault: there is no vault");
        return;
    };
    /// Average cost of `f` over `rounds` calls, after one to warm up.
    fn per(rounds: u64, f: &mut dyn FnMut()) -> u64 {
        f();
        let start = timestamp();
        for _ in 0..rounds {
            f();
        }
        (timestamp() - start) / rounds
    }
    let summary = vault.summary();
    let walk = per(100, &mut || {
        core::hint::black_box(ustar::Archive::new(core::hint::black_box(vault.bytes())).summary());
    });
    kprintln!("bench: vault: walk all {} headers, checksums included: {walk} instructions", summary.entries);
    let walk_find = per(100, &mut || {
        core::hint::black_box(vault.find("hello.txt").ok());
    });
    kprintln!("bench: vault: find hello.txt by walking the archive: {walk_find} instructions");
    let find = per(100, &mut || {
        core::hint::black_box(crate::vault::find("hello.txt"));
    });
    kprintln!("bench: vault: find hello.txt in the boot-time index: {find} instructions");
    let Ok(file) = vault.find("bin/segments").map(|e| e.map(|e| e.data)) else { return };
    let Some(file) = file else { return };
    let plan = per(100, &mut || {
        core::hint::black_box(elfplan::plan(file).ok());
    });
    kprintln!("bench: vault: plan bin/segments ({} bytes): {plan} instructions", file.len());
    let run = per(20, &mut || {
        user::run("bin/answer", &[], user::Announce::Quiet).ok();
    });
    kprintln!("bench: vault: run bin/answer (find, plan, load, enter, print, exit, free): {run} instructions");
}
