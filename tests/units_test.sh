#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The packaged systemd units checked offline, no systemd needed as PID 1:
# systemd-analyze verify on packaging/host-exporter.{service,socket} (ExecStart
# pointed at the binary just built, man: links looked up in the pages just
# built when there are any), the service's exposure from systemd-analyze
# security --offline=true (<= 2.0), and the unit pattern the packages rely on:
# SIGHUP for reload, a socket on 9100 that the service neither requires nor
# orders itself after (optional socket activation), nothing enabled by the socket
# but sockets.target.
#   units_test.sh BINARY SOURCE_ROOT [MAN_PAGE...]
# Exits 77 (skipped) without systemd-analyze.
set -euo pipefail
bin=$(readlink -f "$1")
src=$(cd "$2" && pwd)
shift 2
command -v systemd-analyze >/dev/null || { echo "units_test: skipped: no systemd-analyze"; exit 77; }

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
work=$(mktemp -d /tmp/units_test.XXXXXX)
trap 'rm -rf "$work"' EXIT

service=$src/packaging/host-exporter.service
socket=$src/packaging/host-exporter.socket
sed "s|/usr/bin/host_exporter|$bin|" "$service" >"$work/host-exporter.service"
cp "$socket" "$work/host-exporter.socket"

# man:host_exporter(1) resolves when the pages were built (passed as arguments).
man=--man=no
if [ $# -gt 0 ] && command -v man >/dev/null; then
    for page; do
        sec=${page##*.}
        mkdir -p "$work/man/man$sec"
        cp "$page" "$work/man/man$sec/"
    done
    export MANPATH=$work/man
    man=--man=yes
fi
if (cd "$work" && systemd-analyze verify "$man" host-exporter.service host-exporter.socket) >"$work/verify" 2>&1 &&
    ! grep -q . "$work/verify"; then
    ok "systemd-analyze verify: service and socket ($man)"
else
    cat "$work/verify"
    bad "systemd-analyze verify"
fi

exposure=$(systemd-analyze security --offline=true --no-pager "$service" 2>&1 |
    sed -nE 's/.*Overall exposure level for .*: ([0-9.]+).*/\1/p')
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    ok "systemd-analyze security exposure $exposure <= 2.0"
else
    bad "systemd-analyze security exposure '${exposure}' (want <= 2.0)"
fi

key() { sed -nE "s/^$2=(.*)$/\1/p" "$1"; }
if [ "$(key "$service" ExecReload)" = '/bin/kill -HUP $MAINPID' ]; then
    ok "reload sends SIGHUP"
else
    bad "ExecReload is '$(key "$service" ExecReload)'"
fi
if [ "$(key "$socket" ListenStream)" = 9100 ] && [ "$(key "$socket" WantedBy)" = sockets.target ]; then
    ok "socket listens on 9100, wanted by sockets.target"
else
    bad "socket: ListenStream='$(key "$socket" ListenStream)' WantedBy='$(key "$socket" WantedBy)'"
fi
if grep -qE '^(Requires|BindsTo|After|Wants)=.*host-exporter\.socket' "$service"; then
    bad "the service depends on the socket: socket activation must stay optional"
else
    ok "the service runs without the socket (optional socket activation)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
