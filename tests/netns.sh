# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Sourced by the tests that run the exporter in a network namespace they create
# (netlink, ethtool, qdisc, tcpstat, route).

# netns_enter "UNSHARE_FLAGS" "TOOLS" ARGS...: outside the namespace, checks
# that TOOLS (and unshare) are installed, that we are root and that unshare
# UNSHARE_FLAGS is permitted, exiting 77 with the reason when not, then re-runs
# the calling script inside it as "SCRIPT --inside ARGS...". Inside (first
# argument --inside) it returns at once.
netns_enter() {
    local flags=$1 tools=$2 tool
    shift 2
    [ "${1:-}" = --inside ] && return 0
    for tool in unshare $tools; do
        if ! command -v "$tool" >/dev/null; then
            echo "SKIP: $tool is not installed (Debian packages util-linux, iproute2, curl, mount, python3)"
            exit 77
        fi
    done
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: creating a network namespace needs root"
        exit 77
    fi
    # shellcheck disable=SC2086 # the flags are words
    if ! unshare $flags true 2>/dev/null; then
        echo "SKIP: unshare $flags is not permitted here"
        exit 77
    fi
    # shellcheck disable=SC2086
    exec unshare $flags bash "$0" --inside "$@"
}

# netns_setup_or_skip WHY: runs the script's setup function, with its errors in
# $TMP/setup.log; when it fails, exits 77 naming WHY (what it needs) and the first errors.
netns_setup_or_skip() {
    if ! setup 2>"$TMP/setup.log"; then
        echo "SKIP: cannot set up the test namespace ($1): $(head -3 "$TMP/setup.log")"
        exit 77
    fi
}
