/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zfs: the OpenZFS kstats under <procfs>/spl/kstat/zfs, as node_exporter 1.12.1's
 * collector/zfs_linux.go reads them.
 *
 * Files read: the named kstats abdstats, arcstats, dbufstats, dmu_tx, dnodestats,
 * fm, vdev_cache_stats, vdev_mirror_stats, xuio_stats, zfetchstats and zil (each
 * optional); per pool <pool>/io (the kstat I/O layout: a row of column names
 * starting "nread", then a row of numbers), <pool>/objset-* (a named kstat per
 * dataset whose "dataset_name" row names it) and <pool>/state (one line, "ONLINE").
 *
 * Families: node_zfs_<subsystem>_<stat> (untyped, HELP "kstat.zfs.misc.<file>.<stat>")
 * for rows of kstat type 3 (int64) and 4 (uint64) after the "name type data"
 * header; node_zfs_zpool_<column>{zpool} from io; node_zfs_zpool_dataset_<stat>
 * {zpool,dataset} from the uint64 rows of objset files; node_zfs_zpool_state
 * {zpool,state}, a gauge with a series for each state upstream knows. A stat's
 * metric name is the part of its name after the last '.', '-' turned into '_'.
 *
 * As upstream: without <procfs>/spl/kstat/zfs there is no data; a missing
 * subsystem file is skipped; a subsystem file without the "name type data" header,
 * a number that does not parse, an unreadable pool file or a line longer than Go's
 * 64 KiB scanner limit fails the collector, and what was emitted before stays.
 * Where upstream panics (an io row shorter than its header, a stat name that is no
 * metric name) this collector fails, or skips the row. Upstream visits the
 * subsystems in Go's random map order; here they go alphabetically.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* bufio.Scanner's MaxScanTokenSize: a line this long (without its '\n') is an error. */
#define ZFS_MAX_LINE (64 * 1024)
/* Longest name, HELP or label built from one line, with room for the prefixes. */
#define ZFS_NAME_MAX (ZFS_MAX_LINE + 128)
/* Real kstat files are a few KiB; the cap keeps a runaway file from eating memory. */
#define ZFS_FILE_LIMIT (8u * 1024u * 1024u)

struct zfs_subsystem {
    const char *subsystem; /* the Prometheus subsystem */
    const char *file;      /* under spl/kstat/zfs */
};

/* Upstream's linuxPathMap, in alphabetical order. */
static const struct zfs_subsystem zfs_subsystems[] = {
    {"zfs_abd", "abdstats"},
    {"zfs_arc", "arcstats"},
    {"zfs_dbuf", "dbufstats"},
    {"zfs_dmu_tx", "dmu_tx"},
    {"zfs_dnode", "dnodestats"},
    {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"},
    {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"},
    {"zfs_zfetch", "zfetchstats"},
    {"zfs_zil", "zil"},
};

/* zfsPoolStatesName: one node_zfs_zpool_state series each, in this order. */
static const char *const zfs_pool_states[] = {
    "online", "degraded", "faulted", "offline", "removed", "unavail", "suspended",
};

struct zfs_state {
    struct he_file file;
    struct he_dir pools;   /* entries of spl/kstat/zfs */
    struct he_dir objsets; /* entries of one pool's directory */
    char name[ZFS_NAME_MAX];
    char help[ZFS_NAME_MAX];
    char dataset[ZFS_NAME_MAX];
};

static int zfs_init(void **state)
{
    struct zfs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, ZFS_FILE_LIMIT);
    he_dir_init(&s->pools);
    he_dir_init(&s->objsets);
    *state = s;
    return 0;
}

static void zfs_fini(void *state)
{
    struct zfs_state *s = state;
    he_file_fini(&s->file);
    he_dir_fini(&s->pools);
    he_dir_fini(&s->objsets);
    free(s);
}

/*
 * The next line as bufio.ScanLines yields it, without '\n' and a trailing '\r'.
 * Returns 1, 0 at the end, or -E2BIG for a line the Go scanner refuses.
 */
static int zfs_next_line(struct he_lines *it, struct he_field *line)
{
    if (!he_lines_next(it, line)) {
        return 0;
    }
    if (line->len >= ZFS_MAX_LINE) {
        return -E2BIG;
    }
    if (line->len > 0 && line->p[line->len - 1] == '\r') {
        line->len--;
    }
    return 1;
}

/* The next word of *rest split at Go white space (strings.Fields); false at the end. */
static bool zfs_next_word(struct he_field *rest, struct he_field *word)
{
    size_t n;
    while (rest->len > 0 && (n = he_go_space_at(rest->p, rest->len)) > 0) {
        rest->p += n;
        rest->len -= n;
    }
    if (rest->len == 0) {
        return false;
    }
    size_t i = 0;
    while (i < rest->len && he_go_space_at(rest->p + i, rest->len - i) == 0) {
        i++;
    }
    *word = (struct he_field){rest->p, i};
    rest->p += i;
    rest->len -= i;
    return true;
}

/*
 * Builds "node_<subsystem>_<stat after its last '.'>" with '-' as '_' into s->name,
 * and "kstat.zfs.misc.<file>.<stat>" into s->help. Returns 0, or -EINVAL for a
 * name upstream cannot build (BuildFQName gives "" for an empty stat) or the writer
 * would refuse; upstream panics on both.
 */
static int zfs_names(struct zfs_state *s, const char *subsystem, const char *file,
                     struct he_field stat)
{
    const char *dot = memrchr(stat.p, '.', stat.len);
    struct he_field tail = stat;
    if (dot) {
        tail = (struct he_field){dot + 1, stat.len - (size_t)(dot + 1 - stat.p)};
    }
    if (tail.len == 0) {
        return -EINVAL;
    }
    int n = snprintf(s->name, sizeof(s->name), "node_%s_%.*s", subsystem, (int)tail.len, tail.p);
    if (n < 0 || (size_t)n >= sizeof(s->name)) {
        return -ENAMETOOLONG;
    }
    for (char *c = s->name; *c; c++) {
        *c = *c == '-' ? '_' : *c;
    }
    n = snprintf(s->help, sizeof(s->help), "kstat.zfs.misc.%s.%.*s", file, (int)stat.len, stat.p);
    if (n < 0 || (size_t)n >= sizeof(s->help)) {
        return -ENAMETOOLONG;
    }
    return he_metric_name_valid(s->name) ? 0 : -EINVAL;
}

/* Emits one untyped sample of the stat, skipping (and logging) a name upstream cannot use. */
static void zfs_emit(struct zfs_state *s, struct he_writer *w, const char *subsystem,
                     const char *file, struct he_field stat, const struct he_label *labels,
                     size_t nlabels, double value)
{
    if (zfs_names(s, subsystem, file, stat) < 0) {
        he_log_debug("zfs: skipping a stat whose name is no metric name", "file", file, NULL);
        return;
    }
    he_writer_family(w, s->name, s->help, HE_UNTYPED);
    he_writer_sample(w, labels, nlabels, value);
}

/*
 * Parses the value of a named row by its kstat type: 4 (uint64) as ParseUint, 3
 * (int64) as ParseInt, when want_int64. Returns 1 with *value, 0 for a type that is
 * not exported, or -EINVAL for a number that does not parse.
 */
static int zfs_row_value(struct he_field type, struct he_field data, bool want_int64,
                         double *value)
{
    if (he_field_eq(type, "4")) {
        uint64_t u;
        if (he_parse_u64(data, &u) < 0) {
            return -EINVAL;
        }
        *value = (double)u;
        return 1;
    }
    if (want_int64 && he_field_eq(type, "3")) {
        int64_t i;
        if (he_parse_i64(data, &i) < 0) {
            return -EINVAL;
        }
        *value = (double)i;
        return 1;
    }
    return 0;
}

static bool zfs_is_named_header(const struct he_field *parts, size_t n)
{
    return n == 3 && he_field_eq(parts[0], "name") && he_field_eq(parts[1], "type") &&
           he_field_eq(parts[2], "data");
}

/* One subsystem file (parseProcfsFile): every int64/uint64 row after the header. */
static int zfs_parse_named(struct zfs_state *s, struct he_writer *w, const struct zfs_subsystem *sub)
{
    struct he_lines it;
    struct he_field line, parts[3];
    bool started = false;
    int rc;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while ((rc = zfs_next_line(&it, &line)) > 0) {
        size_t n = he_go_fields(line, parts, 3);
        if (!started) {
            started = zfs_is_named_header(parts, n);
            continue;
        }
        double v;
        int got = n < 3 ? 0 : zfs_row_value(parts[1], parts[2], true, &v);
        if (got < 0) {
            he_log_debug("zfs: cannot parse a value", "file", sub->file, NULL);
            return got;
        }
        if (got > 0) {
            zfs_emit(s, w, sub->subsystem, sub->file, parts[0], NULL, 0, v);
        }
    }
    if (rc == 0 && !started) {
        he_log_debug("zfs: no \"name type data\" header", "file", sub->file, NULL);
        rc = -EINVAL;
    }
    return rc;
}

/*
 * Reads <base>/<rel> into s->file. Returns 1 when read, 0 when it does not exist
 * (a glob would not have matched it), or a negative errno.
 */
static int zfs_read(struct zfs_state *s, const char *base, const char *rel, const char *rel2)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s%s%s", base, rel, rel2 ? "/" : "", rel2 ? rel2 : "");
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return -ENAMETOOLONG;
    }
    int rc = he_file_read(&s->file, path);
    if (rc == -ENOENT || rc == -ENOTDIR) {
        return 0;
    }
    if (rc < 0) {
        he_log_debug("zfs: cannot read", "path", path, NULL);
        return rc;
    }
    return 1;
}

/* The subsystem files: a file that cannot be opened is skipped, as upstream. */
static int zfs_update_named(struct zfs_state *s, struct he_writer *w, const char *base)
{
    for (size_t i = 0; i < sizeof(zfs_subsystems) / sizeof(zfs_subsystems[0]); i++) {
        int rc = zfs_read(s, base, zfs_subsystems[i].file, NULL);
        bool read_error = rc == -EISDIR || rc == -EFBIG || rc == -EIO || rc == -ENOMEM;
        if (rc < 0 && read_error) {
            return rc;
        }
        if (rc <= 0) {
            continue;
        }
        rc = zfs_parse_named(s, w, &zfs_subsystems[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * One pool's io kstat (parsePoolProcfsFile): the first row of at least 12 words
 * starting "nread" names the columns; every later row holds their values.
 */
static int zfs_parse_io(struct zfs_state *s, struct he_writer *w, const char *pool)
{
    struct he_lines it;
    struct he_field line, header = {NULL, 0}, first;
    bool started = false;
    int rc;
    struct he_label label = {"zpool", pool};
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while ((rc = zfs_next_line(&it, &line)) > 0) {
        if (!started) {
            started = he_go_fields(line, &first, 1) >= 12 && he_field_eq(first, "nread");
            header = line;
            continue;
        }
        struct he_field cols = header, vals = line, col, val;
        while (zfs_next_word(&cols, &col)) {
            uint64_t v;
            if (!zfs_next_word(&vals, &val) || he_parse_u64(val, &v) < 0) {
                he_log_debug("zfs: bad io row", "zpool", pool, NULL);
                return -EINVAL;
            }
            zfs_emit(s, w, "zfs_zpool", "io", col, &label, 1, (double)v);
        }
    }
    return rc;
}

/* The dataset label: the row from the first occurrence of its third word, as upstream. */
static void zfs_dataset_name(struct zfs_state *s, struct he_field line, struct he_field word)
{
    const char *at = memmem(line.p, line.len, word.p, word.len);
    size_t n = line.len - (size_t)(at - line.p);
    memcpy(s->dataset, at, n);
    s->dataset[n] = '\0';
}

/* One objset-* kstat (parsePoolObjsetFile): its uint64 rows, labelled by dataset. */
static int zfs_parse_objset(struct zfs_state *s, struct he_writer *w, const char *pool)
{
    struct he_lines it;
    struct he_field line, parts[3];
    bool started = false;
    int rc;
    /* Rows before "dataset_name" carry empty labels, as upstream's. */
    struct he_label labels[2] = {{"zpool", ""}, {"dataset", s->dataset}};
    s->dataset[0] = '\0';
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while ((rc = zfs_next_line(&it, &line)) > 0) {
        size_t n = he_go_fields(line, parts, 3);
        if (!started) {
            started = zfs_is_named_header(parts, n);
            continue;
        }
        if (n < 3) {
            continue;
        }
        if (he_field_eq(parts[0], "dataset_name")) {
            labels[0].value = pool;
            zfs_dataset_name(s, line, parts[2]);
            continue;
        }
        double v;
        int got = zfs_row_value(parts[1], parts[2], false, &v);
        if (got < 0) {
            he_log_debug("zfs: cannot parse a value", "zpool", pool, NULL);
            return got;
        }
        if (got > 0) {
            zfs_emit(s, w, "zfs_zpool_dataset", "objset", parts[0], labels, 2, v);
        }
    }
    return rc == 0 && !started ? -EINVAL : rc;
}

/* True when text, lowered as Go's strings.ToLower would, equals the lower-case state. */
static bool zfs_state_is(struct he_field text, const char *state)
{
    size_t i = 0;
    for (; *state; state++) {
        if (i + 1 < text.len && text.p[i] == '\xc4' && text.p[i + 1] == '\xb0') {
            i += 2; /* U+0130 lowers to a plain 'i' under Go's simple case mapping */
            if (*state != 'i') {
                return false;
            }
            continue;
        }
        if (i >= text.len) {
            return false;
        }
        char c = text.p[i++];
        if ((c >= 'A' && c <= 'Z' ? (char)(c + 32) : c) != *state) {
            return false;
        }
    }
    return i == text.len;
}

/* One pool's state file (parsePoolStateFile): its first line names the state. */
static int zfs_parse_state(struct zfs_state *s, struct he_writer *w, const char *pool)
{
    struct he_lines it;
    struct he_field line = {"", 0};
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    int rc = zfs_next_line(&it, &line);
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, "node_zfs_zpool_state", "kstat.zfs.misc.state", HE_GAUGE);
    for (size_t i = 0; i < sizeof(zfs_pool_states) / sizeof(zfs_pool_states[0]); i++) {
        struct he_label labels[2] = {{"zpool", pool}, {"state", zfs_pool_states[i]}};
        he_writer_sample(w, labels, 2, zfs_state_is(line, zfs_pool_states[i]) ? 1 : 0);
    }
    return 0;
}

/* Every <pool>/objset-* file, pools and files in glob (sorted) order. */
static int zfs_update_objsets(struct zfs_state *s, struct he_writer *w, const char *base)
{
    char dir[PATH_MAX];
    for (size_t p = 0; p < s->pools.n; p++) {
        const char *pool = he_dir_name(&s->pools, p);
        int n = snprintf(dir, sizeof(dir), "%s/%s", base, pool);
        if (n < 0 || (size_t)n >= sizeof(dir) || he_dir_read(&s->objsets, dir) < 0) {
            continue;
        }
        for (size_t i = 0; i < s->objsets.n; i++) {
            const char *name = he_dir_name(&s->objsets, i);
            if (strncmp(name, "objset-", 7) != 0) {
                continue;
            }
            int rc = zfs_read(s, base, pool, name);
            if (rc > 0) {
                rc = zfs_parse_objset(s, w, pool);
            }
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* Runs parse on <pool>/<file> of every pool that has one (a glob over pools). */
static int zfs_update_pool_files(struct zfs_state *s, struct he_writer *w, const char *base,
                                 const char *file,
                                 int (*parse)(struct zfs_state *, struct he_writer *, const char *))
{
    for (size_t p = 0; p < s->pools.n; p++) {
        const char *pool = he_dir_name(&s->pools, p);
        int rc = zfs_read(s, base, pool, file);
        if (rc > 0) {
            rc = parse(s, w, pool);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int zfs_collect(void *state, struct he_writer *w)
{
    struct zfs_state *s = state;
    char base[PATH_MAX];
    int rc = he_path_proc(base, sizeof(base), "spl/kstat/zfs");
    if (rc == 0) {
        rc = he_dir_read(&s->pools, base);
    }
    /* Upstream only opens the directory: a plain file there still counts as present. */
    if (rc < 0 && rc != -ENOTDIR) {
        he_log_debug("zfs: ZFS / ZFS statistics are not available", "path", base, NULL);
        return -ENODATA;
    }
    rc = zfs_update_named(s, w, base);
    if (rc == 0) {
        rc = zfs_update_pool_files(s, w, base, "io", zfs_parse_io);
    }
    if (rc == 0) {
        rc = zfs_update_objsets(s, w, base);
    }
    if (rc == 0) {
        rc = zfs_update_pool_files(s, w, base, "state", zfs_parse_state);
    }
    return rc;
}

static const struct he_collector zfs_collector = {
    .name = "zfs",
    .default_enabled = true,
    .init = zfs_init,
    .collect = zfs_collect,
    .fini = zfs_fini,
};

HE_COLLECTOR_REGISTER(zfs_collector)
