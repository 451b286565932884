//! `edgeflag`, the command-line tool of the owning backend and of anyone debugging a
//! snapshot: key generation, signing, verification, evaluation, linting, and `serve`, the
//! reference owning backend.
//!
//! The library reads no clock and no randomness; this binary is where the system clock (for
//! `now`) and the operating system's random source (for key seeds) come in. Every failure is
//! one line on stderr and an exit code (see `--help`): 0 success, 1 refused or invalid input,
//! 2 usage error, 3 I/O failure writing output.

mod args;
mod audit;
mod codegen;
mod details;
mod eval;
mod eval_stream;
mod exit;
mod import;
mod inputs;
mod keygen;
mod lint;
mod output;
mod sample_size;
mod sign;
mod verify;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// Parses the command line, runs the subcommand and turns its outcome into the exit code.
fn main() -> ExitCode {
    // clap prints its own usage errors and exits 2 (0 for --help and --version).
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Keygen(args) => keygen::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Serve(args) => edgeflag_server::run(args),
        Command::Audit(args::AuditCommand::Verify(args)) => audit::verify(args),
        Command::Codegen(args) => codegen::run(args),
        Command::Import(args) => import::run(args),
        Command::SampleSize(args) => sample_size::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(cli.command.name()),
    }
}
