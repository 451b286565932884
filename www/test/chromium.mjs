// Debian's Chromium as every end-to-end test file launches it (playwright-core): the binary,
// and the flags a headless run on a closed network needs (no sandbox as root, no GPU, no
// background requests to hosts it cannot reach).
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
