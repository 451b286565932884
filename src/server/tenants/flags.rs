//! Flags from database columns: an operator's SQL query returns one row per tenant, the tenant
//! key first, then one column per flag, named after the column. This module turns the result
//! into flag documents that target tenants through one context attribute (`tenantId` unless
//! configured otherwise).
//!
//! Document shapes (every flag: `enabled: true`, variant `off` as `offVariant` and as
//! `defaultServe`, so tenants missing from the result and NULL cells get `off`, and
//! `metadata: {"source": "tenant column", "attribute": ATTR}`):
//! - Bool column: `boolean` flag, variants `{"on": true, "off": false}`, one rule
//!   `tenants:on` whose condition is `ATTR in [tenants whose value is true]`.
//! - Number, Text, Json columns: `number`, `string`, `object` flags; one variant per distinct
//!   value and one rule `tenants:NAME` per variant listing its tenants, then `off` holding the
//!   neutral value (0, "", {}). Variants and rules follow the first appearance of each value
//!   in tenant order. A variant is named after its value when that is safe and stable: a
//!   number by its JSON text (`49`, `0.5`), a string when it is 1 to 64 ASCII letters, digits,
//!   `-`, `_` or `.` other than `off` and `v` + digits; other values are `v1`, `v2`, ... in
//!   order (those names may shift when tenants change, the readable ones never do).
//! - More tenants than one condition may list (`max_values_per_condition`) are split over
//!   rules `tenants:NAME`, `tenants:NAME#2`, ... (`#` is in no variant name, so ids differ).
//!
//! Tenants are sorted (byte order), so the same rows in any order give identical documents.
//! What the core would refuse to load under the default `Limits` is an error here, naming the
//! column, the tenant and the limit, so a bad query fails before anything is signed (only
//! the totals, `max_flags` and `max_bytes`, depend on the rest of the document). A JSON
//! `null` cell counts as SQL NULL.

use edgeflag::{Limits, Number, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The kind of value a column holds (from the database's column type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// A boolean column: a `boolean` flag, on for the tenants whose value is true.
    Bool,
    /// A numeric column: a `number` flag.
    Number,
    /// A text column: a `string` flag.
    Text,
    /// A JSON column: an `object` flag (every non-NULL value must be a JSON object).
    Json,
}

/// One result column after the tenant key.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    /// The column name: the flag key.
    pub(crate) name: String,
    /// What its cells hold.
    pub(crate) kind: ColumnKind,
}

/// One row: the tenant key and one cell per column (None = SQL NULL); Json cells hold parsed
/// JSON, Text cells `Value::String`, Number cells `Value::Number`, Bool cells `Value::Bool`.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    /// The tenant key (the first column).
    pub(crate) tenant: String,
    /// One cell per column, in column order.
    pub(crate) cells: Vec<Option<Value>>,
}

/// The variant tenants get when they are missing or NULL.
const OFF: &str = "off";

/// Levels the payload opens around a variant value (root, `flags`, the flag, `variants`): a
/// JSON cell may nest `max_depth` minus these.
const ENCLOSING_DEPTH: usize = 4;

/// The flag documents (key, flag JSON object as `edgeflag::Value`) for the columns, in
/// column order.
pub(crate) fn tenant_flags(
    columns: &[Column],
    rows: &[Row],
    attribute: &str,
) -> Result<Vec<(String, Value)>, String> {
    // The limits the server loads and signs with: documents within them load.
    let limits = Limits::default();
    name(attribute, &limits).map_err(|e| format!("tenant attribute {}: {e}", q(attribute)))?;
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by(|a, b| a.tenant.cmp(&b.tenant));
    let mut previous = None;
    for row in &sorted {
        let fail = |e: &str| format!("tenant {}{e}", q(&row.tenant));
        if previous == Some(&row.tenant) {
            return Err(fail(" is in more than one row"));
        }
        previous = Some(&row.tenant);
        too_long(&row.tenant, &limits).map_err(|e| fail(&format!(": {e}")))?;
        if row.cells.len() != columns.len() {
            let (got, want) = (row.cells.len(), columns.len());
            return Err(fail(&format!(": {got} cells for {want} columns")));
        }
    }
    let mut keys = BTreeSet::new();
    let mut out = Vec::with_capacity(columns.len());
    for (index, column) in columns.iter().enumerate() {
        let key = q(&column.name);
        name(&column.name, &limits)
            .map_err(|e| format!("column {key}: not a valid flag key: {e}"))?;
        if !keys.insert(column.name.as_str()) {
            return Err(format!("column {key} appears twice"));
        }
        let flag = flag(column, index, &sorted, attribute, &limits)
            .map_err(|e| format!("column {key}: {e}"))?;
        out.push((column.name.clone(), flag));
    }
    Ok(out)
}

/// The keys that are both tenant columns and flags the document defines, in column order:
/// start-up refuses them, because which definition wins would be an accident.
pub(crate) fn conflicts<'a>(
    tenant_keys: &[String],
    defined_keys: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let defined: BTreeSet<&str> = defined_keys.collect();
    let mut seen = BTreeSet::new();
    let mut out = tenant_keys.to_vec();
    out.retain(|k| defined.contains(k.as_str()) && seen.insert(k.clone()));
    out
}

/// The flag document for one column (`rows` sorted by tenant, with a cell per column).
fn flag(
    column: &Column,
    index: usize,
    rows: &[&Row],
    attribute: &str,
    limits: &Limits,
) -> Result<Value, String> {
    let (kind, off) = match column.kind {
        ColumnKind::Bool => ("boolean", Value::Bool(false)),
        ColumnKind::Number => ("number", Value::Number(Number::from_u64(0))),
        ColumnKind::Text => ("string", "".into()),
        ColumnKind::Json => ("object", Value::Object(Vec::new())),
    };
    // (variant name, value, its tenants) in order of first appearance, found by the value's
    // JSON text: one text per value (`1.0` writes as `1`), so equal values share a variant.
    let mut groups: Vec<(String, Value, Vec<&str>)> = Vec::new();
    let mut by_text: BTreeMap<String, usize> = BTreeMap::new();
    let mut generated = 0;
    let max = limits.max_variants_per_flag;
    let too_many = format!(
        "one value too many: a flag holds {max} variants, off included \
         (max_variants_per_flag)"
    );
    for row in rows {
        let Some(value) = row.cells.get(index).and_then(Option::as_ref) else {
            continue;
        };
        let fail = |e: &str| format!("tenant {}: {e}", q(&row.tenant));
        match (column.kind, value) {
            (_, Value::Null) | (ColumnKind::Bool, Value::Bool(false)) => continue,
            (ColumnKind::Bool, Value::Bool(true))
            | (ColumnKind::Number, Value::Number(_))
            | (ColumnKind::Text, Value::String(_))
            | (ColumnKind::Json, Value::Object(_)) => fits(value, limits).map_err(|e| fail(&e))?,
            // `off` has the flag's type: its kind is what the cell should have been.
            _ => {
                let (want, found) = (off.kind(), value.kind());
                return Err(fail(&format!("expected {want}, found {found}")));
            }
        }
        let text = value.to_json();
        let slot = match by_text.get(&text) {
            Some(slot) => *slot,
            None => {
                // One variant more, and `off`, must fit in a flag.
                if groups.len() + 2 > limits.max_variants_per_flag {
                    return Err(fail(&too_many));
                }
                let name = match (column.kind, value) {
                    (ColumnKind::Bool, _) => "on".to_owned(),
                    (ColumnKind::Number, _) => text.clone(),
                    (ColumnKind::Text, Value::String(s)) if readable(s) => s.to_string(),
                    _ => {
                        generated += 1;
                        format!("v{generated}")
                    }
                };
                by_text.insert(text, groups.len());
                groups.push((name, value.clone(), Vec::new()));
                groups.len() - 1
            }
        };
        if let Some((_, _, tenants)) = groups.get_mut(slot) {
            tenants.push(&row.tenant);
        }
    }
    let mut variants = Vec::with_capacity(groups.len() + 1);
    let mut rules = Vec::new();
    for (name, value, tenants) in &groups {
        let per_rule = limits.max_values_per_condition.max(1);
        for (n, part) in tenants.chunks(per_rule).enumerate() {
            let id = match n {
                0 => format!("tenants:{name}"),
                _ => format!("tenants:{name}#{}", n + 1),
            };
            let values = part.iter().map(|t| Value::from(*t)).collect();
            let condition = object([
                ("attribute", attribute.into()),
                ("op", "in".into()),
                ("values", Value::Array(values)),
            ]);
            rules.push(object([
                ("id", id.as_str().into()),
                ("conditions", Value::Array(vec![condition])),
                ("serve", object([("variant", name.as_str().into())])),
            ]));
        }
        variants.push((name.as_str().into(), value.clone()));
    }
    if rules.len() > limits.max_rules_per_flag {
        let (n, max) = (rules.len(), limits.max_rules_per_flag);
        return Err(format!(
            "{n} rules (max_values_per_condition tenants each), more than {max} \
             (max_rules_per_flag)"
        ));
    }
    variants.push((OFF.into(), off));
    let metadata = [
        ("source", "tenant column".into()),
        ("attribute", attribute.into()),
    ];
    Ok(object([
        ("type", kind.into()),
        ("enabled", true.into()),
        ("variants", Value::Object(variants)),
        ("offVariant", OFF.into()),
        ("rules", Value::Array(rules)),
        ("defaultServe", object([("variant", OFF.into())])),
        ("metadata", object(metadata)),
    ]))
}

/// Checks `value` against what the payload parser takes where a variant value sits: strings
/// and keys within `max_string_bytes`, nesting within `max_depth`, finite numbers (the
/// writer would turn NaN into `null`). Not duplicate keys: the JSON parsers that make cells
/// refuse or merge them. Iterative, so a deep cell cannot exhaust the stack.
fn fits(value: &Value, limits: &Limits) -> Result<(), String> {
    let max_depth = limits.max_depth.saturating_sub(ENCLOSING_DEPTH);
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if matches!(v, Value::Object(_) | Value::Array(_)) && depth > max_depth {
            return Err(format!("nested deeper than {max_depth} levels (max_depth)"));
        }
        match v {
            Value::Object(members) => {
                for (k, m) in members {
                    too_long(k, limits)?;
                    stack.push((m, depth + 1));
                }
            }
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::String(s) => too_long(s, limits)?,
            Value::Number(n) if !n.as_f64().is_finite() => return Err("not a finite number".into()),
            _ => {}
        }
    }
    Ok(())
}

/// A flag key or attribute name: non-empty (FORMAT.md) and within `max_string_bytes`.
fn name(s: &str, limits: &Limits) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    too_long(s, limits)
}

/// Strings and keys longer than `max_string_bytes` fail to load.
fn too_long(s: &str, limits: &Limits) -> Result<(), String> {
    if s.len() > limits.max_string_bytes {
        let max = limits.max_string_bytes;
        return Err(format!("longer than {max} bytes (max_string_bytes)"));
    }
    Ok(())
}

/// Whether a string value can name its own variant without colliding with `off` or the
/// generated `v1`, `v2`... (so distinct values always get distinct names).
fn readable(s: &str) -> bool {
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let generated = s.strip_prefix('v').is_some_and(digits);
    (1..=64).contains(&s.len()) && s != OFF && !generated && s.bytes().all(safe)
}

/// `s` quoted and escaped for an error message, cut to 80 characters (a key may be 8 KiB).
fn q(s: &str) -> String {
    let cut = s.char_indices().nth(80).and_then(|(end, _)| s.get(..end));
    cut.map_or_else(|| format!("{s:?}"), |head| format!("{head:?}..."))
}

/// A JSON object from members in order.
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

#[cfg(test)]
#[path = "flags_tests.rs"]
mod tests;
