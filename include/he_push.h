/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Push mode: every --push.interval the scrape that GET /metrics serves is
 * rendered (same collectors, same writer, same self-metrics) and PUT to a
 * Prometheus Pushgateway at /metrics/job/<job>/instance/<instance>[/name/value...].
 *
 * The transfer runs on libcurl's multi interface inside the main loop: push.c
 * keeps an epoll descriptor of its own (curl's sockets, a timerfd for curl's
 * timeouts and one for the push schedule) which main.c waits on beside the HTTP
 * daemons, and he_push_run() does whatever is ready without blocking. A slow or
 * dead gateway therefore never delays a scrape. A failed push is retried with
 * exponential back-off capped at the interval; the state changes (first success,
 * failure, another failure reason, recovery) are logged once each.
 */
#ifndef HE_PUSH_H
#define HE_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "he_buf.h"
#include "he_flags.h"
#include "he_scrape.h"

#define HE_PUSH_INTERVAL_DEFAULT "15s"

struct he_push_config {
    const char *gateway_url;            /* http(s)://host[:port][/prefix]; no scheme: http */
    uint64_t interval_usec;
    const char *job;
    const char *instance;               /* "" is pushed as an empty value (@base64/=) */
    const struct he_strings *grouping;  /* NAME=VALUE items */
    const char *basic_auth_user;        /* NULL or "": no basic auth */
    const char *basic_auth_password_file;
    const char *tls_ca_file;            /* NULL or "": the system's CA store */
    bool exporter_metrics;              /* as the HTTP endpoint: process_* and promhttp_* */
};

struct he_push;

/*
 * Appends to url the push URL for base, job, instance and the NAME=VALUE items of
 * grouping: each value URL-path-escaped as Go's url.PathEscape, or as
 * "<name>@base64/<base64url without padding>" when it holds a '/', and
 * "<name>@base64/=" when it is empty, as the Pushgateway reads them (and as
 * client_golang's push package writes them). A base without "://" gets "http://",
 * and trailing slashes are dropped. Returns 0, -EINVAL (writing why into err: a
 * scheme other than http/https, an empty job, a bad or reserved label name, an
 * item without '=', a name given twice) or the error of he_buf_append().
 */
int he_push_build_url(struct he_buf *url, const char *base, const char *job, const char *instance,
                      const struct he_strings *grouping, char *err, size_t errsize);

/* he_flag checks for --push.gateway-url, --push.interval and --push.grouping-label. */
int he_push_check_url(const char *value, char *err, size_t errsize);
int he_push_check_interval(const char *value, char *err, size_t errsize);
int he_push_check_grouping(const char *value, char *err, size_t errsize);

/*
 * Validates cfg, reads the password file, sets up libcurl and registers push's
 * descriptor on epoll_fd with data.ptr equal to the returned handle; the first
 * push starts at once. Returns NULL after logging why.
 */
struct he_push *he_push_start(const struct he_push_config *cfg, int epoll_fd);

/* The promhttp_* counters to render in each push (the HTTP front end's); NULL: zeros. */
void he_push_use_handler_stats(struct he_push *p, const struct he_handler_stats *stats);

/* Counters for host_exporter_push_*, to be shown by the HTTP scrape as well. */
const struct he_push_stats *he_push_stats(const struct he_push *p);

/* Handles whatever is ready on push's descriptors; never blocks. */
void he_push_run(struct he_push *p);

/* Aborts a transfer in flight and frees everything; NULL is accepted. */
void he_push_stop(struct he_push *p);

#endif
