/* SPDX-License-Identifier: Apache-2.0 */
/* Parsers for the text shapes of /proc and /sys (see he_parse.h). */
#include "he_parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void he_lines_init(struct he_lines *it, const char *text, size_t len)
{
    it->p = text;
    it->end = text + len;
}

bool he_lines_next(struct he_lines *it, struct he_field *line)
{
    if (it->p >= it->end) {
        return false;
    }
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *stop = nl ? nl : it->end;
    line->p = it->p;
    line->len = (size_t)(stop - it->p);
    it->p = nl ? nl + 1 : it->end;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

size_t he_split_fields(struct he_field line, struct he_field *fields, size_t max)
{
    size_t n = 0;
    size_t i = 0;
    while (i < line.len) {
        while (i < line.len && is_blank(line.p[i])) {
            i++;
        }
        if (i == line.len) {
            break;
        }
        size_t start = i;
        while (i < line.len && !is_blank(line.p[i])) {
            i++;
        }
        if (n < max) {
            fields[n] = (struct he_field){line.p + start, i - start};
        }
        n++;
    }
    return n;
}

bool he_field_eq(struct he_field f, const char *s)
{
    return strlen(s) == f.len && memcmp(f.p, s, f.len) == 0;
}

int he_field_copy(struct he_field f, char *out, size_t size)
{
    if (f.len >= size) {
        return -ENAMETOOLONG;
    }
    memcpy(out, f.p, f.len);
    out[f.len] = '\0';
    return 0;
}

int he_parse_u64(struct he_field f, uint64_t *out)
{
    if (f.len == 0) {
        return -EINVAL;
    }
    uint64_t v = 0;
    bool overflow = false;
    for (size_t i = 0; i < f.len; i++) {
        char c = f.p[i];
        if (c < '0' || c > '9') {
            return -EINVAL;
        }
        uint64_t d = (uint64_t)(c - '0');
        overflow = overflow || v > (UINT64_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (overflow) {
        return -ERANGE;
    }
    *out = v;
    return 0;
}

/*
 * strtod accepts what Go's ParseFloat does for the kernel's numbers (decimal,
 * exponent, inf, nan), but also leading whitespace, which Go refuses, and hex
 * floats without a 'p' exponent, which Go refuses too. Like Go, a finite number
 * too large for a double is -ERANGE. Fields longer than any number are refused.
 */
/*
 * Decimal integers of at most 15 digits, most kernel counters, without strtod:
 * below 10^15 < 2^53 every integer is a double exactly, so the value is what
 * strtod would return. False for anything else, which strtod then reads.
 */
static bool parse_small_integer(struct he_field f, double *out)
{
    size_t i = f.len > 0 && f.p[0] == '-';
    if (f.len == i || f.len - i > 15) {
        return false;
    }
    uint64_t v = 0;
    for (; i < f.len; i++) {
        unsigned d = (unsigned char)f.p[i] - '0';
        if (d > 9) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = f.p[0] == '-' ? -(double)v : (double)v;
    return true;
}

int he_parse_double(struct he_field f, double *out)
{
    if (parse_small_integer(f, out)) {
        return 0;
    }
    char tmp[64];
    if (f.len == 0 || he_field_copy(f, tmp, sizeof(tmp)) < 0 || isspace((unsigned char)tmp[0])) {
        return -EINVAL;
    }
    if (strpbrk(tmp, "xX") && !strpbrk(tmp, "pP")) {
        return -EINVAL;
    }
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + f.len) {
        return -EINVAL; /* trailing text, or a NUL inside the field */
    }
    if (errno == ERANGE && isinf(v)) {
        return -ERANGE;
    }
    *out = v;
    return 0;
}

int he_parse_kv_line(struct he_field line, struct he_kv_line *out)
{
    struct he_field f[3];
    size_t n = he_split_fields(line, f, 3);
    if (n == 0) {
        return -ENODATA;
    }
    if (n < 2 || n > 3 || f[0].len < 2 || f[0].p[f[0].len - 1] != ':') {
        return -EINVAL;
    }
    int rc = he_parse_u64(f[1], &out->value);
    if (rc < 0) {
        return -EINVAL;
    }
    out->key = (struct he_field){f[0].p, f[0].len - 1};
    out->has_unit = n == 3;
    return 0;
}

int he_parse_single_u64(const char *text, size_t len, uint64_t *out)
{
    while (len && (is_blank(text[len - 1]) || text[len - 1] == '\n')) {
        len--;
    }
    while (len && is_blank(*text)) {
        text++, len--;
    }
    return he_parse_u64((struct he_field){text, len}, out);
}
