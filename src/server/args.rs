//! `edgeflag serve`'s command line. Everything has a default, so `edgeflag serve` alone runs
//! the embedded example with a throw-away key and a generated admin token.

use super::throttle::DEFAULT_MAX_FAILURES;
use crate::inputs::parse_duration_ms;
use clap::Args;
use std::path::PathBuf;

/// The default `--listen`: loopback only, so a development server is not exposed by accident.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// `edgeflag serve [--flags FILE] [--key KEY] [--state DIR] [--listen ADDR]
/// [--admin-token TOKEN] [--expires-in DURATION] [--max-subscribers N] [--max-connections N]
/// [--header-timeout DURATION]`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The flags document: a snapshot payload whose `version`, `issuedAt` and `expiresAt`
    /// the server sets. It is watched: a valid edit is published within a second, an invalid
    /// one is refused and the previous version kept. Admin changes are written back to it.
    /// Without it: DIR/current.json from --state, else the embedded example.
    #[arg(long, value_name = "FILE")]
    pub(crate) flags: Option<PathBuf>,
    /// The signing key: an unencrypted PKCS#8 PEM file (`edgeflag keygen`). Without it a
    /// fresh development key is generated and kept in memory only.
    #[arg(long, value_name = "KEY")]
    pub(crate) key: Option<PathBuf>,
    /// The state directory (created if missing): the version counter (`version`), the audit
    /// log (`audit.jsonl`) and the flags document last published (`current.json`). Without
    /// it, state lives in memory and versions are floored by the clock.
    #[arg(long, value_name = "DIR")]
    pub(crate) state: Option<PathBuf>,
    /// The address to listen on; port 0 picks a free port (the actual address is printed).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub(crate) listen: String,
    /// The bearer token of the admin API. Without it a random token is generated and
    /// printed: the admin API never runs unauthenticated.
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
