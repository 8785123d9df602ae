#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The ethtool collector's SIOCETHTOOL reader against the live kernel, in a
# network namespace this test creates (unshare -n, with a mount namespace so
# sysfs can be mounted for it): lo and a veth pair, one end with a dotted name,
# which answers ETHTOOL_GDRVINFO ("veth"), ETHTOOL_GSET and ETHTOOL_GSTATS
# (peer_ifindex and per-queue XDP counters). Checks driver info, the renamed
# statistics, the link families, the three filter flags, and, where Debian's
# node_exporter is installed, that both report the same series.
#
# Usage: ethtool_test.sh HOST_EXPORTER_BINARY
# Exits 77 (skipped), saying why, where namespaces or veth links cannot be
# created (not root, no unshare or ip, a container that refuses CLONE_NEWNET).
set -u

# shellcheck source=netns.sh
. "$(dirname "$0")/netns.sh"
netns_enter "-n -m" "ip curl mount" "$@"
BIN=$2
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
netns_workdir

setup() {
    mount --make-rprivate / &&
        mount -t sysfs sysfs /sys &&
        ip link set lo up &&
        ip link add veth-a type veth peer name veth.b &&
        ip link set veth-a up &&
        ip link set veth.b up
}

netns_setup_or_skip "veth needs CONFIG_VETH"
PEER_INDEX=$(cat /sys/class/net/veth.b/ifindex)
A_INDEX=$(cat /sys/class/net/veth-a/ifindex)

has() { grep -qF -- "$2" "$TMP/$1.prom"; }
lacks() { ! grep -qF -- "$2" "$TMP/$1.prom"; }

netns_scrape all "$BIN" --collector.ethtool
check "ethtool succeeds" has all 'node_scrape_collector_success{collector="ethtool"} 1'
check "driver info of veth-a" has all \
    'node_ethtool_info{bus_info="",device="veth-a",driver="veth",expansion_rom_version="",firmware_version=""'
check "driver info of the dotted veth" has all 'node_ethtool_info{bus_info="",device="veth.b",driver="veth"'
check "peer_ifindex of veth-a names its peer" has all \
    "node_ethtool_peer_ifindex{device=\"veth-a\"} $PEER_INDEX"
check "peer_ifindex of veth.b names veth-a" has all \
    "node_ethtool_peer_ifindex{device=\"veth.b\"} $A_INDEX"
check "rx_queue_0_xdp_tx is spelled received_..._transmitted" has all \
    'node_ethtool_received_queue_0_xdp_transmitted{device="veth-a"}'
check "statistics are untyped with upstream's HELP" has all \
    '# HELP node_ethtool_received_queue_0_drops Network interface rx_queue_0_drops'
check "GSET: veth does not autonegotiate" has all 'node_network_autonegotiate{device="veth-a"} 0'
check "GSET: capability families for veth.b" has all \
    'node_network_pause_supported{device="veth.b"} 0'
check "lo answers no ethtool request" lacks all 'device="lo"'

netns_scrape include "$BIN" --collector.ethtool --collector.ethtool.device-include='^veth-'
check "device-include keeps veth-a" has include 'node_ethtool_peer_ifindex{device="veth-a"}'
check "device-include drops veth.b" lacks include 'device="veth.b"'

netns_scrape exclude "$BIN" --collector.ethtool --collector.ethtool.device-exclude='\.'
check "device-exclude drops veth.b" lacks exclude 'device="veth.b"'
check "device-exclude keeps veth-a" has exclude 'node_ethtool_info{bus_info="",device="veth-a"'

netns_scrape metrics "$BIN" --collector.ethtool --collector.ethtool.metrics-include='^peer'
check "metrics-include keeps peer_ifindex" has metrics 'node_ethtool_peer_ifindex{device="veth-a"}'
check "metrics-include drops the queue counters" lacks metrics 'node_ethtool_received_queue'
check "metrics-include leaves driver info alone" has metrics 'node_ethtool_info{'

for f in "$TMP"/*.prom; do
    lint=$(promtool check metrics <"$f" 2>&1 | grep -v '^$')
    if [ -n "$lint" ]; then
        not_ok "promtool accepts $(basename "$f")" "$lint"
    else
        ok "promtool accepts $(basename "$f")"
    fi
done

# Debian's node_exporter (1.5) reads the same ioctls: the same series, and on idle
# veths the same values.
REF=/usr/bin/prometheus-node-exporter
if [ -x "$REF" ]; then
    netns_scrape ref "$REF" --collector.ethtool
    series() { grep -E '^node_(ethtool|network|scrape_collector_success)' "$1" | sort; }
    if diff <(series "$TMP/all.prom") <(series "$TMP/ref.prom") >"$TMP/ref.diff"; then
        ok "same samples as Debian's node_exporter"
    else
        not_ok "same samples as Debian's node_exporter" "$(cat "$TMP/ref.diff")"
    fi
else
    echo "# Debian's node_exporter is not installed: comparison skipped"
fi

tap_summary
