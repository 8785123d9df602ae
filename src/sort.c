/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stable bottom-up merge sort of index arrays (see he_sort.h). Runs already in
 * order are copied after one comparison, so sorted input costs O(n).
 */
#include "he_sort.h"

#include <string.h>

/* Merges the sorted runs src[lo..mid) and src[mid..hi) into dst[lo..hi). */
static void merge_runs(const uint32_t *src, uint32_t *dst, size_t lo, size_t mid, size_t hi,
                       he_index_compare cmp, const void *ctx)
{
    size_t i = lo, j = mid, k = lo;
    if (mid < hi && cmp(ctx, src[mid], src[mid - 1]) >= 0) {
        /* Already in order, as collectors mostly emit: one comparison, not a merge. */
        memcpy(dst + lo, src + lo, (hi - lo) * sizeof(*dst));
        return;
    }
    while (i < mid && j < hi) {
        /* Take from the right run only when strictly smaller: equal items keep their order. */
        dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
    }
    memcpy(dst + k, src + i, (mid - i) * sizeof(*dst));
    k += mid - i;
    memcpy(dst + k, src + j, (hi - j) * sizeof(*dst));
}

void he_sort_indices(uint32_t *idx, uint32_t *tmp, size_t n, he_index_compare cmp,
                     const void *ctx)
{
    uint32_t *src = idx;
    uint32_t *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge_runs(src, dst, lo, mid, hi, cmp, ctx);
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx) {
        memcpy(idx, src, n * sizeof(*idx));
    }
}
