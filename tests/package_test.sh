#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The Debian package end to end, as root on a throwaway Debian/Ubuntu machine:
# builds the .deb from a clean copy of the tree (packaging/build-deb.sh), runs
# lintian (any warning or error fails), builds the .rpm with plain rpmbuild and
# runs rpmlint with packaging/rpm/rpmlint.toml (same rule), checks the unit's systemd-analyze
# exposure (<= 2.0), installs the package with dpkg -i (removing Debian's
# prometheus-node-exporter first: both serve :9100), checks the defaults file
# against --help, runs the installed binary as user prometheus on a loopback port
# with the defaults file's ARGS, scrapes it, compares collector success with a
# root run, then purges the package and checks that nothing is left but the
# prometheus user and group (Debian policy keeps system users).
# prometheus-node-exporter is reinstalled afterwards if it was installed before
# (other tests compare with /usr/bin/prometheus-node-exporter).
#   package_test.sh SOURCE_ROOT
# HE_PACKAGE_TEST_NO_INSTALL=1: build and lint only (no dpkg -i, no purge).
# Exits 77 (skipped) when not root or without apt.
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)

skip() { echo "package_test: skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i, purge, a prometheus user)"
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then skip "not a Debian system"; fi

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

work=$(mktemp -d /tmp/package_test.XXXXXX)
pids=()
ne_was_installed=
made_policy=
policy=/usr/sbin/policy-rc.d

# apt-get/dpkg retried while another process holds the dpkg lock.
retry() {
    for _ in 1 2 3 4 5 6; do
        "$@" && return 0
        echo "package_test: '$*' failed, retrying (dpkg lock?)" >&2
        sleep 10
    done
    return 1
}

cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if dpkg-query -W -f='${Status}' host-exporter 2>/dev/null | grep -q installed; then
        dpkg --purge host-exporter >/dev/null || true
    fi
    if [ -n "$ne_was_installed" ] && ! [ -x /usr/bin/prometheus-node-exporter ]; then
        echo "package_test: reinstalling prometheus-node-exporter"
        DEBIAN_FRONTEND=noninteractive retry apt-get -o DPkg::Lock::Timeout=60 install -y -qq \
            --no-install-recommends prometheus-node-exporter >/dev/null || true
    fi
    [ -z "$made_policy" ] || rm -f "$policy"
    rm -rf "$work"
}
trap cleanup EXIT

# No service is started by maintainer scripts while this runs (no :9100 daemon).
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
fi

# --- build -----------------------------------------------------------------
deps=--no-deps
command -v dpkg-buildpackage >/dev/null && [ -x /usr/bin/dh ] || deps=
"$src/packaging/build-deb.sh" $deps --out "$work/dist" >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log"
    bad "build-deb.sh"
    exit 1
}
deb=$(ls "$work"/dist/host-exporter_*.deb)
ok "built $(basename "$deb")"

# --- lintian ---------------------------------------------------------------
command -v lintian >/dev/null || retry apt-get -o DPkg::Lock::Timeout=60 install -y -qq \
    --no-install-recommends lintian >/dev/null
lintian -I --pedantic "$deb" 2>&1 | grep -v 'running with root privileges' >"$work/lintian" || true
cat "$work/lintian"
if grep -qE '^[EW]: ' "$work/lintian"; then bad "lintian errors or warnings"; else ok "lintian: no errors or warnings"; fi

# --- the unit's exposure -----------------------------------------------------
exposure=$(systemd-analyze security --offline=true --no-pager \
    "$src/packaging/host-exporter.service" 2>&1 | sed -nE 's/.*Overall exposure level for .*: ([0-9.]+).*/\1/p')
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    ok "systemd-analyze security exposure $exposure <= 2.0"
else
    bad "systemd-analyze security exposure '${exposure}' (want <= 2.0)"
fi

# --- the RPM, built with plain rpmbuild here, and rpmlint ---------------------
if ! command -v rpmbuild >/dev/null || ! command -v rpmlint >/dev/null; then
    retry apt-get -o DPkg::Lock::Timeout=60 install -y -qq --no-install-recommends rpm rpmlint >/dev/null
fi
if "$src/packaging/build-rpm.sh" --out "$work/rpm" >"$work/rpm.log" 2>&1; then
    rpm=$(ls "$work"/rpm/host-exporter-*.rpm)
    ok "built $(basename "$rpm")"
    rpm -qlp "$rpm" >"$work/rpm.files"
    for f in /usr/bin/host_exporter /etc/sysconfig/host-exporter /usr/lib/systemd/system/host-exporter.service \
        /usr/lib/systemd/system/host-exporter.socket \
        /usr/lib/sysusers.d/host-exporter.conf /usr/share/man/man1/host_exporter.1.gz \
        /usr/share/man/man5/host_exporter-web-config.5.gz /var/lib/prometheus/node-exporter; do
        grep -qx "$f" "$work/rpm.files" || bad "$f missing from the rpm"
    done
    if rpmlint -c "$src/packaging/rpm/rpmlint.toml" "$rpm" "$src/packaging/rpm/host-exporter.spec" >"$work/rpmlint" 2>&1 &&
        ! grep -qE ': [EW]: ' "$work/rpmlint"; then
        ok "rpmlint: no errors or warnings"
    else
        cat "$work/rpmlint"
        bad "rpmlint"
    fi
else
    tail -40 "$work/rpm.log"
    bad "build-rpm.sh"
fi

# --- the RPM along Fedora's path: its macros simulated (tests/rpm/macros.fedora) ---
# --nocheck: the unit tests ran in the builds above. The scriptlets must be the
# ones %systemd_* and %sysusers_create_compat make; with %__systemd_sysusers
# defined (rpm's own sysusers.d support, Fedora 42) there must be no %pre.
fedora=(--load "$src/tests/rpm/macros.fedora" --define "_he_fedora_sim $src/tests/rpm")
if "$src/packaging/build-rpm.sh" --out "$work/rpm-fedora" -- --nocheck "${fedora[@]}" >"$work/rpm-fedora.log" 2>&1; then
    frpm=$(ls "$work"/rpm-fedora/host-exporter-*.rpm)
    rpm -qp --scripts "$frpm" >"$work/rpm-fedora.scripts" 2>&1
    rpm -qlp "$frpm" >"$work/rpm-fedora.files"
    if grep -q "useradd -r -g 'prometheus'" "$work/rpm-fedora.scripts" &&
        grep -q 'systemctl --no-reload preset host-exporter.service host-exporter.socket' "$work/rpm-fedora.scripts" &&
        grep -q 'systemctl try-restart host-exporter.service' "$work/rpm-fedora.scripts" &&
        grep -qx /usr/share/man/man1/host_exporter.1.gz "$work/rpm-fedora.files"; then
        ok "built $(basename "$frpm") with Fedora's macros (sysusers compat, systemd scriptlets)"
    else
        cat "$work/rpm-fedora.scripts"
        bad "the Fedora-macro RPM lacks the expected scriptlets or files"
    fi
    if rpmlint -c "$src/packaging/rpm/rpmlint.toml" "$frpm" >"$work/rpmlint-fedora" 2>&1 &&
        ! grep -qE ': [EW]: ' "$work/rpmlint-fedora"; then
        ok "rpmlint (Fedora macros): no errors or warnings"
    else
        cat "$work/rpmlint-fedora"
        bad "rpmlint (Fedora macros)"
    fi
else
    tail -40 "$work/rpm-fedora.log"
    bad "build-rpm.sh with Fedora's macros"
fi
mkdir -p "$work/f42/SOURCES"
cp "$src/packaging/host-exporter.sysusers" "$work/f42/SOURCES/"
if rpmspec -P "${fedora[@]}" --define "_topdir $work/f42" --define '__systemd_sysusers /usr/bin/systemd-sysusers' \
    "$src/packaging/rpm/host-exporter.spec" >"$work/f42.spec" 2>&1 &&
    grep -q '^%post' "$work/f42.spec" && ! grep -q '^%pre$' "$work/f42.spec"; then
    ok "with rpm's own sysusers.d support (Fedora 42) the spec has no %pre"
else
    cat "$work/f42.spec"
    bad "the spec keeps a %pre under rpm's sysusers.d support"
fi

# HE_PACKAGE_TEST_NO_INSTALL=1 stops here: the builds and lints only, for a
# shared machine where removing prometheus-node-exporter would disturb others.
if [ -n "${HE_PACKAGE_TEST_NO_INSTALL:-}" ]; then
    echo "package_test: HE_PACKAGE_TEST_NO_INSTALL set, install, scrape and purge not run"
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
    exit
fi

# --- install ---------------------------------------------------------------
if dpkg-query -W -f='${Status}' prometheus-node-exporter 2>/dev/null | grep -q 'ok installed'; then
    ne_was_installed=1
    retry dpkg -r prometheus-node-exporter >/dev/null
fi
snapshot() {
    find /etc /usr /lib /var/lib -xdev \
        -path /var/lib/dpkg -prune -o -path /var/lib/apt -prune -o -path /var/lib/systemd/deb-systemd-helper-enabled -prune -o \
        -path /var/lib/ucf -prune -o -print 2>/dev/null | LC_ALL=C sort
}
snapshot >"$work/before"
retry dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; bad "dpkg -i"; exit 1; }
ok "dpkg -i $(basename "$deb")"
if id prometheus >/dev/null 2>&1 && getent group prometheus >/dev/null; then ok "user and group prometheus"; else bad "no prometheus user/group"; fi
# The installed units, with their man: links against the installed pages.
units=$(dpkg -L host-exporter | grep -E '/systemd/system/host-exporter\.(service|socket)$' || true)
# shellcheck disable=SC2086 # two paths
if [ "$(echo "$units" | wc -w)" = 2 ] && systemd-analyze verify --man=yes $units >"$work/verify" 2>&1 &&
    ! grep -q . "$work/verify"; then
    ok "systemd-analyze verify on the installed service and socket"
else
    cat "$work/verify" 2>/dev/null || true
    bad "systemd-analyze verify on the installed units ($units)"
fi
if [ -z "$(find /etc/systemd/system -name 'host-exporter.socket' 2>/dev/null)" ]; then
    ok "the socket is installed, not enabled"
else
    bad "the socket was enabled by the install"
fi

bin=/usr/bin/host_exporter
"$bin" --help >"$work/help" 2>&1
# Every flag --help lists appears in the defaults file.
missing=0
while read -r flag; do
    grep -qF -- "#  $flag" /etc/default/host-exporter || { echo "missing from /etc/default/host-exporter: $flag"; missing=1; }
done < <(sed -nE 's/^ *(-h, )?(--[^ ]+).*/\2/p' "$work/help")
if [ $missing = 0 ]; then ok "defaults file lists every flag"; else bad "defaults file out of date"; fi
# The man pages, built by scdoc, with every flag (the flag sections come from --help).
pages_ok=1
for page in /usr/share/man/man1/host_exporter.1.gz /usr/share/man/man5/host_exporter-web-config.5.gz; do
    zcat "$page" >"$work/page" 2>/dev/null && grep -q '^\.TH ' "$work/page" || { echo "missing or empty: $page"; pages_ok=; }
done
zcat /usr/share/man/man1/host_exporter.1.gz | sed 's/\\&//g; s/\\f[BIRP]//g' >"$work/page1" || pages_ok=
while read -r flag; do
    grep -qF -- "$flag" "$work/page1" || { echo "missing from host_exporter(1): $flag"; pages_ok=; }
done < <(sed -nE 's/^ *(-h, )?(--[^ =]+).*/\2/p' "$work/help")
if [ -n "$pages_ok" ]; then ok "man pages installed, host_exporter(1) lists every flag"; else bad "man pages"; fi
if grep -qF -- '--collector.textfile.directory="/var/lib/prometheus/node-exporter"' "$work/help"; then
    ok "textfile directory built in"
else
    bad "textfile directory default is not /var/lib/prometheus/node-exporter"
fi

# --- run as prometheus, scrape ---------------------------------------------
# A loopback port nobody listens on now (the kernel's pick).
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Runs the installed binary on 127.0.0.1:PORT; $1 = user or "root".
start() {
    local user=$1 p=$2 ARGS=""
    # shellcheck disable=SC1091 # the installed defaults file
    . /etc/default/host-exporter
    if [ "$user" = root ]; then
        # shellcheck disable=SC2086 # ARGS is words, as in the unit
        "$bin" $ARGS --web.listen-address="127.0.0.1:$p" >"$work/$user.log" 2>&1 &
    else
        # shellcheck disable=SC2086
        setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs \
            --inh-caps=-all --bounding-set=-all \
            "$bin" $ARGS --web.listen-address="127.0.0.1:$p" >"$work/$user.log" 2>&1 &
    fi
    pids+=($!)
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$p/metrics" -o "$work/$user.prom" && return 0
        sleep 0.1
    done
    return 1
}
if start prometheus "$(free_port)" && grep -q '^node_scrape_collector_success' "$work/prometheus.prom"; then
    ok "scraped the installed binary running as prometheus ($(grep -c '^node_' "$work/prometheus.prom") node_ samples)"
else
    cat "$work/prometheus.log"
    bad "run and scrape as prometheus"
fi
if command -v promtool >/dev/null; then
    if promtool check metrics <"$work/prometheus.prom" >"$work/promtool" 2>&1 || ! grep -q 'error while linting' "$work/promtool"; then
        ok "promtool parses the output"
    else
        cat "$work/promtool"
        bad "promtool"
    fi
fi
# Collector success as prometheus against a root run: what differs needs privileges.
if start root "$(free_port)"; then
    diff <(grep '^node_scrape_collector_success' "$work/root.prom") \
        <(grep '^node_scrape_collector_success' "$work/prometheus.prom") >"$work/success.diff" || true
    if [ -s "$work/success.diff" ]; then
        echo "collector success, root (<) against prometheus (>):"
        cat "$work/success.diff"
    fi
    ok "root run compared ($(grep -c '^<' "$work/success.diff" || true) collectors differ)"
else
    bad "run as root"
fi
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
pids=()

# --- purge ---------------------------------------------------------------
dpkg -L host-exporter >"$work/files"
retry dpkg --purge host-exporter >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; bad "dpkg --purge"; exit 1; }
if dpkg-query -W -f='${db:Status-Abbrev}' host-exporter 2>/dev/null | grep -q '^[ir]'; then
    bad "dpkg still knows host-exporter after purge"
else
    ok "dpkg --purge host-exporter"
fi
snapshot >"$work/after"
if diff "$work/before" "$work/after"; then
    ok "purge left the file system as before the install"
else
    bad "purge left files behind (or removed some)"
fi
left=$(find /etc /var/lib/systemd /run/systemd -name '*host-exporter*' 2>/dev/null || true)
if [ -z "$left" ]; then ok "no unit symlinks or helper state left"; else bad "left after purge: $left"; fi
if id prometheus >/dev/null 2>&1; then ok "user prometheus kept (Debian policy)"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
