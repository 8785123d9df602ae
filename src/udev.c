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
#include <sys/sysmacros.h>
#include <unistd.h>

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

struct he_udev {
    struct he_file file;        /* the last database file read */
    struct udev *udev;          /* created on first use, kept across scrapes */
    struct udev_device *dev;    /* owns the values handed out by the last call */
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

static void he_udev_release(struct he_udev *u)
{
    if (u->dev) {
        udev_device_unref(u->dev);
        u->dev = NULL;
    }
}

void he_udev_free(struct he_udev *u)
{
    if (!u) {
        return;
    }
    he_udev_release(u);
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

/* Takes the asked-for keys from libudev's property list of dev, which u then owns. */
static void he_udev_take(struct he_udev *u, struct udev_device *dev, struct he_udev_prop *props,
                         size_t n)
{
    u->dev = dev;
    struct udev_list_entry *e;
    udev_list_entry_foreach(e, udev_device_get_properties_list_entry(dev))
    {
        const char *name = udev_list_entry_get_name(e);
        const char *value = udev_list_entry_get_value(e);
        if (name && value) {
            he_udev_match(props, n, name, strlen(name), value);
        }
    }
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
 */
static int he_udev_from_libudev(struct he_udev *u, unsigned major, unsigned minor,
                                const char *path, struct he_udev_prop *props, size_t n)
{
    if (access(path, F_OK) < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    if (!u->udev) {
        u->udev = udev_new();
        if (!u->udev) {
            return -ENOMEM;
        }
    }
    struct udev_device *dev = udev_device_new_from_devnum(u->udev, 'b', makedev(major, minor));
    if (!dev) {
        he_log_debug("udev: no device for the entry, reading it directly", "path", path, NULL);
        return he_udev_read_db(u, path, props, n);
    }
    if (!udev_device_get_is_initialized(dev)) {
        udev_device_unref(dev);
        return 0;
    }
    he_udev_take(u, dev, props, n);
    return 1;
}

int he_udev_block_properties(struct he_udev *u, unsigned major, unsigned minor,
                             struct he_udev_prop *props, size_t n)
{
    char name[32];
    char path[4096];
    he_udev_release(u);
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
