//! Unleash segments (named constraint lists shared by strategies) -> edgeflag segments.

use super::constraint::{self, Term};
use super::read;
use crate::{ImportError, Note};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// What a strategy referring to a segment gets.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum SegState {
    /// Every constraint always holds: no condition needed.
    Always,
    /// Some constraint never holds: the strategy never matches.
    Never,
    /// An `inSegment` condition on this edgeflag segment key.
    Key(String),
}

/// The document's segments, by Unleash id.
#[derive(Debug, Default)]
pub(super) struct Segments {
    by_id: HashMap<i64, SegState>,
    /// The edgeflag `segments` member.
    pub payload: Map<String, Value>,
}

impl Segments {
    /// The segment with Unleash id `id`.
    pub(super) fn get(&self, id: i64) -> Option<&SegState> {
        self.by_id.get(&id)
    }
}

const KNOWN: &[&str] = &[
    "id",
    "name",
    "constraints",
    "description",
    "project",
    "createdAt",
    "createdBy",
];

/// Parses segments, each with its path.
pub(super) fn parse(
    list: &[(String, &Value)],
    notes: &mut Vec<Note>,
) -> Result<Segments, ImportError> {
    let mut out = Segments::default();
    for (path, v) in list {
        let m = read::object(v, path)?;
        read::note_unknown(m, KNOWN, path, notes);
        let id = read::opt(m, "id").and_then(Value::as_i64).ok_or_else(|| {
            ImportError::new(read::key(path, "id"), "expected an integer segment id")
        })?;
        let cp = read::key(path, "constraints");
        let mut conds = Vec::new();
        let mut never = false;
        for (j, c) in read::opt_array(m, "constraints", path)?.iter().enumerate() {
            match constraint::constraint(c, &read::index(&cp, j), notes)? {
                Term::Always => {}
                Term::Never => never = true,
                Term::Cond(c) => conds.push(c),
            }
        }
        let state = if never {
            SegState::Never
        } else if conds.is_empty() {
            SegState::Always
        } else {
            let k = format!("unleash-segment-{id}");
            out.payload.insert(k.clone(), json!({ "rules": [conds] }));
            SegState::Key(k)
        };
        if out.by_id.insert(id, state).is_some() {
            return Err(ImportError::new(
                read::key(path, "id"),
                format!("segment id {id} appears twice"),
            ));
        }
    }
    Ok(out)
}
