//! `caseInsensitive` (FORMAT.md §2): every `char` is replaced by its Unicode lowercase mapping
//! (`char::to_lowercase`: the full mapping, no locale, no final-sigma context, no
//! normalisation). Operands are folded once when the snapshot compiles; attributes are folded
//! as they are compared, a char at a time, so that evaluation does not allocate (except `in`
//! on an attribute longer than [`STACK_BYTES`] once folded, which needs the whole text to look
//! it up).

use alloc::boxed::Box;
use alloc::string::String;

/// The folded form of `text` (for operands, at load).
pub(crate) fn fold(text: &str) -> Box<str> {
    let mut out = String::with_capacity(text.len());
    out.extend(chars(text));
    out.into_boxed_str()
}

/// The folded chars of `text`, in order.
#[inline]
fn chars(text: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// Whether `text`, folded, starts with `prefix` (already folded).
pub(crate) fn starts_with(text: &str, prefix: &str) -> bool {
    let mut folded = chars(text);
    prefix.chars().all(|c| folded.next() == Some(c))
}

/// Whether `text`, folded, ends with `suffix` (already folded).
pub(crate) fn ends_with(text: &str, suffix: &str) -> bool {
    // A char's mapping is reversed too, so this walks the folded text from its end.
    let mut folded = text.chars().rev().flat_map(|c| c.to_lowercase().rev());
    suffix.chars().rev().all(|c| folded.next() == Some(c))
}

/// The bytes of `text` folded, in UTF-8, for the `contains` search.
pub(crate) fn bytes(text: &str) -> impl Iterator<Item = u8> + '_ {
    chars(text).flat_map(Utf8::of)
}

/// Folded attributes up to this many bytes are looked up without allocating.
pub(crate) const STACK_BYTES: usize = 256;

/// Calls `f` with `text` folded: `text` itself when folding leaves it unchanged (lowercase
/// ASCII, the common case), else a copy on the stack or, when longer than [`STACK_BYTES`],
/// on the heap.
pub(crate) fn with_folded<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    if !text
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        return f(text);
    }
    let mut buf = [0u8; STACK_BYTES];
    let mut len = 0;
    for b in bytes(text) {
        match buf.get_mut(len) {
            Some(slot) => *slot = b,
            None => return f(&fold(text)),
        }
        len += 1;
    }
    // Whole chars were written, so the prefix is UTF-8; the fallback is never taken.
    match buf.get(..len).map(core::str::from_utf8) {
        Some(Ok(folded)) => f(folded),
        _ => f(&fold(text)),
    }
}

/// The UTF-8 bytes of one char, as an iterator.
struct Utf8 {
    buf: [u8; 4],
    at: u8,
    len: u8,
}

impl Utf8 {
    fn of(c: char) -> Self {
        let mut buf = [0u8; 4];
        let len = c.encode_utf8(&mut buf).len() as u8;
        Utf8 { buf, at: 0, len }
    }
}

impl Iterator for Utf8 {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.at >= self.len {
            return None;
        }
        let b = self.buf.get(usize::from(self.at)).copied();
        self.at += 1;
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    /// The reference: fold both as strings, then compare with `str`'s methods.
    fn reference(text: &str) -> String {
        text.chars().flat_map(char::to_lowercase).collect()
    }

    const WORDS: [&str; 14] = [
        "",
        "a",
        "A",
        "École",
        "ÉCOLE",
        "école",
        "İstanbul",
        "i̇stanbul",
        "ΣΊΣΥΦΟΣ",
        "σίσυφοσ",
        "STRASSE",
        "Straße",
        "ǅ",
        "ß",
    ];

    #[test]
    fn streaming_agrees_with_folding_whole_strings() {
        for text in WORDS {
            let folded = reference(text);
            assert_eq!(&*fold(text), folded);
            assert_eq!(bytes(text).collect::<Vec<u8>>(), folded.as_bytes());
            with_folded(text, |f| assert_eq!(f, folded));
            for operand in WORDS {
                let op = reference(operand);
                assert_eq!(
                    starts_with(text, &op),
                    folded.starts_with(&*op),
                    "{text} {operand}"
                );
                assert_eq!(
                    ends_with(text, &op),
                    folded.ends_with(&*op),
                    "{text} {operand}"
                );
            }
        }
    }

    #[test]
    fn the_mapping_is_char_by_char_without_context() {
        assert_eq!(&*fold("ÉCOLE"), "école");
        // U+0130 maps to "i" + U+0307 (two chars): not equal to "i", but starts with it.
        assert_eq!(&*fold("İ"), "i\u{307}");
        assert!(starts_with("İx", "i"));
        // No final-sigma rule: every Σ becomes σ.
        assert_eq!(&*fold("ΟΔΟΣ"), "οδοσ");
        // Lowercasing, not case folding: ß stays ß and does not equal "ss".
        assert_eq!(&*fold("STRASSE"), "strasse");
        assert_ne!(&*fold("Straße"), "strasse");
    }

    #[test]
    fn long_attributes_fold_on_the_heap_with_the_same_result() {
        let long = "É".repeat(STACK_BYTES);
        with_folded(&long, |f| assert_eq!(f, "é".repeat(STACK_BYTES)));
        let exact = "A".repeat(STACK_BYTES);
        with_folded(&exact, |f| assert_eq!(f, "a".repeat(STACK_BYTES)));
        let lower = "abc".to_string();
        with_folded(&lower, |f| {
            assert_eq!(f.as_ptr(), lower.as_ptr(), "no copy")
        });
    }
}
