//! Helpers of the `edgeflag serve` tests: scratch directories, a server process that is
//! killed when its guard drops, and verification of what it serves.

use super::client::{request, Response};
use edgeflag::envelope::{verify, PublicKey, TrustPolicy, Verified};
use edgeflag::Snapshot;
use serde_json::Value as Json;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a server may take to start, and any awaited condition to hold: generous, so a
/// loaded machine does not make the tests flaky.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// The embedded example, as a file the tests can hand to `--flags`.
pub(crate) fn example_path() -> String {
    format!("{}/../server/example-flags.json", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the system's temp dir, removed when the test ends.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("edgeflag-serve-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub(crate) fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_owned()
    }

    /// The names in `sub` (`""`: the scratch directory itself), sorted.
    pub(crate) fn list(&self, sub: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.0.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A running `edgeflag serve`, killed when dropped.
pub(crate) struct Server {
    child: Option<Child>,
    /// `127.0.0.1:PORT`, as printed.
    pub(crate) addr: String,
    /// The start-up lines.
    pub(crate) banner: Vec<String>,
    /// `ed25519:...` as printed.
    pub(crate) public_key: String,
    /// The keyid as printed.
    pub(crate) keyid: String,
    /// The admin token: printed when generated, else the one given.
    pub(crate) token: String,
    /// The version served at start.
    pub(crate) version: u64,
    stderr: Arc<Mutex<String>>,
}

/// The value after `prefix` on the banner line that has it.
fn banner_value(lines: &[String], prefix: &str) -> Option<String> {
    lines.iter().find_map(|l| {
        l.strip_prefix("edgeflag serve: ")?
            .strip_prefix(prefix)
            .map(|rest| rest.split(' ').next().unwrap_or_default().to_owned())
    })
}

impl Server {
    /// Starts `edgeflag serve ARGS --listen 127.0.0.1:0` and waits for its `listening` line.
    pub(crate) fn start(args: &[&str]) -> Server {
        Self::try_start(args).unwrap_or_else(|(code, stderr)| {
            panic!("the server did not start (exit {code:?}): {stderr}")
        })
    }

    /// Like [`start`](Self::start), or the exit code and stderr of a server that exits.
    pub(crate) fn try_start(args: &[&str]) -> Result<Server, (Option<i32>, String)> {
        Self::try_start_with_token_env(args, None)
    }

    /// Like [`try_start`](Self::try_start), with `EDGEFLAG_ADMIN_TOKEN` set to `token`.
    pub(crate) fn try_start_with_token_env(
        args: &[&str],
        token: Option<&str>,
    ) -> Result<Server, (Option<i32>, String)> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_edgeflag"));
        command.env_remove("EDGEFLAG_ADMIN_TOKEN");
        if let Some(token) = token {
            command.env("EDGEFLAG_ADMIN_TOKEN", token);
        }
        let mut child = command
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut banner = Vec::new();
        let deadline = Instant::now() + PATIENCE;
        while !banner
            .last()
            .is_some_and(|l: &String| l.contains("listening on"))
        {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => banner.push(line),
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait().unwrap();
                    // Let the reader thread catch the last of stderr.
                    std::thread::sleep(Duration::from_millis(50));
                    let text = stderr.lock().unwrap().clone();
                    return Err((status.code(), text));
                }
            }
        }
        let given_token = args
            .iter()
            .position(|a| *a == "--admin-token")
            .map(|i| args[i + 1].to_owned())
            .or(token.map(str::to_owned));
        let server = Server {
            addr: banner_value(&banner, "listening on http://").unwrap(),
            public_key: banner_value(&banner, "public key ").unwrap(),
            keyid: banner_value(&banner, "keyid ").unwrap(),
            token: banner_value(&banner, "admin token ")
                .or(given_token)
                .unwrap(),
            version: banner
                .iter()
                .find_map(|l| l.split(" version ").nth(1))
                .and_then(|rest| rest.split(' ').next())
                .unwrap()
                .parse()
                .unwrap(),
            banner,
            child: Some(child),
            stderr,
        };
        Ok(server)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// What the server logged so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub(crate) fn get(&self, path: &str) -> Response {
        request(&self.addr, "GET", path, &[], None)
    }

    /// An admin request with the right token.
    pub(crate) fn admin(&self, method: &str, path: &str, body: Option<&str>) -> Response {
        let auth = format!("Bearer {}", self.token);
        request(
            &self.addr,
            method,
            path,
            &[("Authorization", &auth)],
            body.map(str::as_bytes),
        )
    }

    pub(crate) fn status(&self) -> Json {
        let response = self.admin("GET", "/admin/status", None);
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    }

    /// The version `GET /snapshot` serves now.
    pub(crate) fn served_version(&self) -> u64 {
        let response = self.get("/snapshot");
        assert_eq!(response.status, 200);
        self.verified(&response.body).0
    }

    /// Verifies an envelope with the printed key, as a `demo-shop`/`production` client.
    pub(crate) fn verified(&self, envelope: &[u8]) -> (u64, Snapshot) {
        let policy = TrustPolicy::builder("production")
            .public_key(PublicKey::parse(&self.public_key).unwrap())
            .owner("demo-shop")
            .build()
            .unwrap();
        match verify(envelope, &policy, None, now_ms()).unwrap() {
            Verified::Accepted { snapshot, identity } => {
                assert_eq!(identity.keyid, self.keyid);
                (identity.version, snapshot)
            }
            Verified::Unchanged(_) => unreachable!("no high-water mark was given"),
        }
    }

    /// Sends SIGTERM and waits (at most [`PATIENCE`]) for the exit.
    pub(crate) fn terminate(mut self) -> ExitStatus {
        let pid = self.pid().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let mut child = self.child.take().unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The lines of a pipe, as they come, on a channel.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Polls `condition` until it holds, for at most [`PATIENCE`]; returns how long it took.
pub(crate) fn eventually(what: &str, mut condition: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
    start.elapsed()
}

/// Writes `text` to `path` the way a careful editor does (temp file and rename).
pub(crate) fn save(path: &Path, text: &str) {
    let temp = path.with_extension("editor-tmp");
    fs::write(&temp, text).unwrap();
    fs::rename(&temp, path).unwrap();
}

/// The lines of `DIR/audit.jsonl`, each parsed.
pub(crate) fn audit_lines(path: &Path) -> Vec<Json> {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
