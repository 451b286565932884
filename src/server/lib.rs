//! `edgeflag serve`: the reference owning backend. It signs the flags document as snapshot
//! envelopes and serves them to edge workers and browsers, watches the flags file, and
//! offers an authenticated admin API whose every change is a new signed version and an
//! audit entry.
//!
//! ```text
//! GET     /snapshot                 the envelope; strong ETag, 304 on If-None-Match; CORS
//! GET     /snapshot/stream          Server-Sent Events: `snapshot` events, one per version
//! GET     /admin/flags              the flags document                      (bearer token)
//! PATCH   /admin/flags/{key}        enabled, variant, rollout, schedule     (bearer token)
//! POST    /admin/flags/{key}/kill   enabled: false                          (bearer token)
//! GET     /admin/status             version, key, last publish, last refusal, subscribers
//! GET     /admin/audit[?limit=N]    the audit entries, oldest first
//! ```
//!
//! Decisions (each module documents its own in detail):
//! - The flags document is a payload template: the server sets `version`, `issuedAt` and
//!   `expiresAt` (`template`). Versions are `max(last + 1, now in ms)`: with `--state`
//!   the counter is persisted before a version is published; without it the clock alone
//!   keeps a restart from reusing a version (`publisher`).
//! - Where the document comes from: `--flags FILE` if given (the source of truth: admin
//!   changes are written back to it, atomically, reformatted with two-space indentation),
//!   else `DIR/current.json` (the last published document) with `--state`, else the embedded
//!   example. An admin change is refused (409) while the flags file holds an edit the server
//!   has not published, so neither side's change is silently lost.
//! - Every change goes through one pipeline under one lock: validate, reserve the version,
//!   sign, audit (`fsync`), write the document, publish (`app`). State files are replaced
//!   atomically (`files`); a torn audit line is repaired at start (`audit`).
//! - Every signing key is an Ed25519 key: `--key` (PKCS#8 PEM) or a development key that
//!   lives in memory only. The admin API is never open: without `--admin-token` (or
//!   `EDGEFLAG_ADMIN_TOKEN`) a random token is generated and printed (`token`).
//! - Snapshots are re-signed, as a new version, when less than half their validity
//!   (`--expires-in`, 7 days by default) remains (`resign`).
//! - Ctrl-C or SIGTERM: streams end, in-flight requests finish (at most `GRACE`), and a
//!   change being written completes before the process exits.
//!
//! Exit codes: 0 after Ctrl-C or SIGTERM; 1 a flags document or version counter that is
//! refused; 2 a bad option, an unreadable key or flags file, an address that cannot be
//! listened on; 3 a state directory that cannot be written, or a failing server.
//!
//! Start-up lines go to stdout (tests and scripts parse them: the public key, its keyid,
//! a generated admin token, the version served, and `listening on http://ADDR` last, with
//! the address actually bound); the log (publishes, refusals, warnings) goes to stderr.

mod admin;
mod app;
mod apply;
pub mod args;
pub mod audit;
pub mod exit;
mod files;
mod http;
pub mod inputs;
mod listen;
pub mod output;
mod patch;
mod publisher;
mod resign;
mod respond;
mod startup;
mod state;
mod stream;
pub mod template;
mod throttle;
mod token;
mod watcher;

use crate::exit::{io_reason, CliResult, Exit, Failure};

use crate::output::print_line;
use app::App;
use args::ServeArgs;
use startup::Origins;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a shutdown waits for requests in flight before it closes their connections.
pub(crate) const GRACE: Duration = Duration::from_secs(5);

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: &ServeArgs) -> CliResult {
    // Everything that can be wrong with the options is found before anything listens.
    let loaded = startup::load(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Exit::Io, format!("cannot start: {}", io_reason(&e))))?;
    runtime.block_on(serve(args, loaded))
}

/// Listens, publishes the first version, prints the start-up lines and serves.
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
    let (app, origins) = startup::start(loaded, args)?;
    announce(&app, &origins, address)?;

    tokio::spawn(watcher::run(app.clone()));
    tokio::spawn(resign::run(app.clone()));
    tokio::spawn(signals(app.clone()));
    let limits = listen::ConnectionLimits {
        max_connections: args.max_connections as usize,
        header_timeout: Duration::from_millis(args.header_timeout.unsigned_abs()),
    };
    listen::serve(listener, http::router(app.clone()), app, limits).await;
    log("stopped");
    Ok(())
}

/// Prints the start-up lines (stdout).
fn announce(app: &App, origins: &Origins, address: SocketAddr) -> CliResult {
    let key = app.publisher.key();
    let current = app.current();
    let mut lines = vec![
        format!("public key {}", key.public_key()),
        format!("keyid {}", key.keyid()),
    ];
    if origins.generated_key {
        lines.push(
            "development key: in memory only, gone at exit (keep one: edgeflag keygen, then --key)"
                .to_owned(),
        );
    }
    if let Some(token) = &origins.generated_token {
        lines.push(format!(
            "admin token {token} (generated; choose one with --admin-token or EDGEFLAG_ADMIN_TOKEN)"
        ));
    }
    lines.push(format!(
        "serving {}/{} version {} from {}",
        current.owner, current.environment, current.version, origins.document
    ));
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
