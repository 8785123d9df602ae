/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schedstat: per-CPU scheduler statistics from <procfs>/schedstat
 * (Documentation/scheduler/sched-stats.rst), whose "cpu<N>" lines carry nine
 * numbers; the last three are the time tasks spent running and waiting on
 * that CPU (nanoseconds since Linux 2.6.23, whatever the old documentation
 * says) and the number of timeslices run:
 *   node_schedstat_running_seconds_total{cpu}
 *   node_schedstat_waiting_seconds_total{cpu}
 *   node_schedstat_timeslices_total{cpu}
 * Mirrors node_exporter 1.12.1's collector/schedstat_linux.go over procfs's
 * schedstat.go, which finds lines with the unanchored regexp
 *   cpu(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)
 * (single spaces; more fields may follow), takes the cpu label from the first
 * group as written and skips a line whose last three numbers overflow. That
 * match is done by hand below. A missing file (a kernel without
 * CONFIG_SCHEDSTATS) is "no data"; parsing stops quietly at a line of 64 KiB
 * or more, as procfs's scanner does.
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

#define SCHEDSTAT_MAX_LINE (64u * 1024u)
#define SCHEDSTAT_NUMBERS 9

struct schedstat_state {
    struct he_file file;   /* kept open; absent without CONFIG_SCHEDSTATS: retried each scrape */
};

/* One matched cpu line: the label digits and the nine numbers as text. */
struct schedstat_match {
    struct he_field cpu;
    struct he_field numbers[SCHEDSTAT_NUMBERS];
};

static int schedstat_init(void **state)
{
    struct schedstat_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    *state = s;
    return 0;
}

static void schedstat_fini(void *state)
{
    struct schedstat_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* Takes a run of at least one ASCII digit at *p (as \d+); false if there is none. */
static bool schedstat_digits(const char **p, const char *end, struct he_field *out)
{
    const char *start = *p;
    while (*p < end && **p >= '0' && **p <= '9') {
        (*p)++;
    }
    *out = (struct he_field){start, (size_t)(*p - start)};
    return out->len > 0;
}

/* Tries the pattern anchored at p: "cpu" digits, then nine times " " digits. */
static bool schedstat_match_at(const char *p, const char *end, struct schedstat_match *m)
{
    p += 3; /* "cpu", checked by the caller */
    if (!schedstat_digits(&p, end, &m->cpu)) {
        return false;
    }
    for (int i = 0; i < SCHEDSTAT_NUMBERS; i++) {
        if (p == end || *p != ' ') {
            return false;
        }
        p++;
        if (!schedstat_digits(&p, end, &m->numbers[i])) {
            return false;
        }
    }
    return true;
}

/* The leftmost match in line, as regexp.FindStringSubmatch; false if none. */
static bool schedstat_match(struct he_field line, struct schedstat_match *m)
{
    const char *end = line.p + line.len;
    for (const char *p = line.p; end - p >= 3; p++) {
        p = memmem(p, (size_t)(end - p), "cpu", 3);
        if (!p) {
            return false;
        }
        if (schedstat_match_at(p, end, m)) {
            return true;
        }
    }
    return false;
}

static void schedstat_emit(const struct schedstat_match *m, char *cpu, struct he_writer *w)
{
    uint64_t running, waiting, slices;
    if (he_parse_u64(m->numbers[6], &running) < 0 || he_parse_u64(m->numbers[7], &waiting) < 0 ||
        he_parse_u64(m->numbers[8], &slices) < 0) {
        return; /* an overflowing count: procfs skips the line */
    }
    struct he_label label = {"cpu", cpu};
    he_writer_family(w, "node_schedstat_running_seconds_total",
                     "Number of seconds CPU spent running a process.", HE_COUNTER);
    he_writer_sample(w, &label, 1, (double)running / 1e9);
    he_writer_family(w, "node_schedstat_waiting_seconds_total",
                     "Number of seconds spent by processing waiting for this CPU.", HE_COUNTER);
    he_writer_sample(w, &label, 1, (double)waiting / 1e9);
    he_writer_family(w, "node_schedstat_timeslices_total", "Number of timeslices executed by CPU.",
                     HE_COUNTER);
    he_writer_sample(w, &label, 1, (double)slices);
}

static void schedstat_parse(const struct he_buf *buf, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, buf->data, buf->len);
    while (he_lines_next(&it, &line) && line.len < SCHEDSTAT_MAX_LINE) {
        struct schedstat_match m;
        char cpu[64];
        if (!schedstat_match(line, &m)) {
            continue;
        }
        if (he_field_copy(m.cpu, cpu, sizeof(cpu)) < 0) {
            he_log_debug("schedstat: cpu number too long, line skipped", NULL);
            continue;
        }
        schedstat_emit(&m, cpu, w);
    }
}

static int schedstat_collect(void *state, struct he_writer *w)
{
    struct schedstat_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "schedstat");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("schedstat: file does not exist", "path", path, NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        he_log_debug("schedstat: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    schedstat_parse(&s->file.buf, w);
    return 0;
}

static const struct he_collector schedstat_collector = {
    .name = "schedstat",
    .default_enabled = true,
    .init = schedstat_init,
    .collect = schedstat_collect,
    .fini = schedstat_fini,
};

HE_COLLECTOR_REGISTER(schedstat_collector)
