// SVG charts computed by evaluating locally: how a flag splits 10,000 synthetic users, and how
// the share of its first variant moves over time (a scheduled ramp shows its curve).

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#dc2626"];

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Offers every flag in the chart selector (keeps the choice). */
export function fillChartChoices(keys) {
  const select = document.getElementById("chart-flag");
  if (select.options.length === keys.length) return;
  const chosen = select.value || keys.find((k) => k === "checkout-button-color") || keys[0];
  select.replaceChildren(...keys.map((k) => new Option(k, k, false, k === chosen)));
}

function syntheticContext(base, i) {
  return { ...base, targetingKey: `synthetic-${i}` };
}

/**
 * Variant counts for `n` synthetic users (the form's other attributes kept), with each label's
 * value. Through `all()`, which reports no exposures: `details()` would report every synthetic
 * user of a flag with trackEvents to the experiment.
 */
function distribution(client, key, base, n) {
  const counts = new Map();
  for (let i = 0; i < n; i++) {
    const d = client.all(syntheticContext(base, i))[key] ?? { reason: "ERROR", errorCode: "FLAG_NOT_FOUND" };
    const label = d.variant ?? d.errorCode ?? d.reason;
    const seen = counts.get(label);
    if (seen) seen.count += 1;
    else counts.set(label, { count: 1, value: d.value });
  }
  return [...counts.entries()].sort((a, b) => b[1].count - a[1].count);
}

const CSS_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * A bar's colour: the variant's own value when it is a colour (checkout-button-color),
 * otherwise one per label that does not change when the ranking does.
 */
function colorOf(label, value, labels) {
  if (typeof value === "string" && CSS_COLOR.test(value)) return value;
  return PALETTE[[...labels].sort().indexOf(label) % PALETTE.length];
}

function bars(entries, total) {
  const width = 420;
  const row = 24;
  const labels = entries.map(([label]) => label);
  const svg = el("svg", { viewBox: `0 0 ${width} ${entries.length * row + 4}`, role: "img" });
  entries.forEach(([label, { count, value }], i) => {
    const share = count / total;
    const w = Math.max(1, share * (width - 170));
    svg.append(
      el("text", { x: 0, y: i * row + 16 }, label),
      el("rect", { x: 100, y: i * row + 4, width: w, height: row - 8, fill: colorOf(label, value, labels), "data-variant": label, "data-count": count }),
      el("text", { x: 106 + w, y: i * row + 16 }, `${(share * 100).toFixed(1)}%`),
    );
  });
  return svg;
}

const DAY = 86_400_000;

/** Share of `n` users served `variant` at instants from -15 to +30 days. */
function ramp(client, key, base, variant, n) {
  const points = [];
  for (let day = -15; day <= 30; day += 1.5) {
    const at = Date.now() + day * DAY;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const all = client.allAt(syntheticContext(base, i), at);
      if (all[key]?.variant === variant) hits += 1;
    }
    points.push([day, hits / n]);
  }
  return points;
}

function line(points, variant) {
  const width = 420;
  const height = 140;
  const x = (day) => 40 + ((day + 15) / 45) * (width - 50);
  const y = (share) => 10 + (1 - share) * (height - 30);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  svg.append(
    el("line", { x1: x(0), y1: 5, x2: x(0), y2: height - 20, stroke: "#9ca3af", "stroke-dasharray": "3 3" }),
    el("text", { x: x(0) - 12, y: height - 5 }, "now"),
    el("line", { x1: x(-15), y1: y(1), x2: x(30), y2: y(1), stroke: "#e5e7eb" }),
    el("line", { x1: x(-15), y1: y(0), x2: x(30), y2: y(0), stroke: "#e5e7eb" }),
    el("text", { x: 0, y: y(1) + 4 }, "100%"),
    el("text", { x: 13, y: y(0) + 4 }, "0%"),
    el("text", { x: x(30), y: height - 5, "text-anchor": "end" }, `served ${variant ?? "–"}`),
    el("polyline", {
      points: points.map(([d, s]) => `${x(d).toFixed(1)},${y(s).toFixed(1)}`).join(" "),
      fill: "none",
      stroke: PALETTE[0],
      "stroke-width": 2,
    }),
  );
  return svg;
}

/** Redraws both charts for the selected flag. */
export function renderCharts(client, base) {
  const key = document.getElementById("chart-flag").value;
  if (!key) return;
  const entries = distribution(client, key, base, 10_000);
  document.getElementById("distribution").replaceChildren(bars(entries, 10_000));
  const first = entries.find(([label]) => label !== "ERROR")?.[0];
  document.getElementById("ramp").replaceChildren(line(ramp(client, key, base, first, 400), first));
}
