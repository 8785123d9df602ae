/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One scrape: run the selected collectors into a writer, add the exporter's own
 * metrics, render. Knows collectors only through the registry and output only
 * through the writer; HTTP calls it and owns the bytes afterwards.
 */
#ifndef HE_SCRAPE_H
#define HE_SCRAPE_H

#include <stdbool.h>
#include <stdint.h>

#include "he_buf.h"
#include "he_writer.h"

/* The promhttp_* counters, kept by the HTTP front end, shown by the scrape. */
struct he_handler_stats {
    uint64_t requests_200;
    uint64_t requests_500;
    uint64_t requests_503;
    uint64_t errors_gathering;
    uint64_t errors_encoding;
    unsigned in_flight;
};

/* Why a push to the Pushgateway failed: the reason label of host_exporter_push_failures_total. */
enum he_push_reason {
    HE_PUSH_CONNECT,   /* no connection, or it broke (also name resolution) */
    HE_PUSH_TIMEOUT,
    HE_PUSH_TLS,
    HE_PUSH_HTTP_4XX,  /* and any other status that is not 2xx or 5xx */
    HE_PUSH_HTTP_5XX,
    HE_PUSH_NREASONS,
};

/* Push mode's counters, kept by push.c, shown by every scrape while push mode is on. */
struct he_push_stats {
    double last_success;   /* Unix time of the last accepted push; 0 before the first */
    uint64_t failures[HE_PUSH_NREASONS];
};

struct he_scrape_options {
    bool exporter_metrics;   /* process_* and promhttp_*; off with --web.disable-exporter-metrics */
    const struct he_push_stats *push;   /* NULL: push mode is off, no host_exporter_push_* */
};

/*
 * Runs every registry entry i with selected[i] set (selected has
 * he_registry_count() items), emitting node_scrape_collector_{success,duration_seconds}
 * for each, then host_exporter_build_info, push mode's counters when opts->push
 * is set and, if asked, the exporter metrics.
 * Renders text 0.0.4 appended to out. Returns the number of gathering problems
 * (refused or duplicate samples) or a negative errno when rendering failed.
 */
int he_scrape_run(struct he_writer *w, const bool *selected, const struct he_scrape_options *opts,
                  const struct he_handler_stats *stats, struct he_buf *out);

/* Emits the process_* family for this process (from the real /proc/self). */
void he_selfmetrics_process(struct he_writer *w);

/* Emits the promhttp_metric_handler_* families from stats. */
void he_selfmetrics_handler(struct he_writer *w, const struct he_handler_stats *stats);

/* Emits host_exporter_push_last_success_timestamp_seconds and _failures_total{reason}. */
void he_selfmetrics_push(struct he_writer *w, const struct he_push_stats *stats);

/* Emits host_exporter_build_info{version,revision,branch} 1. */
void he_selfmetrics_build_info(struct he_writer *w);

#endif
