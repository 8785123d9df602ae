/* SPDX-License-Identifier: Apache-2.0 */
/* Go's duration syntax (see he_duration.h). */
#include "he_duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The units Go's time.ParseDuration knows, in nanoseconds. */
static const struct {
    const char *name;
    uint64_t ns;
} duration_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000},   /* U+00B5 micro sign */
    {"\xce\xbcs", 1000},   /* U+03BC Greek mu */
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60ull * 1000000000},
    {"h", 3600ull * 1000000000},
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/*
 * Reads digits at *p into *v and counts them. Digits past 2^63 are dropped and
 * set *overflow: an error in the whole part, lost precision in the fraction.
 */
static size_t read_digits(const char **p, uint64_t *v, double *scale, bool *overflow)
{
    size_t n = 0;
    for (; is_digit(**p); (*p)++, n++) {
        if (*v < (1ull << 63) / 10) {
            *v = *v * 10 + (uint64_t)(**p - '0');
            *scale *= 10;
        } else {
            *overflow = true;
        }
    }
    return n;
}

/* Parses one "<number><unit>" term at *p and adds it to *ns. */
static int duration_term(const char **p, uint64_t *ns)
{
    uint64_t whole = 0, frac = 0;
    double one = 1, scale = 1;   /* doubles, as Go's: a long run of zeros must not wrap */
    bool overflow = false, lost = false;
    size_t digits = read_digits(p, &whole, &one, &overflow);
    if (**p == '.') {
        (*p)++;
        digits += read_digits(p, &frac, &scale, &lost);
    }
    if (digits == 0) {
        return -EINVAL;
    }
    if (overflow) {
        return -ERANGE;
    }
    const char *unit = *p;
    while (**p && **p != '.' && !is_digit(**p)) {
        (*p)++;
    }
    size_t len = (size_t)(*p - unit);
    for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
        uint64_t u = duration_units[i].ns;
        if (strlen(duration_units[i].name) != len || strncmp(unit, duration_units[i].name, len)) {
            continue;
        }
        if (whole > ((1ull << 63) - *ns) / u) {
            return -ERANGE;
        }
        *ns += whole * u + (uint64_t)((double)frac * ((double)u / scale));
        return *ns > (1ull << 63) ? -ERANGE : 0;
    }
    return -EINVAL;
}

int he_duration_parse_usec(const char *s, uint64_t *usec)
{
    if (!s || !*s) {
        return -EINVAL;
    }
    bool negative = *s == '-';
    if (*s == '-' || *s == '+') {
        s++;
    }
    uint64_t ns = 0;
    if (strcmp(s, "0") != 0) {
        do {
            int rc = duration_term(&s, &ns);
            if (rc < 0) {
                return rc;
            }
        } while (*s);
    }
    if (negative || ns == 0) {
        return -EINVAL;
    }
    *usec = (ns + 999) / 1000;
    return 0;
}


int he_duration_check_flag(const char *value, char *err, size_t errsize)
{
    uint64_t usec;
    if (he_duration_parse_usec(value, &usec) < 0) {
        snprintf(err, errsize, "invalid duration \"%s\": want a positive Go duration such as 5s",
                 value);
        return -EINVAL;
    }
    return 0;
}
