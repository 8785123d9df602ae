#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Every collector that works for an unprivileged user still works under the
# hardened unit (packaging/host-exporter.service), where systemd-run cannot
# apply the unit (systemd not PID 1): an equivalent sandbox built by hand.
#   - mount namespace: every mount read-only (ProtectSystem=strict,
#     ProtectHome=read-only, ProtectKernelTunables, ProtectControlGroups), a
#     private /tmp and /var/tmp (PrivateTmp), a /dev holding only the pseudo
#     devices (PrivateDevices), /proc/kmsg hidden (ProtectKernelLogs);
#   - user prometheus, no capabilities in any set, no_new_privs (User=,
#     CapabilityBoundingSet=, NoNewPrivileges=);
#   - the unit's own SystemCallFilter=, RestrictAddressFamilies= and
#     RestrictNamespaces= as a seccomp filter (tests/unit_seccomp.py).
# Not emulated: PrivateUsers, PrivateIPC, MemoryDenyWriteExecute, clone(2)
# namespace flags. Compares node_scrape_collector_success of every collector
# (all enabled) in the sandbox with a plain run as prometheus; any collector
# that succeeds plainly but fails in the sandbox fails the test. Also checks the
# sandbox really denies: a write, a denied system call, a packet socket.
#   unit_sandbox_test.sh BINARY SOURCE_ROOT
# Exits 77 when not root, without a prometheus user, unshare or python3-seccomp.
set -euo pipefail
bin=$(readlink -f "$1")
src=$(cd "$2" && pwd)
unit=$src/packaging/host-exporter.service
seccomp=$src/tests/unit_seccomp.py

skip() { echo "unit_sandbox_test: skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
id prometheus >/dev/null 2>&1 || skip "no prometheus user"
if ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null; then skip "no unshare/setpriv"; fi
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || skip "python3-seccomp is missing"
unshare -m true 2>/dev/null || skip "cannot create a mount namespace"

work=$(mktemp -d /tmp/unit_sandbox.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Every collector on, as the enable flags --help lists.
mapfile -t enable < <("$bin" --help 2>&1 | sed -nE 's/^ *--\[no-\](collector\.[a-z_]+)$/--\1/p')

# The sandbox's mounts, run inside unshare -m, then the command as prometheus.
cat >"$work/sandbox.sh" <<'EOF'
set -eu
unit=$1 seccomp=$2 stage=$3
shift 3
mount --make-rprivate /
# PrivateDevices: a fresh /dev with the pseudo devices only, staged on a tmpfs
# in the test's directory (nothing is created on the host).
mkdir "$stage/dev" "$stage/bin"
mount -t tmpfs -o mode=755 tmpfs "$stage/dev"
for d in null zero full random urandom tty; do
    touch "$stage/dev/$d"
    mount --bind "/dev/$d" "$stage/dev/$d"
done
mkdir "$stage/dev/shm" "$stage/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$stage/dev/shm"
# A program, the filter script or the unit under /tmp (a build directory, a clone) stays
# visible once /tmp is private: both are copied to a tmpfs moved onto /mnt.
prog=$1
shift
case "$prog $seccomp $unit" in
*/tmp/*)
    mount -t tmpfs -o mode=755 tmpfs "$stage/bin"
    cp "$prog" "$stage/bin/prog"
    cp "$seccomp" "$stage/bin/unit_seccomp.py"
    cp "$unit" "$stage/bin/unit.service"
    mount --move "$stage/bin" /mnt
    prog=/mnt/prog seccomp=/mnt/unit_seccomp.py unit=/mnt/unit.service ;;
esac
mount --move "$stage/dev" /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
[ ! -e /proc/kmsg ] || mount --bind /dev/null /proc/kmsg
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
# ProtectSystem=strict: everything else read-only, deepest mounts included.
awk '{ print $5 }' /proc/self/mountinfo | sort -u | while read -r mp; do
    case $mp in /proc|/proc/*|/dev|/dev/*|/tmp|/var/tmp) continue ;; esac
    mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
exec setpriv --reuid=prometheus --regid=prometheus --init-groups --no-new-privs \
    --inh-caps=-all --bounding-set=-all /usr/bin/python3 "$seccomp" "$unit" "$prog" "$@"
EOF

# The denials: each command must fail inside the sandbox.
deny() {
    local what=$1
    shift
    if unshare -m sh "$work/sandbox.sh" "$unit" "$seccomp" "$(mktemp -d "$work/stage.XXXXXX")" "$@" >/dev/null 2>&1; then
        bad "sandbox allowed $what"
    else
        ok "sandbox denies $what"
    fi
}
deny "writing /var/lib/prometheus (read-only)" /usr/bin/touch /var/lib/prometheus/.unit-sandbox
deny "setpriority (~@resources)" /usr/bin/python3 -c 'import os; os.nice(1)'
deny "a packet socket (RestrictAddressFamilies)" /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)'
rm -f /var/lib/prometheus/.unit-sandbox

# A loopback port nobody listens on now (the kernel's pick).
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Runs the binary ("plain" as prometheus, or "sandbox"), scrapes it once.
run() {
    local how=$1 p=$2
    shift 2
    if [ "$how" = sandbox ]; then
        unshare -m sh "$work/sandbox.sh" "$unit" "$seccomp" "$(mktemp -d "$work/stage.XXXXXX")" "$bin" "$@" \
            --web.listen-address="127.0.0.1:$p" >"$work/$how.log" 2>&1 &
    else
        setpriv --reuid=prometheus --regid=prometheus --init-groups --no-new-privs \
            --inh-caps=-all --bounding-set=-all \
            "$bin" "$@" --web.listen-address="127.0.0.1:$p" >"$work/$how.log" 2>&1 &
    fi
    pids+=($!)
    for _ in $(seq 100); do
        curl -sf --max-time 30 "http://127.0.0.1:$p/metrics" -o "$work/$how.prom" && return 0
        sleep 0.1
    done
    cat "$work/$how.log"
    return 1
}
run plain "$(free_port)" "${enable[@]}" || bad "plain run"
run sandbox "$(free_port)" "${enable[@]}" || bad "sandbox run"
succ() { sed -nE 's/^node_scrape_collector_success\{collector="([^"]+)"\} ([01])$/\1 \2/p' "$1" | sort; }
succ "$work/plain.prom" >"$work/plain.succ"
succ "$work/sandbox.prom" >"$work/sandbox.succ"
echo "collectors succeeding: plain $(grep -c ' 1$' "$work/plain.succ" || true) of $(wc -l <"$work/plain.succ"), sandbox $(grep -c ' 1$' "$work/sandbox.succ" || true) of $(wc -l <"$work/sandbox.succ")"
lost=$(join "$work/plain.succ" "$work/sandbox.succ" | awk '$2 == 1 && $3 != 1 { print $1 }')
if [ -s "$work/plain.succ" ] && [ -z "$lost" ]; then
    ok "every collector that succeeds as prometheus succeeds in the sandbox"
else
    bad "collectors failing only in the sandbox: ${lost:-none scraped}"
    grep -i 'level=error\|level=warn' "$work/sandbox.log" | head -20 || true
fi

# ExecReload (systemctl reload) runs under the same properties as ExecStart:
# the unit's own command, in a sandbox of its own, must deliver SIGHUP to the
# sandboxed exporter (pid ${pids[-1]}: unshare, sh, setpriv and the filter
# script each exec the next), which must keep serving.
reload=$(sed -nE 's/^ExecReload=(.*)$/\1/p' "$unit")
if [ -z "$reload" ]; then
    bad "the unit has no ExecReload="
else
    sandbox_pid=${pids[-1]}
    sandbox_port=$(tr '\0' '\n' <"/proc/$sandbox_pid/cmdline" | sed -nE 's/^--web.listen-address=127.0.0.1:([0-9]+)$/\1/p')
    # shellcheck disable=SC2086 # the unit's command line, as words
    if unshare -m sh "$work/sandbox.sh" "$unit" "$seccomp" "$(mktemp -d "$work/stage.XXXXXX")" \
        ${reload//\$MAINPID/$sandbox_pid} >"$work/reload.log" 2>&1; then
        ok "ExecReload ($reload) runs in the sandbox"
    else
        cat "$work/reload.log"
        bad "ExecReload ($reload) failed in the sandbox"
    fi
    sleep 0.5
    # SIGHUP's default action ends a process: serving afterwards shows it is handled.
    if kill -0 "$sandbox_pid" 2>/dev/null &&
        curl -sf --max-time 30 "http://127.0.0.1:$sandbox_port/metrics" -o /dev/null; then
        ok "the exporter took SIGHUP and still serves"
    else
        tail -5 "$work/sandbox.log"
        bad "the exporter did not survive SIGHUP"
    fi
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
