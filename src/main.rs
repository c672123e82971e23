//! The `factline` binary: parse the command line, run, report failures in one line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = factline::cli::Cli::parse();
    match factline::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
