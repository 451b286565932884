//! Which definition a lint warning's path names.

/// The definition key at the start of a lint path's tail (`new-checkout.rules[1]` ->
/// `new-checkout`; a key with dots or brackets is written `["a.b"]`).
pub(crate) fn lint_key(tail: &str) -> String {
    let Some(quoted) = tail.strip_prefix("[\"") else {
        return tail.split(['.', '[']).next().unwrap_or_default().to_owned();
    };
    let mut key = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    key.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some(escaped) => key.push(escaped),
                None => break,
            },
            c => key.push(c),
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::lint_key;

    #[test]
    fn lint_paths_name_their_definition() {
        assert_eq!(lint_key("new-checkout.rules[1]"), "new-checkout");
        assert_eq!(lint_key("beta"), "beta");
        assert_eq!(lint_key("[\"a.b\"].rules[0]"), "a.b");
        assert_eq!(lint_key("[\"say \\\"hi\\\"\"]"), "say \"hi\"");
    }
}
