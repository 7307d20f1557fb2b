//! Rank VI scenarios: programs in ring 3.

use crate::user;

/// The first program: ring 3, system calls, unknown numbers.
pub fn ring3() {
    user::run_and_report("bin/first", &[]);
}

/// One program returns 42, another panics (the runtime exits with 101).
pub fn exits() {
    user::run_and_report("bin/answer", &[]);
    user::run_and_report("bin/crash", &["panic"]);
}

/// `hlt` in ring 3: #GP ends the program, the kernel goes on.
pub fn privileged() {
    user::run_and_report("bin/privileged", &[]);
}

/// `write` handed five bad pointers: EFAULT each time, the program lives.
pub fn pointers() {
    user::run_and_report("bin/pointers", &[]);
}

/// A program spins in ring 3 for about two seconds; the timer keeps
/// interrupting it, landing on TSS.RSP0 each time.
pub fn spin() {
    use crate::interrupts::timer;
    let (before, ticks_before) = (timer::interrupts(), timer::ticks());
    crate::kprintln!("user-spin: {before} timer interrupts so far, tick {ticks_before}");
    let ticks = alloc::format!("{}", 2 * timer::tsc_per_second());
    user::run_and_report("bin/spin", &[&ticks]);
    let (after, ticks_after) = (timer::interrupts(), timer::ticks());
    crate::kprintln!("user-spin: {after} timer interrupts so far, tick {ticks_after}");
    crate::kprintln!("user-spin: {} timer interrupts arrived while the program ran in ring 3", after - before);
}

/// The kernel reads a user page outside any user-access window.
pub fn smap_violation() {
    match user::read_user_page_without_window("bin/first") {
        Ok((address, byte)) => {
            crate::kprintln!("smap-violation: read {byte:#x} at {address:#x} without a fault: SMAP is off")
        }
        Err(error) => crate::kprintln!("smap-violation: {error}"),
    }
}

/// The null system call's cost (`make bench`).
pub fn syscall_bench() {
    user::run_and_report("bin/nullcall", &[]);
}

/// The hostile program, once per attack; one verdict line each.
pub fn hostile() {
    const ATTACKS: [&str; 5] = [
        "read kernel memory",
        "jump into kernel code",
        "int 0x20",
        "syscall with RSP in the kernel half",
        "syscall at the end of the last user page",
    ];
    for (number, name) in (1u64..).zip(ATTACKS) {
        let attack = alloc::format!("{number}");
        let verdict = user::run_and_report("bin/hostile", &[&attack]);
        let said = match verdict {
            Some(user::Ending::Killed { vector, rip }) => {
                alloc::format!("program ended by vector {vector} at {rip:#x}")
            }
            Some(user::Ending::BadReturn(rip)) => alloc::format!("refused to sysret to {rip:#x}; program ended"),
            Some(user::Ending::Exited(code)) => {
                alloc::format!("program exited with code {code}: the attack got through")
            }
            None => "program did not start".into(),
        };
        crate::kprintln!("hostile: attack {number} ({name}): {said}");
    }
    crate::kprintln!("hostile: the kernel is still standing");
}
