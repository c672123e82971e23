//! The `factline` command line: one binary, one subcommand per task.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::{DbConfig, LogConfig, ServeConfig};
use crate::domain::import::Staged;
use crate::domain::{bundled, dataset::Dataset, import};
use crate::error::Error;
use crate::startup::{self, Server};
use crate::state::AppState;
use crate::{db, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "factline",
    version,
    about = "A fact API for research on hacktivism"
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbConfig,
    #[command(flatten)]
    pub log: LogConfig,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST API (migrating and seeding the database first, unless told not to).
    Serve(ServeConfig),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
    /// Print the OpenAPI document (as served at /openapi.json).
    Openapi,
    /// Write every record out, streamed (constant memory), with a progress bar on a terminal.
    Export {
        /// ndjson: one record per line; json: the dataset file format; stix: a STIX 2.1 bundle;
        /// csv: one collection (--collection) as its list's CSV; misp-galaxy: the groups as a
        /// MISP galaxy cluster (synonyms, refs from their sources' URLs).
        #[arg(long, value_enum, default_value_t = crate::domain::export::Format::Ndjson)]
        format: crate::domain::export::Format,
        /// With --format csv: groups, operations, targets, legal-outcomes or sources.
        #[arg(long, value_parser = ["groups", "operations", "targets", "legal-outcomes", "sources"])]
        collection: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Export the records as they stood at this RFC 3339 time (rebuilt
        /// from the revisions); the header line and the summary give the
        /// SHA-256 to cite with it.
        #[arg(long, value_name = "TIME")]
        as_of: Option<String>,
    },
    /// Exit 0 when /readyz answers 200 within the timeout (for a container HEALTHCHECK).
    Healthcheck {
        /// The readiness URL; by default /readyz on FACTLINE_BIND (0.0.0.0 means 127.0.0.1).
        #[arg(long)]
        url: Option<String>,
        /// How long to wait for the answer, in milliseconds.
        #[arg(long, default_value_t = 3_000)]
        timeout_ms: u64,
        /// Address the server listens on, to build the default URL.
        #[arg(long, env = "FACTLINE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Manage API keys for editors and admins.
    #[command(subcommand)]
    Apikey(ApikeyCommand),
    /// Report, per kind, what in a dataset file cannot be checked against its sources (values
    /// without a citation naming their field, missing Arabic names, unused or duplicate sources);
    /// exit 1 on any violation. Without a file it checks the bundled dataset; no database is used.
    Check {
        /// A dataset file in the format of data/factline.json; `-` reads standard input.
        file: Option<PathBuf>,
        /// Print the report as JSON (every finding, with whether it is a violation).
        #[arg(long)]
        json: bool,
    },
    /// Load a dataset file (the bundled dataset when no file is given) in one transaction;
    /// or, with --format misp-galaxy, chosen values of a MISP galaxy cluster file as groups.
    Import {
        /// A dataset file in the format of data/factline.json (or its NDJSON export), or with
        /// --format misp-galaxy a MISP galaxy cluster file; `-` reads standard input.
        file: Option<PathBuf>,
        /// dataset: factline's own format; misp-galaxy: a MISP galaxy cluster, of which
        /// --only names the values to bring in as groups (each value's name and synonyms, its
        /// MISP uuid and its refs as the sources it cites; never MISP's descriptions).
        #[arg(long, value_enum, default_value_t = ImportFormat::Dataset)]
        format: ImportFormat,
        /// With --format misp-galaxy (required there): the values to import, by their exact
        /// `value`, comma-separated or repeated. A value without refs is refused.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
}

/// What `factline import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// factline's dataset file (JSON or NDJSON).
    Dataset,
    /// A MISP galaxy cluster file; `--only` chooses its values.
    MispGalaxy,
}

#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key; it is printed once, alone on the last line, and stored only as a hash.
    Create {
        /// reader, editor or admin.
        #[arg(long, value_parser = ["reader", "editor", "admin"])]
        role: String,
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its id or printed prefix; it fails at once afterwards.
    Revoke {
        /// The key's id or prefix (`flk_…`).
        key: String,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    telemetry::init(&cli.log);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        // Operator jobs may rightly run long statements; only `serve` keeps
        // the statement timeout, for requests.
        let job_db = cli.db.without_statement_timeout();
        match cli.command {
            Command::Serve(serve) => {
                // A broken persisted query list stops the start before
                // anything else is done.
                let persisted = crate::graphql::persisted::Persisted::configured(&serve.graphql)?;
                let db = startup::prepare(&cli.db, &serve).await?;
                let replica = startup::connect_replica(&cli.db).await?;
                let mut state = AppState::new(db.clone(), serve.graphql.clone())
                    .with_limits(&serve.limits)
                    .with_persisted(persisted);
                if let Some(r) = replica.clone() {
                    state = state.with_replica(r);
                }
                let server = Server::bind(&serve.bind, state)
                    .await?
                    .drain_timeout(std::time::Duration::from_millis(serve.drain_timeout_ms))
                    .connection_limits(&serve.limits);
                tracing::info!(addr = %server.local_addr()?, "factline listening");
                server.run().await.context("server error")?;
                // Closing waits for connections still checked out (a request
                // cut off at the drain deadline may hold one): bounded too.
                let close = async {
                    db.close().await.ok();
                    if let Some(r) = replica {
                        r.close().await.ok();
                    }
                };
                if tokio::time::timeout(std::time::Duration::from_secs(2), close)
                    .await
                    .is_err()
                {
                    tracing::warn!("database connections still in use at exit: dropped");
                }
                tracing::info!("stopped");
                Ok(ExitCode::SUCCESS)
            }
            Command::Migrate => {
                let url = job_db.url();
                let conn = db::connect(&url, &job_db).await.with_context(|| {
                    format!("cannot open the database at {}", startup::redact(&url))
                })?;
                let lock = db::StartupLock::acquire(&conn)
                    .await
                    .context("cannot take the start-up lock")?;
                let result = db::migrate(&conn).await.context("migration failed");
                lock.release().await;
                result?;
                println!("migrations applied");
                Ok(ExitCode::SUCCESS)
            }
            Command::Import { file, format, only } => match format {
                ImportFormat::Dataset if !only.is_empty() => {
                    anyhow::bail!("--only goes with --format misp-galaxy")
                }
                ImportFormat::Dataset => {
                    let (name, staged) = stage(file).await?;
                    run_import(&job_db, name, ImportInput::Staged(Box::new(staged))).await
                }
                ImportFormat::MispGalaxy => {
                    let (name, ds) = read_misp(file, &only)?;
                    run_import(&job_db, name, ImportInput::Misp(Box::new(ds))).await
                }
            },
            Command::Check { file, json } => run_check(file, json),
            Command::Apikey(cmd) => run_apikey(&job_db, cmd).await,
            Command::Healthcheck {
                url,
                timeout_ms,
                bind,
            } => {
                let url = url.unwrap_or_else(|| {
                    format!("http://{}/readyz", bind.replacen("0.0.0.0", "127.0.0.1", 1))
                });
                Ok(healthcheck(&url, timeout_ms).await)
            }
            Command::Openapi => {
                let doc = crate::rest::openapi::document();
                println!(
                    "{}",
                    doc.to_pretty_json()
                        .context("cannot render the OpenAPI document")?
                );
                Ok(ExitCode::SUCCESS)
            }
            Command::Export {
                format,
                output,
                collection,
                as_of,
            } => run_export(&job_db, format, collection, output, as_of).await,
            Command::Schema => {
                print!("{}", crate::graphql::sdl());
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

async fn healthcheck(url: &str, timeout_ms: u64) -> ExitCode {
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(timeout_ms))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("unhealthy: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(url).send().await {
        Ok(r) if r.status() == reqwest::StatusCode::OK => {
            println!("healthy: {url} answered 200");
            ExitCode::SUCCESS
        }
        Ok(r) => {
            eprintln!("unhealthy: {url} answered {}", r.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_apikey(cfg: &DbConfig, cmd: ApikeyCommand) -> anyhow::Result<ExitCode> {
    use crate::domain::auth;
    let url = cfg.url();
    let conn = db::connect(&url, cfg)
        .await
        .with_context(|| format!("cannot open the database at {}", startup::redact(&url)))?;
    db::migrate(&conn)
        .await
        .context("cannot migrate the database")?;
    match cmd {
        ApikeyCommand::Create { role, name } => {
            let role = auth::Role::parse(&role).context("unknown role")?;
            let (row, key) = auth::create_key(&conn, role, &name).await?;
            println!(
                "created {} key {:?} (id {}, prefix {})",
                row.role, row.name, row.id, row.prefix
            );
            println!("store it now: it is shown only once and kept only as a hash");
            println!("{key}");
        }
        ApikeyCommand::List => {
            println!(
                "{:<36}  {:<12}  {:<6}  {:<20}  {:<20}  {:<20}  name",
                "id", "prefix", "role", "created", "last used", "revoked"
            );
            let t = |d: Option<chrono::DateTime<chrono::Utc>>| {
                d.map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_else(|| "-".into())
            };
            for k in auth::list_keys(&conn).await? {
                println!(
                    "{:<36}  {:<12}  {:<6}  {:<20}  {:<20}  {:<20}  {}",
                    k.id,
                    k.prefix,
                    k.role,
                    t(Some(k.created_at)),
                    t(k.last_used_at),
                    t(k.revoked_at),
                    k.name
                );
            }
        }
        ApikeyCommand::Revoke { key } => {
            let row = auth::revoke_key(&conn, &key).await?;
            println!("revoked key {} ({}, {:?})", row.id, row.prefix, row.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The dataset a command reads: the file given (`-` for standard input), else
/// the bundled one; with the name to report it by.
fn read_dataset(file: &Option<PathBuf>) -> anyhow::Result<(String, Dataset)> {
    Ok(match file {
        None => ("the bundled dataset".to_owned(), bundled::dataset()?),
        Some(p) => {
            let text = if p.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
            } else {
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?
            };
            (
                p.display().to_string(),
                Dataset::parse(&text).map_err(|e| refusal(&p.display().to_string(), e))?,
            )
        }
    })
}

/// Stages the file given (`-` for standard input), else the bundled dataset,
/// for an import: read as it streams, never held whole.
async fn stage(file: Option<PathBuf>) -> anyhow::Result<(String, Staged)> {
    let Some(p) = file else {
        return Ok((
            "the bundled dataset".to_owned(),
            Staged::of(bundled::dataset()?)?,
        ));
    };
    let name = p.display().to_string();
    let reader: Box<dyn std::io::Read + Send> = if p.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&p).with_context(|| format!("cannot read {name}"))?)
    };
    let staged = tokio::task::spawn_blocking(move || Staged::read(reader))
        .await
        .context("the import's reader stopped")?
        .map_err(|e| refusal(&name, e))?;
    Ok((name, staged))
}

/// The chosen values of a MISP galaxy cluster file as a dataset of groups
/// and their sources, checked before any database is opened.
fn read_misp(file: Option<PathBuf>, only: &[String]) -> anyhow::Result<(String, Dataset)> {
    let Some(p) = file else {
        anyhow::bail!("--format misp-galaxy reads a cluster file: name it (or `-`)");
    };
    if only.is_empty() {
        anyhow::bail!(
            "--format misp-galaxy needs --only NAME,... naming the values to import \
             (a cluster holds hundreds)"
        );
    }
    let name = p.display().to_string();
    let text = if p.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
    } else {
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {name}"))?
    };
    let ds = crate::domain::misp::dataset_of(&text, only).map_err(|e| refusal(&name, e))?;
    Ok((name, ds))
}

/// What an import writes: a staged dataset file, or cluster values that are
/// first built onto the stored groups (which needs the database).
enum ImportInput {
    Staged(Box<Staged>),
    Misp(Box<Dataset>),
}

async fn run_import(cfg: &DbConfig, name: String, input: ImportInput) -> anyhow::Result<ExitCode> {
    let url = cfg.url();
    let conn = db::connect(&url, cfg)
        .await
        .with_context(|| format!("cannot open the database at {}", startup::redact(&url)))?;
    db::migrate(&conn)
        .await
        .context("cannot migrate the database")?;

    let staged = match input {
        ImportInput::Staged(s) => *s,
        ImportInput::Misp(ds) => {
            let ds = crate::domain::misp::onto_stored(&conn, *ds)
                .await
                .map_err(|e| refusal(&name, e))?;
            Staged::of(ds).map_err(|e| refusal(&name, e))?
        }
    };
    let bar = progress_bar("{spinner} importing {pos}/{len} records [{bar:30}] {per_sec}");
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = import::import(&conn, staged, None, &progress)
        .await
        .map_err(|e| refusal(&name, e))?;
    bar.finish_and_clear();
    println!(
        "imported {name}: {} created, {} updated, {} unchanged",
        report.created, report.updated, report.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

fn run_check(file: Option<PathBuf>, json: bool) -> anyhow::Result<ExitCode> {
    let (name, ds) = read_dataset(&file)?;
    let invalid = crate::domain::dataset::validate(&ds, &Default::default());
    let report = crate::domain::dataset::report::check(&ds, &invalid);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("checked {name}");
        print!("{}", report.text());
    }
    Ok(if report.violations().next().is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A refused file: every problem on its own line, then one summary line.
fn refusal(name: &str, e: Error) -> anyhow::Error {
    match e {
        Error::Invalid(errors) => {
            for f in &errors {
                eprintln!("  {f}");
            }
            anyhow::anyhow!(
                "{name} was refused ({} problems); nothing was imported",
                errors.len()
            )
        }
        other => anyhow::Error::new(other),
    }
}

async fn run_export(
    cfg: &DbConfig,
    format: crate::domain::export::Format,
    collection: Option<String>,
    output: Option<PathBuf>,
    as_of: Option<String>,
) -> anyhow::Result<ExitCode> {
    use crate::domain::export::{self, Message};
    use std::io::Write;
    let url = cfg.url();
    let live = db::connect(&url, cfg)
        .await
        .with_context(|| format!("cannot open the database at {}", startup::redact(&url)))?;
    let as_of = as_of
        .map(|t| crate::domain::asof::parse(&t, "--as-of"))
        .transpose()?;
    // As of a time, everything reads the records rebuilt as they stood then.
    let conn = match as_of {
        Some(t) => {
            crate::domain::asof::Snapshots::new(crate::domain::asof::DEFAULT_MAX_RECORDS)
                .at(&live, t)
                .await
                .map_err(|e| {
                    anyhow::Error::new(e).context("cannot rebuild the records of that time")
                })?
                .db
        }
        None => live.clone(),
    };
    let mut out: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let bar = progress_bar("{spinner} exporting {pos}/{len} records [{bar:30}] {per_sec} {eta}");
    if format == export::Format::Csv {
        let Some(name) = collection else {
            anyhow::bail!(
                "--format csv exports one collection: add --collection, e.g. --collection operations"
            );
        };
        let c = crate::domain::write::Collection::ALL
            .into_iter()
            .find(|c| c.path() == name)
            .context("unknown collection")?;
        let progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        let rows = crate::rest::csv::write_collection(&conn, c, &mut *out, &progress)
            .await
            .map_err(|e| anyhow::Error::new(e).context("export failed"))?;
        out.flush().context("cannot write the export")?;
        bar.finish_and_clear();
        conn.close().await.ok();
        if let Some(p) = output {
            eprintln!("exported {rows} {name} to {}", p.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    if collection.is_some() {
        anyhow::bail!(
            "--collection goes with --format csv; the other formats export every collection"
        );
    }
    // The CLI writes to a file or a pipe it owns: a slow pipe is the user's choice.
    let mut rx = export::spawn(conn.clone(), format, as_of, None, std::time::Duration::MAX);
    let mut records = 0;
    let mut done = false;
    let mut cite = None;
    while let Some(m) = rx.recv().await {
        match m {
            Message::Done => done = true,
            Message::Start(c, id) => {
                bar.set_length(c.total());
                cite = Some(id);
            }
            Message::Chunk(bytes, n) => {
                out.write_all(&bytes).context("cannot write the export")?;
                records += n;
                bar.inc(n);
            }
            Message::Failed(e) => {
                bar.abandon();
                return Err(anyhow::Error::new(e).context("export failed"));
            }
        }
    }
    if !done {
        bar.abandon();
        anyhow::bail!("export cut short: the export task ended before finishing");
    }
    out.flush().context("cannot write the export")?;
    bar.finish_and_clear();
    conn.close().await.ok();
    live.close().await.ok();
    if let Some(p) = output {
        eprintln!("exported {records} records to {}", p.display());
    }
    if let Some(id) = cite {
        eprintln!(
            "as of {}, sha256 {}",
            id.as_of.as_deref().unwrap_or("(no writes yet)"),
            id.sha256
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on standard error, drawn only on a terminal (standard
/// output stays clean for pipes).
fn progress_bar(template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
