/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conntrack: node_nf_conntrack_entries and node_nf_conntrack_entries_limit from
 * <procfs>/sys/net/netfilter/nf_conntrack_count and nf_conntrack_max, and the
 * node_nf_conntrack_stat_* gauges (found, invalid, ignore, insert,
 * insert_failed, drop, early_drop, search_restart) summed over the per-CPU
 * lines of <procfs>/net/stat/nf_conntrack. Mirrors node_exporter 1.12's
 * collector/conntrack_linux.go over procfs' net_conntrackstat.go:
 *   - the sysctl files are read as readUintFromFile does (trimmed decimal);
 *     one that does not exist (the nf_conntrack module is not loaded) ends
 *     the scrape with "no data", keeping what was emitted before it;
 *   - the stat file's first line is its header; every other line must be 16
 *     (Linux < 2.6.35, no search_restart) or 17 hexadecimal 64-bit columns,
 *     taken by position (kernels renamed some columns since, e.g. searched
 *     became clashres); anything else fails the scrape after the two sysctl
 *     gauges, and a missing stat file (a kernel without
 *     CONFIG_NF_CONNTRACK_PROCFS) is "no data" too;
 *   - sums wrap at 2^64 as Go's uint64 does; a line of 64 KiB or more ends
 *     the stat parse silently (procfs does not check the scanner's error), and
 *     only the first MiB of the stat file is read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define CONNTRACK_MAX_LINE (64u * 1024u)
#define CONNTRACK_READ_LIMIT (1024u * 1024u)

/* The summed columns: their index in a stat line, metric name and HELP. */
static const struct {
    unsigned column;
    const char *name;
    const char *help;
} conntrack_stats[] = {
    {2, "node_nf_conntrack_stat_found", "Number of searched entries which were successful."},
    {4, "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked."},
    {5, "node_nf_conntrack_stat_ignore",
     "Number of packets seen which are already connected to a conntrack entry."},
    {8, "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."},
    {9, "node_nf_conntrack_stat_insert_failed",
     "Number of entries for which list insertion was attempted but failed."},
    {10, "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."},
    {11, "node_nf_conntrack_stat_early_drop",
     "Number of dropped conntrack entries to make room for new ones, if maximum table size was "
     "reached."},
    {16, "node_nf_conntrack_stat_search_restart",
     "Number of conntrack table lookups which had to be restarted due to hashtable resizes."},
};
#define CONNTRACK_NSTATS (sizeof(conntrack_stats) / sizeof(conntrack_stats[0]))
#define CONNTRACK_MAX_COLUMNS 17

struct conntrack_state {
    /*
     * count, max, stat: kept open and re-read from offset 0 (reopened on any
     * error, so a module unloaded and loaded again is found again).
     */
    struct he_file files[3];
    struct he_file *file;  /* the one conntrack_read() read last */
};

static int conntrack_init(void **state)
{
    struct conntrack_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    for (int i = 0; i < 3; i++) {
        he_file_init(&s->files[i], true, 0);
    }
    *state = s;
    return 0;
}

static void conntrack_fini(void *state)
{
    struct conntrack_state *s = state;
    for (int i = 0; i < 3; i++) {
        he_file_fini(&s->files[i]);
    }
    free(s);
}

/* Reads <procfs>/rel into s->files[which] (s->file then points at it), path into path. */
static int conntrack_read(struct conntrack_state *s, int which, const char *rel, char *path,
                          size_t size)
{
    s->file = &s->files[which];
    int rc = he_path_proc(path, size, rel);
    if (rc == 0) {
        rc = he_file_read(s->file, path);
    }
    return rc;
}

/* A sysctl gauge: -ENODATA when the file does not exist (module not loaded). */
static int conntrack_sysctl(struct conntrack_state *s, int which, const char *rel,
                            const char *name,
                            const char *help, struct he_writer *w)
{
    char path[4096];
    uint64_t value;
    int rc = conntrack_read(s, which, rel, path, sizeof(path));
    if (rc == 0) {
        rc = he_parse_u64_trimmed((struct he_field){s->file->buf.data, s->file->buf.len}, &value);
    }
    if (rc == -ENOENT) {
        he_log_debug("conntrack: probably not loaded", "path", path, NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        he_log_debug("conntrack: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    he_writer_family(w, name, help, HE_GAUGE);
    he_writer_value(w, (double)value);
    return 0;
}

/* Adds one per-CPU line's columns to sums. 0 or -EINVAL. */
static int conntrack_line(struct he_field line, uint64_t sums[CONNTRACK_NSTATS])
{
    struct he_field f[CONNTRACK_MAX_COLUMNS];
    uint64_t v[CONNTRACK_MAX_COLUMNS] = {0};
    size_t n = he_go_fields(line, f, CONNTRACK_MAX_COLUMNS);
    /* procfs parses every column before it counts them; a bad one is an error either way. */
    if (n < 16 || n > CONNTRACK_MAX_COLUMNS) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (he_parse_u64_hex(f[i], UINT64_MAX, &v[i]) < 0) {
            return -EINVAL;
        }
    }
    for (size_t i = 0; i < CONNTRACK_NSTATS; i++) {
        sums[i] += v[conntrack_stats[i].column]; /* column 16 stays 0 on 16-column lines */
    }
    return 0;
}

/* Sums the stat file's per-CPU lines, as procfs' parseConntrackStat reads them. */
static int conntrack_parse_stat(const struct he_buf *text, uint64_t sums[CONNTRACK_NSTATS])
{
    struct he_lines it;
    struct he_field line;
    bool header = true;
    he_lines_init(&it, text->data,
                  text->len < CONNTRACK_READ_LIMIT ? text->len : CONNTRACK_READ_LIMIT);
    while (he_lines_next(&it, &line)) {
        if (line.len >= CONNTRACK_MAX_LINE) {
            break; /* the scanner stops; procfs keeps what it parsed */
        }
        if (header) {
            header = false;
            continue;
        }
        if (conntrack_line(line, sums) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static int conntrack_stat(struct conntrack_state *s, struct he_writer *w)
{
    char path[4096];
    uint64_t sums[CONNTRACK_NSTATS] = {0};
    int rc = conntrack_read(s, 2, "net/stat/nf_conntrack", path, sizeof(path));
    if (rc == 0) {
        rc = conntrack_parse_stat(&s->file->buf, sums);
    }
    if (rc == -ENOENT) {
        he_log_debug("conntrack: probably not loaded", "path", path, NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        he_log_debug("conntrack: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    for (size_t i = 0; i < CONNTRACK_NSTATS; i++) {
        he_writer_family(w, conntrack_stats[i].name, conntrack_stats[i].help, HE_GAUGE);
        he_writer_value(w, (double)sums[i]);
    }
    return 0;
}

static int conntrack_collect(void *state, struct he_writer *w)
{
    struct conntrack_state *s = state;
    int rc = conntrack_sysctl(s, 0, "sys/net/netfilter/nf_conntrack_count",
                              "node_nf_conntrack_entries",
                              "Number of currently allocated flow entries for connection tracking.",
                              w);
    if (rc == 0) {
        rc = conntrack_sysctl(s, 1, "sys/net/netfilter/nf_conntrack_max",
                              "node_nf_conntrack_entries_limit",
                              "Maximum size of connection tracking table.", w);
    }
    if (rc == 0) {
        rc = conntrack_stat(s, w);
    }
    return rc;
}

static const struct he_collector conntrack_collector = {
    .name = "conntrack",
    .default_enabled = true,
    .init = conntrack_init,
    .collect = conntrack_collect,
    .fini = conntrack_fini,
};

HE_COLLECTOR_REGISTER(conntrack_collector)
