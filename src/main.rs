//! `cogov`: parse, dispatch, map errors to exit codes (2 usage/config, 1 runtime).

use clap::Parser;

fn main() {
    let cli = match cogov::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version are successes; anything else is a usage error (exit 2).
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(e) = cogov::cli::dispatch(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
