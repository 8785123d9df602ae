/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directory listings into reused storage: names come from getdents64 into a
 * buffer that grows to a high-water mark, so listing /sys/class/... on every
 * scrape allocates nothing once warm (opendir would malloc each time). Names are
 * sorted bytewise, as Go's os.ReadDir returns them; "." and ".." are left out.
 */
#ifndef HE_DIR_H
#define HE_DIR_H

#include <stddef.h>
#include <stdint.h>

#include "he_buf.h"

struct he_dir {
    struct he_buf names;    /* per entry: its d_type byte, then its NUL-terminated name */
    uint32_t *offsets;      /* start of each name in names */
    uint32_t *scratch;      /* for sorting */
    size_t n;
    size_t cap;
};

void he_dir_init(struct he_dir *d);
void he_dir_fini(struct he_dir *d);

/*
 * Lists path. Returns 0 or a negative errno (-ENOENT, -ENOTDIR, ...); on error the
 * listing is empty. At most 1,000,000 entries.
 */
int he_dir_read(struct he_dir *d, const char *path);

/*
 * he_dir_read(), and on success *fd_out receives the directory's descriptor, which
 * the caller closes: openat() on it reaches the entries without resolving path
 * (and a sysfs class symlink) again for each one.
 */
int he_dir_open_read(struct he_dir *d, const char *path, int *fd_out);

/* Name i (0 <= i < d->n) in sorted order. */
static inline const char *he_dir_name(const struct he_dir *d, size_t i)
{
    return d->names.data + d->offsets[i];
}

/*
 * The d_type getdents64 gave name i (DT_REG, DT_DIR, DT_LNK, ...), as Go's
 * DirEntry.Type() reports it; DT_UNKNOWN where the filesystem does not say, in
 * which case callers lstat, as Go does.
 */
static inline unsigned char he_dir_type(const struct he_dir *d, size_t i)
{
    return (unsigned char)d->names.data[d->offsets[i] - 1];
}

#endif
