#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The %pre scriptlet Fedora's %sysusers_create_compat makes from sysusers.d
# files (systemd's sysusers.generate-pre.sh), for tests/rpm/macros.fedora:
# getent || groupadd / useradd for each g and u line. Enough for the lines
# packaging/host-exporter.sysusers uses (g NAME -, u NAME -[:GROUP] GECOS HOME SHELL).
#   sysusers-generate-pre.sh FILE...
set -eu
for file in "$@"; do
    grep -v '^[[:space:]]*\(#\|$\)' "$file" | while read -r line; do
        eval "set -- $line"
        case $1 in
        g)
            echo "getent group '$2' >/dev/null || groupadd -r '$2' || :" ;;
        u)
            group=$2
            case $3 in *:*) group=${3#*:} ;; esac
            [ "$group" != - ] || group=$2
            echo "getent group '$group' >/dev/null || groupadd -r '$group' || :"
            echo "getent passwd '$2' >/dev/null || useradd -r -g '$group' -d '${5:-/}' -s '${6:-/sbin/nologin}' -c '${4:-}' '$2' || :" ;;
        *)
            echo "sysusers-generate-pre.sh: unsupported line: $line" >&2
            exit 1 ;;
        esac
    done
done
