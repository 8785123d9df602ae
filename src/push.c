/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Push mode (see he_push.h): the scrape GET /metrics serves, PUT to a Pushgateway
 * on a timer, through libcurl's multi interface driven by the main epoll loop.
 *
 * Descriptors: one epoll set of push's own (added to the main loop's), holding
 * the schedule timerfd, the timerfd libcurl's CURLMOPT_TIMERFUNCTION arms and
 * every socket its CURLMOPT_SOCKETFUNCTION hands over. One easy handle, one
 * header list, the URL and the body buffer are made once and reused, so a push
 * allocates nothing of ours once the body buffer reached its high-water mark
 * (libcurl allocates internally). The path follows the Pushgateway's API and
 * client_golang's push package (prometheus/client_golang push/push.go).
 */
#include "he_push.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "he_duration.h"
#include "he_file.h"
#include "he_log.h"
#include "he_registry.h"
#include "he_writer.h"

#define BACKOFF_FIRST_USEC 1000000ull
#define RESPONSE_SNIPPET 200
#define MAX_EVENTS 16
#define CONTENT_TYPE_TEXT "Content-Type: text/plain; version=0.0.4; charset=utf-8"

enum push_state { STATE_STARTING, STATE_OK, STATE_FAILING };

struct he_push {
    struct he_push_config cfg;
    int epfd;                  /* push's own set, itself in the main loop's */
    int schedule_fd;           /* timerfd: when the next push starts */
    int curl_timer_fd;         /* timerfd: libcurl's CURLMOPT_TIMERFUNCTION */
    bool curl_ready;           /* curl_global_init() done */
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    struct he_buf url;
    struct he_buf body;
    struct he_writer *writer;
    bool selected[256];
    char password[512];
    const struct he_handler_stats *handler_stats;
    struct he_handler_stats no_handler_stats;
    struct he_push_stats stats;
    bool busy;                 /* a transfer is in flight */
    uint64_t started_usec;     /* monotonic start of the transfer in flight */
    unsigned consecutive_failures;
    enum push_state state;
    enum he_push_reason last_reason;
    char response[RESPONSE_SNIPPET + 1];
    size_t response_len;
    char error[CURL_ERROR_SIZE];
};

/* ---- URL ---- */

static const char *const reserved_labels[] = {"job", "instance"};

/* As Go's url.PathEscape: unreserved bytes and $&+:=@ stay, the rest become %XX. */
static int append_path_escaped(struct he_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~$&+:=@", *p)) {
            rc = he_buf_putc(b, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = he_buf_append(b, esc, 3);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* base64url without padding, as Go's base64.RawURLEncoding. */
static int append_base64url(struct he_buf *b, const unsigned char *s, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        v |= i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0;
        v |= i + 2 < n ? s[i + 2] : 0;
        size_t out = n - i >= 3 ? 4 : n - i + 1;
        for (size_t k = 0; k < out; k++) {
            int rc = he_buf_putc(b, alphabet[(v >> (18 - 6 * k)) & 63]);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* Appends "/<name>/<value>" in the form the Pushgateway reads (see he_push_build_url). */
static int append_component(struct he_buf *b, const char *name, size_t name_len,
                            const char *value)
{
    bool base64 = value[0] == '\0' || strchr(value, '/');
    int rc = he_buf_putc(b, '/');
    if (rc == 0) {
        rc = he_buf_append(b, name, name_len);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, base64 ? "@base64/" : "/");
    }
    if (rc < 0) {
        return rc;
    }
    if (value[0] == '\0') {
        return he_buf_putc(b, '=');
    }
    return base64 ? append_base64url(b, (const unsigned char *)value, strlen(value))
                  : append_path_escaped(b, value);
}

/* Checks one NAME=VALUE item; *name_len is the length of NAME. */
static int check_grouping_item(const char *item, size_t *name_len, char *err, size_t errsize)
{
    const char *eq = strchr(item, '=');
    char name[256];
    if (!eq || (size_t)(eq - item) >= sizeof(name)) {
        snprintf(err, errsize, "grouping label \"%s\": want NAME=VALUE", item);
        return -EINVAL;
    }
    memcpy(name, item, (size_t)(eq - item));
    name[eq - item] = '\0';
    if (!he_label_name_valid(name)) {
        snprintf(err, errsize, "grouping label \"%s\": invalid label name \"%s\"", item, name);
        return -EINVAL;
    }
    for (size_t i = 0; i < sizeof(reserved_labels) / sizeof(reserved_labels[0]); i++) {
        if (strcmp(name, reserved_labels[i]) == 0) {
            snprintf(err, errsize, "grouping label \"%s\": use --push.%s for %s", item, name, name);
            return -EINVAL;
        }
    }
    *name_len = (size_t)(eq - item);
    return 0;
}

static bool has_scheme(const char *base, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncasecmp(base, scheme, n) == 0 && strncmp(base + n, "://", 3) == 0;
}

/* Appends base with "http://" added when it has no scheme and trailing slashes dropped. */
static int append_base(struct he_buf *b, const char *base, char *err, size_t errsize)
{
    if (strstr(base, "://") && !has_scheme(base, "http") && !has_scheme(base, "https")) {
        snprintf(err, errsize, "gateway URL \"%s\": the scheme must be http or https", base);
        return -EINVAL;
    }
    size_t n = strlen(base);
    while (n && base[n - 1] == '/') {
        n--;
    }
    if (n == 0 || (strstr(base, "://") && strstr(base, "://") + 3 >= base + n)) {
        snprintf(err, errsize, "gateway URL \"%s\" has no host", base);
        return -EINVAL;
    }
    int rc = strstr(base, "://") ? 0 : he_buf_puts(b, "http://");
    return rc < 0 ? rc : he_buf_append(b, base, n);
}

static bool grouping_name_repeated(const struct he_strings *g, size_t i, size_t len)
{
    for (size_t k = 0; k < i; k++) {
        if (strncmp(g->items[k], g->items[i], len + 1) == 0) {
            return true;
        }
    }
    return false;
}

int he_push_build_url(struct he_buf *url, const char *base, const char *job, const char *instance,
                      const struct he_strings *grouping, char *err, size_t errsize)
{
    if (!job || !*job) {
        snprintf(err, errsize, "the job name must not be empty");
        return -EINVAL;
    }
    int rc = append_base(url, base, err, errsize);
    if (rc == 0) {
        rc = he_buf_puts(url, "/metrics");
    }
    if (rc == 0) {
        rc = append_component(url, "job", 3, job);
    }
    if (rc == 0) {
        rc = append_component(url, "instance", 8, instance);
    }
    for (size_t i = 0; rc == 0 && grouping && i < grouping->n; i++) {
        size_t len;
        rc = check_grouping_item(grouping->items[i], &len, err, errsize);
        if (rc == 0 && grouping_name_repeated(grouping, i, len)) {
            snprintf(err, errsize, "grouping label \"%.*s\" given twice", (int)len,
                     grouping->items[i]);
            rc = -EINVAL;
        }
        if (rc == 0) {
            rc = append_component(url, grouping->items[i], len, grouping->items[i] + len + 1);
        }
    }
    return rc;
}

int he_push_check_url(const char *value, char *err, size_t errsize)
{
    struct he_buf b;
    he_buf_init(&b, 0);
    int rc = value[0] ? append_base(&b, value, err, errsize) : 0;
    he_buf_free(&b);
    return rc < 0 ? -EINVAL : 0;
}

int he_push_check_interval(const char *value, char *err, size_t errsize)
{
    uint64_t usec;
    if (he_duration_parse_usec(value, &usec) < 0 || usec < 1000) {
        snprintf(err, errsize, "invalid duration \"%s\": want a Go duration of 1ms or more, "
                 "such as 15s", value);
        return -EINVAL;
    }
    return 0;
}

int he_push_check_grouping(const char *value, char *err, size_t errsize)
{
    size_t len;
    return check_grouping_item(value, &len, err, errsize);
}

/* ---- clocks and timers ---- */

static uint64_t monotonic_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Arms fd to fire at monotonic time at_usec (0: disarm; a time past fires at once). */
static void arm_at(int fd, uint64_t at_usec)
{
    struct itimerspec its = {{0, 0}, {0, 0}};
    if (at_usec) {
        its.it_value.tv_sec = (time_t)(at_usec / 1000000);
        its.it_value.tv_nsec = (long)(at_usec % 1000000) * 1000 + 1;
    }
    timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void drain_timer(int fd)
{
    uint64_t expirations;
    while (read(fd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations)) {
    }
}

/* ---- libcurl's callbacks ---- */

static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy, (void)socketp;
    struct he_push *p = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(p->epfd, EPOLL_CTL_DEL, s, NULL); /* may already be closed: ignored */
        return 0;
    }
    struct epoll_event ev = {.data.fd = s};
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, s, &ev) < 0 &&
        epoll_ctl(p->epfd, EPOLL_CTL_ADD, s, &ev) < 0) {
        he_log_warn("push: cannot watch a socket", "err", strerror(errno), NULL);
        return -1;
    }
    return 0;
}

/* libcurl asks to be called after timeout_ms (-1: never); 0 goes through the timer too. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct he_push *p = userp;
    arm_at(p->curl_timer_fd, timeout_ms < 0 ? 0 : monotonic_usec() + (uint64_t)timeout_ms * 1000);
    return 0;
}

/* Keeps the start of the gateway's answer for the log; the rest is dropped. */
static size_t on_curl_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct he_push *p = userp;
    size_t n = size * nmemb;
    size_t room = RESPONSE_SNIPPET - p->response_len;
    size_t take = n < room ? n : room;
    memcpy(p->response + p->response_len, data, take);
    p->response_len += take;
    p->response[p->response_len] = '\0';
    return n;
}

/* ---- outcomes ---- */

static enum he_push_reason classify_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return HE_PUSH_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return HE_PUSH_TLS;
    default:
        return HE_PUSH_CONNECT; /* refused, reset, unresolvable: the gateway is not there */
    }
}

static const char *reason_name(enum he_push_reason r)
{
    static const char *const names[HE_PUSH_NREASONS] = {"connect", "timeout", "tls", "http_4xx",
                                                        "http_5xx"};
    return names[r];
}

/* Logs a failure only when it changes the state: the first, or another reason. */
static void log_failure(struct he_push *p, enum he_push_reason reason, CURLcode rc, long status)
{
    if (p->state == STATE_FAILING && reason == p->last_reason) {
        return;
    }
    char detail[RESPONSE_SNIPPET + 64];
    if (rc != CURLE_OK) {
        snprintf(detail, sizeof(detail), "%s", p->error[0] ? p->error : curl_easy_strerror(rc));
    } else {
        snprintf(detail, sizeof(detail), "HTTP status %ld: %s", status, p->response);
    }
    size_t n = strlen(detail);
    while (n && (detail[n - 1] == '\n' || detail[n - 1] == ' ')) {
        detail[--n] = '\0';
    }
    he_log_warn("Push to the Pushgateway failed; retrying with back-off", "reason",
                reason_name(reason), "err", detail, NULL);
}

static void record_success(struct he_push *p)
{
    p->stats.last_success = wall_seconds();
    if (p->state == STATE_STARTING) {
        he_log_info("Pushed metrics to the Pushgateway", NULL);
    } else if (p->state == STATE_FAILING) {
        char attempts[24];
        snprintf(attempts, sizeof(attempts), "%u", p->consecutive_failures);
        he_log_info("Push to the Pushgateway recovered", "failed_attempts", attempts, NULL);
    }
    p->state = STATE_OK;
    p->consecutive_failures = 0;
}

/* Back-off after the n-th failure in a row: 1s, 2s, 4s, ... capped at the interval. */
static uint64_t backoff_usec(const struct he_push *p)
{
    unsigned shift = p->consecutive_failures > 32 ? 32 : p->consecutive_failures - 1;
    uint64_t delay = BACKOFF_FIRST_USEC << shift;
    return delay < p->cfg.interval_usec ? delay : p->cfg.interval_usec;
}

static void finish_push(struct he_push *p, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(p->multi, p->easy);
    p->busy = false;
    uint64_t now = monotonic_usec();
    if (rc == CURLE_OK && status >= 200 && status < 300) {
        record_success(p);
        uint64_t next = p->started_usec + p->cfg.interval_usec;
        arm_at(p->schedule_fd, next > now ? next : now);
        return;
    }
    enum he_push_reason reason = rc != CURLE_OK ? classify_curl_error(rc)
                                 : status >= 500 ? HE_PUSH_HTTP_5XX
                                                 : HE_PUSH_HTTP_4XX;
    p->stats.failures[reason]++;
    log_failure(p, reason, rc, status);
    p->state = STATE_FAILING;
    p->last_reason = reason;
    p->consecutive_failures++;
    arm_at(p->schedule_fd, now + backoff_usec(p));
}

/* Renders the scrape into the reused body and hands the transfer to libcurl. */
static void start_push(struct he_push *p)
{
    if (p->busy) {
        return;
    }
    struct he_scrape_options opts = {.exporter_metrics = p->cfg.exporter_metrics,
                                     .push = &p->stats};
    const struct he_handler_stats *hs = p->handler_stats ? p->handler_stats : &p->no_handler_stats;
    p->started_usec = monotonic_usec();
    he_buf_reset(&p->body);
    int rc = he_scrape_run(p->writer, p->selected, &opts, hs, &p->body);
    if (rc < 0) {
        he_log_error("push: cannot render the metrics", "err", strerror(-rc), NULL);
        arm_at(p->schedule_fd, p->started_usec + p->cfg.interval_usec);
        return;
    }
    curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->body.data);
    curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->body.len);
    p->response_len = 0;
    p->response[0] = '\0';
    p->error[0] = '\0';
    CURLMcode mc = curl_multi_add_handle(p->multi, p->easy);
    if (mc != CURLM_OK) {
        he_log_error("push: cannot start a transfer", "err", curl_multi_strerror(mc), NULL);
        arm_at(p->schedule_fd, p->started_usec + p->cfg.interval_usec);
        return;
    }
    p->busy = true;
}

/* ---- the loop's side ---- */

static void collect_results(struct he_push *p)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(p->multi, &left))) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == p->easy) {
            finish_push(p, m->data.result);
        }
    }
}

void he_push_run(struct he_push *p)
{
    struct epoll_event ev[MAX_EVENTS];
    int n = epoll_wait(p->epfd, ev, MAX_EVENTS, 0);
    int running;
    for (int i = 0; i < n; i++) {
        int fd = ev[i].data.fd;
        if (fd == p->schedule_fd) {
            drain_timer(fd);
            start_push(p);
        } else if (fd == p->curl_timer_fd) {
            drain_timer(fd);
            curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        } else {
            int mask = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                       (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(p->multi, fd, mask, &running);
        }
    }
    collect_results(p);
}

void he_push_use_handler_stats(struct he_push *p, const struct he_handler_stats *stats)
{
    p->handler_stats = stats;
}

const struct he_push_stats *he_push_stats(const struct he_push *p)
{
    return &p->stats;
}

/* ---- set-up ---- */

/* Reads the first line of the password file, trimmed of white space as Prometheus does. */
static int read_password(struct he_push *p, const char *path)
{
    struct he_file f;
    he_file_init(&f, false, sizeof(p->password));
    int rc = he_file_read(&f, path);
    if (rc == 0) {
        const char *s = f.buf.data;
        size_t n = f.buf.len;
        while (n && strchr(" \t\r\n", s[0])) {
            s++, n--;
        }
        while (n && strchr(" \t\r\n", s[n - 1])) {
            n--;
        }
        rc = n < sizeof(p->password) ? 0 : -EFBIG;
        if (rc == 0) {
            memcpy(p->password, s, n);
            p->password[n] = '\0';
        }
    }
    he_file_fini(&f);
    return rc;
}

static bool set_ok(CURLcode rc, bool *ok)
{
    *ok = *ok && rc == CURLE_OK;
    return *ok;
}

static bool set_up_easy(struct he_push *p)
{
    const struct he_push_config *c = &p->cfg;
    long ms = (long)(c->interval_usec / 1000);
    bool ok = (p->easy = curl_easy_init()) != NULL;
    p->headers = curl_slist_append(NULL, CONTENT_TYPE_TEXT);
    p->headers = p->headers ? curl_slist_append(p->headers, "Expect:") : NULL;
    ok = ok && p->headers;
    if (!ok) {
        return false;
    }
    set_ok(curl_easy_setopt(p->easy, CURLOPT_URL, p->url.data), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_PROTOCOLS_STR, "http,https"), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_CUSTOMREQUEST, "PUT"), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_USERAGENT, "host_exporter/" HE_VERSION), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, ms), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, ms), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, on_curl_write), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p), &ok);
    set_ok(curl_easy_setopt(p->easy, CURLOPT_ERRORBUFFER, p->error), &ok);
    if (c->basic_auth_user && *c->basic_auth_user) {
        set_ok(curl_easy_setopt(p->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC), &ok);
        set_ok(curl_easy_setopt(p->easy, CURLOPT_USERNAME, c->basic_auth_user), &ok);
        set_ok(curl_easy_setopt(p->easy, CURLOPT_PASSWORD, p->password), &ok);
    }
    if (c->tls_ca_file && *c->tls_ca_file) {
        set_ok(curl_easy_setopt(p->easy, CURLOPT_CAINFO, c->tls_ca_file), &ok);
    }
    return ok;
}

static bool set_up_multi(struct he_push *p)
{
    bool ok = (p->multi = curl_multi_init()) != NULL;
    if (!ok) {
        return false;
    }
    ok = curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) == CURLM_OK &&
         curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p) == CURLM_OK &&
         curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) == CURLM_OK &&
         curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p) == CURLM_OK;
    return ok;
}

static int watch(int epfd, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static bool set_up_descriptors(struct he_push *p, int loop_fd)
{
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    p->schedule_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    p->curl_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (p->epfd < 0 || p->schedule_fd < 0 || p->curl_timer_fd < 0 ||
        watch(p->epfd, p->schedule_fd) < 0 || watch(p->epfd, p->curl_timer_fd) < 0) {
        return false;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = p};
    return epoll_ctl(loop_fd, EPOLL_CTL_ADD, p->epfd, &ev) == 0;
}

/* Builds the URL and reads the password file; logs and returns false on bad settings. */
static bool configure(struct he_push *p)
{
    const struct he_push_config *c = &p->cfg;
    char err[512];
    if (he_push_build_url(&p->url, c->gateway_url, c->job, c->instance, c->grouping, err,
                          sizeof(err)) < 0 ||
        he_buf_terminate(&p->url) < 0) {
        he_log_error("push: invalid settings", "err", err, NULL);
        return false;
    }
    bool has_user = c->basic_auth_user && *c->basic_auth_user;
    bool has_file = c->basic_auth_password_file && *c->basic_auth_password_file;
    if (has_file && !has_user) {
        he_log_error("push: --push.basic-auth-password-file needs --push.basic-auth-user", NULL);
        return false;
    }
    int rc = has_file ? read_password(p, c->basic_auth_password_file) : 0;
    if (rc < 0) {
        he_log_error("push: cannot read the password file", "file", c->basic_auth_password_file,
                     "err", strerror(-rc), NULL);
        return false;
    }
    return true;
}

static void log_start(const struct he_push *p)
{
    char interval[32];
    snprintf(interval, sizeof(interval), "%gs", (double)p->cfg.interval_usec / 1e6);
    /* The path only: a gateway URL may carry user:password. */
    const char *path = strstr(p->url.data, "/metrics/job");
    he_log_info("Pushing metrics to the Pushgateway", "path", path, "interval", interval, NULL);
}

struct he_push *he_push_start(const struct he_push_config *cfg, int epoll_fd)
{
    struct he_push *p = calloc(1, sizeof(*p));
    if (!p) {
        return NULL;
    }
    p->cfg = *cfg;
    p->epfd = p->schedule_fd = p->curl_timer_fd = -1;
    he_buf_init(&p->url, 0);
    he_buf_init(&p->body, 0);
    for (size_t i = 0; i < he_registry_count() && i < sizeof(p->selected); i++) {
        p->selected[i] = he_registry_at(i)->enabled;
    }
    if (!configure(p)) {
        he_push_stop(p);
        return NULL;
    }
    p->curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!p->curl_ready || !(p->writer = he_writer_new()) ||
        !set_up_multi(p) || !set_up_easy(p) || !set_up_descriptors(p, epoll_fd)) {
        he_log_error("push: cannot set up", "err", errno ? strerror(errno) : "libcurl", NULL);
        he_push_stop(p);
        return NULL;
    }
    log_start(p);
    arm_at(p->schedule_fd, monotonic_usec());
    return p;
}

void he_push_stop(struct he_push *p)
{
    if (!p) {
        return;
    }
    if (p->busy) {
        curl_multi_remove_handle(p->multi, p->easy);
    }
    curl_easy_cleanup(p->easy);
    curl_multi_cleanup(p->multi);
    curl_slist_free_all(p->headers);
    if (p->curl_ready) {
        curl_global_cleanup();
    }
    const int fds[] = {p->epfd, p->schedule_fd, p->curl_timer_fd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    he_writer_free(p->writer);
    he_buf_free(&p->url);
    he_buf_free(&p->body);
    explicit_bzero(p->password, sizeof(p->password));
    free(p);
}
