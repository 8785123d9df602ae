/* SPDX-License-Identifier: Apache-2.0 */
/*
 * processes: node_processes_pids, node_processes_threads,
 * node_processes_state{state}, node_processes_threads_state{thread_state},
 * node_processes_max_processes and node_processes_max_threads, from every
 * <procfs>/PID/stat, every <procfs>/PID/task/TID/stat, and
 * <procfs>/sys/kernel/pid_max and threads-max. Mirrors node_exporter's
 * collector/processes_linux.go with procfs's AllProcs and ProcStat.
 *
 * Entries of /proc whose name is not an integer are not processes. Processes and
 * threads come and go while the directory is walked: a stat file or task
 * directory that is gone (ENOENT, or ESRCH from a dying task) is skipped, as
 * upstream does; any other read or parse error fails the scrape with nothing
 * emitted. A process's threads are counted from its task directory, the leader
 * with the process's own state; node_processes_threads is the sum of each
 * process's num_threads field instead, so the two totals can differ.
 *
 * A stat line is "pid (comm) state ppid ...": comm may hold spaces and
 * parentheses, so the state follows the last ')'. procfs reads 41 numbers after
 * the state (up to cguest_time, proc(5) fields 4-44) and fails if one is missing
 * or malformed; so does this parser.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
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

/*
 * The kinds of proc(5) fields 4-44, which procfs scans after the state: 'i' for
 * Go int/int64 (a sign is allowed), 'u' for uint/uint64.
 */
static const char processes_stat_kinds[] = "iiiii"              /* ppid .. tpgid */
                                           "uuuuuuu"            /* flags .. stime */
                                           "iiiiii"             /* cutime .. itrealvalue */
                                           "uu"                 /* starttime, vsize */
                                           "i"                  /* rss */
                                           "uuuuuuuuuuuuu"      /* rsslim .. cnswap */
                                           "i"                  /* exit_signal */
                                           "uuuu"               /* processor .. delayacct */
                                           "ii";                /* guest_time, cguest_time */
#define PROCESSES_NUM_THREADS_FIELD 16 /* num_threads, proc(5) field 20 */
#define PROCESSES_STAT_FIELDS (1 + sizeof(processes_stat_kinds) - 1) /* state and numbers */

/* Counts per state name; the names grow to a high-water mark and are kept. */
struct processes_counts {
    struct he_buf names;   /* NUL-terminated names, back to back */
    size_t *offsets;
    double *counts;
    size_t n;
    size_t cap;
};

struct processes_state {
    struct he_dir procs;
    struct he_dir tasks;
    struct he_file stat;
    struct processes_counts states;
    struct processes_counts thread_states;
    double pids;
    double threads;
};

/* What is kept from one stat file: the state points into the file buffer. */
struct processes_stat {
    struct he_field state;
    int64_t num_threads;
};

static void processes_counts_init(struct processes_counts *c)
{
    he_buf_init(&c->names, 16 * 1024 * 1024);
    c->offsets = NULL;
    c->counts = NULL;
    c->n = 0;
    c->cap = 0;
}

static void processes_counts_fini(struct processes_counts *c)
{
    he_buf_free(&c->names);
    free(c->offsets);
    free(c->counts);
}

static void processes_counts_reset(struct processes_counts *c)
{
    he_buf_reset(&c->names);
    c->n = 0;
}

static int processes_counts_grow(struct processes_counts *c)
{
    size_t cap = c->cap ? c->cap * 2 : 16;
    size_t *o = realloc(c->offsets, cap * sizeof(*o));
    if (!o) {
        return -ENOMEM;
    }
    c->offsets = o;
    double *k = realloc(c->counts, cap * sizeof(*k));
    if (!k) {
        return -ENOMEM;
    }
    c->counts = k;
    c->cap = cap;
    return 0;
}

/* Adds one to name's count, adding the name on first sight. 0 or a negative errno. */
static int processes_counts_add(struct processes_counts *c, struct he_field name)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *have = c->names.data + c->offsets[i];
        if (strncmp(have, name.p, name.len) == 0 && have[name.len] == '\0') {
            c->counts[i]++;
            return 0;
        }
    }
    int rc = c->n == c->cap ? processes_counts_grow(c) : 0;
    size_t off = c->names.len;
    if (rc == 0) {
        rc = he_buf_append(&c->names, name.p, name.len);
    }
    if (rc == 0) {
        rc = he_buf_putc(&c->names, '\0');
    }
    if (rc < 0) {
        return rc;
    }
    c->offsets[c->n] = off;
    c->counts[c->n++] = 1;
    return 0;
}

static int processes_init(void **state)
{
    struct processes_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->procs);
    he_dir_init(&s->tasks);
    he_file_init(&s->stat, false, 1024 * 1024);
    processes_counts_init(&s->states);
    processes_counts_init(&s->thread_states);
    *state = s;
    return 0;
}

static void processes_fini(void *state)
{
    struct processes_state *s = state;
    he_dir_fini(&s->procs);
    he_dir_fini(&s->tasks);
    he_file_fini(&s->stat);
    processes_counts_fini(&s->states);
    processes_counts_fini(&s->thread_states);
    free(s);
}

/* Checks the numbers after the state; keeps num_threads. 0 or -EINVAL. */
static int processes_parse_numbers(const struct he_field *f, struct processes_stat *out)
{
    for (size_t i = 0; processes_stat_kinds[i]; i++) {
        int64_t v = 0;
        uint64_t u;
        int rc = processes_stat_kinds[i] == 'i' ? he_parse_i64(f[i], &v) : he_parse_u64(f[i], &u);
        if (rc < 0) {
            return -EINVAL;
        }
        if (i == PROCESSES_NUM_THREADS_FIELD) {
            out->num_threads = v;
        }
    }
    return 0;
}

/*
 * Parses a stat file as procfs does: comm runs from the first '(' to the last
 * ')', the byte after that ')' is skipped, then come the state and 41 numbers.
 */
static int processes_parse_stat(const char *data, size_t len, struct processes_stat *out)
{
    const char *l = memchr(data, '(', len);
    const char *r = memrchr(data, ')', len);
    if (!l || !r || r < l || (size_t)(r - data) + 2 > len) {
        return -EINVAL;
    }
    /* Fmt's Fscan skips the same whitespace as strings.Fields. */
    struct he_field f[PROCESSES_STAT_FIELDS];
    struct he_field rest = {r + 2, len - (size_t)(r - data) - 2};
    if (he_go_fields(rest, f, PROCESSES_STAT_FIELDS) < PROCESSES_STAT_FIELDS) {
        return -EINVAL;
    }
    out->state = f[0];
    return processes_parse_numbers(f + 1, out);
}

/* Gone while we looked: skipped, not an error (procfs's isIgnoredError). */
static bool processes_vanished(int rc)
{
    return rc == -ENOENT || rc == -ESRCH;
}

/*
 * Reads and parses <procfs>/rel. Returns 0, 1 when the file is gone, or a
 * negative errno.
 */
static int processes_read_stat(struct processes_state *s, const char *rel,
                               struct processes_stat *out)
{
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_file_read(&s->stat, path);
    }
    if (processes_vanished(rc)) {
        he_log_debug("processes: file not found when retrieving stats", "path", path, NULL);
        return 1;
    }
    if (rc == 0) {
        rc = processes_parse_stat(s->stat.buf.data, s->stat.buf.len, out);
    }
    if (rc < 0) {
        he_log_debug("processes: error reading stat", "path", path, NULL);
    }
    return rc;
}

/* A directory entry as procfs reads a PID: strconv.ParseInt(name, 10, 64). */
static bool processes_pid(const char *name, long long *pid)
{
    int64_t v;
    if (he_parse_i64((struct he_field){name, strlen(name)}, &v) < 0) {
        return false;
    }
    *pid = (long long)v;
    return true;
}

/*
 * Counts the states of pid's threads: the leader (TID == PID) with the process
 * state, the others from their own stat. A missing task directory counts none.
 */
static int processes_add_threads(struct processes_state *s, long long pid, struct he_field state)
{
    char rel[96];
    char path[4096];
    long long tid;
    snprintf(rel, sizeof(rel), "%lld/task", pid);
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_dir_read(&s->tasks, path);
    }
    if (rc < 0) {
        he_log_debug("processes: cannot list tasks", "path", path, NULL);
        return processes_vanished(rc) ? 0 : rc;
    }
    /* First, while the process's stat (and so state) is still in the buffer. */
    for (size_t i = 0; i < s->tasks.n; i++) {
        if (processes_pid(he_dir_name(&s->tasks, i), &tid) && tid == pid &&
            (rc = processes_counts_add(&s->thread_states, state)) < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < s->tasks.n; i++) {
        struct processes_stat st;
        if (!processes_pid(he_dir_name(&s->tasks, i), &tid) || tid == pid) {
            continue;
        }
        snprintf(rel, sizeof(rel), "%lld/task/%lld/stat", pid, tid);
        rc = processes_read_stat(s, rel, &st);
        if (rc == 0) {
            rc = processes_counts_add(&s->thread_states, st.state);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int processes_add_pid(struct processes_state *s, long long pid)
{
    char rel[64];
    struct processes_stat st;
    snprintf(rel, sizeof(rel), "%lld/stat", pid);
    int rc = processes_read_stat(s, rel, &st);
    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    s->pids++;
    s->threads += (double)st.num_threads;
    rc = processes_counts_add(&s->states, st.state);
    if (rc == 0) {
        rc = processes_add_threads(s, pid, st.state);
    }
    return rc;
}

/* Walks <procfs> and fills the counts. 0 or a negative errno. */
static int processes_walk(struct processes_state *s)
{
    char path[4096];
    long long pid;
    s->pids = 0;
    s->threads = 0;
    processes_counts_reset(&s->states);
    processes_counts_reset(&s->thread_states);
    int rc = he_path_proc(path, sizeof(path), "");
    if (rc == 0) {
        rc = he_dir_read(&s->procs, path);
    }
    if (rc < 0) {
        he_log_debug("processes: unable to list all processes", "path", path, NULL);
        return rc;
    }
    for (size_t i = 0; i < s->procs.n && rc == 0; i++) {
        if (processes_pid(he_dir_name(&s->procs, i), &pid)) {
            rc = processes_add_pid(s, pid);
        }
    }
    return rc;
}

/* node_exporter's readUintFromFile on <procfs>/rel. */
static int processes_read_limit(const char *rel, double *out)
{
    char path[4096];
    char buf[64];
    uint64_t v;
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_read_attr(path, buf, sizeof(buf));
    }
    if (rc >= 0) {
        rc = he_parse_u64_trimmed((struct he_field){buf, (size_t)rc}, &v);
    }
    if (rc < 0) {
        he_log_debug("processes: cannot read limit", "path", path, NULL);
        return rc;
    }
    *out = (double)v;
    return 0;
}

static void processes_emit_counts(struct he_writer *w, const struct processes_counts *c,
                                  const char *metric, const char *help, const char *label)
{
    if (c->n == 0) {
        return;
    }
    he_writer_family(w, metric, help, HE_GAUGE);
    for (size_t i = 0; i < c->n; i++) {
        struct he_label l = {label, c->names.data + c->offsets[i]};
        he_writer_sample(w, &l, 1, c->counts[i]);
    }
}

/* In upstream's order, so that a missing limit file leaves what it leaves there. */
static int processes_emit(const struct processes_state *s, struct he_writer *w)
{
    double limit;
    he_writer_family(w, "node_processes_threads", "Allocated threads in system", HE_GAUGE);
    he_writer_value(w, s->threads);
    int rc = processes_read_limit("sys/kernel/threads-max", &limit);
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, "node_processes_max_threads", "Limit of threads in the system", HE_GAUGE);
    he_writer_value(w, limit);
    processes_emit_counts(w, &s->states, "node_processes_state",
                          "Number of processes in each state.", "state");
    processes_emit_counts(w, &s->thread_states, "node_processes_threads_state",
                          "Number of threads in each state.", "thread_state");
    rc = processes_read_limit("sys/kernel/pid_max", &limit);
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, "node_processes_pids", "Number of PIDs", HE_GAUGE);
    he_writer_value(w, s->pids);
    he_writer_family(w, "node_processes_max_processes", "Number of max PIDs limit", HE_GAUGE);
    he_writer_value(w, limit);
    return 0;
}

static int processes_collect(void *state, struct he_writer *w)
{
    struct processes_state *s = state;
    int rc = processes_walk(s);
    if (rc < 0) {
        return rc;
    }
    return processes_emit(s, w);
}

static const struct he_collector processes_collector = {
    .name = "processes",
    .default_enabled = false,
    .init = processes_init,
    .collect = processes_collect,
    .fini = processes_fini,
};

HE_COLLECTOR_REGISTER(processes_collector)
