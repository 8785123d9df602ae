#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# End-to-end tests: start the real host_exporter binary on the fixture trees
# (tests/fixtures/<case>/{proc,sys}, flags in tests/fixtures/<case>/flags) on a
# free loopback port, scrape it over HTTP, plain and gzip, and compare with
# tests/golden/<case>.prom. Values that change from run to run (collector
# durations, build revision, and whatever a case's mask.sed names) are masked
# before comparing. Then the output is fed
# to real consumers (promtool, the Python prometheus_client parser), each case
# is run again with every input file mangled in turn (tests/mutate.py), and the
# HTTP surface, flag errors and signals are checked against node_exporter's
# behaviour. HE_UPDATE_GOLDEN=1 rewrites the goldens; review their diff.
#
# Usage: e2e.sh HOST_EXPORTER_BINARY TESTS_SOURCE_DIR
# Prints one line per check and ends with "N passed, N failed".
set -u
BIN=$1
SRC=$2
FIX=$SRC/fixtures
GOLD=$SRC/golden
TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
PID=
PORT=

cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT


# start NAME ARGS...: runs the binary on 127.0.0.1:0 and reads its port from the log.
start() {
    local name=$1
    shift
    LOG=$TMP/$name.log
    "$BIN" --web.listen-address=127.0.0.1:0 "$@" 2>"$LOG" &
    PID=$!
    PORT=
    for _ in $(seq 100); do
        PORT=$(sed -nE 's/.*"?msg"?[=:]"Listening on"[ ,]"?address"?[=:]"?127\.0\.0\.1:([0-9]+).*/\1/p' "$LOG" | head -1)
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    not_ok "$name: exporter started" "$(cat "$LOG")"
    kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
    return 1
}

# stop: SIGTERM, and the exit status of the exporter.
stop() {
    kill -TERM "$PID" 2>/dev/null
    wait "$PID"
    local rc=$?
    PID=
    return $rc
}

url() { echo "http://127.0.0.1:$PORT$1"; }

mask_volatile() {
    sed -E -e 's/^(node_scrape_collector_duration_seconds\{[^}]*\}) .*/\1 DURATION/' \
        -e 's/^host_exporter_build_info\{.*\} 1$/host_exporter_build_info{BUILD} 1/'
}

# Values a fixture cannot pin (the wall clock, syscalls such as uname or adjtimex)
# are masked by the case's own mask.sed (sed -E script), if it has one.
mask_case() {
    if [ -f "$1/mask.sed" ]; then sed -E -f "$1/mask.sed"; else cat; fi
}

# A flags file may name files inside its case as @CASE@ (e.g. --path.udev.data=@CASE@/udev).
fixture_flags() {
    local dir=$1
    echo "--path.procfs=$dir/proc --path.sysfs=$dir/sys --path.rootfs=$dir"
    [ -f "$dir/flags" ] && sed "s|@CASE@|$dir|g" "$dir/flags"
}

# Compares file $2 with golden $1, or rewrites the golden under HE_UPDATE_GOLDEN=1.
compare_golden() {
    local golden=$1 actual=$2 desc=$3
    if [ "${HE_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$actual" "$golden"
        ok "$desc (golden rewritten)"
    elif [ -f "$golden" ] && diff -u "$golden" "$actual" >"$TMP/diff"; then
        ok "$desc"
    else
        not_ok "$desc" "$(cat "$TMP/diff" 2>/dev/null || echo "missing $golden")"
    fi
}

# promtool may only report the lint node_exporter's own names get: camelCase
# meminfo keys, and node_entropy_*_bits (promtool would have bytes).
promtool_clean() {
    local out
    out=$(promtool check metrics <"$1" 2>&1)
    local rest
    rest=$(printf '%s\n' "$out" | grep -v "metric names should be written in 'snake_case' not 'camelCase'" |
        grep -v '^node_entropy_[a-z_]*_bits use base unit "bytes" instead of "bits"$' | grep -v '^$')
    if [ -n "$rest" ]; then
        printf '%s\n' "$rest" | head -20 >&2
        return 1
    fi
}

python_parses() {
    /usr/bin/python3 - "$1" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()))
sys.exit(0 if families else 1)
PY
}

run_fixture_case() {
    local dir=$1 name
    name=$(basename "$dir")
    # shellcheck disable=SC2046 # one flag per word, by design
    start "$name" $(fixture_flags "$dir") || return
    curl -sf "$(url /metrics)" -o "$TMP/$name.prom"
    curl -sf -H 'Accept-Encoding: gzip' "$(url /metrics)" -o "$TMP/$name.prom.gz"
    stop
    mask_volatile <"$TMP/$name.prom" | mask_case "$dir" >"$TMP/$name.masked"
    compare_golden "$GOLD/$name.prom" "$TMP/$name.masked" "$name: scrape matches golden"
    if gzip -t "$TMP/$name.prom.gz" 2>/dev/null; then
        gzip -dc "$TMP/$name.prom.gz" | mask_volatile | mask_case "$dir" >"$TMP/$name.gz.masked"
        check "$name: gzip scrape matches plain" cmp -s "$TMP/$name.masked" "$TMP/$name.gz.masked"
    else
        not_ok "$name: gzip scrape is valid gzip"
    fi
    check "$name: promtool finds no parse error or new lint" promtool_clean "$TMP/$name.prom"
    check "$name: prometheus_client parses it" python_parses "$TMP/$name.prom"
    local out
    if out=$(/usr/bin/python3 "$SRC/mutate.py" "$BIN" "$dir" 2>&1); then
        ok "$name: every input truncated, empty, missing, garbage, huge: valid output ($(tail -1 <<<"$out"))"
    else
        not_ok "$name: every input truncated, empty, missing, garbage, huge: valid output" "$out"
    fi
}

for dir in "$FIX"/*/; do
    run_fixture_case "${dir%/}"
done

. "$SRC/e2e_http.sh"

tap_summary
