#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# diskstats' udev properties through libudev, the source used on a live host
# (--path.udev.data at its default /run/udev/data). In a private mount namespace
# a tmpfs is mounted on /run/udev/data (on a tmpfs /run first where the host has
# no such directory), holding a crafted database entry b<major>:<minor> for a
# real block device of this machine; the real binary is scraped and node_disk_info,
# node_disk_filesystem_info and the ATA gauges must carry the crafted properties,
# taken from libudev (its debug line says so), and read again once the entry is
# replaced as udev replaces it. A second device without an entry
# must get empty labels, as node_exporter gives it, although libudev still knows
# its kernel uevent keys. The host's /run is never touched.
#
# Usage: udev_test.sh HOST_EXPORTER_BINARY
# Exits 77 (skipped) where unshare or mount are not permitted, or the machine
# has no block device.
set -u
BIN=$1

if [ "${HE_UDEV_TEST_INNER:-}" != 1 ]; then
    if ! command -v unshare >/dev/null || ! unshare -m --propagation private true 2>/dev/null; then
        echo "SKIP: cannot create a mount namespace (unshare -m needs root or CAP_SYS_ADMIN)"
        exit 77
    fi
    HE_UDEV_TEST_INNER=1 exec unshare -m --propagation private "$0" "$@"
fi

# Two real block devices, disks with a device (vda, sda, nvme0n1) before virtual
# ones (loop, zram): the first gets the crafted entry, the second none.
devices=()
for d in /sys/block/*; do
    [ -r "$d/dev" ] && [ -e "$d/device" ] && devices+=("$(basename "$d")")
done
for d in /sys/block/*; do
    [ -r "$d/dev" ] && [ ! -e "$d/device" ] && devices+=("$(basename "$d")")
done
if [ "${#devices[@]}" -lt 1 ]; then
    echo "SKIP: this machine has no block device in /sys/block"
    exit 77
fi
DEV=${devices[0]}
OTHER=${devices[1]:-}
MAJMIN=$(cat "/sys/block/$DEV/dev")

if [ ! -d /run/udev/data ]; then
    if ! mount -t tmpfs -o mode=0755 tmpfs /run 2>/dev/null || ! mkdir -p /run/udev/data; then
        echo "SKIP: cannot mount a tmpfs on /run in the private namespace"
        exit 77
    fi
fi
if ! mount -t tmpfs -o mode=0755 tmpfs /run/udev/data 2>/dev/null; then
    echo "SKIP: cannot mount a tmpfs on /run/udev/data in the private namespace"
    exit 77
fi

TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
PID=
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# The entry as udev writes it: symlinks, priority, init time, properties, tags.
cat >"/run/udev/data/b$MAJMIN" <<ENTRY
S:disk/by-id/he-test-disk
W:5
I:123456789
E:ID_ATA=1
E:ID_MODEL=HE_Test_Model
E:ID_SERIAL=HE_Test_Model_HE-SERIAL-42
E:ID_SERIAL_SHORT=HE-SERIAL-42
E:ID_REVISION=HE01
E:ID_WWN=0x5000000000000042
E:ID_PATH=pci-0000:42:00.0-ata-7
E:ID_FS_TYPE=ext4
E:ID_FS_USAGE=filesystem
E:ID_FS_UUID=42424242-4242-4242-4242-424242424242
E:ID_FS_VERSION=1.0
E:ID_ATA_WRITE_CACHE=1
E:ID_ATA_WRITE_CACHE_ENABLED=0
E:ID_ATA_ROTATION_RATE_RPM=7200
G:systemd
V:1
ENTRY

include="^($DEV${OTHER:+|$OTHER})\$"
"$BIN" --web.listen-address=127.0.0.1:0 --collector.disable-defaults --collector.diskstats \
    --web.disable-exporter-metrics --collector.diskstats.device-exclude= \
    --collector.diskstats.device-include="$include" --log.level=debug 2>"$TMP/log" &
PID=$!
PORT=
for _ in $(seq 200); do
    PORT=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p' "$TMP/log")
    [ -n "$PORT" ] && break
    sleep 0.05
done
curl -sf "http://127.0.0.1:$PORT/metrics" -o "$TMP/out"
# udev rewrites an entry by renaming a new file over it: the next scrape must see it.
sed 's/^E:ID_MODEL=.*/E:ID_MODEL=HE_Replaced_Model/' "/run/udev/data/b$MAJMIN" >"/run/udev/data/.tmp"
mv "/run/udev/data/.tmp" "/run/udev/data/b$MAJMIN"
curl -sf "http://127.0.0.1:$PORT/metrics" -o "$TMP/out2"
kill -TERM "$PID"
wait "$PID"
PID=

has() { grep -qxF "$1" "$TMP/out"; }
info="node_disk_info{device=\"$DEV\",major=\"${MAJMIN%%:*}\",minor=\"${MAJMIN##*:}\""
info="$info,model=\"HE_Test_Model\",path=\"pci-0000:42:00.0-ata-7\",revision=\"HE01\""
rot=$(grep -o "^node_disk_info{device=\"$DEV\",.*rotational=\"[01]*\"" "$TMP/out" |
    sed -E 's/.*rotational="([01]*)"/\1/')
check "node_disk_info carries the crafted properties of $DEV ($MAJMIN)" \
    has "$info,rotational=\"$rot\",serial=\"HE-SERIAL-42\",wwn=\"0x5000000000000042\"} 1"
check "node_disk_filesystem_info from the entry's ID_FS_*" \
    has "node_disk_filesystem_info{device=\"$DEV\",type=\"ext4\",usage=\"filesystem\",uuid=\"42424242-4242-4242-4242-424242424242\",version=\"1.0\"} 1"
check "node_disk_ata_rotation_rate_rpm from ID_ATA_ROTATION_RATE_RPM" \
    has "node_disk_ata_rotation_rate_rpm{device=\"$DEV\"} 7200"
check "node_disk_ata_write_cache_enabled from ID_ATA_WRITE_CACHE_ENABLED" \
    has "node_disk_ata_write_cache_enabled{device=\"$DEV\"} 0"
check "the properties came from libudev" \
    grep -q "msg=\"udev: properties from libudev\" path=/run/udev/data/b$MAJMIN" "$TMP/log"
check "a rewritten entry is read again on the next scrape" \
    grep -q "^node_disk_info{device=\"$DEV\",.*model=\"HE_Replaced_Model\"" "$TMP/out2"
if [ -n "$OTHER" ]; then
    check "$OTHER, without a database entry, has empty udev labels" \
        grep -qE "^node_disk_info\{device=\"$OTHER\",.*model=\"\",path=\"\",revision=\"\",rotational=\"[01]*\",serial=\"\",wwn=\"\"\} 1$" "$TMP/out"
    check "$OTHER has no filesystem or ATA series" \
        eval "! grep -qE '^node_disk_(filesystem_info|ata_[a-z_]+)\{device=\"$OTHER\"' $TMP/out"
fi
tap_summary
