//! A batch of events as the worker forwards it (`POST /ingest/{env}/events`), read strictly:
//! a batch that is not what the contract says is refused whole, with the path of the first
//! thing wrong (`events[3].unit: expected a string of 1 to 256 characters`). Whether the
//! events' flags, variants and instants are acceptable is decided later, event by event
//! (those are counted as rejected, not refused).

use super::LATENCY_BOUNDS_MS;
use crate::document::STORED_LIMITS;
use edgeflag::unstable::json::parse;
use edgeflag::unstable::time::parse_rfc3339;
use edgeflag::Value;

/// The most events one batch may carry.
pub(crate) const MAX_EVENTS: usize = 5_000;

/// The longest unit (the context's targeting key, as the evaluation bucketed it).
const MAX_UNIT_CHARS: usize = 256;

/// The longest flag key, variant name or rule id.
const MAX_NAME_CHARS: usize = 256;

/// The longest tracked event name.
const MAX_EVENT_CHARS: usize = 64;

/// A batch.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Batch {
    /// Its id: a retried batch has the same one, and counts once.
    pub(crate) id: String,
    /// Its events, in order.
    pub(crate) events: Vec<Event>,
}

/// One event.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Event {
    /// A unit was served a variant of a flag.
    Exposure {
        /// The flag.
        flag: String,
        /// The variant served.
        variant: String,
        /// The unit.
        unit: String,
        /// When, ms since the Unix epoch.
        at: i64,
    },
    /// A unit did something (`purchase`; the worker's `error` for an origin 5xx).
    Track {
        /// What.
        event: String,
        /// The unit.
        unit: String,
        /// Its value (revenue, a duration), if any.
        value: Option<f64>,
        /// When.
        at: i64,
    },
    /// The worker's request metrics of one variant over a window.
    Requests {
        /// The flag.
        flag: String,
        /// The variant the requests were served under.
        variant: String,
        /// Requests.
        count: u64,
        /// Of which the origin answered 5xx.
        errors: u64,
        /// Latency histogram over [`LATENCY_BOUNDS_MS`] (one more bucket: above the last).
        latency: Vec<u64>,
        /// The window's end.
        at: i64,
    },
}

impl Event {
    /// When it happened.
    pub(crate) fn at(&self) -> i64 {
        match self {
            Event::Exposure { at, .. } | Event::Track { at, .. } | Event::Requests { at, .. } => {
                *at
            }
        }
    }
}

/// Why a batch was refused: where, and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BadBatch {
    /// The path (`events[3].unit`), or empty for the body itself.
    pub(crate) field: String,
    /// What is wrong.
    pub(crate) message: String,
    /// Well-formed but more events than a batch may carry (413, not 400).
    pub(crate) too_large: bool,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> BadBatch {
    BadBatch {
        field: field.into(),
        message: message.into(),
        too_large: false,
    }
}

/// Reads a batch from a request body.
pub(crate) fn parse_batch(body: &[u8]) -> Result<Batch, BadBatch> {
    let value = parse(body, &STORED_LIMITS).map_err(|e| bad("", format!("not JSON: {e}")))?;
    let Value::Object(members) = value else {
        return Err(bad(
            "",
            "expected an object {\"batch\": ID, \"events\": [...]}",
        ));
    };
    let id = match member(&members, "batch") {
        Some(Value::String(s)) if is_batch_id(s) => s.to_string(),
        Some(_) => {
            return Err(bad(
                "batch",
                "expected 8 to 64 characters of A-Z, a-z, 0-9, _ and -",
            ))
        }
        None => {
            return Err(bad(
                "batch",
                "missing: every batch has an id (retries repeat it)",
            ))
        }
    };
    let Some(Value::Array(items)) = member(&members, "events") else {
        return Err(bad("events", "expected an array of events"));
    };
    if items.len() > MAX_EVENTS {
        return Err(BadBatch {
            too_large: true,
            ..bad(
                "events",
                format!(
                    "{} events; a batch carries at most {MAX_EVENTS}",
                    items.len()
                ),
            )
        });
    }
    let events = items
        .iter()
        .enumerate()
        .map(|(i, item)| event(item, &format!("events[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Batch { id, events })
}

/// A member of an object.
fn member<'v>(members: &'v [(Box<str>, Value)], name: &str) -> Option<&'v Value> {
    members.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
}

fn is_batch_id(s: &str) -> bool {
    (8..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_event_name(s: &str) -> bool {
    (1..=MAX_EVENT_CHARS).contains(&s.chars().count())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

fn event(item: &Value, path: &str) -> Result<Event, BadBatch> {
    let Value::Object(members) = item else {
        return Err(bad(path, "expected an event object"));
    };
    let field = |name: &str| format!("{path}.{name}");
    let text = |name: &str, max: usize| -> Result<String, BadBatch> {
        match member(members, name) {
            Some(Value::String(s)) if (1..=max).contains(&s.chars().count()) => Ok(s.to_string()),
            _ => Err(bad(
                field(name),
                format!("expected a string of 1 to {max} characters"),
            )),
        }
    };
    let at = |name: &str| -> Result<i64, BadBatch> {
        member(members, name)
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
            .ok_or_else(|| bad(field(name), "expected an RFC 3339 instant"))
    };
    let count = |name: &str| -> Result<u64, BadBatch> {
        match member(members, name) {
            Some(Value::Number(n)) => n
                .as_u64()
                .ok_or_else(|| bad(field(name), "expected a whole number of at least 0")),
            _ => Err(bad(field(name), "expected a whole number of at least 0")),
        }
    };
    let kind = member(members, "kind").and_then(Value::as_str);
    match kind {
        Some("exposure") => Ok(Event::Exposure {
            flag: text("flag", MAX_NAME_CHARS)?,
            variant: text("variant", MAX_NAME_CHARS)?,
            unit: text("unit", MAX_UNIT_CHARS)?,
            at: at("at")?,
        }),
        Some("track") => {
            let name = text("event", MAX_EVENT_CHARS)?;
            if !is_event_name(&name) {
                return Err(bad(
                    field("event"),
                    "expected 1 to 64 characters of A-Z, a-z, 0-9, _ . : and -",
                ));
            }
            let value = match member(members, "value") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) if n.as_f64().is_finite() => Some(n.as_f64()),
                Some(_) => return Err(bad(field("value"), "expected a finite number")),
            };
            Ok(Event::Track {
                event: name,
                unit: text("unit", MAX_UNIT_CHARS)?,
                value,
                at: at("at")?,
            })
        }
        Some("requests") => {
            let count_ = count("count")?;
            let errors = count("errors")?;
            if errors > count_ {
                return Err(bad(field("errors"), "more errors than requests"));
            }
            let latency = latency(member(members, "latencyMs"), &field("latencyMs"))?;
            Ok(Event::Requests {
                flag: text("flag", MAX_NAME_CHARS)?,
                variant: text("variant", MAX_NAME_CHARS)?,
                count: count_,
                errors,
                latency,
                at: at("to")?,
            })
        }
        _ => Err(bad(
            field("kind"),
            "expected \"exposure\", \"track\" or \"requests\"",
        )),
    }
}

/// A latency histogram: `{"bounds": LATENCY_BOUNDS_MS, "counts": [...]}`.
fn latency(value: Option<&Value>, path: &str) -> Result<Vec<u64>, BadBatch> {
    let Some(Value::Object(members)) = value else {
        return Err(bad(path, "expected {\"bounds\": [...], \"counts\": [...]}"));
    };
    let bounds: Option<Vec<f64>> = member(members, "bounds")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect());
    if bounds.as_deref() != Some(&LATENCY_BOUNDS_MS[..]) {
        return Err(bad(
            format!("{path}.bounds"),
            format!("expected the bucket bounds {LATENCY_BOUNDS_MS:?}"),
        ));
    }
    let counts = member(members, "counts")
        .and_then(Value::as_array)
        .filter(|a| a.len() == LATENCY_BOUNDS_MS.len() + 1)
        .and_then(|a| {
            a.iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_u64(),
                    _ => None,
                })
                .collect::<Option<Vec<u64>>>()
        });
    counts.ok_or_else(|| {
        bad(
            format!("{path}.counts"),
            format!(
                "expected {} whole numbers (one per bound, then one above the last)",
                LATENCY_BOUNDS_MS.len() + 1
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "2026-12-07T20:41:03.512Z";

    fn batch(events: &str) -> Result<Batch, BadBatch> {
        parse_batch(format!(r#"{{"batch":"b-0001-xyz","events":[{events}]}}"#).as_bytes())
    }

    #[test]
    fn the_three_kinds_are_read() {
        let counts = "[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2]";
        let bounds = "[1,2,5,10,20,50,100,200,300,400,500,750,1000,2000,5000,10000]";
        let b = batch(&format!(
            r#"{{"kind":"exposure","flag":"f","variant":"on","ruleId":null,"version":3,"unit":"u1","at":"{AT}"}},
               {{"kind":"track","event":"purchase","unit":"u1","value":42.5,"at":"{AT}"}},
               {{"kind":"track","event":"error","unit":"u2","at":"{AT}"}},
               {{"kind":"requests","flag":"f","variant":"on","version":3,"count":3,"errors":1,
                 "latencyMs":{{"bounds":{bounds},"counts":{counts}}},"from":"{AT}","to":"{AT}"}}"#
        ))
        .unwrap();
        assert_eq!(b.id, "b-0001-xyz");
        assert_eq!(b.events.len(), 4);
        assert!(matches!(&b.events[1], Event::Track { value: Some(v), .. } if *v == 42.5));
        assert!(matches!(&b.events[2], Event::Track { value: None, .. }));
        assert!(
            matches!(&b.events[3], Event::Requests { count: 3, errors: 1, latency, .. }
            if latency[0] == 1 && latency[16] == 2)
        );
        assert_eq!(b.events[0].at(), 1_796_676_063_512);
    }

    #[test]
    fn a_malformed_event_names_its_path() {
        let e = batch(&format!(
            r#"{{"kind":"track","event":"ok","unit":"u","at":"{AT}"}},{{"kind":"exposure","flag":"f","variant":"v","unit":"","at":"{AT}"}}"#
        ))
        .unwrap_err();
        assert_eq!(e.field, "events[1].unit");
        let e = batch(&format!(r#"{{"kind":"click","unit":"u","at":"{AT}"}}"#)).unwrap_err();
        assert_eq!(e.field, "events[0].kind");
        let e = batch(r#"{"kind":"track","event":"has space","unit":"u","at":"x"}"#).unwrap_err();
        assert_eq!(e.field, "events[0].event");
        let e = batch(r#"{"kind":"track","event":"e","unit":"u","at":"yesterday"}"#).unwrap_err();
        assert_eq!(e.field, "events[0].at");
        let e = batch(&format!(
            r#"{{"kind":"track","event":"e","unit":"u","value":"12","at":"{AT}"}}"#
        ))
        .unwrap_err();
        assert_eq!(e.field, "events[0].value");
    }

    #[test]
    fn the_batch_itself_is_checked() {
        assert_eq!(parse_batch(b"[]").unwrap_err().field, "");
        assert_eq!(parse_batch(b"{\"events\":[]}").unwrap_err().field, "batch");
        assert_eq!(
            parse_batch(b"{\"batch\":\"short\",\"events\":[]}")
                .unwrap_err()
                .field,
            "batch"
        );
        assert_eq!(
            parse_batch(b"{\"batch\":\"long-enough\"}")
                .unwrap_err()
                .field,
            "events"
        );
        assert_eq!(parse_batch(b"{\"batch\":").unwrap_err().field, "");
        let many = vec![
            format!(r#"{{"kind":"track","event":"e","unit":"u","at":"{AT}"}}"#);
            MAX_EVENTS + 1
        ];
        assert_eq!(batch(&many.join(",")).unwrap_err().field, "events");
    }

    #[test]
    fn histograms_must_use_the_known_bounds() {
        let e = batch(&format!(
            r#"{{"kind":"requests","flag":"f","variant":"v","count":1,"errors":0,"latencyMs":{{"bounds":[1,2],"counts":[1,0,0]}},"to":"{AT}"}}"#
        ))
        .unwrap_err();
        assert_eq!(e.field, "events[0].latencyMs.bounds");
    }
}
