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
    struct he_buf names;    /* NUL-terminated names, back to back */
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

/* Name i (0 <= i < d->n) in sorted order. */
static inline const char *he_dir_name(const struct he_dir *d, size_t i)
{
    return d->names.data + d->offsets[i];
}

#endif
