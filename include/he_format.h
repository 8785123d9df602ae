/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sample values formatted exactly as client_golang's text encoder writes them:
 * 0, 1 and -1 special-cased (so -0 prints "0"), NaN, +Inf, -Inf, and otherwise
 * Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest decimal that reads back
 * as the same double, in exponent form when the decimal exponent is < -4 or >= 6.
 */
#ifndef HE_FORMAT_H
#define HE_FORMAT_H

#include <stddef.h>

/* Enough for any double in this format ("-1.2345678901234567e-308"), plus NUL. */
#define HE_FORMAT_DOUBLE_MAX 32

/* Writes v into out (NUL-terminated) and returns its length. */
size_t he_format_double(char out[HE_FORMAT_DOUBLE_MAX], double v);

#endif
