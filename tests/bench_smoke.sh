#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Smoke test of the benchmark: runs bench/bench.py --quick on the binary meson
# built (no rebuild), once with node_exporter as this machine has it (or not)
# and once with node_exporter made absent, and checks that each run exits 0,
# prints its table and leaves no exporter behind. No number is judged: timings
# on a shared machine are no test, and bench/results/ holds the real runs.
#
# Usage: bench_smoke.sh HOST_EXPORTER_BINARY BENCH_SCRIPT
# Prints one line per check and ends with "N passed, N failed".
set -u
BIN=$1
BENCH=$2
TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
trap 'rm -rf "$TMP"' EXIT


has_table() { grep -q '^| tool | collector set | encoding |' "$1"; }
has_row() { grep -q "^| $2 | same (" "$1" && grep -q "^| $2 | own defaults |" "$1"; }
# Exporters started by the benchmark carry this binary's path and a port in its range.
no_leftover() { ! ps -eo args= | grep -F -- "$BIN " | grep -q 'listen-address=127\.0\.0\.1:197'; }

# run NAME ARGS...: one quick benchmark run; its output in $TMP/NAME.{out,md}.
run() {
    local name=$1
    shift
    if "$BENCH" --quick --binary "$BIN" --output "$TMP/$name.md" "$@" >"$TMP/$name.out" 2>&1; then
        ok "$name: bench.py --quick exits 0"
    else
        not_ok "$name: bench.py --quick exits 0" "$(cat "$TMP/$name.out")"
        return
    fi
    check "$name: prints the table" has_table "$TMP/$name.out"
    check "$name: saves the table" has_table "$TMP/$name.md"
    check "$name: host_exporter rows for both collector sets" has_row "$TMP/$name.md" host_exporter
    check "$name: no exporter left running" no_leftover
}

run found
if [ -x /usr/bin/prometheus-node-exporter ]; then
    check "found: node_exporter rows for both collector sets" \
        has_row "$TMP/found.md" node_exporter
else
    echo "# prometheus-node-exporter is not installed: host_exporter ran alone"
fi

run absent --node-exporter /nonexistent/prometheus-node-exporter
check "absent: says node_exporter is absent" grep -q 'node_exporter not found' "$TMP/absent.md"
check "absent: no node_exporter row" bash -c "! grep -q '^| node_exporter |' '$TMP/absent.md'"

tap_summary
