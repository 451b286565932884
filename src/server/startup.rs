//! Everything `edgeflag serve` checks and loads before it listens: the keys, the operator's
//! token, the store (migrated), the environments (created when new) and a first signed
//! snapshot of each. Failures exit like the other subcommands: 1 for a document or state that
//! is refused, 2 for a bad option or unreadable input, 3 for a store that cannot be opened.

use crate::app::{App, Environment, Settings};
use crate::args::ServeArgs;
use crate::change::{self, Actor, Request, Target};
use crate::document::Document;
use crate::edit::Edit;
use crate::events::IngestSettings;
use crate::exit::{Exit, Failure};
use crate::files::remove_stale_temp;
use crate::inputs::{fresh_signing_key, read_file, signing_key};
use crate::legacy::{self, Legacy};
use crate::publisher::{Published, Publisher};
use crate::store::{self, Definition, Location, Role, Store};
use crate::tenant_start::{publish_tenant_flags, tenant_flags};
use crate::tenants::TenantQuery;
use crate::token::{self, OperatorToken};
use crate::watcher::check_environment;
use crate::{log, now_ms, template};
use edgeflag::envelope::SigningKey;
use edgeflag::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;

/// The flags document a new store starts with when nothing else is given: a storefront's
/// flags, for the demo page.
pub(crate) const EXAMPLE: &str = include_str!("example-flags.json");

/// The environment served when none is named.
const DEFAULT_ENVIRONMENT: &str = "production";

/// What `run` prints about where things came from.
#[derive(Debug)]
pub(crate) struct Origins {
    /// The environments whose key was generated for this run.
    pub(crate) generated_keys: Vec<String>,
    /// The admin token, when it was generated (and must be printed once).
    pub(crate) generated_token: Option<String>,
    /// The ingest key, when it was generated (printed at start).
    pub(crate) generated_ingest_key: Option<String>,
    /// Where each environment's document came from (`the store`, a path, `the embedded
    /// example`, `an empty document`).
    pub(crate) documents: Vec<(String, String)>,
    /// The store, for the start-up line.
    pub(crate) database: String,
    /// Named tokens in the store.
    pub(crate) stored_tokens: usize,
}

/// Everything checked before the store is opened.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The store's location.
    location: Location,
    /// `--key FILE` for every environment.
    key_for_all: Option<SigningKey>,
    /// `--key ENV=FILE`.
    keys: Vec<(String, SigningKey)>,
    /// `--admin-token`.
    operator: Option<String>,
    /// `--ingest-key`.
    ingest_key: Option<String>,
    /// `--flags`: its document, hash and path.
    flags: Option<(Document, [u8; 32], PathBuf)>,
    /// `--state DIR` (without `--database`): where an older server may have left its state.
    legacy_dir: Option<PathBuf>,
    /// Signs.
    publisher: Publisher,
}

/// The shortest operator-chosen admin token: 22 characters of base64 carry 132 bits, so a
/// token this long can be as strong as a generated one (which has 256).
const MIN_TOKEN_CHARS: usize = 22;

/// The operator's token from `--admin-token` (or the environment).
fn operator(args: &ServeArgs) -> Result<Option<String>, Failure> {
    secret("--admin-token", args.admin_token.as_deref())
}

/// A secret option's value (`--admin-token`, `--ingest-key`): long enough to be one.
fn secret(option: &str, value: Option<&str>) -> Result<Option<String>, Failure> {
    match value.map(str::trim) {
        Some("") => Err(Failure::usage(
            option,
            "must not be empty (omit it to have one generated)",
        )),
        Some(text) if text.chars().count() < MIN_TOKEN_CHARS => Err(Failure::usage(
            option,
            format!(
                "too short ({} characters): use at least {MIN_TOKEN_CHARS} random ones (about \
                 128 bits, e.g. `openssl rand -hex 16`), or omit it to have one generated",
                text.chars().count()
            ),
        )),
        Some(text) => Ok(Some(text.to_owned())),
        None => Ok(None),
    }
}

/// Where the store is: `--database`, else DIR/edgeflag.db with `--state`, else memory.
pub(crate) fn location(
    database: Option<&str>,
    state: Option<&std::path::Path>,
) -> Result<Location, Failure> {
    match (database, state) {
        (Some(url), _) => Location::parse(url).map_err(|e| Failure::usage("--database", e)),
        (None, Some(dir)) => {
            // Private when created, as the state directory always was: flags, the audit
            // trail and token hashes are the operator's business only.
            std::os::unix::fs::DirBuilderExt::mode(
                std::fs::DirBuilder::new().recursive(true),
                0o700,
            )
            .create(dir)
            .map_err(|e| Failure::write(dir.display(), &e))?;
            Ok(Location::SqliteFile(dir.join("edgeflag.db")))
        }
        (None, None) => Ok(Location::Memory),
    }
}

/// Checks and loads everything `args` names that needs no store.
pub(crate) fn load(args: &ServeArgs) -> Result<Loaded, Failure> {
    let mut key_for_all = None;
    let mut keys = Vec::new();
    for value in &args.key {
        match value.split_once('=') {
            Some((env, path)) if !env.is_empty() && !env.contains('/') => {
                if keys.iter().any(|(e, _)| e == env) {
                    return Err(Failure::usage(
                        format_args!("--key {value}"),
                        "a second key for this environment",
                    ));
                }
                keys.push((env.to_owned(), signing_key(std::path::Path::new(path))?));
            }
            _ => {
                if key_for_all.is_some() {
                    return Err(Failure::usage(
                        format_args!("--key {value}"),
                        "a second key for every environment (name one: --key ENV=FILE)",
                    ));
                }
                key_for_all = Some(signing_key(std::path::Path::new(value))?);
            }
        }
    }
    let operator = operator(args)?;
    let ingest_key = secret("--ingest-key", args.ingest_key.as_deref())?;
    if let Some(dir) = &args.admin_sdk {
        for file in ["index.js", "web/edgeflag_bg.wasm"] {
            if !dir.join(file).is_file() {
                return Err(Failure::usage(
                    format_args!("--admin-sdk {}", dir.display()),
                    format!("no {file} there: give the npm package's folder (a built pkg/, or an unpacked npm pack)"),
                ));
            }
        }
    }
    let location = location(args.database.as_deref(), args.state.as_deref())?;
    if let (Some(_), Location::Postgres(_)) = (&args.flags, &location) {
        // Each replica would write back to its own copy of the file, and an outdated copy
        // would be published by its replica's next start: with replicas, the database is the
        // source of truth.
        return Err(Failure::usage(
            "--flags",
            "not with a PostgreSQL --database (replicas share the store, not a file); import the file once with POST /admin/promote or PUT, or serve it with SQLite",
        ));
    }
    let publisher = Publisher::new(args.expires_in);
    let flags = match &args.flags {
        Some(path) => {
            if let Err(e) = remove_stale_temp(path) {
                log(&format!(
                    "{}: cannot remove a temp file left by an interrupted write: {}",
                    path.display(),
                    crate::exit::io_reason(&e)
                ));
            }
            let bytes = read_file(path)?;
            let document = template::parse(&bytes, publisher.limits())
                .and_then(|t| Document::from_template(&t))
                .map_err(|e| Failure::refused(path.display(), e))?;
            // Checked now, so a broken document exits before the server listens.
            publisher
                .check(&document.to_template(), now_ms())
                .map_err(|e| Failure::refused(path.display(), e))?;
            Some((document, Sha256::digest(&bytes).into(), path.clone()))
        }
        None => None,
    };
    let legacy_dir = args.state.clone().filter(|_| args.database.is_none());
    Ok(Loaded {
        location,
        key_for_all,
        keys,
        operator,
        ingest_key,
        flags,
        legacy_dir,
        publisher,
    })
}

/// A fresh random token (the generated admin token, the generated ingest key).
fn random_token() -> Result<String, Failure> {
    token::generate().map_err(|e| {
        Failure::new(
            Exit::Io,
            format!("cannot read the operating system's random source: {e}"),
        )
    })
}

/// A store failure at start: exit 3, naming the store.
fn store_failure(location: &Location, error: impl std::fmt::Display) -> Failure {
    Failure::new(Exit::Io, format!("{}: {error}", location.display()))
}

/// Opens the store, creates what is new, signs a first snapshot where one is due, and
/// assembles the server's state.
pub(crate) async fn start(
    loaded: Loaded,
    args: &ServeArgs,
) -> Result<(Arc<App>, Origins), Failure> {
    let Loaded {
        location,
        key_for_all,
        keys,
        operator,
        ingest_key,
        flags,
        legacy_dir,
        publisher,
    } = loaded;
    let store = Store::open(location.clone())
        .await
        .map_err(|e| store_failure(&location, e))?;
    let existing = store::environments::list(store.pool())
        .await
        .map_err(|e| store_failure(&location, e))?;
    // An older server's state is imported into a store that holds no environment yet, even
    // when its file exists already (`edgeflag serve token create --state DIR` creates it).
    let legacy = match &legacy_dir {
        Some(dir) if existing.is_empty() => {
            legacy::read(dir, publisher.limits()).map_err(|e| Failure::new(Exit::Refused, e))?
        }
        _ => Legacy::default(),
    };
    let names = environment_names(args, &existing, flags.as_ref().map(|f| &f.0), &legacy)?;
    for (name, _) in &keys {
        if !names.contains(name) {
            return Err(Failure::usage(
                format_args!("--key {name}=..."),
                "no such environment is served",
            ));
        }
    }
    // The one owner: as given, as stored, or as the --flags file (or an older state
    // directory) names it; only a server given none of them starts from the example.
    let owner = args
        .owner
        .clone()
        .or_else(|| existing.first().map(|e| e.owner.clone()))
        .or_else(|| {
            flags
                .as_ref()
                .map(|f| &f.0)
                .or(legacy.document.as_ref())
                .and_then(|d| d.header.text("owner"))
                .map(str::to_owned)
        });
    if let (Some((document, _, path)), Some(owner)) = (&flags, &owner) {
        let named = document.header.text("owner").unwrap_or_default();
        if named != owner {
            return Err(Failure::refused(
                path.display(),
                format!("owner: \"{named}\", but this server's environments belong to \"{owner}\" (one owner per server)"),
            ));
        }
    }
    let mut documents = Vec::new();
    let fresh_store = existing.is_empty();
    let mut legacy = Some(legacy);
    for (index, name) in names.iter().enumerate() {
        if existing.iter().any(|e| &e.name == name) {
            documents.push((name.clone(), "the store".to_owned()));
            continue;
        }
        let is_default = index == 0;
        let (document, origin) = match (&flags, legacy.as_mut().and_then(|l| l.document.take())) {
            (Some((document, _, path)), _) if is_default => {
                (document.clone(), path.display().to_string())
            }
            (_, Some(document)) if is_default => (
                document,
                "the state directory of an older edgeflag serve".to_owned(),
            ),
            _ if fresh_store && owner.is_none() => {
                // Every environment of a new store starts as the example, named after it.
                let mut document = example()?;
                document
                    .header
                    .set("environment", Value::from(name.as_str()));
                (document, "the embedded example".to_owned())
            }
            _ => (
                Document {
                    header: crate::document::Header::new(
                        owner.as_deref().unwrap_or_default(),
                        name,
                    ),
                    ..Document::default()
                },
                "an empty document".to_owned(),
            ),
        };
        let document =
            check_environment(document, name).map_err(|e| Failure::refused(&origin, e))?;
        let named_owner = document.header.text("owner").unwrap_or_default().to_owned();
        if let Some(owner) = &owner {
            if &named_owner != owner {
                return Err(Failure::refused(
                    &origin,
                    format!("owner: \"{named_owner}\", but this server's environments belong to \"{owner}\" (one owner per server)"),
                ));
            }
        }
        let import = if is_default { legacy.take() } else { None };
        create_environment(&store, name, &document, import, now_ms())
            .await
            .map_err(|e| store_failure(&location, e))?;
        documents.push((name.clone(), origin));
    }
    let tenant_query = match &args.tenant_flags {
        Some(sql) => Some(
            TenantQuery::connect(&location, sql, &args.tenant_attribute)
                .await
                .map_err(|e| Failure::usage("--tenant-flags", e))?,
        ),
        None => None,
    };
    let tenant_flags = match &tenant_query {
        Some(query) => {
            Some(tenant_flags(&store, query, &names, flags.as_ref().map(|f| &f.0)).await?)
        }
        None => None,
    };
    let mut generated_keys = Vec::new();
    let mut environments = Vec::new();
    for name in &names {
        let key = match keys.iter().find(|(e, _)| e == name) {
            Some((_, key)) => key.clone(),
            None => match &key_for_all {
                Some(key) => key.clone(),
                None => {
                    generated_keys.push(name.clone());
                    fresh_signing_key()?
                }
            },
        };
        if let Some(tenant_flags) = &tenant_flags {
            publish_tenant_flags(&store, &publisher, name, &key, tenant_flags).await?;
        }
        let published = first_snapshot(
            &store,
            &publisher,
            name,
            &key,
            flags
                .as_ref()
                .filter(|_| names.first() == Some(name))
                .map(|f| &f.0),
        )
        .await?;
        environments.push(Environment::new(name.clone(), key, published));
    }
    let tokens = store::tokens::list(store.pool())
        .await
        .map_err(|e| store_failure(&location, e))?;
    let (operator, generated_token) = match operator {
        Some(text) => (Some(OperatorToken::new(&text, "operator")), None),
        None if tokens.iter().any(|t| t.role == Role::Admin) => (None, None),
        None => {
            let text = random_token()?;
            (Some(OperatorToken::new(&text, "generated")), Some(text))
        }
    };
    let (ingest_key, generated_ingest_key) = match ingest_key {
        Some(text) => (text, None),
        None => {
            let text = random_token()?;
            (text.clone(), Some(text))
        }
    };
    let origins = Origins {
        generated_keys,
        generated_token,
        generated_ingest_key,
        documents,
        database: location.display(),
        stored_tokens: tokens.len(),
    };
    let settings = Settings {
        flags_hash: flags.as_ref().map(|f| f.1),
        flags_path: flags.map(|f| f.2),
        operator,
        max_subscribers: args.max_subscribers as usize,
        max_auth_failures: args.max_auth_failures,
        preview_key: fresh_signing_key()?,
        ingest: IngestSettings {
            key_digest: Sha256::digest(ingest_key.as_bytes()).into(),
            retention_ms: args.events_retention,
            skew_ms: args.events_skew,
        },
        guard_interval: std::time::Duration::from_millis(
            args.guard_interval.unsigned_abs().max(100),
        ),
        tenants: tenant_query.map(|q| {
            (
                q,
                std::time::Duration::from_millis(args.tenant_poll.unsigned_abs()),
            )
        }),
    };
    Ok((
        App::new(store, environments, publisher, tokens, settings),
        origins,
    ))
}

/// The embedded example's document.
fn example() -> Result<Document, Failure> {
    template::parse(EXAMPLE.as_bytes(), &edgeflag::Limits::default())
        .and_then(|t| Document::from_template(&t))
        .map_err(|e| Failure::refused("the embedded example", e))
}

/// The environments to serve, the default first: `--environments` (or those in the store,
/// or the one the `--flags` file or an older state directory names, or `production`).
fn environment_names(
    args: &ServeArgs,
    existing: &[store::EnvironmentRow],
    flags: Option<&Document>,
    legacy: &Legacy,
) -> Result<Vec<String>, Failure> {
    let mut names: Vec<String> = args
        .environments
        .iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    for name in &names {
        if !valid_name(name) {
            return Err(Failure::usage(
                format_args!("--environments {name}"),
                "an environment name is 1 to 64 letters, digits, '-', '_' or '.'",
            ));
        }
        if names.iter().filter(|n| *n == name).count() > 1 {
            return Err(Failure::usage(
                format_args!("--environments {name}"),
                "named twice",
            ));
        }
    }
    if names.is_empty() {
        let named = flags
            .or(legacy.document.as_ref())
            .and_then(|d| d.header.text("environment"))
            .map(str::to_owned);
        names = match named {
            Some(name) => vec![name],
            None if !existing.is_empty() => existing.iter().map(|e| e.name.clone()).collect(),
            None => vec![DEFAULT_ENVIRONMENT.to_owned()],
        };
    }
    let default = match &args.default_environment {
        Some(name) if names.contains(name) => name.clone(),
        Some(name) => {
            return Err(Failure::usage(
                format_args!("--default-environment {name}"),
                format!("not among the environments served ({})", names.join(", ")),
            ))
        }
        None if names.iter().any(|n| n == DEFAULT_ENVIRONMENT) => DEFAULT_ENVIRONMENT.to_owned(),
        None => names.first().cloned().unwrap_or_default(),
    };
    names.retain(|n| *n != default);
    names.insert(0, default);
    Ok(names)
}

/// Whether `name` can name an environment (it appears in URLs and snapshot headers).
pub(crate) fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Creates environment `name` with `document` (and, for the first, what an older state
/// directory held), in one transaction.
async fn create_environment(
    store: &Store,
    name: &str,
    document: &Document,
    legacy: Option<Legacy>,
    now: i64,
) -> Result<(), store::StoreError> {
    let legacy = legacy.unwrap_or_default();
    let mut tx = store.begin().await?;
    let row = change::new_environment(name, document, legacy.version.unwrap_or(0));
    store::environments::insert(&mut tx, &row, now).await?;
    for kind in [store::Kind::Segment, store::Kind::Flag] {
        for (position, (key, value)) in document.list(kind).iter().enumerate() {
            let definition = Definition {
                kind,
                key: key.clone(),
                position: i64::try_from(position).unwrap_or(i64::MAX),
                document: value.clone(),
                archived: false,
                updated_at: now,
                updated_by: "start".to_owned(),
            };
            store::definitions::save(&mut tx, name, &definition).await?;
        }
    }
    if !legacy.audit.is_empty() {
        store::audit::import(&mut tx, &legacy.audit, now).await?;
        log(&format!(
            "imported {} audit entries of an older edgeflag serve",
            legacy.audit.len()
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// The snapshot environment `name` starts serving: the store's newest, or a new one when
/// that is missing, signed by another key, past half its validity, or (with a `--flags`
/// file) of another document.
async fn first_snapshot(
    store: &Store,
    publisher: &Publisher,
    name: &str,
    key: &SigningKey,
    file: Option<&Document>,
) -> Result<Published, Failure> {
    let failure = |e: &dyn std::fmt::Display| {
        Failure::new(
            Exit::Io,
            format!("{}: {name}: {e}", store.location().display()),
        )
    };
    let latest = store::snapshots::latest(store.pool(), name)
        .await
        .map_err(|e| failure(&e))?;
    let now = now_ms();
    let served = latest.as_ref().map_or(0, |l| l.version);
    let edit = match file {
        Some(document) => Edit::Document(document.clone()),
        None => Edit::Resign,
    };
    let due = latest.as_ref().is_none_or(|l| {
        l.keyid != key.keyid() || now >= l.issued_at + (l.expires_at - l.issued_at) / 2
    });
    let target = Target {
        store,
        publisher,
        environment: name,
        key,
        served,
        write_back: None,
    };
    let request = Request {
        edit: &edit,
        if_match: None,
        actor: Actor {
            source: if file.is_some() { "file" } else { "start" },
            token: None,
        },
        now,
        dry_run: false,
        base: None,
        scheduled: None,
        decision: None,
    };
    if file.is_some() || due {
        let (outcome, _) = change::run(target, request).await.map_err(|e| match e {
            change::ChangeError::Invalid(m) => Failure::refused(name, m),
            other => failure(&other),
        })?;
        if let Some(published) = outcome.published {
            return Ok(published);
        }
        if file.is_some() && due {
            // The file holds what is stored, and the snapshot is due: sign it again.
            let request = Request {
                edit: &Edit::Resign,
                ..request
            };
            let (outcome, _) = change::run(target, request)
                .await
                .map_err(|e| failure(&e))?;
            if let Some(published) = outcome.published {
                return Ok(published);
            }
        }
    }
    let latest = store::snapshots::latest(store.pool(), name)
        .await
        .map_err(|e| failure(&e))?;
    let owner = store::environments::list(store.pool())
        .await
        .map_err(|e| failure(&e))?
        .into_iter()
        .find(|e| e.name == name)
        .map(|e| e.owner)
        .unwrap_or_default();
    latest
        .map(|row| Published::from_row(&row, &owner))
        .ok_or_else(|| failure(&"no snapshot could be signed"))
}
