//! The referee: plans boots, runs them in parallel, judges every check.
//!
//! Boots are the expensive part (seconds each under TCG), so checks that
//! need the same boot — same checkpoint, scenario and input — share one,
//! and independent boots run side by side, as many as there are cores.
//! The honesty run is the same machinery pointed at checkpoint N−1.
//! `group.rs` decides which boots a set of checks needs.

mod group;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::checks::{BootSpec, Check, Evidence, Needs, Outcome, evaluate};
use crate::machine::{self, Accel, BootRecord, BootRequest, EspSpec, Firmware, HoldPlan, Loader, RAM_BYTES};
use crate::manifest::{Module, Rank};
use crate::project::Project;
use crate::results::{AchievementResult, CheckResult, Status};
use crate::screen::Image;
use group::Group;

/// How boots are made.
pub struct Machine {
    pub loader: Loader,
    pub accel: Accel,
    pub firmware: Firmware,
    pub jobs: usize,
}

/// One boot to make: checkpoint `checkpoint`, booted with rank `rank`'s
/// configuration and a spec.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BootKey {
    pub checkpoint: u8,
    pub rank: u8,
    pub scenario: Option<String>,
    pub steps: Vec<crate::checks::Step>,
    /// A machine variation (`checks::MACHINE_VARIANTS`), if any.
    pub machine: Option<String>,
    /// Modules in place of the checkpoint's, if the checks ask for others.
    pub modules: Option<Vec<Module>>,
    /// Wait for the boot to settle, question and screenshot it (checks of
    /// the screen and the monitor), rather than let the kernel exit QEMU
    /// (checks that read the exit code). Serial-only checks ride along
    /// with either.
    pub hold: bool,
}

/// A boot's identity without the hold flag: checkpoint, rank, scenario,
/// input, machine and modules.
type GroupKey = (u8, u8, Option<String>, Vec<crate::checks::Step>, Option<String>, Option<Vec<Module>>);

struct Job {
    key: BootKey,
    timeout: Duration,
    /// `Some` for a held boot.
    plan: Option<HoldPlan>,
    /// The checked rank's `[checkpoint]`: honesty boots of checkpoint
    /// N−1 use rank N's command line, modules and QEMU arguments.
    config: crate::manifest::Checkpoint,
}

impl Job {
    /// The modules this boot loads: the checks' own, else the checkpoint's.
    fn modules(&self) -> &[Module] {
        self.key.modules.as_deref().unwrap_or(&self.config.modules)
    }
}

/// Every module file must be there before a boot is made; a missing one
/// is named with the `make` target that builds it.
fn require_modules(project: &Project, modules: &[Module]) -> Result<()> {
    for module in modules {
        if !project.root.join(&module.path).is_file() {
            anyhow::bail!("the boot module {}", crate::project::missing(&module.path));
        }
    }
    Ok(())
}

/// Judges `rank`'s achievements against checkpoint `checkpoint`.
pub fn judge(project: &Project, machine: &Machine, targets: &[(&Rank, u8)]) -> Result<Vec<Vec<AchievementResult>>> {
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    let mut configs: BTreeMap<u8, &Rank> = BTreeMap::new();
    for (rank, checkpoint) in targets {
        project.require_kernel(*checkpoint)?;
        configs.insert(rank.number, rank);
        // The plain boot of every checkpoint is made, for its screenshot.
        let plain = BootSpec::new(None, Vec::new(), Needs::Screen);
        let specs = rank
            .achievements
            .iter()
            .flat_map(|a| a.checks.iter())
            .filter_map(|c| c.boot.as_ref().map(|b| (b, c.timeout)));
        for (spec, timeout) in specs.chain([(&plain, crate::checks::DEFAULT_TIMEOUT)]) {
            groups.entry(group_key(rank.number, *checkpoint, spec)).or_default().add(spec, timeout);
        }
    }
    let mut jobs = Vec::new();
    for ((checkpoint, rank, scenario, steps, variant, modules), group) in &groups {
        for hold in [true, false] {
            if (hold && !group.makes_held()) || (!hold && !group.makes_unheld()) {
                continue;
            }
            jobs.push(Job {
                key: BootKey {
                    checkpoint: *checkpoint,
                    rank: *rank,
                    scenario: scenario.clone(),
                    steps: steps.clone(),
                    machine: variant.clone(),
                    modules: modules.clone(),
                    hold,
                },
                timeout: group.timeout,
                plan: hold.then(|| group.plan()),
                config: configs[rank].checkpoint.clone(),
            });
        }
    }

    // Before any boot starts, so a missing file costs no waiting.
    for job in &jobs {
        require_modules(project, job.modules())?;
    }
    let records = run_jobs(project, machine, jobs)?;

    let mut all = Vec::new();
    for (rank, checkpoint) in targets {
        let elf = std::fs::read(project.kernel(*checkpoint))?;
        let mut screens: BTreeMap<BootKey, Screens> = BTreeMap::new();
        let mut results = Vec::new();
        for achievement in &rank.achievements {
            let mut checks = Vec::new();
            for check in &achievement.checks {
                let outcome = judge_check(check, rank.number, *checkpoint, &groups, &records, &mut screens, &elf);
                checks.push(CheckResult { describe: crate::describe::check(check), outcome });
            }
            let status = if checks.is_empty() {
                Status::NotCheckable
            } else if checks.iter().all(|c| c.outcome.passed) {
                Status::Unlocked
            } else {
                Status::Locked
            };
            results.push(AchievementResult { id: achievement.id.clone(), status, checkpoint: *checkpoint, checks });
        }
        save_screenshot(project, rank.number, *checkpoint, &records)?;
        all.push(results);
    }
    Ok(all)
}

fn group_key(rank: u8, checkpoint: u8, spec: &BootSpec) -> GroupKey {
    (checkpoint, rank, spec.scenario.clone(), spec.steps.clone(), spec.machine.clone(), spec.modules.clone())
}

/// The boot a check is judged on.
fn key_for(rank: u8, checkpoint: u8, spec: &BootSpec, groups: &BTreeMap<GroupKey, Group>) -> BootKey {
    let group_key = group_key(rank, checkpoint, spec);
    let hold = groups.get(&group_key).is_some_and(|g| g.hold_for(spec.needs));
    let (checkpoint, rank, scenario, steps, machine, modules) = group_key;
    BootKey { checkpoint, rank, scenario, steps, machine, modules, hold }
}

/// A boot's screenshots, decoded once for all the checks that read them.
struct Screens {
    first: Option<Image>,
    second: Option<(Image, Duration)>,
}

impl Screens {
    fn load(record: &BootRecord) -> Self {
        let first = record.screenshot.as_ref().and_then(|path| Image::load(path).ok());
        let second =
            record.second_screenshot.as_ref().and_then(|(path, after)| Some((Image::load(path).ok()?, *after)));
        Self { first, second }
    }
}

fn judge_check(
    check: &Check,
    rank: u8,
    checkpoint: u8,
    groups: &BTreeMap<GroupKey, Group>,
    records: &BTreeMap<BootKey, BootRecord>,
    screens: &mut BTreeMap<BootKey, Screens>,
    elf: &[u8],
) -> Outcome {
    let no_boot = machine::Ending::Stopped;
    let no_answers = BTreeMap::new();
    let (serial, lines, ending, screen, nonce, monitor, host_cpu) = match &check.boot {
        None => (String::new(), &[][..], &no_boot, None, "", &no_answers, None),
        Some(spec) => {
            let key = key_for(rank, checkpoint, spec, groups);
            let Some(record) = records.get(&key) else {
                return Outcome { passed: false, detail: "the boot for this check did not run".into() };
            };
            let screen = screens.entry(key).or_insert_with(|| Screens::load(record));
            let serial = machine::clean_serial(&record.serial);
            let host_cpu = record.host_cpu.as_ref();
            (
                serial,
                &record.lines[..],
                &record.ending,
                Some(&*screen),
                record.nonce.as_str(),
                &record.monitor,
                host_cpu,
            )
        }
    };
    let evidence = Evidence {
        serial: &serial,
        lines,
        ending,
        screen: screen.and_then(|s| s.first.as_ref()),
        second_screen: screen.and_then(|s| s.second.as_ref().map(|(image, after)| (image, *after))),
        monitor,
        ram_bytes: RAM_BYTES,
        elf,
        nonce,
        host_cpu,
    };
    let mut outcome = evaluate(&check.kind, &evidence);
    if !outcome.passed
        && let Some(spec) = &check.boot
        && let Some(record) = records.get(&key_for(rank, checkpoint, spec, groups))
        && !record.notes.is_empty()
    {
        outcome.detail.push_str(&format!(" [{}]", record.notes.join("; ")));
    }
    outcome
}

/// Keeps the plain boot's screenshot as `build/screens/rank-N.png` when
/// the checkpoint is the rank's own.
fn save_screenshot(project: &Project, rank: u8, checkpoint: u8, records: &BTreeMap<BootKey, BootRecord>) -> Result<()> {
    if rank != checkpoint {
        return Ok(());
    }
    let key = BootKey { checkpoint, rank, scenario: None, steps: Vec::new(), machine: None, modules: None, hold: true };
    if let Some(path) = records.get(&key).and_then(|r| r.screenshot.as_ref()) {
        std::fs::create_dir_all(project.screens_dir())?;
        let image = Image::load(path)?;
        image.save_png(&project.screens_dir().join(format!("rank-{rank}.png")))?;
    }
    Ok(())
}

fn run_jobs(project: &Project, machine: &Machine, jobs: Vec<Job>) -> Result<BTreeMap<BootKey, BootRecord>> {
    let total = jobs.len();
    let queue = Mutex::new(jobs);
    let records = Mutex::new(BTreeMap::new());
    let errors = Mutex::new(Vec::new());
    let done = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..machine.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(job) = queue.lock().expect("queue").pop() else { break };
                    let label = label(&job.key);
                    match run_job(project, machine, &job) {
                        Ok(record) => {
                            let mut count = done.lock().expect("count");
                            *count += 1;
                            eprintln!(
                                "  [{}/{total}] {label}: {} in {:.1} s",
                                *count,
                                record.ending,
                                record.elapsed.as_secs_f64()
                            );
                            records.lock().expect("records").insert(job.key, record);
                        }
                        Err(e) => errors.lock().expect("errors").push(format!("{label}: {e:#}")),
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().expect("errors");
    if !errors.is_empty() {
        anyhow::bail!("boots failed to run:\n  {}", errors.join("\n  "));
    }
    Ok(records.into_inner().expect("records"))
}

fn label(key: &BootKey) -> String {
    let mut text = format!("checkpoint {}", key.checkpoint);
    if key.rank != key.checkpoint {
        text.push_str(&format!(" (rank {} honesty)", key.rank));
    }
    text.push_str(&format!(", scenario {}", key.scenario.as_deref().unwrap_or("plain")));
    if let Some(modules) = &key.modules {
        let paths: Vec<&str> = modules.iter().map(|m| m.path.as_str()).collect();
        text.push_str(&format!(", modules [{}]", paths.join(", ")));
    }
    if key.hold {
        text.push_str(", screenshot");
    }
    if !key.steps.is_empty() {
        text.push_str(&format!(", {} input steps", key.steps.len()));
    }
    text
}

fn run_job(project: &Project, machine: &Machine, job: &Job) -> Result<BootRecord> {
    let key = &job.key;
    let run_dir = project.quest_dir().join("runs").join(run_dir_name(machine.loader.name(), key));
    let esp_dir = run_dir.join("esp");
    let mut cmdline = job.config.cmdline.clone();
    // A held boot must survive a panic long enough to be photographed, so
    // only unheld boots ask the kernel to leave QEMU.
    if !key.hold {
        cmdline.push_str(" qemu-exit");
    }
    // `{nonce}` in a scenario becomes this boot's nonce, so a check can
    // choose values (a fault address) no kernel can know in advance.
    let nonce = nonce();
    if let Some(scenario) = &key.scenario {
        cmdline.push_str(&format!(" scenario={}", scenario.replace("{nonce}", &nonce)));
    }
    cmdline.push_str(&format!(" nonce={nonce}"));
    let kernel = project.kernel(key.checkpoint);
    let modules = job.modules();
    require_modules(project, modules)?;
    let modules: Vec<(PathBuf, Module)> = modules.iter().map(|m| (project.root.join(&m.path), m.clone())).collect();
    let spec = EspSpec {
        loader: &machine.loader,
        kernel: &kernel,
        title: format!("MinimalOS checkpoint {}", key.checkpoint),
        cmdline: cmdline.trim().to_string(),
        modules,
    };
    machine::build_esp(&esp_dir, &spec).context("building the ESP")?;
    machine::run_boot(&BootRequest {
        run_dir,
        esp_dir,
        firmware: &machine.firmware,
        accel: machine.accel,
        qemu_args: &[job.config.qemu.clone(), crate::checks::machine_args(key.machine.as_deref())].concat(),
        steps: &key.steps,
        hold: job.plan.clone(),
        timeout: job.timeout,
        nonce,
        qemu: machine::qemu_binary(),
    })
}

/// The folder of one boot under `build/quest/runs`: loader, checkpoint,
/// rank, scenario, machine, modules (the first one's file stem), held or
/// not, and a hash of the rest (input, every module) so no two boots share
/// one.
fn run_dir_name(loader: &str, key: &BootKey) -> String {
    let mut name =
        format!("{loader}-cp{}-r{}-{}", key.checkpoint, key.rank, key.scenario.as_deref().unwrap_or("plain"));
    if let Some(machine) = &key.machine {
        name.push_str(&format!("-{machine}"));
    }
    let mut hashed = format!("{:?}", key.steps);
    if let Some(modules) = &key.modules {
        let stem = modules.first().and_then(|m| std::path::Path::new(&m.path).file_stem());
        name.push_str(&format!("-{}", stem.map_or("no-modules".into(), |s| s.to_string_lossy())));
        hashed.push_str(&format!("{modules:?}"));
    }
    if key.hold {
        name.push_str("-held");
    }
    name.push_str(&format!("-{:x}", simple_hash(&hashed)));
    // Scenario words may hold spaces and `=`, which QEMU's option parser
    // would split the socket path on.
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// A word no kernel can know in advance: clock, process and a counter.
fn nonce() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let seed = format!("{nanos}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:08x}", simple_hash(&seed))
}

/// FNV-1a: a stable name for a folder, not a security measure.
fn simple_hash(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
}

/// One boot outside any check (the loader comparison uses it).
pub fn boot_plain(project: &Project, machine: &Machine, rank: &Rank) -> Result<BootRecord> {
    project.require_kernel(rank.number)?;
    let job = Job {
        key: BootKey {
            checkpoint: rank.number,
            rank: rank.number,
            scenario: None,
            steps: Vec::new(),
            machine: None,
            modules: None,
            hold: false,
        },
        timeout: crate::checks::DEFAULT_TIMEOUT,
        plan: None,
        config: rank.checkpoint.clone(),
    };
    let mut record = run_job(project, machine, &job)?;
    record.serial = machine::clean_serial(&record.serial);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(path: &str) -> Module {
        Module { path: path.into(), cmdline: "vault".into() }
    }

    fn key(modules: Option<Vec<Module>>) -> BootKey {
        let mut spec = BootSpec::new(None, Vec::new(), Needs::Serial);
        spec.modules = modules;
        let (checkpoint, rank, scenario, steps, machine, modules) = group_key(7, 6, &spec);
        BootKey { checkpoint, rank, scenario, steps, machine, modules, hold: false }
    }

    #[test]
    fn checks_with_other_modules_get_their_own_boot_and_folder() {
        let plain = key(None);
        let bad = key(Some(vec![module("build/vault-bad-checksum.tar")]));
        let no_init = key(Some(vec![module("build/vault-no-init.tar")]));
        let none = key(Some(Vec::new()));
        assert!(plain != bad && bad != no_init && none != plain, "different modules are different boots");
        let names: Vec<String> = [&plain, &bad, &no_init, &none].map(|k| run_dir_name("limine", k)).to_vec();
        assert!(names[1].starts_with("limine-cp6-r7-plain-vault-bad-checksum-"), "{}", names[1]);
        assert!(names[2].contains("-vault-no-init-") && names[3].contains("-no-modules-"), "{names:?}");
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        // Same first file, another module string: still another folder.
        let mut other = bad.clone();
        other.modules = Some(vec![Module { cmdline: "spare".into(), ..module("build/vault-bad-checksum.tar") }]);
        assert_ne!(run_dir_name("limine", &other), names[1]);
    }

    #[test]
    fn a_missing_module_is_named_with_the_target_that_builds_it() {
        let project = Project::at(std::path::Path::new("/nonexistent-minimalos"));
        let error = require_modules(&project, &[module("build/vault-bad-checksum.tar")]).unwrap_err().to_string();
        assert_eq!(error, "the boot module build/vault-bad-checksum.tar is missing: `make vault` builds it");
        assert!(require_modules(&project, &[]).is_ok());
    }
}
