//! A PostgreSQL server for the replica tests, from Debian's `postgresql` package: `initdb`
//! and `pg_ctl` on a free port in a temporary directory, as the unprivileged `postgres` user
//! when the tests run as root (PostgreSQL refuses to run as root), stopped and removed when
//! the guard drops. With `EDGEFLAG_REQUIRE_POSTGRES=1` (tests/run sets it) a missing
//! installation fails the tests instead of skipping them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running PostgreSQL server.
pub(crate) struct Postgres {
    /// The data directory (also the socket directory).
    dir: PathBuf,
    /// Where `pg_ctl` and friends are.
    bin: PathBuf,
    /// The port it listens on (loopback only).
    pub(crate) port: u16,
}

/// The directory of Debian's PostgreSQL binaries (the newest installed), or of `initdb` on
/// the PATH.
fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    if let Some(bin) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file())
}

/// Whether this process runs as root.
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL binary, as `postgres` when we are root.
fn run(bin: &Path, program: &str, args: &[&str]) -> Output {
    let program = bin.join(program);
    let output = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&program)
            .args(args)
            .output()
    } else {
        Command::new(&program).args(args).output()
    };
    output.unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

impl Postgres {
    /// Starts a fresh server, or `None` when PostgreSQL is not installed (and not required).
    pub(crate) fn start() -> Option<Postgres> {
        let Some(bin) = binaries() else {
            assert!(
                std::env::var_os("EDGEFLAG_REQUIRE_POSTGRES").is_none(),
                "PostgreSQL is required (EDGEFLAG_REQUIRE_POSTGRES) but initdb was not found: apt-get install postgresql"
            );
            eprintln!("skipped: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let dir = std::env::temp_dir().join(format!(
            "edgeflag-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(
                status.success(),
                "cannot hand {} to the postgres user",
                dir.display()
            );
        }
        let d = dir.to_str().unwrap().to_owned();
        let init = run(
            &bin,
            "initdb",
            &[
                "-D",
                &d,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Postgres { dir, bin, port };
        server.start_again();
        Some(server)
    }

    /// Starts the (stopped) server again on the same port and data.
    pub(crate) fn start_again(&self) {
        let d = self.dir.to_str().unwrap();
        let options = format!(
            "-p {} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port
        );
        let log = format!("{d}/server.log");
        let started = run(
            &self.bin,
            "pg_ctl",
            &[
                "-D", d, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        );
        assert!(
            started.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&started.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server (an outage, for the tests), waiting until it is down.
    pub(crate) fn stop(&self) {
        let d = self.dir.to_str().unwrap();
        let _ = run(
            &self.bin,
            "pg_ctl",
            &["-D", d, "-w", "-m", "immediate", "stop"],
        );
    }

    /// A connection URL for a fresh database named `name` (created here).
    pub(crate) fn database(&self, name: &str) -> String {
        let port = self.port.to_string();
        let d = self.dir.to_str().unwrap();
        let created = run(
            &self.bin,
            "createdb",
            &["-h", d, "-p", &port, "-U", "postgres", name],
        );
        assert!(
            created.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
