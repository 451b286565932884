//! Imports a flagd flag configuration (`{"flags": {...}, "$evaluators": {...}}`).
//!
//! Each flagd flag becomes one edgeflag flag with the same key, variants and default variant.
//! Its JsonLogic `targeting` is flattened into an ordered decision list (see
//! [`logic`]): every path through the `if` chains whose conditions edgeflag can express
//! becomes one rule, and what the targeting answers when no branch picks a variant becomes
//! `defaultServe`. `fractional` becomes a rollout with flagd's own bucketing
//! (`{"hash": "fractional"}`), so every unit keeps its bucket.
//!
//! | flagd | edgeflag |
//! |---|---|
//! | `state: DISABLED` | `enabled: false`, offVariant = defaultVariant (lossy: flagd answers the caller's default) |
//! | `defaultVariant` | `offVariant` and the final `defaultServe` (none: the first variant, lossy) |
//! | `if [c1, t1, c2, t2, ..., else]` | rules in order; the else (or null) is `defaultServe` |
//! | `and` / `or` / `!` / `!!` | conditions of one rule / one rule per alternative / pushed to the comparisons (De Morgan); an empty `and` or `or` is null (never holds); `!` reads its first argument |
//! | `==` `!=` (loose) | `in` [v] with `numericStrings` for a number; `!=` negated with `whenMissing: true`; a missing attribute equals 0 and false (json-logic-engine's `null == 0`) |
//! | `===` `!==` | `in` [v] (negated) |
//! | `x == null` | `exists` negated |
//! | `in` [var, [list]] / [string, var] | `in` list / `contains` |
//! | `<` `<=` `>` `>=` (2 or 3 arguments) | `lt`... with `numericStrings`; `whenMissing` = JavaScript's `null OP n` (null is 0) |
//! | `starts_with` / `ends_with` | `startsWith` / `endsWith` |
//! | `sem_ver` `=` `!=` `<` `<=` `>` `>=` | `semverEq` (negated) / `semverLt`... (the constant normalised as flagd reads it) |
//! | `sem_ver` `^` / `~` | `semverGte M.0.0-0` and `semverLt (M+1).0.0-0` / the same per minor |
//! | `fractional` | rollout `{"by": "targetingKey", "salt": FLAG, "bucketing": {"hash": "fractional", "buckets": SUM}}`; a variant in several separate ranges: `inBucket` rules |
//! | `fractional` with `{"var": x}` / `cat` of `$flagd.flagKey` and `{"var": x}` | `by: x`, salt `""` / salt FLAG; an empty x (and under `cat` a missing one, hashed as "null") served the variant flagd hashes it to, computed at import |
//! | `$ref` | the `$evaluators` entry, expanded (a cycle is an error) |
//! | `var` `$flagd.flagKey` | the flag key, compared at import |
//! | `var` `$flagd.timestamp`, nested names, computed operands, other operators | lossy: the condition never holds |
//!
//! Known differences no note can flag (they depend on the context): flagd reads a context
//! version leniently (`v1.2.3`, `1.2`), edgeflag strictly; JavaScript's `==` between a string
//! constant and a number attribute (`"12" == 12`) holds, edgeflag's `in` does not; a
//! non-string bucketing attribute is an error (the default variant) in flagd-core, a unit in
//! edgeflag (a boolean one: an error, the caller's default); under `cat` flagd hashes any
//! value's string form, edgeflag numbers and strings only; JavaScript's number coercion of
//! a string attribute (`" 12 "`, `""` as 0, `"0x10"`) and of booleans (`true` as 1) in
//! `==` and `<`... goes further than edgeflag's `numericStrings`.

mod atom;
mod document;
mod fractional;
mod logic;
mod version;

use crate::path;
use crate::{Import, ImportError, Note, Options};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Imports a flagd document.
pub(crate) fn import(doc: &Value, opts: &Options) -> Result<Import, ImportError> {
    let mut notes = Vec::new();
    let flags = document::flags(doc, &mut notes)?;
    let mut payload = Map::new();
    payload.insert("schema".into(), "edgeflag/v1.1".into());
    payload.insert("owner".into(), opts.owner.as_str().into());
    payload.insert("environment".into(), opts.environment.as_str().into());
    payload.insert("flags".into(), Value::Object(flags));
    if opts.strict {
        if let Some(n) = notes.iter().find(|n| n.lossy) {
            return Err(ImportError::new(n.path.clone(), n.message.clone()));
        }
    }
    Ok(Import {
        payload: Value::Object(payload),
        notes,
    })
}

/// What the translation of one flag needs to know, and where it reports what it noticed.
pub(crate) struct Cx<'a> {
    /// The flag's key (flagd's `$flagd.flagKey`, and the salt of its `fractional`).
    pub(crate) flag: &'a str,
    /// The document's `$evaluators`, which `{"$ref": NAME}` names.
    pub(crate) evaluators: Option<&'a Map<String, Value>>,
    /// The flag's variants.
    pub(crate) variants: &'a Map<String, Value>,
    /// The flag's `defaultVariant` (flagd allows none: the caller's default).
    pub(crate) default_variant: Option<&'a str>,
    /// Where notes go.
    pub(crate) notes: &'a mut Vec<Note>,
    /// `$ref` expansions in progress (a cycle guard).
    pub(crate) refs: Vec<String>,
    /// JsonLogic nodes translated so far in the whole document, each `$ref` expansion
    /// counted again (see [`MAX_STEPS`]).
    pub(crate) steps: &'a mut usize,
    /// The conditions `$ref`s named so far translate to, by name and negation.
    pub(crate) conditions: HashMap<(String, bool), logic::Dnf>,
}

/// At most this many JsonLogic nodes are translated per document (each `$ref` expansion
/// counted again), so that no file makes the import run without bound: the admin API
/// imports what any reader posts. (`$ref`s in conditions are translated once per flag.)
const MAX_STEPS: usize = 4_000_000;

impl Cx<'_> {
    /// Counts one translated node at `path`; past [`MAX_STEPS`], the import is refused.
    pub(crate) fn step(&mut self, path: &str) -> Result<(), ImportError> {
        *self.steps += 1;
        if *self.steps > MAX_STEPS {
            return Err(ImportError::new(
                path,
                format!("targeting expands to more than {MAX_STEPS} JsonLogic operations (through $ref)"),
            ));
        }
        Ok(())
    }

    /// Records that what is at `path` may answer differently after the import.
    pub(crate) fn lossy(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_owned(),
            message: message.into(),
            lossy: true,
        });
    }

    /// Records that what is at `path` was ignored without changing any answer.
    pub(crate) fn ignored(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_owned(),
            message: message.into(),
            lossy: false,
        });
    }

    /// The `$evaluators` entry a `{"$ref": NAME}` at `path` names, with its own path.
    pub(crate) fn evaluator(
        &self,
        name: &Value,
        path: &str,
    ) -> Result<(Value, String), ImportError> {
        let Some(name) = name.as_str() else {
            return Err(ImportError::new(
                path,
                "expected the name of an $evaluators entry (a string)",
            ));
        };
        if self.refs.iter().any(|r| r == name) {
            return Err(ImportError::new(
                path,
                format!("$ref \"{name}\" refers to itself (a cycle through $evaluators)"),
            ));
        }
        match self.evaluators.and_then(|e| e.get(name)) {
            Some(v) => Ok((v.clone(), path::key("$evaluators", name))),
            None => Err(ImportError::new(
                path,
                format!("$ref \"{name}\" names no entry of $evaluators"),
            )),
        }
    }
}
