#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The wifi collector on recorded fixtures (tests/wifi/<case>/, read through
# --collector.wifi.fixtures as upstream reads its JSON files), run as e2e.sh
# runs a fixture case: the scrape against tests/golden/<case>.prom (mask as
# e2e's; HE_UPDATE_GOLDEN=1 rewrites), promtool, prometheus_client, and every
# input truncated, emptied, removed and garbled (mutate.py). These cases live
# apart from tests/fixtures because upstream's own names
# node_wifi_station_{receive,transmit}_bits_per_second draw promtool's "base unit"
# lint, which is allowed here and nowhere else. Then the collector without
# fixtures on this host: where nl80211 is absent it reports no data, as upstream.
#
# Usage: wifi_test.sh HOST_EXPORTER_BINARY TESTS_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$SRC/tap.sh"
PID=

cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# scrape NAME FLAGS...: one scrape into $TMP/NAME.prom.
scrape() {
    local name=$1 port=
    shift
    "$BIN" --web.listen-address=127.0.0.1:0 "$@" 2>"$TMP/$name.log" &
    PID=$!
    for _ in $(seq 100); do
        port=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p' \
            "$TMP/$name.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    curl -sf "http://127.0.0.1:$port/metrics" -o "$TMP/$name.prom"
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
}

mask() {
    sed -E -e 's/^(node_scrape_collector_duration_seconds\{[^}]*\}) .*/\1 DURATION/' \
        -e 's/^host_exporter_build_info\{.*\} 1$/host_exporter_build_info{BUILD} 1/' "$1"
}

promtool_clean() {
    local rest
    rest=$(promtool check metrics <"$1" 2>&1 |
        grep -vE '^node_wifi_station_(receive|transmit)_bits_per_second use base unit "bytes" instead of "bits"$' |
        grep -v '^$')
    [ -z "$rest" ] || { printf '%s\n' "$rest" >&2; return 1; }
}

python_parses() {
    /usr/bin/python3 - "$1" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
sys.exit(0 if list(text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read())) else 1)
PY
}

for dir in "$SRC"/wifi/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    # shellcheck disable=SC2046 # one flag per word, by design
    scrape "$name" --path.procfs="$dir/proc" --path.sysfs="$dir/sys" --path.rootfs="$dir" \
        $(sed "s|@CASE@|$dir|g" "$dir/flags")
    mask "$TMP/$name.prom" >"$TMP/$name.masked"
    golden=$SRC/golden/$name.prom
    if [ "${HE_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$TMP/$name.masked" "$golden"
        ok "$name: scrape matches golden (golden rewritten)"
    elif diff -u "$golden" "$TMP/$name.masked" >"$TMP/diff"; then
        ok "$name: scrape matches golden"
    else
        not_ok "$name: scrape matches golden" "$(cat "$TMP/diff")"
    fi
    check "$name: promtool finds no parse error or new lint" promtool_clean "$TMP/$name.prom"
    check "$name: prometheus_client parses it" python_parses "$TMP/$name.prom"
    if out=$(/usr/bin/python3 "$SRC/mutate.py" "$BIN" "$dir" 2>&1); then
        ok "$name: every input truncated, empty, missing, garbage, huge: valid output ($(tail -1 <<<"$out"))"
    else
        not_ok "$name: every input truncated, empty, missing, garbage, huge: valid output" "$out"
    fi
done

# This host, no fixtures: nl80211 exists only with cfg80211.
scrape live --collector.disable-defaults --collector.wifi --web.disable-exporter-metrics \
    --log.level=debug
if grep -q 'wifi collector metrics are not available for this system' "$TMP/live.log"; then
    check "no nl80211: no data, as upstream" grep -qF \
        'node_scrape_collector_success{collector="wifi"} 0' "$TMP/live.prom"
else
    echo "# nl80211 exists here: the no-data check does not apply"
fi
check "live scrape passes promtool" promtool_clean "$TMP/live.prom"

tap_summary
