#![doc = include_str!("FORMAT.md")]
//!
//! ## This module
//!
//! Snapshot payloads: strict parsing under limits, validation with a path on every error, and
//! compilation into the indexed form evaluation runs on ([`Snapshot::load`],
//! [`Snapshot::compile`]); [`Header`] is what identifies a payload, [`FlagId`] and [`FlagRef`]
//! name flags, [`FlagInfo`] describes one.

mod attrs;
mod compile_bucketing;
mod compile_condition;
mod compile_flag;
mod compile_segment;
mod compile_serve;
mod compiler;
mod degrade;
mod flag_info;
pub(crate) mod flag_ref;
mod graph;
mod header;
mod members;
mod minor;
pub(crate) mod model;
mod read;
pub(crate) mod sets;

pub(crate) use attrs::{AttrId, AttrTable, TARGETING_KEY};
pub use degrade::FlagError;
pub use flag_info::FlagInfo;
pub use flag_ref::{FlagId, FlagRef};
pub use header::Header;
pub use minor::required_schema_minor;

use crate::json::{self, path::Path, Value};
use crate::text::Msg;
use crate::{Error, Limits, LoadMode};
use alloc::boxed::Box;
use alloc::vec::Vec;
use compiler::Compiler;
use model::{Flag, Segment};
use sets::StrIndex;

/// The type of a flag's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlagType {
    /// `true` / `false`.
    Boolean,
    /// Strings.
    String,
    /// Numbers.
    Number,
    /// JSON objects.
    Object,
}

impl FlagType {
    /// The name used in payloads: `boolean`, `string`, `number`, `object`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagType::Boolean => "boolean",
            FlagType::String => "string",
            FlagType::Number => "number",
            FlagType::Object => "object",
        }
    }

    pub(crate) fn expected(self) -> &'static str {
        match self {
            FlagType::Boolean => "a boolean (the flag's type)",
            FlagType::String => "a string (the flag's type)",
            FlagType::Number => "a number (the flag's type)",
            FlagType::Object => "an object (the flag's type)",
        }
    }
}

/// A loaded, validated and compiled snapshot: immutable, `Send + Sync`, cheap to evaluate.
///
/// Compile a [`Context`](crate::Context) once against it ([`Snapshot::context`]) and evaluate
/// as many flags as needed with it: typed values ([`Snapshot::bool`], `string`, `number`,
/// `object`) never allocate; `*_details` and [`Snapshot::all`] say why.
///
/// ```
/// use edgeflag::{Context, ErrorCode, Limits, Reason, Snapshot};
///
/// let payload = br#"{"schema": "edgeflag/v1", "owner": "shop", "environment": "production",
///   "version": 1, "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
///   "flags": { "new-checkout": { "type": "boolean", "variants": { "on": true, "off": false },
///     "offVariant": "off", "defaultServe": { "rollout": { "weights": [
///       { "variant": "on", "weight": 25000 }, { "variant": "off", "weight": 75000 } ] } } } }}"#;
/// let snapshot = Snapshot::load(payload, &Limits::default())?;
/// let now = 1_795_000_000_000; // the host's clock
///
/// let ctx = snapshot.context(&Context::from_pairs([("targetingKey", "user-3".into())]));
/// let details = snapshot.bool_details("new-checkout", &ctx, false, now);
/// assert_eq!(details.reason, Reason::Split);
///
/// // No unit to bucket: the caller's default, with the reason and an error code.
/// let anonymous = snapshot.context(&Context::new());
/// let details = snapshot.bool_details("new-checkout", &anonymous, true, now);
/// assert_eq!((details.value, details.error_code), (true, Some(ErrorCode::TargetingKeyMissing)));
/// # Ok::<(), edgeflag::Error>(())
/// ```
#[derive(Debug)]
pub struct Snapshot {
    header: Header,
    attrs: AttrTable,
    flags: Box<[Flag]>,
    flag_index: StrIndex,
    segments: Box<[Segment]>,
}

/// Parses payload bytes as strict JSON under `limits` (byte cap first).
pub fn parse_payload(bytes: &[u8], limits: &Limits) -> Result<Value, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            what: "payload",
            limit: limits.max_bytes,
            actual: bytes.len(),
        });
    }
    json::parse(bytes, &limits.json())
}

impl Snapshot {
    /// Parses, validates and compiles an (already verified, or trusted) payload.
    ///
    /// Clients should load through signature verification (`envelope::verify`); this entry
    /// point is for tests, tooling and authoring.
    pub fn load(bytes: &[u8], limits: &Limits) -> Result<Snapshot, Error> {
        let payload = parse_payload(bytes, limits)?;
        let header = Header::read(&payload)?;
        Snapshot::compile(&payload, &header, limits)
    }

    /// Validates and compiles a parsed payload whose header was read with [`Header::read`].
    ///
    /// `limits.mode` decides what an error inside one flag's or segment's definition does:
    /// [`LoadMode::Strict`] (the default) refuses the snapshot with it; [`LoadMode::Client`]
    /// degrades that flag and the flags depending on it ([`Snapshot::degraded_flags`]).
    pub fn compile(payload: &Value, header: &Header, limits: &Limits) -> Result<Snapshot, Error> {
        let root = Path::ROOT;
        let m = read::object(payload, &root)?;
        let fp = root.key("flags");
        let flags_json = read::object(read::required(m, "flags", &root)?, &fp)?;
        read::at_most(flags_json, limits.max_flags, &fp)?;
        let sp = root.key("segments");
        let segments_json: &read::Members = match read::optional(m, "segments") {
            Some(v) => read::object(v, &sp)?,
            None => &[],
        };
        read::at_most(segments_json, limits.max_segments, &sp)?;

        let mut c = Compiler {
            limits,
            attrs: AttrTable::new(),
            segment_index: index_of(segments_json, &sp)?,
            flag_index: index_of(flags_json, &fp)?,
            variant_names: Vec::with_capacity(flags_json.len()),
        };
        for (_, v) in flags_json {
            c.variant_names.push(compile_flag::variant_names(v));
        }
        let client = limits.mode != LoadMode::Strict;
        let refuse_regex = limits.mode == LoadMode::ClientRefusingRegex;
        // Whether an error inside a definition degrades it (otherwise it refuses the snapshot).
        let degrades = |e: &Error| {
            client && !degrade::structural(e) && !(refuse_regex && degrade::needs_regex(e))
        };
        // Inside definitions of a newer minor revision, unknown members are errors.
        let newer = (header.schema_minor() > crate::SCHEMA_MINOR).then_some(&*header.schema);
        let mut segments = Vec::with_capacity(segments_json.len());
        for (key, v) in segments_json {
            let p = sp.key(key);
            if key.is_empty() {
                return Err(read::error(&sp, "a segment key must not be empty"));
            }
            let compiled = match newer {
                Some(schema) => members::segment(v, &p, schema),
                None => Ok(()),
            }
            .and_then(|()| compile_segment::segment(&mut c, key, v, &p));
            segments.push(match compiled {
                Ok(segment) => segment,
                Err(e) if degrades(&e) => degrade::segment(&c, key, v, e),
                Err(e) => return Err(e),
            });
        }
        let mut flags = Vec::with_capacity(flags_json.len());
        for (i, (key, v)) in flags_json.iter().enumerate() {
            if key.is_empty() {
                return Err(read::error(&fp, "a flag key must not be empty"));
            }
            let p = fp.key(key);
            let compiled = match newer {
                Some(schema) => members::flag(v, &p, schema),
                None => Ok(()),
            }
            .and_then(|()| compile_flag::flag(&mut c, i, key, v, &p));
            flags.push(match compiled {
                Ok(flag) => flag,
                Err(e) if degrades(&e) => degrade::flag(&c, key, v, &p, e),
                Err(e) => return Err(e),
            });
        }
        graph::check(&flags, &segments, limits)?;
        if client {
            degrade::propagate(&mut flags, &mut segments);
        }
        propagate_clock(&mut flags);
        let flag_index = c.flag_index;
        let mut attrs = c.attrs;
        attrs.seal();
        Ok(Snapshot {
            header: header.clone(),
            attrs,
            flags: flags.into_boxed_slice(),
            flag_index,
            segments: segments.into_boxed_slice(),
        })
    }

    /// Owner, environment, version and validity of this snapshot.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The attributes this snapshot's conditions and rollouts read.
    pub(crate) fn attr_table(&self) -> &AttrTable {
        &self.attrs
    }

    /// The names of the context attributes this snapshot's conditions, segments and rollouts
    /// read (`targetingKey` first, always): what a host needs to gather for a context, and
    /// nothing else matters to evaluation.
    pub fn attribute_names(&self) -> impl Iterator<Item = &str> {
        self.attrs.names()
    }

    /// The flag keys, in payload order.
    pub fn flag_keys(&self) -> impl Iterator<Item = &str> {
        self.flags.iter().map(|f| &*f.key)
    }

    /// The id of flag `key` in this snapshot, for evaluations that skip the key lookup.
    pub fn flag_id(&self, key: &str) -> Option<FlagId> {
        self.flag_index
            .position(key)
            .filter(|i| *i < self.flags.len())
            .map(|i| FlagId(i as u32))
    }

    /// The key of the flag `id` names.
    pub fn flag_key(&self, id: FlagId) -> Option<&str> {
        self.flag_at(id.0).map(|f| &*f.key)
    }

    /// The type of the named flag.
    pub fn flag_type(&self, key: impl FlagRef) -> Option<FlagType> {
        self.find(&key).map(|f| f.kind)
    }

    /// Whether the named flag has `trackEvents`: its evaluations are exposures to report.
    pub fn tracks_events(&self, key: impl FlagRef) -> bool {
        self.find(&key).is_some_and(|f| f.track_events)
    }

    /// Whether evaluating the named flag reads `now` (it or a prerequisite serves a
    /// schedule): hosts whose clock is costly to read can pass any instant otherwise.
    #[inline]
    pub fn reads_clock(&self, key: impl FlagRef) -> bool {
        self.find(&key).is_some_and(|f| f.reads_clock)
    }

    /// Whether evaluating any flag reads `now`.
    pub fn any_reads_clock(&self) -> bool {
        self.flags.iter().any(|f| f.reads_clock)
    }

    /// The flags that cannot be evaluated, in payload order, each with why (empty unless the
    /// snapshot was loaded in [`LoadMode::Client`]): every evaluation of one answers the
    /// caller's default with reason `ERROR`, error `PARSE_ERROR` and the error's message.
    pub fn degraded_flags(&self) -> impl Iterator<Item = (&str, &FlagError)> {
        self.flags
            .iter()
            .filter_map(|f| Some((&*f.key, f.degraded.as_deref()?)))
    }

    /// Whether some flag is degraded because this build lacks the `matches` operator
    /// ([`FlagError::needs_regex`]).
    pub fn needs_regex(&self) -> bool {
        self.degraded_flags().any(|(_, e)| e.needs_regex())
    }

    /// The number of flags.
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// Whether the snapshot has no flags.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    #[inline]
    pub(crate) fn flag_at(&self, index: u32) -> Option<&Flag> {
        self.flags.get(index as usize)
    }

    pub(crate) fn flags(&self) -> &[Flag] {
        &self.flags
    }

    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

/// Marks flags whose prerequisites (at any depth) read the clock. The graph is acyclic and at
/// most `max_dependency_depth` deep (checked before), so the passes end.
fn propagate_clock(flags: &mut [Flag]) {
    loop {
        let mut changed = false;
        for i in 0..flags.len() {
            let Some(flag) = flags.get(i) else { break };
            if flag.reads_clock {
                continue;
            }
            let inherited = flag
                .prerequisites
                .iter()
                .any(|p| flags.get(p.flag as usize).is_some_and(|f| f.reads_clock));
            if let (true, Some(f)) = (inherited, flags.get_mut(i)) {
                f.reads_clock = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The keys of `members` (at `p`), each at its position; the strict parser already refuses
/// duplicate keys, but an object built another way is checked here too.
fn index_of(members: &read::Members, p: &Path<'_>) -> Result<StrIndex, Error> {
    let mut keys = Vec::with_capacity(members.len());
    for (k, _) in members {
        keys.push(k.clone());
    }
    StrIndex::of(keys)
        .map_err(|dup| read::error(p, Msg::new("duplicate key ").quoted(&dup).finish()))
}

/// A payload of owner `o`, environment `e`, version 1, valid from 2026-01-01 for a week,
/// whose `flags` object has the members `flags` (JSON text), for unit tests.
#[cfg(test)]
pub(crate) fn test_payload(flags: &str) -> alloc::string::String {
    alloc::format!(
        r#"{{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,
          "issuedAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-08T00:00:00Z","flags":{{{flags}}}}}"#
    )
}

/// The snapshot of [`test_payload`], for unit tests.
#[cfg(test)]
pub(crate) fn test_snapshot(flags: &str) -> Snapshot {
    Snapshot::load(test_payload(flags).as_bytes(), &Limits::default()).unwrap()
}

#[cfg(test)]
mod tests {
    use super::{FlagId, Snapshot};
    use crate::Limits;
    use alloc::vec::Vec;

    const PAYLOAD: &str = r#"{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,
      "issuedAt":"2026-01-01T00:00:00Z","expiresAt":"2027-01-01T00:00:00Z","flags":{
      "plain":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off"},
      "ramp":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
        "defaultServe":{"schedule":{"variant":"on","otherwise":"off",
          "start":"2026-01-01T00:00:00Z","end":"2026-02-01T00:00:00Z"}}},
      "child":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
        "prerequisites":[{"flag":"parent","variants":["on"]}]},
      "parent":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
        "prerequisites":[{"flag":"ramp","variants":["on"]}]}}}"#;

    #[test]
    fn flags_that_serve_a_schedule_read_the_clock_through_prerequisites() {
        let s = Snapshot::load(PAYLOAD.as_bytes(), &Limits::default()).unwrap();
        assert!(!s.reads_clock("plain"));
        assert!(s.reads_clock("ramp"));
        assert!(s.reads_clock("parent"));
        assert!(s.reads_clock("child"), "two levels down");
        assert!(!s.reads_clock("missing"));
        assert!(s.any_reads_clock());
    }

    #[test]
    fn ids_name_flags_in_payload_order() {
        let s = Snapshot::load(PAYLOAD.as_bytes(), &Limits::default()).unwrap();
        let keys: Vec<&str> = s.flag_keys().collect();
        for (i, key) in keys.into_iter().enumerate() {
            let id = s.flag_id(key).unwrap();
            assert_eq!(id.index() as usize, i);
            assert_eq!(s.flag_key(id), Some(key));
        }
        assert_eq!(s.flag_id("missing"), None);
        assert_eq!(s.flag_key(FlagId(99)), None);
        assert_eq!(s.flag_type(FlagId(99)), None);
    }
}
