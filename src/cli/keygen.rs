//! `edgeflag keygen --out DIR`: a fresh Ed25519 key pair from the operating system's random
//! source, written so that no existing key is ever overwritten and the private key is never
//! readable by others, not even for an instant.

use crate::args::KeygenArgs;
use crate::exit::{CliResult, Exit, Failure};
use crate::output::print_line;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// File name of the private key (PKCS#8 PEM).
const PRIVATE_KEY_FILE: &str = "edgeflag.key";
/// File name of the public key (SPKI PEM).
const PUBLIC_KEY_FILE: &str = "edgeflag.pub";

/// Generates the key pair, writes both files and prints the key and its id.
pub(crate) fn run(args: &KeygenArgs) -> CliResult {
    let private_path = args.out.join(PRIVATE_KEY_FILE);
    let public_path = args.out.join(PUBLIC_KEY_FILE);
    // Both are checked before anything is written, so a refusal leaves both files untouched;
    // `create_new` below still closes the window between this check and the write.
    for path in [&private_path, &public_path] {
        if path.symlink_metadata().is_ok() {
            return Err(exists(path));
        }
    }
    fs::create_dir_all(&args.out).map_err(|e| Failure::write(args.out.display(), &e))?;

    let key = crate::inputs::fresh_signing_key()?;
    let pem = key
        .to_pkcs8_pem()
        .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;

    write_new(&private_path, pem.as_bytes(), 0o600)?;
    if let Err(failure) = write_new(&public_path, key.public_key_pem().as_bytes(), 0o644) {
        // Half a pair is worse than none: the next run would refuse because of it. The file
        // removed is the one this run just created, never one that was there before.
        let _ = fs::remove_file(&private_path);
        return Err(failure);
    }

    let public = key.public_key();
    print_line(&format!("{public}\nkeyid {}", public.keyid()))
}

/// The refusal for a key file that already exists.
fn exists(path: &Path) -> Failure {
    Failure::refused(
        path.display(),
        "already exists; refusing to overwrite a key (move it away or choose another --out)",
    )
}

/// Creates `path` with `mode` (never replacing an existing file) and writes `contents`.
///
/// The mode is given at creation, so a private key is never readable by others, and set
/// again through the open handle, because the umask may have narrowed it: a public key that
/// others cannot read would be useless to them.
fn write_new(path: &Path, contents: &[u8], mode: u32) -> CliResult {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path);
    let mut file: File = match file {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(exists(path)),
        Err(e) => return Err(Failure::write(path.display(), &e)),
    };
    let written = file
        .set_permissions(Permissions::from_mode(mode))
        .and_then(|()| file.write_all(contents))
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        // A truncated key file would be refused as "exists" by the next run.
        let _ = fs::remove_file(path);
        return Err(Failure::write(path.display(), &e));
    }
    Ok(())
}
