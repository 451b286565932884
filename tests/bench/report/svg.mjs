// The ratios chart for the README: a hand-written SVG (no dependencies), one horizontal bar per
// (measurement, peer) with the peer's time divided by edgeflag's, on a log scale, and each
// measurement's goal as a dashed line across its bars. Bars right of the line meet the goal.

const PEERS = [
  { key: "growthbook", label: "GrowthBook", color: "#4f6bed" },
  { key: "flagd_core", label: "flagd-core", color: "#e07b39" },
];
const W = 760;
const LEFT = 230;
const RIGHT = 40;
const BAR = 18;
const GAP = 6;
const GROUP_GAP = 18;
const TOP = 58;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
const fmt = (r) => (r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2));
const tick = (d) => (d >= 1 ? d.toFixed(0) : String(Number(d.toPrecision(1))));
// Value labels get a white halo so they stay legible across grid and goal lines.
const HALO = 'paint-order="stroke" stroke="#fff" stroke-width="3"';

/**
 * @param groups [{ label, goal, goalLabel, ratios: { growthbook, flagd_core } }] (peer time / edgeflag time)
 * @param title the chart's heading
 */
export function ratiosSvg(groups, title) {
  const values = groups.flatMap((g) => [g.goal, ...PEERS.map((p) => g.ratios[p.key])]).filter((v) => v > 0);
  const lo = Math.min(0.1, 10 ** Math.floor(Math.log10(Math.min(...values))));
  const hi = Math.max(100, 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.5)));
  const x = (v) => LEFT + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - LEFT - RIGHT);
  const groupHeight = PEERS.length * (BAR + GAP) - GAP;
  const H = TOP + groups.length * (groupHeight + GROUP_GAP) + 40;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  out.push(`<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">peer time / edgeflag time (log scale); right of the dashed line meets the goal</text>`);
  const bottom = H - 34;
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const gx = x(d).toFixed(1);
    out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${bottom}" stroke="${d === 1 ? "#888" : "#e3e3e3"}"/>`);
    out.push(`<text x="${gx}" y="${bottom + 16}" text-anchor="middle" fill="#555">${tick(d)}x</text>`);
  }
  const lines = []; // goal lines, drawn under the bars and labels
  const bars = [];
  let y = TOP;
  for (const g of groups) {
    bars.push(`<text x="${LEFT - 10}" y="${(y + groupHeight / 2 + 4).toFixed(1)}" text-anchor="end" font-weight="600">${esc(g.label)}</text>`);
    for (const p of PEERS) {
      const r = g.ratios[p.key];
      const w = Math.max(1, x(Math.max(r, lo)) - LEFT);
      bars.push(`<rect x="${LEFT}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${p.color}" rx="2"/>`);
      bars.push(`<text x="${(LEFT + w + 5).toFixed(1)}" y="${y + BAR - 5}" fill="#222" ${HALO}>${fmt(r)}x vs ${esc(p.label)}</text>`);
      y += BAR + GAP;
    }
    const gx = x(g.goal).toFixed(1);
    lines.push(`<line x1="${gx}" y1="${y - GAP - groupHeight - 4}" x2="${gx}" y2="${y - GAP + 4}" stroke="#c62828" stroke-width="2" stroke-dasharray="5 3"/>`);
    lines.push(`<text x="${gx}" y="${y - GAP - groupHeight - 7}" text-anchor="middle" fill="#c62828" font-size="11" ${HALO}>${esc(g.goalLabel ?? `goal ${tick(g.goal)}x`)}</text>`);
    y += GROUP_GAP - GAP;
  }
  out.push(...lines, ...bars);
  let lx = LEFT;
  for (const p of PEERS) {
    out.push(`<rect x="${lx}" y="${H - 14}" width="12" height="12" fill="${p.color}"/>`);
    out.push(`<text x="${lx + 17}" y="${H - 4}">${esc(p.label)}</text>`);
    lx += 130;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
