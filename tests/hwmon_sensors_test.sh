#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# hwmon's --collector.hwmon.sensors-config: the system's lm-sensors configuration
# applied through libsensors, which reads only the real /sys. In a private mount
# namespace tmpfs is mounted over /sys/class and /sys/devices holding a crafted
# hwmon tree as the kernel lays it out (a coretemp platform device with its
# subsystem link, so libsensors names it coretemp-isa-0000, and a virtual
# acpitz chip without a device link), and over /etc/sensors.d holding a
# configuration with label and ignore statements. The real binary is scraped
# with the option (labels replaced or added, ignored sensors gone from every
# family, libsensors' chip name in node_hwmon_chip_names) and without it (the
# sysfs labels, every sensor, no extra label), and with the option but a
# --path.sysfs other than /sys, where it must change nothing. The host's /sys and
# /etc are never touched.
#
# Usage: hwmon_sensors_test.sh HOST_EXPORTER_BINARY
# Exits 77 (skipped) where unshare or mount are not permitted or /sys is not sysfs.
set -u
BIN=$1

if [ "${HE_HWMON_TEST_INNER:-}" != 1 ]; then
    if ! command -v unshare >/dev/null || ! unshare -m --propagation private true 2>/dev/null; then
        echo "SKIP: cannot create a mount namespace (unshare -m needs root or CAP_SYS_ADMIN)"
        exit 77
    fi
    HE_HWMON_TEST_INNER=1 exec unshare -m --propagation private "$0" "$@"
fi

# Nothing mounted here may reach the host's namespace.
if ! mount --make-rprivate / 2>/dev/null; then
    echo "SKIP: cannot make the mount namespace private"
    exit 77
fi
# libsensors gives up unless /sys itself is a sysfs mount.
if [ "$(stat -f -c %T /sys 2>/dev/null)" != sysfs ]; then
    echo "SKIP: /sys is not a sysfs mount here"
    exit 77
fi
for m in /sys/class /sys/devices /etc/sensors.d; do
    mkdir -p "$m" 2>/dev/null
    if ! mount -t tmpfs -o mode=0755 tmpfs "$m" 2>/dev/null; then
        echo "SKIP: cannot mount a tmpfs on $m in the private namespace"
        exit 77
    fi
done

TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
PID=
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# attr FILE VALUE: a sysfs attribute, one value and a newline.
attr() { printf '%s\n' "$2" >"$1"; }

# coretemp.0: a platform device (subsystem -> bus/platform makes it ISA for
# libsensors) whose hwmon class device holds name and the attributes.
core=/sys/devices/platform/coretemp.0
mkdir -p "$core/hwmon/hwmon0" /sys/class/hwmon
ln -s ../../../bus/platform "$core/subsystem"
attr "$core/modalias" "platform:coretemp"
ln -s ../../../coretemp.0 "$core/hwmon/hwmon0/device"
ln -s ../../../../class/hwmon "$core/hwmon/hwmon0/subsystem"
h=$core/hwmon/hwmon0
attr "$h/name" coretemp
attr "$h/temp1_input" 45000
attr "$h/temp1_label" "Package id 0"
attr "$h/temp1_max" 100000
attr "$h/temp1_crit" 100000
attr "$h/temp1_crit_alarm" 0
attr "$h/temp2_input" 43000
attr "$h/temp2_label" "Core 0"
attr "$h/temp2_max" 100000
attr "$h/temp3_input" 44000
attr "$h/temp3_label" "Core 1"
attr "$h/temp3_max" 100000
attr "$h/temp3_crit_alarm" 0
attr "$h/temp4_input" 42000
ln -s ../../devices/platform/coretemp.0/hwmon/hwmon0 /sys/class/hwmon/hwmon0

# acpitz: a virtual chip without a device link.
v=/sys/devices/virtual/hwmon/hwmon1
mkdir -p "$v"
ln -s ../../../../class/hwmon "$v/subsystem"
attr "$v/name" acpitz
attr "$v/temp1_input" 27800
attr "$v/temp2_input" 29800
attr "$v/temp2_crit" 105000
ln -s ../../devices/virtual/hwmon/hwmon1 /sys/class/hwmon/hwmon1

cat >/etc/sensors.d/he-test.conf <<'CONF'
chip "coretemp-*"
    label temp2 "Core X"
    label temp4 "Spare"
    ignore temp3

chip "acpitz-virtual-*"
    label temp1 "Board"
    ignore temp2
CONF

# scrape OUT ARGS...: starts the binary with ARGS, scrapes it once into OUT.
scrape() {
    local out=$1
    shift
    "$BIN" --web.listen-address=127.0.0.1:0 --collector.disable-defaults --collector.hwmon \
        --web.disable-exporter-metrics --log.level=debug "$@" 2>"$out.log" &
    PID=$!
    local port=
    for _ in $(seq 200); do
        port=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p' "$out.log")
        [ -n "$port" ] && break
        sleep 0.05
    done
    curl -sf "http://127.0.0.1:$port/metrics" | grep '^node_hwmon_' >"$out"
    kill -TERM "$PID"
    wait "$PID"
    PID=
}

scrape "$TMP/on" --collector.hwmon.sensors-config
scrape "$TMP/off"
# The same tree through --path.sysfs given as another spelling of a copy: not /sys.
mkdir -p "$TMP/sys/class" "$TMP/sys/devices"
cp -a /sys/class/hwmon "$TMP/sys/class/"
cp -a /sys/devices/platform /sys/devices/virtual "$TMP/sys/devices/"
scrape "$TMP/elsewhere_on" --path.sysfs="$TMP/sys" --collector.hwmon.sensors-config
scrape "$TMP/elsewhere_off" --path.sysfs="$TMP/sys"

on() { grep -qxF "$1" "$TMP/on"; }
off() { grep -qxF "$1" "$TMP/off"; }
core_l='chip="platform_coretemp_0"'
acpi_l='chip="acpitz"'

if command -v sensors >/dev/null; then
    check "lm-sensors' own sensors program accepts the crafted tree and the configuration" \
        eval "sensors coretemp-isa-0000 2>&1 | grep -q '^Core X:'"
fi
check "libsensors was loaded with both chips" \
    grep -q 'msg="hwmon: lm-sensors configuration loaded through libsensors" chips=2' "$TMP/on.log"
check "a label statement replaces the sysfs label" \
    on "node_hwmon_sensor_label{$core_l,label=\"Core X\",sensor=\"temp2\"} 1"
check "a label statement labels a sensor without a _label file" \
    on "node_hwmon_sensor_label{$core_l,label=\"Spare\",sensor=\"temp4\"} 1"
check "a label statement labels a sensor of a chip without a device link" \
    on "node_hwmon_sensor_label{$acpi_l,label=\"Board\",sensor=\"temp1\"} 1"
check "sysfs labels without a label statement stay" \
    on "node_hwmon_sensor_label{$core_l,label=\"Package id 0\",sensor=\"temp1\"} 1"
check "an ignored sensor is gone from every family" \
    eval "! grep -q 'sensor=\"temp3\"' $TMP/on"
check "an ignored sensor of the virtual chip is gone" \
    eval "! grep -q \"$acpi_l.*sensor=\\\"temp2\\\"\" $TMP/on"
check "sensors not ignored are still read from sysfs" \
    on "node_hwmon_temp_celsius{$core_l,sensor=\"temp2\"} 43"
check "node_hwmon_chip_names carries libsensors' chip name" \
    on "node_hwmon_chip_names{$core_l,chip_name=\"coretemp\",sensors_chip=\"coretemp-isa-0000\"} 1"
check "the virtual chip's libsensors name" \
    on "node_hwmon_chip_names{$acpi_l,chip_name=\"acpitz\",sensors_chip=\"acpitz-virtual-0\"} 1"

check "without the option the sysfs label stays" \
    off "node_hwmon_sensor_label{$core_l,label=\"Core 0\",sensor=\"temp2\"} 1"
check "without the option every sensor is there" \
    off "node_hwmon_temp_celsius{$core_l,sensor=\"temp3\"} 44"
check "without the option node_hwmon_chip_names has upstream's labels" \
    off "node_hwmon_chip_names{$core_l,chip_name=\"coretemp\"} 1"
check "without the option no label statement applies" \
    eval "! grep -qE 'label=\"(Spare|Board|Core X)\"' $TMP/off"
check "with --path.sysfs elsewhere the option changes nothing" \
    cmp -s "$TMP/elsewhere_on" "$TMP/elsewhere_off"
check "and says why in its log" \
    grep -q 'applies only when --path.sysfs is /sys' "$TMP/elsewhere_on.log"
check "the copied tree gives what /sys gave without the option" \
    cmp -s "$TMP/elsewhere_off" "$TMP/off"
if command -v prometheus-node-exporter >/dev/null; then
    # Debian's node_exporter on the same tree: the option off must give its series.
    prometheus-node-exporter --web.listen-address=127.0.0.1:0 --collector.disable-defaults \
        --collector.hwmon 2>"$TMP/ne.log" &
    PID=$!
    port=
    for _ in $(seq 200); do
        port=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p;s/.*msg="Listening on" address=\[::\]:([0-9]+).*/\1/p' "$TMP/ne.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    curl -sf "http://127.0.0.1:$port/metrics" | grep '^node_hwmon_' | sort >"$TMP/ne"
    kill -TERM "$PID"
    wait "$PID"
    PID=
    sort "$TMP/off" >"$TMP/off.sorted"
    check "without the option the series are node_exporter's" \
        cmp -s "$TMP/ne" "$TMP/off.sorted"
fi
if [ "$failed" -gt 0 ]; then
    for f in on off; do
        echo "# --- $f"
        sed 's/^/#   /' "$TMP/$f"
    done
fi
tap_summary
