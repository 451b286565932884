//! The `tokens` table: named admin tokens with a role and an optional environment
//! restriction, stored as the SHA-256 of the token (the token itself is printed once, when it
//! is created, and never stored).

use super::StoreResult;
use sqlx::AnyPool;

/// What a token may do; each role can do what the one before it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// Read flags, segments, status and audit.
    Reader,
    /// Also change flags and segments, schedule changes and promote.
    Editor,
    /// Also manage tokens.
    Admin,
}

impl Role {
    /// Parses `reader`, `editor` or `admin`.
    pub(crate) fn parse(text: &str) -> Option<Role> {
        match text {
            "reader" => Some(Role::Reader),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The role's name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// A stored token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenRow {
    /// Its name (what audit entries name).
    pub(crate) name: String,
    /// What it may do.
    pub(crate) role: Role,
    /// The environments it may act on; `None`: all.
    pub(crate) environments: Option<Vec<String>>,
    /// SHA-256 of the token, hex.
    pub(crate) hash: String,
    /// When it was created, ms.
    pub(crate) created_at: i64,
}

/// Every token.
pub(crate) async fn list(pool: &AnyPool) -> StoreResult<Vec<TokenRow>> {
    let rows: Vec<(String, String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT name, role, environments, hash, created_at FROM tokens ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, role, environments, hash, created_at)| {
            Some(TokenRow {
                name,
                role: Role::parse(&role)?,
                environments: environments.map(|list| list.split(',').map(str::to_owned).collect()),
                hash,
                created_at,
            })
        })
        .collect())
}

/// Stores a new token; a name that exists is a conflict.
pub(crate) async fn create(pool: &AnyPool, token: &TokenRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tokens (name, role, environments, hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token.name)
    .bind(token.role.as_str())
    .bind(token.environments.as_ref().map(|list| list.join(",")))
    .bind(&token.hash)
    .bind(token.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes token `name`; answers whether there was one.
pub(crate) async fn delete(pool: &AnyPool, name: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM tokens WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
