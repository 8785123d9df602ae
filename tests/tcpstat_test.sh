#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The tcpstat collector against the live kernel, in a network namespace this
# test creates (unshare -n) holding only the TCP sockets it opens, in known
# states: listeners on IPv4 and IPv6, established pairs, one with unread bytes,
# one half-closed pair in close_wait/fin_wait2. Where Debian's node_exporter is
# installed its series names and labels are compared.
#
# Usage: tcpstat_test.sh HOST_EXPORTER_BINARY
# Exits 77 (skipped), saying why, where the namespace cannot be set up (not root,
# no unshare, ip or curl, a container that refuses CLONE_NEWNET).
set -u
NE=/usr/bin/prometheus-node-exporter

# shellcheck source=netns.sh
. "$(dirname "$0")/netns.sh"
netns_enter "-n" "ip curl python3" "$@"
BIN=$2
TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
PID=
SOCKS=

cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    [ -n "$SOCKS" ] && { kill -9 "$SOCKS" && wait "$SOCKS"; } 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

setup() { ip link set lo up; }

netns_setup_or_skip "lo and TCP sockets"

# Sockets held open while the exporter is scraped: 2 IPv4 listeners and 1 IPv6
# listener, 3 established pairs (the first with 77 unread bytes on the accepting
# side), and a pair whose client shut down its side (fin_wait2 / close_wait).
python3 - "$TMP/ready" <<'PY' &
import socket, sys, time
keep = []
l1 = socket.socket(); l1.bind(("127.0.0.1", 0)); l1.listen(8)
l2 = socket.socket(); l2.bind(("127.0.0.1", 0)); l2.listen(8)
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 0)); l6.listen(8)
keep += [l1, l2, l6]
for i in range(3):
    c = socket.create_connection(l1.getsockname())
    a, _ = l1.accept()
    keep += [c, a]
    if i == 0:
        c.sendall(b"y" * 77)
c = socket.create_connection(l2.getsockname())
a, _ = l2.accept()
c.shutdown(socket.SHUT_WR)
keep += [c, a]
time.sleep(0.3)
open(sys.argv[1], "w").close()
time.sleep(600)
PY
SOCKS=$!
for _ in $(seq 100); do
    [ -e "$TMP/ready" ] && break
    sleep 0.05
done

has() { grep -qxF -- "$2" "$TMP/$1.prom"; }
hasnt() { ! grep -qF -- "$2" "$TMP/$1.prom"; }

# series FILE PREFIX: the series (name and labels) of FILE starting with PREFIX, sorted.
series() { grep "^$2" "$1" | sed 's/ [^ ]*$//' | sort; }

netns_scrape tcpstat "$BIN" --collector.tcpstat
check "tcpstat succeeds" has tcpstat 'node_scrape_collector_success{collector="tcpstat"} 1'
# our three listeners plus the exporter's own; our six established sockets plus
# the scrape's two
check "tcpstat counts the listeners" has tcpstat 'node_tcp_connection_states{state="listen"} 4'
check "tcpstat counts the established sockets" has tcpstat \
    'node_tcp_connection_states{state="established"} 8'
check "tcpstat counts the half-closed pair" has tcpstat \
    'node_tcp_connection_states{state="close_wait"} 1'
check "tcpstat counts the shut-down side" has tcpstat \
    'node_tcp_connection_states{state="fin_wait2"} 1'
# 77 unread bytes, and the peer's FIN, which the kernel counts in the close_wait socket's queue
check "tcpstat sums receive queues" has tcpstat 'node_tcp_connection_states{state="rx_queued_bytes"} 78'
check "tcpstat reports send queues" grep -q '^node_tcp_connection_states{state="tx_queued_bytes"} ' \
    "$TMP/tcpstat.prom"
check "tcpstat leaves out states no socket is in" hasnt tcpstat 'state="syn_sent"'

# IPv6 sockets are asked for only where <procfs>/net/tcp6 exists, as upstream
mkdir -p "$TMP/proc/net" && : >"$TMP/proc/net/tcp"
netns_scrape tcpstat-v4 "$BIN" --collector.tcpstat --path.procfs="$TMP/proc"
check "tcpstat without net/tcp6 leaves out the IPv6 listener" has tcpstat-v4 \
    'node_tcp_connection_states{state="listen"} 3'

if [ -x "$NE" ]; then
    netns_scrape ne-tcpstat "$NE" --collector.tcpstat
    # the earlier scrapes leave time_wait sockets behind: compare the other states
    if diff <(series "$TMP/ne-tcpstat.prom" node_tcp_ | grep -v time_wait) \
        <(series "$TMP/tcpstat.prom" node_tcp_ | grep -v time_wait) >"$TMP/t.diff"; then
        ok "tcpstat has node_exporter's series"
    else
        not_ok "tcpstat has node_exporter's series" "$(cat "$TMP/t.diff")"
    fi
else
    ok "# SKIP node_exporter comparison: $NE is not installed"
fi

for f in "$TMP"/tcpstat*.prom; do
    if lint=$(promtool check metrics <"$f" 2>&1); then
        ok "promtool accepts $(basename "$f")"
    else
        not_ok "promtool accepts $(basename "$f")" "$lint"
    fi
done

tap_summary
