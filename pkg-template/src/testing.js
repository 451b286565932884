// Test helpers for applications: a client with forced flag values and no backend, so that every
// state of every flag can be tested without a network or a signing key.

import "#edgeflag"; // initialises the wasm for this runtime
import { createClient } from "./client.js";
import { TESTING } from "./options.js";

// RFC 8032's first test key, whose secret key is published: fine for a client that never
// fetches anything (test clients have no url), never for a real one.
const PLACEHOLDER_KEY = "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

/**
 * A client that is `READY` at once and answers `flags` as forced values: `{ "new-checkout":
 * true }`. Flags not listed answer the caller's default (reason `DEFAULT`), unless `bootstrap`
 * (an envelope signed by a key in `publicKeys`) provides real ones. Change values with
 * `client.override(key, value)`; every change emits `change`.
 * @param {import("./testing.js").TestClientOptions} [options]
 */
export function createTestClient({ flags, ...options } = {}) {
  return createClient({
    environment: "test",
    // A bootstrap for a test client is signed by the test itself: whose it is matters less
    // than for a real client, but the owner check still runs (override it with `owner`).
    ...(options.anyOwner ? {} : { owner: "test" }),
    storage: null,
    events: false, // unless asked for: a test client touches no network
    ...options,
    overrides: { ...options.overrides, values: { ...options.overrides?.values, ...flags } },
    publicKeys: options.publicKeys ?? [PLACEHOLDER_KEY],
    url: undefined,
    stream: false,
    [TESTING]: true,
  });
}
