//! The sample a dry run evaluates: deterministic contexts built from what one flag reads.
//!
//! Random targeting keys alone would almost never hit a rule on `plan in ["pro"]`, so each
//! attribute the flag reads (its rules, the segments they name, its prerequisites, a rollout's
//! or schedule's `by`) gets candidate values drawn from the operands of its conditions, plus
//! one value that matches none of them, plus "absent". Context `i` picks one candidate per
//! attribute by a hash of `i` and the attribute's name: no randomness and no clock, so the same
//! documents give the same sample on every run and every machine.

use edgeflag::{Context, Number, Value};

/// The attribute every context carries: the unit of targets, segments and default rollouts.
const TARGETING_KEY: &str = "targetingKey";

/// Far below and far above any instant a rule is likely to name (`before`/`after`).
const INSTANTS: [&str; 2] = ["1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"];

/// Below and above any version a rule is likely to name (`semver*`).
const VERSIONS: [&str; 2] = ["0.0.0", "999999.0.0"];

/// Addresses from the documentation ranges (RFC 5737, RFC 3849), which rules seldom list.
const ADDRESSES: [&str; 2] = ["192.0.2.1", "2001:db8::1"];

/// One attribute the flag reads and the values a sampled context may give it.
struct Attr {
    /// The attribute's name.
    name: String,
    /// Candidate values, deduplicated, in the order the documents name them.
    values: Vec<Value>,
    /// Whether a context may leave it out (conditions treat missing specially).
    absent: bool,
    /// Whether it is a rollout's `by`: a value unique to each context then spreads the buckets.
    unique: bool,
}

/// What one flag reads, collected over documents (before and after a change).
#[derive(Default)]
struct Reads {
    /// The attributes other than `targetingKey`, in discovery order.
    attrs: Vec<Attr>,
    /// Targeting keys the documents name (targets, segment lists, conditions), deduplicated.
    keys: Vec<String>,
}

/// `n` contexts for previewing flag `key`, built from what it reads in every one of
/// `documents` (payloads or flags documents: only `flags` and `segments` are read), so that
/// a rule only the new version has is sampled too. Context `i` has targeting key
/// `sample-{i}`, except that the first ones (at most half the sample) take the keys the
/// documents list, so targets and segment lists are exercised.
pub(crate) fn sample_contexts(documents: &[&Value], key: &str, n: usize) -> Vec<Context> {
    let mut reads = Reads::default();
    for doc in documents {
        // Visited lists are per document: a flag or segment may differ between versions.
        let mut walk = Walk {
            doc,
            reads: &mut reads,
            flags: Vec::new(),
            segments: Vec::new(),
        };
        walk.flag(key);
    }
    let listed = reads.keys.len().min(n / 2);
    (0..n)
        .map(|i| {
            let unit = match reads.keys.get(i).filter(|_| i < listed) {
                Some(k) => k.clone(),
                None => format!("sample-{i}"),
            };
            let mut ctx = Context::from_pairs([(TARGETING_KEY, Value::from(unit.as_str()))]);
            for attr in &reads.attrs {
                if let Some(value) = pick(attr, i) {
                    ctx.set(attr.name.as_str(), value);
                }
            }
            ctx
        })
        .collect()
}

/// Context `i`'s value for `attr` (`None`: absent).
fn pick(attr: &Attr, i: usize) -> Option<Value> {
    let choices = attr.values.len() + usize::from(attr.unique) + usize::from(attr.absent);
    // `choices` is at least 1: an attribute is recorded with a value, `unique` or `absent`.
    let slot = usize::try_from(mix(i, &attr.name) % (choices.max(1) as u64)).unwrap_or(0);
    match attr.values.get(slot) {
        Some(v) => Some(v.clone()),
        None if attr.unique && slot == attr.values.len() => {
            Some(Value::from(format!("{}-{i}", attr.name).as_str()))
        }
        None => None,
    }
}

/// A well-spread 64-bit hash of (`i`, `name`): FNV-1a, then the SplitMix64 finaliser so that
/// the low bits a modulo keeps depend on every input bit. Fixed by this code, not by a
/// library or a seed, so samples never change under anyone's feet.
fn mix(i: usize, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain((i as u64).to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A walk over one document from one flag, through its prerequisites and segments.
struct Walk<'d, 'r> {
    /// The document walked.
    doc: &'d Value,
    /// Where what is read goes.
    reads: &'r mut Reads,
    /// Flags already walked: prerequisites may share ancestors (cycles fail to load anyway).
    flags: Vec<&'d str>,
    /// Segments already walked, for the same reason.
    segments: Vec<&'d str>,
}

impl<'d> Walk<'d, '_> {
    /// Reads flag `key`: prerequisites, targets, rules and what rules and default serve.
    fn flag(&mut self, key: &'d str) {
        if self.flags.contains(&key) {
            return;
        }
        self.flags.push(key);
        let Some(flag) = self.doc.get("flags").and_then(|f| f.get(key)) else {
            return;
        };
        for prerequisite in items(flag.get("prerequisites")) {
            if let Some(parent) = prerequisite.get("flag").and_then(Value::as_str) {
                self.flag(parent);
            }
        }
        for target in items(flag.get("targets")) {
            self.units(target.get("values"));
        }
        for rule in items(flag.get("rules")) {
            for condition in items(rule.get("conditions")) {
                self.condition(condition);
            }
            self.serve(rule.get("serve"));
        }
        self.serve(flag.get("defaultServe"));
    }

    /// Reads segment `key`: its listed units and the conditions of its rules.
    fn segment(&mut self, key: &'d str) {
        if self.segments.contains(&key) {
            return;
        }
        self.segments.push(key);
        let Some(segment) = self.doc.get("segments").and_then(|s| s.get(key)) else {
            return;
        };
        self.units(segment.get("included"));
        self.units(segment.get("excluded"));
        for all in items(segment.get("rules")) {
            for condition in items(Some(all)) {
                self.condition(condition);
            }
        }
    }

    /// Records a list of units (strings, or integers as bucketing writes them).
    fn units(&mut self, list: Option<&Value>) {
        for unit in items(list) {
            let text = match unit {
                Value::String(s) => s.to_string(),
                Value::Number(n) => match n.as_safe_integer() {
                    Some(i) => i.to_string(),
                    None => continue,
                },
                _ => continue,
            };
            if !self.reads.keys.contains(&text) {
                self.reads.keys.push(text);
            }
        }
    }

    /// Records what one condition reads and the values that decide it.
    fn condition(&mut self, condition: &'d Value) {
        let op = condition.get("op").and_then(Value::as_str).unwrap_or("");
        let operands = items(condition.get("values"));
        if op == "inSegment" {
            for key in operands.iter().filter_map(Value::as_str) {
                self.segment(key);
            }
            return;
        }
        let Some(name) = condition.get("attribute").and_then(Value::as_str) else {
            return;
        };
        let values = candidates(op, operands);
        if name == TARGETING_KEY {
            // Every context has a unit; values a rule names for it join the listed keys.
            let units = Value::Array(values);
            self.units(Some(&units));
            return;
        }
        self.attr(name, |attr| {
            attr.absent = true;
            for v in values {
                if !attr.values.contains(&v) {
                    attr.values.push(v);
                }
            }
        });
    }

    /// Records a rollout's or schedule's `by` attribute (default `targetingKey`).
    fn serve(&mut self, serve: Option<&'d Value>) {
        for kind in ["rollout", "schedule"] {
            if let Some(split) = serve.and_then(|s| s.get(kind)) {
                let by = split
                    .get("by")
                    .and_then(Value::as_str)
                    .unwrap_or(TARGETING_KEY);
                if by != TARGETING_KEY {
                    self.attr(by, |attr| attr.unique = true);
                }
            }
        }
    }

    /// Applies `f` to the record of attribute `name`, created empty on first sight.
    fn attr(&mut self, name: &str, f: impl FnOnce(&mut Attr)) {
        let attrs = &mut self.reads.attrs;
        if let Some(attr) = attrs.iter_mut().find(|a| a.name == name) {
            f(attr);
            return;
        }
        let mut attr = Attr {
            name: name.to_owned(),
            values: Vec::new(),
            absent: false,
            unique: false,
        };
        f(&mut attr);
        attrs.push(attr);
    }
}

/// The elements of an array member (none when it is missing or not an array).
fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).unwrap_or_default()
}

/// Values that decide a condition with operator `op` and `operands`: ones that hold, ones at
/// the boundary, and one that holds for none (absent is added by the caller).
fn candidates(op: &str, operands: &[Value]) -> Vec<Value> {
    let strings = || operands.iter().filter_map(Value::as_str);
    match op {
        "in" => {
            let mut out = operands.to_vec();
            // A boolean rule's other value is what most contexts carry.
            out.extend(
                operands
                    .iter()
                    .filter_map(Value::as_bool)
                    .map(|b| Value::Bool(!b)),
            );
            out.push(none(|s| operands.iter().any(|v| v.as_str() == Some(s))));
            out
        }
        "startsWith" => with_none(strings().map(|p| format!("{p}sample")), |s| {
            strings().any(|p| s.starts_with(p))
        }),
        "endsWith" => with_none(strings().map(|p| format!("sample{p}")), |s| {
            strings().any(|p| s.ends_with(p))
        }),
        "contains" => with_none(strings().map(|p| format!("sample{p}sample")), |s| {
            strings().any(|p| s.contains(p))
        }),
        "lt" | "lte" | "gt" | "gte" => operands.iter().flat_map(around).collect(),
        "before" | "after" => operands
            .iter()
            .cloned()
            .chain(INSTANTS.map(Value::from))
            .collect(),
        "semverEq" | "semverLt" | "semverLte" | "semverGt" | "semverGte" => operands
            .iter()
            .cloned()
            .chain(VERSIONS.map(Value::from))
            .collect(),
        "inCidr" => strings()
            .filter_map(|c| c.split('/').next())
            .map(Value::from)
            .chain(ADDRESSES.map(Value::from))
            .collect(),
        // A pattern is often its own match once unanchored; anything else is best effort.
        "matches" => with_none(
            strings().map(|p| p.trim_start_matches('^').trim_end_matches('$').to_owned()),
            |s| strings().any(|p| p == s),
        ),
        "exists" => vec![Value::from("present")],
        _ => Vec::new(),
    }
}

/// `values` as strings, then one string for which `taken` is false.
fn with_none(values: impl Iterator<Item = String>, taken: impl Fn(&str) -> bool) -> Vec<Value> {
    let mut out: Vec<Value> = values.map(|s| Value::from(s.as_str())).collect();
    out.push(none(taken));
    out
}

/// A string no operand matches (`taken` is false for it): `~none` when it is free, else a
/// run of one character, trying characters until one is free. An operand can only take a
/// run of a character it contains (or is empty, which matches everything: then the last
/// try is returned anyway), so a few tries suffice.
fn none(taken: impl Fn(&str) -> bool) -> Value {
    let runs = "~#_|^!%=0123456789ZQXJ"
        .chars()
        .map(|c| c.to_string().repeat(3));
    let mut last = String::new();
    for s in core::iter::once(String::from("~none")).chain(runs) {
        if !taken(&s) {
            return Value::from(s.as_str());
        }
        last = s;
    }
    Value::from(last.as_str())
}

/// A numeric operand and its neighbours, so `lt`, `lte`, `gt` and `gte` each hold for some
/// and fail for others. Integers stay integers (contexts carry them so).
fn around(v: &Value) -> Vec<Value> {
    let Value::Number(n) = v else {
        return Vec::new();
    };
    let num = |f: fn(i64) -> i64, g: fn(f64) -> f64| match n.as_safe_integer() {
        Some(i) => Value::Number(Number::from_i64(f(i))),
        None => Value::Number(Number::from_f64(g(n.as_f64()))),
    };
    vec![
        num(|i| i - 1, |x| x - 1.0),
        v.clone(),
        num(|i| i + 1, |x| x + 1.0),
    ]
}
