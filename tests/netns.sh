# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Sourced by the tests that run the exporter in a network namespace they create
# (netlink, ethtool, qdisc, tcpstat, route).

# netns_enter "UNSHARE_FLAGS" "TOOLS" ARGS...: outside the namespace, checks
# that TOOLS (and unshare) are installed, that we are root and that unshare
# UNSHARE_FLAGS is permitted, exiting 77 with the reason when not, then re-runs
# the calling script inside it as "SCRIPT --inside ARGS...". Inside (first
# argument --inside) it returns at once.
netns_enter() {
    local flags=$1 tools=$2 tool
    shift 2
    [ "${1:-}" = --inside ] && return 0
    for tool in unshare $tools; do
        if ! command -v "$tool" >/dev/null; then
            echo "SKIP: $tool is not installed (Debian packages util-linux, iproute2, curl, mount, python3)"
            exit 77
        fi
    done
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: creating a network namespace needs root"
        exit 77
    fi
    # shellcheck disable=SC2086 # the flags are words
    if ! unshare $flags true 2>/dev/null; then
        echo "SKIP: unshare $flags is not permitted here"
        exit 77
    fi
    # shellcheck disable=SC2086
    exec unshare $flags bash "$0" --inside "$@"
}

# netns_workdir: a scratch directory in TMP, removed on exit, and PID (the
# exporter a scrape runs) killed on exit if still set.
netns_workdir() {
    TMP=$(mktemp -d)
    PID=
    trap netns_cleanup EXIT
}

netns_cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$TMP"
}

# netns_setup_or_skip WHY: runs the script's setup function, with its errors in
# $TMP/setup.log; when it fails, exits 77 naming WHY (what it needs) and the first errors.
netns_setup_or_skip() {
    if ! setup 2>"$TMP/setup.log"; then
        echo "SKIP: cannot set up the test namespace ($1): $(head -3 "$TMP/setup.log")"
        exit 77
    fi
}

# netns_scrape NAME BINARY FLAGS...: starts BINARY (ours or node_exporter) on a
# free loopback port with --collector.disable-defaults and FLAGS, scrapes it once
# into $TMP/NAME.prom (its log in $TMP/NAME.log) and stops it. The script sets
# TMP, and PID for its cleanup while the exporter runs.
netns_scrape() {
    local name=$1 bin=$2 port=
    shift 2
    "$bin" --web.listen-address=127.0.0.1:0 --web.disable-exporter-metrics \
        --collector.disable-defaults "$@" 2>"$TMP/$name.log" &
    PID=$!
    for _ in $(seq 100); do
        port=$(sed -nE 's/.*msg="?Listening on"? address=127\.0\.0\.1:([0-9]+).*/\1/p' \
            "$TMP/$name.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    curl -sf "http://127.0.0.1:$port/metrics" -o "$TMP/$name.prom"
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
}
