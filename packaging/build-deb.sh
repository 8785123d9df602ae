#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Builds the host-exporter .deb into dist/ from a clean copy of the tree (the
# files git knows, committed or not, without build directories), as root on
# Debian or Ubuntu:
#   packaging/build-deb.sh [--no-deps] [--out DIR]
# (DIR defaults to dist/) installs the build dependencies first (apt-get, retried while another process
# holds the dpkg lock) unless --no-deps. debian/ is assembled from packaging/deb/
# plus the unit, sysusers file and defaults generator shared with the RPM.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
deps=1
out=$root/dist
while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) deps= ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--no-deps] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done

# apt-get, retried for up to 5 minutes while dpkg is locked by someone else.
apt_retry() {
    tries=0
    until DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@"; do
        tries=$((tries + 1))
        [ $tries -lt 5 ] || return 1
        echo "build-deb: apt-get failed (dpkg lock?), retrying" >&2
        sleep 10
    done
}

if [ -n "$deps" ]; then
    apt_retry install -y -qq --no-install-recommends build-essential debhelper \
        dpkg-dev fakeroot check libcrypt-dev libcurl4-gnutls-dev libgnutls28-dev libmicrohttpd-dev libmnl-dev libsensors-dev libsystemd-dev \
        libudev-dev libyaml-dev meson ninja-build pkg-config scdoc zlib1g-dev >/dev/null
fi

work=$(mktemp -d /tmp/host-exporter-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/host-exporter
mkdir "$src"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard |
        tar cf - -C "$root" --null --no-recursion -T - | tar xf - -C "$src"
else
    (cd "$root" && tar cf - --exclude='./build*' --exclude=./dist .) | tar xf - -C "$src"
fi
rm -rf "$src/debian" "$src/dist"
cp -r "$root/packaging/deb" "$src/debian"
cp "$root/packaging/host-exporter.service" "$src/debian/host-exporter.service"
cp "$root/packaging/host-exporter.socket" "$src/debian/host-exporter.socket"
cp "$root/packaging/host-exporter.sysusers" "$src/debian/host-exporter.sysusers.conf"
cp "$root/packaging/gen-default.sh" "$src/debian/gen-default.sh"

(cd "$src" && dpkg-buildpackage -b -us -uc)
mkdir -p "$out"
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
    [ ! -e "$f" ] || cp "$f" "$out/"
done
ls "$out"/*.deb
