//! The translated conformance suites (tests/conformance/translated/*.json): what a native
//! conformance test ran, written so that the npm package's test
//! (pkg-template/test/conformance.test.mjs) runs the same cases without cargo. Each file holds
//! the imported payloads (deduplicated, by id), and for every case evaluated natively its
//! flag, edgeflag context, the vendor's expected answer and whether it passed natively. The
//! native test regenerates the file from the vendor's files and fails when the checked-in one
//! differs, so a change of the vendor's cases or of the importer cannot go unnoticed.

use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The environment variable that makes the conformance tests rewrite their generated files.
pub(crate) const UPDATE: &str = "CONFORMANCE_UPDATE";

/// A translated suite being collected.
#[derive(Default)]
pub(crate) struct Translated {
    /// Payload id -> payload.
    payloads: BTreeMap<String, Json>,
    /// Payload text -> its id: identical payloads are written once.
    ids: BTreeMap<String, String>,
    cases: Vec<Json>,
}

impl Translated {
    /// Records `payload` (the exact payload the native test loaded) under `id`, or returns the
    /// id of an identical one recorded before.
    pub(crate) fn payload(&mut self, id: &str, payload: &Json) -> String {
        let text = serde_json::to_string(payload).unwrap();
        if let Some(existing) = self.ids.get(&text) {
            return existing.clone();
        }
        assert!(
            self.payloads
                .insert(id.to_string(), payload.clone())
                .is_none(),
            "payload id {id} used twice"
        );
        self.ids.insert(text, id.to_string());
        id.to_string()
    }

    /// Records a case (an object naming its payload by id).
    pub(crate) fn case(&mut self, case: Json) {
        self.cases.push(case);
    }

    /// The file's text: the header's members, then one payload and one case per line (in the
    /// vendor's order), so that a change shows as a readable diff.
    fn text(&self, header: &Json) -> String {
        let mut out = String::from("{\n");
        for (k, v) in header.as_object().unwrap() {
            out.push_str(&format!("{}: {},\n", json!(k), v));
        }
        out.push_str("\"payloads\": {\n");
        let payloads: Vec<String> = self
            .payloads
            .iter()
            .map(|(id, p)| format!("{}: {}", json!(id), p))
            .collect();
        out.push_str(&payloads.join(",\n"));
        out.push_str("\n},\n\"cases\": [\n");
        let cases: Vec<String> = self.cases.iter().map(Json::to_string).collect();
        out.push_str(&cases.join(",\n"));
        out.push_str("\n]}\n");
        out
    }

    /// Compares the suite with the checked-in `tests/conformance/translated/{name}.json`
    /// (rewriting it first when `CONFORMANCE_UPDATE` is set); `test` names the cargo test
    /// that regenerates it.
    pub(crate) fn check(&self, name: &str, test: &str, header: Json) {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/conformance/translated")
            .join(format!("{name}.json"));
        let full = self.text(&header);
        // The text must be JSON the npm test can read.
        serde_json::from_str::<Json>(&full).unwrap();
        if std::env::var_os(UPDATE).is_some() {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &full).unwrap();
        }
        let recorded = std::fs::read_to_string(&file).unwrap_or_default();
        let first_difference = recorded
            .lines()
            .zip(full.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| {
                let cut = |s: &str| s.chars().take(300).collect::<String>();
                format!(
                    "line {}:\nrecorded: {}\nnow:      {}",
                    i + 1,
                    cut(a),
                    cut(b)
                )
            })
            .unwrap_or_else(|| "one file is longer".into());
        assert!(
            recorded == full,
            "tests/conformance/translated/{name}.json (the cases the npm package's \
             conformance test runs) is out of date; regenerate it with\n  \
             {UPDATE}=1 cargo test -p edgeflag-import --test {test}\n{first_difference}"
        );
    }
}
