//! DSSE v1 Pre-Authentication Encoding: the exact bytes an envelope's signatures cover
//! (FORMAT.md §1). Binding the payload type and both lengths into the signed bytes means a
//! signature over one payload type can never be replayed as a signature over another, and no
//! boundary between type and payload can be shifted.

use crate::text;
use alloc::vec::Vec;

/// `"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload`, with lengths in ASCII decimal
/// bytes: the message that every envelope signature signs.
///
/// ```
/// let bytes = edgeflag::envelope::pae("http://example.com/HelloWorld", b"hello world");
/// assert_eq!(bytes, b"DSSEv1 29 http://example.com/HelloWorld 11 hello world");
/// ```
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    // Built without `core::fmt`, which the wasm build does not link (see `crate::text`).
    let mut header = alloc::string::String::with_capacity(32 + payload_type.len());
    header.push_str("DSSEv1 ");
    text::push_decimal(&mut header, payload_type.len());
    header.push(' ');
    header.push_str(payload_type);
    header.push(' ');
    text::push_decimal(&mut header, payload.len());
    header.push(' ');
    let mut out = Vec::with_capacity(header.len() + payload.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_dsse_specification_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn counts_bytes_not_characters_and_allows_empty_parts() {
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
        assert_eq!(pae("é", "ü".as_bytes()), "DSSEv1 2 é 2 ü".as_bytes());
    }

    #[test]
    fn binds_the_edgeflag_payload_type() {
        let bytes = pae(crate::PAYLOAD_TYPE, b"{}");
        assert_eq!(
            bytes,
            b"DSSEv1 41 application/vnd.edgeflag.snapshot.v1+json 2 {}"
        );
    }
}
