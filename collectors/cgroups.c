/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroups: node_cgroups_cgroups{subsys_name} and node_cgroups_enabled{subsys_name}
 * from <procfs>/cgroups, whose lines are "subsys_name hierarchy num_cgroups
 * enabled" after a '#' header (cgroups(7)). Mirrors node_exporter's
 * collector/cgroups_linux.go with procfs's CgroupSummarys; both families carry
 * upstream's HELP "Current cgroup number of the subsystem.".
 *
 * As procfs: lines starting with '#' are skipped, every other line (an empty
 * one too) needs at least four fields with the three numbers valid Go ints, and
 * one bad line fails the scrape with nothing emitted, so the file is checked
 * before anything is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

struct cgroups_state {
    struct he_file file;
    struct he_buf name;   /* the current subsystem name as a C string */
};

struct cgroups_line {
    struct he_field name;
    int64_t cgroups;
    int64_t enabled;
};

static int cgroups_init(void **state)
{
    struct cgroups_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    he_buf_init(&s->name, 64 * 1024);
    *state = s;
    return 0;
}

static void cgroups_fini(void *state)
{
    struct cgroups_state *s = state;
    he_file_fini(&s->file);
    he_buf_free(&s->name);
    free(s);
}

/* Returns 1 for a controller line parsed into out, 0 for a comment, -EINVAL otherwise. */
static int cgroups_parse_line(struct he_field line, struct cgroups_line *out)
{
    struct he_field f[4];
    int64_t hierarchy;
    if (line.len && line.p[0] == '#') {
        return 0;
    }
    if (he_go_fields(line, f, 4) < 4 || he_parse_i64(f[1], &hierarchy) < 0 ||
        he_parse_i64(f[2], &out->cgroups) < 0 || he_parse_i64(f[3], &out->enabled) < 0) {
        return -EINVAL;
    }
    out->name = f[0];
    return 1;
}

static int cgroups_validate(const struct cgroups_state *s)
{
    struct he_lines it;
    struct he_field line;
    struct cgroups_line cl;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (cgroups_parse_line(line, &cl) < 0) {
            he_log_debug("cgroups: cannot parse line", NULL);
            return -EINVAL;
        }
    }
    return 0;
}

static int cgroups_emit(struct cgroups_state *s, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line;
    struct cgroups_line cl;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (cgroups_parse_line(line, &cl) != 1) {
            continue;
        }
        he_buf_reset(&s->name);
        int rc = he_buf_append(&s->name, cl.name.p, cl.name.len);
        if (rc == 0) {
            rc = he_buf_terminate(&s->name);
        }
        if (rc < 0) {
            return rc;
        }
        struct he_label label = {"subsys_name", s->name.data};
        he_writer_family(w, "node_cgroups_cgroups", "Current cgroup number of the subsystem.",
                         HE_GAUGE);
        he_writer_sample(w, &label, 1, (double)cl.cgroups);
        he_writer_family(w, "node_cgroups_enabled", "Current cgroup number of the subsystem.",
                         HE_GAUGE);
        he_writer_sample(w, &label, 1, (double)cl.enabled);
    }
    return 0;
}

static int cgroups_collect(void *state, struct he_writer *w)
{
    struct cgroups_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "cgroups");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc < 0) {
        he_log_debug("cgroups: cannot read", "path", path, NULL);
        return rc;
    }
    rc = cgroups_validate(s);
    if (rc < 0) {
        return rc;
    }
    return cgroups_emit(s, w);
}

static const struct he_collector cgroups_collector = {
    .name = "cgroups",
    .default_enabled = false,
    .init = cgroups_init,
    .collect = cgroups_collect,
    .fini = cgroups_fini,
};

HE_COLLECTOR_REGISTER(cgroups_collector)
