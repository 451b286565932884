//! The hash chain of the audit log: every entry carries, as `prev`, the SHA-256 (hex) of the
//! previous entry's line exactly as written (without its newline); the first carries `null`.
//! Changing, removing, reordering or inserting any entry but the last breaks the chain at the
//! entry after it, and [`check`] names that entry. (The last entry can still be cut off or
//! replaced: the chain makes history tamper-evident, not the head; an operator who needs that
//! copies the newest hash elsewhere, e.g. into their own logs.)
//!
//! A line after the last newline is a torn write from a crash: not part of the chain, and
//! reported as such (the one exception to "no line is skipped silently").

use edgeflag::unstable::json::{parse, JsonLimits};
use edgeflag::Value;
use sha2::{Digest, Sha256};

/// Limits for reading back entries: deeper and longer than a payload's, since an entry
/// wraps flag values (themselves up to the payload limits).
pub(super) const ENTRY_LIMITS: JsonLimits = JsonLimits {
    max_depth: 256,
    max_string_bytes: 1 << 20,
};

/// A log whose chain holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    /// Complete entries.
    pub entries: usize,
    /// The bytes of a torn last line (no newline after it), if there is one.
    pub torn: Option<usize>,
    /// The hash the next entry must carry as `prev` (`None`: the log is empty).
    pub head: Option<String>,
}

/// The first entry that breaks the log.
#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    /// Its position, 1-based (also its line number).
    pub entry: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// The SHA-256 of `line`, as the next entry's `prev`.
pub(crate) fn digest(line: &[u8]) -> String {
    Sha256::digest(line)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks every complete line of a log's `bytes`: a JSON object whose `prev` is the hash of
/// the line before it.
pub fn check(bytes: &[u8]) -> Result<Checked, Broken> {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // The piece after the last newline: empty when the file ends with one.
    let tail = lines.pop().unwrap_or_default();
    let mut head: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        let entry = i + 1;
        let broken = |reason: String| Broken { entry, reason };
        let value =
            parse(line, &ENTRY_LIMITS).map_err(|e| broken(format!("not a JSON entry ({e})")))?;
        let Value::Object(_) = value else {
            return Err(broken(format!("{} is not an entry", value.kind())));
        };
        match (value.get("prev"), &head) {
            (None, _) => return Err(broken("has no prev hash".to_owned())),
            (Some(Value::Null), None) => {}
            (Some(Value::Null), Some(_)) => {
                return Err(broken(
                    "prev is null, as only the first entry's may be (entries before it were \
                     removed, or it was inserted)"
                        .to_owned(),
                ))
            }
            (Some(Value::String(found)), Some(expected)) if **found == **expected => {}
            (Some(Value::String(found)), Some(expected)) => {
                return Err(broken(format!(
                    "prev is {found}, but entry {} hashes to {expected} (an entry before it \
                     was changed, removed, reordered or inserted)",
                    entry - 1
                )))
            }
            (Some(Value::String(_)), None) => {
                return Err(broken(
                    "the first entry names a previous one (entries before it were removed)"
                        .to_owned(),
                ))
            }
            (Some(other), _) => {
                return Err(broken(format!("prev is {}, not a hash", other.kind())))
            }
        }
        head = Some(digest(line));
    }
    Ok(Checked {
        entries: lines.len(),
        torn: (!tail.is_empty()).then_some(tail.len()),
        head,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of `n` entries chained properly.
    fn log(n: usize) -> Vec<String> {
        let mut prev: Option<String> = None;
        (1..=n)
            .map(|i| {
                let p = prev
                    .as_ref()
                    .map_or("null".to_owned(), |h| format!("\"{h}\""));
                let line = format!(r#"{{"prev":{p},"action":"kill","newVersion":{i}}}"#);
                prev = Some(digest(line.as_bytes()));
                line
            })
            .collect()
    }

    fn text(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn an_intact_chain_checks_and_names_its_head() {
        let lines = log(4);
        let checked = check(text(&lines).as_bytes()).unwrap();
        assert_eq!(checked.entries, 4);
        assert_eq!(checked.torn, None);
        assert_eq!(checked.head, Some(digest(lines[3].as_bytes())));
        assert_eq!(check(b"").unwrap().entries, 0);
    }

    #[test]
    fn a_changed_removed_reordered_or_inserted_entry_breaks_the_chain_after_it() {
        let lines = log(4);
        let mut changed = lines.clone();
        changed[1] = changed[1].replace("kill", "patch");
        assert_eq!(check(text(&changed).as_bytes()).unwrap_err().entry, 3);
        let mut removed = lines.clone();
        removed.remove(1);
        assert_eq!(check(text(&removed).as_bytes()).unwrap_err().entry, 2);
        let mut swapped = lines.clone();
        swapped.swap(1, 2);
        assert_eq!(check(text(&swapped).as_bytes()).unwrap_err().entry, 2);
        let mut first_gone = lines.clone();
        first_gone.remove(0);
        let broken = check(text(&first_gone).as_bytes()).unwrap_err();
        assert_eq!(broken.entry, 1);
        assert!(broken.reason.contains("removed"), "{}", broken.reason);
        let mut inserted = lines.clone();
        inserted.insert(2, log(1).remove(0));
        assert_eq!(check(text(&inserted).as_bytes()).unwrap_err().entry, 3);
    }

    #[test]
    fn damaged_lines_are_named_and_a_torn_tail_is_reported_not_counted() {
        let mut lines = log(3);
        lines.insert(1, "not json".to_owned());
        let broken = check(text(&lines).as_bytes()).unwrap_err();
        assert_eq!(broken.entry, 2);
        assert!(
            broken.reason.starts_with("not a JSON entry"),
            "{}",
            broken.reason
        );
        let torn = format!("{}{{\"prev\":\"ab", text(&log(2)));
        let checked = check(torn.as_bytes()).unwrap();
        assert_eq!((checked.entries, checked.torn), (2, Some(11)));
        let no_prev = "{\"action\":\"kill\"}\n";
        assert_eq!(
            check(no_prev.as_bytes()).unwrap_err().reason,
            "has no prev hash"
        );
    }
}
