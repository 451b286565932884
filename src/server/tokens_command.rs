//! `edgeflag serve token create|list|revoke`: named admin tokens in the store. A created
//! token is printed once; the store keeps its SHA-256 only. Running servers pick up a new or
//! revoked token within a second (they re-read the tokens on every sync).

use crate::args::{StoreArgs, TokenCommand};
use crate::exit::{CliResult, Exit, Failure};
use crate::output::print_line;
use crate::startup::{location, valid_name};
use crate::store::{self, Role, Store, StoreError, TokenRow};
use crate::token;
use crate::{now_ms, template::instant};

/// Runs a token command.
pub(crate) async fn run(command: &TokenCommand) -> CliResult {
    let store_args = match command {
        TokenCommand::Create(args) => &args.store,
        TokenCommand::List(args) => args,
        TokenCommand::Revoke(args) => &args.store,
    };
    let store = open(store_args).await?;
    let result = match command {
        TokenCommand::Create(args) => {
            let Some(role) = Role::parse(&args.role) else {
                return Err(Failure::usage(
                    format_args!("--role {}", args.role),
                    "expected reader, editor or admin",
                ));
            };
            if matches!(args.name.as_str(), "operator" | "generated") {
                return Err(Failure::usage(
                    format_args!("--name {}", args.name),
                    "reserved: the audit trail names the operator's token so",
                ));
            }
            if !valid_name(&args.name) {
                return Err(Failure::usage(
                    format_args!("--name {}", args.name),
                    "a token name is 1 to 64 letters, digits, '-', '_' or '.'",
                ));
            }
            for env in &args.environments {
                if !valid_name(env) {
                    return Err(Failure::usage(
                        format_args!("--env {env}"),
                        "not an environment name",
                    ));
                }
            }
            let text = token::generate().map_err(|e| {
                Failure::new(
                    Exit::Io,
                    format!("cannot read the operating system's random source: {e}"),
                )
            })?;
            let row = TokenRow {
                name: args.name.clone(),
                role,
                environments: (!args.environments.is_empty()).then(|| args.environments.clone()),
                hash: token::digest_hex(&text),
                created_at: now_ms(),
            };
            match store::tokens::create(store.pool(), &row).await {
                Ok(()) => print_line(&format!(
                    "token {text}\nname {} role {} environments {} (printed once: only its hash is stored)",
                    row.name,
                    row.role.as_str(),
                    row.environments.as_ref().map_or("all".to_owned(), |l| l.join(","))
                )),
                Err(StoreError::Conflict(_)) => Err(Failure::refused(
                    format_args!("--name {}", args.name),
                    "a token with this name exists (revoke it first)",
                )),
                Err(e) => Err(Failure::new(Exit::Io, e.to_string())),
            }
        }
        TokenCommand::List(_) => match store::tokens::list(store.pool()).await {
            Ok(tokens) => {
                let lines: Vec<String> = tokens
                    .iter()
                    .map(|t| {
                        format!(
                            "{} {} {} created {}",
                            t.name,
                            t.role.as_str(),
                            t.environments
                                .as_ref()
                                .map_or("all".to_owned(), |l| l.join(",")),
                            instant(t.created_at).as_str().unwrap_or_default()
                        )
                    })
                    .collect();
                if lines.is_empty() {
                    print_line("no tokens")
                } else {
                    print_line(&lines.join("\n"))
                }
            }
            Err(e) => Err(Failure::new(Exit::Io, e.to_string())),
        },
        TokenCommand::Revoke(args) => match store::tokens::delete(store.pool(), &args.name).await {
            Ok(true) => print_line(&format!("revoked {}", args.name)),
            Ok(false) => Err(Failure::refused(
                format_args!("--name {}", args.name),
                "no such token",
            )),
            Err(e) => Err(Failure::new(Exit::Io, e.to_string())),
        },
    };
    store.close().await;
    result
}

/// Opens the store the command names (it must be a persistent one).
async fn open(args: &StoreArgs) -> Result<Store, Failure> {
    let location = location(args.database.as_deref(), args.state.as_deref())?;
    if location == store::Location::Memory {
        return Err(Failure::usage(
            "token",
            "name the store: --database URL or --state DIR (an in-memory store keeps no tokens)",
        ));
    }
    Store::open(location.clone())
        .await
        .map_err(|e| Failure::new(Exit::Io, format!("{}: {e}", location.display())))
}
