/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat: kernel counters from <procfs>/stat (proc(5)): node_intr_total (the
 * first "intr" number), node_context_switches_total ("ctxt"), node_forks_total
 * ("processes"), node_boot_time_seconds ("btime"), node_procs_running and
 * node_procs_blocked, and with --collector.stat.softirq node_softirqs_total
 * per vector from the "softirq" line. Mirrors node_exporter's
 * collector/stat_linux.go, which reads the file through procfs's Stat()
 * (stat.go); the parse below keeps that parser's rules:
 *   - only the first 1 MiB of the file is read, and a line of 1 MiB or more is
 *     an error (procfs's read cap and scanner limit);
 *   - lines with fewer than two fields and unknown keys are ignored, and a key
 *     that is absent reads as 0, so an empty file still yields six zeros;
 *   - a known key whose value is not an unsigned integer fails the collector,
 *     and so does any numbered "intr" count, a "softirq" line with fewer than
 *     eleven numbers, and a "cpu..." line whose id or first ten values do not
 *     parse, although none of the cpu values is exported here (the cpu
 *     collector does that).
 * On failure nothing is emitted, as upstream emits only after a full parse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

/* procfs reads at most this much of /proc/stat, and no line may be this long. */
#define STAT_READ_CAP (1024u * 1024u)

enum stat_key {
    STAT_INTR,
    STAT_CTXT,
    STAT_PROCESSES,
    STAT_BTIME,
    STAT_PROCS_RUNNING,
    STAT_PROCS_BLOCKED,
    STAT_NKEYS,
};

/* The single-value keys, indexed by enum stat_key. */
static const char *const stat_keys[STAT_NKEYS] = {
    "intr", "ctxt", "processes", "btime", "procs_running", "procs_blocked",
};

/* Softirq vectors in the order the kernel prints them, named as node_exporter labels them. */
static const char *const stat_softirq_vectors[] = {
    "hi",      "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched",
    "hrtimer", "rcu",
};

#define STAT_NVECTORS (sizeof(stat_softirq_vectors) / sizeof(stat_softirq_vectors[0]))

/* --collector.stat.softirq; written once by flag parsing before any init. */
static bool stat_softirq_flag;

static const struct he_flag stat_flags[] = {
    {"collector.stat.softirq", HE_FLAG_BOOL, "false", "Export softirq calls per vector",
     &stat_softirq_flag, NULL},
    {0},
};

struct stat_state {
    struct he_file file;   /* kept open: /proc/stat always exists */
    uint64_t values[STAT_NKEYS];
    uint64_t softirqs[STAT_NVECTORS];
};

static int stat_init(void **state)
{
    struct stat_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    *state = s;
    return 0;
}

static void stat_fini(void *state)
{
    struct stat_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* The blanks he_split_fields() splits at. */
static bool stat_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Checks every numbered interrupt count after the total, as procfs parses them
 * all. One pass over the line: the "intr" line of a large machine holds
 * thousands of counts, so splitting it again per field would be quadratic.
 */
static int stat_check_numbered_irqs(const char *p, const char *end)
{
    uint64_t v;
    for (;;) {
        while (p < end && stat_is_blank(*p)) {
            p++;
        }
        if (p == end) {
            return 0;
        }
        const char *start = p;
        while (p < end && !stat_is_blank(*p)) {
            p++;
        }
        if (he_parse_u64((struct he_field){start, (size_t)(p - start)}, &v) < 0) {
            return -EINVAL;
        }
    }
}

/* "softirq <total> <10 vectors>": procfs requires all eleven numbers; more are ignored. */
static int stat_parse_softirq(struct stat_state *s, struct he_field line)
{
    struct he_field f[2 + STAT_NVECTORS];
    uint64_t total;
    if (he_split_fields(line, f, 2 + STAT_NVECTORS) < 2 + STAT_NVECTORS ||
        he_parse_u64(f[1], &total) < 0) {
        return -EINVAL;
    }
    for (size_t i = 0; i < STAT_NVECTORS; i++) {
        if (he_parse_u64(f[2 + i], &s->softirqs[i]) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/* The id after "cpu" must be a decimal int64 with an optional sign, as strconv.ParseInt. */
static int stat_check_cpu_id(struct he_field name)
{
    struct he_field id = {name.p + 3, name.len - 3};
    uint64_t v;
    if (id.len == 0) {
        return 0; /* the "cpu" summary line */
    }
    if (id.p[0] == '+' || id.p[0] == '-') {
        id.p++;
        id.len--;
    }
    if (he_parse_u64(id, &v) < 0 || v > (uint64_t)INT64_MAX + (name.p[3] == '-')) {
        return -EINVAL;
    }
    return 0;
}

/* A "cpu..." line: the id and up to ten tick values must parse; short lines are fine. */
static int stat_check_cpu(struct he_field line)
{
    struct he_field f[11];
    size_t n = he_split_fields(line, f, 11);
    double v;
    if (stat_check_cpu_id(f[0]) < 0) {
        return -EINVAL;
    }
    for (size_t i = 1; i < n && i < 11; i++) {
        if (he_parse_double(f[i], &v) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/* Dispatches one line of at least two fields on its key. */
static int stat_parse_line(struct stat_state *s, struct he_field line, struct he_field key,
                           struct he_field value)
{
    for (int k = 0; k < STAT_NKEYS; k++) {
        if (!he_field_eq(key, stat_keys[k])) {
            continue;
        }
        if (he_parse_u64(value, &s->values[k]) < 0) {
            return -EINVAL;
        }
        if (k != STAT_INTR) {
            return 0;
        }
        return stat_check_numbered_irqs(value.p + value.len, line.p + line.len);
    }
    if (he_field_eq(key, "softirq")) {
        return stat_parse_softirq(s, line);
    }
    if (key.len >= 3 && memcmp(key.p, "cpu", 3) == 0) {
        return stat_check_cpu(line);
    }
    return 0;
}

static int stat_parse(struct stat_state *s)
{
    struct he_lines it;
    struct he_field line;
    size_t len = s->file.buf.len < STAT_READ_CAP ? s->file.buf.len : STAT_READ_CAP;
    memset(s->values, 0, sizeof(s->values));
    memset(s->softirqs, 0, sizeof(s->softirqs));
    he_lines_init(&it, s->file.buf.data, len);
    while (he_lines_next(&it, &line)) {
        struct he_field f[2];
        if (line.len >= STAT_READ_CAP) {
            return -EFBIG;
        }
        if (he_split_fields(line, f, 2) < 2) {
            continue;
        }
        int rc = stat_parse_line(s, line, f[0], f[1]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static void stat_emit(const struct stat_state *s, struct he_writer *w)
{
    he_writer_family(w, "node_intr_total", "Total number of interrupts serviced.", HE_COUNTER);
    he_writer_value(w, (double)s->values[STAT_INTR]);
    he_writer_family(w, "node_context_switches_total", "Total number of context switches.",
                     HE_COUNTER);
    he_writer_value(w, (double)s->values[STAT_CTXT]);
    he_writer_family(w, "node_forks_total", "Total number of forks.", HE_COUNTER);
    he_writer_value(w, (double)s->values[STAT_PROCESSES]);
    he_writer_family(w, "node_boot_time_seconds", "Node boot time, in unixtime.", HE_GAUGE);
    he_writer_value(w, (double)s->values[STAT_BTIME]);
    he_writer_family(w, "node_procs_running", "Number of processes in runnable state.",
                     HE_GAUGE);
    he_writer_value(w, (double)s->values[STAT_PROCS_RUNNING]);
    he_writer_family(w, "node_procs_blocked",
                     "Number of processes blocked waiting for I/O to complete.", HE_GAUGE);
    he_writer_value(w, (double)s->values[STAT_PROCS_BLOCKED]);
    if (!stat_softirq_flag) {
        return;
    }
    he_writer_family(w, "node_softirqs_total", "Number of softirq calls.", HE_COUNTER);
    for (size_t i = 0; i < STAT_NVECTORS; i++) {
        struct he_label label = {"vector", stat_softirq_vectors[i]};
        he_writer_sample(w, &label, 1, (double)s->softirqs[i]);
    }
}

static int stat_collect(void *state, struct he_writer *w)
{
    struct stat_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "stat");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = stat_parse(s);
    }
    if (rc < 0) {
        he_log_debug("stat: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    stat_emit(s, w);
    return 0;
}

static const struct he_collector stat_collector = {
    .name = "stat",
    .default_enabled = true,
    .flags = stat_flags,
    .init = stat_init,
    .collect = stat_collect,
    .fini = stat_fini,
};

HE_COLLECTOR_REGISTER(stat_collector)
