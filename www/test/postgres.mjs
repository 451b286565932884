// A throw-away PostgreSQL server for the admin UI's tests (EDGEFLAG_ADMIN_STORE=postgres):
// Debian's initdb + pg_ctl on a free loopback port in a temporary directory, as the
// `postgres` user when the tests run as root (PostgreSQL refuses root); `stop()` removes it.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The newest installed server's binaries. */
function binaries() {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b)) : [];
  const bin = versions.map((v) => join("/usr/lib/postgresql", v, "bin")).filter((b) => existsSync(join(b, "initdb"))).pop();
  if (!bin) throw new Error("PostgreSQL is not installed (tests/setup.sh: ensure_apt postgresql)");
  return bin;
}

/** A free loopback port. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

/** Starts a server; resolves { url, stop() }. */
export async function startPostgres() {
  const bin = binaries();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "edgeflag-pg-ui-"));
  const run = (program, args) =>
    root
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, program), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, program), args, { stdio: "pipe" });
  if (root) {
    const ids = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim();
    const gid = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  run("initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", ["-D", dir, "-l", join(dir, "server.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run("pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
