/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the kernel's files are: --path.procfs, --path.sysfs, --path.rootfs and
 * --path.udev.data. Every collector builds its paths here, so pointing the flags
 * at a fixture tree moves every read. The roots are set once at startup.
 */
#ifndef HE_PATHS_H
#define HE_PATHS_H

#include <stddef.h>

struct he_paths {
    const char *procfs;
    const char *sysfs;
    const char *rootfs;
    const char *udev_data;
};

/* The configured roots; written by flag parsing only, read everywhere. */
extern struct he_paths he_paths;

/*
 * Writes root + "/" + rel into out (size bytes), without doubled slashes.
 * Returns 0, or -ENAMETOOLONG when the result would not fit (never truncates).
 */
int he_path_join(char *out, size_t size, const char *root, const char *rel);

/* he_path_join() under each configured root. */
int he_path_proc(char *out, size_t size, const char *rel);
int he_path_sys(char *out, size_t size, const char *rel);
int he_path_root(char *out, size_t size, const char *rel);
int he_path_udev(char *out, size_t size, const char *rel);

#endif
