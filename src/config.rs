//! Settings, each a flag with an environment variable (`--help` lists them
//! all), with their defaults. Imports nothing of the crate: every other
//! module may read settings, and settings depend on no one.

use clap::{Args, ValueEnum};

/// Where `serve` keeps its embedded database when no `DATABASE_URL` is set.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://./factline.db?mode=rwc";

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
    /// Postgres's `random_page_cost` for the pool's connections, or `server`
    /// to keep the server's own. Postgres's 4 prices an index probe as a disk
    /// seek; factline's statements probe keys of tables that are mostly in
    /// memory, where 4 made the planner hash whole tables instead.
    #[arg(
        long,
        env = "FACTLINE_DB_RANDOM_PAGE_COST",
        default_value_t = PageCost::DEFAULT,
        value_parser = parse_page_cost,
        global = true
    )]
    pub random_page_cost: PageCost,
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
            .unwrap_or_else(|| DEFAULT_SQLITE_URL.to_owned())
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
            random_page_cost: PageCost::DEFAULT,
            database_read_url: None,
        }
    }
}

/// A `random_page_cost` for the pool's connections, or the server's own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageCost {
    Server,
    Set(f64),
}

impl PageCost {
    pub const DEFAULT: PageCost = PageCost::Set(1.1);

    /// The value of the Postgres setting, when factline sets one.
    pub fn setting(self) -> Option<String> {
        match self {
            PageCost::Server => None,
            PageCost::Set(_) => Some(self.to_string()),
        }
    }
}

/// As the flag takes it (`--help` shows the default this way).
impl std::fmt::Display for PageCost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageCost::Server => f.write_str("server"),
            PageCost::Set(v) => write!(f, "{v}"),
        }
    }
}

fn parse_page_cost(s: &str) -> Result<PageCost, String> {
    if s == "server" {
        return Ok(PageCost::Server);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e6 => Ok(PageCost::Set(v)),
        _ => Err(format!(
            "`{s}` is neither `server` nor a cost above 0 (Postgres's own default is 4)"
        )),
    }
}

/// Postgres's `plan_cache_mode` for the pool's connections.
///
/// factline's statements look rows up by key, slug or indexed filter, and
/// their best plan hardly depends on the values. Under `auto`, Postgres still
/// re-planned several of them on every call, which generic plans avoid
/// (bench/README.md, "Measurements behind the code"): `generic` is the
/// default.
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
    pub graphql: GraphqlLimits,
    #[command(flatten)]
    pub limits: LimitConfig,
}

/// Limits on every GraphQL request, on by default.
#[derive(Debug, Clone, Args)]
pub struct GraphqlLimits {
    /// Deepest selection nesting (the playground's introspection query needs about 13).
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_DEPTH", default_value_t = 15)]
    pub max_depth: usize,
    /// Highest query complexity; list fields multiply their children by `first`.
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_MAX_COMPLEXITY",
        default_value_t = 100_000
    )]
    pub max_complexity: usize,
    /// Most directives on one field.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_DIRECTIVES", default_value_t = 5)]
    pub max_directives: usize,
    /// Deepest recursion while parsing and validating (nested lists, values, fragments).
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_RECURSION", default_value_t = 32)]
    pub max_recursion: usize,
    /// Most aliases in one document.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Most field selections in one document, fragments included.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_FIELDS", default_value_t = 400)]
    pub max_fields: usize,
    /// Largest request body on /graphql, in bytes.
    #[arg(long, env = "FACTLINE_GRAPHQL_MAX_BODY", default_value_t = 64 * 1024)]
    pub max_body: usize,
    /// Parsed documents kept by their text, so a document sent again is not
    /// parsed again (documents up to 8 KiB); 0 keeps none.
    #[arg(long, env = "FACTLINE_GRAPHQL_DOCUMENT_CACHE", default_value_t = 128)]
    pub document_cache: usize,
    /// Automatic persisted queries kept by their SHA-256 (documents up to
    /// 8 KiB); 0 turns the protocol off.
    #[arg(long, env = "FACTLINE_GRAPHQL_PERSISTED_CACHE", default_value_t = 512)]
    pub persisted_cache: usize,
    /// A persisted query list in Apollo's manifest format, read at start:
    /// its documents can be run by their hash alone.
    #[arg(long, env = "FACTLINE_GRAPHQL_PERSISTED_QUERIES")]
    pub persisted_queries: Option<std::path::PathBuf>,
    /// Run only the documents of the persisted query list.
    #[arg(long, env = "FACTLINE_GRAPHQL_PERSISTED_ONLY", value_parser = clap::builder::BoolishValueParser::new())]
    pub persisted_only: bool,
    /// WebSocket connections for subscriptions at most; past that the
    /// handshake is answered 503.
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_WS_MAX_CONNECTIONS",
        default_value_t = 256
    )]
    pub ws_max_connections: usize,
    /// Subscriptions one WebSocket connection may hold at once.
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_WS_MAX_SUBSCRIPTIONS",
        default_value_t = 10
    )]
    pub ws_max_subscriptions: usize,
    /// How long a WebSocket client has to send `connection_init`, in ms (then 4408).
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_WS_INIT_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub ws_init_timeout_ms: u64,
    /// How long a WebSocket connection stays open without a subscription, in ms.
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_WS_IDLE_TIMEOUT_MS",
        default_value_t = 60_000
    )]
    pub ws_idle_timeout_ms: u64,
    /// How often subscriptions look for changes committed elsewhere (another
    /// replica, the CLI), in ms; this process's own writes arrive at once.
    #[arg(
        long,
        env = "FACTLINE_GRAPHQL_SUBSCRIPTION_POLL_MS",
        default_value_t = 250
    )]
    pub subscription_poll_ms: u64,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        GraphqlLimits {
            max_depth: 15,
            max_complexity: 100_000,
            max_directives: 5,
            max_recursion: 32,
            max_aliases: 30,
            max_fields: 400,
            max_body: 64 * 1024,
            document_cache: 128,
            persisted_cache: 512,
            persisted_queries: None,
            persisted_only: false,
            ws_max_connections: 256,
            ws_max_subscriptions: 10,
            ws_init_timeout_ms: 10_000,
            ws_idle_timeout_ms: 60_000,
            subscription_poll_ms: 250,
        }
    }
}

/// The limits, each a flag with an environment variable.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitConfig {
    /// Requests per second each client IP may make, writes aside (bursts of twice that).
    #[arg(long, env = "FACTLINE_RATE_LIMIT_IP", default_value_t = 50)]
    pub rate_limit_ip: u32,
    /// Writes per second each API key may make (bursts of twice that).
    #[arg(long, env = "FACTLINE_RATE_LIMIT_KEY_WRITES", default_value_t = 10)]
    pub rate_limit_key_writes: u32,
    /// Turn the rate limits off (benchmarks, trusted networks).
    #[arg(long, env = "FACTLINE_NO_RATE_LIMIT", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_rate_limit: bool,
    /// Requests in flight above which new ones are answered 503 at once (0: no cap).
    #[arg(long, env = "FACTLINE_MAX_IN_FLIGHT", default_value_t = 512)]
    pub max_in_flight: usize,
    /// How long a client may take to send a request's head, in ms; also how
    /// long an idle keep-alive connection stays open waiting for the next one.
    #[arg(
        long,
        env = "FACTLINE_HEADER_READ_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub header_read_timeout_ms: u64,
    /// Open connections at most; past that, new ones wait in the listen
    /// backlog until one closes (0: no cap).
    #[arg(long, env = "FACTLINE_MAX_OPEN_CONNECTIONS", default_value_t = 4096)]
    pub max_open_connections: usize,
    /// How long a whole-database export waits for a client that reads
    /// nothing before it ends and frees its slot (and, on Postgres, its
    /// snapshot), in ms.
    #[arg(
        long,
        env = "FACTLINE_EXPORT_STALL_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub export_stall_timeout_ms: u64,
    /// Take the client IP from the first `X-Forwarded-For` address (only
    /// behind a proxy that sets it; otherwise clients could pick their own).
    #[arg(long, env = "FACTLINE_TRUST_FORWARDED_FOR", value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_forwarded_for: bool,
}

impl Default for LimitConfig {
    /// No rate limits and no cap: what tests and embedders get unless they ask.
    fn default() -> Self {
        LimitConfig {
            rate_limit_ip: 50,
            rate_limit_key_writes: 10,
            no_rate_limit: true,
            max_in_flight: 0,
            header_read_timeout_ms: 10_000,
            max_open_connections: 4096,
            export_stall_timeout_ms: 30_000,
            trust_forwarded_for: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{GraphqlLimits, LimitConfig};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        graphql: GraphqlLimits,
        #[command(flatten)]
        limits: LimitConfig,
    }

    /// The settings a server starts with (clap's defaults) are the ones the
    /// README documents and the tests use (`Default`), except that tests
    /// run without rate limits unless they ask for them.
    #[test]
    fn command_line_defaults_match_the_runtime_defaults() {
        let parsed = Cli::parse_from(["factline"]);
        assert_eq!(
            format!("{:?}", parsed.graphql),
            format!("{:?}", GraphqlLimits::default())
        );
        let runtime = LimitConfig {
            no_rate_limit: false,
            max_in_flight: 512,
            ..LimitConfig::default()
        };
        assert_eq!(format!("{:?}", parsed.limits), format!("{runtime:?}"));
    }
}
