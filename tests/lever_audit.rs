//! The lever audit (MODEL §11.3): every lever, and the bundle of the six levers the first model
//! found free, against the baseline on common random numbers. A lever that improves every key
//! outcome at lower total cost is either a genuine saving, named with its reason in
//! `docs/ODD.md` under "Free levers", or a defect. This test keeps the two lists equal: a lever
//! that becomes free, or stops being free, fails it until the ODD says so.
//!
//! Small city (2 × 3 × 4 × 3 grids), 30 paired seeds, 104 weeks, measured over weeks 53–104.
//! Key outcomes: window resolution, hotline resolution, major risks (fewer is better),
//! satisfaction, resident trust and inter-organisational trust at the end; cost: the window's
//! total cost. "Improves" and "lower" mean the 95 % interval of the paired difference excludes
//! zero on that side.

use cogov::model::{ParamValue, Params};
use cogov::output::records::{summary_index, summary_row};
use cogov::run::simulate;
use cogov::scenario::Scenario;
use rayon::prelude::*;

const SEEDS: u64 = 30;
const WEEKS: u32 = 104;
const WARMUP: u32 = 52;

/// Key outcomes and whether more is better.
const OUTCOMES: [(&str, bool); 6] = [
    ("resolution_rate", true),
    ("hotline_resolution_rate", true),
    ("major_risks_total", false),
    ("satisfaction_mean", true),
    ("resident_trust_final", true),
    ("org_trust_final", true),
];

/// Every lever of MODEL §6 at a strong setting (the bundle last).
fn levers() -> Vec<(&'static str, Vec<(&'static str, ParamValue)>)> {
    use ParamValue::{Bool, Float, Int};
    let one = |k: &'static str| (k, vec![(k, Float(1.0))]);
    vec![
        (
            "capability.city_front_line_command",
            vec![("capability.city_front_line_command", Bool(false))],
        ),
        one("capability.socialisation"),
        one("capability.intelligent_systems"),
        one("capability.rule_of_law"),
        one("capability.professionalism"),
        one("motivation.value_programme"),
        one("motivation.trust_culture"),
        one("motivation.equal_partnership"),
        (
            "motivation.incentive_compatibility",
            vec![("motivation.incentive_compatibility", Float(0.8))],
        ),
        one("motivation.responsibility_lists"),
        one("motivation.performance_evaluation"),
        (
            "motivation.lookback_interval_ticks",
            vec![("motivation.lookback_interval_ticks", Int(13))],
        ),
        one("institutions.grassroots_empowerment"),
        one("institutions.party_core"),
        one("institutions.platform_government"),
        (
            "institutions.block_led",
            vec![("institutions.block_led", Bool(true))],
        ),
        (
            "institutions.limited_territorial_liability",
            vec![
                ("institutions.block_led", Bool(true)),
                ("institutions.limited_territorial_liability", Bool(true)),
            ],
        ),
        (
            "tools.superior_attention",
            vec![("tools.superior_attention", Float(2.0))],
        ),
        (
            "tools.discipline_inspection",
            vec![("tools.discipline_inspection", Float(0.1))],
        ),
        (
            "tools.media_pressure",
            vec![("tools.media_pressure", Float(0.1))],
        ),
        (
            "tools.third_party_evaluation",
            vec![("tools.third_party_evaluation", Float(0.1))],
        ),
        one("process.deliberation"),
        one("process.negotiation"),
        one("process.information_sharing"),
        one("process.operating_constraints"),
        (
            "process.whistle_and_report",
            vec![
                ("institutions.block_led", Bool(true)),
                ("process.whistle_and_report", Bool(true)),
            ],
        ),
        (
            "process.township_evaluation",
            vec![
                ("institutions.block_led", Bool(true)),
                ("process.whistle_and_report", Bool(true)),
                ("process.township_evaluation", Bool(true)),
            ],
        ),
        (
            "bundle of the first model's six free levers",
            vec![
                ("motivation.performance_evaluation", Float(1.0)),
                ("institutions.block_led", Bool(true)),
                ("process.deliberation", Float(1.0)),
                ("capability.professionalism", Float(1.0)),
                ("process.whistle_and_report", Bool(true)),
                ("process.township_evaluation", Bool(true)),
                ("motivation.lookback_interval_ticks", Int(13)),
            ],
        ),
    ]
}

fn run(changes: &[(&str, ParamValue)], seed: u64) -> Vec<f64> {
    let mut sc = Scenario {
        ticks: WEEKS,
        seed,
        ..Scenario::default()
    };
    let p: &mut Params = &mut sc.params;
    p.territory.districts = 2;
    p.territory.streets_per_district = 3;
    p.territory.communities_per_street = 4;
    p.territory.grids_per_community = 3;
    p.observation.warmup_ticks = WARMUP;
    for (k, v) in changes {
        p.set(k, *v).unwrap();
    }
    let r = simulate(&sc, |_, _| {});
    summary_row(&r.series, &r.facts)
}

/// 95 % interval of the paired difference `on − off` of summary column `col`.
fn interval(pairs: &[(Vec<f64>, Vec<f64>)], col: usize) -> (f64, f64, f64) {
    let n = pairs.len() as f64;
    let d: Vec<f64> = pairs.iter().map(|(a, b)| b[col] - a[col]).collect();
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = 2.045 * (var / n).sqrt();
    (mean, mean - half, mean + half)
}

/// The levers `docs/ODD.md` names as free: the backticked names of the list under its
/// "Free levers" heading.
fn named_in_odd() -> Vec<String> {
    let odd = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ODD.md")).unwrap();
    let start = odd
        .find("Free levers.**")
        .expect("ODD §12 has a Free levers entry");
    odd[start..]
        .lines()
        .skip_while(|l| !l.starts_with("- "))
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("- "))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect()
}

#[test]
fn every_free_lever_is_named_in_the_odd() {
    let baseline: Vec<Vec<f64>> = (1..=SEEDS).into_par_iter().map(|s| run(&[], s)).collect();
    let mut free = Vec::new();
    for (name, changes) in levers() {
        let on: Vec<Vec<f64>> = (1..=SEEDS)
            .into_par_iter()
            .map(|s| run(&changes, s))
            .collect();
        let pairs: Vec<(Vec<f64>, Vec<f64>)> = baseline.iter().cloned().zip(on).collect();
        let mut better = 0;
        let mut line = format!("{name}:");
        for (col, more_is_better) in OUTCOMES {
            let (m, lo, hi) = interval(&pairs, summary_index(col).unwrap());
            let improves = if more_is_better { lo > 0.0 } else { hi < 0.0 };
            better += usize::from(improves);
            line += &format!(
                " {col} {m:+.4} [{lo:+.4}, {hi:+.4}]{};",
                if improves { "+" } else { "" }
            );
        }
        let (m, lo, hi) = interval(&pairs, summary_index("cost_total").unwrap());
        let cheaper = hi < 0.0;
        line += &format!(" cost {m:+.0} [{lo:+.0}, {hi:+.0}]");
        eprintln!("{line}");
        if better == OUTCOMES.len() && cheaper {
            free.push(name.to_string());
        }
    }
    let mut named = named_in_odd();
    named.sort();
    free.sort();
    eprintln!("free: {free:?}");
    assert_eq!(
        free, named,
        "levers that improve every key outcome at lower cost must be named in docs/ODD.md (Free levers) and only those"
    );
}
