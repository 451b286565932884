//! The one path every change takes: admin requests, `--flags` file edits, scheduled changes,
//! promotions, re-signing. One transaction, in this order:
//!
//! 1. lock the environment's row and reserve its next version (`max(last + 1, now in ms)`);
//! 2. read its definitions, apply the edit (404, 409 and 412 stop here);
//! 3. sign the result like a client would load it (422 stops here);
//! 4. write the changed definitions, the signed envelope, the audit entry; notify replicas;
//! 5. (a change to the `--flags` file's environment) write the file back, atomically;
//! 6. commit; then serve the new snapshot.
//!
//! Anything that fails before the commit rolls back all of it: nothing is published, no
//! version is used up, the audit trail lists only what was served. A replica killed mid-change
//! leaves the database as it was before the change.

use crate::audit::Entry;
use crate::document::{Document, Header};
use crate::edit::{apply_edit, Edit, Refused};
use crate::files::{mode_or, stage, Staged};
use crate::publisher::{Published, Publisher};
use crate::store::{self, Definition, EnvironmentRow, Kind, Store, StoreError, Tx};
use crate::template::{self, Change};
use crate::tenants::is_tenant_flag;
use edgeflag::envelope::SigningKey;
use edgeflag::lint::Warning;
use edgeflag::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Who makes a change.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Actor<'a> {
    /// `admin`, `file`, `schedule`, `tenants` or `start`.
    pub(crate) source: &'static str,
    /// The admin token's name.
    pub(crate) token: Option<&'a str>,
}

/// What a change did (or, dry run, would do).
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Whether the document changed (a re-sign publishes without changing it).
    pub(crate) changed: bool,
    /// The version served before.
    pub(crate) old_version: u64,
    /// The version that carries the change (the old one when nothing was published).
    pub(crate) version: u64,
    /// What changed, path by path.
    pub(crate) changes: Vec<Change>,
    /// Lint warnings about the new document.
    pub(crate) warnings: Vec<Warning>,
    /// The edited definition after the change (`None`: archived, or no single definition).
    pub(crate) after: Option<Value>,
    /// The whole document before, and after (for a dry run's preview).
    pub(crate) documents: (Value, Value),
    /// The new snapshot, when one was published.
    pub(crate) published: Option<Published>,
}

/// Why a change was not made.
#[derive(Debug)]
pub(crate) enum ChangeError {
    /// The request does not apply (404, 409, 412, 400).
    Refused(Refused),
    /// The result would not load in clients (422): the load error.
    Invalid(String),
    /// The `--flags` file holds an edit not yet published, or a refused one (409).
    Conflict(String),
    /// The store failed.
    Store(StoreError),
    /// The `--flags` file could not be written (500).
    Io(String),
}

impl From<StoreError> for ChangeError {
    fn from(error: StoreError) -> Self {
        ChangeError::Store(error)
    }
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::Refused(
                Refused::NotFound(m) | Refused::Exists(m) | Refused::Managed(m),
            ) => f.write_str(m),
            ChangeError::Refused(Refused::Stale { .. }) => f.write_str("stale If-Match"),
            ChangeError::Refused(Refused::Bad(b)) => write!(f, "{}: {}", b.field, b.message),
            ChangeError::Invalid(m) | ChangeError::Conflict(m) | ChangeError::Io(m) => {
                f.write_str(m)
            }
            ChangeError::Store(e) => write!(f, "{e}"),
        }
    }
}

/// What a change runs against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    /// The store.
    pub(crate) store: &'a Store,
    /// Signs.
    pub(crate) publisher: &'a Publisher,
    /// The environment.
    pub(crate) environment: &'a str,
    /// Its signing key.
    pub(crate) key: &'a SigningKey,
    /// The version this replica serves (0: none yet).
    pub(crate) served: u64,
    /// The `--flags` file to write the result back to (admin changes of its environment).
    pub(crate) write_back: Option<&'a Path>,
}

/// A change, as asked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'a> {
    /// The edit.
    pub(crate) edit: &'a Edit,
    /// The `If-Match` header, if any.
    pub(crate) if_match: Option<&'a str>,
    /// Who.
    pub(crate) actor: Actor<'a>,
    /// When, ms since the Unix epoch.
    pub(crate) now: i64,
    /// Check and preview only: nothing is written.
    pub(crate) dry_run: bool,
    /// The versions the change was made against (a promotion's `base`): the environment's
    /// newest, and another environment's; a store that holds newer ones refuses (409).
    pub(crate) base: Option<Base<'a>>,
    /// The scheduled change this applies (claimed in the same transaction, so it is applied
    /// once whichever replica gets there first).
    pub(crate) scheduled: Option<i64>,
    /// A decision of a rollout plan or guard: its audit action and the figures behind it,
    /// which the audit entry records.
    pub(crate) decision: Option<&'a Decision>,
}

/// An automatic decision (a rollout plan advancing or rolling back, a guard killing a flag):
/// what its audit entry calls it, and the figures it was taken on.
#[derive(Clone, Debug)]
pub(crate) struct Decision {
    /// The audit action (`rollout-start`, `rollout-advance`, `rollout-complete`,
    /// `rollout-rollback`, `guard-kill`).
    pub(crate) action: &'static str,
    /// The figures (units, rates, guards and their limits).
    pub(crate) figures: Value,
}

/// The versions a change was made against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Base<'a> {
    /// The changed environment's newest version.
    pub(crate) target: u64,
    /// Another environment and its newest version.
    pub(crate) source: Option<(&'a str, u64)>,
}

/// Runs one change (see the module docs). Answers the new `--flags` file hash too, when the
/// file was written.
pub(crate) async fn run(
    target: Target<'_>,
    request: Request<'_>,
) -> Result<(Outcome, Option<[u8; 32]>), ChangeError> {
    let mut tx = target.store.begin().await?;
    let Some(row) =
        store::environments::reserve_version(&mut tx, target.environment, request.now).await?
    else {
        return Err(ChangeError::Refused(Refused::NotFound(format!(
            "no environment \"{}\"",
            target.environment
        ))));
    };
    if let Some(base) = request.base {
        check_base(&mut tx, target.environment, base).await?;
    }
    if let Some(id) = request.scheduled {
        let result = format!("applied as version {}", row.last_version);
        if !request.dry_run && !store::scheduled::claim(&mut tx, id, &result).await? {
            return Err(ChangeError::Refused(Refused::NotFound(format!(
                "scheduled change {id} is no longer pending"
            ))));
        }
    }
    let stored = store::definitions::load(&mut *tx, target.environment, true).await?;
    let before = assemble(&row, &stored);
    if let Edit::Resign = request.edit {
        if let Some(fresh) = resigned_elsewhere(&mut tx, target, request.now, &row.owner).await? {
            // Another replica re-signed while this one waited for the lock.
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok((
                unchanged(&before, target.served.max(fresh.version), Some(fresh)),
                None,
            ));
        }
    }
    let mut after = before.clone();
    apply_edit(&mut after, request.edit, request.if_match).map_err(ChangeError::Refused)?;
    let edited = request.edit.target();
    let definition =
        |document: &Document| edited.and_then(|(k, key)| document.get(k, key)).cloned();
    if after == before && !matches!(request.edit, Edit::Resign) {
        match request.scheduled {
            // A scheduled change that finds nothing to change is done: its claim stays.
            Some(id) if !request.dry_run => {
                store::scheduled::claim_result(&mut tx, id, "applied: nothing to change").await?;
                tx.commit().await.map_err(StoreError::from)?;
            }
            _ => tx.rollback().await.map_err(StoreError::from)?,
        }
        let mut outcome = unchanged(&before, target.served, None);
        outcome.after = definition(&after);
        return Ok((outcome, None));
    }
    let (old_template, new_template) = (before.to_template(), after.to_template());
    let version = row.last_version;
    let signed = target
        .publisher
        .sign(&new_template, version, request.now, target.key)
        .map_err(|e| ChangeError::Invalid(e.0))?;
    let changes = template::diff(&old_template, &new_template);
    let mut outcome = Outcome {
        changed: after != before,
        old_version: target.served,
        version,
        changes,
        warnings: signed.warnings,
        after: definition(&after),
        documents: (old_template, new_template),
        published: None,
    };
    if request.dry_run {
        tx.rollback().await.map_err(StoreError::from)?;
        outcome.version = target.served;
        return Ok((outcome, None));
    }
    write_definitions(&mut tx, target.environment, &stored, &after, request).await?;
    if after.header != before.header {
        store::environments::set_header(&mut tx, target.environment, &after.header).await?;
    }
    let published = signed.published;
    store::snapshots::insert(&mut tx, &published.to_row(&target.key.keyid())).await?;
    if let Edit::Promote { flags, segments } | Edit::Import { flags, segments } = request.edit {
        // One entry per promoted definition that changed (all carried by this version), so
        // the trail of each flag shows its promotions.
        let promoted = segments
            .iter()
            .map(|(k, _)| (Kind::Segment, k))
            .chain(flags.iter().map(|(k, _)| (Kind::Flag, k)));
        for (kind, key) in promoted {
            let (old, new) = (before.get(kind, key), after.get(kind, key));
            if old == new {
                continue;
            }
            let wrap = |v: Option<&Value>| {
                Value::Object(vec![(
                    kind.member().into(),
                    Value::Object(
                        v.map(|v| vec![(key.as_str().into(), v.clone())])
                            .unwrap_or_default(),
                    ),
                )])
            };
            let changes = template::diff(&wrap(old), &wrap(new));
            let entry = Entry {
                at: request.now,
                source: request.actor.source,
                token: request.actor.token,
                environment: target.environment,
                action: request.edit.action(),
                kind: Some(kind.as_str()),
                key: Some(key),
                before: old,
                after: new,
                changes: &changes,
                old_version: target.served,
                new_version: version,
                figures: None,
            };
            store::audit::append(&mut tx, &entry).await?;
        }
    } else if !matches!(request.edit, Edit::Resign) {
        let (before_def, after_def) = (definition(&before), definition(&after));
        let entry = Entry {
            at: request.now,
            source: request.actor.source,
            token: request.actor.token,
            environment: target.environment,
            action: request.decision.map_or(request.edit.action(), |d| d.action),
            kind: edited.map(|(k, _)| k.as_str()),
            key: edited.map(|(_, key)| key),
            before: before_def.as_ref(),
            after: after_def.as_ref(),
            changes: &outcome.changes,
            old_version: target.served,
            new_version: version,
            figures: request.decision.map(|d| &d.figures),
        };
        store::audit::append(&mut tx, &entry).await?;
    }
    target.store.notify(&mut tx, target.environment).await?;
    let staged = match target.write_back {
        Some(path) if outcome.changed => Some(stage_write_back(path, &after)?),
        _ => None,
    };
    // From here on nothing may cancel half of it (a client that goes away drops the request's
    // future): the commit and the file's rename run to the end in a task of their own.
    let environment = target.environment.to_owned();
    let committed = tokio::spawn(async move {
        if let Err(error) = tx.commit().await {
            if let Some((staged, _)) = staged {
                staged.abandon();
            }
            return Err(ChangeError::Store(StoreError::from(error)));
        }
        let Some((staged, hash)) = staged else {
            return Ok(None);
        };
        match staged.finish() {
            Ok(()) => Ok(Some(hash)),
            Err(e) => {
                // Committed, so published; the file keeps its previous contents until the
                // next change of this environment writes it again.
                crate::log(&format!(
                    "{environment}: published, but the --flags file could not be written back: {}",
                    crate::exit::io_reason(&e)
                ));
                Ok(None)
            }
        }
    });
    let file_hash = committed
        .await
        .map_err(|_| ChangeError::Io("the commit task failed".to_owned()))??;
    outcome.published = Some(published);
    Ok((outcome, file_hash))
}

/// The document an environment's row and definitions make.
pub(crate) fn assemble(row: &EnvironmentRow, stored: &[Definition]) -> Document {
    let mut document = Document {
        header: row.header.clone(),
        ..Document::default()
    };
    for definition in stored.iter().filter(|d| !d.archived) {
        document.set(
            definition.kind,
            &definition.key,
            definition.document.clone(),
        );
    }
    document
}

/// 409 unless the newest versions are those `base` names (read after the environment's row
/// is locked, so no change can slip in between).
async fn check_base(tx: &mut Tx, environment: &str, base: Base<'_>) -> Result<(), ChangeError> {
    let mut sides = vec![(environment, base.target)];
    sides.extend(base.source);
    for (name, expected) in sides {
        let newest = store::snapshots::latest(&mut **tx, name)
            .await?
            .map_or(0, |s| s.version);
        if newest != expected {
            return Err(ChangeError::Conflict(format!(
                "{name} changed since the diff was made (version {newest}, base {expected}); \
                 make the diff again"
            )));
        }
    }
    Ok(())
}

/// An outcome that publishes nothing.
fn unchanged(document: &Document, served: u64, published: Option<Published>) -> Outcome {
    let template = document.to_template();
    Outcome {
        changed: false,
        old_version: served,
        version: served,
        changes: Vec::new(),
        warnings: Vec::new(),
        after: None,
        documents: (template.clone(), template),
        published,
    }
}

/// The newest snapshot, if another replica signed one that needs no re-signing yet (newer
/// than what this one serves, by the same key, with more than half its validity left).
async fn resigned_elsewhere(
    tx: &mut Tx,
    target: Target<'_>,
    now: i64,
    owner: &str,
) -> Result<Option<Published>, StoreError> {
    let Some(latest) = store::snapshots::latest(&mut **tx, target.environment).await? else {
        return Ok(None);
    };
    let half = (latest.expires_at - latest.issued_at) / 2;
    let fresh = latest.version > target.served
        && latest.keyid == target.key.keyid()
        && now < latest.issued_at + half;
    Ok(fresh.then(|| Published::from_row(&latest, owner)))
}

/// Writes what differs between the stored definitions and `document`: changed and new ones
/// (at their place in the document), and archives the ones it no longer has.
async fn write_definitions(
    tx: &mut Tx,
    environment: &str,
    stored: &[Definition],
    document: &Document,
    request: Request<'_>,
) -> Result<(), StoreError> {
    let by = request
        .actor
        .token
        .unwrap_or(request.actor.source)
        .to_owned();
    for kind in [Kind::Segment, Kind::Flag] {
        let list = document.list(kind);
        for (position, (key, value)) in list.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            let old = stored.iter().find(|d| d.kind == kind && d.key == *key);
            // Unchanged content keeps who changed it last (only its place moved).
            let kept = old.filter(|d| !d.archived && d.document == *value);
            if kept.is_some_and(|d| d.position == position) {
                continue;
            }
            let definition = Definition {
                kind,
                key: key.clone(),
                position,
                document: value.clone(),
                archived: false,
                updated_at: kept.map_or(request.now, |d| d.updated_at),
                updated_by: kept.map_or_else(|| by.clone(), |d| d.updated_by.clone()),
            };
            store::definitions::save(tx, environment, &definition).await?;
        }
        for gone in stored
            .iter()
            .filter(|d| d.kind == kind && !d.archived && !list.iter().any(|(k, _)| *k == d.key))
        {
            let archived = Definition {
                archived: true,
                updated_at: request.now,
                updated_by: by.clone(),
                ..gone.clone()
            };
            store::definitions::save(tx, environment, &archived).await?;
        }
    }
    Ok(())
}

/// Stages `document` for the `--flags` file (through a symlink to the file it names: a
/// rename would replace the link), without the flags made from columns (the query is their
/// source, not the file); answers the staged write and the hash of what it writes.
fn stage_write_back(path: &Path, document: &Document) -> Result<(Staged, [u8; 32]), ChangeError> {
    let mut document = document.clone();
    document.flags.retain(|(_, flag)| !is_tenant_flag(flag));
    let text = template::pretty(&document.to_template());
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let staged = stage(&target, text.as_bytes(), mode_or(&target, 0o644)).map_err(|e| {
        ChangeError::Io(format!(
            "{}: cannot write: {}",
            path.display(),
            crate::exit::io_reason(&e)
        ))
    })?;
    Ok((staged, Sha256::digest(text.as_bytes()).into()))
}

/// A new environment's row: its header from `document`, and a version floor.
pub(crate) fn new_environment(name: &str, document: &Document, floor: u64) -> EnvironmentRow {
    let mut header: Header = document.header.clone();
    header.set("environment", Value::from(name));
    EnvironmentRow {
        name: name.to_owned(),
        owner: header.text("owner").unwrap_or_default().to_owned(),
        header,
        last_version: floor,
    }
}

impl crate::app::App {
    /// Runs a change of `environment` (see the module docs) and serves what it published.
    pub(crate) async fn change(
        &self,
        environment: &str,
        request: Request<'_>,
    ) -> Result<Outcome, ChangeError> {
        let Some(env) = self.environment(environment) else {
            return Err(ChangeError::Refused(Refused::NotFound(format!(
                "no environment \"{environment}\" (served: {})",
                self.environments
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))));
        };
        let _writer = self.writer.lock().await;
        let is_file_environment = self
            .default_environment()
            .is_some_and(|d| d.name == environment);
        // Admin and scheduled changes of the file's environment are written back to it (and
        // refused while it holds an edit not yet published), so the file stays the source of
        // truth; its own edits, re-signing and tenant flags are not.
        let write_back = match (&self.flags_path, request.actor.source) {
            (Some(path), "admin" | "schedule") if is_file_environment && !request.dry_run => {
                self.check_flags_file(path)?;
                Some(path.as_path())
            }
            _ => None,
        };
        let target = Target {
            store: &self.store,
            publisher: &self.publisher,
            environment,
            key: &env.key,
            served: env.current().version,
            write_back,
        };
        let result = run(target, request).await;
        match &result {
            Err(ChangeError::Store(StoreError::Unavailable(e))) => {
                self.record_health(Err(e), request.now);
            }
            Err(ChangeError::Invalid(error)) if !request.dry_run => {
                self.refuse(crate::app::Refusal {
                    at: request.now,
                    source: request.actor.source,
                    environment: environment.to_owned(),
                    error: error.clone(),
                });
            }
            _ => {}
        }
        let (mut outcome, file_hash) = result?;
        self.record_health(Ok(()), request.now);
        if let Some(hash) = file_hash {
            let mut file = self.flags_file();
            file.hash = Some(hash);
            file.refused = false;
        }
        if let Some(published) = outcome.published.take() {
            env.offer(published);
        }
        Ok(outcome)
    }

    /// Refuses an admin change that would overwrite an edit of the `--flags` file the server
    /// has not published: a refused one (fix it first), or one the watcher has not seen yet.
    fn check_flags_file(&self, path: &Path) -> Result<(), ChangeError> {
        let file = self.flags_file();
        if file.refused {
            return Err(ChangeError::Conflict(format!(
                "{} holds a change that was refused; fix or revert it first",
                path.display()
            )));
        }
        let on_disk: Option<[u8; 32]> = std::fs::read(path).ok().map(|b| Sha256::digest(b).into());
        if on_disk != file.hash {
            return Err(ChangeError::Conflict(format!(
                "{} changed on disk and is about to be published; retry after it is",
                path.display()
            )));
        }
        Ok(())
    }
}
