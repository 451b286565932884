//! The Unleash delta API (`{"events": [...]}`: `hydration`, `feature-updated`,
//! `feature-removed`, `segment-updated`, `segment-removed`), folded into the features and
//! segments a client holds after applying every event in order.

use super::read;
use crate::{ImportError, Note};
use serde_json::Value;
use std::collections::HashMap;

/// Items in insertion order, replaced in place and removed by key.
#[derive(Default)]
struct Ordered<'a> {
    items: Vec<Option<(String, &'a Value)>>,
    at: HashMap<String, usize>,
}

impl<'a> Ordered<'a> {
    fn put(&mut self, key: String, path: String, v: &'a Value) {
        match self.at.get(&key) {
            Some(&i) => {
                if let Some(slot) = self.items.get_mut(i) {
                    *slot = Some((path, v));
                }
            }
            None => {
                self.at.insert(key, self.items.len());
                self.items.push(Some((path, v)));
            }
        }
    }
    fn remove(&mut self, key: &str) {
        if let Some(i) = self.at.remove(key) {
            if let Some(slot) = self.items.get_mut(i) {
                *slot = None;
            }
        }
    }
    fn clear(&mut self) {
        self.items.clear();
        self.at.clear();
    }
    fn into_vec(self) -> Vec<(String, &'a Value)> {
        self.items.into_iter().flatten().collect()
    }
}

/// Features and segments (each with its path) after the events at `path`.
#[allow(clippy::type_complexity)]
pub(super) fn fold<'a>(
    events: &'a [Value],
    path: &str,
    notes: &mut Vec<Note>,
) -> Result<(Vec<(String, &'a Value)>, Vec<(String, &'a Value)>), ImportError> {
    let mut features = Ordered::default();
    let mut segments = Ordered::default();
    for (i, e) in events.iter().enumerate() {
        let ep = read::index(path, i);
        let m = read::object(e, &ep)?;
        let ty = read::req_str(m, "type", &ep)?;
        let known: &[&str] = match ty {
            "hydration" => &["eventId", "type", "features", "segments"],
            "feature-updated" => &["eventId", "type", "feature"],
            "feature-removed" => &["eventId", "type", "featureName", "project"],
            "segment-updated" => &["eventId", "type", "segment"],
            "segment-removed" => &["eventId", "type", "segmentId"],
            other => {
                read::note(
                    notes,
                    &read::key(&ep, "type"),
                    true,
                    format!("unknown delta event type {other:?}, ignored"),
                );
                continue;
            }
        };
        read::note_unknown(m, known, &ep, notes);
        match ty {
            "hydration" => {
                features.clear();
                segments.clear();
                let fp = read::key(&ep, "features");
                for (j, f) in read::opt_array(m, "features", &ep)?.iter().enumerate() {
                    features.put(
                        feature_name(f, &read::index(&fp, j))?,
                        read::index(&fp, j),
                        f,
                    );
                }
                let sp = read::key(&ep, "segments");
                for (j, s) in read::opt_array(m, "segments", &ep)?.iter().enumerate() {
                    segments.put(segment_id(s, &read::index(&sp, j))?, read::index(&sp, j), s);
                }
            }
            "feature-updated" => {
                let fp = read::key(&ep, "feature");
                let f = m
                    .get("feature")
                    .ok_or_else(|| ImportError::new(&fp, "expected an object (missing)"))?;
                features.put(feature_name(f, &fp)?, fp, f);
            }
            "feature-removed" => features.remove(read::req_str(m, "featureName", &ep)?),
            "segment-updated" => {
                let sp = read::key(&ep, "segment");
                let s = m
                    .get("segment")
                    .ok_or_else(|| ImportError::new(&sp, "expected an object (missing)"))?;
                segments.put(segment_id(s, &sp)?, sp, s);
            }
            _ => {
                let id = read::opt(m, "segmentId")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| {
                        ImportError::new(read::key(&ep, "segmentId"), "expected an integer")
                    })?;
                segments.remove(&id.to_string());
            }
        }
    }
    Ok((features.into_vec(), segments.into_vec()))
}

fn feature_name(f: &Value, path: &str) -> Result<String, ImportError> {
    Ok(read::req_str(read::object(f, path)?, "name", path)?.to_string())
}

fn segment_id(s: &Value, path: &str) -> Result<String, ImportError> {
    read::object(s, path)?
        .get("id")
        .and_then(Value::as_i64)
        .map(|i| i.to_string())
        .ok_or_else(|| ImportError::new(read::key(path, "id"), "expected an integer segment id"))
}
