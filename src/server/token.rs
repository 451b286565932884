//! Admin tokens. Only their SHA-256 digests are kept (stored tokens in the store's `tokens`
//! table, the operator's in memory): a request's token is hashed and compared with each
//! digest in constant time (hashing first also hides the token's length). Audit entries name
//! a token by its name, never by the token.

use crate::store::{Role, TokenRow};
use sha2::{Digest, Sha256};

/// Bytes of randomness in a generated token (printed as 64 hex characters).
const GENERATED_BYTES: usize = 32;

/// Who is asking: a token's name, role and environment restriction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    /// The token's name.
    pub(crate) name: String,
    /// What it may do.
    pub(crate) role: Role,
    /// The environments it may act on; `None`: all.
    pub(crate) environments: Option<Vec<String>>,
}

impl Principal {
    /// Whether it may act on `environment`.
    pub(crate) fn may_use(&self, environment: &str) -> bool {
        self.environments
            .as_ref()
            .is_none_or(|list| list.iter().any(|e| e == environment))
    }
}

/// The operator's token (`--admin-token`, `EDGEFLAG_ADMIN_TOKEN`, or generated at start): an
/// admin of every environment, never stored.
#[derive(Debug)]
pub(crate) struct OperatorToken {
    /// SHA-256 of the token.
    digest: [u8; 32],
    /// `operator` (given) or `generated`.
    name: &'static str,
}

impl OperatorToken {
    /// The token `text` (which the caller may forget afterwards).
    pub(crate) fn new(text: &str, name: &'static str) -> OperatorToken {
        OperatorToken {
            digest: Sha256::digest(text.as_bytes()).into(),
            name,
        }
    }
}

/// A fresh random token from the operating system (64 hex characters).
pub(crate) fn generate() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; GENERATED_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// The hex SHA-256 of a token, as the store keeps it.
pub(crate) fn digest_hex(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The token in an `Authorization` header value (`Bearer <token>`, the scheme
/// case-insensitive as RFC 9110 says).
fn bearer(header: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = header.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || !rest.starts_with(b" ") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// Whether an `Authorization` header value carries the bearer token whose SHA-256 is
/// `digest` (compared in constant time).
pub(crate) fn bearer_digest_matches(header: &[u8], digest: &[u8; 32]) -> bool {
    bearer(header).is_some_and(|token| {
        let given: [u8; 32] = Sha256::digest(token).into();
        constant_time_eq(&given, digest)
    })
}

/// Who an `Authorization` header value authenticates, among the operator and `stored`.
pub(crate) fn authenticate(
    header: &[u8],
    operator: Option<&OperatorToken>,
    stored: &[TokenRow],
) -> Option<Principal> {
    let given: [u8; 32] = Sha256::digest(bearer(header)?).into();
    // Every digest is compared, whichever matches, so timing says nothing about which.
    let mut found = None;
    if let Some(operator) = operator {
        if constant_time_eq(&given, &operator.digest) {
            found = Some(Principal {
                name: operator.name.to_owned(),
                role: Role::Admin,
                environments: None,
            });
        }
    }
    for token in stored {
        let mut digest = [0u8; 32];
        if decode_hex(&token.hash, &mut digest) && constant_time_eq(&given, &digest) {
            found = found.or_else(|| {
                Some(Principal {
                    name: token.name.clone(),
                    role: token.role,
                    environments: token.environments.clone(),
                })
            });
        }
    }
    found
}

/// Decodes 64 hex characters into `out`.
fn decode_hex(text: &str, out: &mut [u8; 32]) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return false;
    }
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let Some(byte) = std::str::from_utf8(pair)
            .ok()
            .and_then(|p| u8::from_str_radix(p, 16).ok())
        else {
            return false;
        };
        *slot = byte;
    }
    true
}

/// Equality of two digests that takes the same time wherever they differ.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keeps the compiler from turning the fold into an early-exit comparison.
    std::hint::black_box(difference) == 0
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(name: &str, token: &str, role: Role, envs: Option<&[&str]>) -> TokenRow {
        TokenRow {
            name: name.into(),
            role,
            environments: envs.map(|l| l.iter().map(|e| e.to_string()).collect()),
            hash: digest_hex(token),
            created_at: 0,
        }
    }

    #[test]
    fn only_a_known_bearer_token_authenticates() {
        let operator = OperatorToken::new("s3cret", "operator");
        let tokens = [stored("ci", "ci-token", Role::Editor, Some(&["staging"]))];
        let who = |h: &[u8]| authenticate(h, Some(&operator), &tokens).map(|p| p.name);
        assert_eq!(who(b"Bearer s3cret").as_deref(), Some("operator"));
        assert_eq!(who(b"bearer  s3cret ").as_deref(), Some("operator"));
        assert_eq!(who(b"Bearer ci-token").as_deref(), Some("ci"));
        for wrong in [
            &b"Bearer s3cre"[..],
            b"Bearer s3cret2",
            b"Basic s3cret",
            b"Bearers3cret",
            b"s3cret",
            b"",
            b"Bearer ",
        ] {
            assert_eq!(who(wrong), None, "{wrong:?}");
        }
        let ci = authenticate(b"Bearer ci-token", None, &tokens).unwrap();
        assert_eq!(ci.role, Role::Editor);
        assert!(ci.may_use("staging") && !ci.may_use("production"));
    }

    #[test]
    fn generated_tokens_are_long_and_fresh() {
        let a = generate().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, generate().unwrap());
        assert_eq!(digest_hex(&a).len(), 64);
    }
}
