/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udev's properties of a block device, as node_exporter reads them: the "E:"
 * lines of udev's database entry <udev.data>/b<major>:<minor>. With
 * --path.udev.data at its default, /run/udev/data, they come from libudev
 * (udev_device_new_from_devnum and its property list) on the live host;
 * anywhere else (a container that mounts the host's database elsewhere, a test
 * fixture) the entry is read and parsed directly. One call hides which source
 * answered, and both give the same answer: a device without a database entry has
 * no properties at all, even though libudev would still list the kernel's
 * uevent keys for it.
 */
#ifndef HE_UDEV_H
#define HE_UDEV_H

#include <stddef.h>

struct he_udev;

/* One property asked for: the caller sets key, he_udev_block_properties() sets value. */
struct he_udev_prop {
    const char *key;     /* e.g. "ID_MODEL" */
    const char *value;   /* NUL-terminated, or NULL when the device has no such property */
};

/*
 * Allocates a context: a read buffer for database files and, created on first
 * use, the libudev handle and a copy of libudev's answer per device (refreshed
 * when udev rewrites the device's entry), all kept across calls, so a call
 * that finds nothing new allocates nothing. Returns 0 or -ENOMEM.
 */
int he_udev_new(struct he_udev **out);

/* Frees the context, the libudev handle and any values still handed out. */
void he_udev_free(struct he_udev *u);

/*
 * Fills props[i].value for the block device major:minor (a property listed
 * twice in the database: the last one). Values stay valid until the next call
 * with u or he_udev_free(). Returns 1 when the device has a database entry, 0
 * when it has none (every value NULL), or a negative errno (every value NULL).
 */
int he_udev_block_properties(struct he_udev *u, unsigned major, unsigned minor,
                             struct he_udev_prop *props, size_t n);

#endif
