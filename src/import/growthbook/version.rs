//! GrowthBook's loose version strings: its `paddedVersionString` (used to decide what a
//! missing attribute gives) and the check that a version is strict SemVer 2.0.0 (what
//! edgeflag's `semver*` operators take).

/// GrowthBook's `paddedVersionString`: drop a leading `v` and any build, split on `.`/`-`,
/// add `~` after a release version, left-pad numeric parts to 5 characters, join with `-`.
pub(crate) fn padded(input: &str) -> String {
    let s = input.strip_prefix('v').unwrap_or(input);
    let s = s.split('+').next().unwrap_or(s);
    let mut parts: Vec<String> = s.split(['.', '-']).map(str::to_string).collect();
    if parts.len() == 3 {
        parts.push("~".into());
    }
    parts
        .iter()
        .map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                format!("{p:>5}")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `input` with a leading `v` removed, when the rest is strict SemVer 2.0.0.
pub(crate) fn strict(input: &str) -> Option<&str> {
    let s = input.strip_prefix('v').unwrap_or(input);
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let nums: Vec<&str> = core.split('.').collect();
    let numeric = |p: &str| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
    };
    let ident =
        |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let ok = nums.len() == 3
        && nums.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|i| ident(i) && (!i.bytes().all(|b| b.is_ascii_digit()) || numeric(i)))
        })
        && build.is_none_or(|b| b.split('.').all(ident));
    ok.then_some(s)
}
