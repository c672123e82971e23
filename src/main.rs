//! The `factline` binary: parse the command line, run, report failures in one line.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc (v3) instead of glibc's malloc: a GraphQL page builds thousands
/// of small values, and glibc spent much of factline's CPU consolidating and
/// unlinking free chunks. mimalloc v3 served more requests in the scenarios
/// factline's own CPU bounds at about the same idle memory; v2 held more
/// (bench/README.md, "Measurements behind the code").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
