// Debian's Chromium for the browser tests (playwright-core launches it; tests skip without it).
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

/** The browser binary: $CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/**
 * A test's `skip` option: a reason when there is no browser, else false. With
 * EDGEFLAG_REQUIRE_BROWSER=1 (tests/run) nothing is skipped: a missing browser fails.
 */
export const NO_CHROMIUM = !existsSync(CHROMIUM) && process.env.EDGEFLAG_REQUIRE_BROWSER !== "1" && "no chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

/** A headless Chromium, quiet on the network. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
