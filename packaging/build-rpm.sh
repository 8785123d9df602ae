#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Builds the host-exporter .rpm into dist/ from a clean copy of the tree (the
# files git knows), with rpmbuild: on Fedora-like systems with their macros, on
# Debian with plain rpmbuild (package rpm), where the build dependencies are
# Debian packages rpm cannot see (--nodeps).
# Arguments after -- go to rpmbuild, e.g. --nocheck, or --load FILE for other
# macros (tests/package_test.sh simulates Fedora's with tests/rpm/macros.fedora).
#   packaging/build-rpm.sh [--out DIR] [-- RPMBUILD_ARGS...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/dist
while [ $# -gt 0 ]; do
    case $1 in
    --out) out=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--out DIR] [-- RPMBUILD_ARGS...]" >&2; exit 2 ;;
    esac
done
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
cp "$root/packaging/host-exporter.sysusers" "$work/SOURCES/"

nodeps=
[ -e /etc/debian_version ] && nodeps=--nodeps
# Debian's hardening flags (PIE, BIND_NOW, fortify, stack protector): %set_build_flags keeps
# them; on Fedora, redhat-rpm-config supplies its own.
if [ -n "$nodeps" ] && command -v dpkg-buildflags >/dev/null; then
    eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
fi
# shellcheck disable=SC2086 # nodeps is empty or one word
rpmbuild -bb $nodeps --define "_topdir $work" "$@" "$root/packaging/rpm/host-exporter.spec"
mkdir -p "$out"
find "$work/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
ls "$out"/*.rpm
