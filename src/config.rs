//! Settings, each a flag with an environment variable (`--help` lists them all).

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Args)]
pub struct DbConfig {
    /// Database URL: `postgres://user@host/db` or `sqlite://path?mode=rwc`.
    /// Unset: `serve` uses the embedded SQLite file ./factline.db.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Most connections the pool opens to Postgres: about twice its cores.
    #[arg(
        long,
        env = "FACTLINE_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub max_connections: u32,
    /// Connections the pool keeps open when idle.
    #[arg(
        long,
        env = "FACTLINE_DB_MIN_CONNECTIONS",
        default_value_t = 1,
        global = true
    )]
    pub min_connections: u32,
    /// How long a request waits for a connection (and a connect attempt lasts), in ms.
    #[arg(
        long,
        env = "FACTLINE_DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub acquire_timeout_ms: u64,
    /// Longest a single SQL statement may run on Postgres before it is
    /// cancelled and the request answered 503, in ms (0: no limit).
    #[arg(
        long,
        env = "FACTLINE_DB_STATEMENT_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub statement_timeout_ms: u64,
    /// How Postgres plans factline's prepared statements (`plan_cache_mode`):
    /// `generic` plans each statement once per connection, `auto` lets
    /// Postgres re-plan for each call's values when it guesses that pays.
    #[arg(
        long,
        env = "FACTLINE_DB_PLAN_CACHE_MODE",
        value_enum,
        default_value_t = PlanCacheMode::Generic,
        global = true
    )]
    pub plan_cache_mode: PlanCacheMode,
    /// Optional read replica: anonymous reads go there; writes and every
    /// request that carries an API key go to the primary (`DATABASE_URL`).
    #[arg(long, env = "DATABASE_READ_URL", global = true, hide_env_values = true)]
    pub database_read_url: Option<String>,
}

impl DbConfig {
    /// The configured URL, or the embedded SQLite file.
    pub fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| crate::db::DEFAULT_SQLITE_URL.to_owned())
    }

    /// The same settings with no statement timeout: for operator jobs
    /// (migrations, imports, the start-up lock) whose statements may rightly
    /// run long.
    #[must_use]
    pub fn without_statement_timeout(&self) -> Self {
        DbConfig {
            statement_timeout_ms: 0,
            ..self.clone()
        }
    }

    /// Settings for a given URL with every other value at its default.
    pub fn for_url(url: impl Into<String>) -> Self {
        DbConfig {
            database_url: Some(url.into()),
            max_connections: 16,
            min_connections: 1,
            acquire_timeout_ms: 5_000,
            statement_timeout_ms: 10_000,
            plan_cache_mode: PlanCacheMode::Generic,
            database_read_url: None,
        }
    }
}

/// Postgres's `plan_cache_mode` for the pool's connections.
///
/// factline's statements look rows up by key, slug or indexed filter, and
/// their best plan hardly depends on the values. Under `auto`, Postgres still
/// re-planned several of them on every call (a target by slug on bench/run's
/// tier M served 19% more requests per second with generic plans): `generic`
/// is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanCacheMode {
    /// `force_generic_plan`: plan once per connection and statement.
    Generic,
    /// `auto`: Postgres's own default.
    Auto,
    /// `force_custom_plan`: plan for every call's values.
    Custom,
}

impl PlanCacheMode {
    /// The value of the Postgres setting.
    pub fn setting(self) -> &'static str {
        match self {
            PlanCacheMode::Generic => "force_generic_plan",
            PlanCacheMode::Auto => "auto",
            PlanCacheMode::Custom => "force_custom_plan",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Pretty on a terminal, JSON otherwise.
    Auto,
    Pretty,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct LogConfig {
    /// Log filter in `tracing` syntax, e.g. `info` or `factline=debug,tower_http=info`.
    #[arg(
        long = "log",
        env = "FACTLINE_LOG",
        default_value = "info",
        global = true
    )]
    pub filter: String,
    /// Log output format.
    #[arg(long, env = "FACTLINE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "FACTLINE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Do not load the bundled dataset into an empty database.
    #[arg(long, env = "FACTLINE_NO_SEED", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_seed: bool,
    /// Do not apply pending migrations at start (run `factline migrate` separately).
    #[arg(long, env = "FACTLINE_NO_MIGRATE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_migrate: bool,
    /// After SIGTERM or SIGINT, how long in-flight requests may take to
    /// finish before the server exits anyway, in ms.
    #[arg(long, env = "FACTLINE_DRAIN_TIMEOUT_MS", default_value_t = 20_000)]
    pub drain_timeout_ms: u64,
    #[command(flatten)]
    pub graphql: crate::graphql::Limits,
    #[command(flatten)]
    pub limits: crate::limits::LimitConfig,
}
