// The bounded snapshot request the client uses, for hosts that drive an Evaluator themselves
// (edge workers): it never hangs and never buffers more than `maxBytes + 1` body bytes.

/** What came back: the body only for a 200, capped at `maxBytes + 1` bytes. */
export interface SnapshotResponse {
  status: number;
  etag: string | undefined;
  body: Uint8Array;
}

/**
 * One snapshot request with `If-None-Match` and a timeout. Rejects with the failure kind the
 * Evaluator's `onFailure` takes: `"timeout"`, `"aborted"` or `"network"`.
 */
export function request(
  fetch: typeof globalThis.fetch,
  url: string | URL,
  options: { ifNoneMatch?: string; timeoutMs: number; maxBytes: number; signal?: AbortSignal },
): Promise<SnapshotResponse>;
