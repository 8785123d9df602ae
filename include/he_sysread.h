/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfs attributes read the way procfs's internal/util reads them, for the
 * collectors whose upstream parser (sysfs.FS) decides what is a value and what is
 * an error:
 *
 *  - SysReadFile: one read(2) of at most 128 bytes, then bytes.TrimSpace. A longer
 *    string attribute is cut there, as upstream cuts it; a directory reads as
 *    -EISDIR.
 *  - ReadUintFromFile: the whole file, strings.TrimSpace, strconv.ParseUint base 10.
 *
 * Paths are absolute (built with he_path_sys()); nothing here allocates.
 */
#ifndef HE_SYSREAD_H
#define HE_SYSREAD_H

#include <stddef.h>
#include <stdint.h>

/* Bytes SysReadFile reads with its single read. */
#define HE_SYSREAD_MAX 128

/*
 * SysReadFile: reads path into out (HE_SYSREAD_MAX + 1 bytes), trimmed and
 * NUL-terminated. Returns the length or the negative errno of open or read.
 */
int he_sysread(const char *path, char out[HE_SYSREAD_MAX + 1]);

/* he_sysread() of name relative to directory descriptor dirfd (openat). */
int he_sysread_at(int dirfd, const char *name, char out[HE_SYSREAD_MAX + 1]);

/*
 * ReadUintFromFile: 0, the read's negative errno, or -EINVAL (-ERANGE) when the
 * trimmed text is not a decimal uint64.
 */
int he_sysread_u64(const char *path, uint64_t *out);

/* Joins <sysfs>/<rel>/<name> (name may be NULL) into out (PATH_MAX bytes). 0 or -ENAMETOOLONG. */
int he_sysread_path(char *out, const char *rel, const char *name);

#endif
