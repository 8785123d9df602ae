/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softirqs: node_softirqs_functions_total{cpu,type} from <procfs>/softirqs, one
 * counter per softirq vector and CPU column. Mirrors node_exporter's
 * collector/softirqs_common.go and softirqs_linux.go over procfs' softirqs.go:
 * the header line is skipped (a file without one is an error), the ten vectors
 * the kernel has had since 4.x (HI ... RCU) are exported under their names
 * without the ':', other rows are ignored, and a row takes as many CPUs as it
 * has counts. When a vector appears twice, the last row wins. A count that is
 * not an unsigned decimal fails the scrape before anything is emitted, as
 * procfs fails the whole parse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_fieldvec.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

/* The vectors procfs parses, as their rows start. */
static const char *const softirqs_rows[] = {
    "HI:", "TIMER:", "NET_TX:", "NET_RX:", "BLOCK:",
    "IRQ_POLL:", "TASKLET:", "SCHED:", "HRTIMER:", "RCU:",
};
#define SOFTIRQS_NROWS (sizeof(softirqs_rows) / sizeof(softirqs_rows[0]))

struct softirqs_state {
    struct he_file file;   /* kept open: /proc/softirqs always exists */
    struct he_fieldvec fields;
    bool seen[SOFTIRQS_NROWS];
    struct he_field rows[SOFTIRQS_NROWS];   /* the last row of each vector */
};

static int softirqs_init(void **state)
{
    struct softirqs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    he_fieldvec_init(&s->fields);
    *state = s;
    return 0;
}

static void softirqs_fini(void *state)
{
    struct softirqs_state *s = state;
    he_file_fini(&s->file);
    he_fieldvec_fini(&s->fields);
    free(s);
}

/* Index of the vector a row's first word names, or SOFTIRQS_NROWS. */
static size_t softirqs_row_of(struct he_field word)
{
    for (size_t i = 0; i < SOFTIRQS_NROWS; i++) {
        if (he_field_eq(word, softirqs_rows[i])) {
            return i;
        }
    }
    return SOFTIRQS_NROWS;
}

/* Checks one row (already split) and remembers it if it names a vector. */
static int softirqs_take_row(struct softirqs_state *s, struct he_field line)
{
    const struct he_fieldvec *fv = &s->fields;
    if (fv->n < 2) {
        return 0; /* procfs requires at least one CPU */
    }
    size_t row = softirqs_row_of(fv->v[0]);
    if (row == SOFTIRQS_NROWS) {
        return 0;
    }
    for (size_t i = 1; i < fv->n; i++) {
        uint64_t v;
        if (he_parse_u64(fv->v[i], &v) < 0) {
            he_log_debug("softirqs: invalid count", "row", softirqs_rows[row], NULL);
            return -EINVAL;
        }
    }
    s->seen[row] = true;
    s->rows[row] = line;
    return 0;
}

static int softirqs_parse(struct softirqs_state *s)
{
    struct he_lines it;
    struct he_field line;
    memset(s->seen, 0, sizeof(s->seen));
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    if (!he_lines_next(&it, &line)) {
        return -ENODATA; /* procfs: "softirqs empty" */
    }
    int rc = 0;
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = he_fieldvec_split(&s->fields, line);
        rc = rc ? rc : softirqs_take_row(s, line);
    }
    return rc;
}

/* Emits one vector's counts; the row was checked by softirqs_take_row(). */
static int softirqs_emit_row(struct softirqs_state *s, size_t row, struct he_writer *w)
{
    char type[16];
    size_t n = strlen(softirqs_rows[row]) - 1;
    memcpy(type, softirqs_rows[row], n);
    type[n] = '\0';
    int rc = he_fieldvec_split(&s->fields, s->rows[row]);
    for (size_t i = 1; rc == 0 && i < s->fields.n; i++) {
        uint64_t v = 0;
        he_parse_u64(s->fields.v[i], &v);
        char cpu[24];
        snprintf(cpu, sizeof(cpu), "%zu", i - 1);
        struct he_label labels[2] = {{"cpu", cpu}, {"type", type}};
        he_writer_sample(w, labels, 2, (double)v);
    }
    return rc;
}

static int softirqs_collect(void *state, struct he_writer *w)
{
    struct softirqs_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "softirqs");
    rc = rc ? rc : he_file_read(&s->file, path);
    rc = rc ? rc : softirqs_parse(s);
    if (rc < 0) {
        he_log_debug("softirqs: cannot read", "path", path, NULL);
        return rc;
    }
    he_writer_family(w, "node_softirqs_functions_total", "Softirq counts per CPU.", HE_COUNTER);
    for (size_t row = 0; row < SOFTIRQS_NROWS && rc == 0; row++) {
        rc = s->seen[row] ? softirqs_emit_row(s, row, w) : 0;
    }
    return rc;
}

static const struct he_collector softirqs_collector = {
    .name = "softirqs",
    .default_enabled = false,
    .init = softirqs_init,
    .collect = softirqs_collect,
    .fini = softirqs_fini,
};

HE_COLLECTOR_REGISTER(softirqs_collector)
