//! Tests of the tenant flags' documents.
use super::*;
use edgeflag::snapshot::parse_payload;
use edgeflag::{Context, Reason, Snapshot};

/// Column `name` of `kind`.
fn col(name: &str, kind: ColumnKind) -> Column {
    let name = name.into();
    Column { name, kind }
}

/// A row of one cell.
fn row(tenant: &str, cell: Option<Value>) -> Row {
    let (tenant, cells) = (tenant.into(), vec![cell]);
    Row { tenant, cells }
}

/// The documents for one column `c` of `kind`, from `{"tenant": cell}` (null: SQL NULL).
fn docs(kind: ColumnKind, rows: &str) -> Result<Vec<(String, Value)>, String> {
    let json = parse_payload(rows.as_bytes(), &Limits::default()).unwrap();
    let mut rows = Vec::new();
    for (tenant, v) in json.as_object().unwrap() {
        rows.push(row(tenant, Some(v.clone()).filter(|v| *v != Value::Null)));
    }
    tenant_flags(&[col("c", kind)], &rows, "tenantId")
}

/// Wraps the documents in a payload and loads it as a client would.
fn load(flags: Vec<(String, Value)>) -> Snapshot {
    let flags = flags.into_iter().map(|(k, v)| (k.into(), v)).collect();
    let header = r#"{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,
        "issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","flags":"#;
    let payload = format!("{header}{}}}", Value::Object(flags).to_json());
    Snapshot::load(payload.as_bytes(), &Limits::default()).unwrap()
}

/// The context of `tenant`.
fn ctx(s: &Snapshot, tenant: &str) -> edgeflag::CompiledContext {
    s.context(&Context::from_pairs([("tenantId", tenant.into())]))
}

/// `variant:value` that flag `c` serves each tenant, space-separated.
fn serves(s: &Snapshot, tenants: &[&str]) -> String {
    let mut out = Vec::new();
    for d in tenants.iter().map(|t| s.details("c", &ctx(s, t), 0)) {
        let (variant, value) = (d.variant.unwrap(), d.value.unwrap().to_json());
        out.push(format!("{variant}:{value}"));
    }
    out.join(" ")
}

/// Member `key` of the only document, as JSON.
fn member(docs: &[(String, Value)], key: &str) -> String {
    docs[0].1.get(key).unwrap().to_json()
}

#[test]
fn boolean_column_is_on_for_true_and_off_for_false_null_and_missing() {
    let rows = r#"{"b":false,"c":null,"d":true,"a":true}"#;
    let flags = docs(ColumnKind::Bool, rows).unwrap();
    let want = r#"[{"id":"tenants:on","conditions":[{"attribute":"tenantId","op":"in","values":["a","d"]}],"serve":{"variant":"on"}}]"#;
    assert_eq!(member(&flags, "rules"), want);
    let s = load(flags);
    let want = "on:true on:true off:false off:false off:false";
    assert_eq!(serves(&s, &["a", "d", "b", "c", "z"]), want);
    let on = s.bool_details("c", &ctx(&s, "a"), false, 0);
    assert_eq!((on.value, on.reason), (true, Reason::TargetingMatch));
    let off = s.bool_details("c", &ctx(&s, "z"), true, 0);
    assert_eq!((off.value, off.reason), (false, Reason::Static));
    assert!(!s.bool("c", &s.context(&Context::new()), true, 0));
}

#[test]
fn string_column_has_a_variant_per_distinct_value() {
    let rows = r#"{"t1":"pro","t2":"Free plan","t3":"pro","t4":"v1","t5":null}"#;
    let flags = docs(ColumnKind::Text, rows).unwrap();
    let want = r#"{"pro":"pro","v1":"Free plan","v2":"v1","off":""}"#;
    assert_eq!(member(&flags, "variants"), want);
    let got = serves(&load(flags), &["t1", "t2", "t3", "t4", "t5", "t9"]);
    assert_eq!(
        got,
        r#"pro:"pro" v1:"Free plan" pro:"pro" v2:"v1" off:"" off:"""#
    );
}

#[test]
fn number_column_groups_equal_values() {
    let rows = r#"{"a":49,"b":2.5,"c":49.0,"d":-1e3}"#;
    let flags = docs(ColumnKind::Number, rows).unwrap();
    let want = r#"{"49":49,"2.5":2.5,"-1000":-1000,"off":0}"#;
    assert_eq!(member(&flags, "variants"), want);
    let got = serves(&load(flags), &["a", "b", "c", "d", "x"]);
    assert_eq!(got, "49:49 2.5:2.5 49:49 -1000:-1000 off:0");
}

#[test]
fn json_column_is_an_object_flag() {
    let flags = docs(ColumnKind::Json, r#"{"a":{"dark":true},"b":null}"#).unwrap();
    let want = r#"{"v1":{"dark":true},"off":{}}"#;
    assert_eq!(member(&flags, "variants"), want);
    assert_eq!(
        serves(&load(flags), &["a", "b"]),
        r#"v1:{"dark":true} off:{}"#
    );
    let null = [row("a", Some(Value::Null))];
    let flags = tenant_flags(&[col("c", ColumnKind::Json)], &null, "tenantId").unwrap();
    assert_eq!(member(&flags, "rules"), "[]");
    let err = docs(ColumnKind::Json, r#"{"a":{},"b":[1]}"#).unwrap_err();
    let want = r#"column "c": tenant "b": expected an object, found an array"#;
    assert_eq!(err, want);
}

#[test]
fn output_does_not_depend_on_row_order() {
    let cols = [col("beta", ColumnKind::Bool), col("plan", ColumnKind::Text)];
    let plan = |i: usize| if i % 3 == 0 { "x" } else { "y z" };
    let cells = |i: usize| vec![Some((i % 2 == 0).into()), Some(plan(i).into())];
    let mut rows: Vec<Row> = (0..30).map(|i| row(&format!("t{i}"), None)).collect();
    for (i, r) in rows.iter_mut().enumerate() {
        r.cells = cells(i);
    }
    // Equal values write equal JSON: the documents are byte-identical.
    let first = tenant_flags(&cols, &rows, "tenantId").unwrap();
    rows.reverse();
    rows.swap(3, 17);
    assert_eq!(tenant_flags(&cols, &rows, "tenantId").unwrap(), first);
}

#[test]
fn errors_name_the_column_the_tenant_and_the_limit() {
    let err = tenant_flags(&[col("", ColumnKind::Bool)], &[], "tenantId").unwrap_err();
    assert_eq!(err, r#"column "": not a valid flag key: must not be empty"#);
    let rows = ["acme", "b", "acme"].map(|t| row(t, None));
    let err = tenant_flags(&[col("beta", ColumnKind::Bool)], &rows, "tenantId").unwrap_err();
    assert_eq!(err, r#"tenant "acme" is in more than one row"#);
    let nan = [row("a", Some(f64::NAN.into()))];
    let err = tenant_flags(&[col("n", ColumnKind::Number)], &nan, "tenantId").unwrap_err();
    assert_eq!(err, r#"column "n": tenant "a": not a finite number"#);
    let many: Vec<String> = (0..1000).map(|i| format!(r#""t{i:03}":{i}"#)).collect();
    let err = docs(ColumnKind::Number, &format!("{{{}}}", many.join(","))).unwrap_err();
    let want = r#"column "c": tenant "t999": one value too many: a flag holds 1000"#;
    assert!(err.starts_with(want), "{err}");
}

#[test]
fn long_tenant_lists_are_split_over_rules() {
    let rows: Vec<String> = (0..=10_000).map(|i| format!(r#""t{i:05}":true"#)).collect();
    let flags = docs(ColumnKind::Bool, &format!("{{{}}}", rows.join(","))).unwrap();
    let second = r#"{"id":"tenants:on#2","conditions":[{"attribute":"tenantId","op":"in","values":["t10000"]}]"#;
    assert!(member(&flags, "rules").contains(second));
    assert_eq!(
        serves(&load(flags), &["t00000", "t10000"]),
        "on:true on:true"
    );
}

#[test]
fn conflicts_are_keys_defined_both_ways() {
    let tenant = ["beta".to_owned(), "plan".to_owned()];
    let both = conflicts(&tenant, ["plan", "beta", "other"].into_iter());
    assert_eq!(both, ["beta", "plan"]);
    assert!(conflicts(&tenant, ["x"].into_iter()).is_empty());
}
