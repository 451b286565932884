// What the current verified snapshot says about its flags, for events: which flags exist,
// their variants, and which have `trackEvents`. All of it comes from the wasm core
// (flagKeys, flagVariants, tracksEvents); it is read once per snapshot, lazily per flag.

const catalogs = new WeakMap();

/** The catalog of the snapshot `store` serves now (a new one after every swap), or undefined. */
export function catalogFor(store) {
  const current = store?.current;
  if (!current) return undefined;
  let c = catalogs.get(current);
  if (!c) {
    c = new Catalog(store.evaluator);
    catalogs.set(current, c);
  }
  return c;
}

class Catalog {
  #ev;
  #keys;
  #variants = new Map();
  #tracked;

  constructor(evaluator) {
    this.#ev = evaluator;
    this.#keys = new Set(evaluator.flagKeys());
  }

  /** The variant names of flag `key` (a Set), or undefined when the snapshot has no such flag. */
  variants(key) {
    if (!this.#keys.has(key)) return undefined;
    let v = this.#variants.get(key);
    if (!v) {
      v = new Set(this.#ev.flagVariants(key) ?? []);
      this.#variants.set(key, v);
    }
    return v;
  }

  /** The keys of the flags with `trackEvents`, in snapshot order. */
  get tracked() {
    this.#tracked ??= [...this.#keys].filter((k) => this.#ev.tracksEvents(k));
    return this.#tracked;
  }
}
