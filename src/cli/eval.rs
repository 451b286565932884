//! `edgeflag eval`: loads a snapshot once (verified from an envelope, or an unsigned payload
//! for authoring) and prints evaluation details in the OpenFeature shape every runtime shares.

use crate::args::EvalArgs;
use crate::eval_stream;
use crate::exit::{CliResult, Failure};
use crate::inputs::{read_file, trust_policy, Instant, TrustOptions};
use crate::output::stdout_failed;
use crate::verify::verify_envelope;
use edgeflag::{CompiledContext, Context, Details, Limits, Snapshot, Value};
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

/// Evaluates and prints.
pub(crate) fn run(args: &EvalArgs) -> CliResult {
    let now = Instant::resolve(args.now);
    let snapshot = load(args, now)?;
    let which = match &args.flag {
        Some(key) => Which::Flag(key),
        None => Which::All,
    };
    if let Some(text) = &args.context {
        // A context typed on the command line is the user's own argument: a malformed one is
        // a usage error. (In a stream it becomes an INVALID_CONTEXT line instead.)
        let context = Context::from_json(text.as_bytes(), &Limits::default().context)
            .map_err(|e| Failure::usage("--context", e))?;
        let compiled = CompiledContext::new(context, &snapshot);
        let mut out = io::stdout().lock();
        return write_details(&mut out, &snapshot, which, &compiled, now, true)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(|e| stdout_failed(&e));
    }
    match &args.contexts {
        Some(path) => eval_stream::run(&snapshot, which, path, now),
        // clap requires one of --context and --contexts.
        None => Err(Failure::usage("eval", "give --context or --contexts")),
    }
}

/// The snapshot from `--payload` (unsigned) or `--snapshot` (verified at `now`).
fn load(args: &EvalArgs, now: i64) -> Result<Snapshot, Failure> {
    if let Some(path) = &args.payload {
        let bytes = read_file(path)?;
        return Snapshot::load(&bytes, &Limits::default())
            .map_err(|e| Failure::refused(path.display(), e));
    }
    let (Some(path), Some(environment)) = (&args.snapshot, &args.env) else {
        // clap requires --payload or --snapshot, and --env with --snapshot.
        return Err(Failure::usage(
            "eval",
            "give --payload, or --snapshot with --env",
        ));
    };
    let policy = trust_policy(&TrustOptions {
        trust: &args.trust,
        threshold: args.threshold,
        environment,
        owner: args.owner.as_deref(),
    })?;
    let bytes = read_file(path)?;
    verify_envelope(&bytes, &policy, None, now, path).map(|(snapshot, _)| snapshot)
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
