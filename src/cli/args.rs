//! The command line: one `clap` struct per subcommand. Values that are wrong on their face
//! (an instant, a duration) are parsed here, so clap reports them as usage errors (exit 2)
//! before any file is read.

use crate::inputs::{parse_duration_ms, parse_instant, Instant};
use clap::{Args, Parser, Subcommand};
use edgeflag_server::args::ServeArgs;
use std::path::PathBuf;

/// Exit codes, shown by `--help` (the README carries the same table).
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the input was refused or is invalid (failed verification, invalid payload,
     lint errors or, with --deny-warnings, warnings; a key file that already exists)
  2  usage error (bad arguments or option values, an unreadable or invalid key,
     an input file that cannot be read, an address serve cannot listen on)
  3  I/O failure writing output (stdout, key files, serve's state directory) or
     reading the OS random source";

/// `edgeflag`: keys, signing, verification, evaluation and linting of signed flag snapshots.
#[derive(Debug, Parser)]
#[command(
    name = "edgeflag",
    version,
    about = "Sign, verify, evaluate and lint edgeflag snapshots (Ed25519-signed DSSE envelopes)",
    after_help = EXIT_CODES
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands. Each has its own argument struct and its own module with a `run`
/// function, so a new one is a variant, a struct and a module.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate an Ed25519 key pair: DIR/edgeflag.key (private, 0600) and DIR/edgeflag.pub.
    #[command(after_help = EXIT_CODES)]
    Keygen(KeygenArgs),
    /// Sign a snapshot payload; prints the DSSE envelope JSON.
    #[command(after_help = EXIT_CODES)]
    Sign(SignArgs),
    /// Verify a signed snapshot envelope as a client would; prints a one-line summary.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Evaluate flags for one context or a stream of contexts (JSON Lines).
    #[command(after_help = EXIT_CODES)]
    Eval(EvalArgs),
    /// Load a payload and warn about what is probably a mistake.
    #[command(after_help = EXIT_CODES)]
    Lint(LintArgs),
    /// Run the owning backend: a store (SQLite, or PostgreSQL for replicas), environments,
    /// signed snapshots (ETag, SSE), the admin API and UI (/admin/), audit; `serve token`
    /// manages admin tokens. With no options: an example with a development key, in memory.
    #[command(after_help = EXIT_CODES)]
    Serve(Box<ServeArgs>),
    /// Check `edgeflag serve`'s audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write TypeScript declarations of a flag set's keys and value types.
    #[command(after_help = EXIT_CODES)]
    Codegen(CodegenArgs),
    /// Translate an Unleash, GrowthBook or flagd file into an edgeflag payload (stdout);
    /// what cannot be expressed exactly is listed on stderr with its path.
    #[command(after_help = EXIT_CODES)]
    Import(ImportArgs),
    /// How many units an experiment on a conversion rate needs per variant (two-sided
    /// two-proportion z-test, normal approximation), and for how many days.
    #[command(after_help = EXIT_CODES)]
    SampleSize(SampleSizeArgs),
}

/// `edgeflag sample-size --baseline RATE --mde RELATIVE [--alpha A] [--power P]
/// [--daily-units N] [--variants K] [--json]`.
#[derive(Debug, Args)]
// Negative numbers are values here, so that `--mde -0.1` is refused for its range, naming
// the option, rather than taken for an unknown option.
#[command(allow_negative_numbers = true)]
pub(crate) struct SampleSizeArgs {
    /// The control's conversion rate, strictly between 0 and 1 (0.05 for 5%).
    #[arg(long, value_name = "RATE")]
    pub(crate) baseline: f64,
    /// The smallest effect worth detecting, relative to the baseline (0.1: from 5% to 5.5%).
    #[arg(long, value_name = "RELATIVE")]
    pub(crate) mde: f64,
    /// The significance level, two-sided.
    #[arg(long, value_name = "A", default_value_t = 0.05)]
    pub(crate) alpha: f64,
    /// The probability of detecting an effect of --mde if there is one.
    #[arg(long, value_name = "P", default_value_t = 0.8)]
    pub(crate) power: f64,
    /// Units exposed per day over all variants: also print how many days the experiment
    /// needs.
    #[arg(long, value_name = "N")]
    pub(crate) daily_units: Option<u64>,
    /// Variants, control included (each treatment is compared with control).
    #[arg(long, value_name = "K", default_value_t = 2)]
    pub(crate) variants: u64,
    /// Print `{"unitsPerVariant", "totalUnits", "days", "baseline", "mde", "alpha",
    /// "power"}` (what `GET /admin/sample-size` answers).
    #[arg(long)]
    pub(crate) json: bool,
}

/// `edgeflag codegen --ts OUT.d.ts FLAGS`.
#[derive(Debug, Args)]
pub(crate) struct CodegenArgs {
    /// Where to write the declarations (`Flags`, and `Register` for the package's types).
    #[arg(long, value_name = "OUT.d.ts")]
    pub(crate) ts: PathBuf,
    /// A snapshot payload, a flags file of `edgeflag serve` (no version or validity needed),
    /// or a signed envelope (its payload is read; types need no verification).
    #[arg(value_name = "FLAGS")]
    pub(crate) flags: PathBuf,
}

/// `edgeflag import --from VENDOR FILE [--owner O] [--environment E] [--strict]`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The engine the file comes from: `unleash` (a client features response), `growthbook`
    /// (an SDK payload) or `flagd` (a flag configuration).
    #[arg(long, value_name = "VENDOR", value_parser = ["unleash", "growthbook", "flagd"])]
    pub(crate) from: String,
    /// The payload's owner.
    #[arg(long, value_name = "O", default_value = "imported")]
    pub(crate) owner: String,
    /// The payload's environment.
    #[arg(long, value_name = "E", default_value = "production")]
    pub(crate) environment: String,
    /// Refuse (exit 1, nothing on stdout) when anything cannot be expressed exactly.
    #[arg(long)]
    pub(crate) strict: bool,
    /// The vendor's JSON file.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

/// `edgeflag audit ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain of the audit trail (in the store, or an export): prints `ok N
    /// entries`, or names the first entry that was changed, removed, reordered or inserted
    /// (exit 1).
    #[command(after_help = EXIT_CODES)]
    Verify(AuditVerifyArgs),
}

/// `edgeflag audit verify DIR|FILE` or `edgeflag audit verify --database URL`.
#[derive(Debug, Args)]
pub(crate) struct AuditVerifyArgs {
    /// The state directory of `edgeflag serve --state DIR` (its store, DIR/edgeflag.db, or
    /// the audit.jsonl of an older server), or a JSON Lines export
    /// (`GET /admin/audit?format=jsonl`).
    #[arg(value_name = "DIR|FILE", required_unless_present = "database")]
    pub(crate) dir: Option<PathBuf>,
    /// The store of `edgeflag serve --database URL` (sqlite:PATH or postgres://...).
    #[arg(
        long,
        value_name = "URL",
        env = "EDGEFLAG_DATABASE",
        hide_env_values = true
    )]
    pub(crate) database: Option<String>,
}

impl Command {
    /// The subcommand's name, which prefixes its error messages (`edgeflag sign: ...`).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Keygen(_) => "keygen",
            Command::Sign(_) => "sign",
            Command::Verify(_) => "verify",
            Command::Eval(_) => "eval",
            Command::Lint(_) => "lint",
            Command::Serve(_) => "serve",
            Command::Audit(AuditCommand::Verify(_)) => "audit verify",
            Command::Codegen(_) => "codegen",
            Command::Import(_) => "import",
            Command::SampleSize(_) => "sample-size",
        }
    }
}

/// `edgeflag keygen --out DIR`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Directory for edgeflag.key and edgeflag.pub (created if missing; existing key files
    /// are never overwritten).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// `edgeflag sign --key KEY [--version N] [--issued-at T] [--expires-in DURATION] PAYLOAD`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The private key: an unencrypted PKCS#8 PEM file (as written by `edgeflag keygen` or
    /// `openssl genpkey -algorithm ed25519`).
    #[arg(long, value_name = "KEY")]
    pub(crate) key: PathBuf,
    /// Replace the payload's `version`.
    #[arg(long, value_name = "N")]
    pub(crate) version: Option<u64>,
    /// Replace the payload's `issuedAt`: an RFC 3339 instant or `now`.
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    pub(crate) issued_at: Option<Instant>,
    /// Replace the payload's `expiresAt` with issuedAt + DURATION (e.g. 7d, 12h, 30m, 45s,
    /// 1d12h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms)]
    pub(crate) expires_in: Option<i64>,
    /// The payload JSON. Without overrides its bytes are signed exactly as they are.
    #[arg(value_name = "PAYLOAD.json")]
    pub(crate) payload: PathBuf,
}

/// `edgeflag verify --trust PUB... [--threshold N] (--owner O | --any-owner) --env E
/// [--min-version N] [--max-age DURATION] [--now T] ENVELOPE`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// A pinned public key: `ed25519:<base64>`, an SPKI PEM block, or a path to an SPKI PEM
    /// file. Repeat the option or separate keys with commas.
    // Hyphen values: a pasted PEM block starts with `-----BEGIN`.
    #[arg(
        long,
        value_name = "PUB",
        required = true,
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub(crate) trust: Vec<String>,
    /// How many distinct pinned keys must have signed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) threshold: usize,
    /// The owner the snapshot must name (required, unless --any-owner).
    #[arg(long, value_name = "O", required_unless_present = "any_owner")]
    pub(crate) owner: Option<String>,
    /// Accept a snapshot of any owner signed by the pinned keys (instead of --owner).
    #[arg(long, conflicts_with = "owner")]
    pub(crate) any_owner: bool,
    /// The environment the snapshot must name.
    #[arg(long, value_name = "E")]
    pub(crate) env: String,
    /// The lowest version accepted (e.g. the version this client already accepted): a
    /// snapshot with a lower version is refused; version N itself and higher ones are accepted.
    #[arg(long, value_name = "N")]
    pub(crate) min_version: Option<u64>,
    /// Refuse a snapshot issued longer ago than this (`90m`, `2h`, `1d`): the floor a client
    /// without a high-water mark has against a replayed old snapshot.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms)]
    pub(crate) max_age: Option<i64>,
    /// The clock for the expiry check: an RFC 3339 instant or `now` (the default).
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    pub(crate) now: Option<Instant>,
    /// The DSSE envelope JSON.
    #[arg(value_name = "ENVELOPE.json")]
    pub(crate) envelope: PathBuf,
}

/// `edgeflag eval`: a snapshot source, the flags, the contexts.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["snapshot", "payload"]))]
#[command(group = clap::ArgGroup::new("flags").required(true).args(["flag", "all"]))]
#[command(group = clap::ArgGroup::new("contexts_in").required(true).args(["context", "contexts"]))]
pub(crate) struct EvalArgs {
    /// A signed envelope, verified (signature, owner, environment, expiry) before use.
    #[arg(long, value_name = "ENVELOPE", requires_all = ["trust", "env"])]
    pub(crate) snapshot: Option<PathBuf>,
    /// A pinned public key for --snapshot (`ed25519:<base64>`, a PEM block or a PEM file
    /// path; repeatable or comma-separated).
    #[arg(
        long,
        value_name = "PUB",
        value_delimiter = ',',
        allow_hyphen_values = true,
        requires = "snapshot"
    )]
    pub(crate) trust: Vec<String>,
    /// How many distinct pinned keys must have signed (with --snapshot).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "snapshot")]
    pub(crate) threshold: usize,
    /// The environment the snapshot must name (with --snapshot).
    #[arg(long, value_name = "E", requires = "snapshot")]
    pub(crate) env: Option<String>,
    /// The owner the snapshot must name (with --snapshot; required unless --any-owner).
    #[arg(long, value_name = "O", requires = "snapshot")]
    pub(crate) owner: Option<String>,
    /// Accept a snapshot of any owner signed by the pinned keys (with --snapshot, instead of
    /// --owner).
    #[arg(long, requires = "snapshot", conflicts_with = "owner")]
    pub(crate) any_owner: bool,
    /// The lowest version accepted (with --snapshot).
    #[arg(long, value_name = "N", requires = "snapshot")]
    pub(crate) min_version: Option<u64>,
    /// Refuse a snapshot issued longer ago than this (with --snapshot; `90m`, `2h`, `1d`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms, requires = "snapshot")]
    pub(crate) max_age: Option<i64>,
    /// An unsigned payload, for authoring and debugging: no signature, expiry or version
    /// checks.
    #[arg(long, value_name = "PAYLOAD.json")]
    pub(crate) payload: Option<PathBuf>,
    /// The evaluation instant (schedules, expiry): an RFC 3339 instant or `now` (default).
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    pub(crate) now: Option<Instant>,
    /// Evaluate this flag.
    #[arg(long, value_name = "KEY")]
    pub(crate) flag: Option<String>,
    /// Evaluate every flag (an object flagKey -> details).
    #[arg(long)]
    pub(crate) all: bool,
    /// One context as a JSON object; the details are printed as indented JSON.
    #[arg(long, value_name = "JSON")]
    pub(crate) context: Option<String>,
    /// A JSON Lines file of contexts (`-` for stdin): one compact JSON line out per
    /// non-blank line in, streamed.
    #[arg(long, value_name = "FILE.jsonl")]
    pub(crate) contexts: Option<PathBuf>,
}

/// `edgeflag lint PAYLOAD [--now T] [--deny-warnings]`.
#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// The payload JSON.
    #[arg(value_name = "PAYLOAD.json")]
    pub(crate) payload: PathBuf,
    /// The instant flag expiry is judged at: an RFC 3339 instant or `now` (the default).
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    pub(crate) now: Option<Instant>,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// clap checks a command's definition only when it is used; this checks every
    /// subcommand's at once (duplicate names, groups naming unknown arguments).
    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
