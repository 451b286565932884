//! Regular expressions for the `matches` operator (feature `regex`), on regex-automata's
//! PikeVM: a Thompson-NFA simulation whose search time is linear in the haystack for a given
//! pattern, with no backtracking, so no pattern/input pair can take exponential time.
//!
//! Syntax is the `regex` crate's, compiled with Unicode mode *off* (as if the pattern began
//! with `(?-u)`): `\w`, `\d`, `\s`, `\b` and `(?i)` are ASCII-only, and `.` or `[^a]` match
//! one byte, not one character. Literal non-ASCII text (`Grüße`) still matches itself;
//! non-ASCII characters inside classes (`[ü]`) and `\p{..}` are refused. Why: Unicode mode
//! needs Unicode tables (about 80 KiB of wasm for case folding and Perl classes, over 300 KiB
//! for all of them) and without them it refuses even `(?i)a` and `\d`. ASCII mode consults no
//! table, so a pattern means the same in every build, whatever features other crates turn on.
//! (An inline `(?u)` turns Unicode mode back on for its group and then depends on the tables
//! linked in; don't.)

use alloc::format;
use alloc::string::{String, ToString};
use regex_automata::nfa::thompson::{self, pikevm::PikeVM, WhichCaptures};
use regex_automata::util::syntax;

/// Longest pattern accepted, in bytes.
pub(crate) const MAX_PATTERN_BYTES: usize = 1024;
/// Deepest nesting of groups, repetitions and classes in a pattern.
const NEST_LIMIT: u32 = 64;
/// Heap the compiled NFA may use. It bounds the NFA's state count, and with it both the
/// per-search cache and the per-byte cost of a search (`a{1000}{1000}` is refused here).
const NFA_SIZE_LIMIT: usize = 256 << 10;

/// A compiled regular expression, matched anywhere in a string (unanchored, like
/// `Regex::is_match`). `Send + Sync`: snapshots are shared across threads.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    vm: PikeVM,
}

impl Pattern {
    /// Compiles `pattern` with the limits above. Errors are one line:
    /// `regular expression too large (…)` or the parser's message, e.g.
    /// `regular expression syntax error at bytes 0..1: unclosed group`.
    pub(crate) fn compile(pattern: &str) -> Result<Pattern, String> {
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(format!(
                "regular expression too large ({} bytes, limit {MAX_PATTERN_BYTES})",
                pattern.len()
            ));
        }
        // Parse and compile in two steps rather than `PikeVM::new`: without `std`, the
        // one-step error hides the parser's message behind "error parsing regex".
        let syntax_config = syntax::Config::new()
            .nest_limit(NEST_LIMIT)
            .unicode(false)
            // Required with Unicode off (`.` may then match a lone byte of a multi-byte
            // character). Haystacks are `&str`, so a match still only ever sees valid UTF-8.
            .utf8(false);
        let hir = syntax::parse_with(pattern, &syntax_config).map_err(|e| syntax_message(&e))?;
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                    // Only match/no-match is asked, so no capture groups beyond the implicit
                    // whole-match one: a smaller NFA and cache.
                    .which_captures(WhichCaptures::Implicit),
            )
            .build_from_hir(&hir)
            .map_err(|e| match e.size_limit() {
                Some(limit) => {
                    format!("regular expression too large (compiled form exceeds {limit} bytes)")
                }
                None => format!("regular expression not supported: {e}"),
            })?;
        let vm = PikeVM::new_from_nfa(nfa)
            .map_err(|e| format!("regular expression not supported: {e}"))?;
        Ok(Pattern { vm })
    }

    /// Whether the pattern matches anywhere in `haystack`.
    ///
    /// The PikeVM's scratch space (`Cache`) needs `&mut`; a shared one would need a lock,
    /// which `no_std` lacks, or a `RefCell`, which would make `Pattern` `!Sync`. So each call
    /// allocates its own: a few vectors sized by the NFA's state count. Measured natively,
    /// that costs about 0.25 µs for a pattern like `(?i)@example\.com$` and 0.6 µs for one of
    /// ~400 states, next to about 1 µs for the search itself.
    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        let mut cache = self.vm.create_cache();
        self.vm.is_match(&mut cache, haystack)
    }
}

/// The parser's message on one line. regex-syntax prints the pattern with a caret line
/// under it, which does not fit an error path like `flags.x.rules[0].conditions[1].values[0]`.
fn syntax_message(e: &impl core::fmt::Display) -> String {
    let text = e.to_string();
    // The message proper is the line that starts with `error: `; keep the whole text if a
    // future version prints something else.
    let message = match text.lines().find_map(|line| line.strip_prefix("error: ")) {
        Some(message) => message.to_string(),
        None => text.replace('\n', " "),
    };
    // regex-syntax's Unicode errors suggest cargo features; say what actually applies.
    let hint = if message.contains("Unicode") {
        " (patterns are compiled with Unicode mode off: use ASCII classes)"
    } else {
        ""
    };
    format!("regular expression syntax error: {message}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn matches(pattern: &str, haystack: &str) -> bool {
        Pattern::compile(pattern).unwrap().is_match(haystack)
    }

    #[test]
    fn searches_unanchored_like_regex_is_match() {
        assert!(matches("b", "abc"));
        assert!(!matches("^b", "abc"));
        assert!(matches("^a.c$", "abc"));
        assert!(matches(r"@example\.com$", "ana@example.com"));
        assert!(!matches(r"@example\.com$", "ana@example.com.evil"));
        assert!(matches("", ""));
        assert!(matches("^[0-9]{3}-[0-9]{4}$", "555-1234"));
        assert!(matches("(?i)HELLO", "say hello"));
        assert!(matches("^user-[0-9a-f]+$", "user-00ff"));
        assert!(!matches("^user-[0-9a-f]+$", "user-00ff\n"));
    }

    #[test]
    fn syntax_errors_are_one_line_errors() {
        for bad in ["(", "a)", "[z-a]", "*", "a{2,1}", r"\", "(?P<n>a)(?P<n>b)"] {
            let err = Pattern::compile(bad).unwrap_err();
            assert!(err.starts_with("regular expression"), "{bad}: {err}");
            assert!(!err.contains('\n'), "{bad}: {err}");
        }
        let err = Pattern::compile("(a").unwrap_err();
        assert_eq!(err, "regular expression syntax error: unclosed group");
    }

    #[test]
    fn refuses_patterns_over_the_limits() {
        let long = "a".repeat(MAX_PATTERN_BYTES + 1);
        assert!(Pattern::compile(&long)
            .unwrap_err()
            .starts_with("regular expression too large"));
        assert!(Pattern::compile(&"a".repeat(MAX_PATTERN_BYTES)).is_ok());
        let err = Pattern::compile("a{1000}{1000}").unwrap_err();
        assert!(err.starts_with("regular expression too large"), "{err}");
        let deep = format!("{}a{}", "(".repeat(65), ")".repeat(65));
        assert!(Pattern::compile(&deep).is_err());
        let ok = format!("{}a{}", "(".repeat(30), ")".repeat(30));
        assert!(Pattern::compile(&ok).is_ok());
    }

    #[test]
    fn classes_and_case_folding_are_ascii() {
        assert!(matches(r"^\w+$", "abc_1"));
        assert!(!matches(r"\w", "é"));
        assert!(matches(r"^\d+$", "2026"));
        assert!(!matches(r"\d", "٣"));
        assert!(matches(r"\s", "a b"));
        assert!(!matches(r"\s", "a\u{a0}b"));
        assert!(matches(r"\bfoo\b", "a foo b"));
        assert!(!matches(r"\bfoo\b", "afoo"));
        assert!(matches(r"(?i)^ABC$", "abc"));
        assert!(!matches(r"(?i)é", "É"));
        assert!(matches(r"^[[:alpha:]]+$", "abc"));
    }

    #[test]
    fn non_ascii_literals_match_but_non_ascii_classes_are_refused() {
        assert!(matches("ü", "Grüße"));
        assert!(matches("^Grüße$", "Grüße"));
        assert!(
            matches("^......$", "Grüß"),
            "`.` is one byte: ü and ß are two each"
        );
        assert!(matches("^[^a]+$", "é"));
        for refused in ["[ü]", "[é-ü]", r"\pL", r"\p{Greek}"] {
            let err = Pattern::compile(refused).unwrap_err();
            assert!(err.ends_with("use ASCII classes)"), "{refused}: {err}");
        }
    }

    #[test]
    fn pathological_pattern_runs_in_linear_time() {
        let p = Pattern::compile("(a|a)*(a|a)*(a|a)*b").unwrap();
        let haystack = "a".repeat(10_000);
        let start = Instant::now();
        assert!(!p.is_match(&haystack));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Pattern>();
    }
}
