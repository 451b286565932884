//! Imports an Unleash client features response (`{"version": 2, "features": [...],
//! "segments": [...]}`, or a delta API response `{"events": [...]}`) as an edgeflag payload:
//! one boolean flag per feature, named as the feature.
//!
//! - Variants: `disabled` (false, the off variant), `enabled` (true: on without a variant,
//!   which Unleash reports as variant `disabled` with `feature_enabled: true`), and one true
//!   variant per Unleash variant name. A clash with the two reserved names renames the
//!   reserved one (`enabled_1`, ...), recorded in metadata `unleash.enabledVariant` /
//!   `unleash.disabledVariant`. Payloads go to metadata `payload.<variant>` (the string value)
//!   and `payloadType.<variant>`.
//! - Each strategy becomes rules in order (`strategies[i]` is the rule id): constraints ->
//!   conditions, segments -> `inSegment`, percentages -> fall-through `murmur3` rollouts (or
//!   an `inBucket` condition when the strategy serves variants), variant overrides -> earlier
//!   rules. `dependencies` -> `prerequisites`. Default serve: `disabled`.
//! - Context: `userId`, `sessionId`, `remoteAddress`, `environment`, `appName`, `currentTime`
//!   and every `properties` member are attributes of the same name. Unleash reads a missing
//!   `currentTime` as now: hosts set `currentTime` for `DATE_*` constraints to hold.
//! - Exact except where a note says so (lossy): random stickiness with a partial percentage,
//!   `applicationHostname` and custom strategies (left out), unknown operators. Numeric
//!   strings follow the JSON number grammar (`numericStrings`), where Unleash's parser also
//!   takes `+1`, `1.` or `inf`; `IN` compares strings, where Unleash's engine compares an
//!   all-numeric list as numbers (`"1.0"` in `["1"]`).

mod constraint;
mod delta;
mod dependencies;
mod feature;
mod read;
mod segments;
mod strategy;
mod variants;

use crate::{Import, ImportError, Options};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

const KNOWN: &[&str] = &["version", "features", "segments", "query", "meta", "events"];

/// Imports an Unleash document.
pub(crate) fn import(doc: &Value, opts: &Options) -> Result<Import, ImportError> {
    let mut notes = Vec::new();
    let top = read::object(doc, "")?;
    read::note_unknown(top, KNOWN, "", &mut notes);
    let (feature_list, segment_list) =
        if top.get("features").is_none() && top.get("events").is_some() {
            delta::fold(read::opt_array(top, "events", "")?, "events", &mut notes)?
        } else {
            if read::opt(top, "features").is_none() {
                return Err(ImportError::new(
                    "features",
                    "expected an array of features (missing)",
                ));
            }
            let list = |k: &str| -> Result<Vec<(String, &Value)>, ImportError> {
                Ok(read::opt_array(top, k, "")?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (read::index(k, i), v))
                    .collect())
            };
            (list("features")?, list("segments")?)
        };
    let segs = segments::parse(&segment_list, &mut notes)?;
    let mut features = Vec::with_capacity(feature_list.len());
    let mut seen = HashSet::with_capacity(feature_list.len());
    for (path, v) in &feature_list {
        let f = feature::feature(v, path, &segs, &mut notes)?;
        if !seen.insert(f.name.clone()) {
            return Err(ImportError::new(
                read::key(path, "name"),
                format!("feature {:?} appears twice", f.name),
            ));
        }
        features.push(f);
    }
    dependencies::resolve(&mut features, &mut notes)?;

    if opts.strict {
        if let Some(n) = notes.iter().find(|n| n.lossy) {
            return Err(ImportError::new(
                &n.path,
                format!("not expressible exactly (--strict): {}", n.message),
            ));
        }
    }
    let mut flags = Map::with_capacity(features.len());
    for f in features {
        flags.insert(f.name, Value::Object(f.flag));
    }
    let mut payload = Map::new();
    payload.insert("schema".into(), json!("edgeflag/v1.1"));
    payload.insert("owner".into(), json!(opts.owner));
    payload.insert("environment".into(), json!(opts.environment));
    if !segs.payload.is_empty() {
        payload.insert("segments".into(), Value::Object(segs.payload));
    }
    payload.insert("flags".into(), Value::Object(flags));
    Ok(Import {
        payload: Value::Object(payload),
        notes,
    })
}
