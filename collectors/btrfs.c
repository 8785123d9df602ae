/* SPDX-License-Identifier: Apache-2.0 */
/*
 * btrfs: node_btrfs_* per btrfs filesystem from <sysfs>/fs/btrfs/<uuid>/
 * (Documentation/ABI/testing/sysfs-fs-btrfs): label, metadata_uuid, features/,
 * devices/<dev>/size, allocation/{global_rsv_size,<type>/bytes_reserved,
 * <type>/<profile>/{total,used}_bytes} and commit_stats. Mirrors node_exporter
 * 1.12.1's collector/btrfs_linux.go over procfs btrfs/get.go.
 *
 * Families: node_btrfs_info{label}, global_rsv_size_bytes, commits_total,
 * last_commit_seconds, max_commit_seconds, commit_seconds_total,
 * reserved_bytes{block_group_type}, used_bytes/size_bytes/allocation_ratio
 * {block_group_type,mode}, all with uuid, and per device either
 * device_size_bytes{device} from sysfs or, for a filesystem mounted (per
 * <procfs>/1/mountinfo, else self/mountinfo) where its root under
 * --path.rootfs answers the btrfs ioctls (FS_INFO, DEV_INFO, GET_DEV_STATS),
 * device_size_bytes, device_unused_bytes and device_errors_total{type} with
 * labels device and btrfs_dev_uuid.
 *
 * The sysfs reading keeps procfs' error rules, odd as they are: files read are
 * their first 128 bytes, trimmed; a missing file is "" or 0 and an unparsable
 * number 0; any other read error, or a missing devices/ or features/ directory,
 * is remembered and zeroes later values, but each allocation/<type> read
 * replaces what was remembered, so only an error in allocation/system or
 * commit_stats finally fails the scrape, before anything is emitted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define BTRFS_SECTOR 512
#define BTRFS_READ_MAX 128         /* procfs' SysReadFile reads once, 128 bytes */
#define BTRFS_MAX_LINE (64 * 1024) /* bufio.Scanner's default limit */

static const char *const btrfs_alloc_types[3] = {"data", "metadata", "system"};
static const char *const btrfs_err_types[5] = {"write", "read", "flush", "corruption",
                                               "generation"};

struct btrfs_layout {
    size_t mode_at;
    uint64_t used, total;
    double ratio;
};

struct btrfs_alloc {
    uint64_t reserved;
    size_t layout_first, nlayouts;
};

struct btrfs_dev {
    size_t name_at;
    uint64_t size;
};

/* One filesystem as procfs' btrfs.Stats has it; strings live in the state's
 * strings. */
struct btrfs_fs {
    size_t uuid_at, label_at;
    uint64_t rsv_size, commits, last_ms, max_ms, total_ms;
    struct btrfs_alloc alloc[3];
    size_t dev_first, ndevs;
};

/* One device as the ioctls report it. */
struct btrfs_iodev {
    size_t name_at, uuid_at;
    uint64_t total, used;
    uint64_t errs[5];
};

/* A filesystem found through a mount, keyed by its fsid in hex (no dashes). */
struct btrfs_iofs {
    char fsid[33];
    size_t dev_first, ndevs;
};

struct btrfs_state {
    struct he_dir top, sub;
    struct he_file file, mounts;
    struct he_buf strings;
    struct btrfs_fs *fs;
    struct btrfs_layout *layouts;
    struct btrfs_dev *devs;
    struct btrfs_iofs *iofs;
    struct btrfs_iodev *iodevs;
    size_t nfs, nlayouts, ndevs, niofs, niodevs;
    size_t fs_cap, layouts_cap, devs_cap, iofs_cap, iodevs_cap;
    size_t *done_at; /* mount sources already scanned, as in devicesDone */
    size_t ndone, done_cap;
};

/* procfs' reader: a directory and the error it remembers. */
struct btrfs_reader {
    char path[4096];
    int err;
    size_t devcount;
};

static int btrfs_init(void **state)
{
    struct btrfs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->top);
    he_dir_init(&s->sub);
    he_file_init(&s->file, false, 1024 * 1024);
    he_file_init(&s->mounts, false, 1024 * 1024 + 1);
    he_buf_init(&s->strings, 0);
    *state = s;
    return 0;
}

static void btrfs_fini(void *state)
{
    struct btrfs_state *s = state;
    he_dir_fini(&s->top);
    he_dir_fini(&s->sub);
    he_file_fini(&s->file);
    he_file_fini(&s->mounts);
    he_buf_free(&s->strings);
    free(s->fs);
    free(s->layouts);
    free(s->devs);
    free(s->iofs);
    free(s->iodevs);
    free(s->done_at);
    free(s);
}

static const char *btrfs_str(const struct btrfs_state *s, size_t at)
{
    return s->strings.data + at;
}

/* Appends n bytes of p and a NUL to the strings; *at is where it starts. */
static int btrfs_put(struct btrfs_state *s, const char *p, size_t n, size_t *at)
{
    *at = s->strings.len;
    int rc = he_buf_append(&s->strings, p, n);
    return rc ? rc : he_buf_putc(&s->strings, '\0');
}

/* r->path + "/" + rel into out; -ENAMETOOLONG when it does not fit. */
static int btrfs_join(const struct btrfs_reader *r, const char *rel, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", r->path, rel);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * procfs' readFile: the first 128 bytes of rel, Go-trimmed, into out (129
 * bytes). A missing file reads as ""; other errors are remembered in r->err.
 */
static size_t btrfs_read_file(struct btrfs_state *s, struct btrfs_reader *r, const char *rel,
                              char *out)
{
    char path[4096];
    int rc = btrfs_join(r, rel, path, sizeof(path));
    out[0] = '\0';
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        return 0;
    }
    if (rc < 0) {
        he_log_debug("btrfs: cannot read", "path", path, NULL);
        r->err = rc;
        return 0;
    }
    size_t len = s->file.buf.len < BTRFS_READ_MAX ? s->file.buf.len : BTRFS_READ_MAX;
    struct he_field f = he_go_trim_space((struct he_field){s->file.buf.data, len});
    memcpy(out, f.p, f.len);
    out[f.len] = '\0';
    return f.len;
}

/* procfs' readValue: 0 once an error is remembered or when the text is no
 * number. */
static uint64_t btrfs_read_value(struct btrfs_state *s, struct btrfs_reader *r, const char *rel)
{
    char text[BTRFS_READ_MAX + 1];
    size_t n = btrfs_read_file(s, r, rel, text);
    uint64_t v;
    if (r->err != 0 || he_parse_u64((struct he_field){text, n}, &v) < 0) {
        return 0;
    }
    return v;
}

/* procfs' listFiles into s->sub: any error, ENOENT included, is remembered. */
static void btrfs_list(struct btrfs_state *s, struct btrfs_reader *r, const char *rel)
{
    char path[4096];
    int rc = btrfs_join(r, rel, path, sizeof(path));
    if (rc == 0) {
        rc = he_dir_read(&s->sub, path);
    }
    if (rc < 0) {
        s->sub.n = 0;
        he_log_debug("btrfs: cannot list", "path", path, NULL);
        r->err = rc;
    }
}

/* procfs' calcRatio for a profile directory name. */
static double btrfs_ratio(const char *mode, size_t devcount)
{
    double n = (double)devcount;
    if (strcmp(mode, "single") == 0 || strcmp(mode, "raid0") == 0) {
        return 1;
    }
    if (strcmp(mode, "dup") == 0 || strcmp(mode, "raid1") == 0 || strcmp(mode, "raid10") == 0) {
        return 2;
    }
    if (strcmp(mode, "raid5") == 0) {
        return n / (n - 1);
    }
    if (strcmp(mode, "raid6") == 0) {
        return n / (n - 2);
    }
    return 0;
}

/* True when path is a directory itself (os.DirEntry.IsDir: symlinks are not).
 */
static bool btrfs_is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* procfs' readLayouts for sub-reader r: every directory entry is a profile. */
static int btrfs_read_layouts(struct btrfs_state *s, struct btrfs_reader *r, struct btrfs_alloc *a)
{
    a->layout_first = s->nlayouts;
    a->nlayouts = 0;
    btrfs_list(s, r, ".");
    for (size_t i = 0; i < s->sub.n; i++) {
        const char *mode = he_dir_name(&s->sub, i);
        char rel[4096];
        if (btrfs_join(r, mode, rel, sizeof(rel)) < 0 || !btrfs_is_dir(rel)) {
            continue;
        }
        int rc = he_array_grow((void **)&s->layouts, &s->layouts_cap, s->nlayouts + 1,
                               sizeof(*s->layouts));
        struct btrfs_layout *l = &s->layouts[s->nlayouts];
        rc = rc ? rc : btrfs_put(s, mode, strlen(mode), &l->mode_at);
        if (rc < 0) {
            return rc;
        }
        snprintf(rel, sizeof(rel), "%s/total_bytes", mode);
        l->total = btrfs_read_value(s, r, rel);
        snprintf(rel, sizeof(rel), "%s/used_bytes", mode);
        l->used = btrfs_read_value(s, r, rel);
        l->ratio = btrfs_ratio(mode, r->devcount);
        s->nlayouts++;
        a->nlayouts++;
    }
    return 0;
}

/*
 * procfs' readAllocationStats: a fresh reader for allocation/<type> whose error
 * then replaces the parent's. Returns 0 or -ENOMEM (not a read error).
 */
static int btrfs_read_alloc(struct btrfs_state *s, struct btrfs_reader *r, int type)
{
    struct btrfs_reader sub = {.err = 0, .devcount = r->devcount};
    struct btrfs_alloc *a = &s->fs[s->nfs].alloc[type];
    char rel[64];
    snprintf(rel, sizeof(rel), "allocation/%s", btrfs_alloc_types[type]);
    if (btrfs_join(r, rel, sub.path, sizeof(sub.path)) < 0) {
        sub.err = -ENAMETOOLONG;
    }
    /* Read in procfs' order so a remembered error zeroes the same values. */
    static const char *const before[] = {"bytes_may_use", "bytes_pinned", "bytes_readonly"};
    static const char *const after[] = {"bytes_used", "disk_used",   "disk_total",
                                        "flags",      "total_bytes", "total_bytes_pinned"};
    for (size_t i = 0; i < 3; i++) {
        btrfs_read_value(s, &sub, before[i]);
    }
    a->reserved = btrfs_read_value(s, &sub, "bytes_reserved");
    for (size_t i = 0; i < 6; i++) {
        btrfs_read_value(s, &sub, after[i]);
    }
    int rc = btrfs_read_layouts(s, &sub, a);
    r->err = sub.err;
    return rc;
}

/* Applies one commit_stats line. 0 or -EINVAL (procfs: "<key> <value>" only).
 */
static int btrfs_commit_line(struct he_field line, struct btrfs_fs *fs)
{
    struct he_field f[3];
    uint64_t v;
    if (line.len >= BTRFS_MAX_LINE || he_go_fields(line, f, 3) != 2 || he_parse_u64(f[1], &v) < 0) {
        return -EINVAL;
    }
    if (he_field_eq(f[0], "commits")) {
        fs->commits = v;
    } else if (he_field_eq(f[0], "last_commit_ms")) {
        fs->last_ms = v;
    } else if (he_field_eq(f[0], "max_commit_ms")) {
        fs->max_ms = v;
    } else if (he_field_eq(f[0], "total_commit_ms")) {
        fs->total_ms = v;
    }
    return 0;
}

/* procfs' readCommitStats: absent before kernel 6.0, which is no error. */
static void btrfs_read_commits(struct btrfs_state *s, struct btrfs_reader *r, struct btrfs_fs *fs)
{
    char path[4096];
    int rc = btrfs_join(r, "commit_stats", path, sizeof(path));
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        return;
    }
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, s->file.buf.data, rc == 0 ? s->file.buf.len : 0);
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = btrfs_commit_line(line, fs);
    }
    if (rc < 0) {
        he_log_debug("btrfs: bad commit_stats", "path", path, NULL);
        r->err = rc;
    }
}

/* procfs' readDeviceInfo: devices/<name>/size in 512-byte sectors. */
static int btrfs_read_devices(struct btrfs_state *s, struct btrfs_reader *r, struct btrfs_fs *fs)
{
    fs->dev_first = s->ndevs;
    fs->ndevs = 0;
    btrfs_list(s, r, "devices");
    for (size_t i = 0; i < s->sub.n; i++) {
        const char *name = he_dir_name(&s->sub, i);
        char rel[4096];
        int rc = he_array_grow((void **)&s->devs, &s->devs_cap, s->ndevs + 1, sizeof(*s->devs));
        struct btrfs_dev *d = &s->devs[s->ndevs];
        rc = rc ? rc : btrfs_put(s, name, strlen(name), &d->name_at);
        if (rc < 0) {
            return rc;
        }
        if (snprintf(rel, sizeof(rel), "devices/%s/size", name) >= (int)sizeof(rel)) {
            r->err = -ENAMETOOLONG;
        }
        d->size = BTRFS_SECTOR * btrfs_read_value(s, r, rel);
        s->ndevs++;
        fs->ndevs++;
    }
    r->devcount = fs->ndevs;
    return 0;
}

/* Reads label and metadata_uuid (the name of the directory when absent). */
static int btrfs_read_names(struct btrfs_state *s, struct btrfs_reader *r, struct btrfs_fs *fs,
                            const char *dirname)
{
    char text[BTRFS_READ_MAX + 1];
    size_t n = btrfs_read_file(s, r, "label", text);
    int rc = btrfs_put(s, text, n, &fs->label_at);
    n = btrfs_read_file(s, r, "metadata_uuid", text);
    if (rc == 0 && n == 0) {
        return btrfs_put(s, dirname, strlen(dirname), &fs->uuid_at);
    }
    return rc ? rc : btrfs_put(s, text, n, &fs->uuid_at);
}

/* procfs' readFilesystemStats for fs/btrfs/<dirname>. 0, a read error, or
 * -ENOMEM. */
static int btrfs_read_fs(struct btrfs_state *s, const char *root, const char *dirname)
{
    struct btrfs_reader r = {.err = 0, .devcount = 0};
    if (snprintf(r.path, sizeof(r.path), "%s/%s", root, dirname) >= (int)sizeof(r.path)) {
        return -ENAMETOOLONG;
    }
    int rc = he_array_grow((void **)&s->fs, &s->fs_cap, s->nfs + 1, sizeof(*s->fs));
    if (rc < 0) {
        return rc;
    }
    struct btrfs_fs *fs = &s->fs[s->nfs];
    memset(fs, 0, sizeof(*fs));
    rc = btrfs_read_devices(s, &r, fs);
    rc = rc ? rc : btrfs_read_names(s, &r, fs, dirname);
    if (rc < 0) {
        return rc;
    }
    btrfs_list(s, &r, "features");
    static const char *const plain[] = {"clone_alignment", "nodesize", "quota_override",
                                        "sectorsize", "allocation/global_rsv_reserved"};
    for (size_t i = 0; i < 5; i++) {
        btrfs_read_value(s, &r, plain[i]);
    }
    fs->rsv_size = btrfs_read_value(s, &r, "allocation/global_rsv_size");
    for (int t = 0; t < 3 && rc == 0; t++) {
        rc = btrfs_read_alloc(s, &r, t);
    }
    if (rc < 0) {
        return rc;
    }
    btrfs_read_commits(s, &r, fs);
    if (r.err < 0) {
        return r.err;
    }
    s->nfs++;
    return 0;
}

/* --- device statistics through the ioctls, for mounted filesystems --- */

/* The fields of one mountinfo line that upstream's btrfs scan uses. */
struct btrfs_mount {
    struct he_field point, fstype, source;
};

/* Field i of line split at single spaces (strings.Split), counting from the end
 * when back. */
static struct he_field btrfs_split_at(struct he_field line, size_t i, bool back)
{
    const char *end = line.p + line.len;
    const char *p = back ? end : line.p;
    for (size_t k = 0; k < i; k++) {
        p = back ? (const char *)memrchr(line.p, ' ', (size_t)(p - line.p))
                 : (const char *)memchr(p, ' ', (size_t)(end - p)) + 1;
    }
    if (back) {
        const char *sp = memrchr(line.p, ' ', (size_t)(p - line.p));
        const char *start = sp ? sp + 1 : line.p;
        return (struct he_field){start, (size_t)(p - start)};
    }
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    return (struct he_field){p, (size_t)((sp ? sp : end) - p)};
}

/* fmt.Sscanf(s, "%d:%d"): two decimal integers around a ':', the rest ignored.
 */
static bool btrfs_majmin_ok(struct he_field f)
{
    const char *p = f.p;
    const char *end = f.p + f.len;
    for (int part = 0; part < 2; part++) {
        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        const char *digits = p;
        while (p < end && *p >= '0' && *p <= '9' && p - digits < 18) {
            p++;
        }
        if (p == digits || (part == 0 && (p == end || *p++ != ':'))) {
            return false;
        }
    }
    return true;
}

/*
 * procfs' parseMountInfoString, as strict: at least 10 space-separated fields,
 * "-" fourth from the end, numeric ids and major:minor. 0 or -EINVAL.
 */
static int btrfs_parse_mount(struct he_field line, struct btrfs_mount *m)
{
    size_t n = 1;
    for (size_t i = 0; i < line.len; i++) {
        n += line.p[i] == ' ';
    }
    int64_t id;
    if (line.len >= BTRFS_MAX_LINE || n < 10 || !he_field_eq(btrfs_split_at(line, 3, true), "-") ||
        he_parse_i64(btrfs_split_at(line, 0, false), &id) < 0 ||
        he_parse_i64(btrfs_split_at(line, 1, false), &id) < 0 ||
        !btrfs_majmin_ok(btrfs_split_at(line, 2, false))) {
        return -EINVAL;
    }
    m->point = btrfs_split_at(line, 4, false);
    m->fstype = btrfs_split_at(line, 2, true);
    m->source = btrfs_split_at(line, 1, true);
    return 0;
}

/* Copies f into out replacing every `from` (4 bytes) with c. */
static void btrfs_replace(char *out, const char *in, const char *from, char c)
{
    size_t o = 0;
    for (size_t i = 0; in[i];) {
        if (strncmp(in + i, from, 4) == 0) {
            out[o++] = c;
            i += 4;
        } else {
            out[o++] = in[i++];
        }
    }
    out[o] = '\0';
}

/*
 * The path upstream opens for a mount point: "\040" and "\011" decoded, the
 * --path.rootfs prefix stripped (rootfsStripPrefix), then joined to it again.
 */
static int btrfs_mount_path(struct he_field point, char *out, size_t size)
{
    char raw[4096];
    char tmp[4096];
    if (he_field_copy(point, raw, sizeof(raw)) < 0) {
        return -ENAMETOOLONG;
    }
    btrfs_replace(tmp, raw, "\\040", ' ');
    btrfs_replace(raw, tmp, "\\011", '\t');
    const char *root = he_paths.rootfs;
    const char *mp = raw;
    if (strcmp(root, "/") != 0 && strncmp(raw, root, strlen(root)) == 0) {
        mp = raw[strlen(root)] ? raw + strlen(root) : "/";
    }
    return he_path_root(out, size, mp);
}

/* dennwc/btrfs' Open(path, true): a subvolume root on btrfs, opened O_NOATIME.
 */
static int btrfs_open_subvol(const char *path)
{
    struct stat st;
    struct statfs sfs;
    if (stat(path, &st) < 0) {
        return -errno;
    }
    if (st.st_ino != BTRFS_FIRST_FREE_OBJECTID || !S_ISDIR(st.st_mode)) {
        return -ENOTTY;
    }
    if (statfs(path, &sfs) < 0) {
        return -errno;
    }
    if ((uint32_t)sfs.f_type != (uint32_t)BTRFS_SUPER_MAGIC) {
        return -ENOTTY;
    }
    int fd = open(path, O_RDONLY | O_NOATIME | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* Formats a 16-byte uuid as 8-4-4-4-12 lowercase hex (dennwc's UUID.String). */
static void btrfs_uuid_str(const uint8_t *u, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

/* Adds one device from DEV_INFO and GET_DEV_STATS results. */
static int btrfs_add_iodev(struct btrfs_state *s, const struct btrfs_ioctl_dev_info_args *di,
                           const struct btrfs_ioctl_get_dev_stats *ds)
{
    int rc = he_array_grow((void **)&s->iodevs, &s->iodevs_cap, s->niodevs + 1, sizeof(*s->iodevs));
    if (rc < 0) {
        return rc;
    }
    struct btrfs_iodev *d = &s->iodevs[s->niodevs];
    const char *path = (const char *)di->path;
    size_t len = strnlen(path, sizeof(di->path));
    const char *slash = memrchr(path, '/', len);
    const char *base = slash ? slash + 1 : path; /* path.Split: /dev/sda -> sda */
    char uuid[37];
    btrfs_uuid_str(di->uuid, uuid);
    rc = btrfs_put(s, base, len - (size_t)(base - path), &d->name_at);
    rc = rc ? rc : btrfs_put(s, uuid, strlen(uuid), &d->uuid_at);
    if (rc < 0) {
        return rc;
    }
    d->total = di->total_bytes;
    d->used = di->bytes_used;
    for (int i = 0; i < 5; i++) {
        d->errs[i] = ds->values[i];
    }
    s->niodevs++;
    return 0;
}

/*
 * upstream's getIoctlDeviceStats: DEV_INFO for ids 0..max_id (ENODEV: a gap),
 * GET_DEV_STATS for each, until num_devices were found. 0 or -errno.
 */
static int btrfs_scan_devices(struct btrfs_state *s, int fd,
                              const struct btrfs_ioctl_fs_info_args *fi)
{
    uint64_t found = 0;
    for (uint64_t id = 0; id <= fi->max_id; id++) {
        struct btrfs_ioctl_dev_info_args di;
        struct btrfs_ioctl_get_dev_stats ds;
        memset(&di, 0, sizeof(di));
        di.devid = id;
        if (ioctl(fd, BTRFS_IOC_DEV_INFO, &di) < 0) {
            if (errno == ENODEV) {
                continue;
            }
            return -errno;
        }
        memset(&ds, 0, sizeof(ds));
        ds.devid = id;
        ds.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
        if (ioctl(fd, BTRFS_IOC_GET_DEV_STATS, &ds) < 0) {
            return -errno;
        }
        int rc = btrfs_add_iodev(s, &di, &ds);
        if (rc < 0) {
            return rc;
        }
        if (++found == fi->num_devices) {
            break;
        }
        if (id == UINT64_MAX) {
            break;
        }
    }
    return 0;
}

/* True when a filesystem with this fsid (hex) was already scanned. */
static bool btrfs_iofs_known(const struct btrfs_state *s, const char *fsid)
{
    for (size_t i = 0; i < s->niofs; i++) {
        if (strcmp(s->iofs[i].fsid, fsid) == 0) {
            return true;
        }
    }
    return false;
}

/* Queries the filesystem mounted at path; failures are logged and skipped, as
 * upstream. */
static int btrfs_scan_mount(struct btrfs_state *s, const char *path, struct he_field source)
{
    int fd = btrfs_open_subvol(path);
    if (fd < 0) {
        he_log_debug("btrfs: Error inspecting btrfs mountpoint", "mountPoint", path, NULL);
        return 0;
    }
    struct btrfs_ioctl_fs_info_args fi;
    memset(&fi, 0, sizeof(fi));
    char fsid[33];
    int rc = ioctl(fd, BTRFS_IOC_FS_INFO, &fi) < 0 ? -errno : 0;
    for (int i = 0; rc == 0 && i < 16; i++) {
        snprintf(fsid + 2 * i, 3, "%02x", fi.fsid[i]);
    }
    if (rc < 0 || btrfs_iofs_known(s, fsid)) {
        close(fd);
        return 0;
    }
    size_t first = s->niodevs;
    rc = btrfs_scan_devices(s, fd, &fi);
    close(fd);
    if (rc < 0) {
        s->niodevs = first;
        he_log_debug("btrfs: Error querying btrfs device stats", "mountPoint", path, NULL);
        return rc == -ENOMEM ? rc : 0;
    }
    size_t at = 0;
    rc = he_array_grow((void **)&s->done_at, &s->done_cap, s->ndone + 1, sizeof(*s->done_at));
    rc = rc ? rc : btrfs_put(s, source.p, source.len, &at);
    rc = rc ? rc : he_array_grow((void **)&s->iofs, &s->iofs_cap, s->niofs + 1, sizeof(*s->iofs));
    if (rc < 0) {
        return rc;
    }
    s->done_at[s->ndone++] = at;
    struct btrfs_iofs *f = &s->iofs[s->niofs++];
    memcpy(f->fsid, fsid, sizeof(fsid));
    f->dev_first = first;
    f->ndevs = s->niodevs - first;
    return 0;
}

/* True when mount source src was already scanned (upstream's devicesDone). */
static bool btrfs_source_done(const struct btrfs_state *s, struct he_field src)
{
    for (size_t i = 0; i < s->ndone; i++) {
        const char *d = btrfs_str(s, s->done_at[i]);
        if (strlen(d) == src.len && memcmp(d, src.p, src.len) == 0) {
            return true;
        }
    }
    return false;
}

/* Reads <procfs>/1/mountinfo, or self/mountinfo when that does not exist. */
static int btrfs_read_mountinfo(struct btrfs_state *s)
{
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "1/mountinfo");
    if (rc == 0) {
        rc = he_file_read(&s->mounts, path);
    }
    if (rc == -ENOENT) {
        rc = he_path_proc(path, sizeof(path), "self/mountinfo");
        rc = rc ? rc : he_file_read(&s->mounts, path);
    }
    return rc;
}

/*
 * upstream's getIoctlStats: every btrfs mount, once per source and once per
 * fsid. A mountinfo that cannot be read or parsed leaves no ioctl data (the
 * sysfs device sizes are used), as upstream logs and carries on.
 */
static int btrfs_scan_mounts(struct btrfs_state *s)
{
    struct he_lines it;
    struct he_field line;
    struct btrfs_mount m;
    if (btrfs_read_mountinfo(s) < 0) {
        he_log_debug("btrfs: Error querying btrfs device stats with ioctl", NULL);
        return 0;
    }
    he_lines_init(&it, s->mounts.buf.data, s->mounts.buf.len);
    while (he_lines_next(&it, &line)) {
        if (btrfs_parse_mount(line, &m) < 0) {
            he_log_debug("btrfs: Error querying btrfs device stats with ioctl", NULL);
            return 0;
        }
    }
    he_lines_init(&it, s->mounts.buf.data, s->mounts.buf.len);
    while (he_lines_next(&it, &line)) {
        char path[4096];
        btrfs_parse_mount(line, &m);
        if (!he_field_eq(m.fstype, "btrfs") || btrfs_source_done(s, m.source) ||
            btrfs_mount_path(m.point, path, sizeof(path)) < 0) {
            continue;
        }
        int rc = btrfs_scan_mount(s, path, m.source);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* The ioctl data for a sysfs uuid (dashes removed, as upstream matches), or
 * NULL. */
static const struct btrfs_iofs *btrfs_iofs_for(const struct btrfs_state *s, const char *uuid)
{
    char key[4096];
    size_t n = 0;
    for (size_t i = 0; uuid[i] && n + 1 < sizeof(key); i++) {
        if (uuid[i] != '-') {
            key[n++] = uuid[i];
        }
    }
    key[n] = '\0';
    for (size_t i = 0; i < s->niofs; i++) {
        if (strcmp(s->iofs[i].fsid, key) == 0) {
            return &s->iofs[i];
        }
    }
    return NULL;
}

/* --- emission --- */

static void btrfs_emit_fs_gauge(struct he_writer *w, const char *name, const char *help,
                                enum he_metric_type type, const char *uuid, double v)
{
    struct he_label l = {"uuid", uuid};
    he_writer_family(w, name, help, type);
    he_writer_sample(w, &l, 1, v);
}

static void btrfs_emit_fs(struct he_writer *w, const struct btrfs_state *s,
                          const struct btrfs_fs *fs)
{
    const char *uuid = btrfs_str(s, fs->uuid_at);
    struct he_label info[2] = {{"uuid", uuid}, {"label", btrfs_str(s, fs->label_at)}};
    he_writer_family(w, "node_btrfs_info", "Filesystem information", HE_GAUGE);
    he_writer_sample(w, info, 2, 1);
    btrfs_emit_fs_gauge(w, "node_btrfs_global_rsv_size_bytes", "Size of global reserve.", HE_GAUGE,
                        uuid, (double)fs->rsv_size);
    btrfs_emit_fs_gauge(w, "node_btrfs_commits_total",
                        "The total number of commits that have occurred.", HE_COUNTER, uuid,
                        (double)fs->commits);
    btrfs_emit_fs_gauge(w, "node_btrfs_last_commit_seconds",
                        "Duration of the most recent commit, in seconds.", HE_GAUGE, uuid,
                        (double)fs->last_ms / 1000);
    btrfs_emit_fs_gauge(w, "node_btrfs_max_commit_seconds",
                        "Duration of the slowest commit, in seconds.", HE_GAUGE, uuid,
                        (double)fs->max_ms / 1000);
    btrfs_emit_fs_gauge(w, "node_btrfs_commit_seconds_total",
                        "Sum of the duration of all commits, in seconds.", HE_COUNTER, uuid,
                        (double)fs->total_ms / 1000);
}

static void btrfs_emit_alloc(struct he_writer *w, const struct btrfs_state *s,
                             const struct btrfs_fs *fs)
{
    const char *uuid = btrfs_str(s, fs->uuid_at);
    for (int t = 0; t < 3; t++) {
        const struct btrfs_alloc *a = &fs->alloc[t];
        struct he_label l[3] = {{"uuid", uuid}, {"block_group_type", btrfs_alloc_types[t]}};
        he_writer_family(w, "node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
                         HE_GAUGE);
        he_writer_sample(w, l, 2, (double)a->reserved);
        for (size_t i = 0; i < a->nlayouts; i++) {
            const struct btrfs_layout *lay = &s->layouts[a->layout_first + i];
            l[2] = (struct he_label){"mode", btrfs_str(s, lay->mode_at)};
            he_writer_family(w, "node_btrfs_used_bytes",
                             "Amount of used space by a layout/data type", HE_GAUGE);
            he_writer_sample(w, l, 3, (double)lay->used);
            he_writer_family(w, "node_btrfs_size_bytes",
                             "Amount of space allocated for a layout/data type", HE_GAUGE);
            he_writer_sample(w, l, 3, (double)lay->total);
            he_writer_family(w, "node_btrfs_allocation_ratio",
                             "Data allocation ratio for a layout/data type", HE_GAUGE);
            he_writer_sample(w, l, 3, lay->ratio);
        }
    }
}

/* Device series from the ioctls: sizes, unused bytes and the five error
 * counters. */
static void btrfs_emit_iodevs(struct he_writer *w, const struct btrfs_state *s, const char *uuid,
                              const struct btrfs_iofs *io)
{
    for (size_t i = 0; i < io->ndevs; i++) {
        const struct btrfs_iodev *d = &s->iodevs[io->dev_first + i];
        struct he_label l[4] = {{"uuid", uuid},
                                {"device", btrfs_str(s, d->name_at)},
                                {"btrfs_dev_uuid", btrfs_str(s, d->uuid_at)}};
        he_writer_family(w, "node_btrfs_device_size_bytes",
                         "Size of a device that is part of the filesystem.", HE_GAUGE);
        he_writer_sample(w, l, 3, (double)d->total);
        /* uint64 arithmetic, wrapping as Go's does should used exceed total */
        he_writer_family(w, "node_btrfs_device_unused_bytes",
                         "Unused bytes unused on a device that is part of the filesystem.",
                         HE_GAUGE);
        he_writer_sample(w, l, 3, (double)(d->total - d->used));
        he_writer_family(w, "node_btrfs_device_errors_total", "Errors reported for the device",
                         HE_COUNTER);
        for (int e = 0; e < 5; e++) {
            l[3] = (struct he_label){"type", btrfs_err_types[e]};
            he_writer_sample(w, l, 4, (double)d->errs[e]);
        }
    }
}

static void btrfs_emit_devices(struct he_writer *w, const struct btrfs_state *s,
                               const struct btrfs_fs *fs)
{
    const char *uuid = btrfs_str(s, fs->uuid_at);
    const struct btrfs_iofs *io = btrfs_iofs_for(s, uuid);
    if (io) {
        btrfs_emit_iodevs(w, s, uuid, io);
        return;
    }
    for (size_t i = 0; i < fs->ndevs; i++) {
        const struct btrfs_dev *d = &s->devs[fs->dev_first + i];
        struct he_label l[2] = {{"uuid", uuid}, {"device", btrfs_str(s, d->name_at)}};
        he_writer_family(w, "node_btrfs_device_size_bytes",
                         "Size of a device that is part of the filesystem.", HE_GAUGE);
        he_writer_sample(w, l, 2, (double)d->size);
    }
}

/* True for the names upstream's glob fs/btrfs/(star)-(star) matches. */
static bool btrfs_is_fs_name(const char *name)
{
    return strchr(name, '-') != NULL;
}

static int btrfs_collect(void *state, struct he_writer *w)
{
    struct btrfs_state *s = state;
    char root[4096];
    s->nfs = s->nlayouts = s->ndevs = s->niofs = s->niodevs = s->ndone = 0;
    he_buf_reset(&s->strings);
    int rc = he_path_sys(root, sizeof(root), "fs/btrfs");
    if (rc < 0) {
        return rc;
    }
    if (he_dir_read(&s->top, root) < 0) {
        return 0; /* Go's Glob: an unreadable directory is no match */
    }
    for (size_t i = 0; i < s->top.n; i++) {
        const char *name = he_dir_name(&s->top, i);
        rc = btrfs_is_fs_name(name) ? btrfs_read_fs(s, root, name) : 0;
        if (rc < 0) {
            he_log_debug("btrfs: failed to retrieve Btrfs stats", "fs", name, NULL);
            return rc;
        }
    }
    rc = s->nfs > 0 ? btrfs_scan_mounts(s) : 0;
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->nfs; i++) {
        btrfs_emit_fs(w, s, &s->fs[i]);
        btrfs_emit_alloc(w, s, &s->fs[i]);
        btrfs_emit_devices(w, s, &s->fs[i]);
    }
    return 0;
}

static const struct he_collector btrfs_collector = {
    .name = "btrfs",
    .default_enabled = true,
    .init = btrfs_init,
    .collect = btrfs_collect,
    .fini = btrfs_fini,
};

HE_COLLECTOR_REGISTER(btrfs_collector)
