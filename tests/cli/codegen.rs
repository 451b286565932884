//! `edgeflag codegen --ts`: the golden declarations, determinism, every input kind, refusals.

use crate::support::*;
use std::fs;

/// `edgeflag codegen --ts OUT FLAGS`; returns the run and the file it wrote.
fn codegen(scratch: &Scratch, flags: &str) -> (Run, String) {
    let out = scratch.path("flags.d.ts");
    let run = edgeflag(&["codegen", "--ts", s(&out), flags]);
    let text = fs::read_to_string(&out).unwrap_or_default();
    (run, text)
}

#[test]
fn codegen_of_a_flags_file_matches_the_golden_declarations_byte_for_byte() {
    // The npm package's tests type-check against this same golden file.
    let scratch = Scratch::new("codegen-golden");
    let (run, text) = codegen(&scratch, &fixture("typed-flags.json"));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let golden = fs::read_to_string(fixture("typed-flags.d.ts")).unwrap();
    assert_eq!(text, golden, "regenerate with: edgeflag codegen --ts tests/fixtures/typed-flags.d.ts tests/fixtures/typed-flags.json");
}

#[test]
fn codegen_is_deterministic_and_a_payload_and_its_envelope_give_the_same_flags() {
    let scratch = Scratch::new("codegen-kinds");
    let (first, payload_text) = codegen(&scratch, &fixture("payload.json"));
    assert_eq!(first.code, 0, "{first:?}");
    let (_, again) = codegen(&scratch, &fixture("payload.json"));
    assert_eq!(payload_text, again);
    assert!(
        payload_text.contains("  \"banner-text\": \"Welcome\" | \"Happy holidays\";\n"),
        "{payload_text}"
    );
    assert!(payload_text.contains("  \"new-checkout\": boolean;\n"));
    assert!(payload_text.contains("  \"max-items\": number;\n"));

    let (envelope, _) = signed(&scratch);
    let (run, envelope_text) = codegen(&scratch, s(&envelope));
    assert_eq!(run.code, 0, "{run:?}");
    // Only the header line names the input file.
    let body = |t: &str| t.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&envelope_text), body(&payload_text));
}

#[test]
fn codegen_escapes_keys_values_and_variant_names_that_would_break_typescript() {
    let scratch = Scratch::new("codegen-escape");
    let flags = scratch.path("odd.json");
    fs::write(
        &flags,
        r#"{"schema":"edgeflag/v1","owner":"o","environment":"e","flags":{
          "it's \"quoted\"": {"type":"string","variants":{"end */ here":"a\"b\\c","x":"line\nbreak"},
                              "offVariant":"x","defaultServe":{"variant":"x"}}}}"#,
    )
    .unwrap();
    let (run, text) = codegen(&scratch, s(&flags));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        text.contains("  /** string; variants end *\\/ here, x. */\n"),
        "{text}"
    );
    assert!(
        text.contains("  \"it's \\\"quoted\\\"\": \"a\\\"b\\\\c\" | \"line\\nbreak\";\n"),
        "{text}"
    );
}

#[test]
fn codegen_refuses_an_invalid_flags_file_naming_it_and_writes_nothing() {
    let scratch = Scratch::new("codegen-invalid");
    let payload = fixture("payload-invalid.json");
    let (run, text) = codegen(&scratch, &payload);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .starts_with(&format!("edgeflag codegen: {payload}: flags.")),
        "{}",
        run.stderr
    );
    assert_eq!(text, "");
    assert!(!scratch.path("flags.d.ts").exists());
}
