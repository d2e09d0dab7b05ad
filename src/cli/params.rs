//! `cogov params` and `cogov columns`: the parameter and column tables, printed from the same
//! definitions the loader and writers use, so they cannot drift.

use super::CliError;
use crate::charts::labels::{self, unit};
use crate::charts::names::param_name;
use crate::model::params::{param_specs, ParamKind, ParamSpec, ParamValue};
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
    /// Language: zh gives each parameter's Chinese name, unit and meaning with Chinese
    /// headers; en and both (the default) describe in English or in both （输出语言）
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
}

impl Lang {
    /// One language of the charts' labels: `Both` picks `both`'s stand-in.
    pub fn chart(self, both: labels::Lang) -> labels::Lang {
        match self {
            Lang::En => labels::Lang::En,
            Lang::Zh => labels::Lang::Zh,
            Lang::Both => both,
        }
    }
}

/// How many columns `text` takes in a terminal: Chinese characters and full-width forms take
/// two.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `text` padded with spaces to `width` terminal columns (left-aligned).
pub fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(fill))
}

#[derive(clap::Args, Debug)]
pub struct ColumnsArgs {
    /// Output format （输出格式）
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Language of the headers, units and meanings （表头、单位与含义的语言）
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
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

/// The range of `p` as `cogov params --lang zh` writes it.
fn range_zh(p: &ParamSpec) -> String {
    p.range_text().replace(" or ", " 或 ")
}

/// The parameter table as markdown (also embedded in docs/ODD.md and checked by a test).
pub fn params_markdown(lang: Lang) -> String {
    if lang == Lang::Zh {
        let mut s = String::from(
            "| 名称 | 参数 key | 默认值 | 取值范围 | 单位 | 论文章节 | 含义 |\n|---|---|---|---|---|---|---|\n",
        );
        for p in param_specs() {
            s.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {} | {} |\n",
                param_name(p.key, labels::Lang::Zh),
                p.key,
                default_text(p.default, p.kind),
                range_zh(p),
                unit(p.unit, labels::Lang::Zh),
                p.seed_section,
                p.zh
            ));
        }
        return s;
    }
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
                // In Chinese: the range's words, the unit in words and the short name.
                let (range, unit, name) = match args.lang {
                    Lang::Zh => (
                        range_zh(p),
                        unit(p.unit, labels::Lang::Zh),
                        format!("  {}", param_name(p.key, labels::Lang::Zh)),
                    ),
                    _ => (p.range_text(), p.unit.to_string(), String::new()),
                };
                s.push_str(&format!(
                    "{} = {}  [{range}] {unit}{name}\n    {}\n",
                    p.key,
                    default_text(p.default, p.kind),
                    describe(p.en, p.zh, args.lang)
                ));
            }
            s
        }
    };
    super::write_out(&text)
}

/// The output files and their columns, in the order `cogov columns` prints them.
fn column_tables() -> [(&'static str, Vec<Column>); 2] {
    [
        ("timeseries.csv", timeseries_columns()),
        ("summary.csv", summary_columns()),
    ]
}

/// A column's unit in Chinese words (the charts' words for it).
fn unit_zh(c: &Column) -> String {
    crate::charts::labels::unit(c.unit, crate::charts::labels::Lang::Zh)
}

/// The column tables as markdown; with `Lang::Both`, the README's tables (checked by
/// `tests/docs.rs`, regenerated by `COGOV_UPDATE_DOCS=1 cargo test --release --test docs`).
pub fn columns_markdown(lang: Lang) -> String {
    let header = match lang {
        Lang::Both => "| column | unit | meaning | 含义 |\n|---|---|---|---|\n",
        Lang::En => "| column | unit | meaning |\n|---|---|---|\n",
        Lang::Zh => "| 列名 | 单位 | 含义 |\n|---|---|---|\n",
    };
    let tables: Vec<String> = column_tables()
        .iter()
        .map(|(file, cols)| {
            let mut s = format!("**{file}**\n\n{header}");
            for c in cols {
                s.push_str(&match lang {
                    Lang::Both => format!("| `{}` | {} | {} | {} |\n", c.name, c.unit, c.en, c.zh),
                    Lang::En => format!("| `{}` | {} | {} |\n", c.name, c.unit, c.en),
                    Lang::Zh => format!("| `{}` | {} | {} |\n", c.name, unit_zh(c), c.zh),
                });
            }
            s
        })
        .collect();
    tables.join("\n")
}

pub fn print_columns(args: &ColumnsArgs) -> Result<(), CliError> {
    let text = match args.format {
        Format::Markdown => columns_markdown(args.lang),
        Format::Text => {
            let mut s = String::new();
            for (file, cols) in column_tables() {
                s.push_str(&format!("{file}\n"));
                for c in cols {
                    s.push_str(&match args.lang {
                        Lang::Both => {
                            format!("  {:<34} {:<13} {} / {}\n", c.name, c.unit, c.en, c.zh)
                        }
                        Lang::En => format!("  {:<34} {:<13} {}\n", c.name, c.unit, c.en),
                        Lang::Zh => format!("  {:<34} {}  {}\n", c.name, unit_zh(&c), c.zh),
                    });
                }
            }
            s
        }
    };
    super::write_out(&text)
}
