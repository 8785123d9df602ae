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
 * parsed by the shared JSON reader (src/json.c) and decoded with
 * encoding/json's rules as far as they matter here: keys match
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
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_json.h"
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
    struct he_json json;       /* fixtures: results.json parsed */
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
    he_json_fini(&s->json);
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
    he_json_init(&s->json);
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

/* QdiscInfo's numeric fields: uint32, but uint64 from Bytes on. */
static const char *const qdisc_num_keys[Q_NUMS] = {
    "Parent", "Handle", "Packets", "Drops", "Requeues", "Overlimits",
    "Qlen", "Backlog", "Bytes", "GcFlows", "Throttled", "FlowsPlimit",
};

/*
 * Member m of a QdiscInfo object into e, as encoding/json sets a struct field:
 * null leaves it as it was, a duplicate key overwrites it (the last one wins),
 * a number must be an integer that fits its uint32 or uint64, and an unknown
 * key is ignored. 0 or -EINVAL (a type error), -ENOMEM or -EFBIG.
 */
static int qdisc_json_field(struct qdisc_state *s, const struct he_json_node *m,
                            struct qdisc_entry *e)
{
    const struct he_json *j = &s->json;
    if (m->type == HE_JSON_NULL) {
        return 0;
    }
    bool dev = he_json_key_is(j, m, "IfaceName");
    if (dev || he_json_key_is(j, m, "Kind")) {
        if (m->type != HE_JSON_STRING) {
            return -EINVAL;
        }
        return qdisc_store(s, dev ? &e->dev : &e->kind, he_json_text(j, m), m->len);
    }
    for (int k = 0; k < Q_NUMS; k++) {
        if (he_json_key_is(j, m, qdisc_num_keys[k])) {
            return he_json_uint(j, m, k >= Q_BYTES ? 64 : 32, &e->v[k]);
        }
    }
    return 0;
}

/*
 * The parsed document into s->e: an array of QdiscInfo objects (a null element
 * is a zero QdiscInfo), or null (no qdiscs). 0, -EINVAL for any other shape or
 * type, or -ENOMEM.
 */
static int qdisc_json_entries(struct qdisc_state *s)
{
    const struct he_json_node *root = he_json_node(&s->json, 0);
    if (root->type == HE_JSON_NULL) {
        return 0;
    }
    if (root->type != HE_JSON_ARRAY) {
        return -EINVAL;
    }
    for (const struct he_json_node *o = he_json_node(&s->json, root->child); o;
         o = he_json_node(&s->json, o->next)) {
        struct qdisc_entry *e = qdisc_new(s);
        if (!e) {
            return -ENOMEM;
        }
        if (o->type == HE_JSON_NULL) {
            continue;
        }
        if (o->type != HE_JSON_OBJECT) {
            return -EINVAL;
        }
        for (const struct he_json_node *m = he_json_node(&s->json, o->child); m;
             m = he_json_node(&s->json, m->next)) {
            int rc = qdisc_json_field(s, m, e);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
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
    rc = he_json_parse(&s->json, s->file.buf.data, s->file.buf.len);
    if (rc == 0) {
        rc = qdisc_json_entries(s);
    }
    if (rc < 0) {
        he_log_debug("qdisc: not a JSON array of qdisc objects", "path", path, NULL);
        return -EINVAL;   /* any syntax, type or storage error: one failure, as before */
    }
    return 0;
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
