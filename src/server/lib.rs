//! `edgeflag serve`: the owning backend, the single source of truth for its flags. It keeps
//! every environment's flags and segments in a database (SQLite embedded, or PostgreSQL shared
//! by replicas), signs each environment's document as snapshot envelopes and serves them to
//! edge workers and browsers, and offers an authenticated admin API whose every change is a
//! new signed version and an audit entry.
//!
//! ```text
//! GET  /snapshot, /snapshot/stream                      the default environment's envelope
//! GET  /environments/{env}/snapshot[/stream]            any environment's; ETag, 304; CORS; SSE
//! /admin/environments/{env}/flags[/{key}[/kill]]        list, create, read, replace, patch, archive
//! /admin/environments/{env}/segments[/{key}]            the same for segments
//! /admin/flags[/{key}[/kill]]                           the default environment's flags
//! /admin/environments/{env}/scheduled[/{id}]            changes stored for later; cancel
//! POST /admin/promote                                   diff and promote between environments
//! POST /admin/environments/{env}/import?from=VENDOR     diff (dry run) and import an Unleash, GrowthBook or flagd file
//! GET  /admin/status, /admin/environments, /admin/audit versions, keys, store health, history
//! POST /ingest/{env}/events                             the edge worker's events (ingest key)
//! GET  /admin/environments/{env}/experiments/{flag}     experiment results per variant
//! /admin/environments/{env}/flags/{key}/rollout-plan    guarded rollouts; .../guard: kill guards
//! ```
//!
//! Decisions (each module documents its own in detail):
//! - Every change is one database transaction (`change`): lock the environment, reserve its
//!   next version (`max(last + 1, now in ms)`, from the database, so versions increase across
//!   replicas and restarts), apply the edit, sign, store the definitions, envelope and audit
//!   entry, notify the other replicas, commit. A failure at any step publishes nothing.
//! - Replicas serve the envelope exactly as stored (`sync`): same bytes, same ETag; a change
//!   reaches every replica within a second (at once through PostgreSQL's LISTEN/NOTIFY).
//! - A database outage: each replica keeps serving its last signed snapshot, reports the
//!   outage on `/admin/status`, answers writes with 503, and re-signs only from a readable
//!   store.
//! - `--flags FILE` keeps the file-under-review mode (GitOps): the file is the default
//!   environment's document, published on change; admin changes to it are written back.
//! - `--tenant-flags SQL`: flags from database columns, one row per tenant (`tenants`).
//! - A change with an instant to come is stored and applied then, once (`scheduler`).
//! - Every signing key is an Ed25519 key: `--key [ENV=]FILE` (PKCS#8 PEM) or a development
//!   key that lives in memory only. The admin API is never open: named tokens with roles live
//!   in the store (hashed); the operator's `--admin-token` is never stored; with neither, a
//!   random token is generated and printed (`token`).
//! - Snapshots are re-signed, as a new version, when less than half their validity
//!   (`--expires-in`, 1 hour by default) remains (`resign`).
//! - Ctrl-C or SIGTERM: streams end, in-flight requests finish (at most `GRACE`), and a
//!   change being written completes before the process exits.
//!
//! Exit codes: 0 after Ctrl-C or SIGTERM; 1 a flags document or state that is refused; 2 a
//! bad option, an unreadable key or flags file, an address that cannot be listened on; 3 a
//! store that cannot be opened or written, or a failing server.
//!
//! Start-up lines go to stdout (tests and scripts parse them: the default environment's
//! public key and keyid, a generated admin token, the version served, and `listening on
//! http://ADDR` last, with the address actually bound); the log (publishes, refusals,
//! warnings) goes to stderr.

mod admin;
mod app;
mod apply;
pub mod args;
pub mod audit;
mod change;
mod document;
mod edit;
mod events;
pub mod exit;
mod experiments;
mod files;
mod guard_loop;
mod http;
mod ingest;
pub mod inputs;
mod legacy;
mod listen;
pub mod output;
mod patch;
mod preview;
mod publisher;
mod resign;
mod respond;
mod scheduler;
mod startup;
pub mod stats;
mod store;
mod stream;
mod sync;
pub mod template;
mod tenant_start;
mod tenant_watch;
mod tenants;
mod throttle;
mod token;
mod tokens_command;
mod ui;
mod watcher;

use crate::exit::{io_reason, CliResult, Exit, Failure};
use crate::output::print_line;
use app::App;
use args::{ServeArgs, ServeCommand};
use startup::Origins;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a shutdown waits for requests in flight before it closes their connections.
pub(crate) const GRACE: Duration = Duration::from_secs(5);

/// A multi-threaded tokio runtime.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Exit::Io, format!("cannot start: {}", io_reason(&e))))
}

/// Runs the server until Ctrl-C or SIGTERM (or a `token` command).
pub fn run(args: &ServeArgs) -> CliResult {
    if let Some(ServeCommand::Token(command)) = &args.command {
        return runtime()?.block_on(tokens_command::run(command));
    }
    // Everything that can be wrong with the options is found before anything listens.
    let loaded = startup::load(args)?;
    runtime()?.block_on(serve(args, loaded))
}

/// The audit trail's lines, oldest first, from the store at `database` (or DIR/edgeflag.db),
/// for `edgeflag audit verify`.
pub fn audit_lines(
    database: Option<&str>,
    state: Option<&std::path::Path>,
) -> Result<Vec<String>, Failure> {
    let location = startup::location(database, state)?;
    runtime()?.block_on(async move {
        let store = store::Store::open(location.clone())
            .await
            .map_err(|e| Failure::new(Exit::Io, format!("{}: {e}", location.display())))?;
        let rows = store::audit::list(store.pool(), &store::AuditFilter::default())
            .await
            .map_err(|e| Failure::new(Exit::Io, format!("{}: {e}", location.display())))?;
        store.close().await;
        Ok(rows.into_iter().map(|r| r.line).collect())
    })
}

/// Opens the store, publishes, prints the start-up lines and serves.
async fn serve(args: &ServeArgs, loaded: startup::Loaded) -> CliResult {
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| {
            Failure::usage(
                format_args!("--listen {}", args.listen),
                format!("cannot listen: {}", io_reason(&e)),
            )
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::new(Exit::Io, format!("cannot listen: {}", io_reason(&e))))?;
    let (app, origins) = startup::start(loaded, args).await?;
    if let Some(dir) = &args.admin_ui_dir {
        ui::serve_from(dir.clone());
    }
    if let Some(dir) = &args.admin_sdk {
        ui::serve_sdk(dir.clone());
    }
    let router = http::router(app.clone());
    announce(&app, &origins, address)?;

    tokio::spawn(watcher::run(app.clone()));
    tokio::spawn(sync::run(app.clone()));
    tokio::spawn(scheduler::run(app.clone()));
    tokio::spawn(guard_loop::run(app.clone()));
    tokio::spawn(tenant_watch::run(app.clone()));
    for index in 0..app.environments.len() {
        tokio::spawn(resign::run(app.clone(), index));
    }
    tokio::spawn(signals(app.clone()));
    let limits = listen::ConnectionLimits {
        max_connections: args.max_connections as usize,
        header_timeout: Duration::from_millis(args.header_timeout.unsigned_abs()),
    };
    listen::serve(listener, router, app.clone(), limits).await;
    // A change in flight has finished (the listener waited for its request); nothing new
    // starts now.
    let _writer = app.writer.lock().await;
    app.store.close().await;
    log("stopped");
    Ok(())
}

/// Prints the start-up lines (stdout).
fn announce(app: &App, origins: &Origins, address: SocketAddr) -> CliResult {
    let mut lines = Vec::new();
    for (index, environment) in app.environments.iter().enumerate() {
        let key = &environment.key;
        // The default environment's key comes first and unprefixed (scripts read it).
        let prefix = if index == 0 {
            String::new()
        } else {
            format!("environment {}: ", environment.name)
        };
        lines.push(format!("{prefix}public key {}", key.public_key()));
        lines.push(format!("{prefix}keyid {}", key.keyid()));
    }
    if !origins.generated_keys.is_empty() {
        lines.push(format!(
            "development key{} for {}: in memory only, gone at exit (keep one: edgeflag keygen, then --key)",
            if origins.generated_keys.len() == 1 { "" } else { "s" },
            origins.generated_keys.join(", ")
        ));
    }
    if let Some(token) = &origins.generated_token {
        lines.push(format!(
            "admin token {token} (generated; choose one with --admin-token or EDGEFLAG_ADMIN_TOKEN, or create named ones: edgeflag serve token create)"
        ));
    }
    if let Some(key) = &origins.generated_ingest_key {
        lines.push(format!(
            "ingest key {key} (generated; edge workers send it as INGEST_KEY to POST /ingest/ENV/events; choose one with --ingest-key or EDGEFLAG_INGEST_KEY)"
        ));
    }
    lines.push(format!(
        "database {} (tokens stored: {})",
        origins.database, origins.stored_tokens
    ));
    for environment in &app.environments {
        let current = environment.current();
        let origin = origins
            .documents
            .iter()
            .find(|(name, _)| *name == environment.name)
            .map_or("the store", |(_, origin)| origin.as_str());
        lines.push(format!(
            "serving {}/{} version {} from {origin}",
            current.owner, current.environment, current.version
        ));
    }
    lines.push(format!("admin UI http://{address}/admin/"));
    lines.push(format!("listening on http://{address}"));
    let text: Vec<String> = lines
        .iter()
        .map(|line| format!("edgeflag serve: {line}"))
        .collect();
    print_line(&text.join("\n"))
}

/// Waits for Ctrl-C or SIGTERM, then starts the shutdown.
async fn signals(app: Arc<App>) {
    // A signal that cannot be listened for never arrives, rather than arriving at once.
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    log("shutting down");
    app.shut_down();
}

/// Writes one log line to stderr. A closed stderr is ignored: the server keeps serving
/// rather than fail over its log.
pub(crate) fn log(line: &str) {
    let _ = writeln!(io::stderr().lock(), "edgeflag serve: {line}");
}

/// The system clock, ms since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    crate::inputs::system_now_ms()
}
