/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole-file reads into reused buffers. A file that always exists (/proc/meminfo)
 * can keep its descriptor open and be re-read with pread from offset 0 each scrape,
 * which roughly halves the cost of a read; it is reopened on any error or when the
 * path changes. Reads stop at the buffer's cap (-EFBIG), so an endless file cannot
 * exhaust memory.
 */
#ifndef HE_FILE_H
#define HE_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "he_buf.h"

struct he_file {
    int fd;
    bool keep_open;
    char path[PATH_MAX];
    struct he_buf buf;   /* contents after he_file_read(), NUL-terminated */
};

/* Initialises f; files of up to limit - 1 bytes fit, with the NUL (0: the default cap). */
void he_file_init(struct he_file *f, bool keep_open, size_t limit);

/*
 * Reads the whole of path into f->buf. Returns 0 or a negative errno (-ENOENT,
 * -EACCES, -EFBIG, ...). On error f->buf is empty.
 */
int he_file_read(struct he_file *f, const char *path);

/* Closes any kept descriptor and frees the buffer. */
void he_file_fini(struct he_file *f);

/*
 * Reads a small attribute file (a sysfs value, a /proc/sys entry) into buf of
 * size bytes, NUL-terminated, with trailing newlines and blanks removed. Returns
 * its length, or a negative errno: -EFBIG when it does not fit.
 */
int he_read_attr(const char *path, char *buf, size_t size);

/* Reads an attribute holding one unsigned decimal integer. 0 or a negative errno. */
int he_read_attr_u64(const char *path, uint64_t *out);

#endif
