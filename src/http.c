/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP front end on libmicrohttpd in external-epoll mode (see he_http.h).
 *
 * A scrape renders into a pooled buffer that the libmicrohttpd response owns
 * until the last byte is sent; its free callback puts the buffer back. A slow
 * client therefore never sees its bytes change, and once the pool has grown to
 * the number of responses in flight, serving allocates nothing. The pool's size
 * is what --web.max-requests limits: past it the answer is 503, as promhttp's.
 *
 * With --web.config.file (exporter-toolkit's handler.go and tls_config.go):
 * the configured headers go on every answer; rate_limit answers 429; basic
 * auth is checked on a helper thread with the connection suspended
 * (he_basicauth.h); TLS sessions get their credentials, priorities and client
 * certificate policy when libmicrohttpd starts the connection, from a state
 * that a reload (SIGHUP) replaces.
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
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "he_basicauth.h"
#include "he_buf.h"
#include "he_log.h"
#include "he_query.h"
#include "he_registry.h"
#include "he_scrape.h"

#define MAX_LISTENERS 16
#define CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"

struct out_buf {
    struct he_buf buf;
    struct out_buf *next_free;
    struct he_http *owner;
};

/*
 * What a TLS connection is served with: credentials (certificate, key, client
 * CAs), priorities and the client certificate policy, rebuilt from the web
 * config at start-up and on each reload. A connection holds a reference from
 * its start to its close, so a reload never frees what a session still uses.
 */
struct tls_state {
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t prio;
    enum he_client_auth client_auth;
    char **sans;
    size_t nsans;
    unsigned refs;
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
    const struct he_webconfig *web;   /* NULL without --web.config.file; owned by main.c */
    struct he_basicauth *auth;        /* with --web.config.file */
    int wake_fd;                      /* eventfd the auth thread writes after a resume */
    struct tls_state *tls;            /* current TLS state; NULL for plain HTTP */
    double tokens;                    /* rate_limit's bucket */
    uint64_t tokens_at_usec;
};

/* *req_cls of a request that waits for nothing (an auth check's job otherwise). */
static int no_job;

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

/* http_server_config.headers, on every response as the toolkit sets them. */
static void add_config_headers(const struct he_http *h, struct MHD_Response *r)
{
    for (size_t i = 0; h->web && i < h->web->nheaders; i++) {
        MHD_add_response_header(r, h->web->headers[i].name, h->web->headers[i].value);
    }
}

static enum MHD_Result queue_text(const struct he_http *h, struct MHD_Connection *conn,
                                  unsigned status, const char *body, const char *content_type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    add_config_headers(h, r);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result queue_bad_request(const struct he_http *h, struct MHD_Connection *conn,
                                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum MHD_Result queue_bad_request(const struct he_http *h, struct MHD_Connection *conn,
                                         const char *fmt, ...)
{
    char body[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    return queue_text(h, conn, MHD_HTTP_BAD_REQUEST, body, "text/plain; charset=utf-8");
}

/* Go's http.Error: the status text, nosniff; 401 adds WWW-Authenticate: Basic (no realm). */
static enum MHD_Result queue_error(const struct he_http *h, struct MHD_Connection *conn,
                                   unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_UNAUTHORIZED) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic");
    }
    add_config_headers(h, r);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result queue_buffer(const struct he_http *h, struct MHD_Connection *conn,
                                    struct out_buf *b, bool gzipped)
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
    add_config_headers(h, r);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- collector selection ---- */

static enum MHD_Result collect_query_names(void *cls, enum MHD_ValueKind kind, const char *key,
                                           const char *value)
{
    (void)kind;
    he_query_add(cls, key, value);
    return MHD_YES;
}

/* ---- handlers ---- */

static enum MHD_Result serve_metrics(struct he_http *h, struct MHD_Connection *conn)
{
    struct he_query q = {.ncollect = 0};
    char err[512];
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query_names, &q);
    if (he_query_select(&q, h->selected, sizeof(h->selected) / sizeof(h->selected[0]), err,
                        sizeof(err)) < 0) {
        return queue_bad_request(h, conn, "%s", err);
    }
    struct out_buf *b = take_buffer(h);
    if (!b) {
        h->stats.requests_503++;
        char body[128];
        snprintf(body, sizeof(body), "Limit of concurrent requests reached (%ld), try again later.\n",
                 h->cfg.max_requests);
        return queue_text(h, conn, MHD_HTTP_SERVICE_UNAVAILABLE, body, "text/plain; charset=utf-8");
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
        return queue_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "An error has occurred while serving metrics.\n",
                          "text/plain; charset=utf-8");
    }
    h->stats.requests_200++;
    return queue_buffer(h, conn, b, gzip);
}

static uint64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * rate_limit as golang.org/x/time/rate's Allow(): a bucket of burst tokens,
 * refilled one per interval, starting full.
 */
static bool rate_allows(struct he_http *h)
{
    if (!h->web || !h->web->rate_interval_usec) {
        return true;
    }
    uint64_t now = now_usec();
    double burst = (double)h->web->rate_burst;
    h->tokens += (double)(now - h->tokens_at_usec) / (double)h->web->rate_interval_usec;
    h->tokens = h->tokens > burst ? burst : h->tokens;
    h->tokens_at_usec = now;
    if (h->tokens < 1) {
        return false;
    }
    h->tokens -= 1;
    return true;
}

/* Called on the helper thread when a check is done: wakes the serving loop (ITC). */
static void resume_connection(void *conn)
{
    MHD_resume_connection(conn);
}

/*
 * basic_auth_users: 1 to serve, 0 when *ret holds the answer (401, 503, or a
 * suspended connection waiting for the helper thread).
 */
static int authenticate(struct he_http *h, struct MHD_Connection *conn, void **req_cls,
                        enum MHD_Result *ret)
{
    if (*req_cls != &no_job) {
        bool ok = he_basicauth_job_finish(*req_cls);
        *req_cls = &no_job;
        if (!ok) {
            *ret = queue_error(h, conn, MHD_HTTP_UNAUTHORIZED, "Unauthorized\n");
        }
        return ok;
    }
    if (!he_basicauth_enabled(h->auth)) {
        return 1;
    }
    char *password = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &password);
    struct he_basicauth_job *job;
    enum he_basicauth_result r =
        he_basicauth_check(h->auth, user, password, resume_connection, conn, &job);
    if (password) {
        memset(password, 0, strlen(password));
    }
    MHD_free(user);
    MHD_free(password);
    switch (r) {
    case HE_BASICAUTH_OK:
        return 1;
    case HE_BASICAUTH_PENDING:
        *req_cls = job;
        MHD_suspend_connection(conn);
        he_basicauth_submit(h->auth, job);
        *ret = MHD_YES;
        return 0;
    case HE_BASICAUTH_BUSY:
        *ret = queue_error(h, conn, MHD_HTTP_SERVICE_UNAVAILABLE, "Service Unavailable\n");
        return 0;
    default:
        *ret = queue_error(h, conn, MHD_HTTP_UNAUTHORIZED, "Unauthorized\n");
        return 0;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
    (void)method, (void)version, (void)upload_data;
    struct he_http *h = cls;
    enum MHD_Result ret = MHD_NO;
    if (*req_cls == NULL) {
        *req_cls = &no_job;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* a body is accepted and ignored, as net/http does */
        return MHD_YES;
    }
    /* As the toolkit's handler: the rate limit first, then authentication. */
    if (*req_cls == &no_job && !rate_allows(h)) {
        return queue_error(h, conn, MHD_HTTP_TOO_MANY_REQUESTS, "Too Many Requests\n");
    }
    if (!authenticate(h, conn, req_cls, &ret)) {
        return ret;
    }
    /* As Go's ServeMux: a telemetry path of "/" catches every path. */
    if (strcmp(url, h->cfg.telemetry_path) == 0 || strcmp(h->cfg.telemetry_path, "/") == 0) {
        return serve_metrics(h, conn);
    }
    return queue_text(h, conn, MHD_HTTP_OK, h->landing, "text/html; charset=utf-8");
}

/* Frees the job of a request that ended (client gone, shutdown) before its answer was read. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    if (*req_cls && *req_cls != &no_job) {
        he_basicauth_job_free(*req_cls);
    }
    *req_cls = NULL;
}

/* ---- TLS ---- */

static void tls_unref(struct tls_state *t)
{
    if (!t || --t->refs > 0) {
        return;
    }
    gnutls_certificate_free_credentials(t->cred);
    if (t->prio) {
        gnutls_priority_deinit(t->prio);
    }
    for (size_t i = 0; i < t->nsans; i++) {
        free(t->sans[i]);
    }
    free(t->sans);
    free(t);
}

/* Go's VerifyPeerCertificate of the toolkit: a DNS, email, IP or URI SAN equal to an entry. */
static bool san_allowed(const struct tls_state *t, const gnutls_datum_t *der)
{
    gnutls_x509_crt_t crt;
    bool ok = false;
    if (gnutls_x509_crt_init(&crt) < 0) {
        return false;
    }
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0) {
        gnutls_x509_crt_deinit(crt);
        return false;
    }
    for (unsigned seq = 0; !ok; seq++) {
        char buf[1024], text[1024];
        size_t size = sizeof(buf) - 1;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, NULL);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            break;
        }
        if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16)) {
            inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, text, sizeof(text));
        } else if (type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_RFC822NAME ||
                   type == GNUTLS_SAN_URI) {
            buf[size] = '\0';
            snprintf(text, sizeof(text), "%s", buf);
        } else {
            continue;
        }
        for (size_t i = 0; i < t->nsans && !ok; i++) {
            ok = strcmp(text, t->sans[i]) == 0;
        }
    }
    gnutls_x509_crt_deinit(crt);
    return ok;
}

/*
 * GnuTLS calls this during the handshake once the client's certificate is in;
 * non-zero fails the handshake, as Go's tls.Config does for
 * VerifyClientCertIfGiven and RequireAndVerifyClientCert (chain against the
 * client CAs) and for client_allowed_sans.
 */
static int verify_client(gnutls_session_t session)
{
    const struct tls_state *t = gnutls_session_get_ptr(session);
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
    if (!t || !certs || n == 0) {
        return t && (t->client_auth == HE_CLIENT_REQUIRE_ANY ||
                     t->client_auth == HE_CLIENT_REQUIRE_AND_VERIFY);
    }
    if (t->client_auth == HE_CLIENT_VERIFY_IF_GIVEN ||
        t->client_auth == HE_CLIENT_REQUIRE_AND_VERIFY) {
        unsigned status = 0;
        if (gnutls_certificate_verify_peers2(session, &status) < 0 || status != 0) {
            he_log_debug("client certificate refused", "reason", "not signed by client_ca", NULL);
            return -1;
        }
    }
    if (t->nsans && !san_allowed(t, &certs[0])) {
        he_log_debug("client certificate refused", "reason", "no SAN in client_allowed_sans",
                     NULL);
        return -1;
    }
    return 0;
}

static struct tls_state *tls_build(const struct he_webconfig *web)
{
    char err[512], prio[1024];
    const char *where;
    struct tls_state *t = calloc(1, sizeof(*t));
    if (!t) {
        return NULL;
    }
    t->refs = 1;
    t->client_auth = web->client_auth;
    if (he_webconfig_credentials(web, &t->cred, err, sizeof(err)) < 0) {
        he_log_error("cannot load the TLS certificate", "err", err, NULL);
        free(t);
        return NULL;
    }
    gnutls_certificate_set_verify_function(t->cred, verify_client);
    if (he_webconfig_priority(web, prio, sizeof(prio)) < 0 ||
        gnutls_priority_init(&t->prio, prio, &where) < 0) {
        he_log_error("GnuTLS refuses the priority string", "priority", prio, NULL);
        t->prio = NULL;
        tls_unref(t);
        return NULL;
    }
    t->sans = web->nallowed_sans ? calloc(web->nallowed_sans, sizeof(*t->sans)) : NULL;
    for (size_t i = 0; t->sans && i < web->nallowed_sans; i++) {
        if ((t->sans[i] = strdup(web->allowed_sans[i]))) {
            t->nsans++;
        }
    }
    if (t->nsans != web->nallowed_sans) {
        tls_unref(t);
        return NULL;
    }
    return t;
}

/*
 * libmicrohttpd's connection start/close notice. On start (after gnutls_init,
 * before the handshake) the session gets the current credentials, priorities
 * and client certificate request: GNUTLS_CERT_REQUIRE makes a missing
 * certificate fail the handshake itself, not a later 403.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct he_http *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        tls_unref(*socket_context);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    struct tls_state *t = h->tls;
    if (!t || !ci || !ci->tls_session) {
        return;
    }
    gnutls_session_t s = ci->tls_session;
    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred);
    gnutls_priority_set(s, t->prio);
    gnutls_session_set_ptr(s, t);
    gnutls_certificate_server_set_request(
        s, t->client_auth == HE_CLIENT_NO_CERT ? GNUTLS_CERT_IGNORE
           : t->client_auth == HE_CLIENT_REQUIRE_ANY ||
                   t->client_auth == HE_CLIENT_REQUIRE_AND_VERIFY
               ? GNUTLS_CERT_REQUIRE
               : GNUTLS_CERT_REQUEST);
    t->refs++;
    *socket_context = t;
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

/*
 * One daemon on addr ("host:port"), or on the already listening socket fd
 * (socket activation) when fd >= 0. Returns NULL after logging why.
 */
static struct MHD_Daemon *start_daemon(struct he_http *h, const char *addr, int fd)
{
    struct sockaddr_storage ss = {0};
    socklen_t sslen = sizeof(ss);
    bool any_host = false;
    if (fd >= 0 ? getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0
                : resolve_address(addr, &ss, &sslen, &any_host) < 0) {
        he_log_error("invalid listen address", "address", addr, NULL);
        return NULL;
    }
    /* Suspend/resume: auth checks run on a helper thread (he_basicauth.h). */
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6 && fd < 0) {
        flags |= any_host ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    }
    /* With TLS, libmicrohttpd wants a certificate at start; each connection then
     * gets the current one (on_connection), which a reload may have replaced. */
    struct MHD_OptionItem opts[5] = {{MHD_OPTION_END, 0, NULL}};
    opts[0] = fd >= 0 ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL}
                      : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    char *cert = NULL, *key = NULL, err[512], prio[1024];
    if (h->tls) {
        if (he_webconfig_read_pem(h->web, &cert, &key, err, sizeof(err)) < 0 ||
            he_webconfig_priority(h->web, prio, sizeof(prio)) < 0) {
            he_log_error("cannot read the TLS certificate", "err", err, NULL);
            return NULL;
        }
        flags |= MHD_USE_TLS;
        opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
        opts[2] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
        opts[3] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, prio};
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, log_from_mhd, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, h, MHD_OPTION_ARRAY, opts, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        /* a request's line and headers must fit in this; more is refused, never buffered */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    he_webconfig_free_pem(cert, key);
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
    h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event wake_ev = {.events = EPOLLIN, .data.ptr = h};
    if (h->wake_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, h->wake_fd, &wake_ev) < 0) {
        he_log_error("cannot set up the wake-up descriptor", "err", strerror(errno), NULL);
        he_http_stop(h);
        return NULL;
    }
    if (cfg->web && (he_http_reload(h, cfg->web) < 0 || !h->auth)) {
        he_http_stop(h);
        return NULL;
    }
    build_landing_page(h);
    size_t n = cfg->nlisten_fds ? cfg->nlisten_fds : cfg->listen->n;
    for (size_t i = 0; i < n && i < MAX_LISTENERS; i++) {
        struct MHD_Daemon *d =
            cfg->nlisten_fds ? start_daemon(h, "systemd socket", cfg->listen_fds[i])
                             : start_daemon(h, cfg->listen->items[i], -1);
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
    uint64_t n;
    while (read(h->wake_fd, &n, sizeof(n)) > 0) {
        /* drained: resumed connections are processed by MHD_run below */
    }
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

int he_http_reload(struct he_http *h, const struct he_webconfig *web)
{
    if (!h->auth && !(h->auth = he_basicauth_new(h->wake_fd))) {
        he_log_error("cannot start the basic auth thread", NULL);
        return -ENOMEM;
    }
    /* TLS first: it is what can fail on a reload, and then nothing changes. */
    struct tls_state *t = web->tls ? tls_build(web) : NULL;
    if (web->tls && !t) {
        return -EINVAL;
    }
    if (he_basicauth_set_users(h->auth, web) < 0) {
        tls_unref(t);
        return -ENOMEM;
    }
    if (t) {
        tls_unref(h->tls);
        h->tls = t;
    }
    h->web = web;
    h->tokens = (double)web->rate_burst;
    h->tokens_at_usec = now_usec();
    return 0;
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
    /* Joins the helper thread, which resumes every connection still waiting:
     * libmicrohttpd refuses to stop with suspended connections. */
    he_basicauth_free(h->auth);
    for (size_t i = 0; i < h->ndaemons; i++) {
        MHD_stop_daemon(h->daemons[i]);
    }
    if (h->wake_fd > 0) {
        close(h->wake_fd);
    }
    tls_unref(h->tls);
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
