// Type declarations of the `edgeflag` package (every runtime entry exports the same API).

/** A JSON value, as flag variants and context attributes are. */
export type JsonValue = boolean | number | string | null | JsonValue[] | { [key: string]: JsonValue };
/** The value of a flag: boolean, string, number or object flags. */
export type FlagValue = boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What the client can serve: `READY`/`STALE` serve a verified snapshot, the others defaults. */
export type Status = "NOT_READY" | "READY" | "STALE" | "ERROR";

/** Why an evaluation returned its value (OpenFeature's reasons). */
export type Reason =
  | "STATIC"
  | "DEFAULT"
  | "TARGETING_MATCH"
  | "SPLIT"
  | "DISABLED"
  | "PREREQUISITE_FAILED"
  | "OVERRIDE"
  | "ERROR"
  | (string & {});

/** Why an evaluation failed (OpenFeature's error codes). */
export type EvaluationErrorCode =
  | "PROVIDER_NOT_READY"
  | "PROVIDER_FATAL"
  | "FLAG_NOT_FOUND"
  | "PARSE_ERROR"
  | "TYPE_MISMATCH"
  | "TARGETING_KEY_MISSING"
  | "INVALID_CONTEXT"
  | "GENERAL";

/** The result of one evaluation, shaped like OpenFeature's evaluation details. */
export interface EvaluationDetails<T> {
  /** The flag's value, or the caller's default when evaluation failed. */
  value: T;
  /** The variant served (`"override"` for an overridden value). */
  variant?: string;
  reason: Reason;
  errorCode?: EvaluationErrorCode;
  errorMessage?: string;
  /** The `id` of the rule that served the value. */
  ruleId?: string;
  /** The position of that rule in the flag's `rules`. */
  ruleIndex?: number;
  /** `true` when the flag has `trackEvents` and a rollout or schedule chose the value. */
  inExperiment: boolean;
  /** The flag's `metadata` from the snapshot. */
  flagMetadata: Record<string, string | number | boolean>;
}

/**
 * The attributes a flag is evaluated for. `targetingKey` is the conventional unit of
 * bucketing (a string, or an integer). Plain objects are compiled once per object: treat a
 * context as immutable and create a new object when attributes change.
 */
export interface EvaluationContext {
  targetingKey?: string | number;
  [attribute: string]: unknown;
}

/** What a snapshot the client loaded says about itself. */
export interface SnapshotInfo {
  version: number;
  owner: string;
  environment: string;
  /** Hint naming the key that signed (first 16 hex of SHA-256 of the public key). */
  keyid: string;
  /** Milliseconds since the Unix epoch. */
  issuedAt: number;
  /** Milliseconds since the Unix epoch. */
  expiresAt: number;
  /** SHA-256 of the payload, hex. */
  sha256: string;
  /** The flag keys in the snapshot. */
  flags: string[];
  changed?: boolean;
}

/** The one error class of edgeflag, with a stable machine-readable `code`. */
export declare class EdgeflagError extends Error {
  constructor(code: string, message: string);
  readonly name: "EdgeflagError";
  /**
   * Configuration: `INVALID_ARGUMENT`, `INVALID_POLICY`. Refused snapshots: `TOO_LARGE`,
   * `INVALID_JSON`, `INVALID_SNAPSHOT`, `UNSUPPORTED_SCHEMA`, `INVALID_ENVELOPE`,
   * `WRONG_PAYLOAD_TYPE`, `BAD_SIGNATURE`, `THRESHOLD_NOT_MET`, `WRONG_OWNER`,
   * `WRONG_ENVIRONMENT`, `EXPIRED`, `ROLLBACK`, `VERSION_CONFLICT`. Transport: `HTTP_STATUS`,
   * `FATAL_HTTP_STATUS`, `NETWORK`, `TIMEOUT`, `UNEXPECTED_NOT_MODIFIED`. Runtime:
   * `WASM_UNAVAILABLE`.
   */
  readonly code: string;
}

/** Where the client keeps its last-known-good envelope: `localStorage` or anything alike. */
export interface SnapshotStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** The part of a `fetch` response the client reads. */
export interface FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: unknown;
}

/** A `fetch` function (the global one by default). */
export type FetchFunction = {
  bivariance(
    input: string,
    init: { headers: Record<string, string>; signal: unknown; method?: "POST"; body?: string; keepalive?: boolean },
  ): Promise<FetchResponse>;
}["bivariance"];

/** One exposure of a unit to an experiment variant, reported once per (flag, variant, unit). */
export interface Exposure {
  flag: string;
  variant: string | undefined;
  value: FlagValue;
  /** The context's `targetingKey`. */
  unit: string | number | undefined;
  reason: Reason;
  ruleId?: string;
  /** The snapshot version that served it. */
  version?: number;
}

/**
 * Analytics events: exposures (the ones `onExposure` hears) and {@link EdgeflagClient.track}
 * events, POSTed in batches `{ batch, events }` to the edge worker's events endpoint.
 */
export interface EventsOptions {
  /**
   * The endpoint. Default: `/edgeflag/events` on the origin of `url` (the snapshot URL),
   * resolved against the page. Outside a page there is no default: events are off unless
   * this is set (a relative URL is then resolved against `url`).
   */
  url?: string | UrlLike;
  /** A batch leaves at most this long after its first event (default 5000). */
  flushIntervalMs?: number;
  /** Events per batch (default 100, at most 500); a full batch is sent at once. */
  maxBatch?: number;
  /** Events kept at most while waiting to be sent (default 1000); more are dropped and counted. */
  maxQueue?: number;
  /** Send with `navigator.sendBeacon` when the page is hidden (default `true`); else `fetch` with `keepalive`. */
  beacon?: boolean;
}

/** The counters of {@link EdgeflagClient.eventStats}. */
export interface EventStats {
  /** Events waiting to be sent, or being sent. */
  queued: number;
  /** Events in batches the endpoint accepted (2xx), or that the browser took with `sendBeacon`. */
  sent: number;
  /** Events dropped: the queue was full, the client closed, or their batch was refused (4xx but 408/429) or failed 6 times. */
  dropped: number;
  /** Refused `track()` calls (reported with `reportError`/`console.error`) and exposures without a unit. */
  invalid: number;
  /** Batches given up on (refused, or failed 6 times). */
  failedBatches: number;
  /** Sends repeated after a network failure, a 5xx, 408 or 429 (with the same batch id). */
  retries: number;
}

/** Who the client trusts: the options of `new Evaluator()` and of `createClient()`. */
export interface TrustOptions {
  /** Pinned Ed25519 public keys, `"ed25519:<base64 of 32 bytes>"`. */
  publicKeys: string[];
  /** The environment snapshots must be for, e.g. `"production"`. */
  environment: string;
  /** The owning backend snapshots must come from. Required, unless `anyOwner: true`. */
  owner?: string;
  /** Accept snapshots of any owner the pinned keys sign (instead of `owner`; rarely right:
   * with one key signing for two owners, either's snapshot would be accepted). */
  anyOwner?: boolean;
  /** Refuse snapshots whose version is below this (default 0): a floor for a client that has
   * no stored snapshot of its own (first visit, private window, cleared storage). */
  minVersion?: number;
  /** Refuse snapshots issued longer ago than this many milliseconds (default: only expiry). */
  maxAge?: number;
  /** Refuse snapshots valid (issuedAt to expiresAt) for longer than this (default 30 days). */
  maxValidityMs?: number;
  /** Distinct pinned keys that must have signed (default 1). */
  threshold?: number;
  /** Allowance for clocks that disagree on expiry and issuedAt (default 300000 ms). */
  clockSkewMs?: number;
  /** Largest envelope accepted, in bytes (default 4 MiB). */
  maxBytes?: number;
}

/** A `URL` (or anything with an `href`). */
export interface UrlLike {
  readonly href: string;
}

/** Options of {@link createClient}. */
export interface ClientOptions extends TrustOptions {
  /** The snapshot endpoint; without one the client serves `bootstrap` and storage only. */
  url?: string | UrlLike;
  /** Server-Sent Events: `true` for `url` itself (asked with `Accept: text/event-stream`), or another URL. */
  stream?: boolean | string | UrlLike;
  /**
   * An envelope delivered with the page (JSON text, bytes or the parsed object), or a
   * bootstrap as the edge worker (`{ envelope, values, context }`) and `edgeflag/react` (`{
   * envelope, values, status, context }`) write it, text or object: the envelope is verified;
   * the rest only serves hydration (`client.rendered`).
   */
  bootstrap?: string | Uint8Array | object;
  /** Last-known-good storage; `localStorage` in browsers by default, none elsewhere; `null` for none. */
  storage?: SnapshotStorage | null;
  /** Storage key (default `edgeflag:<owner>:<environment>`). */
  storageKey?: string;
  /** Time between polls while everything works (default 30000). */
  pollIntervalMs?: number;
  /** Abort a request after this long (default 10000). */
  timeoutMs?: number;
  /** Ceiling of the first retry after a failure (default 1000); doubles per failure. */
  minBackoffMs?: number;
  /** Largest retry ceiling (default 300000). Retries wait a random time below the ceiling. */
  maxBackoffMs?: number;
  /** Turn `STALE` when the backend has not confirmed the snapshot for this long (default: never). */
  staleAfterMs?: number;
  /** Called once per (flag, variant, unit) when a flag with `trackEvents` serves a variant. */
  onExposure?: (exposure: Exposure) => void;
  /**
   * Sends exposures and `track()` events to the edge worker (see {@link EventsOptions}). Unset:
   * on in a page whose `url` is the worker's `/edgeflag/snapshot` (to `/edgeflag/events` beside
   * it), off elsewhere; `true` or an object: on (outside pages only with `events.url`); `false`: off.
   */
  events?: EventsOptions | boolean;
  /** The `fetch` to use (default: the global one). */
  fetch?: FetchFunction;
  /** Forced values, and whether the page may override flags (development and QA). */
  overrides?: OverrideOptions;
}

/**
 * Local overrides. `values` are forced in code, as {@link EdgeflagClient.override} sets them.
 * With `allow: true` the client also honours the page's overrides, `key:value` pairs,
 * comma-separated: `localStorage["edgeflag:overrides"]`, then the URL parameter `?edgeflag=`
 * (which wins). Off unless allowed: allow it in development builds only (e.g. `allow:
 * process.env.NODE_ENV !== "production"`). Overridden results carry reason `OVERRIDE`;
 * malformed parts are ignored with one `console.warn` naming them.
 */
export interface OverrideOptions {
  /** Honour overrides from the URL and storage (default `false`). */
  allow?: boolean;
  /** Forced flag values, always applied (win over the page's). */
  values?: Record<string, FlagValue>;
  /** The URL whose `?edgeflag=` is read (default `location.href`; pass the request's on a server). */
  url?: string | UrlLike;
  /** Where `edgeflag:overrides` is read (default `localStorage` in browsers). */
  storage?: { getItem(key: string): string | null | undefined } | null;
}

/** Client events (`dropped`: analytics events were dropped, see {@link EventStats}). */
export type ClientEventType = "ready" | "change" | "stale" | "error" | "recovered" | "dropped";

/** What a listener receives. */
export interface ClientEvent {
  type: ClientEventType;
  status: Status;
  info: SnapshotInfo | undefined;
  /** `change`: the versions before and after (absent when only overrides changed). */
  changed?: { from?: number; to: number };
  /** `change` caused by {@link EdgeflagClient.override}: the keys forced or released. */
  overrides?: string[];
  /** `stale`/`error`: why. */
  error?: EdgeflagError;
  /** `dropped`: the counters then. */
  events?: EventStats;
}

/** What {@link EdgeflagClient.track} takes besides the event's name. */
export interface TrackDetails {
  /** The unit (default: the `targetingKey` of the bootstrap's context, the one the page was rendered with). */
  unit?: string | number;
  /** A finite number: an amount, a duration, a count. */
  value?: number;
}

/** A context compiled for many evaluations (see {@link EdgeflagClient.context}). */
export declare class Context {
  private constructor();
  /** Why the context is invalid (then every evaluation answers `INVALID_CONTEXT`), or `undefined`. */
  readonly invalidReason: string | undefined;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

/** A context argument: a plain object (compiled and cached per object) or a compiled {@link Context}. */
export type ContextInput = EvaluationContext | Context;

type Widen<T> = T extends boolean ? boolean : T extends string ? string : T extends number ? number : T;

/**
 * Where a project's flags are registered for the type checker: `edgeflag codegen --ts
 * flags.d.ts FLAGS` writes `declare module "edgeflag" { interface Register { flags: Flags } }`,
 * and every client and `edgeflag/react` hook then accepts only those keys, with defaults of
 * their types. Without it any key and any default are accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Register {}

/** The registered flags (`key -> value type`), or every string key when none are registered. */
export type RegisteredFlags = Register extends { flags: infer F } ? F : Record<string, FlagValue>;

/** The keys of `F` whose values are of type `V` (any string for an unregistered flag set). */
export type FlagKey<F, V = FlagValue> = string extends keyof F
  ? string
  : { [K in keyof F & string]: F[K] extends V ? K : never }[keyof F & string];

/** The value type of flag `K` of `F` (`Fallback` for an unregistered flag set). */
export type FlagValueOf<F, K, Fallback> = string extends keyof F ? Fallback : K extends keyof F ? F[K] : Fallback;

/** What a read of flag `K` with default `T` gives: the registered type, else the default's (widened). */
export type ResultOf<F, K, T> = string extends keyof F
  ? T extends null | undefined
    ? FlagValue | null
    : Widen<T>
  : FlagValueOf<F, K, FlagValue>;

/** A JSON object: what an object flag's value is. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * A feature-flag client; create it with {@link createClient}. Evaluation never throws. `F` is
 * the flag set (`key -> value type`) keys and defaults are checked against.
 */
export declare class EdgeflagClient<F = RegisteredFlags> {
  private constructor();
  /** `NOT_READY`, `READY`, `STALE` (last-known-good served) or `ERROR` (defaults served). */
  readonly status: Status;
  /** The loaded snapshot, if any. */
  readonly info: SnapshotInfo | undefined;
  /** Why the client is `STALE` or `ERROR`. */
  readonly lastError: { code: string; message: string } | undefined;
  /**
   * What the server rendered the page with, from a `{ envelope, values, status }` bootstrap.
   * Not verified: for hydrating what the HTML already shows, never for decisions.
   */
  readonly rendered: { values: Record<string, FlagValue | null>; status?: Status; context?: EvaluationContext } | undefined;
  /** The verified envelope in use (JSON text, exactly as signed), for server-side rendering. */
  readonly envelope: string | undefined;
  /** Resolves `true` once a verified snapshot is served, `false` after `timeoutMs`, a fatal status or `close()`. Never rejects. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Adds a listener; returns a function that removes it. */
  on(type: ClientEventType, listener: (event: ClientEvent) => void): () => void;
  off(type: ClientEventType, listener: (event: ClientEvent) => void): void;
  /** Fetches now (de-duplicated with a request in flight). */
  refresh(): Promise<void>;
  /** Polls if a poll is due (for runtimes whose timers do not outlive a request, e.g. `ctx.waitUntil(client.refreshIfDue())` in Workers). */
  refreshIfDue(): Promise<void>;
  /** Stops timers, the stream and requests, and sends queued events (one attempt); evaluation keeps serving what is loaded. */
  close(): void;
  /**
   * Records an event for experiments (a purchase, a sign-up), sent with the exposures. `name`:
   * 1 to 64 characters `A-Z a-z 0-9 _ . : -`. Invalid input is reported (`reportError`, or
   * `console.error`) and counted in `eventStats().invalid`, never thrown. Does nothing when
   * events are off.
   */
  track(name: string, details?: TrackDetails): void;
  /** Sends the queued events now; resolves once each batch was accepted or given up. Never rejects. */
  flush(): Promise<void>;
  /** A copy of the analytics events' counters (all zero when events are off). */
  eventStats(): EventStats;
  /** Compiles a context once for many evaluations. */
  context(attributes: EvaluationContext): Context;
  bool(key: FlagKey<F, boolean>, context: ContextInput | undefined, defaultValue: boolean): boolean;
  string<K extends FlagKey<F, string>>(key: K, context: ContextInput | undefined, defaultValue: FlagValueOf<F, K, string>): FlagValueOf<F, K, string>;
  number(key: FlagKey<F, number>, context: ContextInput | undefined, defaultValue: number): number;
  object<K extends FlagKey<F, object>, T extends FlagValueOf<F, K, JsonObject>>(key: K, context: ContextInput | undefined, defaultValue: T): T;
  /** Every flag as it will evaluate at instant `at` (ms since the epoch), e.g. a ramp's future. */
  allAt(context: ContextInput | undefined, at: number): Record<string, EvaluationDetails<FlagValue | null>>;
  /** Details; the flag's type is checked against the default's (`undefined`/`null` accept any). */
  details<K extends FlagKey<F>, T extends FlagValueOf<F, K, FlagValue>>(key: K, context: ContextInput | undefined, defaultValue: T): EvaluationDetails<ResultOf<F, K, T>>;
  details(key: FlagKey<F>, context?: ContextInput, defaultValue?: null): EvaluationDetails<FlagValue | null | undefined>;
  /** Details of every flag (value `null` where evaluation failed); reports no exposures. */
  all(context?: ContextInput): Record<string, EvaluationDetails<FlagValue | null>>;
  /** Every flag's value (`null` where evaluation failed); reports no exposures. */
  values(context?: ContextInput): Record<string, FlagValue | null>;
  /** Forces a flag's value (`undefined` or `null` releases it); emits `change`. */
  override<K extends FlagKey<F>>(key: K, value: FlagValueOf<F, K, FlagValue> | undefined | null): void;
  override(flags: { [K in FlagKey<F>]?: FlagValueOf<F, K, FlagValue> | undefined | null }): void;
  /** Releases every forced value; emits `change`. */
  clearOverrides(): void;
}

/**
 * Creates a client. Throws an {@link EdgeflagError} (`INVALID_ARGUMENT`, `INVALID_POLICY`)
 * when the options cannot work; nothing afterwards throws.
 */
export declare function createClient<F = RegisteredFlags>(options: ClientOptions): EdgeflagClient<F>;

/** The bucket (0 to 99999) a unit falls in for a salt: what rollouts and schedules use. */
export declare function bucket(salt: string, value: string | number): number;

export * from "./evaluator.js";
