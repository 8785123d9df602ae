/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few shapes /proc and /sys files come in, parsed once here so collectors do
 * not each write their own loop: lines, whitespace-separated fields, "Key: value
 * [unit]" tables and strict numbers. Nothing here allocates; fields point into the
 * caller's text. Every parser treats its input as untrusted: truncated, empty or
 * garbage text yields -EINVAL, never a crash or a partial number.
 */
#ifndef HE_PARSE_H
#define HE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A slice of text: not NUL-terminated. */
struct he_field {
    const char *p;
    size_t len;
};

struct he_lines {
    const char *p;
    const char *end;
};

/* Starts iterating over the lines of text[0..len). */
void he_lines_init(struct he_lines *it, const char *text, size_t len);

/* Yields the next line without its '\n'; false at the end. A last line without '\n' counts. */
bool he_lines_next(struct he_lines *it, struct he_field *line);

/*
 * Splits line at runs of spaces and tabs into at most max fields. Returns the
 * number of fields found, which may exceed max (the extra ones are not stored).
 */
size_t he_split_fields(struct he_field line, struct he_field *fields, size_t max);

/* True when the field equals the NUL-terminated string s. */
bool he_field_eq(struct he_field f, const char *s);

/* Copies f into out (size bytes) as a C string; -ENAMETOOLONG if it does not fit. */
int he_field_copy(struct he_field f, char *out, size_t size);

/* Parses an unsigned decimal integer with no sign, spaces or suffix. 0 or -EINVAL/-ERANGE. */
int he_parse_u64(struct he_field f, uint64_t *out);

/*
 * Parses a float the way Go's strconv.ParseFloat accepts the kernel's text
 * (decimal or exponent form, inf, nan), with nothing else in the field.
 * Returns 0 or -EINVAL.
 */
int he_parse_double(struct he_field f, double *out);

/* One line of a "Key:   value [unit]" table such as /proc/meminfo. */
struct he_kv_line {
    struct he_field key;    /* without the trailing ':' */
    uint64_t value;
    bool has_unit;          /* a third field (e.g. "kB") was present */
};

/*
 * Parses one "Key: value [unit]" line. Returns 0, -ENODATA for an empty line,
 * or -EINVAL when the line has another shape or the value is not a number.
 */
int he_parse_kv_line(struct he_field line, struct he_kv_line *out);

/* Parses a file holding one unsigned integer and optional surrounding whitespace. */
int he_parse_single_u64(const char *text, size_t len, uint64_t *out);

#endif
