#!/usr/bin/env python3
"""Generates tests/vectors/bucketing.json: (salt, value, bucket) triples for FORMAT.md §4.

The buckets come from Python's `xxhash` package (`pip install xxhash`), an implementation of
XXH3 independent of the Rust crate, through the normative formula:

    input  = UTF-8 of salt + "." + value
    h      = xxh3_64(input, seed 0)
    bucket = (h * 100000) >> 64

Every runtime's tests check this file. The output is deterministic (fixed seed, fixed order):
rerunning the script must not change the file.

    python3 tests/vectors/gen_bucketing.py        # rewrites bucketing.json next to this script
"""

import json
import os
import random
import uuid

import xxhash

BUCKETS = 100_000
SEED = 20261121


def bucket(salt: str, value: str) -> int:
    data = (salt + "." + value).encode("utf-8")
    h = xxhash.xxh3_64_intdigest(data, seed=0)
    return (h * BUCKETS) >> 64


def cases(rng: random.Random):
    salts = ["new-checkout", "exp-2026-q4", "s", "payments-v2.rollout", "checkout:pricing"]

    # Edge cases of the joined input.
    yield "", "user-1"
    yield "new-checkout", ""
    yield "", ""
    yield ".", "."
    yield "a.b", "c.d"
    yield "salt", "..."

    # Non-ASCII: precomposed and combining accents, CJK, emoji (incl. ZWJ sequences and flags).
    for value in [
        "é",
        "e\u0301",
        "café",
        "cafe\u0301",
        "日本語",
        "ユーザー-42",
        "用户@例子.广告",
        "😀",
        "👩‍💻",
        "🇩🇪",
        "Ω≈ç√∫",
        "a\u0300\u0301\u0302",
        "Ελληνικά",
        "русский",
        "עברית",
        "العربية",
        "\u00a0nbsp",
        "\U0010ffff",
    ]:
        yield "new-checkout", value
    yield "日本語", "user-1"
    yield "🚀-launch", "user-2"

    # Numeric-looking strings (an integer unit is bucketed as exactly these).
    for value in ["42", "-7", "0", "-0", "007", "1e3", "42.0", "9007199254740991",
                  "-9007199254740991", "18446744073709551615", "3.14"]:
        yield "new-checkout", value

    # Dots, whitespace, quotes, backslashes, control characters.
    for value in [
        "a.b.c",
        ".leading",
        "trailing.",
        " ",
        "  padded  ",
        "tab\there",
        "new\nline",
        "cr\rlf\n",
        '"quoted"',
        "it's",
        "back\\slash",
        "\\\\",
        "\\u0041",
        "\u0000nul",
        "\u001f",
        "mixed \"'\\ \t.",
    ]:
        yield "new-checkout", value
    yield "salt with spaces", "user-1"
    yield 'salt"quote', "user-1"
    yield "salt\\back", "user-1"

    # Lengths around the Rust fast path (salt + "." + value inlined up to 192 bytes) and
    # well beyond it (the streaming hasher), plus XXH3's own internal size classes.
    salt = "new-checkout"  # 12 bytes, so total = 13 + len(value)
    for total in list(range(186, 200)) + [16, 17, 128, 129, 240, 241, 256, 300, 1024, 1025, 4096]:
        n = total - len(salt) - 1
        yield salt, "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(n))
    for n in [190, 191, 192, 193, 194, 300, 301, 512, 1000]:
        yield "", "x" * (n - 1)  # total = n
    yield "é" * 100, "user-1"  # a long multi-byte salt (200 bytes)
    yield "s", "日本語" * 30  # 270 bytes of multi-byte value
    yield "s", "é" * 95  # total 192 bytes exactly, multi-byte
    yield "s", "é" * 96  # total 194 bytes

    # Ordinary ids: sequential users, UUIDs, emails, hex ids, integers-as-strings.
    for i in range(60):
        yield salts[i % len(salts)], f"user-{i}"
    for i in range(40):
        yield rng.choice(salts), f"user-{rng.randrange(10**9)}"
    for _ in range(40):
        yield rng.choice(salts), str(uuid.UUID(int=rng.getrandbits(128), version=4))
    first = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
    domains = ["example.com", "example.org", "mail.example.net", "corp.example.co.uk"]
    for i in range(30):
        yield rng.choice(salts), f"{rng.choice(first)}.{i}@{rng.choice(domains)}"
    for _ in range(20):
        yield rng.choice(salts), "%016x" % rng.getrandbits(64)
    for _ in range(20):
        yield rng.choice(salts), str(rng.randrange(-10**12, 10**12))
    # Random salts too.
    for i in range(20):
        s = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-_.") for _ in range(rng.randrange(1, 40)))
        yield s, f"user-{i}"


def main():
    rng = random.Random(SEED)
    seen = set()
    out = []
    for salt, value in cases(rng):
        if (salt, value) in seen:
            continue
        seen.add((salt, value))
        out.append({"salt": salt, "value": value, "bucket": bucket(salt, value)})
    assert len(out) >= 300, len(out)
    assert all(0 <= e["bucket"] < BUCKETS for e in out)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bucketing.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} vectors to {path}")


if __name__ == "__main__":
    main()
