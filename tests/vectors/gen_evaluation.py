#!/usr/bin/env python3
"""Generates tests/vectors/evaluation.json, the evaluation cases every runtime must pass.

Expectations are written here by hand from FORMAT.md (truth tables per operator, the
evaluation order); only outcomes that depend on a hash are computed, with Python's `xxhash`
package, an implementation independent from the Rust core. Run: python3 gen_evaluation.py
(needs `pip install xxhash`). The output is committed; CI only reads it.
"""

import json
import os
from datetime import datetime, timezone

import xxhash

HERE = os.path.dirname(os.path.abspath(__file__))


def ms(text):
    """RFC 3339 -> milliseconds since the Unix epoch."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def bucket(salt, value):
    h = xxhash.xxh3_64_intdigest((salt + "." + value).encode("utf-8"))
    return (h * 100000) >> 64


NOW = ms("2026-12-04T12:00:00Z")
ON_OFF = {"on": True, "off": False}

# ---------------------------------------------------------------------------------------------
# Operators: (op, attribute, values, rows); a row is (label, attribute value or MISSING,
# outcome): True = the operator holds, False = it does not, None = it cannot compare (wrong
# type, unparsable), so the condition is false negated or not.
MISSING = object()
OPERATORS = [
    ("in", "country", ["DE", 5, True], [
        ("string member", "DE", True), ("number member", 5, True), ("number member as float", 5.0, True),
        ("boolean member", True, True), ("not a member", "FR", False), ("boolean not a member", False, False),
        ("object", {"a": 1}, None), ("list with a member", ["FR", "DE"], True),
        ("list without a member", ["FR", "IT"], False), ("list of nothing comparable", [{"a": 1}], None),
        ("empty list", [], None), ("null counts as missing", None, None), ("missing", MISSING, None)]),
    ("startsWith", "path", ["/admin", "/beta"], [
        ("prefix", "/admin/users", True), ("second prefix", "/beta", True), ("not a prefix", "/user/admin", False),
        ("case matters", "/Admin", False), ("number", 12, None), ("missing", MISSING, None)]),
    ("endsWith", "email", ["@example.com"], [
        ("suffix", "ana@example.com", True), ("other domain", "ana@example.org", False),
        ("boolean", True, None), ("missing", MISSING, None)]),
    ("contains", "userAgent", ["beta"], [
        ("substring", "my-beta-app/1.0", True), ("no substring", "stable-app", False),
        ("number", 3, None), ("missing", MISSING, None)]),
    ("lt", "age", [10, 20], [
        ("below the largest", 15, True), ("equal to the largest", 20, False), ("negative", -1.5, True),
        ("numeric string is not a number", "5", None), ("missing", MISSING, None)]),
    ("lte", "age", [10], [
        ("equal", 10, True), ("above", 10.5, False), ("string", "10", None), ("missing", MISSING, None)]),
    ("gt", "age", [10, 20], [
        ("above the smallest", 15, True), ("equal to the smallest", 10, False),
        ("boolean", True, None), ("missing", MISSING, None)]),
    ("gte", "age", [10], [
        ("equal", 10, True), ("below", 9.99, False), ("string", "x", None), ("missing", MISSING, None)]),
    ("before", "signupDate", ["2026-12-01T00:00:00Z"], [
        ("earlier instant", "2026-11-30T23:59:59Z", True),
        ("earlier with offset", "2026-12-01T00:30:00+01:00", True),
        ("same instant", "2026-12-01T00:00:00Z", False),
        ("epoch milliseconds", ms("2026-11-01T00:00:00Z"), True),
        ("not a date", "yesterday", None), ("boolean", False, None), ("missing", MISSING, None)]),
    ("after", "signupDate", [ms("2026-12-01T00:00:00Z")], [
        ("later instant", "2026-12-02T00:00:00Z", True), ("same instant", "2026-12-01T00:00:00.000Z", False),
        ("fraction of a second later", "2026-12-01T00:00:00.5Z", True),
        ("earlier epoch milliseconds", ms("2026-11-01T00:00:00Z"), False),
        ("malformed", "2026-13-01T00:00:00Z", None), ("missing", MISSING, None)]),
    ("semverEq", "appVersion", ["1.2.3"], [
        ("equal ignoring build metadata", "1.2.3+build.7", True), ("other patch", "1.2.4", False),
        ("prerelease is not equal", "1.2.3-rc.1", False), ("not semver", "1.2", None), ("missing", MISSING, None)]),
    ("semverLt", "appVersion", ["2.0.0"], [
        ("prerelease is lower", "2.0.0-rc.1", True), ("equal", "2.0.0", False), ("higher", "10.0.0", False),
        ("number", 2, None), ("missing", MISSING, None)]),
    ("semverLte", "appVersion", ["2.0.0"], [
        ("equal", "2.0.0", True), ("higher", "2.0.1", False), ("not semver", "x", None),
        ("huge numbers", "99999999999999999999999.0.0", None), ("missing", MISSING, None)]),
    ("semverGt", "appVersion", ["1.0.0", "1.5.0"], [
        ("above the smallest", "1.0.1", True), ("prerelease below", "1.0.0-alpha", False),
        ("equal to the smallest", "1.0.0", False), ("number", 1, None), ("missing", MISSING, None)]),
    ("semverGte", "appVersion", ["1.0.0-alpha.10"], [
        ("numeric identifiers compare numerically", "1.0.0-alpha.9", False), ("equal", "1.0.0-alpha.10", True),
        ("release above prerelease", "1.0.0", True), ("leading zero is not semver", "01.0.0", None),
        ("missing", MISSING, None)]),
    ("exists", "beta", None, [
        ("present", "yes", True), ("present and false", False, True), ("present list", [], True),
        ("null counts as missing", None, False), ("missing", MISSING, False)]),
    ("inCidr", "ip", ["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"], [
        ("inside IPv4 range", "10.1.2.3", True), ("outside IPv4 range", "11.0.0.1", False),
        ("inside IPv6 range", "2001:db8::1", True), ("outside IPv6 range", "2001:db9::1", False),
        ("IPv4-mapped IPv6 inside", "::ffff:10.0.0.1", True), ("single host", "192.168.1.7", True),
        ("malformed", "10.0.0", None), ("malformed with range", "10.0.0.1/8", None),
        ("number", 10, None), ("missing", MISSING, None)]),
]

# Segments are tested separately: the attribute is `country` through the segment's rules.
SEGMENT_ROWS = [
    ("member by rule", {"country": "DE"}, True), ("not a member", {"country": "FR"}, False),
    ("no attributes at all", {}, False),
]

REGEX_OPERATOR = ("matches", "email", ["^[a-z]+@corp\\.example$", "^admin-"], [
    ("matches the first pattern", "ana@corp.example", True), ("matches the second", "admin-7", True),
    ("unanchored search", "x-admin-", False), ("no match", "Ana@corp.example", False),
    ("number", 7, None), ("missing", MISSING, None)])


# Schema edgeflag/v1.1 condition options (FORMAT.md §2), snapshot "v1.1": (name, op, options,
# attribute, values, rows); rows as above, except that an outcome of None (no comparable value)
# makes the condition's result its `whenMissing` (false when absent), negated or not.
V11_OPERATORS = [
    ("ci-in", "in", {"caseInsensitive": True}, "school", ["ÉCOLE", "de", "i"], [
        ("folded operand equals", "école", True), ("same case", "ÉCOLE", True),
        ("accent matters", "Ecole", False), ("upper-case attribute", "DE", True),
        ("dotted capital I folds to i + U+0307, not i", "İ", False),
        ("number", 5, None), ("missing", MISSING, None)]),
    ("ci-startsWith", "startsWith", {"caseInsensitive": True}, "path", ["i", "ADMIN-"], [
        ("dotted capital I starts with i", "İstanbul", True), ("lower-case attribute", "admin-7", True),
        ("too short", "Admi", False), ("list with a match", ["x", "Admin-1"], True), ("missing", MISSING, None)]),
    ("ci-endsWith", "endsWith", {"caseInsensitive": True}, "email", ["@EXAMPLE.COM"], [
        ("mixed case", "Bob@Example.com", True), ("other domain", "bob@example.org", False),
        ("number", 3, None)]),
    ("ci-contains", "contains", {"caseInsensitive": True}, "env", ["STAGING", "οσ"], [
        ("mixed case", "eu-Staging-1", True), ("capital sigma has no final form", "ΟΔΟΣ", True),
        ("absent", "prod", False), ("missing", MISSING, None)]),
    ("num-gte", "gte", {"numericStrings": True}, "age", [12], [
        ("integer string", "12", True), ("decimal string", "12.5", True), ("exponent string", "1e3", True),
        ("below", "11", False), ("number", 13, True), ("leading space", " 12", None),
        ("trailing letters", "12abc", None), ("hexadecimal", "0x1", None), ("missing", MISSING, None)]),
    ("num-in", "in", {"numericStrings": True}, "age", [12, 1000], [
        ("integer string", "12", True), ("exponent string", "1e3", True), ("decimal zero", "12.0", True),
        ("other number", "13", False), ("not a number", "twelve", None)]),
    ("wm-in", "in", {"whenMissing": True}, "country", ["DE"], [
        ("member", "DE", True), ("not a member", "FR", False), ("list without a member", ["FR"], False),
        ("missing", MISSING, None), ("empty list", [], None), ("object", {"a": 1}, None)]),
    ("wm-semverGt", "semverGt", {"whenMissing": True}, "appVersion", ["1.0.0"], [
        ("above", "1.2.0", True), ("below", "0.9.0", False), ("not semver", "1.2", None),
        ("missing", MISSING, None)]),
]


def v11_flags():
    flags = {}
    for name, op, options, attribute, values, _ in V11_OPERATORS:
        for negate in (False, True):
            cond = {"attribute": attribute, "op": op, "values": values, **options}
            if negate:
                cond["negate"] = True
            flags[f"op11-{name}" + ("-not" if negate else "")] = {
                "type": "boolean", "variants": ON_OFF, "offVariant": "off",
                "rules": [{"id": "r", "conditions": [cond], "serve": {"variant": "on"}}],
                "defaultServe": {"variant": "off"},
            }
    return flags


def v11_cases():
    cases = []
    for name, _, options, attribute, _, rows in V11_OPERATORS:
        missing = options.get("whenMissing", False)
        for label, value, outcome in rows:
            ctx = {"targetingKey": "u-op"}
            if value is not MISSING:
                ctx[attribute] = value
            plain = missing if outcome is None else outcome
            negated = missing if outcome is None else not outcome
            for flag, holds in ((f"op11-{name}", plain), (f"op11-{name}-not", negated)):
                cases.append({"name": f"{flag}: {label}", "snapshot": "v1.1", "now": NOW, "flag": flag,
                              "type": "boolean", "default": False, "context": ctx,
                              "expected": MATCH if holds else NO_MATCH})
    return cases


def op_flags(op, attribute, values):
    flags = {}
    for negate in (False, True):
        cond = {"attribute": attribute, "op": op}
        if values is not None:
            cond["values"] = values
        if negate:
            cond["negate"] = True
        flags[f"op-{op}" + ("-not" if negate else "")] = {
            "type": "boolean", "variants": ON_OFF, "offVariant": "off",
            "rules": [{"id": "r", "conditions": [cond], "serve": {"variant": "on"}}],
            "defaultServe": {"variant": "off"},
        }
    return flags


def details(value, variant, reason, **extra):
    d = {"value": value, "variant": variant, "reason": reason, "inExperiment": False, "flagMetadata": {}}
    d.update(extra)
    return d


MATCH = details(True, "on", "TARGETING_MATCH", ruleId="r", ruleIndex=0)
NO_MATCH = details(False, "off", "STATIC")


def error(default, code, metadata=None):
    return {"value": default, "reason": "ERROR", "errorCode": code, "inExperiment": False,
            "flagMetadata": metadata or {}}


def op_cases(op, attribute, rows, snapshot):
    cases = []
    for label, value, outcome in rows:
        ctx = {"targetingKey": "u-op"}
        if value is not MISSING:
            ctx[attribute] = value
        plain = outcome is True
        negated = outcome is False
        for flag, holds in ((f"op-{op}", plain), (f"op-{op}-not", negated)):
            cases.append({"name": f"{flag}: {label}", "snapshot": snapshot, "now": NOW, "flag": flag,
                          "type": "boolean", "default": False, "context": ctx,
                          "expected": MATCH if holds else NO_MATCH})
    return cases


def payload(flags, segments=None, version=1):
    p = {"schema": "edgeflag/v1", "owner": "vectors", "environment": "test", "version": version,
         "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2027-11-21T10:00:00Z", "flags": flags}
    if segments is not None:
        p["segments"] = segments
    return p


# ---------------------------------------------------------------------------------------------
SEGMENTS = {
    "beta-testers": {"included": ["user-1", "user-7"], "excluded": ["user-9"],
                     "rules": [[{"attribute": "plan", "op": "in", "values": ["pro", "enterprise"]}]]},
    "germans": {"rules": [[{"attribute": "country", "op": "in", "values": ["DE"]}]]},
    "staff-or-germans": {"rules": [[{"op": "inSegment", "values": ["germans"]}],
                                   [{"attribute": "email", "op": "endsWith", "values": ["@corp.example"]}]]},
    "numeric-units": {"included": [42, "user-42"]},
}

FLAGS = {}
for op, attribute, values, _ in OPERATORS:
    FLAGS.update(op_flags(op, attribute, values))
FLAGS.update({
    "op-inSegment": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                     "rules": [{"id": "r", "conditions": [{"op": "inSegment", "values": ["germans"]}],
                                "serve": {"variant": "on"}}], "defaultServe": {"variant": "off"}},
    "op-inSegment-not": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                         "rules": [{"id": "r", "conditions": [{"op": "inSegment", "values": ["germans"], "negate": True}],
                                    "serve": {"variant": "on"}}], "defaultServe": {"variant": "off"}},
    "kill-switch": {"type": "boolean", "enabled": False, "variants": ON_OFF, "offVariant": "off",
                    "defaultServe": {"variant": "on"}, "metadata": {"team": "payments"}},
    "static-on": {"type": "boolean", "variants": ON_OFF, "offVariant": "off", "defaultServe": {"variant": "on"},
                  "metadata": {"team": "web", "owners": ["a"], "ticket": 42, "temporary": True,
                               "nested": {"dropped": True}}},
    "no-default": {"type": "boolean", "variants": ON_OFF, "offVariant": "off"},
    "targeted": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                 "targets": [{"variant": "on", "values": ["user-1", 42]}],
                 "rules": [{"id": "everyone", "conditions": [], "serve": {"variant": "off"}}]},
    "rules-order": {"type": "string", "variants": {"a": "A", "b": "B", "c": "C"}, "offVariant": "c",
                    "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "in", "values": ["pro"]}],
                               "serve": {"variant": "a"}},
                              {"conditions": [{"attribute": "plan", "op": "in", "values": ["pro", "free"]},
                                              {"attribute": "country", "op": "in", "values": ["DE"], "negate": True}],
                               "serve": {"variant": "b"}}],
                    "defaultServe": {"variant": "c"}},
    "rollout-50": {"type": "boolean", "variants": ON_OFF, "offVariant": "off", "trackEvents": True,
                   "defaultServe": {"rollout": {"by": "targetingKey", "salt": "rollout-50",
                                                "weights": [{"variant": "on", "weight": 50000},
                                                            {"variant": "off", "weight": 50000}]}}},
    "beta-rollout": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                     "rules": [{"id": "beta", "conditions": [{"op": "inSegment", "values": ["beta-testers"]}],
                                "serve": {"rollout": {"salt": "beta-rollout",
                                                      "weights": [{"variant": "on", "weight": 25000},
                                                                  {"variant": "off", "weight": 75000}]}}}]},
    "by-org": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
               "defaultServe": {"rollout": {"by": "orgId", "salt": "orgs",
                                            "weights": [{"variant": "on", "weight": 30000},
                                                        {"variant": "off", "weight": 70000}]}}},
    "checkout-color": {"type": "string", "variants": {"red": "#d00", "green": "#0a0", "blue": "#00d"},
                       "offVariant": "red", "trackEvents": True,
                       "defaultServe": {"rollout": {"weights": [{"variant": "red", "weight": 20000},
                                                                {"variant": "green", "weight": 0},
                                                                {"variant": "blue", "weight": 80000}]}}},
    "ramp-linear": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                    "defaultServe": {"schedule": {"salt": "ramp", "variant": "on", "otherwise": "off",
                                                  "start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z",
                                                  "from": 0, "to": 100000, "curve": "linear"}}},
    "ramp-s-curve": {"type": "boolean", "variants": ON_OFF, "offVariant": "off", "trackEvents": True,
                     "defaultServe": {"schedule": {"salt": "ramp", "variant": "on", "otherwise": "off",
                                                   "start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z",
                                                   "from": 10000, "to": 90000, "curve": "s-curve"}}},
    "payments-v2": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                    "rules": [{"id": "not-fr", "conditions": [{"attribute": "country", "op": "in", "values": ["FR"]}],
                               "serve": {"variant": "off"}}],
                    "defaultServe": {"variant": "on"}},
    "new-checkout": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                     "prerequisites": [{"flag": "payments-v2", "variants": ["on"]}],
                     "defaultServe": {"variant": "on"}},
    "needs-killed-flag": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                          "prerequisites": [{"flag": "kill-switch", "variants": ["on"]}],
                          "defaultServe": {"variant": "on"}},
    "needs-off-variant": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                          "prerequisites": [{"flag": "kill-switch", "variants": ["off"]}],
                          "defaultServe": {"variant": "on"}},
    "needs-a-split": {"type": "boolean", "variants": ON_OFF, "offVariant": "off",
                      "prerequisites": [{"flag": "by-org", "variants": ["on", "off"]}],
                      "defaultServe": {"variant": "on"}},
    "chain-c": {"type": "string", "variants": {"yes": "c-yes", "no": "c-no"}, "offVariant": "no",
                "prerequisites": [{"flag": "chain-b", "variants": ["yes"]}], "defaultServe": {"variant": "yes"}},
    "chain-b": {"type": "string", "variants": {"yes": "b-yes", "no": "b-no"}, "offVariant": "no",
                "prerequisites": [{"flag": "chain-a", "variants": ["yes"]}], "defaultServe": {"variant": "yes"}},
    "chain-a": {"type": "string", "variants": {"yes": "a-yes", "no": "a-no"}, "offVariant": "no",
                "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "in", "values": ["pro"]}],
                           "serve": {"variant": "yes"}}], "defaultServe": {"variant": "no"}},
    "segments": {"type": "string", "variants": {"beta": "beta", "staff": "staff", "numeric": "numeric", "none": "none"},
                 "offVariant": "none",
                 "rules": [{"id": "beta", "conditions": [{"op": "inSegment", "values": ["beta-testers"]}],
                            "serve": {"variant": "beta"}},
                           {"id": "staff", "conditions": [{"op": "inSegment", "values": ["staff-or-germans"]}],
                            "serve": {"variant": "staff"}},
                           {"id": "numeric", "conditions": [{"op": "inSegment", "values": ["numeric-units"]}],
                            "serve": {"variant": "numeric"}}],
                 "defaultServe": {"variant": "none"}},
    "price": {"type": "number", "variants": {"low": 9.99, "high": 19, "big": 12345678901}, "offVariant": "low",
              "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "in", "values": ["pro"]}],
                         "serve": {"variant": "high"}}], "defaultServe": {"variant": "low"}},
    "banner": {"type": "object", "variants": {"none": {}, "sale": {"text": "Sale", "discount": 0.2, "tags": ["a", "b"]}},
               "offVariant": "none",
               "rules": [{"id": "de", "conditions": [{"attribute": "country", "op": "in", "values": ["DE"]}],
                          "serve": {"variant": "sale"}}], "defaultServe": {"variant": "none"}},
})

SMALL = payload({
    "a": {"type": "boolean", "variants": ON_OFF, "offVariant": "off", "defaultServe": {"variant": "on"}},
    "b": {"type": "string", "variants": {"x": "X", "y": "Y"}, "offVariant": "x",
          "rules": [{"id": "pro", "conditions": [{"attribute": "plan", "op": "in", "values": ["pro"]}],
                     "serve": {"variant": "y"}}], "defaultServe": {"variant": "x"}},
    "c": {"type": "boolean", "variants": ON_OFF, "offVariant": "off", "trackEvents": True,
          "defaultServe": {"rollout": {"salt": "c", "weights": [{"variant": "on", "weight": 50000},
                                                                  {"variant": "off", "weight": 50000}]}}},
}, version=7)

REGEX = payload(op_flags(*REGEX_OPERATOR[:3]))
V11 = {**payload(v11_flags()), "schema": "edgeflag/v1.1"}


def case(name, flag, ctx, expected, type_="boolean", default=False, now=NOW, snapshot="main"):
    return {"name": name, "snapshot": snapshot, "now": now, "flag": flag, "type": type_, "default": default,
            "context": ctx, "expected": expected}


def split_case(name, flag, unit, salt, weights, ctx, values, now=NOW, rule=None, experiment=False, type_="boolean",
               default=False):
    """A rollout case: the expected variant follows from the unit's bucket."""
    b = bucket(salt, unit)
    end = 0
    for variant, weight in weights:
        end += weight
        if b < end:
            break
    extra = {} if rule is None else {"ruleId": rule[0], "ruleIndex": rule[1]}
    exp = details(values[variant], variant, "SPLIT", **extra)
    exp["inExperiment"] = experiment
    return case(f"{name} (bucket {b})", flag, ctx, exp, type_=type_, default=default, now=now)


def schedule_percent(start, end, frm, to, curve, now):
    x = min(max((now - start) / (end - start), 0.0), 1.0)
    f = x if curve == "linear" else x * x * (3 - 2 * x)
    return int(frm + (to - frm) * f)


def schedule_case(name, flag, unit, frm, to, curve, now, experiment=False):
    start, end = ms("2026-12-01T00:00:00Z"), ms("2026-12-08T00:00:00Z")
    p = schedule_percent(start, end, frm, to, curve, now)
    b = bucket("ramp", unit)
    on = b < p
    exp = details(on, "on" if on else "off", "SPLIT")
    exp["inExperiment"] = experiment
    return case(f"{name} (p {p}, bucket {b})", flag, {"targetingKey": unit}, exp, now=now)


def cases():
    out = []
    for op, attribute, _, rows in OPERATORS:
        out += op_cases(op, attribute, rows, "main")
    for label, ctx, member in SEGMENT_ROWS:
        c = {"targetingKey": "u-op", **ctx}
        out.append(case(f"op-inSegment: {label}", "op-inSegment", c, MATCH if member else NO_MATCH))
        out.append(case(f"op-inSegment-not: {label}", "op-inSegment-not", c, NO_MATCH if member else MATCH))
    regex_cases = op_cases(*REGEX_OPERATOR[0:2], REGEX_OPERATOR[3], "regex")
    for c in regex_cases:
        c["features"] = ["regex"]
    out += regex_cases

    meta_web = {"team": "web", "ticket": 42, "temporary": True}
    out += [
        case("unknown flag: FLAG_NOT_FOUND with the caller's default", "nope", {"targetingKey": "u"},
             error(True, "FLAG_NOT_FOUND"), default=True),
        case("kill switch: DISABLED serves offVariant", "kill-switch", {"targetingKey": "u"},
             {**details(False, "off", "DISABLED"), "flagMetadata": {"team": "payments"}}, default=True),
        case("type mismatch wins over the kill switch", "kill-switch", {"targetingKey": "u"},
             error(7, "TYPE_MISMATCH", {"team": "payments"}), type_="number", default=7),
        case("static default: STATIC with primitive metadata only", "static-on", {},
             {**details(True, "on", "STATIC"), "flagMetadata": meta_web}),
        case("asking a boolean flag for a string: TYPE_MISMATCH", "static-on", {},
             error("dflt", "TYPE_MISMATCH", meta_web), type_="string", default="dflt"),
        case("asking a boolean flag for an object: TYPE_MISMATCH", "static-on", {},
             error({"d": 1}, "TYPE_MISMATCH", meta_web), type_="object", default={"d": 1}),
        case("untyped details of a boolean flag", "static-on", {},
             {**details(True, "on", "STATIC"), "flagMetadata": meta_web}, type_="any", default=None),
        case("missing defaultServe serves offVariant", "no-default", {"targetingKey": "u"},
             details(False, "off", "STATIC"), default=True),
        case("target by string key", "targeted", {"targetingKey": "user-1"}, details(True, "on", "TARGETING_MATCH")),
        case("target by integer key", "targeted", {"targetingKey": 42}, details(True, "on", "TARGETING_MATCH")),
        case("integer target matches the same digits as a string", "targeted", {"targetingKey": "42"},
             details(True, "on", "TARGETING_MATCH")),
        case("integer target matches an integral float", "targeted", {"targetingKey": 42.0},
             details(True, "on", "TARGETING_MATCH")),
        case("targets come before rules", "targeted", {"targetingKey": "user-2"},
             details(False, "off", "TARGETING_MATCH", ruleId="everyone", ruleIndex=0), default=True),
        case("targets need a targetingKey", "targeted", {},
             details(False, "off", "TARGETING_MATCH", ruleId="everyone", ruleIndex=0), default=True),
        case("first matching rule wins", "rules-order", {"plan": "pro"},
             details("A", "a", "TARGETING_MATCH", ruleId="pro", ruleIndex=0), type_="string", default="z"),
        case("second rule, no id", "rules-order", {"plan": "free", "country": "FR"},
             details("B", "b", "TARGETING_MATCH", ruleIndex=1), type_="string", default="z"),
        case("conditions are ANDed", "rules-order", {"plan": "free", "country": "DE"},
             details("C", "c", "STATIC"), type_="string", default="z"),
        case("negated condition on a missing attribute does not hold", "rules-order", {"plan": "free"},
             details("C", "c", "STATIC"), type_="string", default="z"),
        case("rollout without targetingKey: TARGETING_KEY_MISSING", "rollout-50", {"plan": "pro"},
             error(True, "TARGETING_KEY_MISSING"), default=True),
        case("rollout with a boolean unit: TARGETING_KEY_MISSING", "rollout-50", {"targetingKey": True},
             error(True, "TARGETING_KEY_MISSING"), default=True),
        case("rollout with a fractional unit: TARGETING_KEY_MISSING", "rollout-50", {"targetingKey": 1.5},
             error(True, "TARGETING_KEY_MISSING"), default=True),
        case("rollout by another attribute, missing", "by-org", {"targetingKey": "u"},
             error(False, "TARGETING_KEY_MISSING")),
        case("segment: included wins over rules", "segments", {"targetingKey": "user-7"},
             details("beta", "beta", "TARGETING_MATCH", ruleId="beta", ruleIndex=0), type_="string", default="z"),
        case("segment: excluded wins over rules", "segments", {"targetingKey": "user-9", "plan": "pro"},
             details("none", "none", "STATIC"), type_="string", default="z"),
        case("segment: rules decide for others", "segments", {"targetingKey": "user-3", "plan": "enterprise"},
             details("beta", "beta", "TARGETING_MATCH", ruleId="beta", ruleIndex=0), type_="string", default="z"),
        case("segment: rules apply without targetingKey", "segments", {"plan": "pro"},
             details("beta", "beta", "TARGETING_MATCH", ruleId="beta", ruleIndex=0), type_="string", default="z"),
        case("segment naming a segment", "segments", {"targetingKey": "user-3", "country": "DE"},
             details("staff", "staff", "TARGETING_MATCH", ruleId="staff", ruleIndex=1), type_="string", default="z"),
        case("segment: second AND-list", "segments", {"targetingKey": "user-3", "email": "bo@corp.example"},
             details("staff", "staff", "TARGETING_MATCH", ruleId="staff", ruleIndex=1), type_="string", default="z"),
        case("segment: integer unit included", "segments", {"targetingKey": 42},
             details("numeric", "numeric", "TARGETING_MATCH", ruleId="numeric", ruleIndex=2), type_="string", default="z"),
        case("segment: no membership", "segments", {"targetingKey": "user-3", "plan": "free"},
             details("none", "none", "STATIC"), type_="string", default="z"),
        case("prerequisite met", "new-checkout", {"targetingKey": "u", "country": "DE"},
             details(True, "on", "STATIC")),
        case("prerequisite not met: PREREQUISITE_FAILED", "new-checkout", {"targetingKey": "u", "country": "FR"},
             details(False, "off", "PREREQUISITE_FAILED"), default=True),
        case("prerequisite on a disabled flag fails", "needs-killed-flag", {"targetingKey": "u"},
             details(False, "off", "PREREQUISITE_FAILED"), default=True),
        case("prerequisite may require the off variant", "needs-off-variant", {"targetingKey": "u"},
             details(True, "on", "STATIC")),
        case("prerequisite that errors fails", "needs-a-split", {"targetingKey": "u"},
             details(False, "off", "PREREQUISITE_FAILED"), default=True),
        case("prerequisite chain met", "chain-c", {"plan": "pro"}, details("c-yes", "yes", "STATIC"),
             type_="string", default="z"),
        case("prerequisite chain broken at the root", "chain-c", {"plan": "free"},
             details("c-no", "no", "PREREQUISITE_FAILED"), type_="string", default="z"),
        case("number flag", "price", {"plan": "pro"},
             details(19, "high", "TARGETING_MATCH", ruleId="pro", ruleIndex=0), type_="number", default=0),
        case("number flag, float variant", "price", {}, details(9.99, "low", "STATIC"), type_="number", default=0),
        case("number flag as string: TYPE_MISMATCH", "price", {}, error("d", "TYPE_MISMATCH"), type_="string",
             default="d"),
        case("object flag", "banner", {"country": "DE"},
             details({"text": "Sale", "discount": 0.2, "tags": ["a", "b"]}, "sale", "TARGETING_MATCH",
                     ruleId="de", ruleIndex=0), type_="object", default={}),
        case("object flag, empty object variant", "banner", {"country": "FR"}, details({}, "none", "STATIC"),
             type_="object", default={"fallback": True}),
        case("context that is a string: INVALID_CONTEXT", "static-on", "not an object",
             error(False, "INVALID_CONTEXT", meta_web)),
        case("context that is an array: INVALID_CONTEXT", "static-on", [1, 2], error(False, "INVALID_CONTEXT", meta_web)),
        case("context that is null: INVALID_CONTEXT", "static-on", None, error(False, "INVALID_CONTEXT", meta_web)),
        case("no snapshot yet: PROVIDER_NOT_READY", "static-on", {"targetingKey": "u"},
             error(True, "PROVIDER_NOT_READY"), default=True, snapshot=None),
    ]
    fifty = [("on", 50000), ("off", 50000)]
    for i in range(12):
        unit = f"user-{i}"
        out.append(split_case(f"rollout 50/50 for {unit}", "rollout-50", unit, "rollout-50", fifty,
                              {"targetingKey": unit}, ON_OFF, experiment=True))
    for unit in ["user-1", "user-7", "user-3"]:
        ctx = {"targetingKey": unit, "plan": "pro"}
        out.append(split_case(f"rollout in a rule for {unit}", "beta-rollout", unit, "beta-rollout",
                              [("on", 25000), ("off", 75000)], ctx, ON_OFF, rule=("beta", 0)))
    out.append(case("rollout in a rule: excluded unit falls through", "beta-rollout",
                    {"targetingKey": "user-9", "plan": "pro"}, details(False, "off", "STATIC"), default=True))
    out.append(case("rollout in a rule without targetingKey: TARGETING_KEY_MISSING", "beta-rollout",
                    {"plan": "pro"}, error(True, "TARGETING_KEY_MISSING"), default=True))
    for org in ["acme", "globex", "initech", "umbrella", 1234]:
        out.append(split_case(f"rollout by orgId {org}", "by-org", str(org), "orgs", [("on", 30000), ("off", 70000)],
                              {"targetingKey": "u", "orgId": org}, ON_OFF))
    colors = {"red": "#d00", "green": "#0a0", "blue": "#00d"}
    for i in range(8):
        unit = f"visitor-{i}"
        out.append(split_case(f"three-way rollout, salt defaults to the flag key, for {unit}", "checkout-color",
                              unit, "checkout-color", [("red", 20000), ("green", 0), ("blue", 80000)],
                              {"targetingKey": unit}, colors, experiment=True, type_="string", default="none"))
    instants = [("before the start", "2026-11-30T00:00:00Z"), ("at the start", "2026-12-01T00:00:00Z"),
                ("a quarter in", "2026-12-02T18:00:00Z"), ("half way", "2026-12-04T12:00:00Z"),
                ("three quarters in", "2026-12-06T06:00:00Z"), ("at the end", "2026-12-08T00:00:00Z"),
                ("after the end", "2027-01-01T00:00:00Z")]
    for label, instant in instants:
        for unit in ["user-1", "user-2", "user-3", "user-4", "user-5"]:
            out.append(schedule_case(f"linear ramp {label} for {unit}", "ramp-linear", unit, 0, 100000,
                                     "linear", ms(instant)))
            out.append(schedule_case(f"s-curve ramp {label} for {unit}", "ramp-s-curve", unit, 10000, 90000,
                                     "s-curve", ms(instant), experiment=True))

    c_unit = "user-5"
    b = bucket("c", c_unit)
    c_on = b < 50000
    out.append({"name": "evaluate-all", "snapshot": "small", "now": NOW, "all": True,
                "context": {"targetingKey": c_unit, "plan": "pro"},
                "expected": {
                    "a": details(True, "on", "STATIC"),
                    "b": details("Y", "y", "TARGETING_MATCH", ruleId="pro", ruleIndex=0),
                    "c": {**details(c_on, "on" if c_on else "off", "SPLIT"), "inExperiment": True}}})
    out.append({"name": "evaluate-all without targetingKey", "snapshot": "small", "now": NOW, "all": True,
                "context": {"plan": "free"},
                "expected": {
                    "a": details(True, "on", "STATIC"),
                    "b": details("X", "x", "STATIC"),
                    "c": {"value": None, "reason": "ERROR", "errorCode": "TARGETING_KEY_MISSING",
                          "inExperiment": False, "flagMetadata": {}}}})
    out += v11_cases()
    return out


def main():
    doc = {
        "description": "edgeflag evaluation vectors: every runtime loads each snapshot, builds the context, "
                       "evaluates `flag` with the accessor for `type` (boolean, string, number, object, or any = "
                       "untyped details, whose value on error is `default`) and `default` at `now` (ms since the "
                       "epoch), or every flag when `all` is true (value null on error), and compares the details "
                       "member by member; errorMessage is free text and not compared. `snapshot: null` means no "
                       "snapshot is loaded. Cases with `features` need those cargo features. Generated by "
                       "gen_evaluation.py.",
        "snapshots": {"main": payload(FLAGS, SEGMENTS), "small": SMALL, "regex": REGEX, "v1.1": V11},
        "cases": cases(),
    }
    with open(os.path.join(HERE, "evaluation.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(doc['cases'])} cases")


if __name__ == "__main__":
    main()
