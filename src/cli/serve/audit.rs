//! The audit log: one JSON object per line in `DIR/audit.jsonl`, appended and `fsync`ed
//! before the change it describes is published, so the log never misses a published change
//! (after a crash or a failed write it may list a version that was never served).
//!
//! A line is written with one `write` on a file opened for appending. A crash can still
//! leave the last line torn; the next start finds it (the file does not end with a newline)
//! and either completes it, when what is there is a whole JSON object, or cuts it off.
//! Readers skip any line that is not a JSON object, so a damaged log is never fatal.
//!
//! Without a state directory the log lives in memory (the newest [`MEMORY_ENTRIES`]).
//!
//! An entry: `{"at", "source" ("admin" or "file"), "token" (the admin token's fingerprint,
//! never the token; null for a file change), "action" ("patch", "kill" or "reload"),
//! "flag" (null for a file change), "changes" ([{"path", "old", "new"}]), "oldVersion",
//! "newVersion"}`.

use super::files::sync_dir;
use super::state::STATE_FILE_MODE;
use super::template::{instant, Change};
use edgeflag::unstable::json::{parse, JsonLimits};
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

/// Limits for reading back entries: deeper and longer than a payload's, since an entry
/// wraps flag values (themselves up to the payload limits).
const ENTRY_LIMITS: JsonLimits = JsonLimits {
    max_depth: 256,
    max_string_bytes: 1 << 20,
};

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
    /// The entry as one line of compact JSON (no newline).
    pub(crate) fn to_line(&self) -> String {
        let text = |s: Option<&str>| s.map_or(Value::Null, Value::from);
        Value::Object(vec![
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
}

impl AuditLog {
    /// A log kept in memory only.
    pub(crate) fn in_memory() -> AuditLog {
        AuditLog {
            sink: Sink::Memory(Mutex::new(VecDeque::new())),
        }
    }

    /// The log in `path` (created empty if missing, so a state directory always shows its
    /// three files), after repairing a torn last line.
    pub(crate) fn open(path: PathBuf) -> io::Result<(AuditLog, Recovered)> {
        let recovered = recover(&path)?;
        if !path.exists() {
            OpenOptions::new()
                .append(true)
                .create(true)
                .mode(STATE_FILE_MODE)
                .open(&path)?;
            sync_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
        }
        Ok((
            AuditLog {
                sink: Sink::File(path),
            },
            recovered,
        ))
    }

    /// Appends `entry` durably: when this returns `Ok`, the line is on disk.
    pub(crate) fn append(&self, entry: &Entry<'_>) -> io::Result<()> {
        let mut line = entry.to_line();
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
                entries.push_back(line);
                Ok(())
            }
        }
    }

    /// The entries as a JSON array text, oldest first; with `limit`, only the newest
    /// `limit` of them.
    pub(crate) fn list(&self, limit: Option<usize>) -> io::Result<String> {
        let lines: Vec<String> = match &self.sink {
            Sink::File(path) => match fs::read(path) {
                Ok(bytes) => complete_entries(&bytes),
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

/// The lines of `bytes` that are whole entries. A last line without its newline is being
/// written (or was torn) and is left out.
fn complete_entries(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // The piece after the last newline: empty when the file ends with one.
    lines.pop();
    lines
        .into_iter()
        .filter(|line| is_entry(line))
        .filter_map(|line| std::str::from_utf8(line).ok().map(str::to_owned))
        .collect()
}

/// Whether `line` is a JSON object (the parser also checks it is UTF-8).
fn is_entry(line: &[u8]) -> bool {
    matches!(parse(line, &ENTRY_LIMITS), Ok(Value::Object(_)))
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
    use super::*;

    fn entry(version: u64) -> String {
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
        .to_line()
    }

    #[test]
    fn an_entry_is_one_line_with_every_field() {
        assert_eq!(
            entry(2),
            r#"{"at":"1970-01-01T00:00:00Z","source":"admin","token":"sha256:0011223344556677","action":"kill","flag":"a","changes":[{"path":"flags.a.enabled","old":true,"new":false}],"oldVersion":1,"newVersion":2}"#
        );
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_a_whole_one_completed() {
        let dir = std::env::temp_dir().join(format!("edgeflag-audit-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");

        fs::write(&path, format!("{}\n{{\"at\":\"19", entry(2))).unwrap();
        let (log, recovered) = AuditLog::open(path.clone()).unwrap();
        assert_eq!(recovered, Recovered::Truncated(9));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", entry(2))
        );

        fs::write(&path, entry(3)).unwrap();
        assert_eq!(recover(&path).unwrap(), Recovered::Completed);
        assert_eq!(log.list(None).unwrap(), format!("[{}]", entry(3)));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn listing_skips_damaged_lines_and_keeps_the_newest() {
        let bytes = format!(
            "{}\nnot json\n{}\n{}\n{{\"half",
            entry(2),
            entry(3),
            entry(4)
        );
        let lines = complete_entries(bytes.as_bytes());
        assert_eq!(lines, [entry(2), entry(3), entry(4)]);
        let log = AuditLog::in_memory();
        assert_eq!(log.list(Some(1)).unwrap(), "[]");
    }
}
