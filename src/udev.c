/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udev's properties of a block device (see he_udev.h): from libudev when
 * --path.udev.data is udev's own /run/udev/data, otherwise from the database
 * file <udev.data>/b<major>:<minor>, parsed as node_exporter 1.12.1's
 * getUdevDeviceProperties (collector/diskstats_linux.go) does.
 */
#include <errno.h>
#include <libudev.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "he_buf.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"
#include "he_udev.h"

/* Where udev keeps its database, and so the only place libudev reads it from. */
#define HE_UDEV_DEFAULT_DATA "/run/udev/data"

/*
 * node_exporter reads the file with a bufio.Scanner, which stops (the error is
 * not checked) at the first line that does not fit its 64 KiB buffer.
 */
#define HE_UDEV_MAX_LINE 65535u

/*
 * Most devices remembered from libudev; past it the cache starts over (device
 * churn, such as loop devices coming and going, cannot grow it without bound).
 */
#define HE_UDEV_CACHE_MAX 4096u

/*
 * What libudev answered for one device, kept while its database file stays the
 * same file: udev replaces the file (a new inode) whenever it rewrites the entry.
 */
struct he_udev_cached {
    dev_t devnum;
    dev_t fs_dev;             /* identity of the database file when it was read */
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct he_buf pairs;      /* "KEY\0value\0" for each of its properties */
};

struct he_udev {
    struct he_file file;             /* the last database file read */
    struct udev *udev;               /* created on first use, kept across scrapes */
    struct he_udev_cached *cache;    /* slots [0, ninit) have an initialised buffer */
    size_t ncache, ninit, cap;
    size_t hint;                     /* where the next search starts */
};

int he_udev_new(struct he_udev **out)
{
    struct he_udev *u = calloc(1, sizeof(*u));
    if (!u) {
        return -ENOMEM;
    }
    he_file_init(&u->file, false, 0);
    *out = u;
    return 0;
}

void he_udev_free(struct he_udev *u)
{
    if (!u) {
        return;
    }
    for (size_t i = 0; i < u->ninit; i++) {
        he_buf_free(&u->cache[i].pairs);
    }
    free(u->cache);
    if (u->udev) {
        udev_unref(u->udev);
    }
    he_file_fini(&u->file);
    free(u);
}

/* True when --path.udev.data names udev's own database (trailing slashes aside). */
static bool he_udev_is_default(void)
{
    const char *p = he_paths.udev_data;
    size_t n = strlen(HE_UDEV_DEFAULT_DATA);
    if (!p || strncmp(p, HE_UDEV_DEFAULT_DATA, n) != 0) {
        return false;
    }
    for (p += n; *p == '/'; p++) {
    }
    return *p == '\0';
}

/* Sets the value of every prop whose key equals key[0..len). */
static void he_udev_match(struct he_udev_prop *props, size_t n, const char *key, size_t len,
                          const char *value)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(props[i].key) == len && memcmp(props[i].key, key, len) == 0) {
            props[i].value = value;
        }
    }
}

/*
 * Parses the "E:KEY=value" lines of a database file in place (each line is
 * NUL-terminated where its '\n', or a '\r' before it, was), as Go's Scanner
 * and strings.Cut split them.
 */
static void he_udev_parse_db(char *text, size_t len, struct he_udev_prop *props, size_t n)
{
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, text, len);
    while (he_lines_next(&it, &line)) {
        if (line.len > HE_UDEV_MAX_LINE) {
            return;
        }
        char *p = (char *)line.p;
        size_t l = line.len;
        if (l && p[l - 1] == '\r') {
            l--;
        }
        p[l] = '\0';   /* the '\n', the '\r' or the buffer's own terminator */
        if (l < 2 || p[0] != 'E' || p[1] != ':') {
            continue;
        }
        char *eq = memchr(p + 2, '=', l - 2);
        if (eq) {
            he_udev_match(props, n, p + 2, (size_t)(eq - (p + 2)), eq + 1);
        }
    }
}

/* The file source. 1 when the entry was read, 0 when there is none, or a negative errno. */
static int he_udev_read_db(struct he_udev *u, const char *path, struct he_udev_prop *props,
                           size_t n)
{
    int rc = he_file_read(&u->file, path);
    if (rc == -ENOENT) {
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    he_udev_parse_db(u->file.buf.data, u->file.buf.len, props, n);
    return 1;
}

/*
 * The cache slot of devnum, or NULL. Devices are asked for in the same order on
 * every scrape, so the search starts after the last slot found.
 */
static struct he_udev_cached *he_udev_cache_find(struct he_udev *u, dev_t devnum)
{
    for (size_t k = 0; k < u->ncache; k++) {
        size_t i = (u->hint + k) % u->ncache;
        if (u->cache[i].devnum == devnum) {
            u->hint = i + 1;
            return &u->cache[i];
        }
    }
    return NULL;
}

static bool he_udev_cache_fresh(const struct he_udev_cached *c, const struct stat *st)
{
    return c->fs_dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
           c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* A slot for devnum (its old one, or a new one), or NULL when out of memory. */
static struct he_udev_cached *he_udev_cache_slot(struct he_udev *u, dev_t devnum)
{
    struct he_udev_cached *c = he_udev_cache_find(u, devnum);
    if (c) {
        return c;
    }
    if (u->ncache == HE_UDEV_CACHE_MAX) {
        u->ncache = 0;
    }
    if (u->ncache == u->ninit) {
        if (he_array_grow((void **)&u->cache, &u->cap, u->ninit + 1, sizeof(*u->cache)) < 0) {
            return NULL;
        }
        he_buf_init(&u->cache[u->ninit++].pairs, 0);
    }
    c = &u->cache[u->ncache++];
    c->devnum = devnum;
    return c;
}

/* Points props at the cached pairs of c. */
static void he_udev_cache_use(const struct he_udev_cached *c, struct he_udev_prop *props,
                              size_t n)
{
    if (c->pairs.len == 0) {
        return;
    }
    const char *p = c->pairs.data, *end = p + c->pairs.len;
    while (p < end) {
        size_t klen = strlen(p);
        const char *value = p + klen + 1;
        he_udev_match(props, n, p, klen, value);
        p = value + strlen(value) + 1;
    }
}

/*
 * Copies libudev's property list of dev (devnum) into the cache under the
 * identity st of the file libudev read, and points props at the copies.
 * -ENOMEM leaves the device uncached.
 */
static int he_udev_cache_store(struct he_udev *u, dev_t devnum, struct udev_device *dev,
                               const struct stat *st, struct he_udev_prop *props, size_t n)
{
    struct he_udev_cached *c = he_udev_cache_slot(u, devnum);
    if (!c) {
        return -ENOMEM;
    }
    c->size = -1;   /* not fresh until complete */
    he_buf_reset(&c->pairs);
    struct udev_list_entry *e;
    udev_list_entry_foreach(e, udev_device_get_properties_list_entry(dev))
    {
        const char *name = udev_list_entry_get_name(e);
        const char *value = udev_list_entry_get_value(e);
        if (name && value &&
            (he_buf_append(&c->pairs, name, strlen(name) + 1) < 0 ||
             he_buf_append(&c->pairs, value, strlen(value) + 1) < 0)) {
            return -ENOMEM;
        }
    }
    c->fs_dev = st->st_dev;
    c->ino = st->st_ino;
    c->size = st->st_size;
    c->mtime = st->st_mtim;
    he_udev_cache_use(c, props, n);
    return 0;
}

/* Asks libudev about devnum (see he_udev_from_libudev). Same returns. */
static int he_udev_ask_libudev(struct he_udev *u, dev_t devnum, const char *path,
                               const struct stat *st, struct he_udev_prop *props, size_t n)
{
    if (!u->udev) {
        u->udev = udev_new();
        if (!u->udev) {
            return -ENOMEM;
        }
    }
    struct udev_device *dev = udev_device_new_from_devnum(u->udev, 'b', devnum);
    if (!dev) {
        he_log_debug("udev: no device for the entry, reading it directly", "path", path, NULL);
        return he_udev_read_db(u, path, props, n);
    }
    int rc = 0;
    if (udev_device_get_is_initialized(dev)) {
        he_log_debug("udev: properties from libudev", "path", path, NULL);
        rc = he_udev_cache_store(u, devnum, dev, st, props, n);
        rc = rc < 0 ? rc : 1;
    }
    udev_device_unref(dev);
    return rc;
}

/*
 * The libudev source. libudev lists the kernel's uevent keys (MAJOR, DEVNAME,
 * ...) for any device, database entry or not, while node_exporter reads only
 * the entry's E: lines, so a device is only trusted once it has an entry:
 * first the entry's file must exist (cheap, and most devices of a host without
 * udev, e.g. in a container, stop there without libudev allocating anything),
 * then libudev must call the device initialized, which it does exactly when it
 * read that same entry itself (sd-device: "devices with a database entry are
 * initialized"), so an entry removed in between leaves the labels empty too.
 * Then the two sources agree on every key node_exporter reads (ID_*, DM_*,
 * SCSI_IDENT_SERIAL; never uevent keys), except that libudev drops an "E:KEY="
 * line with an empty value, which node_exporter treats as a missing property
 * for every key it reads. A device libudev cannot open although its entry
 * exists (sysfs not matching --path.procfs) is read from the file instead.
 *
 * libudev builds a new device (about a hundred allocations and a dozen file
 * reads) on every ask, so its answer is kept while the entry's file is the same
 * file (device, inode, size, mtime): a scrape then costs one stat per device.
 */
static int he_udev_from_libudev(struct he_udev *u, unsigned major, unsigned minor,
                                const char *path, struct he_udev_prop *props, size_t n)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    dev_t devnum = makedev(major, minor);
    struct he_udev_cached *c = he_udev_cache_find(u, devnum);
    if (c && he_udev_cache_fresh(c, &st)) {
        he_udev_cache_use(c, props, n);
        return 1;
    }
    return he_udev_ask_libudev(u, devnum, path, &st, props, n);
}

int he_udev_block_properties(struct he_udev *u, unsigned major, unsigned minor,
                             struct he_udev_prop *props, size_t n)
{
    char name[32];
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        props[i].value = NULL;
    }
    snprintf(name, sizeof(name), "b%u:%u", major, minor);
    int rc = he_path_udev(path, sizeof(path), name);
    if (rc < 0) {
        return rc;
    }
    rc = he_udev_is_default() ? he_udev_from_libudev(u, major, minor, path, props, n)
                              : he_udev_read_db(u, path, props, n);
    if (rc < 0) {
        for (size_t i = 0; i < n; i++) {
            props[i].value = NULL;
        }
    }
    return rc;
}
