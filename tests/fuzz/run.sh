#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# One bounded libFuzzer run: run.sh TARGET SEED_DIR SECONDS. The seed corpus is
# read, never written: new inputs go to a scratch directory that is removed
# afterwards; a crashing input is kept in $HE_FUZZ_ARTIFACTS (default /tmp) and
# its path printed. Ends with "1 passed, 0 failed" or "0 passed, 1 failed", the
# line CI adds up. Never exits 77: a fuzz run that cannot run is a failure.
set -u
target=$1 seeds=$2 seconds=$3
artifacts=${HE_FUZZ_ARTIFACTS:-/tmp}
name=$(basename "$target")
work=$(mktemp -d) || { echo "0 passed, 1 failed"; exit 1; }
trap 'rm -rf "$work"' EXIT
rc=0
if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
    echo "$name: no seed corpus in $seeds" >&2
    rc=1
else
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
        "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$name-" "$work" "$seeds" 2>"$work.log" || rc=$?
    # The exporter's own log lines (refused series and the like) are expected noise.
    grep -v '^time=' "$work.log" >&2
    grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)' "$work.log"
    grep -E 'Test unit written to' "$work.log" || true
    rm -f "$work.log"
fi
if [ "$rc" -eq 0 ]; then
    echo "1 passed, 0 failed"
else
    echo "$name: failed (exit $rc)"
    echo "0 passed, 1 failed"
    exit 1
fi
