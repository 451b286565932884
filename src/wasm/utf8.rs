//! JavaScript strings as UTF-8 through the host's `TextEncoder`, for large inputs. wasm-bindgen's
//! own conversion copies the ASCII prefix one character at a time in JavaScript (it sizes the
//! allocation that way) before encoding the rest: for a 1 MB envelope that is ~1.4 ms, where
//! `TextEncoder.encode` and one copy take ~0.3 ms.

use alloc::vec::Vec;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The host's `TextEncoder` (browsers, Node.js and workerd all have it; the wasm-bindgen
    /// glue needs it too).
    type TextEncoder;

    /// A new encoder (UTF-8 is the only encoding it has).
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    /// The UTF-8 bytes of `text`, a JavaScript string; unpaired surrogates become U+FFFD, as
    /// in wasm-bindgen's conversion.
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> Uint8Array;
}

/// The UTF-8 bytes of `text`, which must be a JavaScript string.
pub(crate) fn utf8(text: &JsValue) -> Vec<u8> {
    TextEncoder::new().encode(text).to_vec()
}
