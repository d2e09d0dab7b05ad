//! `cogov params` and `cogov columns`: the parameter and column tables, printed from the same
//! definitions the loader and writers use, so they cannot drift.

use super::CliError;
use crate::model::params::{param_specs, ParamKind, ParamValue};
use crate::output::records::{summary_columns, timeseries_columns, Column};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
    Both,
}

#[derive(clap::Args, Debug)]
pub struct ParamsArgs {
    /// Output format （输出格式）
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Language of the descriptions （描述语言）
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
}

#[derive(clap::Args, Debug)]
pub struct ColumnsArgs {
    /// Output format （输出格式）
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn default_text(v: ParamValue, kind: ParamKind) -> String {
    match (v, kind) {
        (ParamValue::Float(x), _) => format!("{x}"),
        (ParamValue::Int(i), _) => format!("{i}"),
        (ParamValue::Bool(b), _) => format!("{b}"),
    }
}

fn describe(en: &str, zh: &str, lang: Lang) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
        Lang::Both => format!("{en} / {zh}"),
    }
}

/// The parameter table as markdown (also embedded in docs/ODD.md and checked by a test).
pub fn params_markdown(lang: Lang) -> String {
    let mut s = String::from(
        "| key | default | range | unit | seed § | meaning |\n|---|---|---|---|---|---|\n",
    );
    for p in param_specs() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            p.key,
            default_text(p.default, p.kind),
            p.range_text(),
            p.unit,
            p.seed_section,
            describe(p.en, p.zh, lang)
        ));
    }
    s
}

pub fn print_params(args: &ParamsArgs) -> Result<(), CliError> {
    let text = match args.format {
        Format::Markdown => params_markdown(args.lang),
        Format::Text => {
            let mut s = String::new();
            for p in param_specs() {
                s.push_str(&format!(
                    "{} = {}  [{}] {}\n    {}\n",
                    p.key,
                    default_text(p.default, p.kind),
                    p.range_text(),
                    p.unit,
                    describe(p.en, p.zh, args.lang)
                ));
            }
            s
        }
    };
    super::write_out(&text)
}

fn columns_markdown(title: &str, cols: &[Column]) -> String {
    let mut s = format!("**{title}**\n\n| column | unit | meaning | 含义 |\n|---|---|---|---|\n");
    for c in cols {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.name, c.unit, c.en, c.zh
        ));
    }
    s
}

pub fn print_columns(args: &ColumnsArgs) -> Result<(), CliError> {
    let text = match args.format {
        Format::Markdown => format!(
            "{}\n{}",
            columns_markdown("timeseries.csv", &timeseries_columns()),
            columns_markdown("summary.csv", &summary_columns())
        ),
        Format::Text => {
            let mut s = String::new();
            for (file, cols) in [
                ("timeseries.csv", timeseries_columns()),
                ("summary.csv", summary_columns()),
            ] {
                s.push_str(&format!("{file}\n"));
                for c in cols {
                    s.push_str(&format!(
                        "  {:<34} {:<13} {} / {}\n",
                        c.name, c.unit, c.en, c.zh
                    ));
                }
            }
            s
        }
    };
    super::write_out(&text)
}
