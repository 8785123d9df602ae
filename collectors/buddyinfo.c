/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buddyinfo: node_buddyinfo_blocks{node,zone,size} from <procfs>/buddyinfo,
 * the count of free blocks of 2^size pages per NUMA node and zone. Mirrors
 * node_exporter's collector/buddyinfo.go over procfs' buddyinfo.go: each line
 * reads "Node N, zone NAME c0 c1 ...", node and zone lose one trailing ','; a
 * line of fewer than four words, a line with another number of counts than the
 * first, or a count that is not a number fails the scrape before anything is
 * emitted, as procfs fails the whole parse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_fieldvec.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

struct buddyinfo_state {
    struct he_file file;   /* kept open: /proc/buddyinfo always exists */
    struct he_fieldvec fields;
    struct he_buf labels;  /* node\0zone\0 of the line being emitted */
};

static int buddyinfo_init(void **state)
{
    struct buddyinfo_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    he_fieldvec_init(&s->fields);
    he_buf_init(&s->labels, 0);
    *state = s;
    return 0;
}

static void buddyinfo_fini(void *state)
{
    struct buddyinfo_state *s = state;
    he_file_fini(&s->file);
    he_fieldvec_fini(&s->fields);
    he_buf_free(&s->labels);
    free(s);
}

/* Checks every line as procfs does; 0 or -EINVAL (or an error of the split). */
static int buddyinfo_check(struct buddyinfo_state *s)
{
    struct he_lines it;
    struct he_field line;
    size_t counts = 0;
    bool first = true;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        int rc = he_fieldvec_split(&s->fields, line);
        if (rc < 0) {
            return rc;
        }
        if (s->fields.n < 4 || (!first && s->fields.n - 4 != counts)) {
            he_log_debug("buddyinfo: invalid number of fields", NULL);
            return -EINVAL;
        }
        counts = s->fields.n - 4;
        first = false;
        for (size_t i = 4; i < s->fields.n; i++) {
            double v;
            if (he_parse_double(s->fields.v[i], &v) < 0) {
                he_log_debug("buddyinfo: invalid value", NULL);
                return -EINVAL;
            }
        }
    }
    return 0;
}

/* Appends f without one trailing ',' (strings.TrimSuffix), then a NUL. */
static int buddyinfo_put_label(struct he_buf *b, struct he_field f)
{
    if (f.len && f.p[f.len - 1] == ',') {
        f.len--;
    }
    int rc = he_buf_append(b, f.p, f.len);
    return rc ? rc : he_buf_putc(b, '\0');
}

/* Emits one checked line: one series per block order. */
static int buddyinfo_emit_line(struct buddyinfo_state *s, struct he_field line,
                               struct he_writer *w)
{
    int rc = he_fieldvec_split(&s->fields, line);
    he_buf_reset(&s->labels);
    rc = rc ? rc : buddyinfo_put_label(&s->labels, s->fields.v[1]);
    size_t zone_at = s->labels.len;
    rc = rc ? rc : buddyinfo_put_label(&s->labels, s->fields.v[3]);
    for (size_t i = 4; rc == 0 && i < s->fields.n; i++) {
        double v = 0;
        he_parse_double(s->fields.v[i], &v);
        char size[24];
        snprintf(size, sizeof(size), "%zu", i - 4);
        struct he_label labels[3] = {
            {"node", s->labels.data},
            {"zone", s->labels.data + zone_at},
            {"size", size},
        };
        he_writer_sample(w, labels, 3, v);
    }
    return rc;
}

static int buddyinfo_collect(void *state, struct he_writer *w)
{
    struct buddyinfo_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "buddyinfo");
    rc = rc ? rc : he_file_read(&s->file, path);
    rc = rc ? rc : buddyinfo_check(s);
    if (rc < 0) {
        he_log_debug("buddyinfo: cannot read", "path", path, NULL);
        return rc;
    }
    he_writer_family(w, "node_buddyinfo_blocks", "Count of free blocks according to size.",
                     HE_GAUGE);
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = buddyinfo_emit_line(s, line, w);
    }
    return rc;
}

static const struct he_collector buddyinfo_collector = {
    .name = "buddyinfo",
    .default_enabled = false,
    .init = buddyinfo_init,
    .collect = buddyinfo_collect,
    .fini = buddyinfo_fini,
};

HE_COLLECTOR_REGISTER(buddyinfo_collector)
