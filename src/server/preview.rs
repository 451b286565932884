//! The effect half of the admin API's dry run (`POST /admin/environments/{env}/flags/{key}
//! ?dryRun=true`): what a change would do to one flag, measured by evaluating a sample of
//! contexts against the payload before and after it, without publishing anything.
//!
//! A context counts as changed when the *value* it is served differs: renaming a variant
//! without changing its value changes nothing a user sees. A flag that does not exist on
//! one side (a create, an archive) serves nothing there, so every context counts as changed.

mod sample;

pub(crate) use sample::sample_contexts;

use edgeflag::snapshot::parse_payload;
use edgeflag::{Context, ContextLimits, ErrorCode, Header, Limits, Reason, Snapshot, Value};

/// How many changed contexts a preview shows.
const EXAMPLES: usize = 5;

/// The largest generated sample: a dry run is a request, and must stay one.
pub(crate) const MAX_SAMPLE: usize = 100_000;

/// Label of the outcome where the flag does not exist.
const ABSENT: &str = "(absent)";

/// What one context was served by one side.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Outcome {
    /// The value served (`None`: evaluation failed, the caller's default would apply).
    pub(crate) value: Option<Value>,
    /// The variant served.
    pub(crate) variant: Option<String>,
    /// Why.
    pub(crate) reason: Reason,
    /// What failed, when `reason` is `Error` (`FLAG_NOT_FOUND`: the flag is absent).
    pub(crate) error: Option<ErrorCode>,
}

impl Outcome {
    /// The key counts are kept under: the variant, else `(absent)` or `(ERROR_CODE)`.
    fn label(&self) -> String {
        match (&self.variant, self.error) {
            (Some(v), _) => v.clone(),
            (None, Some(ErrorCode::FlagNotFound)) => ABSENT.to_owned(),
            (None, Some(code)) => format!("({})", code.as_str()),
            (None, None) => format!("({})", self.reason.as_str()),
        }
    }

    /// `{"value", "variant", "reason"}` (+ `"errorCode"`), `null` where nothing was served.
    fn to_value(&self) -> Value {
        let mut members = vec![
            ("value".into(), self.value.clone().unwrap_or(Value::Null)),
            (
                "variant".into(),
                self.variant.as_deref().map_or(Value::Null, Value::from),
            ),
            ("reason".into(), Value::from(self.reason.as_str())),
        ];
        if let Some(code) = self.error {
            members.push(("errorCode".into(), Value::from(code.as_str())));
        }
        Value::Object(members)
    }
}

/// One context whose value would change.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Example {
    /// The context, as a JSON object.
    pub(crate) context: Value,
    /// What it is served now.
    pub(crate) before: Outcome,
    /// What it would be served after the change.
    pub(crate) after: Outcome,
}

/// What a change would do to one flag, measured on a sample of contexts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Preview {
    /// The flag's key.
    pub(crate) flag: String,
    /// How many contexts were evaluated (generated plus supplied).
    pub(crate) sampled: usize,
    /// How many of them would be served another value.
    pub(crate) changed: usize,
    /// Per outcome label (variants of both sides in payload order, then `(absent)` and
    /// error codes as they occur): how many contexts landed there before and after.
    pub(crate) counts: Vec<(String, usize, usize)>,
    /// Up to five changed contexts, supplied ones first.
    pub(crate) examples: Vec<Example>,
}

impl Preview {
    /// The share of the sample that would change, in 0..=1 (0 for an empty sample).
    pub(crate) fn share(&self) -> f64 {
        if self.sampled == 0 {
            return 0.0;
        }
        self.changed as f64 / self.sampled as f64
    }

    /// The JSON the dry run answers with: `flag`, `sampled`, `changed`, `share` (rounded to
    /// four decimals), `before` and `after` (`{label: count}`, every label on both sides so
    /// they line up) and `examples` (`[{context, before, after}]`).
    pub(crate) fn to_value(&self) -> Value {
        let count = |side: fn(&(String, usize, usize)) -> usize| {
            let members = self
                .counts
                .iter()
                .map(|c| (c.0.as_str().into(), number(side(c))));
            Value::Object(members.collect())
        };
        let examples = self.examples.iter().map(|e| {
            Value::Object(vec![
                ("context".into(), e.context.clone()),
                ("before".into(), e.before.to_value()),
                ("after".into(), e.after.to_value()),
            ])
        });
        Value::Object(vec![
            ("flag".into(), Value::from(self.flag.as_str())),
            ("sampled".into(), number(self.sampled)),
            ("changed".into(), number(self.changed)),
            (
                "share".into(),
                Value::from((self.share() * 10_000.0).round() / 10_000.0),
            ),
            ("before".into(), count(|c| c.1)),
            ("after".into(), count(|c| c.2)),
            ("examples".into(), Value::Array(examples.collect())),
        ])
    }
}

/// A count as a JSON integer.
fn number(n: usize) -> Value {
    Value::Number(edgeflag::Number::from_u64(
        u64::try_from(n).unwrap_or(u64::MAX),
    ))
}

/// Previews changing flag `key` from payload `before` to payload `after` (loadable payload
/// bytes, e.g. `template::stamp` of each flags document): `n` generated contexts (at most
/// [`MAX_SAMPLE`]; see [`sample_contexts`]) plus the caller's `sample` (JSON objects), each
/// evaluated on both sides at `now_ms`. Errors name the side or the sample entry at fault.
pub(crate) fn preview(
    before: &[u8],
    after: &[u8],
    key: &str,
    sample: &[Value],
    n: usize,
    now_ms: i64,
    limits: &Limits,
) -> Result<Preview, String> {
    let (before_doc, before) = load(before, limits).map_err(|e| format!("before: {e}"))?;
    let (after_doc, after) = load(after, limits).map_err(|e| format!("after: {e}"))?;
    let mut contexts = Vec::with_capacity(sample.len().saturating_add(n.min(MAX_SAMPLE)));
    // Supplied contexts first: they are what the caller cares about, so they lead the examples.
    for (i, v) in sample.iter().enumerate() {
        let ctx = Context::from_value(v.clone(), &ContextLimits::default())
            .map_err(|e| format!("sample[{i}]: {e}"))?;
        contexts.push(ctx);
    }
    contexts.extend(sample_contexts(
        &[&before_doc, &after_doc],
        key,
        n.min(MAX_SAMPLE),
    ));

    // Every declared variant is listed, even at zero on both sides: "nobody gets `off`"
    // is part of the answer.
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    for name in variants(&before, key).chain(variants(&after, key)) {
        tally(&mut counts, name, |_| {});
    }
    let mut out = Preview {
        flag: key.to_owned(),
        sampled: contexts.len(),
        changed: 0,
        counts: Vec::new(),
        examples: Vec::new(),
    };
    for ctx in contexts {
        let was = outcome(&before, key, &ctx, now_ms);
        let will = outcome(&after, key, &ctx, now_ms);
        tally(&mut counts, was.label(), |c| c.1 += 1);
        tally(&mut counts, will.label(), |c| c.2 += 1);
        if was.value != will.value {
            out.changed += 1;
            if out.examples.len() < EXAMPLES {
                out.examples.push(Example {
                    context: Value::Object(ctx.attributes().to_vec()),
                    before: was,
                    after: will,
                });
            }
        }
    }
    out.counts = counts;
    Ok(out)
}

/// Parses payload bytes once, for both the sample (which reads the JSON) and evaluation.
fn load(bytes: &[u8], limits: &Limits) -> Result<(Value, Snapshot), edgeflag::Error> {
    let doc = parse_payload(bytes, limits)?;
    let snapshot = Snapshot::compile(&doc, &Header::read(&doc)?, limits)?;
    Ok((doc, snapshot))
}

/// The variant names of flag `key` in `snapshot`, in payload order (none if it is absent).
fn variants<'s>(snapshot: &'s Snapshot, key: &str) -> impl Iterator<Item = String> + 's {
    let info = snapshot.flag_id(key).and_then(|id| snapshot.flag_info(id));
    info.into_iter()
        .flat_map(|f| f.variants())
        .map(|(name, _)| name.to_owned())
}

/// Adds one to the count `bump` picks under `label`, creating the label at the end.
fn tally(
    counts: &mut Vec<(String, usize, usize)>,
    label: String,
    bump: fn(&mut (String, usize, usize)),
) {
    match counts.iter_mut().find(|c| c.0 == label) {
        Some(c) => bump(c),
        None => {
            let mut c = (label, 0, 0);
            bump(&mut c);
            counts.push(c);
        }
    }
}

/// What `snapshot` serves `ctx` for flag `key` at `now_ms`.
fn outcome(snapshot: &Snapshot, key: &str, ctx: &Context, now_ms: i64) -> Outcome {
    let compiled = snapshot.context(ctx);
    let details = snapshot.details(key, &compiled, now_ms);
    Outcome {
        value: details.value.cloned(),
        variant: details.variant.map(str::to_owned),
        reason: details.reason,
        error: details.error_code,
    }
}

#[cfg(test)]
mod tests;
