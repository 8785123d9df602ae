/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go-compatible float formatting (see he_format.h).
 *
 * The shortest round-tripping digits are found without a Ryu implementation:
 * integers below 2^53 are exact and printed directly (most kernel counters);
 * other values are rounded with snprintf at increasing precision until strtod
 * reads the digits back as the same double (see decimal_shortest), which for
 * most values takes one snprintf/strtod pair.
 */
#include "he_format.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits without dot or leading zeros, and the position of the point. */
struct decimal {
    char digits[24];
    int nd;   /* number of digits */
    int dp;   /* value = 0.digits * 10^dp */
};

static void decimal_from_integer(struct decimal *d, double v)
{
    unsigned long long u = (unsigned long long)v;
    char tmp[24];
    int n = 0;
    while (u) {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    }
    d->dp = n;
    for (int i = 0; i < n; i++) {
        d->digits[i] = tmp[n - 1 - i];
    }
    while (n > 1 && d->digits[n - 1] == '0') {
        n--;
    }
    d->nd = n;
}

/* Splits "d.ddddde[+-]xx" as printed by %.*e into digits and point position. */
static void decimal_from_e_string(struct decimal *d, const char *s)
{
    int n = 0;
    const char *p = s;
    for (; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            d->digits[n++] = *p;
        }
    }
    d->nd = n;
    d->dp = (*p == 'e' ? atoi(p + 1) : 0) + 1;
}

static bool decimal_reads_back_as(const struct decimal *d, double v)
{
    char s[48];
    snprintf(s, sizeof(s), "0.%.*se%d", d->nd, d->digits, d->dp);
    return strtod(s, NULL) == v;
}

/* Moves d one unit in its last digit up (+1) or down (-1); false if it cannot. */
static bool decimal_step(struct decimal *d, int dir)
{
    int i = d->nd - 1;
    char wrap = dir > 0 ? '9' : '0';
    while (i >= 0 && d->digits[i] == wrap) {
        d->digits[i--] = dir > 0 ? '0' : '9';
    }
    if (i < 0 || (dir < 0 && i == 0 && d->digits[0] == '1')) {
        return false; /* the digit count would change: a shorter length covers it */
    }
    d->digits[i] = (char)(d->digits[i] + dir);
    return true;
}

/*
 * Finds prec significant digits that read back as v: the correctly rounded ones,
 * or else a neighbour. Just above a power of two the gap between doubles is half
 * the gap below, so the nearest decimal can miss while the next one up hits; Go's
 * shortest formatting finds that one, and so must we.
 */
static bool decimal_at_precision(struct decimal *d, double v, int prec)
{
    char s[48];
    snprintf(s, sizeof(s), "%.*e", prec - 1, v);
    decimal_from_e_string(d, s);
    if (decimal_reads_back_as(d, v)) {
        return true;
    }
    for (int dir = 1; dir >= -1; dir -= 2) {
        struct decimal n = *d;
        if (decimal_step(&n, dir) && decimal_reads_back_as(&n, v)) {
            *d = n;
            return true;
        }
    }
    return false;
}

/*
 * Values with at most nine decimals (load averages, durations in nanoseconds,
 * kernel fractions) without snprintf: with k the fewest decimals for which the
 * integer nearest v * 10^k, divided by 10^k, reads back as v, those digits are
 * the shortest representation. Kept below 2^50 so v * 10^k is within 1/16 of the
 * true product and rounding it finds that integer. False when no k <= 9 fits.
 */
static bool decimal_few_decimals(struct decimal *d, double v)
{
    static const double pow10[] = {1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    for (int k = 0; k < 9; k++) {
        double scaled = v * pow10[k];
        if (scaled >= 1125899906842624.0) { /* 2^50 */
            return false;
        }
        double n = nearbyint(scaled);
        if (n / pow10[k] == v) {
            decimal_from_integer(d, n);
            d->dp -= k + 1;
            return true;
        }
    }
    return false;
}

static void decimal_shortest(struct decimal *d, double v)
{
    if (v == floor(v) && v < 9007199254740992.0) {
        decimal_from_integer(d, v);
        return;
    }
    if (decimal_few_decimals(d, v)) {
        return;
    }
    /*
     * A normal double rounded to 15 digits reads back as itself whenever any
     * representation of at most 15 digits does (DBL_DIG); subnormals carry fewer
     * bits, so for them every length is tried from 1.
     */
    int prec = v < DBL_MIN ? 1 : 15;
    while (prec < 17 && !decimal_at_precision(d, v, prec)) {
        prec++;
    }
    if (prec == 17) {
        decimal_at_precision(d, v, 17);
    }
    while (d->nd > 1 && d->digits[d->nd - 1] == '0') {
        d->nd--;
    }
}

static size_t put_exponent_form(char *out, size_t n, const struct decimal *d)
{
    out[n++] = d->digits[0];
    if (d->nd > 1) {
        out[n++] = '.';
        memcpy(out + n, d->digits + 1, (size_t)d->nd - 1);
        n += (size_t)d->nd - 1;
    }
    int exp = d->dp - 1;
    out[n++] = 'e';
    out[n++] = exp < 0 ? '-' : '+';
    if (exp < 0) {
        exp = -exp;
    }
    if (exp >= 100) {
        out[n++] = (char)('0' + exp / 100);
    }
    out[n++] = (char)('0' + exp / 10 % 10);
    out[n++] = (char)('0' + exp % 10);
    return n;
}

static size_t put_fixed_form(char *out, size_t n, const struct decimal *d)
{
    if (d->dp > 0) {
        for (int i = 0; i < d->dp; i++) {
            out[n++] = i < d->nd ? d->digits[i] : '0';
        }
    } else {
        out[n++] = '0';
    }
    if (d->nd > d->dp) {
        out[n++] = '.';
        for (int i = d->dp; i < d->nd; i++) {
            out[n++] = i < 0 ? '0' : d->digits[i];
        }
    }
    return n;
}

static size_t put_special(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

size_t he_format_double(char out[HE_FORMAT_DOUBLE_MAX], double v)
{
    if (isnan(v)) {
        return put_special(out, "NaN");
    }
    if (isinf(v)) {
        return put_special(out, v > 0 ? "+Inf" : "-Inf");
    }
    if (v == 0) {
        return put_special(out, "0");
    }
    if (v == 1) {
        return put_special(out, "1");
    }
    if (v == -1) {
        return put_special(out, "-1");
    }
    size_t n = 0;
    if (v < 0) {
        out[n++] = '-';
        v = -v;
    }
    struct decimal d;
    decimal_shortest(&d, v);
    int exp = d.dp - 1;
    n = (exp < -4 || exp >= 6) ? put_exponent_form(out, n, &d) : put_fixed_form(out, n, &d);
    out[n] = '\0';
    return n;
}
