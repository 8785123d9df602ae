#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The systemd and logind collectors against a private message bus: a throwaway
# dbus-daemon (tests/dbus/bus.conf) with stand-ins for systemd and logind
# (tests/dbus/fake_services.py), which the exporter reaches through
# DBUS_SYSTEM_BUS_ADDRESS. Scrapes are compared with tests/golden/dbus-*.prom and
# fed to promtool, one of them with every value of the wrong type. Then the
# failure paths: no bus at all, a bus socket that never completes the handshake,
# services that never answer (each must return within the D-Bus timeout with
# success 0), and a bus restarted under a kept connection (the next scrape
# reconnects). HE_UPDATE_GOLDEN=1 rewrites the goldens.
#
# Usage: dbus_test.sh HOST_EXPORTER_BINARY TESTS_SOURCE_DIR
# Exits 77 (skipped) without dbus-daemon or python3-dbus/python3-gi.
set -u
BIN=$1
SRC=$2
GOLD=$SRC/golden
PY=/usr/bin/python3
FAKE=$SRC/dbus/fake_services.py

if ! command -v dbus-daemon >/dev/null; then
    echo "SKIP: dbus-daemon is not installed (Debian package dbus-daemon)"
    exit 77
fi
if ! "$PY" -c 'import dbus, dbus.mainloop.glib; from gi.repository import GLib' 2>/dev/null; then
    echo "SKIP: $PY cannot import dbus and gi (Debian packages python3-dbus python3-gi)"
    exit 77
fi

# The collectors under test, each enabled in every case.
COLLECTORS=(systemd logind)
ENABLE=("${COLLECTORS[@]/#/--collector.}")

TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
PID=
BUS_PID=
FAKE_PID=

cleanup() {
    for p in "$PID" "$FAKE_PID" "$BUS_PID"; do
        [ -n "$p" ] && kill -9 "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT


# wait_for FILE PATTERN: up to 10 s for PATTERN to appear in FILE.
wait_for() {
    for _ in $(seq 200); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

start_bus() {
    sed "s|@ADDRESS@|unix:path=$TMP/bus|" "$SRC/dbus/bus.conf" >"$TMP/bus.conf"
    rm -f "$TMP/bus"
    : >"$TMP/bus.out"
    dbus-daemon --config-file="$TMP/bus.conf" --nofork --print-address >"$TMP/bus.out" \
        2>"$TMP/bus.err" &
    BUS_PID=$!
    if ! wait_for "$TMP/bus.out" unix:; then
        not_ok "dbus-daemon started" "$(cat "$TMP/bus.err")"
        exit 1
    fi
}

stop_bus() {
    kill "$BUS_PID" 2>/dev/null
    wait "$BUS_PID" 2>/dev/null
    BUS_PID=
}

# start_fake MODE [ARG]: the stand-in services (or the wedged socket), ready to answer.
start_fake() {
    : >"$TMP/fake.out"   # not the previous stand-in's "ready"
    "$PY" "$FAKE" "$@" >"$TMP/fake.out" 2>"$TMP/fake.err" &
    FAKE_PID=$!
    if ! wait_for "$TMP/fake.out" ready; then
        not_ok "fake services ($1) started" "$(cat "$TMP/fake.err")"
        exit 1
    fi
}

stop_fake() {
    kill "$FAKE_PID" 2>/dev/null
    wait "$FAKE_PID" 2>/dev/null
    FAKE_PID=
}

# start NAME ARGS...: the exporter on a free loopback port.
start() {
    local name=$1
    shift
    LOG=$TMP/$name.log
    "$BIN" --web.listen-address=127.0.0.1:0 --collector.disable-defaults \
        --web.disable-exporter-metrics "$@" 2>"$LOG" &
    PID=$!
    PORT=
    for _ in $(seq 100); do
        PORT=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p' \
            "$LOG" 2>/dev/null | head -1)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    not_ok "$name: exporter started" "$(cat "$LOG")"
    exit 1
}

stop() {
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
}

# scrape OUT: one scrape, given at most 10 s (the timeouts under test are far shorter).
scrape() {
    curl -sf --max-time 10 "http://127.0.0.1:$PORT/metrics" -o "$1"
}

mask() {
    sed -E -e 's/^(node_scrape_collector_duration_seconds\{[^}]*\}) .*/\1 DURATION/' \
        -e 's/^host_exporter_build_info\{.*\} 1$/host_exporter_build_info{BUILD} 1/' "$1"
}

compare_golden() {
    local golden=$GOLD/$1.prom
    mask "$2" >"$TMP/$1.masked"
    if [ "${HE_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$TMP/$1.masked" "$golden"
        ok "$1: scrape matches golden (golden rewritten)"
    elif diff -u "$golden" "$TMP/$1.masked" >"$TMP/diff" 2>&1; then
        ok "$1: scrape matches golden"
    else
        not_ok "$1: scrape matches golden" "$(cat "$TMP/diff")"
    fi
}

# promtool may only report what node_exporter's own names get: the refused
# connections counter is typed gauge upstream despite its _total suffix.
promtool_clean() {
    local rest
    local allowed='^node_systemd_socket_refused_connections_total non-counter metrics should not have "_total" suffix$'
    rest=$(promtool check metrics <"$1" 2>&1 | grep -v "$allowed" | grep -v '^$')
    if [ -z "$rest" ]; then
        ok "$2: promtool finds nothing new"
    else
        not_ok "$2: promtool finds nothing new" "$rest"
    fi
}

expect_line() {
    if grep -qxF "$2" "$1"; then
        ok "$3"
    else
        not_ok "$3" "$(grep -E 'collector_success|systemd|logind' "$1" | head -20)"
    fi
}

# golden_case NAME FLAGS...: scrape the running fake services and compare.
golden_case() {
    local name=$1
    shift
    start "$name" "${ENABLE[@]}" "$@"
    if scrape "$TMP/$name.prom"; then
        compare_golden "$name" "$TMP/$name.prom"
        promtool_clean "$TMP/$name.prom" "$name"
    else
        not_ok "$name: scrape answered"
    fi
    stop
}

# expect_success FILE VALUE DESC: every collector's node_scrape_collector_success is VALUE.
expect_success() {
    local c
    for c in "${COLLECTORS[@]}"; do
        expect_line "$1" "node_scrape_collector_success{collector=\"$c\"} $2" "$3 ($c)"
    done
}

# failure_case NAME: every collector reports failure, and the scrape still answers.
failure_case() {
    local name=$1
    shift
    start "$name" "${ENABLE[@]}" --collector.systemd.dbus-timeout=200ms "$@"
    if scrape "$TMP/$name.prom"; then
        ok "$name: scrape answered"
        expect_success "$TMP/$name.prom" 0 "$name: reports failure"
    else
        not_ok "$name: scrape answered within 10 s"
    fi
    stop
}

export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/bus"
start_bus
start_fake base
golden_case dbus-base
golden_case dbus-options --collector.systemd.enable-task-metrics \
    --collector.systemd.enable-restarts-metrics --collector.systemd.enable-start-time-metrics \
    '--collector.systemd.unit-include=.+\.(service|socket|timer|mount)' \
    '--collector.systemd.unit-exclude=(?i)CRON\..*|stopping\.service'

# A kept connection whose bus went away is replaced on the next scrape.
start reconnect "${ENABLE[@]}"
scrape "$TMP/reconnect-1.prom"
stop_fake
stop_bus
start_bus
start_fake base
if scrape "$TMP/reconnect-2.prom"; then
    expect_success "$TMP/reconnect-2.prom" 1 "reconnect: next scrape after the bus restarted"
else
    not_ok "reconnect: scrape answered"
fi
stop
stop_fake

start_fake variant
golden_case dbus-variant
stop_fake

# Values of the wrong type are skipped; SystemState's fails the collector after the rest.
start_fake garbage
golden_case dbus-garbage
stop_fake

start_fake silent
failure_case silent-services
stop_fake
stop_bus

export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/wedged"
start_fake wedged "$TMP/wedged"
failure_case wedged-bus
stop_fake

export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/no-such-bus"
failure_case no-bus
n=$(grep -c 'msg="collector failed"' "$TMP/no-bus.log")
if [ "$n" = "${#COLLECTORS[@]}" ]; then
    ok "no-bus: one log line per collector"
else
    not_ok "no-bus: one log line per collector" "$(cat "$TMP/no-bus.log")"
fi

tap_summary
