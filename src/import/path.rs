//! JSON paths in the vendor file, as notes and errors print them
//! (`flags.my-flag.targeting.if[0]`, `features.checkout.rules[0].condition["a.b"]`).

/// `base.key`, or `base["key"]` when the key has characters that would make the path
/// ambiguous.
pub(crate) fn key(base: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$'));
    match (base.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{base}.{key}"),
        (_, false) => format!("{base}[{}]", serde_json::Value::from(key)),
    }
}

/// `base[i]`.
pub(crate) fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_would_be_ambiguous_are_quoted() {
        assert_eq!(key("", "flags"), "flags");
        assert_eq!(key("flags", "new-ui"), "flags.new-ui");
        assert_eq!(key("flags", "a.b"), "flags[\"a.b\"]");
        assert_eq!(index("flags.x.targeting.if", 2), "flags.x.targeting.if[2]");
    }
}
