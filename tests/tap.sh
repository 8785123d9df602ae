# SPDX-License-Identifier: Apache-2.0
#
# Sourced by the shell tests: one "ok"/"not ok" line per check and a closing
# "N passed, N failed" line, the counts CI reads.
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }

# not_ok DESC [DETAIL]: DETAIL's first 40 lines follow, indented as comments.
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1"
    [ $# -gt 1 ] && printf '%s\n' "$2" | head -40 | sed 's/^/#   /'
    return 0
}

# check DESC COMMAND...: ok when COMMAND succeeds.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# tap_summary: prints the counts; fails when any check failed.
tap_summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
