/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file reads with kept descriptors and a size cap (see he_file.h). */
#include "he_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "he_parse.h"

void he_file_init(struct he_file *f, bool keep_open, size_t limit)
{
    f->fd = -1;
    f->keep_open = keep_open;
    f->path[0] = '\0';
    he_buf_init(&f->buf, limit);
}

static void close_fd(struct he_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
}

void he_file_fini(struct he_file *f)
{
    close_fd(f);
    he_buf_free(&f->buf);
}

static int open_path(struct he_file *f, const char *path)
{
    size_t n = strlen(path);
    if (n >= sizeof(f->path)) {
        return -ENAMETOOLONG;
    }
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        return -errno;
    }
    memcpy(f->path, path, n + 1);
    return 0;
}

/* True when f's descriptor has no byte beyond what the buffer holds. */
static bool at_end(struct he_file *f)
{
    char probe;
    return pread(f->fd, &probe, 1, (off_t)f->buf.len) == 0;
}

/* Reads from offset 0 to EOF into f->buf. */
static int read_all(struct he_file *f)
{
    he_buf_reset(&f->buf);
    int rc = he_buf_reserve(&f->buf, 1); /* the NUL always has a place */
    if (rc < 0) {
        return rc;
    }
    for (;;) {
        size_t want = f->buf.limit - f->buf.len;
        if (want > 4096) {
            want = 4096;
        }
        if (want < 2 && !at_end(f)) {
            return -EFBIG;
        }
        if (want < 2) {
            break; /* exactly full; the reserve before the last read kept room for the NUL */
        }
        rc = he_buf_reserve(&f->buf, want);
        if (rc < 0) {
            return rc;
        }
        size_t room = f->buf.cap - f->buf.len - 1; /* one byte for the NUL */
        ssize_t n = pread(f->fd, f->buf.data + f->buf.len, room, (off_t)f->buf.len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            break;
        }
        f->buf.len += (size_t)n;
    }
    f->buf.data[f->buf.len] = '\0';
    return 0;
}

int he_file_read(struct he_file *f, const char *path)
{
    int rc = 0;
    if (f->fd >= 0 && strcmp(f->path, path) != 0) {
        close_fd(f);
    }
    if (f->fd < 0) {
        rc = open_path(f, path);
    }
    if (rc == 0) {
        rc = read_all(f);
    }
    if (rc < 0 || !f->keep_open) {
        close_fd(f);
    }
    if (rc < 0) {
        he_buf_reset(&f->buf);
    }
    return rc;
}

int he_read_attr(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    size_t len = 0;
    ssize_t n;
    while (len < size && (n = read(fd, buf + len, size - len)) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int err = -errno;
            close(fd);
            return err;
        }
        len += (size_t)n;
    }
    close(fd);
    if (len == size) {
        return -EFBIG; /* no room left for the NUL: the value did not fit */
    }
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\t')) {
        len--;
    }
    buf[len] = '\0';
    return (int)len;
}

int he_read_attr_u64(const char *path, uint64_t *out)
{
    char buf[64];
    int n = he_read_attr(path, buf, sizeof(buf));
    if (n < 0) {
        return n;
    }
    return he_parse_u64((struct he_field){buf, (size_t)n}, out);
}
