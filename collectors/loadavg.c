/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loadavg: node_load1, node_load5 and node_load15 from <procfs>/loadavg, whose
 * first three fields are the 1, 5 and 15 minute load averages (proc(5)).
 * Mirrors node_exporter's collector/loadavg.go and loadavg_linux.go.
 */
#include <errno.h>
#include <stdlib.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

struct loadavg_state {
    struct he_file file;   /* kept open: /proc/loadavg always exists */
};

static int loadavg_init(void **state)
{
    struct loadavg_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 4096);
    *state = s;
    return 0;
}

static void loadavg_fini(void *state)
{
    struct loadavg_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* Parses the three averages; anything shorter or non-numeric is an error. */
static int loadavg_parse(const char *text, size_t len, double loads[3])
{
    struct he_field f[3];
    if (he_split_fields((struct he_field){text, len}, f, 3) < 3) {
        return -EINVAL;
    }
    for (int i = 0; i < 3; i++) {
        if (he_parse_double(f[i], &loads[i]) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static int loadavg_collect(void *state, struct he_writer *w)
{
    struct loadavg_state *s = state;
    char path[4096];
    double loads[3];
    int rc = he_path_proc(path, sizeof(path), "loadavg");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = loadavg_parse(s->file.buf.data, s->file.buf.len, loads);
    }
    if (rc < 0) {
        he_log_debug("loadavg: cannot read", "path", path, NULL);
        return rc;
    }
    he_writer_family(w, "node_load1", "1m load average.", HE_GAUGE);
    he_writer_value(w, loads[0]);
    he_writer_family(w, "node_load5", "5m load average.", HE_GAUGE);
    he_writer_value(w, loads[1]);
    he_writer_family(w, "node_load15", "15m load average.", HE_GAUGE);
    he_writer_value(w, loads[2]);
    return 0;
}

static const struct he_collector loadavg_collector = {
    .name = "loadavg",
    .default_enabled = true,
    .init = loadavg_init,
    .collect = loadavg_collect,
    .fini = loadavg_fini,
};

HE_COLLECTOR_REGISTER(loadavg_collector)
