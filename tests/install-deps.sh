#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Installs what host_exporter needs on Debian/Ubuntu, as root:
#   install-deps.sh build   compiler, meson, libmicrohttpd, zlib, libsystemd (sd-bus,
#                           socket activation), libmnl (rtnetlink), libudev, libcurl
#                           (GnuTLS; push mode), libsensors (hwmon's lm-sensors
#                           configuration option), and for --web.config.file
#                           libyaml, GnuTLS (certificates, client verification) and
#                           libxcrypt (crypt_r for bcrypt); scdoc (the man pages,
#                           man/*.scd)
#   install-deps.sh test    the above plus Check and the test consumers: curl,
#                           promtool (package prometheus), prometheus_client;
#                           valgrind for the allocation test; for the D-Bus
#                           collectors' test a bare dbus-daemon (no system bus
#                           service) with python3-dbus and python3-gi; FUSE (fuse3,
#                           python3-fusepy) for the filesystem collector's hung
#                           mount test and the hardware collectors' EIO/EACCES test; and what the benchmark's smoke test
#                           compares with and measures by: prometheus-node-exporter,
#                           wrk, strace; prometheus-pushgateway and openssl for
#                           push mode's test; for the package test (.ci/run,
#                           tests/package_test.sh) debhelper, dpkg-dev, fakeroot,
#                           lintian, rpm, rpmlint; python3-seccomp to apply the
#                           unit's system call filter by hand
#                           (tests/unit_sandbox_test.sh); clang with its libFuzzer
#                           runtime (libclang-rt-dev) for the fuzz targets;
#                           apache2-utils (htpasswd -B: bcrypt hashes) for the basic
#                           auth and TLS tests, systemd for systemd-socket-activate
# Test tools come without recommended packages, and no service is started while
# installing (a temporary policy-rc.d): Debian's prometheus package would
# otherwise start a server on :9090, prometheus-node-exporter one on :9100 and
# prometheus-pushgateway one on :9091.
set -eu
mode=${1:-build}
build_pkgs="build-essential meson ninja-build pkg-config git libmicrohttpd-dev zlib1g-dev libsystemd-dev libmnl-dev libudev-dev libcurl4-gnutls-dev libyaml-dev libgnutls28-dev libcrypt-dev scdoc libsensors-dev"
test_pkgs="check curl ca-certificates iproute2 prometheus python3 python3-prometheus-client
    valgrind dbus-daemon python3-dbus python3-gi fuse3 python3-fusepy prometheus-node-exporter
    wrk strace prometheus-pushgateway openssl debhelper dpkg-dev fakeroot lintian rpm rpmlint
    python3-seccomp clang libclang-rt-dev apache2-utils systemd"

case $mode in
build) pkgs=$build_pkgs ;;
test) pkgs="$build_pkgs $test_pkgs" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
fi
cleanup() { [ -z "$made_policy" ] || rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the lists are words
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
