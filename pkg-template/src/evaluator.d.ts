// Type declarations of the wasm core's classes: the verified evaluator without I/O, and the
// sans-IO synchronisation the client (or an edge worker) drives.
import type { Context, EvaluationDetails, FlagValue, SnapshotInfo, Status, TrustOptions } from "./index.js";

/** Options of `new Evaluator()`: trust, limits and the synchronisation's timing. */
export interface EvaluatorOptions extends TrustOptions {
  pollIntervalMs?: number;
  timeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  staleAfterMs?: number;
  /** Refuse a snapshot whose flags use `matches` when this build lacks it, instead of degrading those flags (the client sets it when it can load the companion module `edgeflag/regex`). */
  refuseRegex?: boolean;
}

/** An envelope: JSON text or its bytes. */
export type EnvelopeInput = string | Uint8Array | ArrayBuffer;

/** The version and payload digest of the newest accepted snapshot: what refuses rollbacks. */
export interface HighWater {
  version: number;
  /** SHA-256 of the payload, hex. */
  sha256: string;
}

/** What to keep in storage as the last-known-good. */
export interface Persisted {
  envelope: string;
  highWater: HighWater;
  etag?: string;
}

/** The request to send: `If-None-Match` and when to give up. */
export interface SyncRequest {
  ifNoneMatch?: string;
  timeoutMs: number;
}

/** What one input changed and what the host should do next. */
export interface SyncOutcome {
  status: Status;
  /** Emit in order. */
  events: ("ready" | "change" | "stale" | "error" | "recovered")[];
  changed?: { from: number; to: number };
  error?: { code: string; message: string };
  /** Write `persisted()` to storage. */
  persist: boolean;
  /** Delete the stored copy: it failed re-verification. */
  discardPersisted: boolean;
  /** When the next poll is due (ms since the epoch); `null` after a fatal status. */
  nextPollAt: number | null;
  /** A poll is due now: call `beginRequest` and fetch. */
  pollDue: boolean;
  /** Call `tick` then (ms since the epoch); `null`: nothing scheduled. */
  wakeAt: number | null;
}

/**
 * One flag of an evaluator, resolved again whenever a new snapshot loads: keep it across
 * updates. Evaluating through it passes no string into wasm.
 */
export declare class Flag {
  readonly key: string;
  bool(context: Context, defaultValue: boolean): boolean;
  string(context: Context, defaultValue: string): string;
  number(context: Context, defaultValue: number): number;
  object<T extends FlagValue>(context: Context, defaultValue: T): T;
  details(context: Context, defaultValue?: FlagValue | null): EvaluationDetails<FlagValue | null | undefined>;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}

/** Verifies snapshot envelopes signed by the owning backend and evaluates flags locally. */
export declare class Evaluator {
  /** Throws an `EdgeflagError` (`INVALID_ARGUMENT`, `INVALID_POLICY`) naming the wrong option. */
  constructor(options: EvaluatorOptions);
  /** Verifies and loads an envelope; throws an `EdgeflagError` naming the failed check and keeps what was loaded. */
  load(envelope: EnvelopeInput, nowMs?: number): SnapshotInfo & { changed: boolean };
  /** Compiles a context; never throws (an invalid one evaluates to defaults with `INVALID_CONTEXT`). */
  context(attributes: unknown): Context;
  bool(key: string, context: Context, defaultValue: boolean): boolean;
  string(key: string, context: Context, defaultValue: string): string;
  number(key: string, context: Context, defaultValue: number): number;
  object<T extends FlagValue>(key: string, context: Context, defaultValue: T): T;
  /** Details of one flag; with `at` (ms since the epoch), as it evaluates then (e.g. a ramp tomorrow). */
  details(key: string, context: Context, defaultValue?: FlagValue | null, at?: number): EvaluationDetails<FlagValue | null | undefined>;
  /** Details of every flag; with `at` (ms since the epoch), as they evaluate then. */
  all(context: Context, at?: number): Record<string, EvaluationDetails<FlagValue | null>>;
  /** The value of every flag (`null` where evaluation failed): the fastest evaluate-all. */
  values(context: Context): Record<string, FlagValue | null>;
  /** A handle on one flag: evaluations through it skip the key lookup (the fastest path). */
  flag(key: string): Flag;
  readonly info: SnapshotInfo | undefined;
  readonly status: Status;
  readonly lastError: { code: string; message: string } | undefined;
  flagKeys(): string[];
  /** Whether the flag has `trackEvents` (its evaluations are exposures to report). */
  tracksEvents(key: string): boolean;
  /** The flag's variant names in snapshot order; `undefined` without a snapshot or such a flag. */
  flagVariants(key: string): string[] | undefined;
  /** Flags of the loaded snapshot this build cannot evaluate (they answer the default with `PARSE_ERROR`): `needsRegex` when the flag uses `matches` and this build lacks it. */
  degradedFlags(): { key: string; message: string; needsRegex: boolean }[];
  /** Whether some flag of the loaded snapshot needs the build with `matches` (the package then loads its companion module `edgeflag/regex`). */
  needsRegex(): boolean;
  start(nowMs: number): SyncOutcome;
  restore(envelope: EnvelopeInput, highWater: HighWater | undefined, etag: string | undefined, nowMs: number): SyncOutcome;
  beginRequest(nowMs: number): SyncRequest | undefined;
  onResponse(status: number, etag: string | undefined, body: Uint8Array, nowMs: number, random: number): SyncOutcome;
  onFailure(kind: "network" | "timeout" | "aborted", nowMs: number, random: number): SyncOutcome;
  onStreamEvent(envelope: EnvelopeInput, nowMs: number): SyncOutcome;
  tick(nowMs: number): SyncOutcome;
  persisted(): Persisted | undefined;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}
