//! Helpers of the CLI tests: temporary directories, running the binary, keys and envelopes.

use edgeflag::unstable::base64;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A clock inside the fixtures' validity (2026-11-21T10:00Z to 2026-11-28T10:00Z).
pub(crate) const NOW: &str = "2026-11-22T00:00:00Z";

/// A fresh directory under the system's temp dir, removed when the test ends.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("edgeflag-cli-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn run_with(args: &[&str], stdin: Option<&[u8]>, stdout: Stdio) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

pub(crate) fn edgeflag(args: &[&str]) -> Run {
    run_with(args, None, Stdio::piped())
}

/// `--snapshot ENVELOPE --trust PUBLIC --env production`, for `eval`.
pub(crate) fn snapshot_args<'a>(envelope: &'a Path, public: &'a Path) -> [&'a str; 6] {
    [
        "--snapshot",
        s(envelope),
        "--trust",
        s(public),
        "--env",
        "production",
    ]
}

pub(crate) fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A key pair made by `keygen` in `dir`: (private key path, public key path, compact key).
pub(crate) fn keygen(scratch: &Scratch, dir: &str) -> (PathBuf, PathBuf, String) {
    let out = scratch.path(dir);
    let run = edgeflag(&["keygen", "--out", s(&out)]);
    assert_eq!(run.code, 0, "{run:?}");
    let compact = run.stdout.lines().next().unwrap().to_owned();
    (out.join("edgeflag.key"), out.join("edgeflag.pub"), compact)
}

/// Signs `payload` with `key` (plus `extra` options) into `name`; returns its path.
pub(crate) fn sign(
    scratch: &Scratch,
    key: &Path,
    payload: &str,
    extra: &[&str],
    name: &str,
) -> PathBuf {
    let mut args = vec!["sign", "--key", s(key)];
    args.extend_from_slice(extra);
    args.push(payload);
    let run = edgeflag(&args);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.ends_with("}\n"), "{:?}", run.stdout);
    let path = scratch.path(name);
    fs::write(&path, &run.stdout).unwrap();
    path
}

/// A signed fixture payload and the public key file that verifies it.
pub(crate) fn signed(scratch: &Scratch) -> (PathBuf, PathBuf) {
    let (key, public, _) = keygen(scratch, "keys");
    let envelope = sign(
        scratch,
        &key,
        &fixture("payload.json"),
        &[],
        "envelope.json",
    );
    (envelope, public)
}

/// `edgeflag verify EXTRA ENVELOPE`, for the fixtures' owner unless EXTRA names one (or
/// `--any-owner`).
pub(crate) fn verify(envelope: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["verify"];
    if !extra.iter().any(|a| *a == "--owner" || *a == "--any-owner") {
        args.extend_from_slice(&["--owner", "checkout-service"]);
    }
    args.extend_from_slice(extra);
    args.push(s(envelope));
    edgeflag(&args)
}

pub(crate) fn decoded_payload(envelope: &Path) -> Vec<u8> {
    let json: Json = serde_json::from_slice(&fs::read(envelope).unwrap()).unwrap();
    base64::decode(json["payload"].as_str().unwrap()).unwrap()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Asserts a refusal: exit 1 and one stderr line `edgeflag verify: FILE: CHECK...`.
pub(crate) fn assert_refused(run: &Run, file: &Path, check: &str) {
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    let prefix = format!("edgeflag verify: {}: {check}", file.display());
    assert!(run.stderr.starts_with(&prefix), "{:?}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{:?}", run.stderr);
}
