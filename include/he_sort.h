/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stable merge sort of index arrays with a caller-owned scratch array, so a
 * scrape sorts without allocating (libc's qsort may malloc its own scratch).
 */
#ifndef HE_SORT_H
#define HE_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Negative, zero or positive as item a sorts before, with or after item b. */
typedef int (*he_index_compare)(const void *ctx, uint32_t a, uint32_t b);

/* Sorts idx[0..n) by cmp, stably; tmp must hold n items. */
void he_sort_indices(uint32_t *idx, uint32_t *tmp, size_t n, he_index_compare cmp,
                     const void *ctx);

#endif
