/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lnstat: the per-CPU network cache statistics of every file of <procfs>/net/stat
 * (arp_cache, ndisc_cache, rt_cache, nf_conntrack, synproxy, ...), as
 * node_exporter 1.12.1's collector/lnstat_linux.go with prometheus/procfs's
 * netstat.go NetStat.
 *
 * Every entry of net/stat, in name order, is read: its first line names the
 * columns, each further line holds one hexadecimal value per column (one line
 * per CPU). As procfs, the values of a column are numbered in the order they
 * come, per column name: a short line shifts the numbering of the columns it
 * lacks, and a column named twice collects the values of both. A value that is
 * not hex fails the whole read; a line with more values than the header has
 * names (a panic upstream) fails it too. Reading stops quietly at a line longer
 * than bufio.Scanner's 64 KiB, and a directory reads as empty. A missing
 * net/stat yields no samples and success.
 *
 * Emits node_lnstat_<column>_total{subsystem=<file>,cpu=<n>}, all files read
 * before anything is emitted.
 */
#include <errno.h>
#include <limits.h>
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

#define LNSTAT_MAX_LINE 65535   /* bufio.Scanner's default token limit, less '\n' */
#define LNSTAT_MAX_COLS 256     /* kernels print at most a few dozen */

struct lnstat_file {
    size_t name;     /* offset of the file name in text */
    size_t off, len; /* its contents in text */
};

struct lnstat_state {
    struct he_dir dir;
    struct he_file file;
    struct he_buf text;          /* every file's name and contents, back to back */
    struct lnstat_file *files;
    size_t nfiles, cap;
};

/* Lines of one file, stopping at the first one bufio.Scanner could not hold. */
static bool lnstat_next_line(struct he_lines *it, struct he_field *line)
{
    return he_lines_next(it, line) && line->len <= LNSTAT_MAX_LINE;
}

/*
 * Walks one file's values: for each, slot[] gives the first column with the
 * same name, count[] how many values that name has so far (its cpu number).
 * With w NULL only checks. 0 or -EINVAL.
 */
static int lnstat_walk(const char *subsystem, const char *text, size_t len, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line, head[LNSTAT_MAX_COLS], f[LNSTAT_MAX_COLS];
    size_t slot[LNSTAT_MAX_COLS], count[LNSTAT_MAX_COLS] = {0};
    he_lines_init(&it, text, len);
    if (!lnstat_next_line(&it, &line)) {
        return 0;
    }
    size_t nhead = he_go_fields(line, head, LNSTAT_MAX_COLS);
    if (nhead > LNSTAT_MAX_COLS) {
        return -EINVAL;
    }
    for (size_t i = 0; i < nhead; i++) {
        slot[i] = i;
        for (size_t j = 0; j < i && slot[i] == i; j++) {
            if (head[j].len == head[i].len && memcmp(head[j].p, head[i].p, head[i].len) == 0) {
                slot[i] = j;
            }
        }
    }
    while (lnstat_next_line(&it, &line)) {
        size_t n = he_go_fields(line, f, LNSTAT_MAX_COLS);
        if (n > nhead) {
            return -EINVAL; /* headers[num] out of range */
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t v;
            if (he_parse_u64_hex(f[i], UINT64_MAX, &v) < 0) {
                return -EINVAL;
            }
            size_t cpu = count[slot[i]]++;
            if (w) {
                char name[PATH_MAX], cpus[24];
                snprintf(name, sizeof(name), "node_lnstat_%.*s_total", (int)head[i].len, head[i].p);
                snprintf(cpus, sizeof(cpus), "%zu", cpu);
                const struct he_label l[2] = {{"subsystem", subsystem}, {"cpu", cpus}};
                he_writer_family(w, name, "linux network cache stats", HE_COUNTER);
                he_writer_sample(w, l, 2, (double)v);
            }
        }
    }
    return 0;
}

/* Appends <procfs>/net/stat/<name> to s->text (a directory reads as empty). */
static int lnstat_load(struct lnstat_state *s, const char *dir, const char *name)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        return -ENAMETOOLONG;
    }
    int rc = he_file_read(&s->file, path);
    if (rc < 0 && rc != -EISDIR) {
        return rc;
    }
    if (he_array_grow((void **)&s->files, &s->cap, s->nfiles + 1, sizeof(*s->files)) < 0) {
        return -ENOMEM;
    }
    struct lnstat_file *f = &s->files[s->nfiles];
    f->name = s->text.len;
    if (he_buf_append(&s->text, name, strlen(name) + 1) < 0) {
        return -ENOMEM;
    }
    f->off = s->text.len;
    f->len = rc == -EISDIR ? 0 : s->file.buf.len;
    if (f->len && he_buf_append(&s->text, s->file.buf.data, f->len) < 0) {
        return -ENOMEM;
    }
    s->nfiles++;
    return 0;
}

static int lnstat_collect(void *state, struct he_writer *w)
{
    struct lnstat_state *s = state;
    char dir[PATH_MAX];
    s->nfiles = 0;
    he_buf_reset(&s->text);
    int rc = he_path_proc(dir, sizeof(dir), "net/stat");
    if (rc == 0 && he_dir_read(&s->dir, dir) < 0) {
        return 0; /* filepath.Glob finds nothing */
    }
    for (size_t i = 0; rc == 0 && i < s->dir.n; i++) {
        rc = lnstat_load(s, dir, he_dir_name(&s->dir, i));
    }
    for (size_t i = 0; rc == 0 && i < s->nfiles; i++) {
        const struct lnstat_file *f = &s->files[i];
        rc = lnstat_walk(s->text.data + f->name, s->text.data + f->off, f->len, NULL);
    }
    if (rc < 0) {
        he_log_debug("lnstat: cannot read", "path", dir, NULL);
        return rc;
    }
    for (size_t i = 0; i < s->nfiles; i++) {
        const struct lnstat_file *f = &s->files[i];
        lnstat_walk(s->text.data + f->name, s->text.data + f->off, f->len, w);
    }
    return 0;
}

static int lnstat_init(void **state)
{
    struct lnstat_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    he_file_init(&s->file, false, 0);
    he_buf_init(&s->text, 0);
    *state = s;
    return 0;
}

static void lnstat_fini(void *state)
{
    struct lnstat_state *s = state;
    he_dir_fini(&s->dir);
    he_file_fini(&s->file);
    he_buf_free(&s->text);
    free(s->files);
    free(s);
}

static const struct he_collector lnstat_collector = {
    .name = "lnstat",
    .default_enabled = false,
    .init = lnstat_init,
    .collect = lnstat_collect,
    .fini = lnstat_fini,
};

HE_COLLECTOR_REGISTER(lnstat_collector)
