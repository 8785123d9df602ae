#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Builds the host-exporter .rpm into dist/ from a clean copy of the tree (the
# files git knows), with rpmbuild: on Fedora-like systems with their macros, on
# Debian with plain rpmbuild (package rpm), where the build dependencies are
# Debian packages rpm cannot see (--nodeps).
#   packaging/build-rpm.sh [--out DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/dist
[ "${1:-}" != --out ] || out=$2
version=$(sed -nE "s/^ *version : '([^']+)'.*/\1/p" "$root/meson.build" | head -1)

work=$(mktemp -d /tmp/host-exporter-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES" "$work/host-exporter-$version"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard |
        tar cf - -C "$root" --null --no-recursion -T - | tar xf - -C "$work/host-exporter-$version"
else
    (cd "$root" && tar cf - --exclude='./build*' --exclude=./dist .) | tar xf - -C "$work/host-exporter-$version"
fi
rm -rf "$work/host-exporter-$version/dist"
tar czf "$work/SOURCES/host-exporter-$version.tar.gz" -C "$work" "host-exporter-$version"

nodeps=
[ -e /etc/debian_version ] && nodeps=--nodeps
# shellcheck disable=SC2086 # nodeps is empty or one word
rpmbuild -bb $nodeps --define "_topdir $work" "$root/packaging/rpm/host-exporter.spec"
mkdir -p "$out"
find "$work/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
ls "$out"/*.rpm
