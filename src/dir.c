/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation-free (once warm) sorted directory listings (see he_dir.h). */
#include "he_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "he_sort.h"

#define MAX_ENTRIES 1000000

void he_dir_init(struct he_dir *d)
{
    he_buf_init(&d->names, 0);
    d->offsets = NULL;
    d->scratch = NULL;
    d->n = 0;
    d->cap = 0;
}

void he_dir_fini(struct he_dir *d)
{
    he_buf_free(&d->names);
    free(d->offsets);
    free(d->scratch);
    he_dir_init(d);
}

static int grow_index(struct he_dir *d)
{
    size_t cap = d->cap ? d->cap * 2 : 64;
    uint32_t *o = realloc(d->offsets, cap * sizeof(*o));
    if (!o) {
        return -ENOMEM;
    }
    d->offsets = o;
    uint32_t *s = realloc(d->scratch, cap * sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    d->scratch = s;
    d->cap = cap;
    return 0;
}

static int add_name(struct he_dir *d, const char *name, unsigned char type)
{
    if (d->n == MAX_ENTRIES) {
        return -EFBIG;
    }
    if (d->n == d->cap) {
        int rc = grow_index(d);
        if (rc < 0) {
            return rc;
        }
    }
    /* The type byte goes just before its name: he_dir_type() reads it there. */
    int rc = he_buf_append(&d->names, (const char *)&type, 1);
    size_t off = d->names.len;
    if (rc == 0) {
        rc = he_buf_append(&d->names, name, strlen(name) + 1);
    }
    if (rc < 0) {
        return rc;
    }
    d->offsets[d->n++] = (uint32_t)off;
    return 0;
}

/* Offsets are sorted, not the names: the index entries are what moves. */
static int compare_names(const void *ctx, uint32_t a, uint32_t b)
{
    const struct he_dir *d = ctx;
    return strcmp(d->names.data + a, d->names.data + b);
}

static int read_entries(struct he_dir *d, int fd)
{
    char buf[8192];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            const struct dirent64 *e = (const struct dirent64 *)(buf + off);
            off += e->d_reclen;
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            int rc = add_name(d, e->d_name, e->d_type);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return n < 0 ? -errno : 0;
}

int he_dir_open_read(struct he_dir *d, const char *path, int *fd_out)
{
    d->n = 0;
    he_buf_reset(&d->names);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    int rc = read_entries(d, fd);
    if (rc < 0) {
        close(fd);
        d->n = 0;
        return rc;
    }
    he_sort_indices(d->offsets, d->scratch, d->n, compare_names, d);
    *fd_out = fd;
    return 0;
}

int he_dir_read(struct he_dir *d, const char *path)
{
    int fd;
    int rc = he_dir_open_read(d, path, &fd);
    if (rc == 0) {
        close(fd);
    }
    return rc;
}
