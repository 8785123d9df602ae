#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# network_route against the live kernel, in a network namespace this test
# creates (unshare -n): IPv4 and IPv6 addresses on veth pairs, a default route
# with a preferred source and metric, IPv4 and IPv6 multipath routes with
# weights, a route in another table, a route of an unnamed protocol, and
# blackhole and unreachable routes (not unicast: left out). The exporter's
# output is checked against what was configured, against its own
# --collector.network_route.fixture reading of a dump recorded in the same
# namespace, and against Debian's prometheus-node-exporter where installed.
#
# Usage: route_test.sh HOST_EXPORTER_BINARY
#        route_test.sh --record FILE   (writes tests/fixtures/network_route's dump)
# Exits 77 (skipped), saying why, where namespaces cannot be created.
set -u

# record FILE: the kernel's replies to RTM_GETLINK and RTM_GETROUTE dumps, as received.
record() {
    python3 - "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
out = b""
for seq, (typ, body) in enumerate([(18, b"\0" * 16), (26, b"\0" * 12)], 1):  # GETLINK, GETROUTE
    s.send(struct.pack("=IHHII", 16 + len(body), typ, 0x301, seq, 0) + body)
    done = False
    while not done:
        data = s.recv(65536)
        out += data
        off = 0
        while off + 16 <= len(data):
            ln, t = struct.unpack_from("=IH", data, off)
            done = done or t in (2, 3)  # NLMSG_ERROR, NLMSG_DONE
            off += (ln + 3) & ~3
open(sys.argv[1], "wb").write(out)
PY
}

# The namespace's interfaces and routes.
setup() {
    ip link set lo up &&
        ip link add eth0 type veth peer name eth0-peer &&
        ip link add ve1 type veth peer name ve1-peer &&
        ip link add ve2 type veth peer name ve2-peer &&
        for l in eth0 eth0-peer ve1 ve1-peer ve2 ve2-peer; do ip link set "$l" up || return 1; done &&
        ip addr add 192.0.2.10/24 dev eth0 &&
        ip addr add 10.1.0.2/24 dev ve1 &&
        ip addr add 10.2.0.2/24 dev ve2 &&
        ip addr add 2001:db8::10/64 dev eth0 nodad &&
        ip addr add 2001:db8:1::2/64 dev ve1 nodad &&
        ip addr add 2001:db8:2::2/64 dev ve2 nodad &&
        ip route add default via 192.0.2.1 dev eth0 proto dhcp metric 100 src 192.0.2.10 &&
        ip route add 198.51.100.0/24 proto bgp \
            nexthop via 10.1.0.1 dev ve1 weight 1 nexthop via 10.2.0.1 dev ve2 weight 3 &&
        ip route add 203.0.113.0/25 dev ve1 proto static table 100 &&
        ip route add 10.99.0.0/16 via 10.1.0.1 proto 99 &&
        ip route add blackhole 203.0.113.128/25 &&
        ip route add unreachable 192.0.2.128/25 &&
        ip -6 route add default via 2001:db8::1 dev eth0 proto ra metric 1024 &&
        ip -6 route add 2001:db8:100::/48 proto static \
            nexthop via 2001:db8:1::1 dev ve1 weight 2 nexthop via 2001:db8:2::1 dev ve2
}

if [ "${1:-}" = --record ]; then
    out=$(realpath "$2")
    exec unshare -n bash -c "$(declare -f record setup); setup && record '$out'"
fi

# shellcheck source=netns.sh
. "$(dirname "$0")/netns.sh"
netns_enter "-n" "ip curl python3" "$@"
BIN=$2
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
netns_workdir

netns_setup_or_skip "veth and IPv6 multipath routes"

# routes FILE: the network_route samples of FILE, sorted.
routes() { grep -E '^node_network_route' "$1" | sort; }

has() { grep -qxF -- "$2" "$TMP/$1.prom"; }

netns_scrape live "$BIN" --collector.network_route
check "network_route succeeds" has live 'node_scrape_collector_success{collector="network_route"} 1'
for want in \
    'node_network_route_info{dest="default",device="eth0",gw="192.0.2.1",priority="100",proto="dhcp",src="192.0.2.10",weight=""} 1' \
    'node_network_route_info{dest="198.51.100.0/24",device="ve1",gw="10.1.0.1",priority="0",proto="bgp",src="",weight="1"} 1' \
    'node_network_route_info{dest="198.51.100.0/24",device="ve2",gw="10.2.0.1",priority="0",proto="bgp",src="",weight="3"} 1' \
    'node_network_route_info{dest="203.0.113.0/25",device="ve1",gw="",priority="0",proto="static",src="",weight=""} 1' \
    'node_network_route_info{dest="10.99.0.0/16",device="ve1",gw="10.1.0.1",priority="0",proto="unknown",src="",weight=""} 1' \
    'node_network_route_info{dest="192.0.2.0/24",device="eth0",gw="",priority="0",proto="kernel",src="192.0.2.10",weight=""} 1' \
    'node_network_route_info{dest="default",device="eth0",gw="2001:db8::1",priority="1024",proto="ra",src="",weight=""} 1' \
    'node_network_route_info{dest="2001:db8:100::/48",device="ve1",gw="2001:db8:1::1",priority="1024",proto="static",src="",weight="2"} 1' \
    'node_network_route_info{dest="2001:db8:100::/48",device="ve2",gw="2001:db8:2::1",priority="1024",proto="static",src="",weight="1"} 1'; do
    check "route: $want" has live "$want"
done
check "blackhole and unreachable routes are left out" \
    eval "! grep -qE '203\\.0\\.113\\.128|192\\.0\\.2\\.128' '$TMP/live.prom'"
check "routes per device: eth0" grep -qE '^node_network_routes\{device="eth0"\} [0-9]+$' "$TMP/live.prom"

# The same namespace recorded, then read back through the fixture seam.
record "$TMP/dump.bin"
netns_scrape fixture "$BIN" --collector.network_route --collector.network_route.fixture="$TMP/dump.bin"
if diff <(routes "$TMP/live.prom") <(routes "$TMP/fixture.prom") >"$TMP/fx.diff"; then
    ok "a recorded dump reads as the live kernel"
else
    not_ok "a recorded dump reads as the live kernel" "$(cat "$TMP/fx.diff")"
fi

# Debian's node_exporter (1.5) has the same collector: same series, same values.
ref=/usr/bin/prometheus-node-exporter
if [ -x "$ref" ]; then
    netns_scrape ref "$ref" --collector.network_route
    if diff <(routes "$TMP/ref.prom") <(routes "$TMP/live.prom") >"$TMP/ref.diff"; then
        ok "prometheus-node-exporter reports the same routes"
    else
        not_ok "prometheus-node-exporter reports the same routes" "$(cat "$TMP/ref.diff")"
    fi
fi

if command -v promtool >/dev/null; then
    check "promtool accepts the output" eval "promtool check metrics <'$TMP/live.prom' >/dev/null 2>&1"
fi

tap_summary
