//! The resource guard (MODEL §9): what a scenario may need, what this process may still use,
//! and the refusal, naming what to change, when the one exceeds the other. Every command that
//! simulates checks here before it allocates, so a city too large ends in a message (exit 2),
//! never in an abort with a backtrace.
//!
//! What the process may use is the least of three limits, because any of them ends the process
//! when exceeded: the system's `MemAvailable`, the address-space limit (`ulimit -v`, RLIMIT_AS:
//! an allocation past it fails and Rust aborts), and the memory limit of the process's cgroup
//! (Slurm `--mem`, containers: past it the kernel kills the process).
//!
//! What a scenario needs is its set-up (`model::world::estimate_size`) plus an upper bound of
//! the backlog of open issues, which grows during the run: every issue lives at most
//! `issues.max_age_ticks` weeks, so no more than that many weeks of arrivals are ever open.

use std::path::Path;

use super::CliError;
use crate::model::entities::Issue;
use crate::model::world::estimate_size;
use crate::scenario::Scenario;

const GIB: f64 = 1_073_741_824.0;

/// cgroup v1 writes "no limit" as the largest page-aligned `i64`; anything this large is none.
const UNLIMITED: u64 = 1 << 60;

/// The memory this process may still use, and which limit decides it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Headroom {
    pub bytes: u64,
    /// How the limit is named in a refusal: "is available", "is left under ...".
    pub source: &'static str,
}

/// The least of the memory available, the address-space limit and the cgroup limit, where the
/// platform reports them; `None` when it reports none.
pub fn headroom() -> Option<Headroom> {
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| meminfo_available(&t))
        .map(|bytes| Headroom {
            bytes,
            source: "is available",
        });
    let address_space = address_space_headroom().map(|bytes| Headroom {
        bytes,
        source: "is left under the address-space limit (ulimit -v)",
    });
    let cgroup = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|t| cgroup_headroom(Path::new("/sys/fs/cgroup"), &t))
        .map(|bytes| Headroom {
            bytes,
            source: "is left under the cgroup memory limit (Slurm --mem, container)",
        });
    [available, address_space, cgroup]
        .into_iter()
        .flatten()
        .min_by_key(|h| h.bytes)
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn meminfo_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// Address space left under RLIMIT_AS: the limit less what is mapped already (`VmSize`, with
/// the worker threads' stacks), since all of it counts against the limit, touched or not.
/// (glibc's per-thread malloc arenas fall back to the main one when they cannot be mapped.)
#[cfg(unix)]
fn address_space_headroom() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0
        || limit.rlim_cur == libc::RLIM_INFINITY
    {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, i64 on the BSDs
    let limit = limit.rlim_cur as u64;
    // Start the worker threads first, so that their stacks are in VmSize.
    rayon::current_num_threads();
    let mapped = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| status_kib(&s, "VmSize:"))
        .map_or(0, |kb| kb.saturating_mul(1024));
    Some(limit.saturating_sub(mapped))
}

#[cfg(not(unix))]
fn address_space_headroom() -> Option<u64> {
    None
}

/// A `KEY: N kB` line of `/proc/self/status`.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// Memory left under the cgroup limits of this process: for each cgroup named in
/// `/proc/self/cgroup` (v2 `0::PATH`, v1 `N:...memory...:PATH`), the limit less the usage of
/// that cgroup and of every ancestor up to `root`, the smallest of them (a limit set on a Slurm
/// job binds the step below it). Inactive file cache counts as free: the kernel reclaims it
/// before it kills anything.
fn cgroup_headroom(root: &Path, self_cgroup: &str) -> Option<u64> {
    let mut least: Option<u64> = None;
    for line in self_cgroup.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        // v2: (base, limit file, usage file, reclaimable key in memory.stat)
        let files = if controllers.is_empty() {
            (
                root.to_path_buf(),
                "memory.max",
                "memory.current",
                "inactive_file",
            )
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                root.join("memory"),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
                "total_inactive_file",
            )
        } else {
            continue;
        };
        let (base, limit_file, usage_file, reclaimable) = files;
        let mut dir = base.join(path.trim_start_matches('/'));
        loop {
            if let Some(left) = cgroup_left(&dir, limit_file, usage_file, reclaimable) {
                least = Some(least.map_or(left, |l| l.min(left)));
            }
            if dir == base || !dir.pop() {
                break;
            }
        }
    }
    least
}

/// Limit less usage of one cgroup directory; `None` when it has no limit (or no such files).
fn cgroup_left(dir: &Path, limit_file: &str, usage_file: &str, reclaimable: &str) -> Option<u64> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let limit: u64 = read(limit_file)?.trim().parse().ok()?; // "max" (v2) is no limit
    if limit >= UNLIMITED {
        return None;
    }
    let usage: u64 = read(usage_file)
        .and_then(|u| u.trim().parse().ok())
        .unwrap_or(0);
    let cache: u64 = read("memory.stat")
        .and_then(|s| {
            s.lines()
                .filter_map(|l| l.split_once(' '))
                .find(|(k, _)| *k == reclaimable)
                .and_then(|(_, v)| v.trim().parse().ok())
        })
        .unwrap_or(0);
    Some(limit.saturating_sub(usage.saturating_sub(cache)))
}

/// An upper bound of the open issues of a run, and what drives it (for the refusal).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BacklogBound {
    pub issues: u64,
    pub bytes: u64,
    /// The largest arrival rate in force at any time (base or intervention).
    pub arrival_per_1000: f64,
    /// The largest demand gain of information sharing (1 + sharing × sharing demand).
    pub arrival_gain: f64,
    /// The longest issue life in force, capped by the run's length.
    pub max_age_ticks: u32,
    pub residents: u64,
}

/// The backlog cannot exceed the arrivals of the longest issue life: residents × the highest
/// arrival rate (with its information-sharing gain) × the longest `issues.max_age_ticks` (or
/// the run, if shorter), plus the legacy backlog. Interventions can raise either during the run,
/// so the bound takes the largest value each ever has. Poisson arrivals exceed their mean by a
/// few per cent at these counts: 25 % headroom. Each open issue is held twice while a tick
/// sorts the backlog (old and new vectors).
pub fn backlog_bound(sc: &Scenario) -> BacklogBound {
    let mut p = sc.params.clone();
    let gain =
        |p: &crate::model::Params| 1.0 + p.process.information_sharing * p.costs.sharing_demand;
    let (mut arrival, mut arrival_gain, mut max_age) =
        (p.issues.arrival_per_1000, gain(&p), p.issues.max_age_ticks);
    let mut interventions = sc.model_interventions();
    interventions.sort_by_key(|i| i.tick);
    for i in interventions.iter().filter(|i| i.tick <= sc.ticks) {
        for (key, value) in &i.changes {
            // Interventions were validated at load; one that fails here changes nothing.
            let _ = p.set(key, *value);
        }
        arrival = arrival.max(p.issues.arrival_per_1000);
        arrival_gain = f64::max(arrival_gain, gain(&p));
        max_age = max_age.max(p.issues.max_age_ticks);
    }
    let est = estimate_size(&p);
    let max_age = max_age.min(sc.ticks);
    let per_week = est.residents_max as f64 * arrival / 1000.0 * arrival_gain;
    let legacy = est.grids as f64 * p.issues.legacy_backlog_per_grid;
    let issues = ((per_week * max_age as f64 + legacy) * 1.25)
        .ceil()
        .min(u64::MAX as f64) as u64;
    BacklogBound {
        issues,
        bytes: issues.saturating_mul(2 * std::mem::size_of::<Issue>() as u64),
        arrival_per_1000: arrival,
        arrival_gain,
        max_age_ticks: max_age,
        residents: est.residents_max,
    }
}

/// Memory a command holds besides its runs (a sweep's manifest and statistics, the results of
/// `compare`'s replications), and what to change when it does not fit.
#[derive(Clone, Debug, Default)]
pub struct Bookkeeping {
    pub bytes: u64,
    /// What holds it, as the subject of "need": "the manifest and statistics of 1000000 points".
    pub what: String,
    pub advice: String,
}

/// Refuses a scenario whose estimated memory would not fit (MODEL §9, resource guard).
pub fn guard(sc: &Scenario) -> Result<(), CliError> {
    guard_parallel(sc, 1, &Bookkeeping::default())
}

/// Refuses `copies` simultaneous runs of a scenario (a sweep's workers, `compare`'s
/// replications) with their bookkeeping, when they would not fit together.
pub fn guard_parallel(sc: &Scenario, copies: u64, books: &Bookkeeping) -> Result<(), CliError> {
    match headroom() {
        Some(room) => check(sc, copies, books, room),
        None => Ok(()),
    }
}

/// A sweep's bookkeeping: the manifest listing every point (built whole as JSON before it is
/// written: about 2.7 KiB a point of two parameters, measured for a million points) and the
/// moments of every summary metric of every point, and of its paired difference from the
/// baseline (`summarise`).
pub fn sweep_bookkeeping(points: u64, keys: u64) -> Bookkeeping {
    let metrics = crate::output::records::summary_columns().len() as u64;
    let per_point = 2048
        + 256 * keys
        + 2 * metrics * std::mem::size_of::<crate::experiment::stats::Moments>() as u64
        + 8;
    Bookkeeping {
        bytes: points.saturating_mul(per_point),
        what: format!("the manifest and statistics of {points} design points"),
        advice: "use fewer design points (a coarser step, fewer levels or samples), or split the experiment into several files".into(),
    }
}

/// The memory a run of `sc` may need: its set-up and the bound of its backlog.
pub fn run_bytes(sc: &Scenario) -> u64 {
    estimate_size(&sc.params)
        .bytes
        .saturating_add(backlog_bound(sc).bytes)
}

/// The refusal, given the headroom. A territory that does not fit even without issues is the
/// territory's fault; otherwise the issues are, and so the arrival rate and the issue life.
fn check(sc: &Scenario, copies: u64, books: &Bookkeeping, room: Headroom) -> Result<(), CliError> {
    let copies = copies.max(1);
    let est = estimate_size(&sc.params);
    let backlog = backlog_bound(sc);
    let total = est
        .bytes
        .saturating_add(backlog.bytes)
        .saturating_mul(copies);
    if total.saturating_add(books.bytes) <= room.bytes {
        return Ok(());
    }
    if total <= room.bytes {
        return Err(CliError::Config(format!(
            "{} need about {:.1} GiB besides {:.1} GiB for the runs, but only {:.1} GiB {}; {}",
            books.what,
            books.bytes as f64 / GIB,
            total as f64 / GIB,
            room.bytes as f64 / GIB,
            room.source,
            books.advice
        )));
    }
    let workers = if copies > 1 {
        format!(" a run, {copies} runs at once; or use fewer --threads")
    } else {
        String::new()
    };
    let (needed, avail) = (total as f64 / GIB, room.bytes as f64 / GIB);
    let mut no_issues = sc.params.clone();
    no_issues.issues.arrival_per_1000 = 0.0;
    if estimate_size(&no_issues).bytes.saturating_mul(copies) > room.bytes {
        return Err(CliError::Config(format!(
            "the scenario needs about {needed:.1} GiB ({} residents, {} organisations{workers}) but only {avail:.1} GiB {}; reduce territory sizes",
            est.residents_max, est.organisations, room.source,
        )));
    }
    let gain = if backlog.arrival_gain > 1.0 {
        format!(
            " (×{:.2} from process.information_sharing × costs.sharing_demand)",
            backlog.arrival_gain
        )
    } else {
        String::new()
    };
    Err(CliError::Config(format!(
        "the backlog of open issues could grow to {} issues, about {needed:.1} GiB in all{workers}, but only {avail:.1} GiB {}: issues.arrival_per_1000 = {}{gain} for up to {} residents, each issue open up to issues.max_age_ticks = {} weeks; lower issues.arrival_per_1000 or issues.max_age_ticks, or reduce territory sizes",
        backlog.issues,
        room.source,
        backlog.arrival_per_1000,
        backlog.residents,
        backlog.max_age_ticks,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
    }

    #[test]
    fn cgroup_v2_limits_bind_through_the_ancestors() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let job = root.join("slurm/job_7");
        let step = job.join("step_0");
        write(&job, "memory.max", "1073741824\n");
        write(&job, "memory.current", "100\n");
        write(&step, "memory.max", "max\n");
        write(&step, "memory.current", "50\n");
        assert_eq!(
            cgroup_headroom(root, "0::/slurm/job_7/step_0\n"),
            Some((1 << 30) - 100)
        );
        // Reclaimable file cache is free.
        write(&job, "memory.stat", "anon 10\ninactive_file 60\n");
        assert_eq!(
            cgroup_headroom(root, "0::/slurm/job_7/step_0\n"),
            Some((1 << 30) - 40)
        );
        // In a cgroup namespace the process sits at the root: /sys/fs/cgroup/memory.max.
        write(root, "memory.max", "2048\n");
        write(root, "memory.current", "1024\n");
        assert_eq!(cgroup_headroom(root, "0::/\n"), Some(1024));
        assert_eq!(cgroup_headroom(&root.join("none"), "0::/\n"), None);
    }

    #[test]
    fn cgroup_v1_memory_controller_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let me = root.join("memory/process_api/abc");
        write(&me, "memory.limit_in_bytes", "9223372036854771712\n");
        write(
            &root.join("memory/process_api"),
            "memory.limit_in_bytes",
            "4096\n",
        );
        write(
            &root.join("memory/process_api"),
            "memory.usage_in_bytes",
            "1096\n",
        );
        write(&me, "memory.usage_in_bytes", "1000\n");
        let text = "9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n";
        assert_eq!(cgroup_headroom(root, text), Some(3000));
        // Another controller's path is not the memory controller's.
        assert_eq!(cgroup_headroom(root, "3:cpu,cpuacct:/process_api\n"), None);
    }

    #[test]
    fn meminfo_and_status_are_parsed() {
        assert_eq!(
            meminfo_available("MemTotal: 8 kB\nMemAvailable:    1024 kB\n"),
            Some(1 << 20)
        );
        assert_eq!(meminfo_available("MemTotal: 8 kB\n"), None);
        assert_eq!(
            status_kib("Name:\tx\nVmSize:\t  2048 kB\n", "VmSize:"),
            Some(2048)
        );
    }

    /// The bound holds in a run whose backlog only grows: far more arrivals than the city can
    /// handle, issues abandoned only at their maximum age.
    #[test]
    fn the_backlog_bound_holds_in_an_overwhelmed_city() {
        let mut sc = Scenario::default();
        let sets = [
            "territory.districts=1",
            "territory.streets_per_district=2",
            "territory.communities_per_street=2",
            "territory.grids_per_community=2",
            "territory.residents_per_grid=200",
            "issues.arrival_per_1000=200",
            "issues.max_age_ticks=12",
        ];
        crate::scenario::apply_overrides(&mut sc, &sets).unwrap();
        sc.ticks = 30;
        let bound = backlog_bound(&sc);
        assert_eq!(bound.max_age_ticks, 12);
        let mut sim = crate::model::Simulation::new(sc.params.clone(), 1, vec![]);
        let mut most = 0;
        for _ in 0..sc.ticks {
            sim.step();
            let open: usize = sim.world.districts.iter().map(|d| d.issues.len()).sum();
            most = most.max(open + sim.world.city.issues.len());
        }
        assert!(
            most as u64 <= bound.issues,
            "{most} open, bound {}",
            bound.issues
        );
        // ...and is not absurdly loose: the backlog does fill up.
        assert!(
            most as u64 * 2 > bound.issues,
            "{most} open, bound {}",
            bound.issues
        );
    }

    #[test]
    fn the_smallest_limit_names_itself_in_the_refusal() {
        let sc = Scenario::default();
        let room = Headroom {
            bytes: 1,
            source: "is left under the address-space limit (ulimit -v)",
        };
        let e = check(&sc, 1, &Bookkeeping::default(), room)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ulimit -v") && e.contains("reduce territory sizes"),
            "{e}"
        );
    }
}
