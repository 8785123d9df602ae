/* SPDX-License-Identifier: Apache-2.0 */
/* Growable, reusable byte buffers with a hard cap (see he_buf.h). */
#include "he_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void he_buf_init(struct he_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit ? limit : HE_BUF_DEFAULT_LIMIT;
}

void he_buf_free(struct he_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int he_buf_reserve_slow(struct he_buf *b, size_t extra)
{
    if (extra > b->limit || b->len > b->limit - extra) {
        return -EFBIG;
    }
    size_t need = b->len + extra;
    if (need <= b->cap) {
        return 0;
    }
    size_t cap = b->cap ? b->cap : 4096;
    if (cap > b->limit) {
        cap = b->limit;
    }
    while (cap < need) {
        cap = cap > b->limit / 2 ? b->limit : cap * 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        return -ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int he_buf_append_slow(struct he_buf *b, const void *p, size_t n)
{
    int rc = he_buf_reserve(b, n);
    if (rc < 0) {
        return rc;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    return 0;
}

int he_buf_puts(struct he_buf *b, const char *s)
{
    return he_buf_append(b, s, strlen(s));
}

int he_buf_putc(struct he_buf *b, char c)
{
    return he_buf_append(b, &c, 1);
}

int he_buf_terminate(struct he_buf *b)
{
    int rc = he_buf_reserve(b, 1);
    if (rc < 0) {
        return rc;
    }
    b->data[b->len] = '\0';
    return 0;
}

int he_array_grow(void **items, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        n *= 2;
    }
    void *p = realloc(*items, n * elem);
    if (!p) {
        return -ENOMEM;
    }
    *items = p;
    *cap = n;
    return 0;
}
