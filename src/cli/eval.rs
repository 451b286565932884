//! `edgeflag eval`: loads a snapshot once (verified from an envelope, or an unsigned payload
//! for authoring) and prints evaluation details in the OpenFeature shape every runtime shares.

use crate::args::EvalArgs;
use crate::details::{write_details, Which};
use crate::eval_stream;
use crate::exit::{CliResult, Failure};
use crate::inputs::{client_limits, read_file, trust_policy, warn_degraded, Instant, TrustOptions};
use crate::output::stdout_failed;
use crate::verify::verify_envelope;
use edgeflag::{CompiledContext, Context, Limits, Snapshot};
use std::io::{self, Write};

/// Evaluates and prints.
pub(crate) fn run(args: &EvalArgs) -> CliResult {
    let now = Instant::resolve(args.now);
    let snapshot = load(args, now)?;
    warn_degraded("eval", &snapshot);
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
        return Snapshot::load(&bytes, &client_limits())
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
        any_owner: args.any_owner,
        min_version: args.min_version,
        max_age_ms: args.max_age,
    })?;
    let bytes = read_file(path)?;
    verify_envelope(&bytes, &policy, now, path).map(|(snapshot, _)| snapshot)
}
