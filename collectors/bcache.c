/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bcache: node_bcache_* per cache set from <sysfs>/fs/bcache/<uuid>/
 * (Documentation/admin-guide/bcache.rst, drivers/md/bcache/sysfs.c and
 * stats.c): the set's own attributes, internal/, stats_five_minute/ and
 * stats_total/, each backing device bdev<N>/ (dirty_data, writeback_rate_debug,
 * stats_*) and each cache device cache<N>/ (io_errors, metadata_written,
 * written and, with --collector.bcache.priorityStats, priority_stats).
 * Mirrors node_exporter 1.12.1's collector/bcache_linux.go over procfs
 * bcache/get.go.
 *
 * Values are parsed as procfs does: the file's last byte is dropped (the
 * newline), then bch_hprint's "<int>.<digit><unit>" is undone with its odd
 * fraction (digit / 10.24) and 1024-based units, and the float is converted
 * to an integer as Go does on amd64. A missing attribute reads as 0 (so
 * kernels from 5.13, which dropped cache_readaheads, work), but any other read
 * error, a value that does not parse, or a missing writeback_rate_debug or
 * priority_stats fails the scrape before anything is emitted. An empty file,
 * on which procfs panics (taking node_exporter down), fails the scrape here.
 * cache_readaheads_total is emitted only when not zero, as upstream.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define BCACHE_MAX_LINE (64 * 1024) /* bufio.Scanner's default limit */

/* procfs' PeriodStats, in the order of its files. */
enum {
    P_BYPASSED,
    P_BYPASS_HITS,
    P_BYPASS_MISSES,
    P_HITS,
    P_MISS_COLLISIONS,
    P_MISSES,
    P_READAHEADS,
    P_N,
};

static const char *const bcache_period_files[P_N] = {
    "bypassed",         "cache_bypass_hits",     "cache_bypass_misses",
    "cache_hits",       "cache_miss_collisions", "cache_misses",
    "cache_readaheads",
};

/* The cache set's own values, in the order upstream emits them. */
enum {
    S_AVG_KEY,
    S_BTREE_CACHE,
    S_AVAILABLE,
    S_CONGESTED,
    S_ROOT_USAGE,
    S_TREE_DEPTH,
    S_JOURNAL,
    S_BTREE_NODES,
    S_BTREE_READ_US,
    S_READ_RACES,
    S_N,
};

struct bcache_set {
    size_t name_at;
    uint64_t v[S_N];
    size_t bdev_first, nbdevs, cache_first, ncaches;
};

struct bcache_bdev {
    size_t name_at;
    uint64_t dirty, rate, target;
    int64_t proportional, integral, change;
    uint64_t total[P_N];
};

struct bcache_cache {
    size_t name_at;
    uint64_t io_errors, metadata_written, written, unused_pct, metadata_pct;
};

struct bcache_state {
    struct he_dir top, sub;
    struct he_file file;
    struct he_buf strings;
    struct bcache_set *sets;
    struct bcache_bdev *bdevs;
    struct bcache_cache *caches;
    size_t nsets, nbdevs, ncaches, sets_cap, bdevs_cap, caches_cap;
};

static bool bcache_priority_stats;

static const struct he_flag bcache_flags[] = {
    {"collector.bcache.priorityStats", HE_FLAG_BOOL, NULL, "Expose expensive priority stats.",
     &bcache_priority_stats, NULL},
    {0},
};

static int bcache_init(void **state)
{
    struct bcache_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->top);
    he_dir_init(&s->sub);
    he_file_init(&s->file, false, 1024 * 1024);
    he_buf_init(&s->strings, 0);
    *state = s;
    return 0;
}

static void bcache_fini(void *state)
{
    struct bcache_state *s = state;
    he_dir_fini(&s->top);
    he_dir_fini(&s->sub);
    he_file_fini(&s->file);
    he_buf_free(&s->strings);
    free(s->sets);
    free(s->bdevs);
    free(s->caches);
    free(s);
}

static const char *bcache_str(const struct bcache_state *s, size_t at)
{
    return s->strings.data + at;
}

static int bcache_put(struct bcache_state *s, const char *name, size_t *at)
{
    *at = s->strings.len;
    return he_buf_append(&s->strings, name, strlen(name) + 1);
}

/* --- procfs' number formats --- */

/* Go's float64 -> uint64 conversion as compiled for amd64 (out of range
 * included). */
static uint64_t bcache_go_f2u(double x)
{
    const double two63 = 9223372036854775808.0;
    if (x < two63) {
        return x > -two63 ? (uint64_t)(int64_t)x : (uint64_t)1 << 63;
    }
    double y = x - two63;
    uint64_t low = y < two63 ? (uint64_t)(int64_t)y : (uint64_t)1 << 63;
    return low | (uint64_t)1 << 63;
}

/* strconv.ParseFloat(s, 64) on a field. 0 or -EINVAL. */
static int bcache_parse_float(const char *p, size_t n, double *out)
{
    return he_parse_double((struct he_field){p, n}, out);
}

/* procfs' parsePseudoFloat: "<int>[.<frac>[.ignored]]", frac counted in
 * 1/10.24. */
static int bcache_pseudo_float(const char *p, size_t n, double *out)
{
    const char *dot = memchr(p, '.', n);
    double whole;
    double frac;
    if (bcache_parse_float(p, dot ? (size_t)(dot - p) : n, &whole) < 0) {
        return -EINVAL;
    }
    if (!dot) {
        *out = whole;
        return 0;
    }
    const char *f = dot + 1;
    const char *end = p + n;
    const char *dot2 = memchr(f, '.', (size_t)(end - f));
    if (bcache_parse_float(f, (size_t)((dot2 ? dot2 : end) - f), &frac) < 0) {
        return -EINVAL;
    }
    *out = whole + frac / 10.24;
    return 0;
}

/* bch_hprint's unit letters (util.c); any other byte above '9' multiplies by 0.
 */
static double bcache_unit(unsigned char c)
{
    static const char units[] = "kMGTPEZY";
    const char *u = c ? strchr(units, c) : NULL;
    return u ? ldexp(1.0, 10 * (int)(u - units + 1)) : 0;
}

/* procfs' dehumanize. 0 or -EINVAL. */
static int bcache_dehumanize(const char *p, size_t n, uint64_t *out)
{
    double mant;
    double mul = 1;
    if (n == 0) {
        return -EINVAL;
    }
    unsigned char last = (unsigned char)p[n - 1];
    if (last > '9') {
        mul = bcache_unit(last);
        if (bcache_pseudo_float(p, n - 1, &mant) < 0) {
            return -EINVAL;
        }
    } else if (bcache_parse_float(p, n, &mant) < 0) {
        return -EINVAL;
    }
    *out = bcache_go_f2u(mant * mul);
    return 0;
}

/* procfs' dehumanizeSigned: one leading '-' negates. */
static int bcache_dehumanize_signed(const char *p, size_t n, int64_t *out)
{
    bool neg = n > 0 && p[0] == '-';
    uint64_t v;
    if (bcache_dehumanize(p + neg, n - neg, &v) < 0) {
        return -EINVAL;
    }
    *out = (int64_t)(neg ? (uint64_t)0 - v : v);
    return 0;
}

/* --- reading --- */

/* Reads dir/name into s->file. 0 or -errno. */
static int bcache_read(struct bcache_state *s, const char *dir, const char *name)
{
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        return -ENAMETOOLONG;
    }
    int rc = he_file_read(&s->file, path);
    if (rc < 0) {
        he_log_debug("bcache: failed to read", "path", path, NULL);
    }
    return rc;
}

/*
 * procfs' readValue: the file without its last byte, dehumanized; a missing
 * file (or directory) is 0. An empty file (procfs panics on it) is -EINVAL.
 */
static int bcache_value(struct bcache_state *s, const char *dir, const char *name, uint64_t *out)
{
    int rc = bcache_read(s, dir, name);
    if (rc == -ENOENT) {
        *out = 0; /* procfs reads a missing attribute as 0 */
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    if (s->file.buf.len == 0 || bcache_dehumanize(s->file.buf.data, s->file.buf.len - 1, out) < 0) {
        he_log_debug("bcache: failed to parse", "file", name, NULL);
        return -EINVAL;
    }
    return 0;
}

/* Reads several values of one directory in order; the first failure ends it. */
static int bcache_values(struct bcache_state *s, const char *dir, const char *const *names,
                         size_t n, uint64_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int rc = bcache_value(s, dir, names[i], &out[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* The last Go-white-space separated field of line (strings.Fields' last). */
static struct he_field bcache_last_field(struct he_field line)
{
    struct he_field last = {line.p, 0};
    const char *p = line.p;
    const char *end = line.p + line.len;
    while (p < end) {
        size_t n = he_go_space_at(p, (size_t)(end - p));
        if (n > 0) {
            p += n;
            continue;
        }
        const char *start = p;
        while (p < end && he_go_space_at(p, (size_t)(end - p)) == 0) {
            p++;
        }
        last = (struct he_field){start, (size_t)(p - start)};
    }
    return last;
}

static bool bcache_prefix(struct he_field line, const char *p)
{
    size_t n = strlen(p);
    return line.len >= n && memcmp(line.p, p, n) == 0;
}

/* f without the suffix sfx when it ends with it (strings.TrimSuffix). */
static struct he_field bcache_trim_suffix(struct he_field f, const char *sfx)
{
    size_t n = strlen(sfx);
    if (f.len >= n && memcmp(f.p + f.len - n, sfx, n) == 0) {
        f.len -= n;
    }
    return f;
}

/* procfs' parseWritebackRateDebug for one line. 0 or -EINVAL. */
static int bcache_wrd_line(struct he_field line, struct bcache_bdev *b)
{
    struct he_field v = bcache_last_field(line);
    int64_t next;
    if (bcache_prefix(line, "rate:")) {
        v = bcache_trim_suffix(v, "/sec");
        return bcache_dehumanize(v.p, v.len, &b->rate);
    }
    if (bcache_prefix(line, "dirty:")) {
        uint64_t dirty;
        return bcache_dehumanize(v.p, v.len, &dirty);
    }
    if (bcache_prefix(line, "target:")) {
        return bcache_dehumanize(v.p, v.len, &b->target);
    }
    if (bcache_prefix(line, "proportional:")) {
        return bcache_dehumanize_signed(v.p, v.len, &b->proportional);
    }
    if (bcache_prefix(line, "integral:")) {
        return bcache_dehumanize_signed(v.p, v.len, &b->integral);
    }
    if (bcache_prefix(line, "change:")) {
        v = bcache_trim_suffix(v, "/sec");
        return bcache_dehumanize_signed(v.p, v.len, &b->change);
    }
    if (bcache_prefix(line, "next io:")) {
        return he_parse_i64(bcache_trim_suffix(v, "ms"), &next);
    }
    return 0;
}

/* procfs' parsePriorityStats for one line. 0 or -EINVAL. */
static int bcache_prio_line(struct he_field line, struct bcache_cache *c)
{
    uint64_t *dst = bcache_prefix(line, "Unused:")     ? &c->unused_pct
                    : bcache_prefix(line, "Metadata:") ? &c->metadata_pct
                                                       : NULL;
    if (!dst) {
        return 0;
    }
    return he_parse_u64(bcache_trim_suffix(bcache_last_field(line), "%"), dst);
}

/* Reads dir/name line by line through parse (bufio.Scanner's rules). 0 or
 * -errno. */
static int bcache_lines(struct bcache_state *s, const char *dir, const char *name,
                        int (*parse)(struct he_field, void *), void *arg)
{
    int rc = bcache_read(s, dir, name);
    struct he_lines it;
    struct he_field line;
    if (rc < 0) {
        return rc;
    }
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (line.len && line.p[line.len - 1] == '\r') {
            line.len--; /* ScanLines drops a trailing CR */
        }
        if (line.len >= BCACHE_MAX_LINE || parse(line, arg) < 0) {
            he_log_debug("bcache: failed to parse", "file", name, NULL);
            return -EINVAL;
        }
    }
    return 0;
}

static int bcache_wrd_cb(struct he_field line, void *arg)
{
    return bcache_wrd_line(line, arg);
}

static int bcache_prio_cb(struct he_field line, void *arg)
{
    return bcache_prio_line(line, arg);
}

/* dir + "/" + name into out (4096 bytes). 0 or -ENAMETOOLONG. */
static int bcache_join(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, 4096, "%s/%s", dir, name);
    return n < 0 || n >= 4096 ? -ENAMETOOLONG : 0;
}

/* True for names upstream's globs bdev[0-9]* / cache[0-9]* match. */
static bool bcache_is(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] >= '0' && name[n] <= '9';
}

/* A backing device: dirty_data, writeback_rate_debug, stats_five_minute,
 * stats_total. */
static int bcache_read_bdev(struct bcache_state *s, const char *set, const char *name)
{
    char dir[4096];
    char sub[4096];
    uint64_t five[P_N];
    int rc = he_array_grow((void **)&s->bdevs, &s->bdevs_cap, s->nbdevs + 1, sizeof(*s->bdevs));
    struct bcache_bdev *b = &s->bdevs[s->nbdevs];
    rc = rc ? rc : bcache_put(s, name, &b->name_at);
    if (rc == 0 && snprintf(dir, sizeof(dir), "%s/%s", set, name) >= (int)sizeof(dir)) {
        rc = -ENAMETOOLONG;
    }
    rc = rc ? rc : bcache_value(s, dir, "dirty_data", &b->dirty);
    rc = rc ? rc : bcache_lines(s, dir, "writeback_rate_debug", bcache_wrd_cb, b);
    rc = rc ? rc : bcache_join(sub, dir, "stats_five_minute");
    rc = rc ? rc : bcache_values(s, sub, bcache_period_files, P_N, five);
    rc = rc ? rc : bcache_join(sub, dir, "stats_total");
    rc = rc ? rc : bcache_values(s, sub, bcache_period_files, P_N, b->total);
    if (rc == 0) {
        s->nbdevs++;
    }
    return rc;
}

/* A cache device: io_errors, metadata_written, written (and priority_stats). */
static int bcache_read_cache(struct bcache_state *s, const char *set, const char *name)
{
    static const char *const files[] = {"io_errors", "metadata_written", "written"};
    char dir[4096];
    uint64_t v[3];
    int rc = he_array_grow((void **)&s->caches, &s->caches_cap, s->ncaches + 1, sizeof(*s->caches));
    struct bcache_cache *c = &s->caches[s->ncaches];
    rc = rc ? rc : bcache_put(s, name, &c->name_at);
    if (rc == 0 && snprintf(dir, sizeof(dir), "%s/%s", set, name) >= (int)sizeof(dir)) {
        rc = -ENAMETOOLONG;
    }
    rc = rc ? rc : bcache_values(s, dir, files, 3, v);
    c->unused_pct = c->metadata_pct = 0;
    if (rc == 0 && bcache_priority_stats) {
        rc = bcache_lines(s, dir, "priority_stats", bcache_prio_cb, c);
    }
    if (rc == 0) {
        c->io_errors = v[0];
        c->metadata_written = v[1];
        c->written = v[2];
        s->ncaches++;
    }
    return rc;
}

/* The set's own files, internal/, stats_five_minute/ and stats_total/. */
static int bcache_read_set_files(struct bcache_state *s, const char *dir, struct bcache_set *set)
{
    static const char *const own[] = {"average_key_size",        "btree_cache_size",
                                      "cache_available_percent", "congested",
                                      "root_usage_percent",      "tree_depth"};
    static const char *const internal[] = {"active_journal_entries", "btree_nodes",
                                           "btree_read_average_duration_us", "cache_read_races"};
    char sub[4096];
    uint64_t period[P_N];
    int rc = bcache_values(s, dir, own, 6, set->v);
    rc = rc ? rc : bcache_join(sub, dir, "internal");
    rc = rc ? rc : bcache_values(s, sub, internal, 4, set->v + S_JOURNAL);
    rc = rc ? rc : bcache_join(sub, dir, "stats_five_minute");
    rc = rc ? rc : bcache_values(s, sub, bcache_period_files, P_N, period);
    rc = rc ? rc : bcache_join(sub, dir, "stats_total");
    return rc ? rc : bcache_values(s, sub, bcache_period_files, P_N, period);
}

/* procfs' GetStats for fs/bcache/<name>: all or nothing. */
static int bcache_read_set(struct bcache_state *s, const char *root, const char *name)
{
    char dir[4096];
    if (snprintf(dir, sizeof(dir), "%s/%s", root, name) >= (int)sizeof(dir)) {
        return -ENAMETOOLONG;
    }
    int rc = he_array_grow((void **)&s->sets, &s->sets_cap, s->nsets + 1, sizeof(*s->sets));
    if (rc < 0) {
        return rc;
    }
    struct bcache_set *set = &s->sets[s->nsets];
    rc = bcache_put(s, name, &set->name_at);
    rc = rc ? rc : bcache_read_set_files(s, dir, set);
    if (rc < 0) {
        return rc;
    }
    /* Go's Glob ignores a directory it cannot list: no devices then. */
    if (he_dir_read(&s->sub, dir) < 0) {
        s->sub.n = 0;
    }
    set->bdev_first = s->nbdevs;
    set->cache_first = s->ncaches;
    for (size_t i = 0; i < s->sub.n && rc == 0; i++) {
        const char *d = he_dir_name(&s->sub, i);
        rc = bcache_is(d, "bdev") ? bcache_read_bdev(s, dir, d) : 0;
    }
    for (size_t i = 0; i < s->sub.n && rc == 0; i++) {
        const char *d = he_dir_name(&s->sub, i);
        rc = bcache_is(d, "cache") ? bcache_read_cache(s, dir, d) : 0;
    }
    set->nbdevs = s->nbdevs - set->bdev_first;
    set->ncaches = s->ncaches - set->cache_first;
    if (rc == 0) {
        s->nsets++;
    }
    return rc;
}

/* --- emission --- */

struct bcache_metric {
    const char *name;
    const char *help;
    enum he_metric_type type;
};

static const struct bcache_metric bcache_set_metrics[S_N] = {
    {"node_bcache_average_key_size_sectors", "Average data per key in the btree (sectors).",
     HE_GAUGE},
    {"node_bcache_btree_cache_size_bytes", "Amount of memory currently used by the btree cache.",
     HE_GAUGE},
    {"node_bcache_cache_available_percent",
     "Percentage of cache device without dirty data, usable for writeback (may "
     "contain clean "
     "cached data).",
     HE_GAUGE},
    {"node_bcache_congested", "Congestion.", HE_GAUGE},
    {"node_bcache_root_usage_percent",
     "Percentage of the root btree node in use (tree depth increases if too "
     "high).",
     HE_GAUGE},
    {"node_bcache_tree_depth", "Depth of the btree.", HE_GAUGE},
    {"node_bcache_active_journal_entries",
     "Number of journal entries that are newer than the index.", HE_GAUGE},
    {"node_bcache_btree_nodes", "Total nodes in the btree.", HE_GAUGE},
    {"node_bcache_btree_read_average_duration_seconds", "Average btree read duration.", HE_GAUGE},
    {"node_bcache_cache_read_races_total",
     "Counts instances where while data was being read from the cache, the "
     "bucket was reused and "
     "invalidated - i.e. where the pointer was stale after the read completed.",
     HE_COUNTER},
};

/* stats_total of a backing device, in upstream's order (readaheads last, if not
 * 0). */
static const struct bcache_metric bcache_period_metrics[P_N] = {
    [P_BYPASSED] = {"node_bcache_bypassed_bytes_total",
                    "Amount of IO (both reads and writes) that has bypassed the cache.",
                    HE_COUNTER},
    [P_HITS] = {"node_bcache_cache_hits_total",
                "Hits counted per individual IO as bcache sees them.", HE_COUNTER},
    [P_MISSES] = {"node_bcache_cache_misses_total",
                  "Misses counted per individual IO as bcache sees them.", HE_COUNTER},
    [P_BYPASS_HITS] = {"node_bcache_cache_bypass_hits_total",
                       "Hits for IO intended to skip the cache.", HE_COUNTER},
    [P_BYPASS_MISSES] = {"node_bcache_cache_bypass_misses_total",
                         "Misses for IO intended to skip the cache.", HE_COUNTER},
    [P_MISS_COLLISIONS] = {"node_bcache_cache_miss_collisions_total",
                           "Instances where data insertion from cache miss "
                           "raced with write (data "
                           "already present).",
                           HE_COUNTER},
    [P_READAHEADS] = {"node_bcache_cache_readaheads_total", "Count of times readahead occurred.",
                      HE_COUNTER},
};

static void bcache_emit(struct he_writer *w, const struct bcache_metric *m,
                        const struct he_label *l, size_t nl, double v)
{
    he_writer_family(w, m->name, m->help, m->type);
    he_writer_sample(w, l, nl, v);
}

static void bcache_emit_bdev(struct he_writer *w, const struct bcache_state *s, const char *uuid,
                             const struct bcache_bdev *b)
{
    static const struct bcache_metric m[6] = {
        {"node_bcache_dirty_data_bytes",
         "Amount of dirty data for this backing device in the cache.", HE_GAUGE},
        {"node_bcache_dirty_target_bytes",
         "Current dirty data target threshold for this backing device in bytes.", HE_GAUGE},
        {"node_bcache_writeback_rate", "Current writeback rate for this backing device in bytes.",
         HE_GAUGE},
        {"node_bcache_writeback_rate_proportional_term",
         "Current result of proportional controller, part of writeback rate", HE_GAUGE},
        {"node_bcache_writeback_rate_integral_term",
         "Current result of integral controller, part of writeback rate", HE_GAUGE},
        {"node_bcache_writeback_change", "Last writeback rate change step for this backing device.",
         HE_GAUGE},
    };
    const double v[6] = {(double)b->dirty,        (double)b->target,   (double)b->rate,
                         (double)b->proportional, (double)b->integral, (double)b->change};
    struct he_label l[2] = {{"uuid", uuid}, {"backing_device", bcache_str(s, b->name_at)}};
    for (size_t i = 0; i < 6; i++) {
        bcache_emit(w, &m[i], l, 2, v[i]);
    }
    for (size_t i = 0; i < P_N; i++) {
        if (i != P_READAHEADS || b->total[i] != 0) {
            bcache_emit(w, &bcache_period_metrics[i], l, 2, (double)b->total[i]);
        }
    }
}

static void bcache_emit_cache(struct he_writer *w, const struct bcache_state *s, const char *uuid,
                              const struct bcache_cache *c)
{
    static const struct bcache_metric m[5] = {
        {"node_bcache_io_errors",
         "Number of errors that have occurred, decayed by io_error_halflife.", HE_GAUGE},
        {"node_bcache_metadata_written_bytes_total",
         "Sum of all non data writes (btree writes and all other metadata).", HE_COUNTER},
        {"node_bcache_written_bytes_total", "Sum of all data that has been written to the cache.",
         HE_COUNTER},
        {"node_bcache_priority_stats_unused_percent",
         "The percentage of the cache that doesn't contain any data.", HE_GAUGE},
        {"node_bcache_priority_stats_metadata_percent", "Bcache's metadata overhead.", HE_GAUGE},
    };
    const double v[5] = {(double)c->io_errors, (double)c->metadata_written, (double)c->written,
                         (double)c->unused_pct, (double)c->metadata_pct};
    struct he_label l[2] = {{"uuid", uuid}, {"cache_device", bcache_str(s, c->name_at)}};
    for (size_t i = 0; i < (bcache_priority_stats ? 5u : 3u); i++) {
        bcache_emit(w, &m[i], l, 2, v[i]);
    }
}

static void bcache_emit_set(struct he_writer *w, const struct bcache_state *s,
                            const struct bcache_set *set)
{
    const char *uuid = bcache_str(s, set->name_at);
    struct he_label l = {"uuid", uuid};
    for (size_t i = 0; i < S_N; i++) {
        double v = (double)set->v[i];
        if (i == S_BTREE_READ_US) {
            v *= 1e-9; /* upstream's factor, though the file is in microseconds */
        }
        bcache_emit(w, &bcache_set_metrics[i], &l, 1, v);
    }
    for (size_t i = 0; i < set->nbdevs; i++) {
        bcache_emit_bdev(w, s, uuid, &s->bdevs[set->bdev_first + i]);
    }
    for (size_t i = 0; i < set->ncaches; i++) {
        bcache_emit_cache(w, s, uuid, &s->caches[set->cache_first + i]);
    }
}

static int bcache_collect(void *state, struct he_writer *w)
{
    struct bcache_state *s = state;
    char root[4096];
    s->nsets = s->nbdevs = s->ncaches = 0;
    he_buf_reset(&s->strings);
    int rc = he_path_sys(root, sizeof(root), "fs/bcache");
    if (rc < 0) {
        return rc;
    }
    if (he_dir_read(&s->top, root) < 0) {
        return 0; /* Go's Glob: an unreadable directory is no match */
    }
    for (size_t i = 0; i < s->top.n; i++) {
        const char *name = he_dir_name(&s->top, i);
        rc = strchr(name, '-') ? bcache_read_set(s, root, name) : 0;
        if (rc < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < s->nsets; i++) {
        bcache_emit_set(w, s, &s->sets[i]);
    }
    return 0;
}

static const struct he_collector bcache_collector = {
    .name = "bcache",
    .default_enabled = true,
    .flags = bcache_flags,
    .init = bcache_init,
    .collect = bcache_collect,
    .fini = bcache_fini,
};

HE_COLLECTOR_REGISTER(bcache_collector)
