// Evaluation results as plain objects, built from a snapshot's catalog and the numbers the wasm
// module wrote for one evaluation (see results.rs). The catalog is parsed once per snapshot:
// { keys, variants, values, rules, metadata, reasons, errors }, per flag i its key, variant
// names, variant values, rule ids and metadata. The engine builds these objects several times
// faster than it parses the same objects from JSON text.
//
// Three numbers describe one flag's outcome: variant + 1 (0: failed), reason | (error code + 1)
// << 4 | inExperiment << 8, and rule + 1 (0: no rule).

/** `{ [flagKey]: value }`; `codes[i]` is flag i's variant + 1, 0 where evaluation failed. */
export function valuesObject(catalog, codes) {
  const { keys, values } = catalog;
  const out = {};
  for (let i = 0; i < keys.length; i++) {
    const v = codes[i];
    put(out, keys[i], v === 0 ? null : fresh(values[i][v - 1]));
  }
  return out;
}

/** `{ [flagKey]: details }`, three codes per flag, `value: null` where evaluation failed. */
export function detailsObject(catalog, codes, messagesJson) {
  const keys = catalog.keys;
  const out = {};
  let messages;
  let m = 0;
  for (let i = 0, j = 0; i < keys.length; i++, j += 3) {
    let message;
    if (codes[j] === 0) {
      messages ??= JSON.parse(messagesJson);
      message = messages[m++];
    }
    put(out, keys[i], detail(catalog, i, codes[j], codes[j + 1], codes[j + 2], message, null));
  }
  return out;
}

/** One flag's details (flag -1: not in the snapshot), `fallback` as the value if it failed. */
export function detailOf(catalog, flag, codes, message, fallback) {
  return detail(catalog, flag, codes[0], codes[1], codes[2], message, fallback);
}

/** A fresh copy of the value flag `flag` serves as `variant`. */
export function valueOf(catalog, flag, variant) {
  return fresh(catalog.values[flag][variant]);
}

// Members in the order OpenFeature's details list them; optional ones only when present.
function detail(catalog, i, variant, bits, rule, message, fallback) {
  const reason = catalog.reasons[bits & 15];
  const error = (bits >> 4) & 15;
  let d;
  if (error !== 0) {
    d = { value: fallback, reason, errorCode: catalog.errors[error - 1], errorMessage: message };
  } else {
    d = { value: fresh(catalog.values[i][variant - 1]), variant: catalog.variants[i][variant - 1], reason };
    if (rule !== 0) {
      const id = catalog.rules[i][rule - 1];
      if (id !== null) d.ruleId = id;
      d.ruleIndex = rule - 1;
    }
  }
  d.inExperiment = (bits & 256) !== 0;
  d.flagMetadata = i < 0 ? {} : { ...catalog.metadata[i] };
  return d;
}

// A member named "__proto__" must be an own property, as JSON.parse makes it, not the prototype.
function put(obj, key, value) {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

// Primitives are shared; objects and arrays are copied, so that a caller changing a result
// cannot change the next one.
function fresh(v) {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map(fresh);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fresh(x)]));
}
