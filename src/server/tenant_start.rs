//! The tenant flags at start-up (`--tenant-flags`): the query's flags now, refused when a
//! flag is defined both ways, and published to each environment before it serves.

use crate::change::{self, Actor, Request, Target};
use crate::document::Document;
use crate::edit::Edit;
use crate::exit::{Exit, Failure};
use crate::publisher::Publisher;
use crate::store::{self, Store};
use crate::tenants::{flags::conflicts, is_tenant_flag, TenantQuery};
use crate::{log, now_ms};
use edgeflag::envelope::SigningKey;
use edgeflag::Value;

/// The flags the tenant query makes now, after installing its change triggers; refused when a
/// flag is also defined in an environment or the `--flags` file.
pub(crate) async fn tenant_flags(
    store: &Store,
    query: &TenantQuery,
    names: &[String],
    file: Option<&Document>,
) -> Result<Vec<(String, Value)>, Failure> {
    let tables = query
        .install_triggers()
        .await
        .map_err(|e| Failure::new(Exit::Io, e))?;
    if !tables.is_empty() {
        log(&format!(
            "--tenant-flags: re-read on every change of {}",
            tables.join(", ")
        ));
    }
    let flags = query
        .read()
        .await
        .map_err(|e| Failure::new(Exit::Refused, e))?;
    let keys: Vec<String> = flags.iter().map(|(k, _)| k.clone()).collect();
    if let Some(document) = file {
        let defined = document
            .flags
            .iter()
            .filter(|(_, flag)| !is_tenant_flag(flag))
            .map(|(k, _)| k.as_str());
        if let Some(key) = conflicts(&keys, defined).first() {
            return Err(Failure::refused(
                "--tenant-flags",
                format!("flag \"{key}\" is defined both by the --flags file and by a column of the query; keep one"),
            ));
        }
    }
    for name in names {
        let stored = store::definitions::load(store.pool(), name, false)
            .await
            .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
        let defined = stored
            .iter()
            .filter(|d| d.kind == store::Kind::Flag && !is_tenant_flag(&d.document))
            .map(|d| d.key.as_str());
        if let Some(key) = conflicts(&keys, defined).first() {
            return Err(Failure::refused(
                "--tenant-flags",
                format!("flag \"{key}\" is defined both in environment {name} and by a column of the query; archive one"),
            ));
        }
    }
    Ok(flags)
}

/// Publishes environment `name` with `flags` as its tenant flags, if they differ from the
/// store's.
pub(crate) async fn publish_tenant_flags(
    store: &Store,
    publisher: &Publisher,
    name: &str,
    key: &SigningKey,
    flags: &[(String, Value)],
) -> Result<(), Failure> {
    let served = store::snapshots::latest(store.pool(), name)
        .await
        .map_err(|e| Failure::new(Exit::Io, e.to_string()))?
        .map_or(0, |s| s.version);
    let edit = Edit::Tenants(flags.to_vec());
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
            source: "tenants",
            token: None,
        },
        now: now_ms(),
        dry_run: false,
        base: None,
        scheduled: None,
        decision: None,
    };
    change::run(target, request).await.map_err(|e| match e {
        change::ChangeError::Invalid(m) => {
            Failure::refused(format_args!("--tenant-flags ({name})"), m)
        }
        other => Failure::new(Exit::Io, other.to_string()),
    })?;
    Ok(())
}
