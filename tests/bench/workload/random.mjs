// A small seeded PRNG (mulberry32) so the benchmark workload is the same on every machine and
// every run: the generated files, and so every figure, depend only on the committed seed.

/** A generator of floats in [0, 1) from a 32-bit seed, with a few helpers. */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  const pick = (list) => list[Math.floor(next() * list.length)];
  /** `k` distinct elements of `list`, in the list's order. */
  const sample = (list, k) => {
    const chosen = new Set();
    while (chosen.size < Math.min(k, list.length)) chosen.add(Math.floor(next() * list.length));
    return [...chosen].sort((x, y) => x - y).map((i) => list[i]);
  };
  const chance = (p) => next() < p;
  return { next, int, pick, sample, chance };
}
