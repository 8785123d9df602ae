#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The scrape path must not allocate per sample: buffers grow to a high-water mark
# and are reused. Runs the exporter under valgrind on this host with every
# collector enabled, counts heap allocations for a few scrapes and for 50 more,
# and requires the difference per scrape to stay a small constant (what
# libmicrohttpd needs per connection), however many series a scrape has.
#
# Usage: alloc.sh HOST_EXPORTER   (exit 77: skipped when valgrind is missing)
set -u
BIN=$1
SRC=${2:-}
LIMIT=16
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

collectors=$("$BIN" --help | sed -nE 's/^ *--\[no-\]collector\.([a-z0-9_]+)$/--collector.\1/p')
# The textfile collector with files to parse, merge and emit, when the sources are at hand.
[ -n "$SRC" ] && collectors="$collectors --collector.textfile.directory=$SRC/fixtures/textfile/textfile"

# heap_allocs N: total allocations of a run serving N scrapes after the first.
heap_allocs() {
    local n=$1 log=$TMP/vg.$1 port
    # shellcheck disable=SC2086 # one flag per word
    valgrind --tool=memcheck --log-file="$log" "$BIN" --web.listen-address=127.0.0.1:0 \
        --collector.disable-defaults $collectors 2>"$TMP/err.$n" &
    local pid=$!
    for _ in $(seq 400); do
        port=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p' "$TMP/err.$n")
        [ -n "$port" ] && break
        sleep 0.05
    done
    curl -s -o "$TMP/first" "http://127.0.0.1:$port/metrics"
    for _ in $(seq "$n"); do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; done
    kill -TERM "$pid"
    wait "$pid"
    sed -nE 's/.*total heap usage: ([0-9,]+) allocs.*/\1/p' "$log" | tr -d ,
}

few=$(heap_allocs 5)
many=$(heap_allocs 55)
series=$(grep -vc '^#' "$TMP/first")
per_scrape=$(( (many - few) / 50 ))
echo "heap allocations per scrape: $per_scrape (limit $LIMIT) with $series series"
if [ -n "$few" ] && [ -n "$many" ] && [ "$per_scrape" -le "$LIMIT" ]; then
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed"
    exit 1
fi
