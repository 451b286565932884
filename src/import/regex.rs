//! Whether edgeflag's `matches` accepts a pattern: the import checks it with the core itself
//! (a one-condition snapshot, strict load), so "valid" means exactly what every client loads.

use edgeflag::{Limits, Snapshot};
use serde_json::json;

/// `Ok` when the core compiles `pattern`; otherwise the core's message.
pub(crate) fn check(pattern: &str) -> Result<(), String> {
    let probe = json!({
        "schema": "edgeflag/v1",
        "owner": "import",
        "environment": "import",
        "version": 1,
        "issuedAt": "2000-01-01T00:00:00Z",
        "expiresAt": "2000-01-02T00:00:00Z",
        "flags": { "probe": {
            "type": "boolean",
            "variants": { "on": true, "off": false },
            "offVariant": "off",
            "rules": [ { "conditions": [ { "attribute": "a", "op": "matches", "values": [pattern] } ],
                         "serve": { "variant": "on" } } ]
        } }
    });
    let bytes = serde_json::to_vec(&probe).map_err(|e| e.to_string())?;
    match Snapshot::load(&bytes, &Limits::default()) {
        Ok(_) => Ok(()),
        Err(e) => {
            let msg = e.to_string();
            // The core's message starts with the path of the probe's condition: keep only
            // what is wrong with the pattern.
            Err(match msg.split_once("values[0]: ") {
                Some((_, rest)) => rest.to_string(),
                None => msg,
            })
        }
    }
}
