/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsers with Go's exact semantics, for collectors whose upstream parser
 * (procfs, node_exporter's helpers) reads the kernel's text with Go's standard
 * library: strconv.ParseInt base 10 (/proc/slabinfo, /proc/swaps, /proc/cgroups)
 * and base 0 (/proc/sys values, so "0x1f", "0o17", "017" and "1_000" are numbers
 * too), readUintFromFile's trimmed ParseUint, and Go's idea of white space for
 * TrimSpace and Fields (Unicode-aware: os-release and similar files are UTF-8
 * text written by people, so the difference can show in a label value). Nothing here allocates; input is
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

/* strconv.ParseUint(s, 0, 64): the prefixes and underscores of he_parse_i64_base0, no sign. */
int he_parse_u64_base0(struct he_field f, uint64_t *out);

/*
 * Go's net.IP String() for a 4- or 16-byte address (len): dotted quad for IPv4
 * and IPv4-mapped IPv6, else RFC 5952 (the first longest run of two or more zero
 * groups as "::"). Writes a NUL-terminated string into out (46 bytes suffice).
 */
void he_go_ip_string(const uint8_t *addr, size_t len, char *out, size_t size);

/* Value of the hex digit c (either case), or -1. */
int he_hex_digit(char c);

/*
 * strconv.ParseUint(s, 16, bits): hex digits only, no "0x" prefix and no '_'
 * (Go allows those only with base 0), at most max (UINT64_MAX, UINT32_MAX, ...).
 * Returns 0 or -EINVAL (syntax or range).
 */
int he_parse_u64_hex(struct he_field f, uint64_t max, uint64_t *out);

/*
 * Go's underscoreOK, which ParseInt, ParseUint and ParseFloat apply when a number
 * holds '_': after an optional sign and base prefix, '_' only between digits.
 */
bool he_go_underscores_ok(const char *s, size_t len);

/*
 * strconv.ParseUint(strings.TrimSpace(s), 10, 64), the parse of node_exporter's
 * readUintFromFile: ASCII whitespace trimmed on both sides, then decimal digits.
 * Returns 0, -EINVAL or -ERANGE.
 */
int he_parse_u64_trimmed(struct he_field f, uint64_t *out);

/*
 * Go's unicode.IsSpace, which besides the six ASCII blanks takes U+0085, U+00A0
 * and the other Unicode White_Space code points in their UTF-8 forms (invalid
 * UTF-8 is never space): the length of the space rune at p (n bytes), or 0.
 */
size_t he_go_space_at(const char *p, size_t n);

/* bytes.TrimSpace / strings.TrimSpace: f without leading and trailing white space. */
struct he_field he_go_trim_space(struct he_field f);

/*
 * strings.Fields: splits text at runs of white space into at most max fields
 * (pointing into text). Returns the number of fields found, which may exceed
 * max (the extra ones are not stored).
 */
size_t he_go_fields(struct he_field text, struct he_field *fields, size_t max);

/*
 * The length of the UTF-8 sequence at p (n bytes left) as Go's range loop
 * decodes it: 1 for an invalid byte (overlong, surrogate, out of range, cut).
 */
size_t he_go_rune_len(const unsigned char *p, size_t n);

/*
 * node_exporter's cleanMetricName (hwmon, drm): lower case, every rune outside
 * [a-z0-9:_] one '_', leading and trailing '_' removed, into out (size bytes,
 * always terminated). Non-ASCII letters never survive, so an ASCII lowering is
 * enough except for U+212A KELVIN SIGN, which Go lowers to 'k'.
 */
void he_go_clean_metric_name(const char *in, size_t len, char *out, size_t size);

#endif
