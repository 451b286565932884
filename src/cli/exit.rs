//! Exit codes and the one error type of the command (shared with the server crate, which
//! owns them: `edgeflag serve` fails the same way as every other subcommand).

pub(crate) use edgeflag_server::exit::{io_reason, CliResult, Exit, Failure};
