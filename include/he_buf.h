/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable byte buffer that is reused: he_buf_reset() keeps the allocation, so
 * a buffer used on every scrape grows to its high-water mark once and then stops
 * allocating. Every buffer has a cap; growing past it fails with -EFBIG, so a huge
 * or endless input cannot exhaust memory.
 */
#ifndef HE_BUF_H
#define HE_BUF_H

#include <stddef.h>
#include <string.h>

struct he_buf {
    char *data;
    size_t len;
    size_t cap;     /* bytes allocated */
    size_t limit;   /* most bytes this buffer may ever hold */
};

/* Default cap for buffers that hold one kernel file or one response. */
#define HE_BUF_DEFAULT_LIMIT (64u * 1024u * 1024u)

/* Initialises an empty buffer that may grow to limit bytes (0: the default). */
void he_buf_init(struct he_buf *b, size_t limit);

/* Frees the allocation; the buffer is empty and reusable afterwards. */
void he_buf_free(struct he_buf *b);

/* Empties the buffer, keeping its allocation. */
static inline void he_buf_reset(struct he_buf *b) { b->len = 0; }

/* The out-of-line halves of he_buf_reserve() and he_buf_append(): growth and errors. */
int he_buf_reserve_slow(struct he_buf *b, size_t extra);
int he_buf_append_slow(struct he_buf *b, const void *p, size_t n);

/*
 * Makes room for extra more bytes after len. Returns 0, -EFBIG when that would pass
 * the limit, or -ENOMEM. Inline when the room is there already: cap never exceeds
 * limit, so what fits in cap passes the limit too (the scrape path appends many
 * short strings, and the call cost them more than the copy).
 */
static inline int he_buf_reserve(struct he_buf *b, size_t extra)
{
    return extra <= b->cap - b->len ? 0 : he_buf_reserve_slow(b, extra);
}

/* Appends n bytes. Returns 0 or the error of he_buf_reserve(). */
static inline int he_buf_append(struct he_buf *b, const void *p, size_t n)
{
    if (n == 0 || n > b->cap - b->len) {
        return he_buf_append_slow(b, p, n);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* Appends a NUL-terminated string (without the NUL). */
int he_buf_puts(struct he_buf *b, const char *s);

/* Appends one byte. */
int he_buf_putc(struct he_buf *b, char c);

/*
 * Appends a NUL after the contents without counting it in len, so the data can be
 * handed to C string functions. Returns 0 or the error of he_buf_reserve().
 */
int he_buf_terminate(struct he_buf *b);

/*
 * Grows *items (an array of *cap elements of elem bytes) to hold at least need
 * elements, doubling from 16; reused arrays so reach a high-water mark and stop
 * allocating. Returns 0 or -ENOMEM (the array is unchanged then).
 */
int he_array_grow(void **items, size_t *cap, size_t need, size_t elem);

#endif
