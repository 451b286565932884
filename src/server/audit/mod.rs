//! The audit log: one JSON object per line in `DIR/audit.jsonl`, appended and `fsync`ed
//! before the change it describes is published, so the log never misses a published change
//! (after a crash or a failed write it may list a version that was never served).
//!
//! Entries are hash-chained (see `chain`): each names the SHA-256 of the line before it,
//! so rewriting history is detected by `edgeflag audit verify DIR`, and by the server at
//! start (logged).
//!
//! A line is written with one `write` on a file opened for appending. A crash can still
//! leave the last line torn; the next start finds it (the file does not end with a newline)
//! and either completes it, when what is there is a whole JSON object, or cuts it off, and
//! says so. Reading never skips a line silently: a damaged entry makes `GET /admin/audit`
//! fail naming it.
//!
//! Without a state directory the log lives in memory (the newest `MEMORY_ENTRIES`).
//!
//! An entry: `{"prev" (the previous line's SHA-256, null for the first), "at", "source"
//! ("admin" or "file"), "token" (the admin token's fingerprint, never the token; null for a
//! file change), "action" ("patch", "kill" or "reload"), "flag" (null for a file change),
//! "changes" ([{"path", "old", "new"}]), "oldVersion", "newVersion"}`.

pub mod chain;

use super::files::sync_dir;
use super::state::STATE_FILE_MODE;
use super::template::{instant, Change};
use chain::{check, digest, is_entry, Broken};
use edgeflag::Number;
use edgeflag::Value;
use std::collections::VecDeque;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Entries kept by an in-memory log.
pub(crate) const MEMORY_ENTRIES: usize = 10_000;

/// What one audit entry records.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    /// When, in ms since the Unix epoch.
    pub(crate) at: i64,
    /// `admin` or `file`.
    pub(crate) source: &'static str,
    /// The fingerprint of the admin token used (never the token itself).
    pub(crate) token: Option<&'a str>,
    /// `patch`, `kill` or `reload`.
    pub(crate) action: &'static str,
    /// The flag an admin request named.
    pub(crate) flag: Option<&'a str>,
    /// What changed.
    pub(crate) changes: &'a [Change],
    /// The version served before.
    pub(crate) old_version: u64,
    /// The version that carries the change.
    pub(crate) new_version: u64,
}

impl Entry<'_> {
    /// The entry as one line of compact JSON (no newline), chained to the line whose hash is
    /// `prev` (`None`: the first entry).
    pub(crate) fn to_line(&self, prev: Option<&str>) -> String {
        let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
        Value::Object(vec![
            ("prev".into(), text(prev)),
            ("at".into(), instant(self.at)),
            ("source".into(), Value::from(self.source)),
            ("token".into(), text(self.token)),
            ("action".into(), Value::from(self.action)),
            ("flag".into(), text(self.flag)),
            (
                "changes".into(),
                Value::Array(self.changes.iter().map(Change::to_value).collect()),
            ),
            (
                "oldVersion".into(),
                Value::Number(Number::from_u64(self.old_version)),
            ),
            (
                "newVersion".into(),
                Value::Number(Number::from_u64(self.new_version)),
            ),
        ])
        .to_json()
    }
}

/// How the log was found at start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Recovered {
    /// Every line was complete.
    Clean,
    /// The last line was a whole entry without its newline; the newline was added.
    Completed,
    /// The last line was torn; this many bytes were cut off.
    Truncated(usize),
}

/// Where entries go.
#[derive(Debug)]
enum Sink {
    /// `DIR/audit.jsonl`.
    File(PathBuf),
    /// No state directory: the newest entries, in memory.
    Memory(Mutex<VecDeque<String>>),
}

/// The audit log.
#[derive(Debug)]
pub(crate) struct AuditLog {
    /// Where entries go.
    sink: Sink,
    /// The hash of the last entry written, which the next one names (`None`: none yet).
    /// Held while an entry is written, so entries chain in the order they reach the file.
    head: Mutex<Option<String>>,
}

impl AuditLog {
    /// A log kept in memory only.
    pub(crate) fn in_memory() -> AuditLog {
        AuditLog {
            sink: Sink::Memory(Mutex::new(VecDeque::new())),
            head: Mutex::new(None),
        }
    }

    /// The log in `path` (created empty if missing, so a state directory always shows its
    /// three files), after repairing a torn last line; and whether its chain holds (new
    /// entries chain to its last line either way).
    pub(crate) fn open(path: PathBuf) -> io::Result<(AuditLog, Recovered, Result<usize, Broken>)> {
        let recovered = recover(&path)?;
        if !path.exists() {
            OpenOptions::new()
                .append(true)
                .create(true)
                .mode(STATE_FILE_MODE)
                .open(&path)?;
            sync_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
        }
        let bytes = fs::read(&path)?;
        let checked = check(&bytes).map(|c| c.entries);
        let head = last_line(&bytes).map(digest);
        Ok((
            AuditLog {
                sink: Sink::File(path),
                head: Mutex::new(head),
            },
            recovered,
            checked,
        ))
    }

    /// Appends `entry` durably: when this returns `Ok`, the line is on disk.
    pub(crate) fn append(&self, entry: &Entry<'_>) -> io::Result<()> {
        let mut head = self.head.lock().unwrap_or_else(PoisonError::into_inner);
        let mut line = entry.to_line(head.as_deref());
        let next = digest(line.as_bytes());
        let written = self.write(&mut line);
        if written.is_ok() {
            *head = Some(next);
        }
        written
    }

    /// Writes one line (`line` gets its newline here).
    fn write(&self, line: &mut String) -> io::Result<()> {
        match &self.sink {
            Sink::File(path) => {
                line.push('\n');
                let existed = path.exists();
                let mut file = OpenOptions::new()
                    .append(true)
                    .create(true)
                    .mode(STATE_FILE_MODE)
                    .open(path)?;
                // One write: a concurrent reader or a crash sees the line whole or torn at
                // the end, never interleaved.
                file.write_all(line.as_bytes())?;
                file.sync_data()?;
                if !existed {
                    // A new file's directory entry must be durable too.
                    sync_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
                }
                Ok(())
            }
            Sink::Memory(entries) => {
                let mut entries = entries.lock().unwrap_or_else(PoisonError::into_inner);
                if entries.len() >= MEMORY_ENTRIES {
                    entries.pop_front();
                }
                entries.push_back(std::mem::take(line));
                Ok(())
            }
        }
    }

    /// The entries as a JSON array text, oldest first; with `limit`, only the newest
    /// `limit` of them. A damaged entry (not JSON, or breaking the chain) is an error that
    /// names it, never skipped; a torn last line (a write in progress, or a crash) is left out.
    pub(crate) fn list(&self, limit: Option<usize>) -> io::Result<String> {
        let lines: Vec<String> = match &self.sink {
            Sink::File(path) => match fs::read(path) {
                Ok(bytes) => complete_entries(&bytes).map_err(|b| {
                    io::Error::other(format!(
                        "{}: entry {}: {} (edgeflag audit verify names what is wrong)",
                        path.display(),
                        b.entry,
                        b.reason
                    ))
                })?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(e),
            },
            Sink::Memory(entries) => entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .cloned()
                .collect(),
        };
        let skip = limit.map_or(0, |n| lines.len().saturating_sub(n));
        let kept: Vec<&str> = lines.iter().skip(skip).map(String::as_str).collect();
        Ok(format!("[{}]", kept.join(",")))
    }
}

/// The entries of `bytes`, every one checked (JSON, chained). A last line without its newline
/// is being written (or was torn) and is left out.
fn complete_entries(bytes: &[u8]) -> Result<Vec<String>, Broken> {
    check(bytes)?;
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    lines.pop();
    // `check` parsed every line as JSON, so every one is UTF-8.
    Ok(lines
        .into_iter()
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect())
}

/// The last complete line of `bytes`, if any.
fn last_line(bytes: &[u8]) -> Option<&[u8]> {
    let end = bytes.iter().rposition(|b| *b == b'\n')?;
    let body = bytes.get(..end)?;
    let start = body.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    body.get(start..)
}

/// Repairs a torn last line (see the module docs).
fn recover(path: &Path) -> io::Result<Recovered> {
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Recovered::Clean),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(Recovered::Clean);
    }
    let start = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let tail = bytes.get(start..).unwrap_or_default();
    if is_entry(tail) {
        file.seek(SeekFrom::End(0))?;
        file.write_all(b"\n")?;
        file.sync_data()?;
        return Ok(Recovered::Completed);
    }
    file.set_len(start as u64)?;
    file.sync_all()?;
    Ok(Recovered::Truncated(tail.len()))
}

#[cfg(test)]
mod tests {
    use super::super::files::scratch;
    use super::*;

    fn entry(version: u64, prev: Option<&str>) -> String {
        let changes = [Change {
            path: "flags.a.enabled".into(),
            old: Some(Value::Bool(true)),
            new: Some(Value::Bool(false)),
        }];
        Entry {
            at: 0,
            source: "admin",
            token: Some("sha256:0011223344556677"),
            action: "kill",
            flag: Some("a"),
            changes: &changes,
            old_version: version - 1,
            new_version: version,
        }
        .to_line(prev)
    }

    #[test]
    fn an_entry_is_one_line_with_every_field() {
        assert_eq!(
            entry(2, None),
            r#"{"prev":null,"at":"1970-01-01T00:00:00Z","source":"admin","token":"sha256:0011223344556677","action":"kill","flag":"a","changes":[{"path":"flags.a.enabled","old":true,"new":false}],"oldVersion":1,"newVersion":2}"#
        );
        assert!(entry(3, Some("ab12")).starts_with(r#"{"prev":"ab12","at":"#));
    }

    #[test]
    fn appended_entries_chain_across_reopening() {
        let dir = scratch("audit-chain");
        let path = dir.join("audit.jsonl");
        let changes = [];
        let e = |v| Entry {
            at: 0,
            source: "file",
            token: None,
            action: "reload",
            flag: None,
            changes: &changes,
            old_version: v - 1,
            new_version: v,
        };
        let (log, _, checked) = AuditLog::open(path.clone()).unwrap();
        assert_eq!(checked, Ok(0));
        log.append(&e(2)).unwrap();
        log.append(&e(3)).unwrap();
        drop(log);
        let (log, _, checked) = AuditLog::open(path.clone()).unwrap();
        assert_eq!(checked, Ok(2));
        log.append(&e(4)).unwrap();
        let bytes = fs::read(&path).unwrap();
        assert_eq!(check(&bytes).map(|c| c.entries), Ok(3));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_a_whole_one_completed() {
        let dir = scratch("audit-torn");
        let path = dir.join("audit.jsonl");

        fs::write(&path, format!("{}\n{{\"at\":\"19", entry(2, None))).unwrap();
        let (log, recovered, _) = AuditLog::open(path.clone()).unwrap();
        assert_eq!(recovered, Recovered::Truncated(9));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", entry(2, None))
        );

        fs::write(&path, entry(3, None)).unwrap();
        assert_eq!(recover(&path).unwrap(), Recovered::Completed);
        assert_eq!(log.list(None).unwrap(), format!("[{}]", entry(3, None)));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn listing_names_a_damaged_entry_instead_of_skipping_it() {
        let first = entry(2, None);
        let second = entry(3, Some(&digest(first.as_bytes())));
        let intact = format!("{first}\n{second}\n{{\"half");
        assert_eq!(
            complete_entries(intact.as_bytes()).unwrap(),
            [first.clone(), second]
        );
        let damaged = format!("{first}\nnot json\n");
        assert_eq!(complete_entries(damaged.as_bytes()).unwrap_err().entry, 2);
        let dir = scratch("audit-damaged");
        let path = dir.join("audit.jsonl");
        fs::write(&path, &damaged).unwrap();
        let (log, _, checked) = AuditLog::open(path.clone()).unwrap();
        assert_eq!(checked.unwrap_err().entry, 2);
        let err = log.list(None).unwrap_err().to_string();
        assert!(err.contains("entry 2: not a JSON entry"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
        let memory = AuditLog::in_memory();
        assert_eq!(memory.list(Some(1)).unwrap(), "[]");
    }
}
