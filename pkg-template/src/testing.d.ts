// Type declarations of `edgeflag/testing`.
import type { ClientOptions, EdgeflagClient, FlagValue } from "./index.js";

/** Options of {@link createTestClient}: client options without a URL, all optional. */
export interface TestClientOptions extends Partial<Omit<ClientOptions, "url" | "stream">> {
  /** Forced flag values, e.g. `{ "new-checkout": true }`. */
  flags?: Record<string, FlagValue>;
}

/**
 * A client that is `READY` at once, never touches the network and serves `flags` as forced
 * values; other flags answer the caller's default (reason `DEFAULT`) unless a signed
 * `bootstrap` provides them. Switch values with `client.override(key, value)`.
 */
export declare function createTestClient(options?: TestClientOptions): EdgeflagClient;
