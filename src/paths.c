/* SPDX-License-Identifier: Apache-2.0 */
/* Path roots and joining (see he_paths.h). */
#include "he_paths.h"

#include <errno.h>
#include <string.h>

struct he_paths he_paths = {
    .procfs = "/proc",
    .sysfs = "/sys",
    .rootfs = "/",
    .udev_data = "/run/udev/data",
};

int he_path_join(char *out, size_t size, const char *root, const char *rel)
{
    size_t rlen = strlen(root);
    while (rlen > 1 && root[rlen - 1] == '/') {
        rlen--;
    }
    while (*rel == '/') {
        rel++;
    }
    size_t slash = (*rel && !(rlen == 1 && root[0] == '/')) ? 1 : 0;
    size_t relen = strlen(rel);
    if (rlen + slash + relen + 1 > size) {
        return -ENAMETOOLONG;
    }
    memcpy(out, root, rlen);
    if (slash) {
        out[rlen] = '/';
    }
    memcpy(out + rlen + slash, rel, relen + 1);
    return 0;
}

int he_path_proc(char *out, size_t size, const char *rel)
{
    return he_path_join(out, size, he_paths.procfs, rel);
}

int he_path_sys(char *out, size_t size, const char *rel)
{
    return he_path_join(out, size, he_paths.sysfs, rel);
}

int he_path_root(char *out, size_t size, const char *rel)
{
    return he_path_join(out, size, he_paths.rootfs, rel);
}

int he_path_udev(char *out, size_t size, const char *rel)
{
    return he_path_join(out, size, he_paths.udev_data, rel);
}
