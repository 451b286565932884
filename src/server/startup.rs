//! Everything `edgeflag serve` checks and loads before it listens: the key, the admin token,
//! the state directory and the flags document. Failures exit like the other subcommands:
//! 1 for a document or state that is refused, 2 for a bad option or unreadable input, 3 for
//! a state directory that cannot be written.

use super::app::{App, Core};
use super::args::ServeArgs;
use super::audit::{AuditLog, Recovered};
use super::files::remove_stale_temp;
use super::publisher::{PublishError, Publisher};
use super::state::StateDir;
use super::template;
use super::token::AdminToken;
use super::{log, now_ms};
use crate::exit::{io_reason, Exit, Failure};
use crate::inputs::{read_file, signing_key};
use edgeflag::envelope::SigningKey;
use edgeflag::{Limits, Snapshot, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The flags document served when no `--flags` file (and no `DIR/current.json`) is given:
/// a storefront's flags, for the demo page.
pub(crate) const EXAMPLE: &str = include_str!("example-flags.json");

/// What `run` prints about where things came from.
#[derive(Debug)]
pub(crate) struct Origins {
    /// The key was generated for this run.
    pub(crate) generated_key: bool,
    /// The admin token, when it was generated (and must be printed once).
    pub(crate) generated_token: Option<String>,
    /// Where the document came from: a path or `the embedded example`.
    pub(crate) document: String,
}

/// The key from `--key`, or a fresh one from the OS's random source.
fn key(args: &ServeArgs) -> Result<(SigningKey, bool), Failure> {
    if let Some(path) = &args.key {
        return Ok((signing_key(path)?, false));
    }
    Ok((crate::inputs::fresh_signing_key()?, true))
}

/// The shortest operator-chosen admin token: 22 characters of base64 carry 132 bits, so a
/// token this long can be as strong as a generated one (which has 256).
const MIN_TOKEN_CHARS: usize = 22;

/// The admin token from `--admin-token` (or the environment), or a generated one.
fn token(args: &ServeArgs) -> Result<(AdminToken, Option<String>), Failure> {
    match args.admin_token.as_deref().map(str::trim) {
        Some("") => Err(Failure::usage(
            "--admin-token",
            "must not be empty (omit it to have one generated)",
        )),
        Some(text) if text.chars().count() < MIN_TOKEN_CHARS => Err(Failure::usage(
            "--admin-token",
            format!(
                "too short ({} characters): use at least {MIN_TOKEN_CHARS} random ones (about \
                 128 bits, e.g. `openssl rand -hex 16`), or omit it to have one generated",
                text.chars().count()
            ),
        )),
        Some(text) => Ok((AdminToken::new(text), None)),
        None => {
            let (text, token) = AdminToken::generate().map_err(|e| {
                Failure::new(
                    Exit::Io,
                    format!("cannot read the operating system's random source: {e}"),
                )
            })?;
            Ok((token, Some(text)))
        }
    }
}

/// The state directory with its version counter and audit log, or an in-memory audit log.
fn state(args: &ServeArgs) -> Result<(Option<StateDir>, u64, AuditLog), Failure> {
    let Some(dir) = &args.state else {
        return Ok((None, 0, AuditLog::in_memory()));
    };
    let state = StateDir::open(dir).map_err(|e| Failure::write(dir.display(), &e))?;
    let last_version = state
        .read_version()
        .map_err(|message| Failure::new(Exit::Refused, message))?
        .unwrap_or(0);
    let path = state.audit_path();
    let (audit, recovered, chain) =
        AuditLog::open(path.clone()).map_err(|e| Failure::write(path.display(), &e))?;
    if let Err(broken) = chain {
        // The history was damaged or rewritten: say so loudly, keep serving flags (new
        // entries chain to the last line as it is).
        log(&format!(
            "{}: warning: entry {} breaks the audit chain: {} (edgeflag audit verify {})",
            path.display(),
            broken.entry,
            broken.reason,
            dir.display()
        ));
    }
    match recovered {
        Recovered::Clean => {}
        Recovered::Completed => log(&format!(
            "{}: added the newline its last entry lacked",
            path.display()
        )),
        Recovered::Truncated(bytes) => log(&format!(
            "{}: cut off a torn last line ({bytes} bytes) left by an interrupted write",
            path.display()
        )),
    }
    Ok((Some(state), last_version, audit))
}

/// The flags document, where it came from, and the hash of the `--flags` file.
fn document(
    args: &ServeArgs,
    state: Option<&StateDir>,
    limits: &Limits,
) -> Result<(Value, String, Option<[u8; 32]>), Failure> {
    let (bytes, origin, from_file) = if let Some(path) = &args.flags {
        if let Err(e) = remove_stale_temp(path) {
            log(&format!(
                "{}: cannot remove a temp file left by an interrupted write: {}",
                path.display(),
                io_reason(&e)
            ));
        }
        (read_file(path)?, path.display().to_string(), true)
    } else if let Some(state) = state {
        let path = state.current_path();
        match state.read_current() {
            Ok(Some(bytes)) => (bytes, path.display().to_string(), false),
            Ok(None) => example(),
            Err(e) => return Err(Failure::unreadable(&path, &e)),
        }
    } else {
        example()
    };
    let template = template::parse(&bytes, limits).map_err(|e| Failure::refused(&origin, e))?;
    // Checked now, with any version, so a broken document exits before the server listens.
    let now = now_ms();
    let probe = template::stamp(&template, 1, now, now.saturating_add(args.expires_in));
    Snapshot::load(&probe, limits).map_err(|e| Failure::refused(&origin, e))?;
    let hash = from_file.then(|| Sha256::digest(&bytes).into());
    Ok((template, origin, hash))
}

/// The embedded example's bytes and name.
fn example() -> (Vec<u8>, String, bool) {
    (
        EXAMPLE.as_bytes().to_vec(),
        "the embedded example".to_owned(),
        false,
    )
}

/// Everything loaded, before the first version is signed.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Signs.
    publisher: Publisher,
    /// The last version reserved before this run.
    last_version: u64,
    /// The audit log.
    audit: AuditLog,
    /// The document.
    template: Value,
    /// The `--flags` file's hash.
    file_hash: Option<[u8; 32]>,
    /// The admin token.
    token: AdminToken,
    /// For the start-up lines.
    pub(crate) origins: Origins,
}

/// Checks and loads everything `args` names.
pub(crate) fn load(args: &ServeArgs) -> Result<Loaded, Failure> {
    let (key, generated_key) = key(args)?;
    let (token, generated_token) = token(args)?;
    let (state, last_version, audit) = state(args)?;
    let limits = Limits::default();
    let (template, origin, file_hash) = document(args, state.as_ref(), &limits)?;
    Ok(Loaded {
        publisher: Publisher::new(key, state, args.expires_in),
        last_version,
        audit,
        template,
        file_hash,
        token,
        origins: Origins {
            generated_key,
            generated_token,
            document: origin,
        },
    })
}

/// Signs the first version and assembles the server's state.
pub(crate) fn start(loaded: Loaded, args: &ServeArgs) -> Result<(Arc<App>, Origins), Failure> {
    let Loaded {
        publisher,
        mut last_version,
        audit,
        template,
        file_hash,
        token,
        origins,
    } = loaded;
    let signed = publisher
        .sign(&template, &mut last_version, now_ms())
        .map_err(|e| match e {
            PublishError::Invalid(m) => Failure::refused(&origins.document, m),
            PublishError::Conflict(m) | PublishError::Io(m) => Failure::new(Exit::Io, m),
        })?;
    if let Some(state) = publisher.state() {
        let text = template::pretty(&template);
        state
            .write_current(text.as_bytes())
            .map_err(|e| Failure::write(state.current_path().display(), &e))?;
    }
    for warning in &signed.warnings {
        log(&format!("{}: warning: {warning}", origins.document));
    }
    let core = Core {
        template,
        last_version,
        current: Arc::new(signed.published),
        file_hash,
        file_refused: false,
        last_refused: None,
    };
    let app = App::new(
        core,
        publisher,
        audit,
        args.flags.clone(),
        token,
        args.max_subscribers as usize,
        args.max_auth_failures,
    );
    Ok((app, origins))
}
