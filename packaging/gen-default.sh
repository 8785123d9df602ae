#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Writes the defaults file (/etc/default/host-exporter on Debian,
# /etc/sysconfig/host-exporter on RPM systems) to stdout: ARGS="" and, commented
# out, every flag the given binary's --help lists with its default and help text.
# Run at package build time on the binary just built, so the list cannot drift
# from the flags; tests/package_test.sh checks the installed file against --help.
#   gen-default.sh BINARY
set -eu
bin=$1
cat <<'HEAD'
# Command-line arguments of host_exporter (the unit runs "host_exporter $ARGS").
# Due to shell escaping, to pass backslashes for regexes, you need to double
# them (\\d for \d). Under systemd, you need to double them again (\\\\d to mean
# \d), and escape newlines too.
ARGS=""

# Every flag, its default and what it does ("host_exporter --help"). A
# "--[no-]NAME" flag is switched on by --NAME and off by --no-NAME.
#
HEAD
# --help prints each flag on one line and its help text indented below it.
"$bin" --help 2>&1 | awk '
    /^ *(-h, )?--/ { sub(/^ *(-h, )?/, ""); flag = $0; next }
    flag != "" && /^ +[^ ]/ { sub(/^ +/, ""); printf "#  %s\n#      %s\n", flag, $0; flag = ""; next }
    flag != "" { printf "#  %s\n", flag; flag = "" }
    END { if (flag != "") printf "#  %s\n", flag }'
