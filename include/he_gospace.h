/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go's idea of white space, for collectors that must split or trim text exactly
 * as node_exporter does: bytes.TrimSpace and strings.Fields use unicode.IsSpace,
 * which besides the six ASCII blanks takes U+0085, U+00A0 and the other Unicode
 * White_Space code points (U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000) in their UTF-8 forms. Invalid UTF-8 is never space, as in Go. The
 * kernel writes ASCII, but os-release and similar files are UTF-8 text written
 * by people, so the difference can show in a label value.
 *
 * Header-only: small inline helpers over struct he_field, no allocation.
 */
#ifndef HE_GOSPACE_H
#define HE_GOSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "he_parse.h"

/* The UTF-8 forms of the non-ASCII white space runes, longest first per lead byte. */
static const char *const he_go_wide_spaces[] = {
    "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
    "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
    "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9",
    "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
};

static inline bool he_go_ascii_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Length in bytes of the white space rune starting at p (n bytes available), or 0.
 * A valid multi-byte rune starts with a lead byte, which no continuation byte
 * equals, so matching the encodings byte for byte is what decoding would find.
 */
static inline size_t he_go_space_at(const char *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (he_go_ascii_space(p[0])) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(he_go_wide_spaces) / sizeof(he_go_wide_spaces[0]); i++) {
        const char *s = he_go_wide_spaces[i];
        size_t k = s[2] ? 3 : 2;
        if (n >= k && p[0] == s[0] && p[1] == s[1] && (k == 2 || p[2] == s[2])) {
            return k;
        }
    }
    return 0;
}

/* Length of the white space rune that ends at p + n, or 0 (as utf8.DecodeLastRune sees it). */
static inline size_t he_go_space_before(const char *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (he_go_ascii_space(p[n - 1])) {
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
static inline struct he_field he_go_trim_space(struct he_field f)
{
    size_t k;
    while ((k = he_go_space_at(f.p, f.len)) > 0) {
        f.p += k;
        f.len -= k;
    }
    while ((k = he_go_space_before(f.p, f.len)) > 0) {
        f.len -= k;
    }
    return f;
}

/*
 * strings.Fields: splits s at runs of white space into at most max fields.
 * Returns the number of fields found, which may exceed max.
 */
static inline size_t he_go_fields(struct he_field s, struct he_field *out, size_t max)
{
    size_t n = 0;
    size_t i = 0;
    while (i < s.len) {
        size_t k = he_go_space_at(s.p + i, s.len - i);
        if (k > 0) {
            i += k;
            continue;
        }
        size_t start = i;
        while (i < s.len && (k = he_go_space_at(s.p + i, s.len - i)) == 0) {
            i++;
        }
        if (n < max) {
            out[n] = (struct he_field){s.p + start, i - start};
        }
        n++;
    }
    return n;
}

#endif
