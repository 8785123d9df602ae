/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ksmd: node_ksmd_* from the kernel samepage merging daemon's files in
 * <sysfs>/kernel/mm/ksm/ (Documentation/admin-guide/mm/ksm.rst). Mirrors
 * node_exporter's collector/ksmd_linux.go, which reads a fixed list of nine files
 * (newer ones such as pages_skipped or general_profit are not exported):
 * full_scans is a counter (node_ksmd_full_scans_total), sleep_millisecs is
 * exported in seconds (node_ksmd_sleep_seconds), the rest are gauges named after
 * their file. HELP is "ksmd '<file>' file.". Files are read in that order and the
 * first missing or non-numeric one ends the scrape with success 0, keeping what
 * was emitted before it (merge_across_nodes exists only with CONFIG_NUMA).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

struct ksmd_file {
    const char *file;     /* under kernel/mm/ksm/ */
    const char *metric;
    const char *help;
    enum he_metric_type type;
    double divisor;       /* the value is divided by this, as upstream does */
};

/* node_exporter's list, in its order. */
static const struct ksmd_file ksmd_files[] = {
    {"full_scans", "node_ksmd_full_scans_total", "ksmd 'full_scans' file.", HE_COUNTER, 1},
    {"merge_across_nodes", "node_ksmd_merge_across_nodes", "ksmd 'merge_across_nodes' file.",
     HE_GAUGE, 1},
    {"pages_shared", "node_ksmd_pages_shared", "ksmd 'pages_shared' file.", HE_GAUGE, 1},
    {"pages_sharing", "node_ksmd_pages_sharing", "ksmd 'pages_sharing' file.", HE_GAUGE, 1},
    {"pages_to_scan", "node_ksmd_pages_to_scan", "ksmd 'pages_to_scan' file.", HE_GAUGE, 1},
    {"pages_unshared", "node_ksmd_pages_unshared", "ksmd 'pages_unshared' file.", HE_GAUGE, 1},
    {"pages_volatile", "node_ksmd_pages_volatile", "ksmd 'pages_volatile' file.", HE_GAUGE, 1},
    {"run", "node_ksmd_run", "ksmd 'run' file.", HE_GAUGE, 1},
    {"sleep_millisecs", "node_ksmd_sleep_seconds", "ksmd 'sleep_millisecs' file.", HE_GAUGE,
     1000},
};

#define KSMD_NFILES (sizeof(ksmd_files) / sizeof(ksmd_files[0]))

static int ksmd_init(void **state)
{
    *state = NULL;   /* nothing to keep: each file is a one-shot attribute read */
    return 0;
}

static void ksmd_fini(void *state)
{
    (void)state;
}

/* node_exporter's readUintFromFile. Returns 0 or a negative errno. */
static int ksmd_read_u64(const char *path, uint64_t *out)
{
    char buf[64];
    int n = he_read_attr(path, buf, sizeof(buf));
    if (n < 0) {
        return n;
    }
    return he_parse_u64_trimmed((struct he_field){buf, (size_t)n}, out);
}

static int ksmd_collect(void *state, struct he_writer *w)
{
    (void)state;
    for (size_t i = 0; i < KSMD_NFILES; i++) {
        const struct ksmd_file *f = &ksmd_files[i];
        char rel[64];
        char path[4096];
        uint64_t v;
        snprintf(rel, sizeof(rel), "kernel/mm/ksm/%s", f->file);
        int rc = he_path_sys(path, sizeof(path), rel);
        if (rc == 0) {
            rc = ksmd_read_u64(path, &v);
        }
        if (rc < 0) {
            he_log_debug("ksmd: cannot read", "path", path, NULL);
            return rc;
        }
        he_writer_family(w, f->metric, f->help, f->type);
        he_writer_value(w, (double)v / f->divisor);
    }
    return 0;
}

static const struct he_collector ksmd_collector = {
    .name = "ksmd",
    .default_enabled = false,
    .init = ksmd_init,
    .collect = ksmd_collect,
    .fini = ksmd_fini,
};

HE_COLLECTOR_REGISTER(ksmd_collector)
