//! The admin API's bearer token. Only its SHA-256 digest is kept: requests are checked by
//! comparing digests in constant time (hashing first also hides the token's length), and
//! audit entries name the token by a short fingerprint of it, never by the token.

use sha2::{Digest, Sha256};

/// Bytes of randomness in a generated token (printed as 64 hex characters).
const GENERATED_BYTES: usize = 32;

/// The configured admin token, as its digest.
#[derive(Debug)]
pub(crate) struct AdminToken {
    /// SHA-256 of the token.
    digest: [u8; 32],
}

impl AdminToken {
    /// The token `text` (which the caller may forget afterwards).
    pub(crate) fn new(text: &str) -> AdminToken {
        AdminToken {
            digest: Sha256::digest(text.as_bytes()).into(),
        }
    }

    /// A fresh random token from the operating system: the token (to print once) and its
    /// [`AdminToken`].
    pub(crate) fn generate() -> Result<(String, AdminToken), getrandom::Error> {
        let mut bytes = [0u8; GENERATED_BYTES];
        getrandom::fill(&mut bytes)?;
        let text = hex(&bytes);
        let token = AdminToken::new(&text);
        Ok((text, token))
    }

    /// Whether an `Authorization` header value carries this token (`Bearer <token>`, the
    /// scheme case-insensitive as RFC 9110 says).
    pub(crate) fn authorizes(&self, header: &[u8]) -> bool {
        let Some((scheme, rest)) = header.split_at_checked(6) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(b"bearer") || !rest.starts_with(b" ") {
            return false;
        }
        let given = rest.trim_ascii();
        let digest: [u8; 32] = Sha256::digest(given).into();
        constant_time_eq(&digest, &self.digest)
    }

    /// What audit entries name the token by: `sha256:` and the first 16 hex characters of
    /// its digest. Enough to tell tokens apart, useless for guessing one.
    pub(crate) fn fingerprint(&self) -> String {
        let short = self.digest.get(..8).unwrap_or_default();
        format!("sha256:{}", hex(short))
    }
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

    #[test]
    fn only_the_right_bearer_token_authorizes() {
        let token = AdminToken::new("s3cret");
        assert!(token.authorizes(b"Bearer s3cret"));
        assert!(token.authorizes(b"bearer  s3cret "));
        assert!(!token.authorizes(b"Bearer s3cre"));
        assert!(!token.authorizes(b"Bearer s3cret2"));
        assert!(!token.authorizes(b"Basic s3cret"));
        assert!(!token.authorizes(b"Bearers3cret"));
        assert!(!token.authorizes(b"s3cret"));
        assert!(!token.authorizes(b""));
    }

    #[test]
    fn the_fingerprint_does_not_contain_the_token() {
        let token = AdminToken::new("s3cret");
        let fingerprint = token.fingerprint();
        assert_eq!(fingerprint.len(), "sha256:".len() + 16);
        assert!(!fingerprint.contains("s3cret"));
        let (text, generated) = AdminToken::generate().unwrap();
        assert_eq!(text.len(), 64);
        assert!(generated.authorizes(format!("Bearer {text}").as_bytes()));
    }
}
