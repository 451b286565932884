// Interleaved timing: every case runs one batch per round, in an order that rotates each round,
// so a slow phase of the machine (the other core busy, a GC, CPU frequency) hits every engine
// alike instead of whichever happened to run then. The figure of a case is the median of its
// per-operation times over the rounds.

const now = () => process.hrtime.bigint();

/** Runs `op(i)` for i in [0, n) and returns nanoseconds per operation; keeps results alive. */
function batch(op, n, start) {
  let sink = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    if (op(start + i) !== undefined) sink++;
  }
  const ns = Number(now() - t0) / n;
  if (sink < 0) console.log(sink); // never: only stops the loop from being optimised away
  return ns;
}

/** How many operations fill about `targetMs`, after a warm-up of at least `warmupMs`. */
function calibrate(op, targetMs, warmupMs) {
  let n = 1;
  let total = 0;
  let done = 0;
  for (;;) {
    const ns = batch(op, n, done);
    done += n;
    total += ns * n;
    if (total >= warmupMs * 1e6 && ns * n >= targetMs * 1e6 * 0.25) return Math.max(1, Math.round((targetMs * 1e6) / ns));
    n *= 2;
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Measures `cases` ({ id: op(i) }) interleaved over `rounds` rounds of about `batchMs` each.
 * `op(i)` gets a running index (to pick a fresh context, say). Returns
 * { id: { median, min, max, n, rounds } } in nanoseconds per operation.
 */
export function interleaved(cases, { rounds = 15, batchMs = 40, warmupMs = 200 } = {}) {
  const ids = Object.keys(cases);
  const sizes = {};
  const next = {};
  for (const id of ids) {
    sizes[id] = calibrate(cases[id], batchMs, warmupMs);
    next[id] = 0;
  }
  const samples = Object.fromEntries(ids.map((id) => [id, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(r + k) % ids.length];
      samples[id].push(batch(cases[id], sizes[id], next[id]));
      next[id] += sizes[id];
    }
  }
  return Object.fromEntries(
    ids.map((id) => [
      id,
      { median: median(samples[id]), min: Math.min(...samples[id]), max: Math.max(...samples[id]), n: sizes[id], rounds },
    ]),
  );
}
