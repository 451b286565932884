// What the page trusts and where it fetches. The demo writes its own copy of this file next to
// the page with the backend's public key: a browser must never take its pinned keys from the
// worker that serves it, or a compromised worker could vouch for its own snapshots.
export default {
  snapshotUrl: "/edgeflag/snapshot",
  streamUrl: "/edgeflag/stream",
  // The edge worker's events route: exposures and track() calls go there, then to the backend.
  eventsUrl: "/edgeflag/events",
  // Served by the release worker in canary mode: which origin answered, and its build.
  releaseUrl: "/release/build",
  canaryFlag: "canary-release",
  experimentFlag: "checkout-experiment",
  publicKeys: [],
  owner: "demo-shop",
  environment: "production",
};
