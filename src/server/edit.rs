//! What a change asks of a document, and applying it: the admin API's create, replace,
//! patch, kill and archive of one definition, a whole new document (a `--flags` file edit),
//! or nothing (a re-sign). Applying checks the request against the document (404, 409, 412);
//! whether the result is a valid snapshot is the signer's call (422).

use crate::apply::apply;
use crate::document::Document;
use crate::patch::{BadRequest, Patch};
use crate::publisher::etag;
use crate::store::Kind;
use crate::tenants::is_tenant_flag;
use edgeflag::Value;

/// A requested change.
#[derive(Clone, Debug)]
pub(crate) enum Edit {
    /// `POST .../flags`: a new definition (409 if the key exists).
    Create {
        /// Flag or segment.
        kind: Kind,
        /// Its key.
        key: String,
        /// Its document.
        document: Value,
    },
    /// `PUT .../flags/{key}`: the whole definition (404 if the key does not exist).
    Replace {
        /// Flag or segment.
        kind: Kind,
        /// Its key.
        key: String,
        /// Its new document.
        document: Value,
    },
    /// `PATCH .../flags/{key}`: a partial change of a flag.
    Patch {
        /// The flag's key.
        key: String,
        /// The change.
        patch: Patch,
    },
    /// `DELETE .../flags/{key}`: out of the snapshot, kept in history.
    Archive {
        /// Flag or segment.
        kind: Kind,
        /// Its key.
        key: String,
    },
    /// A new document as a whole (the `--flags` file changed).
    Document(Document),
    /// Definitions promoted from another environment, merged into the document as it is
    /// when the change runs (so a concurrent change of another flag is kept).
    Promote {
        /// The flags, as the source has them.
        flags: Vec<(String, Value)>,
        /// The segments they use, as the source has them.
        segments: Vec<(String, Value)>,
    },
    /// Definitions imported from another engine's file (`POST
    /// /admin/environments/{env}/import`), merged like a promotion.
    Import {
        /// The imported flags.
        flags: Vec<(String, Value)>,
        /// The imported segments.
        segments: Vec<(String, Value)>,
    },
    /// The flags made from database columns (`--tenant-flags`), as the query now makes them.
    Tenants(Vec<(String, Value)>),
    /// The same document, signed again (validity running out, a new key).
    Resign,
}

impl Edit {
    /// The audit action.
    pub(crate) fn action(&self) -> &'static str {
        match self {
            Edit::Create { .. } => "create",
            Edit::Replace { .. } => "replace",
            Edit::Patch { patch, .. } if patch.is_kill() => "kill",
            Edit::Patch { .. } => "patch",
            Edit::Archive { .. } => "archive",
            Edit::Document(_) => "reload",
            Edit::Promote { .. } => "promote",
            Edit::Import { .. } => "import",
            Edit::Tenants(_) => "tenants",
            Edit::Resign => "resign",
        }
    }

    /// The definition this edit is about, if one.
    pub(crate) fn target(&self) -> Option<(Kind, &str)> {
        match self {
            Edit::Create { kind, key, .. }
            | Edit::Replace { kind, key, .. }
            | Edit::Archive { kind, key } => Some((*kind, key)),
            Edit::Patch { key, .. } => Some((Kind::Flag, key)),
            Edit::Document(_)
            | Edit::Promote { .. }
            | Edit::Import { .. }
            | Edit::Tenants(_)
            | Edit::Resign => None,
        }
    }
}

/// Why an edit does not apply to the document.
#[derive(Debug)]
pub(crate) enum Refused {
    /// 404: no such definition.
    NotFound(String),
    /// 409: the key exists already.
    Exists(String),
    /// 412: `If-Match` names another version of the definition; here is the current one.
    Stale {
        /// The current document (`None`: it no longer exists).
        current: Option<Value>,
        /// Its ETag.
        etag: Option<String>,
    },
    /// 400: the request does not fit the definition (a rule it does not have).
    Bad(BadRequest),
    /// 409: the flag is made from a database column (`--tenant-flags`), its only source.
    Managed(String),
}

/// The strong ETag of a definition's document.
pub(crate) fn definition_etag(document: &Value) -> String {
    etag(document.to_json().as_bytes())
}

/// Whether an `If-Match` value admits the definition whose ETag is `current` (`None`: it
/// does not exist): `*` admits any existing one, else one of the listed tags must equal it
/// (strong comparison, RFC 9110).
pub(crate) fn if_match_admits(header: &str, current: Option<&str>) -> bool {
    let Some(current) = current else {
        return false;
    };
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current)
}

/// Applies `edit` to `document` (which it changes), checking `if_match` first.
pub(crate) fn apply_edit(
    document: &mut Document,
    edit: &Edit,
    if_match: Option<&str>,
) -> Result<(), Refused> {
    if let (Some((kind, key)), Some(header)) = (edit.target(), if_match) {
        let current = document.get(kind, key).cloned();
        let tag = current.as_ref().map(definition_etag);
        if !if_match_admits(header, tag.as_deref()) {
            return Err(Refused::Stale { current, etag: tag });
        }
    }
    if let Some((Kind::Flag, key)) = edit.target() {
        if document.get(Kind::Flag, key).is_some_and(is_tenant_flag) {
            return Err(Refused::Managed(format!(
                "flag \"{key}\" is made from the database column of the same name (--tenant-flags); change the column"
            )));
        }
    }
    let missing =
        |kind: Kind, key: &str| Refused::NotFound(format!("no {} \"{key}\"", kind.as_str()));
    match edit {
        Edit::Create {
            kind,
            key,
            document: new,
        } => {
            if document.get(*kind, key).is_some() {
                return Err(Refused::Exists(format!(
                    "{} \"{key}\" exists (PUT replaces it)",
                    kind.as_str()
                )));
            }
            document.set(*kind, key, new.clone());
        }
        Edit::Replace {
            kind,
            key,
            document: new,
        } => {
            let slot = document
                .get_mut(*kind, key)
                .ok_or_else(|| missing(*kind, key))?;
            *slot = new.clone();
        }
        Edit::Patch { key, patch } => {
            let flag = document
                .get_mut(Kind::Flag, key)
                .ok_or_else(|| missing(Kind::Flag, key))?;
            apply(flag, patch).map_err(Refused::Bad)?;
        }
        Edit::Archive { kind, key } => {
            document
                .remove(*kind, key)
                .ok_or_else(|| missing(*kind, key))?;
        }
        Edit::Promote { flags, segments } | Edit::Import { flags, segments } => {
            if let Some((key, _)) = flags
                .iter()
                .find(|(key, _)| document.get(Kind::Flag, key).is_some_and(is_tenant_flag))
            {
                return Err(Refused::Managed(format!(
                    "flag \"{key}\" is made from the database column of the same name (--tenant-flags); it is not replaced"
                )));
            }
            for (key, segment) in segments {
                document.set(Kind::Segment, key, segment.clone());
            }
            for (key, flag) in flags {
                document.set(Kind::Flag, key, flag.clone());
            }
        }
        Edit::Document(new) => {
            // Flags made from columns are not the document's to drop or redefine.
            let kept: Vec<(String, Value)> = document
                .flags
                .iter()
                .filter(|(_, flag)| is_tenant_flag(flag))
                .cloned()
                .collect();
            if let Some((key, _)) = kept
                .iter()
                .find(|(key, _)| new.get(Kind::Flag, key).is_some_and(|f| !is_tenant_flag(f)))
            {
                return Err(Refused::Managed(format!(
                    "flag \"{key}\" is made from the database column of the same name (--tenant-flags); the document may not define it"
                )));
            }
            *document = new.clone();
            for (key, flag) in kept {
                document.set(Kind::Flag, &key, flag);
            }
        }
        Edit::Tenants(flags) => {
            document
                .flags
                .retain(|(key, flag)| !is_tenant_flag(flag) || flags.iter().any(|(k, _)| k == key));
            for (key, flag) in flags {
                document.set(Kind::Flag, key, flag.clone());
            }
        }
        Edit::Resign => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(enabled: bool) -> Value {
        Value::Object(vec![("enabled".into(), Value::Bool(enabled))])
    }

    #[test]
    fn create_replace_archive_and_preconditions() {
        let mut doc = Document::default();
        let create = Edit::Create {
            kind: Kind::Flag,
            key: "a".into(),
            document: flag(true),
        };
        apply_edit(&mut doc, &create, None).unwrap();
        assert!(matches!(
            apply_edit(&mut doc, &create, None),
            Err(Refused::Exists(_))
        ));
        let tag = definition_etag(&flag(true));
        let replace = Edit::Replace {
            kind: Kind::Flag,
            key: "a".into(),
            document: flag(false),
        };
        assert!(matches!(
            apply_edit(&mut doc.clone(), &replace, Some("\"stale\"")),
            Err(Refused::Stale {
                current: Some(_),
                ..
            })
        ));
        apply_edit(&mut doc, &replace, Some(&tag)).unwrap();
        assert_eq!(doc.get(Kind::Flag, "a"), Some(&flag(false)));
        let archive = Edit::Archive {
            kind: Kind::Flag,
            key: "a".into(),
        };
        apply_edit(&mut doc, &archive, Some("*")).unwrap();
        assert!(matches!(
            apply_edit(&mut doc, &archive, None),
            Err(Refused::NotFound(_))
        ));
        assert!(!if_match_admits("*", None));
    }
}
