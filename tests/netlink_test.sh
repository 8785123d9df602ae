#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The netlink readers against the live kernel, in a network namespace this test
# creates (unshare -n, with a mount namespace so sysfs can be mounted for it):
# lo, a veth pair with odd names, a down veth pair, IPv4/IPv6 addresses, an interface alias and
# static ARP entries. Each collector's netlink variant is compared with its
# /proc variant on series names and labels (values may move between scrapes;
# netlink's node_network_receive_nohandler_total has no /proc/net/dev column, as
# upstream), and the address-info and netclass output is checked against what
# was configured.
#
# Usage: netlink_test.sh HOST_EXPORTER_BINARY
# Exits 77 (skipped), saying why, where namespaces cannot be created (not root,
# no unshare or ip, a container that refuses CLONE_NEWNET).
set -u
# shellcheck source=netns.sh
. "$(dirname "$0")/netns.sh"
netns_enter "-n -m" "ip curl mount" "$@"
BIN=$2
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
netns_workdir

# The namespace: sysfs mounted privately so class/net lists its interfaces.
setup() {
    mount --make-rprivate / &&
        mount -t sysfs sysfs /sys &&
        ip link set lo up &&
        ip link add veth-a type veth peer name veth.b-0123456 &&
        ip link set veth-a mtu 1280 &&
        ip link set veth-a alias 'uplink "x"' &&
        ip link set veth-a up &&
        ip link set veth.b-0123456 up &&
        ip link add veth-down type veth peer name veth-down-peer &&
        ip addr add 10.9.0.1/24 dev veth-a &&
        ip addr add fd00:9::1/64 dev veth-a nodad &&
        ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev veth-a nud permanent &&
        ip neigh add 10.9.0.3 lladdr 02:00:00:00:00:03 dev veth-a nud stale &&
        ip neigh add 10.9.0.4 lladdr 02:00:00:00:00:04 dev veth.b-0123456 nud reachable &&
        ip neigh add fd00:9::2 lladdr 02:00:00:00:00:02 dev veth-a nud permanent
}

netns_setup_or_skip "sysfs, veth, addresses and neighbours"

# series FILE: the series (name and labels) of FILE without values, sorted.
series() { grep -v '^#' "$1" | grep -v '^node_scrape_collector_duration' | sed 's/ [^ ]*$//' | sort; }

has() { grep -qF -- "$2" "$TMP/$1.prom"; }

same_series() {
    local diff
    if diff=$(diff <(series "$TMP/$1.prom" | grep -v "${3:-^$}") \
        <(series "$TMP/$2.prom" | grep -v "${3:-^$}")); then
        ok "$1 and $2 have the same series"
    else
        not_ok "$1 and $2 have the same series" "$diff"
    fi
}

netns_scrape netdev-nl "$BIN" --collector.netdev
netns_scrape netdev-proc "$BIN" --collector.netdev --no-collector.netdev.netlink
same_series netdev-nl netdev-proc '^node_network_receive_nohandler_total'
check "netlink netdev reports receive_nohandler" has netdev-nl \
    'node_network_receive_nohandler_total{device="veth-a"}'
check "netdev lists the veth with a dotted name" has netdev-nl \
    'node_network_transmit_bytes_total{device="veth.b-0123456"}'
check "netdev succeeds over netlink" has netdev-nl \
    'node_scrape_collector_success{collector="netdev"} 1'

netns_scrape netdev-include "$BIN" --collector.netdev --collector.netdev.device-include='^veth'
check "device-include keeps veth-a" has netdev-include 'node_network_receive_bytes_total{device="veth-a"}'
check "device-include drops lo" eval "! grep -q 'device=\"lo\"' '$TMP/netdev-include.prom'"

netns_scrape netdev-detail "$BIN" --collector.netdev --collector.netdev.enable-detailed-metrics
check "detailed netlink counters" has netdev-detail \
    'node_network_receive_missed_errors_total{device="veth-a"}'

netns_scrape netdev-alias "$BIN" --collector.netdev --collector.netdev.label-ifalias
check "ifalias label from sysfs" has netdev-alias \
    'node_network_receive_bytes_total{device="veth-a",ifalias="uplink \"x\""}'

netns_scrape addrs "$BIN" --collector.netdev --collector.netdev.address-info
for want in 'address="10.9.0.1",device="veth-a",netmask="24",scope="global"' \
    'address="fd00:9::1",device="veth-a",netmask="64",scope="global"' \
    'address="127.0.0.1",device="lo",netmask="8",scope="link-local"' \
    'address="::1",device="lo",netmask="128",scope="link-local"'; do
    check "address-info: $want" has addrs "node_network_address_info{$want} 1"
done
check "address-info: IPv6 link-local address of veth-a" \
    grep -qE 'node_network_address_info\{address="fe80::[0-9a-f:]+",device="veth-a",netmask="64",scope="link-local"\} 1' \
    "$TMP/addrs.prom"

netns_scrape arp-nl "$BIN" --collector.arp
netns_scrape arp-proc "$BIN" --collector.arp --no-collector.arp.netlink
if diff "$TMP/arp-nl.prom" "$TMP/arp-proc.prom" | grep -q '^[<>] node_arp'; then
    not_ok "arp over netlink matches /proc/net/arp" "$(diff "$TMP/arp-nl.prom" "$TMP/arp-proc.prom")"
else
    ok "arp over netlink matches /proc/net/arp"
fi
check "arp counts the two IPv4 entries of veth-a" has arp-nl 'node_arp_entries{device="veth-a"} 2'
check "arp counts the dotted veth" has arp-nl 'node_arp_entries{device="veth.b-0123456"} 1'

netns_scrape netclass "$BIN" --collector.netclass
check "netclass: mtu of veth-a" has netclass 'node_network_mtu_bytes{device="veth-a"} 1280'
check "netclass: veth-a is up" has netclass 'node_network_up{device="veth-a"} 1'
check "netclass: carrier of veth-a" has netclass 'node_network_carrier{device="veth-a"} 1'
# a down veth: sysfs answers EINVAL for its carrier, speed and duplex
check "netclass: a down interface is not up" has netclass 'node_network_up{device="veth-down"} 0'
check "netclass: EINVAL carrier of a down interface is left out" \
    eval "! grep -q 'node_network_carrier{device=\"veth-down\"}' '$TMP/netclass.prom'"
check "netclass: EINVAL speed of a down interface is left out" \
    eval "! grep -q 'node_network_speed_bytes{device=\"veth-down\"}' '$TMP/netclass.prom'"
check "netclass succeeds with a down interface" has netclass \
    'node_scrape_collector_success{collector="netclass"} 1'
check "netclass: ifalias in info" grep -qE \
    '^node_network_info\{.*device="veth-a".*ifalias="uplink \\"x\\"".*\} 1$' "$TMP/netclass.prom"

netns_scrape netclass-nl "$BIN" --collector.netclass --collector.netclass.netlink
# the variants share these families; info's labels and dormant differ, as upstream's do
shared='^node_network_(up|mtu_bytes|carrier|carrier_changes_total|flags|iface_id|iface_link|protocol_type|transmit_queue_length|net_dev_group|address_assign_type|name_assign_type|device_id)\{'
# (netlink has a carrier for down interfaces too, where sysfs answers EINVAL)
if diff <(series "$TMP/netclass.prom" | grep -E "$shared") \
    <(series "$TMP/netclass-nl.prom" | grep -E "$shared" |
        grep -v '^node_network_carrier{device="veth-down') >"$TMP/nc.diff"; then
    ok "netclass over netlink has sysfs's series"
else
    not_ok "netclass over netlink has sysfs's series" "$(cat "$TMP/nc.diff")"
fi
check "netclass over netlink: mtu of veth-a" has netclass-nl \
    'node_network_mtu_bytes{device="veth-a"} 1280'
check "netclass over netlink: ethtool speed of veth-a" has netclass-nl \
    'node_network_speed_bytes{device="veth-a"} 1.25e+09'
check "netclass over netlink: duplex and ifalias in info" grep -qE \
    '^node_network_info\{.*device="veth-a",duplex="Full",ifalias="uplink \\"x\\"",operstate="up"\} 1$' \
    "$TMP/netclass-nl.prom"
netns_scrape netclass-stats "$BIN" --collector.netclass --collector.netclass.netlink \
    --collector.netclass_rtnl.with-stats
check "netclass_rtnl.with-stats: statistics as gauges" has netclass-stats \
    '# TYPE node_network_receive_bytes_total gauge'

# promtool: no parse error, and no lint but what upstream's own names get
# (netclass_rtnl.with-stats reports counters as gauges named *_total).
for f in "$TMP"/*.prom; do
    lint=$(promtool check metrics <"$f" 2>&1 |
        grep -v 'non-counter metrics should not have "_total" suffix' | grep -v '^$')
    if [ -n "$lint" ]; then
        not_ok "promtool accepts $(basename "$f")" "$lint"
    else
        ok "promtool accepts $(basename "$f")"
    fi
done

tap_summary
