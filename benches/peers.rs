//! cogov against the Python peers of the two canonical games, on identical work, with ratios.
//!
//! ```sh
//! cargo bench --bench peers                  # everything (about 2 minutes, most of it Mesa)
//! cargo bench --bench peers -- --skip-mesa   # numpy and numba peers only (about 20 s)
//! cargo bench --bench peers -- --reps 5      # repetitions per configuration (default 3)
//! ```
//!
//! The peers are the Python scripts in `benches/peers/` (copied from the project's design
//! folder, with their README: rules, random-number order, the skip shortcut). The first run
//! makes a virtual environment in `target/peers/venv` and installs `benches/peers/requirements.txt`
//! (mesa, numpy, numba, pinned) from PyPI; set `COGOV_PEERS_PYTHON` to use another interpreter
//! that already has them.
//!
//! Identical work:
//! - **Nowak–May**, L = 200, 100 generations, b = 1.85, seed 1. cogov starts from the lattice
//!   `nm_numpy.py --init-out` wrote and must end on the very lattice `--final-out` wrote, with the
//!   same cooperator share after every generation; the bench stops with an error otherwise.
//! - **Spatial public goods game**, L = 100, 100 MCS, r = 4.5, K = 0.5, seed 1, with the skip
//!   shortcut (and without it, against the peers' `--no-skip`). The peers draw from numpy's PCG64
//!   and cogov from its own streams, so the trajectories agree in distribution only: the table
//!   shows both final shares and the number of payoff pairs each evaluated (the work the skip
//!   leaves).
//!
//! Timing is the step loop only, as the peers' `wall_time_s`: the per-step cooperator share is
//! recorded inside it and, for the public goods game, the random numbers are drawn inside it;
//! building the lattice (and numba's JIT) is outside. Each row is the median of `--reps` fresh
//! repetitions (Mesa: one, it takes a minute).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cogov::games::lattice::Lattice;
use cogov::games::nowak_may::NowakMay;
use cogov::games::spatial_pgg::{PggParams, SpatialPgg};

const NM: (usize, u32, f64, u64) = (200, 100, 1.85, 1);
const PGG: (usize, u32, f64, f64, u64) = (100, 100, 4.5, 0.5, 1);

type Failure = Box<dyn std::error::Error>;

struct Options {
    reps: usize,
    skip_mesa: bool,
}

fn options() -> Result<Options, Failure> {
    let mut opts = Options {
        reps: 3,
        skip_mesa: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--skip-mesa" => opts.skip_mesa = true,
            "--reps" => {
                let n = args.next().ok_or("--reps needs a number")?;
                opts.reps = n
                    .parse()
                    .map_err(|_| format!("--reps: expected a positive whole number, got {n:?}"))?;
                if opts.reps == 0 {
                    return Err("--reps: expected a positive whole number, got 0".into());
                }
            }
            // cargo passes `--bench` to every bench binary.
            "--bench" => {}
            other => {
                return Err(
                    format!("unknown argument {other:?} (expected --skip-mesa, --reps N)").into(),
                )
            }
        }
    }
    Ok(opts)
}

/// The Python interpreter with mesa, numpy and numba: `COGOV_PEERS_PYTHON`, or a virtual
/// environment under `target/peers/venv`, made on first use.
fn python(work: &Path, peers: &Path) -> Result<PathBuf, Failure> {
    if let Some(p) = std::env::var_os("COGOV_PEERS_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let venv = work.join("venv");
    let py = venv.join("bin/python");
    if !py.exists() {
        eprintln!(
            "making {} and installing the peers' requirements from PyPI…",
            venv.display()
        );
        run_checked(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run_checked(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "-r"])
                .arg(peers.join("requirements.txt")),
        )?;
    }
    Ok(py)
}

fn run_checked(cmd: &mut Command) -> Result<String, Failure> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed ({}):\n{}",
            cmd,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What a peer printed as `key value` lines.
struct PeerRun {
    wall_s: f64,
    final_share: f64,
    evaluations: Option<u64>,
}

fn value<T: std::str::FromStr>(stdout: &str, key: &str) -> Option<T> {
    stdout.lines().find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

fn run_peer(py: &Path, script: &Path, args: &[String]) -> Result<PeerRun, Failure> {
    let stdout = run_checked(Command::new(py).arg(script).args(args))?;
    let missing = |k: &str| format!("{} printed no {k} line:\n{stdout}", script.display());
    Ok(PeerRun {
        wall_s: value(&stdout, "wall_time_s").ok_or_else(|| missing("wall_time_s"))?,
        final_share: value(&stdout, "final_coop_fraction")
            .ok_or_else(|| missing("final_coop_fraction"))?,
        evaluations: value(&stdout, "payoff_pair_evaluations"),
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// One row of the results table.
struct Row {
    game: &'static str,
    implementation: String,
    threads: usize,
    loop_s: f64,
    updates: f64,
    final_share: f64,
    evaluations: Option<u64>,
}

impl Row {
    fn rate(&self) -> f64 {
        self.updates / self.loop_s
    }
}

fn peer_rows(
    game: &'static str,
    implementation: &str,
    reps: usize,
    updates: f64,
    mut once: impl FnMut() -> Result<PeerRun, Failure>,
) -> Result<Row, Failure> {
    let runs = (0..reps).map(|_| once()).collect::<Result<Vec<_>, _>>()?;
    eprintln!("  {implementation}: done");
    Ok(Row {
        game,
        implementation: implementation.to_string(),
        threads: 1,
        loop_s: median(runs.iter().map(|r| r.wall_s).collect()),
        updates,
        final_share: runs[0].final_share,
        evaluations: runs[0].evaluations,
    })
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon thread pool")
}

/// Nowak–May: cogov from the numpy peer's initial lattice, checked site for site against its
/// final lattice and generation by generation against its series.
fn nowak_may(py: &Path, peers: &Path, out: &Path, opts: &Options) -> Result<Vec<Row>, Failure> {
    let (side, steps, b, seed) = NM;
    let updates = (side * side) as f64 * f64::from(steps);
    let (init, fin, series) = (
        out.join("nm_init.txt"),
        out.join("nm_final.txt"),
        out.join("nm_series.txt"),
    );
    let args: Vec<String> = [
        "--L",
        &side.to_string(),
        "--steps",
        &steps.to_string(),
        "--b",
        &b.to_string(),
        "--seed",
        &seed.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let with_files: Vec<String> = args
        .iter()
        .cloned()
        .chain(
            [
                ("--init-out", &init),
                ("--final-out", &fin),
                ("--series-out", &series),
            ]
            .into_iter()
            .flat_map(|(k, p)| [k.to_string(), p.display().to_string()]),
        )
        .collect();

    eprintln!("Nowak–May L={side}, {steps} generations, b={b}, seed {seed}");
    let mut rows = vec![peer_rows(
        "Nowak–May",
        "numpy peer",
        opts.reps,
        updates,
        || run_peer(py, &peers.join("nm_numpy.py"), &with_files),
    )?];
    if !opts.skip_mesa {
        rows.push(peer_rows("Nowak–May", "Mesa peer", 1, updates, || {
            run_peer(py, &peers.join("nm_mesa.py"), &args)
        })?);
    }

    let start = Lattice::parse(&std::fs::read_to_string(&init)?)?;
    let peer_final = std::fs::read_to_string(&fin)?;
    let peer_series: Vec<String> = std::fs::read_to_string(&series)?
        .lines()
        .map(str::to_string)
        .collect();
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut times = Vec::with_capacity(opts.reps);
        let mut last = None;
        for _ in 0..opts.reps {
            let mut nm = NowakMay::new(start.clone(), b);
            let mut shares = Vec::with_capacity(steps as usize + 1);
            shares.push(nm.cooperator_fraction());
            let began = Instant::now();
            pool.install(|| {
                for _ in 0..steps {
                    nm.step();
                    shares.push(nm.cooperator_fraction());
                }
            });
            times.push(began.elapsed().as_secs_f64());
            last = Some((nm, shares));
        }
        let (nm, shares) = last.expect("at least one repetition");
        if nm.lattice().to_text() != peer_final {
            return Err(format!(
                "Nowak–May: cogov's final lattice ({threads} threads) differs from {}",
                fin.display()
            )
            .into());
        }
        let ours: Vec<String> = shares.iter().map(|x| format!("{x:.8}")).collect();
        if ours != peer_series {
            return Err(format!(
                "Nowak–May: cogov's series differs from {}",
                series.display()
            )
            .into());
        }
        rows.push(Row {
            game: "Nowak–May",
            implementation: "cogov".into(),
            threads,
            loop_s: median(times),
            updates,
            final_share: nm.cooperator_fraction(),
            evaluations: None,
        });
    }
    eprintln!("  cogov: final lattice and series identical to the numpy peer's");
    Ok(rows)
}

/// Spatial public goods game, with and without the skip shortcut.
fn public_goods(py: &Path, peers: &Path, opts: &Options) -> Result<Vec<Row>, Failure> {
    let (side, steps, r, k, seed) = PGG;
    let updates = (side * side) as f64 * f64::from(steps);
    let args = |extra: &[&str]| -> Vec<String> {
        [
            "--L",
            &side.to_string(),
            "--steps",
            &steps.to_string(),
            "--r",
            &r.to_string(),
            "--K",
            &k.to_string(),
            "--seed",
            &seed.to_string(),
        ]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
    };
    eprintln!("Public goods game L={side}, {steps} MCS, r={r}, K={k}, seed {seed}");
    let numba = peers.join("pgg_numba.py");
    let mut rows = vec![
        peer_rows("PGG (skip)", "numba peer", opts.reps, updates, || {
            run_peer(py, &numba, &args(&[]))
        })?,
        peer_rows(
            "PGG (skip)",
            "numba peer --incremental",
            opts.reps,
            updates,
            || run_peer(py, &numba, &args(&["--incremental"])),
        )?,
        peer_rows(
            "PGG (no skip)",
            "numba peer --no-skip",
            opts.reps,
            updates,
            || run_peer(py, &numba, &args(&["--no-skip"])),
        )?,
    ];
    if !opts.skip_mesa {
        rows.push(peer_rows("PGG (skip)", "Mesa peer", 1, updates, || {
            run_peer(py, &peers.join("pgg_mesa.py"), &args(&[]))
        })?);
    }
    let start = SpatialPgg::initial_lattice(side, 0.5, seed);
    for skip in [true, false] {
        let mut times = Vec::with_capacity(opts.reps);
        let mut last = None;
        for _ in 0..opts.reps {
            let mut g = SpatialPgg::new(start.clone(), PggParams { r, k }, seed);
            let mut shares = Vec::with_capacity(steps as usize + 1);
            shares.push(g.cooperator_fraction());
            let began = Instant::now();
            for _ in 0..steps {
                if skip {
                    g.step();
                } else {
                    g.step_without_skip();
                }
                shares.push(g.cooperator_fraction());
            }
            times.push(began.elapsed().as_secs_f64());
            last = Some(g);
        }
        let g = last.expect("at least one repetition");
        rows.push(Row {
            game: if skip { "PGG (skip)" } else { "PGG (no skip)" },
            implementation: "cogov".into(),
            threads: 1,
            loop_s: median(times),
            updates,
            final_share: g.cooperator_fraction(),
            // Without the skip every elementary step evaluates a payoff pair.
            evaluations: Some(if skip {
                g.evaluations()
            } else {
                updates as u64
            }),
        });
    }
    Ok(rows)
}

fn find<'a>(rows: &'a [Row], game: &str, implementation: &str, threads: usize) -> Option<&'a Row> {
    rows.iter()
        .find(|r| r.game == game && r.implementation == implementation && r.threads == threads)
}

fn print_table(rows: &[Row]) {
    println!("| game | implementation | threads | median loop s | updates/s | final C share | payoff pairs evaluated |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.4} | {:.3e} | {:.4} | {} |",
            r.game,
            r.implementation,
            r.threads,
            r.loop_s,
            r.rate(),
            r.final_share,
            r.evaluations.map_or("–".into(), |e| e.to_string())
        );
    }
}

/// The issue's targets, each as cogov's rate over the peer's, with the verdict.
fn print_ratios(rows: &[Row]) {
    let targets: [(&str, &str, usize, &str, f64); 5] = [
        (
            "Nowak–May",
            "numpy peer",
            2,
            "Nowak–May, 2 threads, vs numpy",
            5.0,
        ),
        (
            "Nowak–May",
            "Mesa peer",
            2,
            "Nowak–May, 2 threads, vs Mesa",
            100.0,
        ),
        (
            "PGG (skip)",
            "numba peer --incremental",
            1,
            "PGG, 1 thread, vs numba (fastest mode)",
            2.0,
        ),
        (
            "PGG (skip)",
            "numba peer",
            1,
            "PGG, 1 thread, vs numba (direct mode)",
            2.0,
        ),
        (
            "PGG (skip)",
            "Mesa peer",
            1,
            "PGG, 1 thread, vs Mesa",
            100.0,
        ),
    ];
    println!();
    println!("| comparison | cogov / peer | target | met |");
    println!("|---|---:|---:|---|");
    for (game, peer, threads, label, target) in targets {
        if let (Some(c), Some(p)) = (
            find(rows, game, "cogov", threads),
            find(rows, game, peer, 1),
        ) {
            let ratio = c.rate() / p.rate();
            let met = if ratio >= target { "yes" } else { "no" };
            println!("| {label} | {ratio:.1}× | ≥ {target}× | {met} |");
        }
    }
    if let (Some(c), Some(p)) = (
        find(rows, "PGG (no skip)", "cogov", 1),
        find(rows, "PGG (no skip)", "numba peer --no-skip", 1),
    ) {
        println!(
            "| PGG without skip, 1 thread, vs numba --no-skip | {:.1}× | – | – |",
            c.rate() / p.rate()
        );
    }
}

fn main() {
    if let Err(e) = try_main() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn try_main() -> Result<(), Failure> {
    let opts = options()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let peers = root.join("benches/peers");
    let work = root.join("target/peers");
    let out = work.join("out");
    std::fs::create_dir_all(&out)?;
    let py = python(&work, &peers)?;
    let mut rows = nowak_may(&py, &peers, &out, &opts)?;
    rows.extend(public_goods(&py, &peers, &opts)?);
    println!();
    print_table(&rows);
    print_ratios(&rows);
    Ok(())
}
