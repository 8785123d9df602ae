/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP front end on libmicrohttpd in external-epoll mode (see he_http.h).
 *
 * A scrape renders into a pooled buffer that the libmicrohttpd response owns
 * until the last byte is sent; its free callback puts the buffer back. A slow
 * client therefore never sees its bytes change, and once the pool has grown to
 * the number of responses in flight, serving allocates nothing. The pool's size
 * is what --web.max-requests limits: past it the answer is 503, as promhttp's.
 */
#include "he_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <zlib.h>

#include "he_buf.h"
#include "he_log.h"
#include "he_registry.h"
#include "he_scrape.h"

#define MAX_LISTENERS 16
#define MAX_QUERY_NAMES 128
#define CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"

struct out_buf {
    struct he_buf buf;
    struct out_buf *next_free;
    struct he_http *owner;
};

struct he_http {
    struct he_http_config cfg;
    struct MHD_Daemon *daemons[MAX_LISTENERS];
    size_t ndaemons;
    struct he_writer *writer;
    struct he_buf text;            /* rendered scrape before gzip */
    bool selected[256];            /* per registry entry, rebuilt per request */
    struct out_buf *free_bufs;
    long held;                     /* responses not yet fully sent */
    struct he_handler_stats stats;
    z_stream z;
    bool z_ready;
    char landing[1024];
};

/* collect[] and exclude[] names of one request (pointers owned by libmicrohttpd). */
struct query {
    const char *collect[MAX_QUERY_NAMES];
    size_t ncollect;
    const char *exclude[MAX_QUERY_NAMES];
    size_t nexclude;
};

static void log_from_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n') {
        msg[--n] = '\0';
    }
    he_log_warn("libmicrohttpd", "err", msg, NULL);
}

/* ---- response buffers ---- */

static struct out_buf *take_buffer(struct he_http *h)
{
    if (h->cfg.max_requests > 0 && h->held >= h->cfg.max_requests) {
        return NULL;
    }
    struct out_buf *b = h->free_bufs;
    if (b) {
        h->free_bufs = b->next_free;
    } else {
        b = calloc(1, sizeof(*b));
        if (!b) {
            return NULL;
        }
        he_buf_init(&b->buf, 0);
        b->owner = h;
    }
    he_buf_reset(&b->buf);
    h->held++;
    return b;
}

static void give_back_buffer(void *cls)
{
    struct out_buf *b = cls;
    struct he_http *h = b->owner;
    b->next_free = h->free_bufs;
    h->free_bufs = b;
    h->held--;
}

/* ---- gzip ---- */

/* Compresses in into out as one gzip member, at Go's gzip.BestSpeed as promhttp. */
static int gzip_into(struct he_http *h, const struct he_buf *in, struct he_buf *out)
{
    if (!h->z_ready) {
        if (deflateInit2(&h->z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            return -ENOMEM;
        }
        h->z_ready = true;
    } else {
        deflateReset(&h->z);
    }
    int rc = he_buf_reserve(out, deflateBound(&h->z, in->len));
    if (rc < 0) {
        return rc;
    }
    h->z.next_in = (Bytef *)in->data;
    h->z.avail_in = (uInt)in->len;
    h->z.next_out = (Bytef *)out->data + out->len;
    h->z.avail_out = (uInt)(out->cap - out->len);
    if (deflate(&h->z, Z_FINISH) != Z_STREAM_END) {
        return -EIO;
    }
    out->len = out->cap - h->z.avail_out;
    return 0;
}

/* True when Accept-Encoding lists gzip with a non-zero quality. */
static bool accepts_gzip(const char *header)
{
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        const char *end = p + strcspn(p, ",");
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *name_end = semi ? semi : end;
        while (name_end > p && name_end[-1] == ' ') {
            name_end--;
        }
        if (name_end - p == 4 && strncasecmp(p, "gzip", 4) == 0) {
            const char *q = semi ? strstr(semi, "q=") : NULL;
            return !(q && q < end && strtod(q + 2, NULL) == 0);
        }
        p = end;
    }
    return false;
}

/* ---- responses ---- */

static enum MHD_Result queue_text(struct MHD_Connection *conn, unsigned status, const char *body,
                                  const char *content_type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result queue_bad_request(struct MHD_Connection *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum MHD_Result queue_bad_request(struct MHD_Connection *conn, const char *fmt, ...)
{
    char body[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    return queue_text(conn, MHD_HTTP_BAD_REQUEST, body, "text/plain; charset=utf-8");
}

static enum MHD_Result queue_buffer(struct MHD_Connection *conn, struct out_buf *b, bool gzipped)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        b->buf.len, b->buf.data, give_back_buffer, b);
    if (!r) {
        give_back_buffer(b);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE_TEXT);
    if (gzipped) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    }
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- collector selection ---- */

static enum MHD_Result collect_query_names(void *cls, enum MHD_ValueKind kind, const char *key,
                                           const char *value)
{
    (void)kind;
    struct query *q = cls;
    if (!value) {
        return MHD_YES;
    }
    if (strcmp(key, "collect[]") == 0 && q->ncollect < MAX_QUERY_NAMES) {
        q->collect[q->ncollect++] = value;
    } else if (strcmp(key, "exclude[]") == 0 && q->nexclude < MAX_QUERY_NAMES) {
        q->exclude[q->nexclude++] = value;
    }
    return MHD_YES;
}

static bool listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Fills h->selected for this request as node_exporter's handler does. Returns 0,
 * or queues the 400 node_exporter would send and returns -EINVAL.
 */
static int select_collectors(struct he_http *h, struct MHD_Connection *conn,
                             const struct query *q, enum MHD_Result *ret)
{
    if (q->ncollect && q->nexclude) {
        *ret = queue_bad_request(conn, "Combined collect and exclude queries are not allowed.");
        return -EINVAL;
    }
    for (size_t i = 0; i < q->ncollect; i++) {
        struct he_registry_entry *e = he_registry_find(q->collect[i]);
        if (!e || !e->enabled) {
            *ret = queue_bad_request(conn,
                                     "Couldn't create filtered metrics handler: couldn't create "
                                     "collector: %s collector: %s",
                                     e ? "disabled" : "missing", q->collect[i]);
            return -EINVAL;
        }
    }
    for (size_t i = 0; i < q->nexclude; i++) {
        struct he_registry_entry *e = he_registry_find(q->exclude[i]);
        if (!e || !e->enabled) {
            he_log_debug("ignoring unknown or disabled collector in exclude[]", "collector",
                         q->exclude[i], NULL);
        }
    }
    for (size_t i = 0; i < he_registry_count(); i++) {
        struct he_registry_entry *e = he_registry_at(i);
        bool chosen = q->ncollect ? listed(q->collect, q->ncollect, e->c->name)
                                  : !listed(q->exclude, q->nexclude, e->c->name);
        h->selected[i] = e->enabled && chosen;
    }
    return 0;
}

/* ---- handlers ---- */

static enum MHD_Result serve_metrics(struct he_http *h, struct MHD_Connection *conn)
{
    struct query q = {.ncollect = 0};
    enum MHD_Result ret = MHD_NO;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query_names, &q);
    if (select_collectors(h, conn, &q, &ret) < 0) {
        return ret;
    }
    struct out_buf *b = take_buffer(h);
    if (!b) {
        h->stats.requests_503++;
        char body[128];
        snprintf(body, sizeof(body), "Limit of concurrent requests reached (%ld), try again later.\n",
                 h->cfg.max_requests);
        return queue_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, body, "text/plain; charset=utf-8");
    }
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    bool gzip = accepts_gzip(ae);
    struct he_scrape_options opts = {.exporter_metrics = h->cfg.exporter_metrics,
                                     .push = h->cfg.push_stats};
    h->stats.in_flight = 1;
    he_buf_reset(&h->text);
    int rc = he_scrape_run(h->writer, h->selected, &opts, &h->stats, gzip ? &h->text : &b->buf);
    h->stats.in_flight = 0;
    if (rc > 0) {
        h->stats.errors_gathering++;
    }
    if (rc >= 0 && gzip) {
        rc = gzip_into(h, &h->text, &b->buf);
    }
    if (rc < 0) {
        give_back_buffer(b);
        h->stats.errors_encoding++;
        h->stats.requests_500++;
        he_log_error("error encoding and sending metric family", "err", strerror(-rc), NULL);
        return queue_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "An error has occurred while serving metrics.\n",
                          "text/plain; charset=utf-8");
    }
    h->stats.requests_200++;
    return queue_buffer(conn, b, gzip);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
    (void)method, (void)version, (void)upload_data;
    static int first_call_marker;
    struct he_http *h = cls;
    if (*req_cls == NULL) {
        *req_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* a body is accepted and ignored, as net/http does */
        return MHD_YES;
    }
    /* As Go's ServeMux: a telemetry path of "/" catches every path. */
    if (strcmp(url, h->cfg.telemetry_path) == 0 || strcmp(h->cfg.telemetry_path, "/") == 0) {
        return serve_metrics(h, conn);
    }
    return queue_text(conn, MHD_HTTP_OK, h->landing, "text/html; charset=utf-8");
}

/* ---- listeners ---- */

/* Splits "host:port", "[v6]:port" or ":port". Host may come back empty. */
static int split_host_port(const char *addr, char *host, size_t hsize, const char **port)
{
    const char *colon;
    const char *hstart = addr;
    size_t hlen;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') {
            return -EINVAL;
        }
        hstart = addr + 1;
        hlen = (size_t)(close - hstart);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr))) {
            return -EINVAL; /* no port, or an IPv6 address without brackets */
        }
        hlen = (size_t)(colon - addr);
    }
    if (hlen >= hsize || colon[1] == '\0') {
        return -EINVAL;
    }
    memcpy(host, hstart, hlen);
    host[hlen] = '\0';
    *port = colon + 1;
    return 0;
}

static int resolve_address(const char *addr, struct sockaddr_storage *ss, socklen_t *len,
                           bool *any_host)
{
    char host[256];
    const char *port;
    if (split_host_port(addr, host, sizeof(host), &port) < 0) {
        return -EINVAL;
    }
    *any_host = host[0] == '\0';
    struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM};
    hints.ai_family = *any_host ? AF_INET6 : AF_UNSPEC;
    struct addrinfo *res;
    int rc = getaddrinfo(*any_host ? NULL : host, port, &hints, &res);
    if (rc != 0 && *any_host) {
        hints.ai_family = AF_INET; /* a host without IPv6 */
        rc = getaddrinfo(NULL, port, &hints, &res);
    }
    if (rc != 0) {
        return -EINVAL;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void format_bound_address(struct MHD_Daemon *d, const struct sockaddr_storage *ss,
                                 char *out, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "";
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    if (ss->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, ip, sizeof(ip));
        snprintf(out, size, "[%s]:%u", ip, port);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, ip, sizeof(ip));
        snprintf(out, size, "%s:%u", ip, port);
    }
}

/*
 * Connections each daemon may hold: what the open-file limit leaves after a
 * reserve for the collectors' files, at most 10000. libmicrohttpd's default
 * (FD_SETSIZE - 4) would let a thousand slow or idle clients lock out
 * Prometheus; an idle connection costs a socket and a lazily touched pool.
 */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    rlim_t reserve = 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) {
        return 10000;
    }
    if (rl.rlim_cur <= 2 * reserve) {
        return (unsigned)(rl.rlim_cur / 2);
    }
    return rl.rlim_cur - reserve > 10000 ? 10000 : (unsigned)(rl.rlim_cur - reserve);
}

static struct MHD_Daemon *start_daemon(struct he_http *h, const char *addr)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    bool any_host;
    if (resolve_address(addr, &ss, &sslen, &any_host) < 0) {
        he_log_error("invalid listen address", "address", addr, NULL);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) {
        flags |= any_host ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, log_from_mhd, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        /* a request's line and headers must fit in this; more is refused, never buffered */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!d) {
        he_log_error("could not listen", "address", addr, "err", strerror(errno ? errno : EADDRINUSE), NULL);
        return NULL;
    }
    char bound[INET6_ADDRSTRLEN + 16];
    format_bound_address(d, &ss, bound, sizeof(bound));
    he_log_info("Listening on", "address", bound, NULL);
    return d;
}

static void build_landing_page(struct he_http *h)
{
    char path[512];
    size_t n = 0;
    for (const char *p = h->cfg.telemetry_path; *p && n < sizeof(path) - 7; p++) {
        const char *esc = *p == '&' ? "&amp;" : *p == '"' ? "&quot;" : *p == '<' ? "&lt;"
                          : *p == '>' ? "&gt;" : NULL;
        if (esc) {
            n += (size_t)snprintf(path + n, sizeof(path) - n, "%s", esc);
        } else {
            path[n++] = *p;
        }
    }
    path[n] = '\0';
    snprintf(h->landing, sizeof(h->landing),
             "<!DOCTYPE html>\n<html>\n<head><title>Host Exporter</title></head>\n<body>\n"
             "<h1>Host Exporter</h1>\n<p>Prometheus exporter for Linux hosts, version %s.</p>\n"
             "<p><a href=\"%s\">Metrics</a></p>\n</body>\n</html>\n",
             HE_VERSION, path);
}

struct he_http *he_http_start(const struct he_http_config *cfg, int epoll_fd)
{
    struct he_http *h = calloc(1, sizeof(*h));
    if (!h || !(h->writer = he_writer_new())) {
        free(h);
        return NULL;
    }
    h->cfg = *cfg;
    he_buf_init(&h->text, 0);
    build_landing_page(h);
    for (size_t i = 0; i < cfg->listen->n && i < MAX_LISTENERS; i++) {
        struct MHD_Daemon *d = start_daemon(h, cfg->listen->items[i]);
        if (!d) {
            he_http_stop(h);
            return NULL;
        }
        h->daemons[h->ndaemons++] = d;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = d};
        if (!info || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, info->epoll_fd, &ev) < 0) {
            he_log_error("epoll_ctl failed", "err", strerror(errno), NULL);
            he_http_stop(h);
            return NULL;
        }
    }
    return h;
}

void he_http_run(struct he_http *h)
{
    for (size_t i = 0; i < h->ndaemons; i++) {
        MHD_run(h->daemons[i]);
    }
}

int he_http_timeout_ms(struct he_http *h)
{
    long best = -1;
    for (size_t i = 0; i < h->ndaemons; i++) {
        MHD_UNSIGNED_LONG_LONG t;
        if (MHD_get_timeout(h->daemons[i], &t) == MHD_YES) {
            long ms = t > 60000 ? 60000 : (long)t;
            best = best < 0 || ms < best ? ms : best;
        }
    }
    return (int)best;
}

const struct he_handler_stats *he_http_stats(const struct he_http *h)
{
    return &h->stats;
}

void he_http_stop(struct he_http *h)
{
    if (!h) {
        return;
    }
    for (size_t i = 0; i < h->ndaemons; i++) {
        MHD_stop_daemon(h->daemons[i]);
    }
    while (h->free_bufs) {
        struct out_buf *b = h->free_bufs;
        h->free_bufs = b->next_free;
        he_buf_free(&b->buf);
        free(b);
    }
    if (h->z_ready) {
        deflateEnd(&h->z);
    }
    he_buf_free(&h->text);
    he_writer_free(h->writer);
    free(h);
}
