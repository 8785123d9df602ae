/* SPDX-License-Identifier: Apache-2.0 */
/* Go-compatible integer parsing and field splitting (see he_parse_go.h). */
#include "he_parse_go.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static char lower(char c)
{
    return (char)(c | ('x' - 'X'));
}

/* Value of digit c in any base up to 36, or 36 for a non-digit. */
static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return (unsigned)(c - '0');
    }
    char l = lower(c);
    if (l >= 'a' && l <= 'z') {
        return (unsigned)(l - 'a') + 10;
    }
    return 36;
}

/*
 * Go's underscoreOK(): in a base-0 literal (sign already removed), each '_' sits
 * between digits, or between the base prefix and a digit.
 */
bool he_go_underscores_ok(const char *s, size_t len)
{
    if (len && (s[0] == '+' || s[0] == '-')) {
        s++, len--;
    }
    char saw = '^';
    size_t i = 0;
    bool hex = false;
    if (len >= 2 && s[0] == '0' &&
        (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        i = 2;
        saw = '0';
        hex = lower(s[1]) == 'x';
    }
    for (; i < len; i++) {
        if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
            saw = '0';
        } else if (s[i] == '_') {
            if (saw != '0') {
                return false;
            }
            saw = '_';
        } else if (saw == '_') {
            return false;
        } else {
            saw = '!';
        }
    }
    return saw != '_';
}

/* The digits of s[start..len) in base; underscores skipped when allowed. */
static int parse_digits(const char *s, size_t len, size_t start, unsigned base, bool base0,
                        uint64_t *out)
{
    uint64_t v = 0;
    bool overflow = false;
    bool underscores = false;
    for (size_t i = start; i < len; i++) {
        if (s[i] == '_' && base0) {
            underscores = true;
            continue;
        }
        unsigned d = digit_value(s[i]);
        if (d >= base) {
            return -EINVAL;
        }
        overflow = overflow || v > (UINT64_MAX - d) / base;
        v = v * base + d;
    }
    if (underscores && !he_go_underscores_ok(s, len)) {
        return -EINVAL;
    }
    *out = v;
    return overflow ? -ERANGE : 0;
}

/* Go's ParseUint with base 10 or 0 (the prefix decides). */
static int parse_unsigned(const char *s, size_t len, bool base0, uint64_t *out)
{
    if (len == 0) {
        return -EINVAL;
    }
    unsigned base = 10;
    size_t start = 0;
    if (base0 && s[0] == '0') {
        char p = len >= 3 ? lower(s[1]) : '\0';
        base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 8;
        start = base == 8 && p != 'o' ? 1 : 2;
    }
    return parse_digits(s, len, start, base, base0, out);
}

static int parse_signed(struct he_field f, bool base0, int64_t *out)
{
    if (f.len == 0) {
        return -EINVAL;
    }
    bool neg = f.p[0] == '-';
    size_t skip = (f.p[0] == '-' || f.p[0] == '+') ? 1 : 0;
    uint64_t u;
    int rc = parse_unsigned(f.p + skip, f.len - skip, base0, &u);
    if (rc < 0) {
        return rc;
    }
    if ((!neg && u > (uint64_t)INT64_MAX) || (neg && u > (uint64_t)INT64_MAX + 1)) {
        return -ERANGE;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

int he_parse_i64(struct he_field f, int64_t *out)
{
    return parse_signed(f, false, out);
}

int he_parse_u64_base0(struct he_field f, uint64_t *out)
{
    return parse_unsigned(f.p, f.len, true, out);
}

/* The first longest run of two or more zero groups: *start, or -1 and *len 1. */
static void longest_zero_run(const unsigned g[8], int *start, int *len)
{
    *start = -1, *len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) {
            j++;
        }
        if (j - i > *len) {
            *start = i, *len = j - i;
        }
        i = j > i ? j : i + 1;
    }
}

void he_go_ip_string(const uint8_t *addr, size_t len, char *out, size_t size)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const uint8_t *v4 = len == 4 ? addr : len == 16 && memcmp(addr, mapped, 12) == 0 ? addr + 12 : NULL;
    if (v4) {
        snprintf(out, size, "%u.%u.%u.%u", v4[0], v4[1], v4[2], v4[3]);
        return;
    }
    if (len != 16) {
        snprintf(out, size, "?"); /* Go prints "?" and the bytes; rtnetlink never sends such */
        return;
    }
    unsigned g[8];
    for (int i = 0; i < 8; i++) {
        g[i] = (unsigned)addr[2 * i] << 8 | addr[2 * i + 1];
    }
    int best, bestlen;
    longest_zero_run(g, &best, &bestlen);
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 8 && n < size; i++) {
        if (i == best) {
            n += (size_t)snprintf(out + n, size - n, "::");
            i += bestlen - 1;
            continue;
        }
        const char *sep = (i > 0 && i != best + bestlen) ? ":" : "";
        n += (size_t)snprintf(out + n, size - n, "%s%x", sep, g[i]);
    }
}

int he_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        return (c | 0x20) - 'a' + 10;
    }
    return -1;
}

int he_parse_u64_hex(struct he_field f, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (f.len == 0) {
        return -EINVAL;
    }
    for (size_t i = 0; i < f.len; i++) {
        int d = he_hex_digit(f.p[i]);
        if (d < 0 || v > (max - (uint64_t)d) / 16) {
            return -EINVAL;
        }
        v = v * 16 + (uint64_t)d;
    }
    *out = v;
    return 0;
}

int he_parse_i64_base0(struct he_field f, int64_t *out)
{
    return parse_signed(f, true, out);
}

/* The UTF-8 forms of the non-ASCII white space runes, longest first per lead byte. */
static const char *const go_wide_spaces[] = {
    "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
    "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
    "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9",
    "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
};

static bool go_ascii_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Length in bytes of the white space rune starting at p (n bytes available), or 0.
 * A valid multi-byte rune starts with a lead byte, which no continuation byte
 * equals, so matching the encodings byte for byte is what decoding would find.
 */
size_t he_go_space_at(const char *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    unsigned char lead = (unsigned char)p[0];
    if (lead < 0x80) {
        return go_ascii_space(p[0]) ? 1 : 0;
    }
    if (lead != 0xc2 && lead != 0xe1 && lead != 0xe2 && lead != 0xe3) {
        return 0; /* no white space rune starts with any other byte */
    }
    for (size_t i = 0; i < sizeof(go_wide_spaces) / sizeof(go_wide_spaces[0]); i++) {
        const char *s = go_wide_spaces[i];
        size_t k = s[2] ? 3 : 2;
        if (n >= k && p[0] == s[0] && p[1] == s[1] && (k == 2 || p[2] == s[2])) {
            return k;
        }
    }
    return 0;
}

/* Length of the white space rune that ends at p + n, or 0 (as utf8.DecodeLastRune sees it). */
static size_t go_space_before(const char *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (go_ascii_space(p[n - 1])) {
        return 1;
    }
    for (size_t k = 2; k <= 3 && k <= n; k++) {
        if (he_go_space_at(p + n - k, k) == k) {
            return k;
        }
    }
    return 0;
}

/* bytes.TrimSpace: f without leading and trailing white space. */
struct he_field he_go_trim_space(struct he_field f)
{
    size_t k;
    while ((k = he_go_space_at(f.p, f.len)) > 0) {
        f.p += k;
        f.len -= k;
    }
    while ((k = go_space_before(f.p, f.len)) > 0) {
        f.len -= k;
    }
    return f;
}

/* go_ascii_space as a table, for the byte loops below. */
static const bool go_ascii_space_table[128] = {
    ['\t'] = true, ['\n'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true, [' '] = true,
};

/* he_go_space_at with the ASCII test inline: most bytes of /proc text are ASCII. */
static inline size_t go_space_len(const char *p, size_t n)
{
    unsigned char c = (unsigned char)p[0];
    if (c < 0x80) {
        return go_ascii_space_table[c];
    }
    return he_go_space_at(p, n);
}

/*
 * strings.Fields: splits s at runs of white space into at most max fields.
 * Returns the number of fields found, which may exceed max.
 */
size_t he_go_fields(struct he_field s, struct he_field *out, size_t max)
{
    size_t n = 0;
    size_t i = 0;
    while (i < s.len) {
        size_t k = go_space_len(s.p + i, s.len - i);
        if (k > 0) {
            i += k;
            continue;
        }
        size_t start = i;
        while (i < s.len && (k = go_space_len(s.p + i, s.len - i)) == 0) {
            i++;
        }
        if (n < max) {
            out[n] = (struct he_field){s.p + start, i - start};
        }
        n++;
    }
    return n;
}


int he_parse_u64_trimmed(struct he_field f, uint64_t *out)
{
    return he_parse_u64(he_go_trim_space(f), out);
}

size_t he_go_rune_len(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xf0 && p[0] < 0xf5 ? 4 : p[0] >= 0xe0 ? 3
                                     : p[0] >= 0xc2 ? 2 : 1;
    if (len > n) {
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 1;
        }
    }
    /* overlong, surrogate and out-of-range forms are invalid: one byte each */
    if ((len == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (len == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (len == 4 && p[0] == 0xf0 && p[1] < 0x90) || (len == 4 && p[0] == 0xf4 && p[1] >= 0x90)) {
        return 1;
    }
    return len;
}

/* One rune of cleanMetricName: its replacement character. */
static char clean_metric_char(const unsigned char *p, size_t rune_len)
{
    char c = (char)p[0];
    if (rune_len == 3 && p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) {
        return 'k';
    }
    if (rune_len > 1) {
        return '_';
    }
    if (c >= 'A' && c <= 'Z') {
        return (char)(c - 'A' + 'a');
    }
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_') {
        return c;
    }
    return '_';
}

void he_go_clean_metric_name(const char *in, size_t len, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    if (size == 0) {
        return;
    }
    for (size_t i = 0; i < len && o + 1 < size;) {
        size_t rl = he_go_rune_len(p + i, len - i);
        out[o++] = clean_metric_char(p + i, rl);
        i += rl;
    }
    size_t start = 0;
    while (start < o && out[start] == '_') {
        start++;
    }
    while (o > start && out[o - 1] == '_') {
        o--;
    }
    memmove(out, out + start, o - start);
    out[o - start] = '\0';
}
