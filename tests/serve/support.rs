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
    format!(
        "{}/../server/example-flags.json",
        env!("CARGO_MANIFEST_DIR")
    )
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
    /// The admin token: printed when generated, else the one given (empty: neither, the
    /// store holds an admin token).
    pub(crate) token: String,
    /// The version served at start.
    pub(crate) version: u64,
    stderr: Arc<Mutex<String>>,
}

/// The value after `prefix` on the banner line that has it.
pub(crate) fn banner_value(lines: &[String], prefix: &str) -> Option<String> {
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
                .unwrap_or_default(),
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
        self.admin_with(method, path, &[], body)
    }

    /// An admin request with the right token and more headers (`If-Match`).
    pub(crate) fn admin_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        self.admin_as(&self.token, method, path, headers, body)
    }

    /// An admin request with `token`.
    pub(crate) fn admin_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let auth = format!("Bearer {token}");
        let mut all = vec![("Authorization", auth.as_str())];
        all.extend_from_slice(headers);
        request(&self.addr, method, path, &all, body.map(str::as_bytes))
    }

    /// `GET /admin/audit` + `query` (`""` or `?...`): the entries, parsed.
    pub(crate) fn audit(&self, query: &str) -> Vec<Json> {
        let response = self.admin("GET", &format!("/admin/audit{query}"), None);
        assert_eq!(response.status, 200, "{}", response.text());
        response.json().as_array().unwrap().clone()
    }

    /// `GET /admin/audit?format=jsonl`: the export, exactly the chained lines.
    pub(crate) fn export(&self) -> String {
        let response = self.admin("GET", "/admin/audit?format=jsonl", None);
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("content-type"), Some("application/jsonl"));
        response.text()
    }

    /// The public key printed for `environment` (the default one's line has no prefix).
    pub(crate) fn public_key_of(&self, environment: &str) -> String {
        banner_value(
            &self.banner,
            &format!("environment {environment}: public key "),
        )
        .unwrap_or_else(|| self.public_key.clone())
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
        let (version, snapshot, keyid) = verified_as(envelope, "production", &self.public_key)
            .unwrap_or_else(|e| panic!("refused: {e}"));
        assert_eq!(keyid, self.keyid);
        (version, snapshot)
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

/// Verifies an envelope as a `demo-shop` client of `environment` pinning `public_key`:
/// the version, the snapshot and the keyid, or why it was refused.
pub(crate) fn verified_as(
    envelope: &[u8],
    environment: &str,
    public_key: &str,
) -> Result<(u64, Snapshot, String), String> {
    let policy = TrustPolicy::builder(environment)
        .public_key(PublicKey::parse(public_key).unwrap())
        .owner("demo-shop")
        .build()
        .unwrap();
    match verify(envelope, &policy, None, now_ms()).map_err(|e| e.to_string())? {
        Verified::Accepted { snapshot, identity } => {
            Ok((identity.version, snapshot, identity.keyid))
        }
        Verified::Unchanged(_) => unreachable!("no high-water mark was given"),
    }
}

/// The payload an envelope signs, parsed (verify the envelope first).
pub(crate) fn payload(envelope: &[u8]) -> Json {
    let envelope: Json = serde_json::from_slice(envelope).unwrap();
    let bytes = edgeflag::unstable::base64::decode(envelope["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Runs `edgeflag ARGS`: the exit code, stdout and stderr.
pub(crate) fn edgeflag(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .env_remove("EDGEFLAG_ADMIN_TOKEN")
        .env_remove("EDGEFLAG_DATABASE")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// A new signing key in DIR (`edgeflag keygen --out DIR`): its file and its public key.
pub(crate) fn keygen(dir: &str) -> (String, String) {
    let (code, stdout, stderr) = edgeflag(&["keygen", "--out", dir]);
    assert_eq!(code, Some(0), "{stderr}");
    let public_key = stdout.lines().next().unwrap().to_owned();
    (format!("{dir}/edgeflag.key"), public_key)
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

/// The lines of a JSON Lines text (every line complete), each parsed.
pub(crate) fn jsonl(text: &str) -> Vec<Json> {
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The SHA-256 of `line`, hex: what the next audit entry carries as `prev`.
pub(crate) fn sha256_hex(line: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(line.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
