//! `edgeflag serve`'s command line. Everything has a default, so `edgeflag serve` alone runs
//! the embedded example with a throw-away key, a generated admin token and an in-memory
//! SQLite store.

use super::throttle::DEFAULT_MAX_FAILURES;
use crate::inputs::parse_duration_ms;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// The default `--listen`: loopback only, so a development server is not exposed by accident.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// `edgeflag serve [OPTIONS]`, or `edgeflag serve token ...`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    /// Manage the named admin tokens stored in the database.
    #[command(subcommand)]
    pub(crate) command: Option<ServeCommand>,
    /// Where the flags, snapshots, audit trail and tokens live: `sqlite:PATH` (a file,
    /// created if missing) or `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (shared by
    /// replicas). Default: DIR/edgeflag.db with --state, else SQLite in memory.
    #[arg(
        long,
        value_name = "URL",
        env = "EDGEFLAG_DATABASE",
        hide_env_values = true
    )]
    pub(crate) database: Option<String>,
    /// The environments served, comma-separated, each with its own snapshot, version sequence
    /// and signing key. Default: `production` (or the environment the --flags file names).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub(crate) environments: Vec<String>,
    /// The environment `/snapshot`, `/snapshot/stream` and `/admin/flags` serve, and whose
    /// document a --flags file is. Default: `production` if served, else the first.
    #[arg(long, value_name = "ENV")]
    pub(crate) default_environment: Option<String>,
    /// The owner new environments are created for (with an empty document). Without it, a
    /// new database starts with the embedded example.
    #[arg(long, value_name = "OWNER")]
    pub(crate) owner: Option<String>,
    /// The default environment's document as a file under review (GitOps): a snapshot
    /// payload whose `version`, `issuedAt` and `expiresAt` the server sets. It is watched: a
    /// valid edit is published within a second, an invalid one is refused and the previous
    /// version kept. Admin changes to that environment are written back to it.
    #[arg(long, value_name = "FILE")]
    pub(crate) flags: Option<PathBuf>,
    /// A signing key: an unencrypted PKCS#8 PEM file (`edgeflag keygen`), for every
    /// environment (`--key FILE`) or one (`--key ENV=FILE`); repeatable. An environment
    /// without one gets a fresh development key, kept in memory only.
    #[arg(long, value_name = "[ENV=]KEY")]
    pub(crate) key: Vec<String>,
    /// The state directory (created if missing) for the SQLite store, DIR/edgeflag.db. The
    /// files of an older edgeflag serve there (version, current.json, audit.jsonl) are
    /// imported into a new store.
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,
    /// Flags from database columns: a query on the store's database returning one row per
    /// tenant, the tenant key first, then one column per flag (boolean columns make boolean
    /// flags on for the tenants whose value is true; other columns string, number or object
    /// flags serving each tenant its value; missing tenants and NULL get the off variant).
    /// Re-published within a second of a change (a trigger on PostgreSQL, --tenant-poll).
    #[arg(long, value_name = "SQL")]
    pub(crate) tenant_flags: Option<String>,
    /// The context attribute the tenant flags target.
    #[arg(long, value_name = "ATTRIBUTE", default_value = "tenantId")]
    pub(crate) tenant_attribute: String,
    /// How often the tenant query is re-run (on PostgreSQL also at once on a change).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration_ms)]
    pub(crate) tenant_poll: i64,
    /// Serve the admin UI's files from this folder (src/server/ui), read at each request,
    /// instead of the copies built into the binary: for working on the UI.
    #[arg(long, value_name = "DIR")]
    pub(crate) admin_ui_dir: Option<PathBuf>,
    /// The npm package's files (a built `pkg/`, or an unpacked `npm pack`), served at
    /// `/admin/sdk/` so the admin UI's "Try it" evaluates with the same package browsers run.
    #[arg(long, value_name = "DIR")]
    pub(crate) admin_sdk: Option<PathBuf>,
    /// The address to listen on; port 0 picks a free port (the actual address is printed).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub(crate) listen: String,
    /// The operator's admin token (an admin of every environment, never stored; audit
    /// entries name it `operator`). Without it, and with no admin token in the database, a
    /// random one is generated and printed: the admin API never runs unauthenticated.
    // From the environment too, so the token need not appear in `ps`; its value is never
    // shown by --help.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "EDGEFLAG_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub(crate) admin_token: Option<String>,
    /// How long each signed snapshot is valid (issuedAt + DURATION); the server re-signs
    /// when less than half of it remains, so a fresh client never accepts a snapshot older
    /// than this (a replayed one from before a kill switch included). At least 2s, at most
    /// 30d (what clients accept by default).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_expires_in)]
    pub(crate) expires_in: i64,
    /// The most `/snapshot/stream` subscribers at once; more get 503 and poll meanwhile.
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_subscribers: u32,
    /// The most connections open at once (streams included); past it new connections wait.
    #[arg(long, value_name = "N", default_value_t = 4_096, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_connections: u32,
    /// Failed admin authentications an address may make per minute; past it every admin
    /// request from that address gets 429 until the minute is over.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_FAILURES, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_auth_failures: u32,
    /// How long a client has to send a request's headers, and how long an idle keep-alive
    /// connection stays open.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration_ms)]
    pub(crate) header_timeout: i64,
    /// The key edge workers send (`Authorization: Bearer KEY`) with the events they forward
    /// to `POST /ingest/{env}/events` (the worker's `INGEST_KEY` secret). Without it a random
    /// one is generated and printed at start. At least 22 characters.
    #[arg(
        long,
        value_name = "KEY",
        env = "EDGEFLAG_INGEST_KEY",
        hide_env_values = true
    )]
    pub(crate) ingest_key: Option<String>,
    /// How old an event may be and still be counted (older ones are rejected as `tooOld`);
    /// the ids of batches received before it are forgotten.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_duration_ms)]
    pub(crate) events_retention: i64,
    /// How far in the future an event's time may be (clock skew) and still be counted.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration_ms)]
    pub(crate) events_skew: i64,
    /// How often rollout plans and guards are checked against the events.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration_ms)]
    pub(crate) guard_interval: i64,
}

/// `edgeflag serve token ...`.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Manage named admin tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `edgeflag serve token create|list|revoke`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints it once (only its SHA-256 is stored).
    Create(TokenCreateArgs),
    /// List the tokens: name, role, environments, created.
    List(StoreArgs),
    /// Delete a token.
    Revoke(TokenRevokeArgs),
}

/// Where the store is, for the token commands.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// As `edgeflag serve --database`.
    #[arg(
        long,
        value_name = "URL",
        env = "EDGEFLAG_DATABASE",
        hide_env_values = true
    )]
    pub(crate) database: Option<String>,
    /// As `edgeflag serve --state`.
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,
}

/// `edgeflag serve token create --name N --role R [--env E]`.
#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The token's name, as audit entries show it.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: String,
    /// `reader` (reads), `editor` (also changes flags, segments, schedules, promotions) or
    /// `admin` (everything).
    #[arg(long, value_name = "ROLE")]
    pub(crate) role: String,
    /// The environments the token may act on (repeatable or comma-separated); default all.
    #[arg(long = "env", value_name = "ENV", value_delimiter = ',')]
    pub(crate) environments: Vec<String>,
    /// Where the store is.
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// `edgeflag serve token revoke --name N`.
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's name.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: String,
    /// Where the store is.
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// The shortest validity accepted: the server re-signs at half of it, so anything shorter
/// would re-sign (and bump the version) many times a second.
const MIN_EXPIRES_IN_MS: i64 = 2_000;

/// The longest validity accepted: what clients accept by default
/// (`DEFAULT_MAX_VALIDITY_MS`); a longer one would be refused by every one of them.
const MAX_EXPIRES_IN_MS: i64 = 30 * 86_400_000;

/// clap value parser for `--expires-in`: a duration from two seconds to 30 days.
fn parse_expires_in(text: &str) -> Result<i64, String> {
    let ms = parse_duration_ms(text)?;
    if ms < MIN_EXPIRES_IN_MS {
        return Err("must be at least 2s (the server re-signs at half of it)".to_owned());
    }
    if ms > MAX_EXPIRES_IN_MS {
        return Err("must be at most 30d (clients refuse a longer validity by default)".to_owned());
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::parse_expires_in;

    #[test]
    fn validity_must_leave_room_for_re_signing() {
        assert_eq!(parse_expires_in("7d"), Ok(604_800_000));
        assert_eq!(parse_expires_in("2s"), Ok(2_000));
        assert!(parse_expires_in("1s").is_err());
        assert_eq!(parse_expires_in("30d"), Ok(2_592_000_000));
        assert!(parse_expires_in("31d").is_err());
        assert!(parse_expires_in("soon").is_err());
    }
}
