// What the backend benchmarks share: `edgeflag serve` started on a free port (killed by
// stopAll), and HTTP requests over one keep-alive agent.
import { spawn } from "node:child_process";
import http from "node:http";

/**
 * Servers started with `common` arguments before each call's own: `serve(args)` resolves
 * `{ url, child }` once it listens; `stopAll()` kills them and closes the agent's sockets.
 */
export function servers(edgeflag, common) {
  const children = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const serve = (args) => {
    const child = spawn(edgeflag, ["serve", "--listen", "127.0.0.1:0", ...common, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      let buffer = "";
      child.stdout.on("data", (chunk) => {
        buffer += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(buffer);
        if (m) resolve({ url: m[1], child });
      });
      child.on("exit", (code) => reject(new Error(`edgeflag serve exited (${code})`)));
    });
  };
  /** One HTTP request; resolves { status, headers, body }. */
  const request = (url, { method = "GET", headers = {}, body } = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers: { ...headers }, agent }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      if (body) req.end(body);
      else req.end();
    });
  const stopAll = () => {
    for (const child of children) child.kill("SIGKILL");
    agent.destroy();
  };
  return { serve, request, stopAll };
}
