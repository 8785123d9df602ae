#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A mount whose statfs never returns must not hang the filesystem collector.
# Two FUSE filesystems (tests/fuse/statfs_fs.py, fixed statfs numbers) are
# mounted under a temporary directory and the exporter, with
# --collector.filesystem.mount-timeout=1s, is scraped while one of them is
# stopped with SIGSTOP, as a dead NFS server would leave it:
#   - the first scrape answers in under 2 s, the stopped mount reported as
#     device_error="mountpoint timeout" and the other one with its exact numbers;
#   - the next scrapes answer at once (the stuck mount is not asked again), and
#     more stuck mounts than stat-workers do not starve the healthy one;
#   - after SIGCONT the mount is reported normally again;
#   - SIGTERM while a statfs is stuck still ends the exporter promptly, status 0.
#
# Usage: filesystem_hang.sh HOST_EXPORTER_BINARY TESTS_SOURCE_DIR
# Exits 77 (skipped) where FUSE cannot be mounted (no /dev/fuse, not root,
# no fusermount or python3-fusepy).
set -u
BIN=$1
SRC=$2
PY=/usr/bin/python3
FS=$SRC/fuse/statfs_fs.py

if [ ! -c /dev/fuse ] || ! command -v fusermount >/dev/null; then
    echo "SKIP: /dev/fuse or fusermount is missing (Debian package fuse3)"
    exit 77
fi
if ! "$PY" -c 'import fusepy' 2>/dev/null && ! "$PY" -c 'import fuse' 2>/dev/null; then
    echo "SKIP: $PY cannot import fusepy (Debian package python3-fusepy)"
    exit 77
fi

TMP=$(mktemp -d)
# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"
PID=
declare -A FUSE_PID=()

# Resumes and unmounts every FUSE first: a stopped one would hang rm -rf.
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
    for m in "${!FUSE_PID[@]}"; do
        kill -CONT "${FUSE_PID[$m]}" 2>/dev/null
        fusermount -u -z "$TMP/$m" 2>/dev/null
        kill "${FUSE_PID[$m]}" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# mount_fuse NAME: mounts statfs_fs.py on $TMP/NAME (device NAME); 1 if it fails.
mount_fuse() {
    mkdir -p "$TMP/$1"
    "$PY" "$FS" "$TMP/$1" "$1" 2>"$TMP/$1.log" &
    FUSE_PID[$1]=$!
    for _ in $(seq 100); do
        grep -q " $TMP/$1 " /proc/self/mountinfo && return 0
        kill -0 "${FUSE_PID[$1]}" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

for m in ok hung1 hung2 hung3; do
    if ! mount_fuse "$m"; then
        echo "SKIP: cannot mount FUSE here: $(head -3 "$TMP/$m.log")"
        exit 77
    fi
done

# start FLAGS...: the exporter on a free loopback port, only the mounts under $TMP.
# LeakSanitizer's exit check (sanitizer builds) stops every thread with ptrace, and
# a thread blocked in a stopped FUSE never stops: leaks are checked by e2e instead.
start() {
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$BIN" --web.listen-address=127.0.0.1:0 --collector.disable-defaults \
        --collector.filesystem --web.disable-exporter-metrics \
        --collector.filesystem.mount-points-include="^$TMP/" \
        --collector.filesystem.mount-timeout=1s "$@" 2>"$TMP/exporter.log" &
    PID=$!
    PORT=
    for _ in $(seq 200); do
        PORT=$(sed -nE 's/.*msg="Listening on" address=127\.0\.0\.1:([0-9]+).*/\1/p' \
            "$TMP/exporter.log" | head -1)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    return 1
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# elapsed_since T0: microseconds since T0 (from now_us) as seconds in ELAPSED.
elapsed_since() {
    local us=$(($(now_us) - $1))
    ELAPSED_US=$us
    ELAPSED=$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))
}

# scrape NAME: the body in $TMP/NAME.prom, the seconds it took in ELAPSED.
scrape() {
    local t0
    t0=$(now_us)
    curl -s -m 20 -o "$TMP/$1.prom" "http://127.0.0.1:$PORT/metrics"
    elapsed_since "$t0"
}

# faster_than MS: the last measured time was under MS milliseconds.
faster_than() { [ "$ELAPSED_US" -lt $(($1 * 1000)) ]; }

# series NAME MOUNT: the device_error series of mount MOUNT in scrape NAME.
series() { grep "^node_filesystem_device_error{.*mountpoint=\"$TMP/$2\"" "$TMP/$1.prom"; }

timed_out() { series "$1" "$2" | grep -q 'device_error="mountpoint timeout".* 1$'; }
healthy() { series "$1" "$2" | grep -q 'device_error="".* 0$'; }

# The exact statfs numbers of statfs_fs.py: 1000 blocks of 4096, 600 free, ...
exact_numbers() {
    local l="device=\"$2\",device_error=\"\",fstype=\"fuse\",mountpoint=\"$TMP/$2\""
    grep -qxF "node_filesystem_size_bytes{$l} 4.096e+06" "$TMP/$1.prom" &&
        grep -qxF "node_filesystem_free_bytes{$l} 2.4576e+06" "$TMP/$1.prom" &&
        grep -qxF "node_filesystem_avail_bytes{$l} 2.048e+06" "$TMP/$1.prom" &&
        grep -qxF "node_filesystem_files{$l} 100" "$TMP/$1.prom" &&
        grep -qxF "node_filesystem_files_free{$l} 42" "$TMP/$1.prom"
}

if ! start --collector.filesystem.stat-workers=2; then
    not_ok "exporter started" "$(cat "$TMP/exporter.log")"
    tap_summary
    exit
fi

scrape before
check "all mounts healthy before any is stopped" healthy before hung1
check "statfs numbers exact (size, free, avail, files, files_free)" exact_numbers before ok

kill -STOP "${FUSE_PID[hung1]}"
scrape first
check "scrape with a hung statfs answers in under 2 s (took ${ELAPSED}s)" faster_than 2000
check "hung mount reported as device_error=\"mountpoint timeout\"" timed_out first hung1
check "hung mount has no size series" \
    bash -c "! grep -q 'size_bytes{.*$TMP/hung1\"' '$TMP/first.prom'"
check "other mount still reported with its numbers" exact_numbers first ok

scrape second
check "next scrape answers at once, the stuck mount not asked again (took ${ELAPSED}s)" \
    faster_than 500
check "stuck mount still reported as timed out" timed_out second hung1

# More stuck mounts than the 2 stat-workers: replacements keep the pool usable.
kill -STOP "${FUSE_PID[hung2]}" "${FUSE_PID[hung3]}"
scrape third
check "two more hung mounts: answered in under 2 s (took ${ELAPSED}s)" faster_than 2000
check "all three hung mounts reported as timed out" \
    bash -c "grep -c 'device_error=\"mountpoint timeout\".* 1\$' '$TMP/third.prom' | grep -qx 3"
scrape fourth
check "with 3 stuck threads and 2 stat-workers a scrape still answers at once (took ${ELAPSED}s)" \
    faster_than 500
check "healthy mount still answered while 3 threads are stuck" exact_numbers fourth ok

kill -CONT "${FUSE_PID[hung1]}" "${FUSE_PID[hung2]}" "${FUSE_PID[hung3]}"
recovered=no
for _ in $(seq 50); do
    scrape after
    if healthy after hung1 && healthy after hung2 && healthy after hung3; then
        recovered=yes
        break
    fi
    sleep 0.1
done
check "after SIGCONT the mounts are reported normally again" [ "$recovered" = yes ]
check "recovered mount has its exact numbers" exact_numbers after hung1

# Shutdown while a statfs is stuck: the stuck thread is left behind, not joined.
kill -STOP "${FUSE_PID[hung1]}"
scrape stuck_again
check "stopped again: timed out" timed_out stuck_again hung1
t0=$(now_us)
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
elapsed_since "$t0"
check "SIGTERM with a stuck statfs: exit status 0 (got $rc)" [ "$rc" = 0 ]
check "SIGTERM with a stuck statfs: exits in under 2 s (took ${ELAPSED}s)" faster_than 2000
check "no sanitizer report" bash -c "! grep -q Sanitizer '$TMP/exporter.log'"

tap_summary
