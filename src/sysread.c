/* SPDX-License-Identifier: Apache-2.0 */
/* sysfs attributes read as procfs's util.SysReadFile and ReadUintFromFile (see he_sysread.h). */
#include "he_sysread.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "he_file.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

int he_sysread(const char *path, char out[HE_SYSREAD_MAX + 1])
{
    return he_sysread_at(AT_FDCWD, path, out);
}

int he_sysread_at(int dirfd, const char *name, char out[HE_SYSREAD_MAX + 1])
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    ssize_t n;
    do {
        n = read(fd, out, HE_SYSREAD_MAX);
    } while (n < 0 && errno == EINTR);
    int err = n < 0 ? -errno : 0;
    close(fd);
    if (err) {
        out[0] = '\0';
        return err;
    }
    struct he_field f = he_go_trim_space((struct he_field){out, (size_t)n});
    memmove(out, f.p, f.len);
    out[f.len] = '\0';
    return (int)f.len;
}

int he_sysread_u64(const char *path, uint64_t *out)
{
    char buf[4097];
    int n = he_read_attr(path, buf, sizeof(buf));
    if (n == -EFBIG) {
        return -EINVAL; /* more than a page cannot be one number */
    }
    if (n < 0) {
        return n;
    }
    return he_parse_u64(he_go_trim_space((struct he_field){buf, (size_t)n}), out);
}

int he_sysread_path(char *out, const char *rel, const char *name)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s%s%s", rel, name ? "/" : "", name ? name : "");
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return -ENAMETOOLONG;
    }
    return he_path_sys(out, PATH_MAX, tmp);
}
