//! Writes the Ishigami function's Saltelli sample, its outputs and cogov's Sobol' indices, for
//! the SALib peer check (`benches/peers/sobol_salib.py`, described in `benches/peers/README.md`):
//!
//!     cargo run --release --example sobol_ishigami -- DIR [SAMPLES]
//!
//! `DIR/ishigami_sample.csv` holds x1, x2, x3 and y, one row per point in SALib's order
//! (A, AB1 … AB3, B for each base row); `DIR/ishigami_cogov.csv` holds cogov's S1 and ST with
//! their bootstrap 95% intervals. SAMPLES (a power of two, default 1024) is N.

use std::fmt::Write as _;

use cogov::experiment::sobol::{indices, ishigami, saltelli_points, RESAMPLES};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: sobol_ishigami DIR [SAMPLES]");
        std::process::exit(2);
    };
    let samples: u32 = match args.next().map(|s| s.parse::<u32>()) {
        None => 1024,
        Some(Ok(n)) if n.is_power_of_two() && n >= 2 => n,
        Some(_) => {
            eprintln!("error: SAMPLES must be a power of two of at least 2");
            std::process::exit(2);
        }
    };
    let ranges = ishigami::ranges();
    let points = saltelli_points(samples, &ranges, 1);
    let mut sample = String::from("x1,x2,x3,y\n");
    let mut y = Vec::with_capacity(points.len());
    for p in &points {
        let x = ishigami::coordinates(&p.unit);
        let v = ishigami::value(&x);
        y.push(v);
        let _ = writeln!(sample, "{},{},{},{v}", x[0], x[1], x[2]);
    }
    let found = indices(&y, 3, RESAMPLES, 1).expect("the Ishigami output varies");
    let mut table = String::from("parameter,s1,s1_lo,s1_hi,st,st_lo,st_hi\n");
    for (r, ix) in ranges.iter().zip(&found) {
        let name = &r.key;
        let _ = writeln!(
            table,
            "{name},{},{},{},{},{},{}",
            ix.s1.value, ix.s1.lo, ix.s1.hi, ix.st.value, ix.st.lo, ix.st.hi
        );
        println!(
            "{name}: S1 {:.4} [{:.4}, {:.4}]  ST {:.4} [{:.4}, {:.4}]",
            ix.s1.value, ix.s1.lo, ix.s1.hi, ix.st.value, ix.st.lo, ix.st.hi
        );
    }
    let dir = std::path::Path::new(&dir);
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join("ishigami_sample.csv"), sample))
        .and_then(|()| std::fs::write(dir.join("ishigami_cogov.csv"), table));
    if let Err(e) = written {
        eprintln!("error: {}: {e}", dir.display());
        std::process::exit(1);
    }
}
