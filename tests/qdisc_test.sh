#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The qdisc collector against the live kernel, in a network namespace this
# test creates (unshare -n): a veth pair with an htb root, a pfifo child and an
# ingress qdisc on one end and a tbf root on the other (only root qdiscs are
# reported). The device filters are checked, and where Debian's node_exporter
# is installed its series names and labels are compared.
#
# Usage: qdisc_test.sh HOST_EXPORTER_BINARY
# Exits 77 (skipped), saying why, where the namespace cannot be set up (not root,
# no unshare, ip, tc or curl, a container that refuses CLONE_NEWNET, a kernel
# without veth, htb or tbf).
set -u
NE=/usr/bin/prometheus-node-exporter

# shellcheck source=netns.sh
. "$(dirname "$0")/netns.sh"
netns_enter "-n" "ip tc curl python3" "$@"
BIN=$2
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
netns_workdir

setup() {
    ip link set lo up &&
        ip link add va type veth peer name vb &&
        ip link set va up && ip link set vb up &&
        ip addr add 10.9.0.1/24 dev va &&
        tc qdisc add dev va root handle 1: htb default 10 &&
        tc class add dev va parent 1: classid 1:10 htb rate 10mbit &&
        tc qdisc add dev va parent 1:10 handle 10: pfifo limit 50 &&
        tc qdisc add dev va ingress &&
        tc qdisc add dev vb root tbf rate 1mbit burst 10k latency 10ms
}

netns_setup_or_skip "veth, htb and tbf"

# Some UDP datagrams to an unresolved neighbour make va's qdisc count packets.
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    try:
        s.sendto(b"x" * 100, ("10.9.0.9", 9))
    except OSError:
        pass
'

has() { grep -qxF -- "$2" "$TMP/$1.prom"; }
hasnt() { ! grep -qF -- "$2" "$TMP/$1.prom"; }

# series FILE PREFIX: the series (name and labels) of FILE starting with PREFIX, sorted.
series() { grep "^$2" "$1" | sed 's/ [^ ]*$//' | sort; }

netns_scrape qdisc "$BIN" --collector.qdisc
check "qdisc succeeds" has qdisc 'node_scrape_collector_success{collector="qdisc"} 1'
for want in 'device="lo",kind="noqueue"' 'device="va",kind="htb"' 'device="vb",kind="tbf"'; do
    check "qdisc reports the root $want" has qdisc "node_qdisc_requeues_total{$want} 0"
done
check "qdisc leaves out the pfifo child" hasnt qdisc 'kind="pfifo"'
check "qdisc leaves out the ingress qdisc" hasnt qdisc 'kind="ingress"'
check "qdisc counts va's packets" grep -qE \
    '^node_qdisc_packets_total\{device="va",kind="htb"\} [1-9]' "$TMP/qdisc.prom"
check "qdisc: seven families per root qdisc" \
    test "$(grep -c '^node_qdisc_.*device="va"' "$TMP/qdisc.prom")" = 7

netns_scrape qdisc-include "$BIN" --collector.qdisc --collector.qdisc.device-include='^vb$'
check "device-include keeps vb only" \
    test "$(grep '^node_qdisc_' "$TMP/qdisc-include.prom" | grep -vc 'device="vb"')" = 0
check "device-include: vb is there" has qdisc-include 'node_qdisc_drops_total{device="vb",kind="tbf"} 0'
netns_scrape qdisc-exclude "$BIN" --collector.qdisc --collector.qdisk.device-exclude='^v'
check "deprecated qdisk.device-exclude drops the veths" hasnt qdisc-exclude 'device="v'
check "deprecated qdisk.device-exclude keeps lo" has qdisc-exclude \
    'node_qdisc_drops_total{device="lo",kind="noqueue"} 0'
check "deprecated qdisk.device-exclude is logged as such" grep -q DEPRECATED "$TMP/qdisc-exclude.log"
netns_scrape qdisc-both "$BIN" --collector.qdisc --collector.qdisc.device-include=a \
    --collector.qdisc.device-exclude=b
check "device-include with device-exclude is refused" has qdisc-both \
    'node_scrape_collector_success{collector="qdisc"} 0'

if [ -x "$NE" ]; then
    netns_scrape ne-qdisc "$NE" --collector.qdisc
    if diff <(series "$TMP/ne-qdisc.prom" node_qdisc_) <(series "$TMP/qdisc.prom" node_qdisc_) \
        >"$TMP/q.diff"; then
        ok "qdisc has node_exporter's series"
    else
        not_ok "qdisc has node_exporter's series" "$(cat "$TMP/q.diff")"
    fi
else
    ok "# SKIP node_exporter comparison: $NE is not installed"
fi

for f in "$TMP"/qdisc*.prom; do
    if lint=$(promtool check metrics <"$f" 2>&1); then
        ok "promtool accepts $(basename "$f")"
    else
        not_ok "promtool accepts $(basename "$f")" "$lint"
    fi
done

tap_summary
