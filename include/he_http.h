/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP front end: libmicrohttpd without threads of its own. Each listen
 * address gets one daemon in external-epoll mode; main.c's loop waits on their
 * epoll descriptors and calls he_http_run() when one is ready, so every request
 * is handled on the main thread, one at a time.
 *
 * Routes: the telemetry path serves the scrape (collect[]/exclude[] select
 * collectors per request, as node_exporter); every other path serves a small
 * landing page linking to it.
 */
#ifndef HE_HTTP_H
#define HE_HTTP_H

#include <stdbool.h>

#include "he_flags.h"
#include "he_scrape.h"
#include "he_webconfig.h"

struct he_http_config {
    const struct he_strings *listen;   /* --web.listen-address values */
    const char *telemetry_path;
    bool exporter_metrics;
    long max_requests;                 /* responses held at once; 0: no limit */
    const struct he_push_stats *push_stats;   /* push mode's counters; NULL when off */
    const struct he_webconfig *web;    /* --web.config.file; NULL: plain HTTP, no auth */
    const int *listen_fds;             /* --web.systemd-socket: sockets to serve instead of */
    size_t nlisten_fds;                /* the listen addresses; 0: none */
};

struct he_http;

/*
 * Binds every listen address and adds each daemon's descriptor to epoll_fd.
 * Returns NULL after logging which address failed.
 */
struct he_http *he_http_start(const struct he_http_config *cfg, int epoll_fd);

/*
 * Applies a re-read --web.config.file (SIGHUP): users (cached answers are
 * forgotten), headers, rate limit. web must outlive h or the next reload; the
 * caller frees the previous one after this returns. Returns 0 or -ENOMEM.
 */
int he_http_reload(struct he_http *h, const struct he_webconfig *web);

/* Processes pending I/O and timeouts on every daemon. */
void he_http_run(struct he_http *h);

/* Milliseconds until a daemon needs he_http_run() again, or -1 for none. */
int he_http_timeout_ms(struct he_http *h);

/* The promhttp_* counters, so push mode renders the same scrape; owned by h. */
const struct he_handler_stats *he_http_stats(const struct he_http *h);

/* Closes every listener and connection and frees the front end. */
void he_http_stop(struct he_http *h);

#endif
