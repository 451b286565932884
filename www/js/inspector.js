// The inspector: every flag's value, variant, reason and matching rule, and the verified
// snapshot's identity and status.

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function show(v) {
  return v === undefined ? "–" : JSON.stringify(v);
}

/** Renders the flag table; rows whose value changed since `previous` flash. */
export function renderFlags(all, previous) {
  const body = document.getElementById("flags");
  const rows = [];
  const next = {};
  for (const [key, d] of Object.entries(all)) {
    const tr = document.createElement("tr");
    tr.dataset.flag = key;
    const rule = d.ruleId ?? (d.ruleIndex !== undefined ? `#${d.ruleIndex}` : "");
    tr.append(cell(key), cell(show(d.value)), cell(d.variant ?? "–"), cell(d.errorCode ? `${d.reason} (${d.errorCode})` : d.reason), cell(rule));
    next[key] = show(d.value);
    if (key in previous && previous[key] !== next[key]) tr.className = "changed";
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  return next;
}

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** Status badge and snapshot identity. */
export function renderSnapshot(client) {
  const badge = document.getElementById("status");
  badge.textContent = client.status;
  badge.dataset.status = client.status;
  const info = client.info;
  const set = (field, text) => {
    document.querySelector(`#snapshot [data-field="${field}"]`).textContent = text;
  };
  set("version", info ? String(info.version) : "–");
  set("keyid", info?.keyid ?? "–");
  set("age", info ? ago(info.issuedAt) : "–");
  set("expires", info ? new Date(info.expiresAt).toISOString() : "–");
  const error = client.lastError;
  set("error", error ? `${error.code}: ${error.message}` : "–");
}
