#!/bin/sh
# Runs every cargo-fuzz target of edgeflag for SECONDS each (default 60), starting from the
# seeds in tests/fuzz/seeds/<target> (copied into a scratch corpus, tests/fuzz/corpus/<target>,
# which is git-ignored and kept between runs). Prints executions per target; exits non-zero
# if any target crashed, timed out or ran out of memory (the input is in
# tests/fuzz/artifacts/<target>/).
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]      (needs nightly and cargo-fuzz:
#   rustup toolchain install nightly --profile minimal && cargo install cargo-fuzz)
# Extra libFuzzer flags: FUZZ_FLAGS="-jobs=4 -workers=4" tests/fuzz/run.sh 600
set -u
seconds=${1:-60}
[ $# -gt 0 ] && shift
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
targets=${*:-envelope payload evaluation signature threshold limits}
cd "$root" || exit 2

# Build once (release with debug assertions, AddressSanitizer).
cargo +nightly fuzz build --fuzz-dir tests/fuzz || exit 2

status=0
summary=""
for target in $targets; do
    corpus="$dir/corpus/$target"
    mkdir -p "$corpus" "$dir/artifacts/$target"
    cp -n "$dir/seeds/$target/"* "$corpus/" 2>/dev/null
    log="$dir/artifacts/$target/run.log"
    echo "== $target: ${seconds}s"
    # -timeout: an input taking over 10 s is a failure (bounded time); -rss_limit_mb bounds memory.
    # shellcheck disable=SC2086
    cargo +nightly fuzz run --fuzz-dir tests/fuzz "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/$target/" ${FUZZ_FLAGS:-} >"$log" 2>&1
    rc=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    corpus_size=$(find "$corpus" -type f | wc -l | tr -d ' ')
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "!! $target FAILED (exit $rc); see $log"
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -10
        line="$target: CRASH after $execs executions"
    else
        line="$target: $execs executions, $cov, corpus $corpus_size files, no crash"
    fi
    echo "$line"
    summary="$summary$line
"
done
echo
echo "== summary (${seconds}s per target)"
printf '%s' "$summary"
exit $status
