//! Logging through `tracing`: pretty on a terminal, JSON for log collectors.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber; a bad filter falls back to `info` with a warning.
pub fn init(cfg: &LogConfig) {
    let (filter, bad) = match EnvFilter::try_new(&cfg.filter) {
        Ok(f) => (f, None),
        Err(e) => (EnvFilter::new("info"), Some(e)),
    };
    let json = match cfg.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    if let Some(e) = bad {
        tracing::warn!(filter = %cfg.filter, error = %e, "invalid FACTLINE_LOG filter; using info");
    }
}
