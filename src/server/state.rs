//! The state directory (`--state DIR`): what must survive a restart.
//!
//! - `DIR/version`: the last version reserved, as decimal text. It is written (atomically,
//!   see [`files`](super::files)) *before* that version is published, so no restart can
//!   reuse a version a client may already have seen: clients refuse a snapshot whose version
//!   is not higher than the last one they accepted.
//! - `DIR/current.json`: the flags document last published, so admin changes survive a
//!   restart when no `--flags` file is given (with one, the flags file wins: it is the
//!   source of truth, and admin changes are written back to it).
//! - `DIR/audit.jsonl`: the audit log (see [`audit`](super::audit)).
//!
//! One server per state directory: two would race for versions.

use super::files::{remove_stale_temp, write_atomic};
use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// File name of the version counter.
const VERSION_FILE: &str = "version";
/// File name of the flags document last published.
const CURRENT_FILE: &str = "current.json";
/// File name of the audit log.
const AUDIT_FILE: &str = "audit.jsonl";
/// Permission bits of state files: flag definitions and audit entries are the operator's
/// business only.
pub(crate) const STATE_FILE_MODE: u32 = 0o600;

/// An opened state directory.
#[derive(Debug)]
pub(crate) struct StateDir {
    /// The directory.
    dir: PathBuf,
}

impl StateDir {
    /// Opens `dir`, creating it (mode 0700) when missing, and removes the temp files of
    /// writes a crash interrupted; their targets still hold the previous contents.
    pub(crate) fn open(dir: &Path) -> io::Result<StateDir> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let state = StateDir {
            dir: dir.to_path_buf(),
        };
        for file in [VERSION_FILE, CURRENT_FILE] {
            remove_stale_temp(&state.dir.join(file))?;
        }
        Ok(state)
    }

    /// The directory itself.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the audit log.
    pub(crate) fn audit_path(&self) -> PathBuf {
        self.dir.join(AUDIT_FILE)
    }

    /// The last version reserved, `None` before the first. A file that does not hold a
    /// version is an error, never a zero: guessing low could reuse a published version.
    pub(crate) fn read_version(&self) -> Result<Option<u64>, String> {
        let path = self.dir.join(VERSION_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => text.trim().parse::<u64>().map(Some).map_err(|_| {
                format!(
                    "{}: not a version number; fix or remove it only if no client has seen \
                     a version above the one you write there",
                    path.display()
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!(
                "{}: cannot read: {}",
                path.display(),
                crate::exit::io_reason(&e)
            )),
        }
    }

    /// Records `version` as reserved, durably, before anything carrying it is published.
    pub(crate) fn write_version(&self, version: u64) -> io::Result<()> {
        write_atomic(
            &self.dir.join(VERSION_FILE),
            format!("{version}\n").as_bytes(),
            STATE_FILE_MODE,
        )
    }

    /// The flags document last published, if one was.
    pub(crate) fn read_current(&self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.current_path()) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces the flags document last published.
    pub(crate) fn write_current(&self, bytes: &[u8]) -> io::Result<()> {
        write_atomic(&self.current_path(), bytes, STATE_FILE_MODE)
    }

    /// Path of the flags document last published.
    pub(crate) fn current_path(&self) -> PathBuf {
        self.dir.join(CURRENT_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_counter_round_trips_and_refuses_garbage() {
        let dir = std::env::temp_dir().join(format!("edgeflag-state-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let state = StateDir::open(&dir).unwrap();
        assert_eq!(state.read_version(), Ok(None));
        state.write_version(1_795_000_000_123).unwrap();
        assert_eq!(state.read_version(), Ok(Some(1_795_000_000_123)));
        fs::write(dir.join(VERSION_FILE), "12x").unwrap();
        assert!(state
            .read_version()
            .unwrap_err()
            .contains("not a version number"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
