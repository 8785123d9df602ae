/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed integers as Go's strconv.ParseInt reads them, for collectors whose
 * upstream parser (procfs) takes signed values: /proc/slabinfo and /proc/swaps
 * (ParseInt/Atoi, base 10) and /proc/sys values (ParseInt with base 0, so "0x1f",
 * "0o17", "017" and "1_000" are numbers too), and the unsigned values node_exporter
 * reads with blanks trimmed. Nothing here allocates; input is
 * untrusted and anything else is -EINVAL, never a partial number.
 */
#ifndef HE_PARSE_INT_H
#define HE_PARSE_INT_H

#include <stdint.h>

#include "he_parse.h"

/*
 * strconv.ParseInt(s, 10, 64): an optional '+' or '-', then decimal digits only.
 * Returns 0, -EINVAL (syntax) or -ERANGE (outside int64).
 */
int he_parse_i64(struct he_field f, int64_t *out);

/*
 * strconv.ParseInt(s, 0, 64): an optional sign, then a "0x"/"0o"/"0b" prefix
 * (either case), a leading "0" (octal) or decimal, with '_' between digits as Go
 * integer literals allow. Returns 0, -EINVAL or -ERANGE.
 */
int he_parse_i64_base0(struct he_field f, int64_t *out);

/*
 * strconv.ParseUint(strings.TrimSpace(s), 10, 64), the parse of node_exporter's
 * readUintFromFile: ASCII whitespace trimmed on both sides, then decimal digits.
 * Returns 0, -EINVAL or -ERANGE.
 */
int he_parse_u64_trimmed(struct he_field f, uint64_t *out);

#endif
