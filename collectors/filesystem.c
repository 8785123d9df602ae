/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filesystem: node_filesystem_{size,free,avail}_bytes, _files, _files_free,
 * _readonly, _device_error, _mount_info and _purgeable_bytes from the mount table
 * <procfs>/1/mountinfo (<procfs>/self/mountinfo when that is missing, e.g. under
 * hidepid) and statfs(2) of each mount point joined to --path.rootfs. Mirrors
 * node_exporter 1.12.1's collector/filesystem_common.go and filesystem_linux.go
 * with prometheus/procfs' mountinfo.go parser:
 *
 * - a line without exactly one " - ", with fewer than six fields before it or
 *   three after it, a bad mount or parent ID or major:minor fails the scrape;
 * - only \040 and \011 are unescaped, and only in the mount point; the device
 *   keeps the kernel's escapes; device, mount point and type have invalid UTF-8
 *   replaced (1.12.0's fix) before the filters see them;
 * - readonly is "ro" in the mount or the super block options, or the super
 *   block's "emergency_ro" (1.12.0, ext4 on Linux 6.15+), read from the options
 *   and not from statfs; a mount that failed statfs still has it;
 * - device_error carries Go's text for the statfs errno, or "mountpoint
 *   timeout"; a failed mount has only _device_error and _readonly;
 * - _purgeable_bytes is 0 on Linux, as upstream emits it for every good mount;
 * - entries with the same labels are reported once, the first one winning.
 *
 * statfs of a hung network or FUSE mount never returns, so it runs on a pool of
 * --collector.filesystem.stat-workers threads created at init. The scrape hands
 * the mounts out and waits until one absolute CLOCK_MONOTONIC deadline,
 * --collector.filesystem.mount-timeout after it started: the wait is bounded in
 * total, not per mount. A mount still in statfs then is reported as upstream
 * reports a stuck mount (device_error="mountpoint timeout", readonly 0) and its
 * thread is marked stuck; while a stuck thread is in statfs on a mount point,
 * later scrapes report that mount point the same way at once instead of asking
 * again (upstream's stuckMounts). When the statfs returns, the mount is asked
 * again on the next scrape. Upstream's first scrape blocks until the hung
 * statfs returns; this one answers within the timeout.
 *
 * A stuck thread is replaced at the next scrape, so stat-workers threads are
 * free for the other mounts; replacements are bounded: at most
 * FS_MAX_STUCK threads may be stuck at once. When all threads are stuck and no
 * more may be started, mounts that found no free thread before the deadline are
 * reported as timed out too (but not marked stuck: they are asked again on the
 * next scrape), and a scrape with no free thread at all does not wait. A thread
 * whose stuck statfs returns goes back to the pool, or exits when the pool is
 * already full. The HTTP front end stays single-threaded: only these threads
 * run beside it, they block every signal, and they touch nothing but the pool
 * under its mutex. At exit, threads still blocked in statfs are detached and the
 * pool they use is left allocated.
 *
 * Flag limits upstream lacks: stat-workers is clamped to 1..FS_MAX_WORKERS
 * (upstream raises values below 1 to 1 and has no upper bound), and
 * mount-timeout must be a positive duration.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dbus.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"

#define FS_MOUNT_POINTS_EXCLUDE_DEFAULT                                                            \
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
#define FS_TYPES_EXCLUDE_DEFAULT                                                                   \
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"       \
    "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"    \
    "erofs|sysfs|tracefs)$"
#define FS_MOUNT_TIMEOUT_DEFAULT "5s"

/* Threads that may be stuck in statfs at once, beyond stat-workers. */
#define FS_MAX_STUCK 64
/* Upper bound for --collector.filesystem.stat-workers. */
#define FS_MAX_WORKERS 128
/* bufio.Scanner's longest line: procfs fails on a longer mountinfo line. */
#define FS_MAX_LINE (64 * 1024 - 1)
#define FS_STACK_SIZE (256 * 1024)

/* Arrays, not literals: fs_flag_given() compares their addresses. */
static const char fs_mount_points_exclude_default[] = FS_MOUNT_POINTS_EXCLUDE_DEFAULT;
static const char fs_types_exclude_default[] = FS_TYPES_EXCLUDE_DEFAULT;

static const char *fs_mount_points_exclude;
static const char *fs_mount_points_include;
static const char *fs_ignored_mount_points;   /* hidden, deprecated */
static const char *fs_types_exclude;
static const char *fs_types_include;
static const char *fs_ignored_fs_types;       /* hidden, deprecated */
static const char *fs_mount_timeout;
static long fs_stat_workers;

enum fs_result {
    FS_QUEUED,     /* handed to the pool, no answer yet */
    FS_OK,
    FS_ERRNO,      /* statfs failed with err */
    FS_TIMEOUT,    /* "mountpoint timeout" */
    FS_STUCK,      /* skipped: a thread is still in statfs on this mount point */
};

/* One mountinfo line; strings are offsets into the collector's string pool. */
struct fs_mount {
    uint32_t device, mountpoint, fstype, major, minor, path, mopts, sopts;
    bool ro;
    bool wanted;   /* passed both filters */
    enum fs_result result;
    int err;
    double size, free, avail, files, files_free;
};

enum fs_slot { FS_SLOT_FREE, FS_SLOT_RUNNING, FS_SLOT_EXITED };

struct fs_pool;

struct fs_worker {
    pthread_t thread;
    struct fs_pool *pool;
    enum fs_slot slot;
    bool busy;        /* in statfs */
    bool stuck;       /* busy for a scrape that gave up on it */
    bool recovered;   /* a stuck statfs returned; logged by the next scrape */
    bool join;        /* fini: this thread is to be joined (owned by the scrape side) */
    uint32_t job;     /* index into the scrape's mounts */
    char *path;       /* PATH_MAX: copies, so a stuck thread needs no scrape memory */
    char *mountpoint; /* PATH_MAX */
};

/* Everything the threads share, guarded by mu. */
struct fs_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;   /* a job was queued, or stop */
    pthread_cond_t done;   /* the last outstanding job finished (CLOCK_MONOTONIC) */
    bool stop, active;
    struct fs_mount *mounts;   /* the scrape's, valid while active */
    const char *strs;
    uint32_t *queue;
    size_t qlen, qnext, outstanding;
    size_t target;             /* stat-workers */
    size_t live, stuck;        /* running threads; those of them stuck */
    size_t nslots;
    struct fs_worker *workers;
};

struct fs_state {
    struct fs_pool *pool;
    struct he_filter mount_points, fs_types;
    uint64_t timeout_ns;
    struct he_file file;
    struct he_buf strs;      /* every string of the scrape, NUL-terminated */
    struct he_buf scratch;   /* one mount point while it is unescaped */
    struct fs_mount *mounts;
    size_t nmounts, cap_mounts;
    uint32_t *queue;
    size_t cap_queue;
    uint32_t *seen;   /* open-addressing table of mount index + 1 */
    size_t cap_seen;
};

/* ---- Go semantics ---------------------------------------------------------- */

/*
 * Go's syscall.Errno.Error() on linux: glibc's message with its first letter
 * lowered when the second is lower case, except ESTALE whose Go text predates
 * glibc's rename; numbers outside Go's table (1..132) read "errno N".
 */
static const char *fs_errno_text(int err, char *buf, size_t size)
{
    const char *desc = err > 0 && err <= 132 ? strerrordesc_np(err) : NULL;
    if (err == ESTALE) {
        return "stale NFS file handle";
    }
    if (!desc || !*desc) {
        snprintf(buf, size, "errno %d", err);
        return buf;
    }
    snprintf(buf, size, "%s", desc);
    if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z') {
        buf[0] = (char)(buf[0] - 'A' + 'a');
    }
    return buf;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 (Go's rules). */
static size_t fs_utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) {
        return 1;
    }
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    if (p[0] < 0xc2 || p[0] > 0xf4 || n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f)) {
        return 0;
    }
    return len;
}

/* Appends f to b as strings.ToValidUTF8(f, "\uFFFD") does, NUL-terminated. */
static int fs_put_valid_utf8(struct he_buf *b, struct he_field f)
{
    const unsigned char *p = (const unsigned char *)f.p;
    bool in_bad = false;
    int rc = 0;
    for (size_t i = 0; i < f.len && rc == 0;) {
        size_t len = fs_utf8_len(p + i, f.len - i);
        if (len == 0) {
            rc = in_bad ? 0 : he_buf_append(b, "\xef\xbf\xbd", 3);
            in_bad = true;
            i++;
            continue;
        }
        in_bad = false;
        rc = he_buf_append(b, p + i, len);
        i += len;
    }
    return rc < 0 ? rc : he_buf_putc(b, '\0');
}

/* fmt's %d as Sscanf applies it: spaces, an optional sign, decimal digits. */
static int fs_scan_int(const char **p, const char *end, int64_t *out)
{
    size_t sp;
    while (*p < end && (sp = he_go_space_at(*p, (size_t)(end - *p))) > 0) {
        *p += sp;
    }
    const char *start = *p;
    if (*p < end && (**p == '+' || **p == '-')) {
        (*p)++;
    }
    const char *digits = *p;
    while (*p < end && **p >= '0' && **p <= '9') {
        (*p)++;
    }
    if (*p == digits) {
        return -EINVAL;
    }
    return he_parse_i64((struct he_field){start, (size_t)(*p - start)}, out);
}

/* fmt.Sscanf(f, "%d:%d"): what follows the second number is ignored, as in Go. */
static int fs_parse_major_minor(struct he_field f, int64_t *major, int64_t *minor)
{
    const char *p = f.p, *end = f.p + f.len;
    if (fs_scan_int(&p, end, major) < 0 || p >= end || *p != ':') {
        return -EINVAL;
    }
    p++;
    return fs_scan_int(&p, end, minor);
}

/*
 * Whether option name is set without a value in a comma-separated list, as
 * procfs' option map and isFilesystemReadOnly see it: the last "name" or
 * "name=value" entry wins, and only an empty value counts.
 */
static bool fs_has_flag_option(struct he_field opts, const char *name)
{
    size_t nlen = strlen(name);
    bool set = false;
    const char *p = opts.p, *end = opts.p + opts.len;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end;
        if ((size_t)(e - p) >= nlen && memcmp(p, name, nlen) == 0 &&
            (p + nlen == e || p[nlen] == '=')) {
            set = p + nlen == e || p + nlen + 1 == e;
        }
        p = e + 1;
    }
    return set;
}

/* Go's path.Clean, in place (the result is never longer than the input). */
static void fs_clean_path(char *path)
{
    size_t n = strlen(path), r = 0, w = 0, dotdot = 0;
    bool rooted = n > 0 && path[0] == '/';
    if (rooted) {
        r = w = dotdot = 1;
    }
    while (r < n) {
        if (path[r] == '/') {
            r++;
        } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
            r++;
        } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                for (w--; w > dotdot && path[w] != '/'; w--) {
                }
            } else if (!rooted) {
                if (w > 0) {
                    path[w++] = '/';
                }
                path[w++] = '.';
                path[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0)) {
                path[w++] = '/';
            }
            for (; r < n && path[r] != '/'; r++) {
                path[w++] = path[r];
            }
        }
    }
    if (w == 0) {
        path[w++] = '.';
    }
    path[w] = '\0';
}

/* ---- mountinfo ----------------------------------------------------------- */

/* The fields of one mountinfo line upstream reads. */
struct fs_line {
    struct he_field majmin, mountpoint, mopts, fstype, source, sopts;
};

/* Splits at every single space, as strings.Split(s, " "); returns the count. */
static size_t fs_split_spaces(struct he_field f, struct he_field *out, size_t max)
{
    size_t n = 0;
    const char *p = f.p, *end = f.p + f.len;
    for (;;) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *e = sp ? sp : end;
        if (n < max) {
            out[n] = (struct he_field){p, (size_t)(e - p)};
        }
        n++;
        if (!sp) {
            return n;
        }
        p = sp + 1;
    }
}

/* procfs' parseMountInfoString: 0 or -EINVAL. */
static int fs_parse_line(struct he_field line, struct fs_line *out)
{
    const char *sep = memmem(line.p, line.len, " - ", 3);
    if (!sep || memmem(sep + 3, line.len - (size_t)(sep + 3 - line.p), " - ", 3) ||
        line.len > FS_MAX_LINE) {
        return -EINVAL;
    }
    struct he_field before[6], after[3];
    int64_t id;
    if (fs_split_spaces((struct he_field){line.p, (size_t)(sep - line.p)}, before, 6) < 6 ||
        he_parse_i64(before[0], &id) < 0 || he_parse_i64(before[1], &id) < 0) {
        return -EINVAL;
    }
    struct he_field rest = {sep + 3, line.len - (size_t)(sep + 3 - line.p)};
    const char *sp1 = memchr(rest.p, ' ', rest.len);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(rest.p + rest.len - sp1 - 1)) : NULL;
    if (!sp2) {
        return -EINVAL;
    }
    after[0] = (struct he_field){rest.p, (size_t)(sp1 - rest.p)};
    after[1] = (struct he_field){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
    after[2] = (struct he_field){sp2 + 1, (size_t)(rest.p + rest.len - sp2 - 1)};
    *out = (struct fs_line){before[2], before[4], before[5], after[0], after[1], after[2]};
    return 0;
}

/* Appends s to the pool NUL-terminated; *off gets its offset. */
static int fs_put(struct he_buf *b, struct he_field s, uint32_t *off)
{
    *off = (uint32_t)b->len;
    int rc = he_buf_append(b, s.p, s.len);
    return rc < 0 ? rc : he_buf_putc(b, '\0');
}

/*
 * The mount point label: \\040 and \\011 unescaped (fstab(5)), --path.rootfs
 * stripped as a plain prefix (rootfsStripPrefix), invalid UTF-8 replaced.
 */
static int fs_put_mountpoint(struct fs_state *s, struct he_field mp, uint32_t *off)
{
    struct he_buf *b = &s->scratch;
    int rc = 0;
    he_buf_reset(b);
    for (size_t i = 0; i < mp.len && rc == 0; i++) {
        if (i + 4 <= mp.len && memcmp(mp.p + i, "\\040", 4) == 0) {
            rc = he_buf_putc(b, ' ');
            i += 3;
        } else if (i + 4 <= mp.len && memcmp(mp.p + i, "\\011", 4) == 0) {
            rc = he_buf_putc(b, '\t');
            i += 3;
        } else {
            rc = he_buf_putc(b, mp.p[i]);
        }
    }
    if (rc < 0) {
        return rc;
    }
    struct he_field f = {b->data, b->len};
    size_t rlen = strlen(he_paths.rootfs);
    if (strcmp(he_paths.rootfs, "/") != 0 && f.len >= rlen &&
        memcmp(f.p, he_paths.rootfs, rlen) == 0) {
        f = f.len == rlen ? (struct he_field){"/", 1} : (struct he_field){f.p + rlen, f.len - rlen};
    }
    *off = (uint32_t)s->strs.len;
    return fs_put_valid_utf8(&s->strs, f);
}

/* Stores the labels of one parsed line as mount m. */
static int fs_store_labels(struct fs_state *s, const struct fs_line *l, struct fs_mount *m)
{
    int64_t major, minor;
    char num[2][24];
    if (fs_parse_major_minor(l->majmin, &major, &minor) < 0) {
        he_log_debug("filesystem: malformed mount point MajorMinorVer", NULL);
        return -EINVAL;
    }
    snprintf(num[0], sizeof(num[0]), "%lld", (long long)major);
    snprintf(num[1], sizeof(num[1]), "%lld", (long long)minor);
    m->device = (uint32_t)s->strs.len;
    int rc = fs_put_valid_utf8(&s->strs, l->source);
    if (rc == 0) {
        m->fstype = (uint32_t)s->strs.len;
        rc = fs_put_valid_utf8(&s->strs, l->fstype);
    }
    if (rc == 0) {
        rc = fs_put_mountpoint(s, l->mountpoint, &m->mountpoint);
    }
    if (rc == 0) {
        rc = fs_put(&s->strs, (struct he_field){num[0], strlen(num[0])}, &m->major);
    }
    if (rc == 0) {
        rc = fs_put(&s->strs, (struct he_field){num[1], strlen(num[1])}, &m->minor);
    }
    if (rc == 0) {
        rc = fs_put(&s->strs, l->mopts, &m->mopts);
    }
    return rc < 0 ? rc : fs_put(&s->strs, l->sopts, &m->sopts);
}

/* Parses one line into a new mount entry. */
static int fs_add_mount(struct fs_state *s, struct he_field line)
{
    struct fs_line l;
    if (line.len > 0 && line.p[line.len - 1] == '\r') {
        line.len--;   /* bufio.ScanLines drops it */
    }
    if (fs_parse_line(line, &l) < 0) {
        he_log_debug("filesystem: malformed mountinfo line", NULL);
        return -EINVAL;
    }
    if (he_array_grow((void **)&s->mounts, &s->cap_mounts, s->nmounts + 1, sizeof(*s->mounts)) <
        0) {
        return -ENOMEM;
    }
    struct fs_mount *m = &s->mounts[s->nmounts];
    memset(m, 0, sizeof(*m));
    int rc = fs_store_labels(s, &l, m);
    if (rc < 0) {
        return rc;
    }
    m->ro = fs_has_flag_option(l.mopts, "ro") || fs_has_flag_option(l.sopts, "ro") ||
            fs_has_flag_option(l.sopts, "emergency_ro");
    s->nmounts++;
    return 0;
}

/* Reads <procfs>/1/mountinfo, or <procfs>/self/mountinfo when it does not exist. */
static int fs_read_mountinfo(struct fs_state *s)
{
    char path[PATH_MAX];
    int rc = he_path_proc(path, sizeof(path), "1/mountinfo");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("filesystem: reading root mounts failed, falling back to self mounts",
                     "path", path, NULL);
        rc = he_path_proc(path, sizeof(path), "self/mountinfo");
        if (rc == 0) {
            rc = he_file_read(&s->file, path);
        }
    }
    if (rc < 0) {
        he_log_debug("filesystem: cannot read", "path", path, "err", strerror(-rc), NULL);
    }
    return rc;
}

static int fs_parse_mountinfo(struct fs_state *s)
{
    he_buf_reset(&s->strs);
    s->nmounts = 0;
    int rc = fs_read_mountinfo(s);
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = fs_add_mount(s, line);
        if (rc == 0 && s->strs.len > UINT32_MAX / 2) {
            rc = -EFBIG;
        }
    }
    return rc;
}

/* Applies the filters and builds the statfs path of each wanted mount. */
static int fs_select(struct fs_state *s)
{
    for (size_t i = 0; i < s->nmounts; i++) {
        struct fs_mount *m = &s->mounts[i];
        const char *mp = s->strs.data + m->mountpoint;
        if (he_filter_ignored(&s->mount_points, mp)) {
            he_log_debug("filesystem: ignoring mount point", "mountpoint", mp, NULL);
            continue;
        }
        if (he_filter_ignored(&s->fs_types, s->strs.data + m->fstype)) {
            he_log_debug("filesystem: ignoring fs type", "type", s->strs.data + m->fstype, NULL);
            continue;
        }
        char path[2 * PATH_MAX];
        m->wanted = true;
        if (he_path_root(path, sizeof(path), mp) < 0) {
            m->result = FS_ERRNO;
            m->err = ENAMETOOLONG;
            continue;
        }
        fs_clean_path(path);
        if (strlen(path) >= PATH_MAX) {
            m->result = FS_ERRNO;   /* what the kernel answers for such a path */
            m->err = ENAMETOOLONG;
            continue;
        }
        int rc = fs_put(&s->strs, (struct he_field){path, strlen(path)}, &m->path);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- the statfs threads ---------------------------------------------------- */

/* Waits for a job; false when the pool stops. Called and returns with mu held. */
static bool fs_worker_take(struct fs_pool *p, struct fs_worker *w)
{
    while (!p->stop && !(p->active && p->qnext < p->qlen)) {
        pthread_cond_wait(&p->work, &p->mu);
    }
    if (p->stop) {
        return false;
    }
    w->job = p->queue[p->qnext++];
    const struct fs_mount *m = &p->mounts[w->job];
    snprintf(w->path, PATH_MAX, "%s", p->strs + m->path);
    snprintf(w->mountpoint, PATH_MAX, "%s", p->strs + m->mountpoint);
    w->busy = true;
    return true;
}

/*
 * Records a statfs answer (mu held). A job the scrape gave up on is dropped; the
 * thread then stays only if the pool lacks a free thread. Returns false to exit.
 */
static bool fs_worker_finish(struct fs_pool *p, struct fs_worker *w, const struct statfs *st,
                             int err)
{
    w->busy = false;
    if (w->stuck) {
        w->stuck = false;
        w->recovered = true;
        p->stuck--;
        return p->live - p->stuck <= p->target;
    }
    struct fs_mount *m = &p->mounts[w->job];
    if (err) {
        m->result = FS_ERRNO;
        m->err = err;
    } else {
        double bsize = (double)st->f_bsize;
        m->result = FS_OK;
        m->size = (double)st->f_blocks * bsize;
        m->free = (double)st->f_bfree * bsize;
        m->avail = (double)st->f_bavail * bsize;
        m->files = (double)st->f_files;
        m->files_free = (double)st->f_ffree;
    }
    if (--p->outstanding == 0) {
        pthread_cond_signal(&p->done);
    }
    return true;
}

static void *fs_worker_main(void *arg)
{
    struct fs_worker *w = arg;
    struct fs_pool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    while (fs_worker_take(p, w)) {
        pthread_mutex_unlock(&p->mu);
        struct statfs st;
        int err = statfs(w->path, &st) == 0 ? 0 : errno;
        pthread_mutex_lock(&p->mu);
        if (!fs_worker_finish(p, w, &st, err)) {
            break;
        }
    }
    p->live--;
    w->slot = FS_SLOT_EXITED;
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts a thread in slot w with every signal blocked (mu held). 0 or -errno. */
static int fs_spawn(struct fs_pool *p, struct fs_worker *w)
{
    if (!w->path) {
        w->path = malloc(2 * PATH_MAX);
        if (!w->path) {
            return -ENOMEM;
        }
        w->mountpoint = w->path + PATH_MAX;
    }
    w->pool = p;
    w->busy = w->stuck = false;
    pthread_attr_t attr;
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, FS_STACK_SIZE);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, &attr, fs_worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        return -rc;
    }
    w->slot = FS_SLOT_RUNNING;
    p->live++;
    return 0;
}

/*
 * Joins threads that exited, logs recoveries and starts threads until
 * stat-workers of them are free of stuck statfs calls, within the slots (mu held).
 */
static void fs_pool_refill(struct fs_pool *p)
{
    for (size_t i = 0; i < p->nslots; i++) {
        struct fs_worker *w = &p->workers[i];
        if (w->recovered) {
            he_log_debug("filesystem: mount point has recovered, monitoring will resume",
                         "mountpoint", w->mountpoint, NULL);
            w->recovered = false;
        }
        if (w->slot == FS_SLOT_EXITED) {
            pthread_join(w->thread, NULL);
            w->slot = FS_SLOT_FREE;
        }
    }
    for (size_t i = 0; i < p->nslots && p->live - p->stuck < p->target; i++) {
        int rc = p->workers[i].slot == FS_SLOT_FREE ? fs_spawn(p, &p->workers[i]) : 0;
        if (rc < 0) {
            he_log_warn("filesystem: cannot start a statfs thread", "err", strerror(-rc), NULL);
            break;
        }
    }
}

/* True when a stuck thread is still in statfs on mount point mp (mu held). */
static bool fs_pool_is_stuck(const struct fs_pool *p, const char *mp)
{
    for (size_t i = 0; p->stuck > 0 && i < p->nslots; i++) {
        const struct fs_worker *w = &p->workers[i];
        if (w->slot == FS_SLOT_RUNNING && w->stuck && strcmp(w->mountpoint, mp) == 0) {
            return true;
        }
    }
    return false;
}

/* Queues the wanted mounts that are not stuck; returns how many (mu held). */
static size_t fs_pool_queue(struct fs_pool *p, struct fs_state *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nmounts; i++) {
        struct fs_mount *m = &s->mounts[i];
        if (!m->wanted || m->result != FS_QUEUED) {
            continue;
        }
        if (fs_pool_is_stuck(p, s->strs.data + m->mountpoint)) {
            he_log_debug("filesystem: mount point is in an unresponsive state", "mountpoint",
                         s->strs.data + m->mountpoint, NULL);
            m->result = FS_STUCK;
            continue;
        }
        s->queue[n++] = (uint32_t)i;
    }
    return n;
}

/* Gives up on what is unanswered at the deadline (mu held). */
static void fs_pool_abandon(struct fs_pool *p, struct fs_state *s)
{
    for (size_t k = p->qnext; k < p->qlen; k++) {
        s->mounts[p->queue[k]].result = FS_TIMEOUT;   /* never started: not stuck */
    }
    for (size_t i = 0; i < p->nslots; i++) {
        struct fs_worker *w = &p->workers[i];
        if (w->slot == FS_SLOT_RUNNING && w->busy && !w->stuck) {
            he_log_debug("filesystem: mount point timed out, it is being labeled as stuck and "
                         "will not be monitored",
                         "mountpoint", w->mountpoint, NULL);
            w->stuck = true;
            p->stuck++;
            s->mounts[w->job].result = FS_TIMEOUT;
        }
    }
    p->qlen = p->qnext = p->outstanding = 0;
    p->active = false;
}

/* Runs statfs on every wanted mount, waiting until at most the deadline. */
static int fs_stat_all(struct fs_state *s)
{
    struct fs_pool *p = s->pool;
    if (he_array_grow((void **)&s->queue, &s->cap_queue, s->nmounts + 1, sizeof(*s->queue)) < 0) {
        return -ENOMEM;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t ns = (uint64_t)deadline.tv_nsec + s->timeout_ns;
    deadline.tv_sec += (time_t)(ns / 1000000000u);
    deadline.tv_nsec = (long)(ns % 1000000000u);
    pthread_mutex_lock(&p->mu);
    fs_pool_refill(p);
    p->qlen = fs_pool_queue(p, s);
    p->queue = s->queue;
    p->mounts = s->mounts;
    p->strs = s->strs.data;
    p->qnext = 0;
    p->outstanding = p->qlen;
    p->active = true;
    pthread_cond_broadcast(&p->work);
    while (p->outstanding > 0 && p->live > p->stuck) {
        if (pthread_cond_timedwait(&p->done, &p->mu, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    fs_pool_abandon(p, s);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static int fs_pool_new(struct fs_pool **out, size_t target)
{
    struct fs_pool *p = calloc(1, sizeof(*p));
    if (!p) {
        return -ENOMEM;
    }
    p->target = target;
    p->nslots = target + FS_MAX_STUCK;
    p->workers = calloc(p->nslots, sizeof(*p->workers));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!p->workers || pthread_mutex_init(&p->mu, NULL) != 0 ||
        pthread_cond_init(&p->work, NULL) != 0 || pthread_cond_init(&p->done, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        free(p->workers);
        free(p);
        return -ENOMEM;
    }
    pthread_condattr_destroy(&ca);
    pthread_mutex_lock(&p->mu);
    fs_pool_refill(p);
    pthread_mutex_unlock(&p->mu);
    *out = p;
    return 0;
}

/*
 * Stops the threads: idle ones exit and are joined; one still in statfs cannot
 * be stopped, so it is detached and the pool it uses stays allocated.
 */
static void fs_pool_free(struct fs_pool *p)
{
    bool leave = false;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    for (size_t i = 0; i < p->nslots; i++) {
        struct fs_worker *w = &p->workers[i];
        w->join = w->slot == FS_SLOT_EXITED || (w->slot == FS_SLOT_RUNNING && !w->busy);
        if (w->slot == FS_SLOT_RUNNING && w->busy) {
            pthread_detach(w->thread);
            leave = true;
        }
    }
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->nslots; i++) {
        if (p->workers[i].join) {
            pthread_join(p->workers[i].thread, NULL);
        }
    }
    if (leave) {
        return;
    }
    for (size_t i = 0; i < p->nslots; i++) {
        free(p->workers[i].path);
    }
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

/* ---- output ------------------------------------------------------------------ */

/* The device_error label of a mount that was asked. */
static const char *fs_error_label(const struct fs_mount *m, char *buf, size_t size)
{
    switch (m->result) {
    case FS_ERRNO:
        return fs_errno_text(m->err, buf, size);
    case FS_TIMEOUT:
    case FS_STUCK:
        return "mountpoint timeout";
    default:
        return "";
    }
}

static uint64_t fs_hash(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    }
    return (h ^ 0xff) * 1099511628211u;
}

/*
 * upstream's "seen" key: device, mount point, type, error text, major, minor;
 * an entry skipped as stuck also keeps its options (upstream clears them only
 * after statfs).
 */
static bool fs_same(const struct fs_state *s, const struct fs_mount *a, const struct fs_mount *b)
{
    const char *d = s->strs.data;
    char ea[48], eb[48];
    bool sa = a->result == FS_STUCK, sb = b->result == FS_STUCK;
    return sa == sb && strcmp(d + a->device, d + b->device) == 0 &&
           strcmp(d + a->mountpoint, d + b->mountpoint) == 0 &&
           strcmp(d + a->fstype, d + b->fstype) == 0 && strcmp(d + a->major, d + b->major) == 0 &&
           strcmp(d + a->minor, d + b->minor) == 0 &&
           strcmp(fs_error_label(a, ea, sizeof(ea)), fs_error_label(b, eb, sizeof(eb))) == 0 &&
           (!sa || (strcmp(d + a->mopts, d + b->mopts) == 0 &&
                    strcmp(d + a->sopts, d + b->sopts) == 0));
}

/* True when an earlier wanted mount has the same labels (fills the seen table). */
static bool fs_seen(struct fs_state *s, size_t i, size_t mask)
{
    const struct fs_mount *m = &s->mounts[i];
    const char *d = s->strs.data;
    char eb[48];
    uint64_t h = 1469598103934665603u;
    h = fs_hash(fs_hash(fs_hash(h, d + m->device), d + m->mountpoint), d + m->fstype);
    h = fs_hash(fs_hash(h, d + m->major), d + m->minor);
    h = fs_hash(h, fs_error_label(m, eb, sizeof(eb)));
    for (size_t k = (size_t)h & mask;; k = (k + 1) & mask) {
        if (s->seen[k] == 0) {
            s->seen[k] = (uint32_t)i + 1;
            return false;
        }
        if (fs_same(s, &s->mounts[s->seen[k] - 1], m)) {
            return true;
        }
    }
}

static void fs_emit_family(struct he_writer *w, const char *name, const char *help,
                           const struct he_label *l, size_t n, double v)
{
    he_writer_family(w, name, help, HE_GAUGE);
    he_writer_sample(w, l, n, v);
}

static void fs_emit(struct fs_state *s, const struct fs_mount *m, struct he_writer *w)
{
    const char *d = s->strs.data;
    char eb[48];
    struct he_label l[4] = {
        {"device", d + m->device},
        {"mountpoint", d + m->mountpoint},
        {"fstype", d + m->fstype},
        {"device_error", fs_error_label(m, eb, sizeof(eb))},
    };
    bool failed = m->result != FS_OK;
    fs_emit_family(w, "node_filesystem_device_error",
                   "Whether an error occurred while getting statistics for the given device.", l,
                   4, failed ? 1 : 0);
    fs_emit_family(w, "node_filesystem_readonly", "Filesystem read-only status.", l, 4,
                   m->ro && m->result != FS_TIMEOUT && m->result != FS_STUCK ? 1 : 0);
    if (failed) {
        return;
    }
    fs_emit_family(w, "node_filesystem_size_bytes", "Filesystem size in bytes.", l, 4, m->size);
    fs_emit_family(w, "node_filesystem_free_bytes", "Filesystem free space in bytes.", l, 4,
                   m->free);
    fs_emit_family(w, "node_filesystem_avail_bytes",
                   "Filesystem space available to non-root users in bytes.", l, 4, m->avail);
    fs_emit_family(w, "node_filesystem_files", "Filesystem total file nodes.", l, 4, m->files);
    fs_emit_family(w, "node_filesystem_files_free", "Filesystem total free file nodes.", l, 4,
                   m->files_free);
    struct he_label info[4] = {
        {"device", d + m->device},
        {"major", d + m->major},
        {"minor", d + m->minor},
        {"mountpoint", d + m->mountpoint},
    };
    fs_emit_family(w, "node_filesystem_mount_info", "Filesystem mount information.", info, 4, 1);
    fs_emit_family(w, "node_filesystem_purgeable_bytes",
                   "Filesystem space available including purgeable space (MacOS specific).", l, 4,
                   0);
}

static int fs_emit_all(struct fs_state *s, struct he_writer *w)
{
    size_t size = 16;
    while (size < 2 * s->nmounts) {
        size *= 2;
    }
    if (he_array_grow((void **)&s->seen, &s->cap_seen, size, sizeof(*s->seen)) < 0) {
        return -ENOMEM;
    }
    memset(s->seen, 0, size * sizeof(*s->seen));
    for (size_t i = 0; i < s->nmounts; i++) {
        if (s->mounts[i].wanted && !fs_seen(s, i, size - 1)) {
            fs_emit(s, &s->mounts[i], w);
        }
    }
    return 0;
}

/* ---- collector ------------------------------------------------------------- */

/*
 * A flag still pointing at its default string was not given: argv strings are
 * never that literal (kingpin's PreAction "set" markers).
 */
static bool fs_flag_given(const char *value, const char *def)
{
    return value != def;
}

static void fs_log_parsed(const char *what, const char *kind, const char *value)
{
    char msg[96];
    if (value && *value) {
        snprintf(msg, sizeof(msg), "Parsed flag --collector.filesystem.%s-%s", what, kind);
        he_log_info(msg, "flag", value, NULL);
    }
}

/*
 * newMountPointsFilter / newFSTypeFilter: the deprecated name stands in for an
 * exclude not given; an include given without an exclude drops the default
 * exclude; a non-empty exclude and include together are an error.
 */
static int fs_filter_init(struct he_filter *f, const char *what, const char **exclude,
                          const char *def, const char *include, const char *old)
{
    char msg[200], err[256];
    bool exclude_set = fs_flag_given(*exclude, def);
    if (old && *old) {
        if (exclude_set) {
            snprintf(msg, sizeof(msg), "--collector.filesystem.ignored-%s and "
                     "--collector.filesystem.%s-exclude are mutually exclusive", what, what);
            he_log_error(msg, NULL);
            return -EINVAL;
        }
        snprintf(msg, sizeof(msg), "--collector.filesystem.ignored-%s is DEPRECATED and will be "
                 "removed in 2.0.0, use --collector.filesystem.%s-exclude", what, what);
        he_log_warn(msg, NULL);
        *exclude = old;
    }
    if (include && *include && !exclude_set) {
        *exclude = "";
    }
    if (*exclude && **exclude && include && *include) {
        snprintf(msg, sizeof(msg), "--collector.filesystem.%s-exclude and "
                 "--collector.filesystem.%s-include are mutually exclusive", what, what);
        he_log_error(msg, NULL);
        return -EINVAL;
    }
    fs_log_parsed(what, "exclude", *exclude);
    fs_log_parsed(what, "include", include);
    if (he_filter_init(f, include, *exclude, err, sizeof(err)) < 0) {
        he_log_error("filesystem: bad pattern", "err", err, NULL);
        return -EINVAL;
    }
    return 0;
}

static void fs_fini(void *state)
{
    struct fs_state *s = state;
    if (s->pool) {
        fs_pool_free(s->pool);
    }
    he_filter_free(&s->mount_points);
    he_filter_free(&s->fs_types);
    he_file_fini(&s->file);
    he_buf_free(&s->strs);
    he_buf_free(&s->scratch);
    free(s->mounts);
    free(s->queue);
    free(s->seen);
    free(s);
}

static int fs_init(void **state)
{
    struct fs_state *s = calloc(1, sizeof(*s));
    uint64_t usec = 0;
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0); /* /proc/1/mountinfo: kept open */
    he_buf_init(&s->strs, 0);
    he_buf_init(&s->scratch, 0);
    he_duration_parse_usec(fs_mount_timeout, &usec);
    s->timeout_ns = usec * 1000u;
    long workers = fs_stat_workers < 1 ? 1 : fs_stat_workers;
    int rc = fs_filter_init(&s->mount_points, "mount-points", &fs_mount_points_exclude,
                            fs_mount_points_exclude_default, fs_mount_points_include, fs_ignored_mount_points);
    if (rc == 0) {
        rc = fs_filter_init(&s->fs_types, "fs-types", &fs_types_exclude, fs_types_exclude_default,
                            fs_types_include, fs_ignored_fs_types);
    }
    if (rc == 0) {
        rc = fs_pool_new(&s->pool, (size_t)(workers > FS_MAX_WORKERS ? FS_MAX_WORKERS : workers));
    }
    if (rc < 0) {
        fs_fini(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int fs_collect(void *state, struct he_writer *w)
{
    struct fs_state *s = state;
    int rc = fs_parse_mountinfo(s);
    if (rc == 0) {
        rc = fs_select(s);
    }
    if (rc == 0) {
        rc = fs_stat_all(s);
    }
    return rc < 0 ? rc : fs_emit_all(s, w);
}

static const struct he_flag fs_flags[] = {
    {"collector.filesystem.mount-points-exclude", HE_FLAG_STRING, fs_mount_points_exclude_default,
     "Regexp of mount points to exclude for filesystem collector. (mutually exclusive to "
     "mount-points-include)",
     &fs_mount_points_exclude, he_regex_check_flag},
    {"collector.filesystem.ignored-mount-points", HE_FLAG_STRING, NULL, NULL,
     &fs_ignored_mount_points, he_regex_check_flag},
    {"collector.filesystem.mount-points-include", HE_FLAG_STRING, NULL,
     "Regexp of mount points to include for filesystem collector. (mutually exclusive to "
     "mount-points-exclude)",
     &fs_mount_points_include, he_regex_check_flag},
    {"collector.filesystem.fs-types-exclude", HE_FLAG_STRING, fs_types_exclude_default,
     "Regexp of filesystem types to exclude for filesystem collector. (mutually exclusive to "
     "fs-types-include)",
     &fs_types_exclude, he_regex_check_flag},
    {"collector.filesystem.ignored-fs-types", HE_FLAG_STRING, NULL, NULL, &fs_ignored_fs_types,
     he_regex_check_flag},
    {"collector.filesystem.fs-types-include", HE_FLAG_STRING, NULL,
     "Regexp of filesystem types to exclude for filesystem collector. (mutually exclusive to "
     "fs-types-exclude)",
     &fs_types_include, he_regex_check_flag},
    {"collector.filesystem.mount-timeout", HE_FLAG_STRING, FS_MOUNT_TIMEOUT_DEFAULT, NULL,
     &fs_mount_timeout, he_duration_check_flag},
    {"collector.filesystem.stat-workers", HE_FLAG_INT, "4", NULL, &fs_stat_workers, NULL},
    {0},
};

static const struct he_collector filesystem_collector = {
    .name = "filesystem",
    .default_enabled = true,
    .flags = fs_flags,
    .init = fs_init,
    .collect = fs_collect,
    .fini = fs_fini,
};

HE_COLLECTOR_REGISTER(filesystem_collector)
