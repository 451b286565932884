//! Exit codes and the one error type of the command: every failure is one line on stderr and
//! an exit code that tells a script what kind of failure it was.

use std::fmt::Display;
use std::io;
use std::path::Path;
use std::process::ExitCode;

/// Why the command did not succeed; the numbers are part of the command's interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 1: the input was refused or is invalid.
    Refused,
    /// 2: the command was used wrongly (clap's own errors exit 2 as well).
    Usage,
    /// 3: output could not be written.
    Io,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Refused => 1,
            Exit::Usage => 2,
            Exit::Io => 3,
        })
    }
}

/// A failed command: its exit code and the line to print.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What went wrong, usually starting with the file it concerns.
    pub message: String,
    /// Printed as is, without the `edgeflag <command>: ` prefix (lint's compiler-style
    /// `error:` lines), or not at all when empty (the output already said it all).
    pub bare: bool,
}

impl Failure {
    /// A failure whose line is prefixed with the command name.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
            bare: false,
        }
    }

    /// The input was refused: `<what>: <why>`.
    pub fn refused(what: impl Display, why: impl Display) -> Self {
        Failure::new(Exit::Refused, format!("{what}: {why}"))
    }

    /// A usage error: `<what>: <why>`.
    pub fn usage(what: impl Display, why: impl Display) -> Self {
        Failure::new(Exit::Usage, format!("{what}: {why}"))
    }

    /// A file named on the command line could not be read. Nothing was checked, so this is
    /// a usage error rather than a refusal: the invocation points at something that is not
    /// there.
    pub fn unreadable(path: &Path, err: &io::Error) -> Self {
        Failure::usage(path.display(), format!("cannot read: {}", io_reason(err)))
    }

    /// Output (stdout, a key file) could not be written.
    pub fn write(what: impl Display, err: &io::Error) -> Self {
        Failure::new(
            Exit::Io,
            format!("{what}: cannot write: {}", io_reason(err)),
        )
    }

    /// A failure whose message is printed exactly as given (empty: nothing is printed).
    pub fn bare(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
            bare: true,
        }
    }

    /// Prints the failure to stderr (one line) and returns its exit code.
    pub fn report(&self, command: &str) -> ExitCode {
        if self.bare {
            if !self.message.is_empty() {
                eprintln!("{}", self.message);
            }
        } else {
            eprintln!("edgeflag {command}: {}", self.message);
        }
        self.exit.into()
    }
}

/// The OS's description of an I/O error without the ` (os error N)` suffix Rust appends,
/// which means nothing to a user: `No such file or directory`.
pub fn io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    match (err.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text.get(..at).unwrap_or(&text).to_owned(),
        _ => text,
    }
}

/// Result of a subcommand.
pub type CliResult = Result<(), Failure>;
