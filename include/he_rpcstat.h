/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One line of the sunrpc statistics files /proc/net/rpc/nfs and /proc/net/rpc/nfsd
 * as the procfs library (nfs/parse_nfs.go, parse_nfsd.go) reads them: split with
 * Go's strings.Fields into a key and values, each value a strconv.ParseUint(s, 10,
 * 64). Shared by the nfs and nfsd collectors. Nothing here allocates; input is
 * untrusted and anything procfs refuses is -EINVAL.
 */
#ifndef HE_RPCSTAT_H
#define HE_RPCSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "he_parse.h"

/* Values kept per line; the widest kernel line (nfsd proc4ops, 6.x) has 77. */
#define HE_RPC_MAX_VALUES 128u

/* bufio.Scanner's limit: procfs fails on a line of 64 KiB or more. */
#define HE_RPC_MAX_LINE (64u * 1024u - 1u)

struct he_rpc_line {
    struct he_field key;
    uint64_t v[HE_RPC_MAX_VALUES]; /* the first values, in order */
    size_t n;                      /* values parsed (may exceed HE_RPC_MAX_VALUES) */
};

/*
 * Parses line: a key and at least one value. Only the first max_values values are
 * parsed (procfs reads two of the nfsd "th" line, whose histogram holds floats);
 * the rest are skipped unread. Returns 0, or -EINVAL for a line with no value, a
 * value that is not an unsigned decimal within 64 bits, or a line too long for
 * bufio.Scanner.
 */
int he_rpc_parse_line(struct he_field line, size_t max_values, struct he_rpc_line *out);

/*
 * The check procfs applies to the counted "procN" lines: the first value is the
 * number of values that follow, and there must be at least min of them.
 */
int he_rpc_check_counted(const struct he_rpc_line *l, uint64_t min);

#endif
