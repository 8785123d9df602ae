/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qdisc: queueing discipline statistics of every root qdisc, per device and kind:
 * node_qdisc_{bytes,packets,drops,requeues,overlimits}_total,
 * node_qdisc_current_queue_length and node_qdisc_backlog. Mirrors node_exporter
 * 1.12's collector/qdisc_linux.go and the github.com/ema/qdisc reader it uses.
 *
 * Live: an rtnetlink RTM_GETQDISC dump (src/netlink.c parses each message as
 * ema/qdisc does), each qdisc named through an RTM_GETLINK dump; as upstream's
 * net.InterfaceByIndex, an index without an interface fails the scrape. Only
 * qdiscs whose parent is TC_H_ROOT are reported (an ingress or clsact qdisc, or
 * a child of a classful one, is not).
 *
 * With --collector.qdisc.fixtures=DIR, upstream's end-to-end seam, the qdiscs
 * come instead from DIR/results.json: a JSON array of ema/qdisc's QdiscInfo
 * objects ({"IfaceName": "eth0", "Parent": 0, "Kind": "fq", "Bytes": 1, ...}),
 * read with encoding/json's rules as far as they matter here: keys match
 * case-insensitively, unknown keys and nulls are skipped, a number must be an
 * integer that fits its field, and any syntax or type error fails the scrape.
 *
 * --collector.qdisc.device-include/-exclude (mutually exclusive) filter device
 * names; the hidden --collector.qdisk.* spellings are their deprecated aliases.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_netlink.h"
#include "he_regex.h"

static const char *qdisc_fixtures;
static const char *qdisc_include;
static const char *qdisc_include_old;
static const char *qdisc_exclude;
static const char *qdisc_exclude_old;

static const struct he_flag qdisc_flags[] = {
    {"collector.qdisc.fixtures", HE_FLAG_STRING, "",
     "test fixtures to use for qdisc collector end-to-end testing", &qdisc_fixtures, NULL},
    {"collector.qdisc.device-include", HE_FLAG_STRING, NULL,
     "Regexp of qdisc devices to include (mutually exclusive to device-exclude).", &qdisc_include,
     he_regex_check_flag},
    {"collector.qdisk.device-include", HE_FLAG_STRING, NULL, NULL, &qdisc_include_old,
     he_regex_check_flag},
    {"collector.qdisc.device-exclude", HE_FLAG_STRING, NULL,
     "Regexp of qdisc devices to exclude (mutually exclusive to device-include).", &qdisc_exclude,
     he_regex_check_flag},
    {"collector.qdisk.device-exclude", HE_FLAG_STRING, NULL, NULL, &qdisc_exclude_old,
     he_regex_check_flag},
    {0},
};

/* ema/qdisc's QdiscInfo fields that node_exporter reports, plus the ifindex to name. */
enum { Q_PARENT, Q_HANDLE, Q_PACKETS, Q_DROPS, Q_REQUEUES, Q_OVERLIMITS, Q_QLEN, Q_BACKLOG,
       Q_BYTES, Q_GCFLOWS, Q_THROTTLED, Q_FLOWSPLIMIT, Q_NUMS };

struct qdisc_entry {
    uint32_t ifindex;
    uint32_t dev, kind;        /* offsets in names; UINT32_MAX until named */
    uint64_t v[Q_NUMS];
};

struct qdisc_state {
    struct he_filter filter;
    struct he_nl nl;
    struct he_file file;       /* DIR/results.json */
    struct he_buf names;
    struct he_buf key;         /* fixtures: the JSON key being matched */
    struct qdisc_entry *e;
    size_t n, cap;
};

static void qdisc_fini(void *state)
{
    struct qdisc_state *s = state;
    he_filter_free(&s->filter);
    he_nl_fini(&s->nl);
    he_file_fini(&s->file);
    he_buf_free(&s->names);
    he_buf_free(&s->key);
    free(s->e);
    free(s);
}

/*
 * NewQdiscStatCollector: the deprecated --collector.qdisk.device-WHAT stands in
 * for --collector.qdisc.device-WHAT unless both are given. Upstream refuses to
 * start then; here the collector's init fails and it reports success 0.
 */
static int qdisc_alias(const char **flag, const char *old, const char *what)
{
    char msg[200];
    if (!old || !*old) {
        return 0;
    }
    if (*flag && **flag) {
        snprintf(msg, sizeof(msg),
                 "--collector.qdisk.device-%s and --collector.qdisc.device-%s are mutually "
                 "exclusive",
                 what, what);
        he_log_error(msg, NULL);
        return -EINVAL;
    }
    snprintf(msg, sizeof(msg),
             "--collector.qdisk.device-%s is DEPRECATED and will be removed in 2.0.0, use "
             "--collector.qdisc.device-%s",
             what, what);
    he_log_warn(msg, NULL);
    *flag = old;
    return 0;
}

static int qdisc_filter(struct qdisc_state *s)
{
    const char *inc = qdisc_include, *exc = qdisc_exclude;
    if (qdisc_alias(&inc, qdisc_include_old, "include") < 0 ||
        qdisc_alias(&exc, qdisc_exclude_old, "exclude") < 0) {
        return -EINVAL;
    }
    if (inc && *inc && exc && *exc) {
        he_log_error("qdisc: collector.qdisc.device-include and collector.qdisc.device-exclude "
                     "are mutaly exclusive",
                     NULL);
        return -EINVAL;
    }
    char err[256];
    if (he_filter_init(&s->filter, inc, exc, err, sizeof(err)) < 0) {
        he_log_error("qdisc: bad device filter", "err", err, NULL);
        return -EINVAL;
    }
    return 0;
}

static int qdisc_init(void **state)
{
    struct qdisc_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    if (qdisc_filter(s) < 0) {
        free(s);
        return -EINVAL;
    }
    he_nl_init(&s->nl);
    he_file_init(&s->file, false, 0);
    he_buf_init(&s->names, 0);
    he_buf_init(&s->key, 0);
    *state = s;
    return 0;
}

static struct qdisc_entry *qdisc_new(struct qdisc_state *s)
{
    void *items = s->e;
    if (he_array_grow(&items, &s->cap, s->n + 1, sizeof(*s->e)) < 0) {
        return NULL;
    }
    s->e = items;
    struct qdisc_entry *e = &s->e[s->n++];
    memset(e, 0, sizeof(*e));
    e->dev = UINT32_MAX;
    e->kind = UINT32_MAX;
    return e;
}

/* Stores len bytes of p, NUL-terminated, in names; *off gets their offset. */
static int qdisc_store(struct qdisc_state *s, uint32_t *off, const char *p, size_t len)
{
    if (s->names.len > UINT32_MAX - len - 1) {
        return -EFBIG;
    }
    *off = (uint32_t)s->names.len;
    int rc = he_buf_append(&s->names, p, len);
    return rc < 0 ? rc : he_buf_putc(&s->names, '\0');
}

static const char *qdisc_str(const struct qdisc_state *s, uint32_t off)
{
    return off == UINT32_MAX ? "" : s->names.data + off;
}

/* ---- netlink ---- */

static int qdisc_msg(const struct nlmsghdr *nlh, void *data)
{
    struct qdisc_state *s = data;
    struct he_nl_qdisc q;
    if (he_nl_parse_qdisc(nlh, &q) < 0) {
        he_log_debug("qdisc: malformed RTM_NEWQDISC message", NULL);
        return -EINVAL;   /* ema/qdisc fails the whole Get() */
    }
    struct qdisc_entry *e = qdisc_new(s);
    if (!e) {
        return -ENOMEM;
    }
    e->ifindex = q.ifindex;
    e->v[Q_PARENT] = q.parent;
    e->v[Q_HANDLE] = q.handle;
    e->v[Q_BYTES] = q.bytes;
    e->v[Q_PACKETS] = q.packets;
    e->v[Q_DROPS] = q.drops;
    e->v[Q_REQUEUES] = q.requeues;
    e->v[Q_OVERLIMITS] = q.overlimits;
    e->v[Q_QLEN] = q.qlen;
    e->v[Q_BACKLOG] = q.backlog;
    const char *kind = q.kind ? q.kind : "";
    return qdisc_store(s, &e->kind, kind, strlen(kind));
}

static int qdisc_link_msg(const struct nlmsghdr *nlh, void *data)
{
    struct qdisc_state *s = data;
    struct he_nl_link l;
    if (he_nl_parse_link(nlh, &l) < 0 || !l.name) {
        return 0;
    }
    uint32_t off = UINT32_MAX;
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].ifindex != l.index || s->e[i].dev != UINT32_MAX) {
            continue;
        }
        if (off == UINT32_MAX) {
            int rc = qdisc_store(s, &off, l.name, strlen(l.name));
            if (rc < 0) {
                return rc;
            }
        }
        s->e[i].dev = off;
    }
    return 0;
}

static int qdisc_read_netlink(struct qdisc_state *s)
{
    struct tcmsg tc;
    memset(&tc, 0, sizeof(tc));
    int rc = he_nl_dump_hdr(&s->nl, RTM_GETQDISC, &tc, sizeof(tc), qdisc_msg, s);
    if (rc == 0 && s->n > 0) {
        rc = he_nl_dump(&s->nl, RTM_GETLINK, AF_UNSPEC, qdisc_link_msg, s);
    }
    if (rc < 0) {
        he_log_debug("qdisc: could not get qdiscs over netlink", NULL);
        return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].dev == UINT32_MAX) {
            he_log_debug("qdisc: no interface for a qdisc's index", NULL);
            return -ENODEV;   /* net.InterfaceByIndex fails ema/qdisc's Get() */
        }
    }
    return 0;
}

/* ---- fixtures: results.json ---- */

struct qdisc_json {
    const char *p, *end;
    struct qdisc_state *s;
    struct he_buf *key;        /* the current object key, decoded */
};

static void qj_ws(struct qdisc_json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
        j->p++;
    }
}

static bool qj_lit(struct qdisc_json *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0) {
        return false;
    }
    j->p += n;
    return true;
}

static int qj_hex4(const char *p, uint32_t *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -EINVAL;
        }
        *out = *out << 4 | (uint32_t)d;
    }
    return 0;
}

/* Appends code point c as UTF-8 (lone surrogates become U+FFFD, as Go's decoder does). */
static int qj_utf8(struct he_buf *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c >= 0xd800 && c <= 0xdfff) {
        c = 0xfffd;
    }
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xc0 | c >> 6);
        u[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xe0 | c >> 12);
        u[1] = (char)(0x80 | (c >> 6 & 0x3f));
        u[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | c >> 18);
        u[1] = (char)(0x80 | (c >> 12 & 0x3f));
        u[2] = (char)(0x80 | (c >> 6 & 0x3f));
        u[3] = (char)(0x80 | (c & 0x3f));
        n = 4;
    }
    return he_buf_append(b, u, n);
}

/* \uXXXX at j->p (after the backslash and 'u'), with a following low surrogate if any. */
static int qj_unicode(struct qdisc_json *j, struct he_buf *out)
{
    uint32_t c, lo;
    if (j->end - j->p < 4 || qj_hex4(j->p, &c) < 0) {
        return -EINVAL;
    }
    j->p += 4;
    if (c >= 0xd800 && c < 0xdc00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
        qj_hex4(j->p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        j->p += 6;
    }
    return out ? qj_utf8(out, c) : 0;
}

static int qj_escape(struct qdisc_json *j, struct he_buf *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (j->p >= j->end) {
        return -EINVAL;
    }
    char c = *j->p++;
    if (c == 'u') {
        return qj_unicode(j, out);
    }
    const char *k = memchr(from, c, sizeof(from) - 1);
    if (!k) {
        return -EINVAL;
    }
    return out ? he_buf_putc(out, to[k - from]) : 0;
}

/* A string at j->p (at its quote); its decoded bytes go to out (NULL: skipped). */
static int qj_string(struct qdisc_json *j, struct he_buf *out)
{
    if (j->p >= j->end || *j->p != '"') {
        return -EINVAL;
    }
    j->p++;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p;
        int rc = 0;
        if (c == '"') {
            j->p++;
            return 0;
        }
        if (c < 0x20) {
            return -EINVAL;
        }
        if (c == '\\') {
            j->p++;
            rc = qj_escape(j, out);
        } else {
            rc = out ? he_buf_putc(out, (char)c) : 0;
            j->p++;
        }
        if (rc < 0) {
            return rc;
        }
    }
    return -EINVAL;
}

/* A number's text at j->p; *integer tells whether it is a plain non-negative integer. */
static int qj_number(struct qdisc_json *j, const char **start, bool *integer)
{
    const char *p = j->p;
    *start = p;
    *integer = true;
    if (p < j->end && *p == '-') {
        *integer = false;
        p++;
    }
    if (p >= j->end || *p < '0' || *p > '9') {
        return -EINVAL;
    }
    if (*p == '0') {
        p++;
    } else {
        while (p < j->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (p < j->end && *p == '.') {
        *integer = false;
        if (++p >= j->end || *p < '0' || *p > '9') {
            return -EINVAL;
        }
        while (p < j->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        *integer = false;
        p++;
        if (p < j->end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (p >= j->end || *p < '0' || *p > '9') {
            return -EINVAL;
        }
        while (p < j->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }
    j->p = p;
    return 0;
}

static int qj_skip(struct qdisc_json *j, int depth);

/* Skips an array or object body after its opening bracket. */
static int qj_skip_container(struct qdisc_json *j, char close, int depth)
{
    qj_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return 0;
    }
    for (;;) {
        qj_ws(j);
        if (close == '}') {
            if (qj_string(j, NULL) < 0) {
                return -EINVAL;
            }
            qj_ws(j);
            if (j->p >= j->end || *j->p++ != ':') {
                return -EINVAL;
            }
        }
        if (qj_skip(j, depth + 1) < 0) {
            return -EINVAL;
        }
        qj_ws(j);
        if (j->p >= j->end) {
            return -EINVAL;
        }
        char c = *j->p++;
        if (c == close) {
            return 0;
        }
        if (c != ',') {
            return -EINVAL;
        }
    }
}

/* Skips any one value; nesting deeper than 1000 is refused. */
static int qj_skip(struct qdisc_json *j, int depth)
{
    qj_ws(j);
    if (j->p >= j->end || depth > 1000) {
        return -EINVAL;
    }
    const char *start;
    bool integer;
    switch (*j->p) {
    case '"':
        return qj_string(j, NULL);
    case '{':
    case '[':
        return qj_skip_container(j, *j->p++ == '{' ? '}' : ']', depth);
    case 't':
        return qj_lit(j, "true") ? 0 : -EINVAL;
    case 'f':
        return qj_lit(j, "false") ? 0 : -EINVAL;
    case 'n':
        return qj_lit(j, "null") ? 0 : -EINVAL;
    default:
        return qj_number(j, &start, &integer);
    }
}

static const char *const qdisc_num_keys[Q_NUMS] = {
    "Parent", "Handle", "Packets", "Drops", "Requeues", "Overlimits",
    "Qlen", "Backlog", "Bytes", "GcFlows", "Throttled", "FlowsPlimit",
};

/* A number for field k: a plain integer that fits (32 bits but for the 64-bit fields). */
static int qj_uint(struct qdisc_json *j, int k, uint64_t *out)
{
    const char *start;
    bool integer;
    if (qj_number(j, &start, &integer) < 0 || !integer) {
        return -EINVAL;
    }
    uint64_t v = 0, max = k >= Q_BYTES ? UINT64_MAX : UINT32_MAX;
    for (const char *p = start; p < j->p; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (max - d) / 10) {
            return -ERANGE;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The value of key (already decoded) of one object into e. */
static int qj_field(struct qdisc_json *j, const char *key, struct qdisc_entry *e)
{
    qj_ws(j);
    if (qj_lit(j, "null")) {
        return 0;   /* encoding/json leaves the field as it was */
    }
    bool dev = strcasecmp(key, "IfaceName") == 0;
    if (dev || strcasecmp(key, "Kind") == 0) {
        uint32_t *off = dev ? &e->dev : &e->kind;
        size_t mark = j->s->names.len;
        if (mark > UINT32_MAX / 2 || qj_string(j, &j->s->names) < 0 ||
            he_buf_putc(&j->s->names, '\0') < 0) {
            return -EINVAL;
        }
        *off = (uint32_t)mark;   /* a duplicate key: the last one wins, as in Go */
        return 0;
    }
    for (int k = 0; k < Q_NUMS; k++) {
        if (strcasecmp(key, qdisc_num_keys[k]) == 0) {
            return qj_uint(j, k, &e->v[k]);
        }
    }
    return qj_skip(j, 1);
}

/* One array element: an object of QdiscInfo fields, or null (a zero QdiscInfo). */
static int qj_object(struct qdisc_json *j)
{
    struct qdisc_entry *e = qdisc_new(j->s);
    if (!e) {
        return -ENOMEM;
    }
    if (qj_lit(j, "null")) {
        return 0;
    }
    if (j->p >= j->end || *j->p++ != '{') {
        return -EINVAL;
    }
    qj_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return 0;
    }
    for (;;) {
        qj_ws(j);
        he_buf_reset(j->key);
        if (qj_string(j, j->key) < 0 || he_buf_terminate(j->key) < 0) {
            return -EINVAL;
        }
        qj_ws(j);
        if (j->p >= j->end || *j->p++ != ':' || qj_field(j, j->key->data, e) < 0) {
            return -EINVAL;
        }
        qj_ws(j);
        char c = j->p < j->end ? *j->p++ : 0;
        if (c == '}') {
            return 0;
        }
        if (c != ',') {
            return -EINVAL;
        }
    }
}

/* The whole document: an array of objects, or null (no qdiscs). */
static int qj_document(struct qdisc_json *j)
{
    qj_ws(j);
    if (!qj_lit(j, "null")) {
        if (j->p >= j->end || *j->p++ != '[') {
            return -EINVAL;
        }
        qj_ws(j);
        if (j->p < j->end && *j->p == ']') {
            j->p++;
        } else {
            for (;;) {
                qj_ws(j);
                if (qj_object(j) < 0) {
                    return -EINVAL;
                }
                qj_ws(j);
                char c = j->p < j->end ? *j->p++ : 0;
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    return -EINVAL;
                }
            }
        }
    }
    qj_ws(j);
    return j->p == j->end ? 0 : -EINVAL;
}

static int qdisc_read_fixtures(struct qdisc_state *s)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/results.json", qdisc_fixtures);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return -ENAMETOOLONG;
    }
    int rc = he_file_read(&s->file, path);
    if (rc < 0) {
        he_log_debug("qdisc: cannot read", "path", path, NULL);
        return rc;
    }
    struct qdisc_json j = {s->file.buf.data, s->file.buf.data + s->file.buf.len, s, &s->key};
    rc = qj_document(&j);
    if (rc < 0) {
        he_log_debug("qdisc: not a JSON array of qdisc objects", "path", path, NULL);
    }
    return rc;
}

/* ---- output ---- */

static void qdisc_emit(struct he_writer *w, const struct he_label *l, const struct qdisc_entry *e)
{
    he_writer_family(w, "node_qdisc_bytes_total", "Number of bytes sent.", HE_COUNTER);
    he_writer_sample(w, l, 2, (double)e->v[Q_BYTES]);
    he_writer_family(w, "node_qdisc_packets_total", "Number of packets sent.", HE_COUNTER);
    he_writer_sample(w, l, 2, (double)e->v[Q_PACKETS]);
    he_writer_family(w, "node_qdisc_drops_total", "Number of packets dropped.", HE_COUNTER);
    he_writer_sample(w, l, 2, (double)e->v[Q_DROPS]);
    he_writer_family(w, "node_qdisc_requeues_total",
                     "Number of packets dequeued, not transmitted, and requeued.", HE_COUNTER);
    he_writer_sample(w, l, 2, (double)e->v[Q_REQUEUES]);
    he_writer_family(w, "node_qdisc_overlimits_total", "Number of overlimit packets.", HE_COUNTER);
    he_writer_sample(w, l, 2, (double)e->v[Q_OVERLIMITS]);
    he_writer_family(w, "node_qdisc_current_queue_length",
                     "Number of packets currently in queue to be sent.", HE_GAUGE);
    he_writer_sample(w, l, 2, (double)e->v[Q_QLEN]);
    he_writer_family(w, "node_qdisc_backlog", "Number of bytes currently in queue to be sent.",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, (double)e->v[Q_BACKLOG]);
}

static int qdisc_collect(void *state, struct he_writer *w)
{
    struct qdisc_state *s = state;
    s->n = 0;
    he_buf_reset(&s->names);
    int rc = qdisc_fixtures && *qdisc_fixtures ? qdisc_read_fixtures(s) : qdisc_read_netlink(s);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct qdisc_entry *e = &s->e[i];
        const char *dev = qdisc_str(s, e->dev);
        /* only root qdiscs: a child's packets are counted by its parents too */
        if (e->v[Q_PARENT] != 0 || he_filter_ignored(&s->filter, dev)) {
            continue;
        }
        struct he_label l[2] = {{"device", dev}, {"kind", qdisc_str(s, e->kind)}};
        qdisc_emit(w, l, e);
    }
    return 0;
}

static const struct he_collector qdisc_collector = {
    .name = "qdisc",
    .default_enabled = false,
    .flags = qdisc_flags,
    .init = qdisc_init,
    .collect = qdisc_collect,
    .fini = qdisc_fini,
};

HE_COLLECTOR_REGISTER(qdisc_collector)
