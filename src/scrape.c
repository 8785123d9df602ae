/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs the selected collectors one after another (one thread: no locks) and
 * records, as node_exporter's collector.go does, whether each succeeded and how
 * long it took. A failing collector is retried on the next scrape, never disabled;
 * its error is logged, and repeats of the same error at most once a minute.
 */
#include "he_scrape.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "he_log.h"
#include "he_registry.h"

#define ERROR_LOG_INTERVAL 60.0

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* As Go's Duration.Seconds(): whole seconds plus the nanosecond remainder. */
static double ns_to_seconds(int64_t ns)
{
    return (double)(ns / 1000000000) + (double)(ns % 1000000000) / 1e9;
}

static void log_failure(struct he_registry_entry *e, int rc, double duration)
{
    char secs[32];
    snprintf(secs, sizeof(secs), "%g", duration);
    if (rc == -ENODATA) {
        he_log_debug("collector returned no data", "name", e->c->name, "duration_seconds", secs,
                     NULL);
        return;
    }
    double now = ns_to_seconds(monotonic_ns());
    if (rc == e->last_error && now - e->last_error_log < ERROR_LOG_INTERVAL) {
        return;
    }
    e->last_error = rc;
    e->last_error_log = now;
    he_log_error("collector failed", "name", e->c->name, "duration_seconds", secs, "err",
                 strerror(-rc), NULL);
}

/* Runs one collector, initialising it first if an earlier init failed. */
static int run_collector(struct he_registry_entry *e, struct he_writer *w)
{
    if (!e->ready) {
        int rc = e->c->init ? e->c->init(&e->state) : 0;
        if (rc < 0) {
            return rc;
        }
        e->ready = true;
    }
    return e->c->collect(e->state, w);
}

static void emit_collector_result(struct he_writer *w, const char *name, double duration,
                                  bool success)
{
    struct he_label label = {"collector", name};
    he_writer_family(w, "node_scrape_collector_duration_seconds",
                     "node_exporter: Duration of a collector scrape.", HE_GAUGE);
    he_writer_sample(w, &label, 1, duration);
    he_writer_family(w, "node_scrape_collector_success",
                     "node_exporter: Whether a collector succeeded.", HE_GAUGE);
    he_writer_sample(w, &label, 1, success ? 1 : 0);
}

int he_scrape_run(struct he_writer *w, const bool *selected, const struct he_scrape_options *opts,
                  const struct he_handler_stats *stats, struct he_buf *out)
{
    he_writer_reset(w);
    for (size_t i = 0; i < he_registry_count(); i++) {
        struct he_registry_entry *e = he_registry_at(i);
        if (!selected[i]) {
            continue;
        }
        int64_t t0 = monotonic_ns();
        int rc = run_collector(e, w);
        double duration = ns_to_seconds(monotonic_ns() - t0);
        if (rc < 0) {
            log_failure(e, rc, duration);
        } else {
            e->last_error = 0;
        }
        emit_collector_result(w, e->c->name, duration, rc >= 0);
    }
    he_selfmetrics_build_info(w);
    if (opts->push) {
        he_selfmetrics_push(w, opts->push);
    }
    if (opts->exporter_metrics) {
        he_selfmetrics_process(w);
        he_selfmetrics_handler(w, stats);
    }
    int rc = he_writer_render(w, HE_FORMAT_TEXT_0_0_4, out);
    return rc < 0 ? rc : (int)he_writer_errors(w);
}
