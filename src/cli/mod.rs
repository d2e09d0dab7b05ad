//! The command line: clap definitions and one function per subcommand. Each function turns
//! arguments into library calls and maps failures to `CliError`, whose kind decides the exit
//! code (2 for usage and configuration errors, 1 for runtime failures).

/// `println!` for the CLI's results on stdout, through `write_out` (so a closed pipe is a normal
/// end, not a panic); evaluates to `Result<(), CliError>`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` through `write_out`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(&format!($($arg)*))
    };
}

pub mod calibrate;
pub mod eval;
pub mod experiment;
pub mod game;
pub mod levers;
pub mod memory;
pub mod params;
pub mod plot;
pub mod report;
pub mod run;
pub mod serve;
pub mod slurm_calibration;
pub mod validate;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Writes the CLI's results to stdout. A closed pipe (`cogov run | head -1`) is not a failure:
/// the reader has what it wanted, and the work is already done and written; every later
/// write is dropped the same way. Any other error (a full disk behind `>`) is one (exit 1).
pub fn write_out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Runtime(format!("stdout: {e}"))),
    }
}

/// A failure the CLI reports in one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad input: a scenario, a flag, a value. Exit code 2.
    #[error("{0}")]
    Config(String),
    /// Something failed while working: I/O, a numerical guard. Exit code 1.
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Config(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "cogov",
    version,
    about = "Agent-based simulator of multi-actor collaborative governance in Chinese cities\n市域社会治理多元主体协同共治的主体建模仿真",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario and write its time series, summary and manifest
    /// （运行一个情景，输出时间序列、汇总与运行记录）
    Run(RunArgs),
    /// Print every parameter with its default, range and meaning
    /// （列出全部参数及默认值、取值范围与含义）
    Params(params::ParamsArgs),
    /// Print the output columns with their units and meaning
    /// （列出输出列及单位与含义）
    Columns(params::ColumnsArgs),
    /// Redraw the charts of a run or sweep directory （重新绘制某次运行或批量实验的图表）
    Plot(plot::PlotArgs),
    /// Write one self-contained HTML report of a run or sweep
    /// （生成某次运行或批量实验的独立 HTML 报告）
    Report(report::ReportArgs),
    /// Run an experiment: a design of points × replications, resumable and shardable
    /// （运行批量实验：设计点×重复，可断点续跑、可分片）
    Sweep(experiment::SweepArgs),
    /// Merge the shard outputs of one experiment （合并同一实验的各分片结果）
    Merge(experiment::MergeArgs),
    /// Compare two scenarios on common random numbers （以共同随机数配对比较两个情景）
    Compare(experiment::CompareArgs),
    /// Every lever against a base scenario on common random numbers, with 95% intervals
    /// （每项政策举措与基准情景的配对比较，含95%置信区间）
    Levers(levers::LeversArgs),
    /// Print a Slurm job-array script that runs an experiment's shards and merges them, or
    /// for a calibration file a driver job that runs its batches one after another
    /// （生成在Slurm集群上分片运行并合并的作业脚本；校准文件则生成逐批运行的驱动作业）
    Slurm(experiment::SlurmArgs),
    /// Run parameter sets read as JSON lines on stdin; write each summary as a JSON line
    /// （从标准输入逐行读取JSON参数组并运行，逐行输出JSON汇总结果）
    Eval(eval::EvalArgs),
    /// Calibrate parameters to observed targets: history matching, then ABC-SMC
    /// （参数校准：历史匹配后进行ABC-SMC近似贝叶斯推断）
    Calibrate(calibrate::CalibrateArgs),
    /// Run the docking checks of the canonical games against published and peer results
    /// （运行经典博弈对接检验：与文献及对照实现的结果比较）
    Validate(validate::ValidateArgs),
    /// Start the classroom web server: live charts, levers, export
    /// （启动课堂网页服务：实时图表、政策举措调节、导出）
    Serve(serve::ServeArgs),
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario file (.toml) or a run's manifest.json; the embedded default city if omitted
    /// （情景文件或某次运行的 manifest.json；省略则用内置默认城市）
    pub scenario: Option<PathBuf>,
    /// Output directory (default: a new directory under runs/)
    /// （输出目录，默认在 runs/ 下新建）
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace the output directory if it exists （覆盖已存在的输出目录）
    #[arg(long)]
    pub force: bool,
    /// Random seed (overrides the scenario's) （随机种子）
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of weekly ticks (overrides the scenario's) （模拟周数）
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Override a parameter, e.g. --set motivation.incentive_compatibility=0.8 (repeatable)
    /// （覆盖参数，可重复）
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print nothing but errors （只输出错误）
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts into charts/ （不绘制图表）
    #[arg(long)]
    pub no_charts: bool,
    /// Language of the printed summary （汇总输出语言）
    #[arg(long, value_enum, default_value_t = params::Lang::Both)]
    pub lang: params::Lang,
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Params(args) => params::print_params(&args),
        Command::Columns(args) => params::print_columns(&args),
        Command::Plot(args) => plot::plot(&args),
        Command::Report(args) => report::report(&args),
        Command::Sweep(args) => experiment::sweep(&args),
        Command::Merge(args) => experiment::merge(&args),
        Command::Compare(args) => experiment::compare(&args),
        Command::Levers(args) => levers::levers(&args),
        Command::Slurm(args) => experiment::slurm(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Eval(args) => eval::eval(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
    }
}
