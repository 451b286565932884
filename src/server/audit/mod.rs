//! The audit trail: one entry per published change, written in the same transaction as the
//! change (so the trail never misses one, and never lists one that was rolled back), and kept
//! in the store's `audit` table as the exact line that is hash-chained (see [`chain`]).
//! `GET /admin/audit?format=jsonl` exports those lines, which `edgeflag audit verify` checks;
//! so does `edgeflag audit verify --database URL` on the store itself.
//!
//! An entry: `{"prev" (the previous line's SHA-256, null for the first), "seq", "at",
//! "source" (`admin`, `file`, `schedule`, `tenants` or `start`), "token" (the admin token's
//! name; null for other sources), "environment", "action" (`create`, `replace`, `patch`,
//! `kill`, `archive`, `promote`, `reload`, `cancel`), "kind" (`flag`, `segment`, or null for
//! a whole document), "key", "before" and "after" (the definition's document, null for a
//! side that does not exist), "changes" ([{"path", "old", "new"}]), "oldVersion",
//! "newVersion"}`, and for a rollout or guard decision (`rollout-start`, `rollout-advance`,
//! `rollout-complete`, `rollout-rollback`, `rollout-cancel`, `guard-kill`; source `guard` for
//! those the guard loop takes) a last member `figures`: what the decision was taken on.
//!
//! A state directory of an older `edgeflag serve` (`DIR/audit.jsonl`) is imported line by
//! line, unchanged, so its chain continues in the store (`read_legacy`).

pub mod chain;

use crate::template::{instant, Change};
use chain::check;
use edgeflag::Number;
use edgeflag::Value;
use std::path::Path;

/// What one audit entry records.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    /// When, in ms since the Unix epoch.
    pub(crate) at: i64,
    /// `admin`, `file`, `schedule`, `tenants` or `start`.
    pub(crate) source: &'static str,
    /// The name of the admin token used (never the token itself).
    pub(crate) token: Option<&'a str>,
    /// The environment changed.
    pub(crate) environment: &'a str,
    /// What was done.
    pub(crate) action: &'a str,
    /// `flag` or `segment`; `None` for a whole document.
    pub(crate) kind: Option<&'static str>,
    /// The definition's key.
    pub(crate) key: Option<&'a str>,
    /// The definition before (`None`: it did not exist).
    pub(crate) before: Option<&'a Value>,
    /// The definition after (`None`: it was archived).
    pub(crate) after: Option<&'a Value>,
    /// What changed, path by path.
    pub(crate) changes: &'a [Change],
    /// The version served before.
    pub(crate) old_version: u64,
    /// The version that carries the change.
    pub(crate) new_version: u64,
    /// The figures an automatic decision was taken on (rollout plans, guards); the member
    /// is written only when there are some, so other entries keep their exact lines.
    pub(crate) figures: Option<&'a Value>,
}

impl Entry<'_> {
    /// The entry as one line of compact JSON (no newline), number `seq`, chained to the line
    /// whose hash is `prev` (`None`: the first entry).
    pub(crate) fn to_line(&self, seq: u64, prev: Option<&str>) -> String {
        let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
        let number = |n: u64| Value::Number(Number::from_u64(n));
        let mut members: Vec<(Box<str>, Value)> = vec![
            ("prev".into(), text(prev)),
            ("seq".into(), number(seq)),
            ("at".into(), instant(self.at)),
            ("source".into(), Value::from(self.source)),
            ("token".into(), text(self.token)),
            ("environment".into(), Value::from(self.environment)),
            ("action".into(), Value::from(self.action)),
            ("kind".into(), text(self.kind)),
            ("key".into(), text(self.key)),
            ("before".into(), self.before.cloned().unwrap_or(Value::Null)),
            ("after".into(), self.after.cloned().unwrap_or(Value::Null)),
            (
                "changes".into(),
                Value::Array(self.changes.iter().map(Change::to_value).collect()),
            ),
            ("oldVersion".into(), number(self.old_version)),
            ("newVersion".into(), number(self.new_version)),
        ];
        if let Some(figures) = self.figures {
            members.push(("figures".into(), figures.clone()));
        }
        Value::Object(members).to_json()
    }
}

/// The complete lines of an older server's `audit.jsonl`, checked (a broken chain is an
/// error naming the entry; a torn last line from a crash is left out, as that server did).
pub(crate) fn read_legacy(path: &Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "{}: cannot read: {}",
            path.display(),
            crate::exit::io_reason(&e)
        )
    })?;
    check(&bytes).map_err(|b| format!("{}: entry {}: {}", path.display(), b.entry, b.reason))?;
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // The piece after the last newline: empty, or a torn line.
    lines.pop();
    Ok(lines
        .into_iter()
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_one_line_with_every_field() {
        let changes = [Change {
            path: "flags.a.enabled".into(),
            old: Some(Value::Bool(true)),
            new: Some(Value::Bool(false)),
        }];
        let before = Value::Object(vec![("enabled".into(), Value::Bool(true))]);
        let after = Value::Object(vec![("enabled".into(), Value::Bool(false))]);
        let line = Entry {
            at: 0,
            source: "admin",
            token: Some("ops"),
            environment: "production",
            action: "kill",
            kind: Some("flag"),
            key: Some("a"),
            before: Some(&before),
            after: Some(&after),
            changes: &changes,
            old_version: 1,
            new_version: 2,
            figures: None,
        }
        .to_line(7, Some("ab12"));
        assert_eq!(
            line,
            r#"{"prev":"ab12","seq":7,"at":"1970-01-01T00:00:00Z","source":"admin","token":"ops","environment":"production","action":"kill","kind":"flag","key":"a","before":{"enabled":true},"after":{"enabled":false},"changes":[{"path":"flags.a.enabled","old":true,"new":false}],"oldVersion":1,"newVersion":2}"#
        );
    }
}
