//! `cogov eval`: a machine interface for other tools (EMA Workbench, pyabc, OpenMOLE, a
//! notebook). Parameter sets come in as JSON lines on stdin, each an object of parameter key →
//! value plus an optional `"seed"` and `"ticks"`, applied to one base scenario (`--base`, else
//! the embedded default city); each run's summary (the `summary.csv` columns) goes out as one
//! JSON line on stdout, in input order, with `"line"` (the input line number) and `"seed"`
//! first. Without `"seed"` a line runs on the base scenario's seed, so lines differ only by
//! their parameters (common random numbers); give seeds for replications.
//!
//! A bad line (not JSON, not an object, an unknown key, a value out of range) or a run that
//! fails gets an error line in its place — `{"line": 3, "key": "…", "error": "…"}` — and the
//! rest go on; the exit status then says what went wrong (2 for bad input, else 1 for failed
//! runs). Blank lines are skipped. Lines available together are run in parallel; a line's
//! output depends only on the line and the base scenario, so it is the same whatever the
//! thread count or how the input arrives. Output is flushed after each batch, so a driver can
//! also write one line and wait for its answer.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::mpsc;

use rayon::prelude::*;
use serde_json::Value;

use super::CliError;
use crate::output::format_value;
use crate::output::records::{summary_columns, summary_row};
use crate::run::{check_summary, simulate_checked};
use crate::scenario::{self, Scenario};

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Base scenario (.toml or a run's manifest.json); the embedded default city if omitted
    /// （基准情景；省略则用内置默认城市）
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Weekly ticks of every run unless a line gives "ticks" （每次运行的模拟周数）
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Worker threads (default: all cores) （线程数）
    #[arg(long)]
    pub threads: Option<usize>,
}

/// What became of one input line.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The JSON line of a run's summary.
    Summary(String),
    /// The input was wrong (exit 2): the JSON error line.
    Refused(String),
    /// The run failed (exit 1): the JSON error line.
    Failed(String),
}

impl Outcome {
    pub fn line(&self) -> &str {
        match self {
            Outcome::Summary(s) | Outcome::Refused(s) | Outcome::Failed(s) => s,
        }
    }
}

/// `{"line": …, "key": …, "error": …}` (fields in that order; `key` when one is at fault).
fn error_line(line: u64, key: Option<&str>, message: &str) -> String {
    let key = key.map_or(String::new(), |k| format!(",\"key\":{}", Value::from(k)));
    let error = Value::from(format!("line {line}: {message}"));
    format!("{{\"line\":{line}{key},\"error\":{error}}}")
}

/// The `--set` text of a JSON value, or what was found instead of a number or boolean.
fn setting(value: &Value) -> Result<String, &'static str> {
    match value {
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("null"),
        Value::String(_) => Err("a string"),
        Value::Array(_) => Err("an array"),
        Value::Object(_) => Err("an object"),
    }
}

/// The scenario one input line asks for: `base` with the line's settings, through the checks
/// of `--set` (same keys, ranges and messages).
fn scenario_of(base: &Scenario, line: u64, text: &str) -> Result<Scenario, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        error_line(
            line,
            None,
            &format!("expected a JSON object of parameter key → value: {e}"),
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(error_line(
            line,
            None,
            "expected a JSON object of parameter key → value",
        ));
    };
    let mut assignments = Vec::with_capacity(fields.len());
    for (key, value) in &fields {
        let target = match key.as_str() {
            "seed" => "scenario.seed",
            "ticks" => "scenario.ticks",
            k => k,
        };
        let text = setting(value).map_err(|found| {
            error_line(
                line,
                Some(key),
                &format!("{key}: expected a number or true/false, got {found}"),
            )
        })?;
        assignments.push(format!("{target}={text}"));
    }
    // All at once, as `--set` does: the city's size is checked after every setting is made.
    let mut sc = base.clone();
    scenario::apply_overrides(&mut sc, &assignments).map_err(|e| {
        // The line's own names, not `--set`'s internal ones for "seed" and "ticks".
        let key = e
            .key
            .as_deref()
            .map(|k| k.strip_prefix("scenario.").unwrap_or(k));
        let message = match key {
            Some(k) => format!("{k}: {}", e.message),
            None => e.message.clone(),
        };
        error_line(line, key, &message)
    })?;
    Ok(sc)
}

/// Runs one input line (numbered from 1) on `base`.
pub fn evaluate(base: &Scenario, line: u64, text: &str) -> Outcome {
    let sc = match scenario_of(base, line, text) {
        Ok(sc) => sc,
        Err(e) => return Outcome::Refused(e),
    };
    // Every worker may be running a city this size at once.
    let workers = rayon::current_num_threads() as u64;
    if let Err(e) = super::memory::guard_parallel(&sc, workers, &Default::default()) {
        return Outcome::Refused(error_line(line, None, &e.to_string()));
    }
    let run = std::panic::catch_unwind(|| {
        let result = simulate_checked(&sc, |_, _| {})?;
        let summary = summary_row(&result.series, &result.facts);
        check_summary(&sc, &summary)?;
        Ok::<_, crate::run::NonFinite>(summary)
    });
    match run {
        Ok(Ok(summary)) => {
            let mut out = format!("{{\"line\":{line},\"seed\":{}", sc.seed);
            for (c, x) in summary_columns().iter().zip(&summary) {
                out.push_str(&format!(
                    ",{}:{}",
                    Value::from(c.name.as_str()),
                    format_value(*x)
                ));
            }
            out.push('}');
            Outcome::Summary(out)
        }
        Ok(Err(e)) => Outcome::Failed(error_line(
            line,
            None,
            &format!("the run failed (seed {}): {}", sc.seed, e.message()),
        )),
        Err(_) => Outcome::Failed(error_line(
            line,
            None,
            "the run panicked (a bug: please report it with this line)",
        )),
    }
}

pub fn eval(args: &EvalArgs) -> Result<(), CliError> {
    let base = super::run::load_scenario(args.base.as_deref(), None, args.ticks, &[])?;
    // A reader thread hands over lines as they arrive, so lines that came together are run
    // together and a lone line is answered without waiting for more.
    let (send, receive) = mpsc::channel::<Result<(u64, String), Outcome>>();
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        let mut number = 0u64;
        loop {
            let mut bytes = Vec::new();
            let read = input.read_until(b'\n', &mut bytes);
            number += 1;
            let item = match read {
                Ok(0) => break,
                Ok(_) => match String::from_utf8(bytes) {
                    Ok(t) if t.trim().is_empty() => continue,
                    Ok(t) => Ok((number, t)),
                    Err(_) => Err(Outcome::Refused(error_line(
                        number,
                        None,
                        "not valid UTF-8",
                    ))),
                },
                Err(e) => Err(Outcome::Failed(error_line(
                    number,
                    None,
                    &format!("stdin: {e}"),
                ))),
            };
            let stop = item.is_err() && matches!(item, Err(Outcome::Failed(_)));
            if send.send(item).is_err() || stop {
                break;
            }
        }
    });
    let threads = args.threads;
    let (refused, failed, first_bad) = super::experiment::with_threads(threads, move || {
        let (mut refused, mut failed, mut first_bad) = (0u64, 0u64, None);
        let block = rayon::current_num_threads() * 4;
        while let Ok(first) = receive.recv() {
            let mut batch = vec![first];
            while batch.len() < block {
                match receive.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            let outcomes: Vec<Outcome> = batch
                .par_iter()
                .map(|item| match item {
                    Ok((n, text)) => evaluate(&base, *n, text),
                    Err(o) => o.clone(),
                })
                .collect();
            let mut text = String::new();
            for (n, o) in outcomes.iter().enumerate() {
                match o {
                    Outcome::Summary(_) => {}
                    Outcome::Refused(_) => refused += 1,
                    Outcome::Failed(_) => failed += 1,
                }
                if !matches!(o, Outcome::Summary(_)) && first_bad.is_none() {
                    first_bad = Some(batch[n].as_ref().map_or(0, |(l, _)| *l));
                }
                text.push_str(o.line());
                text.push('\n');
            }
            super::write_out(&text)?;
        }
        Ok::<_, CliError>((refused, failed, first_bad))
    })??;
    let at = first_bad.map_or(String::new(), |n| format!(" (the first at line {n})"));
    if refused > 0 {
        return Err(CliError::Config(format!(
            "{refused} input line(s) refused and {failed} run(s) failed{at}; see their error lines on stdout"
        )));
    }
    if failed > 0 {
        return Err(CliError::Runtime(format!(
            "{failed} run(s) failed{at}; see their error lines on stdout"
        )));
    }
    Ok(())
}
