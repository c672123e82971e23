//! The `factline` binary: parse the command line, run, report failures in one line.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc (v3) instead of glibc's malloc: allocation took up to a quarter
/// of factline's CPU under load (a GraphQL page builds thousands of small
/// values), much of it glibc consolidating and unlinking free chunks. On
/// bench/run's tier M it served 2–7% more requests per second in the read
/// scenarios that factline's own CPU bounds (search, bound by Postgres, did
/// not move), with idle RSS 17 MB (glibc 16 MB) and two concurrent CSV
/// exports peaking at 30 MB. mimalloc v2, tried before, held 23–33 MB when idle.
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
