/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsers with Go's exact semantics, for collectors whose upstream parser
 * (procfs, node_exporter's helpers) reads the kernel's text with Go's standard
 * library: strconv.ParseInt base 10 (/proc/slabinfo, /proc/swaps, /proc/cgroups)
 * and base 0 (/proc/sys values, so "0x1f", "0o17", "017" and "1_000" are numbers
 * too), readUintFromFile's trimmed ParseUint, and strings.Fields, which splits at
 * \v, \f and \r as well as blanks and newlines. Nothing here allocates; input is
 * untrusted and anything else is -EINVAL, never a partial number.
 */
#ifndef HE_PARSE_GO_H
#define HE_PARSE_GO_H

#include <stdbool.h>
#include <stddef.h>
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

/* True for the ASCII characters Go's unicode.IsSpace accepts: ' ', \t, \n, \v, \f, \r. */
bool he_go_space(char c);

/*
 * strings.Fields: splits text at runs of he_go_space() characters into at most
 * max fields (pointing into text). Returns the number of fields found, which may
 * exceed max (the extra ones are not stored).
 */
size_t he_go_fields(struct he_field text, struct he_field *fields, size_t max);

#endif
