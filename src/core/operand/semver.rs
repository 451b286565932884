//! Semantic Versioning 2.0.0 (<https://semver.org>) versions for the `semver*` operators:
//! strict parsing and comparison by precedence.

use alloc::boxed::Box;
use core::cmp::Ordering;
use core::fmt;

/// Longest input read; longer strings are refused before parsing so work stays bounded.
const MAX_INPUT: usize = 256;

/// A semantic version `MAJOR.MINOR.PATCH[-PRE-RELEASE][+BUILD]`.
///
/// Equality and order are by *precedence* (semver §11): build metadata is not kept, so
/// `1.0.0+a == 1.0.0+b`. The pre-release is kept as its validated text and compared field by
/// field when needed, which keeps a version at 40 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    /// The major version.
    pub major: u64,
    /// The minor version.
    pub minor: u64,
    /// The patch version.
    pub patch: u64,
    /// Dot-separated pre-release identifiers, validated at parse time; `None` for a release.
    // Derived equality is precedence equality: identifiers are canonical (numeric ones have
    // no leading zeros), so two pre-releases have equal precedence exactly when equal text.
    pre: Option<Box<str>>,
}

impl Version {
    /// Parses a version strictly per semver.org: no `v` prefix, no whitespace, numeric
    /// identifiers without leading zeros, `MAJOR`/`MINOR`/`PATCH` that fit `u64`, non-empty
    /// identifiers of `[0-9A-Za-z-]`. Build metadata is validated and dropped. Inputs over
    /// 256 bytes are `None`.
    pub fn parse(s: &str) -> Option<Version> {
        if s.len() > MAX_INPUT {
            return None;
        }
        // The first `+` starts the build metadata; the first `-` before it starts the
        // pre-release (the core has no `-`, and identifiers after it may contain more).
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (s, None),
        };
        if let Some(build) = build {
            if !build.split('.').all(is_identifier) {
                return None;
            }
        }
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let major = parse_numeric(parts.next()?)?;
        let minor = parse_numeric(parts.next()?)?;
        let patch = parse_numeric(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        if let Some(pre) = pre {
            let valid = pre
                .split('.')
                .all(|id| is_identifier(id) && !(is_numeric(id) && has_leading_zero(id)));
            if !valid {
                return None;
            }
        }
        Some(Version {
            major,
            minor,
            patch,
            pre: pre.map(Box::from),
        })
    }

    /// The pre-release identifiers as written (without the `-`), or `None` for a release.
    pub fn pre_release(&self) -> Option<&str> {
        self.pre.as_deref()
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                // A pre-release comes before its release.
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => compare_pre_release(a, b),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    /// `MAJOR.MINOR.PATCH[-PRE]` (build metadata was not kept).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        match &self.pre {
            Some(pre) => write!(f, "-{pre}"),
            None => Ok(()),
        }
    }
}

/// Semver §11.4: field by field; a shorter list that is a prefix of a longer one is lower.
fn compare_pre_release(a: &str, b: &str) -> Ordering {
    let mut a_ids = a.split('.');
    let mut b_ids = b.split('.');
    loop {
        match (a_ids.next(), b_ids.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match compare_identifier(x, y) {
                Ordering::Equal => {}
                unequal => return unequal,
            },
        }
    }
}

/// Numeric identifiers compare as numbers and below alphanumeric ones; alphanumeric ones
/// compare in ASCII order.
fn compare_identifier(a: &str, b: &str) -> Ordering {
    match (is_numeric(a), is_numeric(b)) {
        // Without leading zeros, a longer numeral is a larger number, so numbers of any size
        // (even beyond u64, which semver allows here) compare exactly without parsing.
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// A non-empty identifier of ASCII alphanumerics and hyphens.
fn is_identifier(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_numeric(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

fn has_leading_zero(id: &str) -> bool {
    id.len() > 1 && id.starts_with('0')
}

/// A `MAJOR`/`MINOR`/`PATCH` number: digits only, no leading zero, fits `u64`.
fn parse_numeric(id: &str) -> Option<u64> {
    if !is_numeric(id) || has_leading_zero(id) {
        return None;
    }
    // `u64::from_str` would also take a leading `+`; `is_numeric` has ruled that out, and
    // the input cap bounds the digits it reads.
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parses_valid_versions() {
        let x = v("1.2.3-alpha.1+build.007");
        assert_eq!((x.major, x.minor, x.patch), (1, 2, 3));
        assert_eq!(x.pre_release(), Some("alpha.1"));
        assert_eq!(v("0.0.0").pre_release(), None);
        assert_eq!(v("1.0.0-x-y-z.--").pre_release(), Some("x-y-z.--"));
        assert_eq!(v("1.0.0-0A.is.legal").pre_release(), Some("0A.is.legal"));
        assert_eq!(v("1.0.0+0.build.1-rc.10000aaa-kk-0.1").pre_release(), None);
        let max = v("18446744073709551615.0.0");
        assert_eq!(max.major, u64::MAX);
    }

    #[test]
    fn rejects_invalid_versions() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "v1.2.3",
            " 1.2.3",
            "1.2.3 ",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "+1.2.3",
            "1.+2.3",
            "-1.2.3",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-01",
            "1.2.3-alpha..1",
            "1.2.3-alpha.",
            "1.2.3-alpha_1",
            "1.2.3+build..1",
            "1.2.3+a+b",
            "1.2.3-é",
            "18446744073709551616.0.0",
            "1.2.3-beta!",
            "1..3",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn refuses_long_inputs_in_bounded_time() {
        let huge = alloc::format!("1{}.0.0", "0".repeat(10_000));
        assert_eq!(Version::parse(&huge), None);
        let just_fits = alloc::format!("1.0.0-{}", "9".repeat(250));
        assert_eq!(just_fits.len(), 256);
        assert!(Version::parse(&just_fits).is_some());
        let too_long = alloc::format!("1.0.0-{}", "9".repeat(251));
        assert_eq!(Version::parse(&too_long), None);
    }

    #[test]
    fn orders_by_semver_precedence() {
        // The example chain from semver.org §11.4, plus core-number ordering.
        let chain = [
            "0.9.99",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "1.10.0",
            "2.0.0",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(v(a).cmp(&v(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn compares_numeric_pre_release_identifiers_numerically_at_any_size() {
        assert!(v("1.0.0-2") < v("1.0.0-10"));
        assert!(v("1.0.0-99999999999999999999") < v("1.0.0-100000000000000000000"));
        assert!(v("1.0.0-99999999999999999999") < v("1.0.0-a"));
        assert!(v("1.0.0-Z") < v("1.0.0-a"), "ASCII order: uppercase first");
        assert!(v("1.0.0-alpha-2") > v("1.0.0-alpha"));
    }

    #[test]
    fn ignores_build_metadata() {
        assert_eq!(v("1.0.0+a"), v("1.0.0+b"));
        assert_eq!(v("1.0.0-rc.1+a").cmp(&v("1.0.0-rc.1")), Ordering::Equal);
        assert!(v("1.0.0+zzz") > v("1.0.0-rc.1+zzz"));
    }

    #[test]
    fn equality_agrees_with_ordering() {
        let all = ["1.0.0", "1.0.0-1", "1.0.0-01a", "1.0.0-1a", "1.0.0-a.1"];
        for a in all {
            for b in all {
                assert_eq!(v(a) == v(b), v(a).cmp(&v(b)) == Ordering::Equal);
            }
        }
    }

    #[test]
    fn displays_without_build_metadata() {
        assert_eq!(v("1.2.3-rc.1+sha.5").to_string(), "1.2.3-rc.1");
        assert_eq!(v("1.2.3").to_string(), "1.2.3");
    }

    #[test]
    fn stays_small() {
        assert!(core::mem::size_of::<Version>() <= 40);
    }
}
