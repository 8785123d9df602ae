/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softnet: node_softnet_{processed,dropped,times_squeezed,cpu_collision,
 * received_rps,flow_limit_count}_total (counters) and node_softnet_backlog_len
 * (gauge), labelled cpu, from <procfs>/net/softnet_stat: one line per CPU of
 * hexadecimal 32-bit columns. Mirrors node_exporter 1.12's
 * collector/softnet_linux.go over procfs' net_softnet.go, whose reading of the
 * kernel's layouts this keeps:
 *   - columns 0-2 are processed, dropped and time_squeeze and column 8
 *     cpu_collision (Linux 2.6.23, 9 columns); column 9 received_rps (2.6.39,
 *     10); column 10 flow_limit_count (4.18, 11); column 11 the backlog length
 *     and column 12 the CPU id (5.14, 13 and more); what a line lacks is 0;
 *   - the cpu label is column 12 where the line has it, otherwise the line's
 *     number counted from 0 (older kernels list online CPUs in order);
 *   - a line of fewer than 9 columns or a column that is not a 32-bit hex
 *     number fails the scrape before anything is emitted;
 *   - a line of 64 KiB or more ends the parse silently (procfs does not check
 *     the scanner's error), and only the first MiB of the file is read.
 * Two lines naming the same CPU give duplicate series; the first is kept, as
 * client_golang's registry keeps it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define SOFTNET_MAX_LINE (64u * 1024u)
#define SOFTNET_READ_LIMIT (1024u * 1024u)
#define SOFTNET_MIN_COLUMNS 9
#define SOFTNET_COLUMNS 13

struct softnet_stat {
    uint32_t processed, dropped, time_squeezed, cpu_collision;
    uint32_t received_rps, flow_limit_count, backlog_len, index;
};

struct softnet_state {
    struct he_file file;   /* kept open: /proc/net/softnet_stat always exists */
    struct softnet_stat *stats;
    size_t nstats, stats_cap;
};

static int softnet_init(void **state)
{
    struct softnet_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    *state = s;
    return 0;
}

static void softnet_fini(void *state)
{
    struct softnet_state *s = state;
    he_file_fini(&s->file);
    free(s->stats);
    free(s);
}

/* Parses one line (cpu_line: its number) into st. 0 or -EINVAL. */
static int softnet_line(struct he_field line, uint32_t cpu_line, struct softnet_stat *st)
{
    struct he_field f[SOFTNET_COLUMNS];
    uint64_t u[SOFTNET_COLUMNS] = {0};
    size_t width = he_go_fields(line, f, SOFTNET_COLUMNS);
    if (width < SOFTNET_MIN_COLUMNS) {
        return -EINVAL;
    }
    size_t used = width < SOFTNET_COLUMNS ? width : SOFTNET_COLUMNS;
    for (size_t i = 0; i < used; i++) {
        if (he_parse_u64_hex(f[i], UINT32_MAX, &u[i]) < 0) {
            return -EINVAL;
        }
    }
    *st = (struct softnet_stat){
        .processed = u[0],
        .dropped = u[1],
        .time_squeezed = u[2],
        .cpu_collision = u[8],
        .received_rps = u[9],
        .flow_limit_count = u[10],
        .backlog_len = u[11],
        .index = width >= SOFTNET_COLUMNS ? u[12] : cpu_line,
    };
    return 0;
}

static int softnet_parse(struct softnet_state *s)
{
    const struct he_buf *text = &s->file.buf;
    struct he_lines it;
    struct he_field line;
    s->nstats = 0;
    he_lines_init(&it, text->data, text->len < SOFTNET_READ_LIMIT ? text->len : SOFTNET_READ_LIMIT);
    while (he_lines_next(&it, &line)) {
        if (line.len >= SOFTNET_MAX_LINE) {
            break; /* the scanner stops; procfs keeps what it parsed */
        }
        if (he_array_grow((void **)&s->stats, &s->stats_cap, s->nstats + 1, sizeof(*s->stats))) {
            return -ENOMEM;
        }
        if (softnet_line(line, (uint32_t)s->nstats, &s->stats[s->nstats]) < 0) {
            return -EINVAL;
        }
        s->nstats++;
    }
    return 0;
}

static void softnet_sample(struct he_writer *w, const char *name, const char *help,
                           enum he_metric_type type, const char *cpu, uint32_t value)
{
    struct he_label label = {"cpu", cpu};
    he_writer_family(w, name, help, type);
    he_writer_sample(w, &label, 1, (double)value);
}

static void softnet_emit(const struct softnet_stat *st, struct he_writer *w)
{
    char cpu[16];
    snprintf(cpu, sizeof(cpu), "%u", st->index);
    softnet_sample(w, "node_softnet_processed_total", "Number of processed packets", HE_COUNTER,
                   cpu, st->processed);
    softnet_sample(w, "node_softnet_dropped_total", "Number of dropped packets", HE_COUNTER, cpu,
                   st->dropped);
    softnet_sample(w, "node_softnet_times_squeezed_total",
                   "Number of times processing packets ran out of quota", HE_COUNTER, cpu,
                   st->time_squeezed);
    softnet_sample(w, "node_softnet_cpu_collision_total",
                   "Number of collision occur while obtaining device lock while transmitting",
                   HE_COUNTER, cpu, st->cpu_collision);
    softnet_sample(w, "node_softnet_received_rps_total", "Number of times cpu woken up received_rps",
                   HE_COUNTER, cpu, st->received_rps);
    softnet_sample(w, "node_softnet_flow_limit_count_total",
                   "Number of times flow limit has been reached", HE_COUNTER, cpu,
                   st->flow_limit_count);
    softnet_sample(w, "node_softnet_backlog_len", "Softnet backlog status", HE_GAUGE, cpu,
                   st->backlog_len);
}

static int softnet_collect(void *state, struct he_writer *w)
{
    struct softnet_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "net/softnet_stat");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = softnet_parse(s);
    }
    if (rc < 0) {
        he_log_debug("softnet: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    for (size_t i = 0; i < s->nstats; i++) {
        softnet_emit(&s->stats[i], w);
    }
    return 0;
}

static const struct he_collector softnet_collector = {
    .name = "softnet",
    .default_enabled = true,
    .init = softnet_init,
    .collect = softnet_collect,
    .fini = softnet_fini,
};

HE_COLLECTOR_REGISTER(softnet_collector)
