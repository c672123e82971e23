//! `factline serve` as a process of its own, on SQLite in a directory of the
//! test's. For what must be measured on the server alone (its memory, its
//! signals): the in-process test server shares its address space with every
//! other test the harness runs at the same time.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::pg::free_port;

/// The `factline` binary, run in `dir` on its default SQLite file there.
pub fn factline_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factline"));
    c.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("FACTLINE_LOG", "info")
        .env("FACTLINE_LOG_FORMAT", "json")
        .stdin(Stdio::null());
    c
}

/// Starts `factline serve` in `dir` with `env` added and waits until it is
/// ready: the child and its port.
pub fn spawn_serve(dir: &Path, env: &[(&str, &str)]) -> (Child, u16) {
    let port = free_port();
    let mut child = factline_in(dir)
        .envs(env.iter().copied())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.1 200") {
                return (child, port);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().ok();
    child.wait().ok();
    panic!("factline serve did not become ready");
}

/// Starts a process's peak resident set size afresh from its current one
/// (Linux: "5" to clear_refs), so that a peak measured afterwards is not the
/// start-up's (migrating and seeding).
pub fn reset_peak_rss(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
}

/// A memory figure of a process's `/proc/<pid>/status` (`VmRSS`, `VmHWM`,
/// …), in KiB; none once the process is gone.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The highest resident set size a process has had (VmHWM), in bytes.
pub fn peak_rss(pid: u32) -> u64 {
    status_kib(pid, "VmHWM").expect("the process is running") * 1024
}
