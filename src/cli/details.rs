//! Evaluation details as the `eval` command prints them: the OpenFeature shape every runtime
//! shares, for one flag or every flag, indented or one line per context (`--contexts`).

use edgeflag::{CompiledContext, Details, Snapshot, Value};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::io::{self, Write};

/// Which flags each context is evaluated for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which<'a> {
    /// One flag: the output is its details.
    Flag(&'a str),
    /// Every flag: the output is an object flagKey -> details, in payload order.
    All,
}

/// Writes the details of `which` for `context` as JSON (indented or on one line), without
/// a trailing newline.
pub(crate) fn write_details<W: Write>(
    out: &mut W,
    snapshot: &Snapshot,
    which: Which<'_>,
    context: &CompiledContext,
    now: i64,
    pretty: bool,
) -> io::Result<()> {
    let written = match which {
        Which::Flag(key) => to_writer(out, &snapshot.details(key, context, now), pretty),
        Which::All => to_writer(out, &AllDetails(&snapshot.all(context, now)), pretty),
    };
    // Details hold only JSON that was parsed (finite numbers, string keys): the only way
    // serialising them can fail is the writer's I/O.
    written.map_err(io::Error::from)
}

/// `value` as compact or indented JSON.
fn to_writer<W: Write, T: Serialize>(
    out: &mut W,
    value: &T,
    pretty: bool,
) -> serde_json::Result<()> {
    if pretty {
        serde_json::to_writer_pretty(out, value)
    } else {
        serde_json::to_writer(out, value)
    }
}

/// Every flag's details as one JSON object, keys in payload order.
struct AllDetails<'a, 's>(&'a [(&'s str, Details<'s, Option<&'s Value>>)]);

impl Serialize for AllDetails<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, details) in self.0 {
            map.serialize_entry(key, details)?;
        }
        map.end()
    }
}
