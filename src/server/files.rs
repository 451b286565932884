//! Crash-safe file writes: the `--flags` file, when admin changes are written back, is
//! replaced atomically, so a reader — or a restart after `kill -9` — sees either the old
//! contents or the new, never a torn mix. The write is staged (temp file, `fsync`) before the
//! change commits and renamed into place after.
//!
//! The recipe: write a temp file in the same directory (a rename is only atomic within one
//! file system), `fsync` it (so the rename cannot land before the data), rename it over the
//! target, then `fsync` the directory (so the rename itself survives a power cut). The temp
//! file has a fixed name per target (`.NAME.edgeflag-tmp`): writes are serialised by the
//! server, and one left behind by a crash is removed at the next start.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What follows the target's name in its temp file's name.
const TEMP_SUFFIX: &str = ".edgeflag-tmp";

/// The temp file a write of `path` goes through: `.NAME.edgeflag-tmp` next to it.
pub(crate) fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(TEMP_SUFFIX);
    Ok(parent_dir(path).join(temp))
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A file's new contents, written and `fsync`ed beside it, not yet in its place: the first
/// half of an atomic replacement, for a write that must wait for something else (a commit).
#[derive(Debug)]
pub(crate) struct Staged {
    /// The temp file.
    temp: PathBuf,
    /// Where it goes.
    path: PathBuf,
}

impl Staged {
    /// Renames the temp file into place, durably.
    pub(crate) fn finish(self) -> io::Result<()> {
        let renamed =
            fs::rename(&self.temp, &self.path).and_then(|()| sync_dir(&parent_dir(&self.path)));
        if renamed.is_err() {
            let _ = fs::remove_file(&self.temp);
        }
        renamed
    }

    /// Removes the temp file: the write is abandoned.
    pub(crate) fn abandon(self) {
        let _ = fs::remove_file(&self.temp);
    }
}

/// Writes `bytes` to a temp file beside `path` (mode `mode`), `fsync`ed.
pub(crate) fn stage(path: &Path, bytes: &[u8], mode: u32) -> io::Result<Staged> {
    let temp = temp_path(path)?;
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&temp)?;
        // Set again through the handle: the umask may have narrowed the mode at creation,
        // and a stale temp file keeps its old mode.
        file.set_permissions(Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        // Nothing half-written may stay behind.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(Staged {
        temp,
        path: path.to_path_buf(),
    })
}

/// `fsync`s a directory, which makes the creation, rename or removal of its entries durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Removes the temp file a crash may have left behind for `path`; reports whether there
/// was one.
pub(crate) fn remove_stale_temp(path: &Path) -> io::Result<bool> {
    match fs::remove_file(temp_path(path)?) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The permission bits of `path`, or `default` when it does not exist yet; a file written
/// back keeps the mode its owner gave it.
pub(crate) fn mode_or(path: &Path, default: u32) -> u32 {
    fs::metadata(path).map_or(default, |m| m.permissions().mode() & 0o7777)
}

/// A fresh, empty directory for a unit test (`edgeflag-<name>-<pid>` in the temp dir).
#[cfg(test)]
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgeflag-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temp_file() {
        let dir = scratch("files-replace");
        let target = dir.join("version");
        stage(&target, b"1\n", 0o644).unwrap().finish().unwrap();
        stage(&target, b"2\n", 0o600).unwrap().finish().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"2\n");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("version")]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_temp_file_left_by_a_crash_is_removed_and_never_read() {
        let dir = scratch("files-stale");
        let target = dir.join("current.json");
        fs::write(temp_path(&target).unwrap(), b"{\"torn").unwrap();
        assert!(remove_stale_temp(&target).unwrap());
        assert!(!remove_stale_temp(&target).unwrap());
        assert!(!target.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_directory() {
        assert_eq!(
            temp_path(Path::new("flags.json")).unwrap(),
            PathBuf::from("./.flags.json.edgeflag-tmp")
        );
    }
}
