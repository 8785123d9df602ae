/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipvs: IP Virtual Server totals and per-backend state, as node_exporter
 * 1.12.1's collector/ipvs_linux.go with procfs's ipvs.go parsers.
 *
 * <procfs>/net/ip_vs_stats (ip_vs_stats_show in net/netfilter/ipvs/ip_vs_ctl.c):
 * the third line holds the five totals in hex (connections, incoming and
 * outgoing packets, incoming and outgoing bytes). The file needs at least
 * three newlines and exactly five fields there, each a base-16 uint64.
 *
 * <procfs>/net/ip_vs (ip_vs_info_seq_show): service lines "TCP|UDP
 * ADDR:PORT ..." or "FWM MARK ...", each followed by "-> ADDR:PORT Forward
 * Weight ActiveConn InActConn" backend lines. ADDR:PORT is either 13
 * characters, "%08X:%04X" (IPv4), or 46, "[%pI6]:%04X" (IPv6, full form);
 * anything else fails the scrape, as do non-decimal counters. Header lines,
 * service lines of other protocols (SCTP) and short lines are passed over, as
 * procfs does: backends after an SCTP service keep the previous service's
 * address.
 *
 * Emits node_ipvs_{connections,incoming_packets,outgoing_packets,
 * incoming_bytes,outgoing_bytes}_total and node_ipvs_backend_{connections_
 * active,connections_inactive,weight}, labelled by the labels chosen with
 * --collector.ipvs.backend-labels (upstream's order whatever the flag's
 * order); backends with equal label values joined by "-" are summed, as
 * upstream's map does. A missing ip_vs_stats (no ip_vs module) is no data; a
 * missing ip_vs after it is an error with the totals already emitted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"

enum { IPVS_LADDR, IPVS_LPORT, IPVS_RADDR, IPVS_RPORT, IPVS_PROTO, IPVS_MARK, IPVS_NLABELS };

/* fullIpvsBackendLabels: the label names in upstream's order. */
static const char *const ipvs_label_names[IPVS_NLABELS] = {
    "local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark",
};

static const char *ipvs_labels_flag;

/* Longest local_mark kept; the kernel prints "%08X". */
#define IPVS_MARK_MAX 63
/* bufio.Scanner's default limit: a longer line ends the scan silently. */
#define IPVS_MAX_LINE 65535

/* One backend's label values (all of them; the flag picks which are used). */
struct ipvs_kv {
    char v[IPVS_NLABELS][IPVS_MARK_MAX + 1];
};

/* One output series: the key (chosen values joined by "-"), values and sums. */
struct ipvs_group {
    char key[IPVS_NLABELS * (IPVS_MARK_MAX + 1)];
    struct ipvs_kv kv;
    double active, inact, weight;
};

/* The service a backend line belongs to, as procfs's loop variables. */
struct ipvs_service {
    char proto[4];
    char mark[IPVS_MARK_MAX + 1];
    char addr[INET6_ADDRSTRLEN];
    unsigned port;
};

struct ipvs_state {
    bool use[IPVS_NLABELS];
    struct he_file stats;
    struct he_file backends;
    struct ipvs_group *group;
    size_t ngroup, cap;
};

/* Inserts f into the sorted, duplicate-free list of unknown label names (a Go set, sorted). */
static void ipvs_add_unknown(struct he_field *list, size_t *n, struct he_field f)
{
    size_t i = 0;
    for (; i < *n; i++) {
        size_t m = list[i].len < f.len ? list[i].len : f.len;
        int c = memcmp(list[i].p, f.p, m);
        if (c == 0 && list[i].len == f.len) {
            return;
        }
        if (c > 0 || (c == 0 && list[i].len > f.len)) {
            break;
        }
    }
    memmove(list + i + 1, list + i, (*n - i) * sizeof(*list));
    list[i] = f;
    (*n)++;
}

/*
 * parseIpvsLabels: the comma-separated names, empty ones dropped, must all be
 * known. Sets use[] when it is not NULL. 0 or -EINVAL with the unknown names
 * (sorted, as upstream reports them) in err.
 */
static int ipvs_parse_labels(const char *value, bool use[IPVS_NLABELS], char *err, size_t errsize)
{
    struct he_field unknown[32];
    size_t nunknown = 0;
    const char *p = value;
    while (p) {
        const char *comma = strchr(p, ',');
        struct he_field f = {p, comma ? (size_t)(comma - p) : strlen(p)};
        int found = -1;
        for (int i = 0; i < IPVS_NLABELS; i++) {
            if (he_field_eq(f, ipvs_label_names[i])) {
                found = i;
            }
        }
        if (found >= 0 && use) {
            use[found] = true;
        } else if (found < 0 && f.len > 0 && nunknown < 32) {
            ipvs_add_unknown(unknown, &nunknown, f);
        }
        p = comma ? comma + 1 : NULL;
    }
    if (nunknown == 0) {
        return 0;
    }
    size_t n = (size_t)snprintf(err, errsize, "unknown IPVS backend labels: \"");
    for (size_t i = 0; i < nunknown && n < errsize; i++) {
        n += (size_t)snprintf(err + n, errsize - n, "%s%.*s", i ? ", " : "", (int)unknown[i].len,
                              unknown[i].p);
    }
    if (n < errsize) {
        snprintf(err + n, errsize - n, "\"");
    }
    return -EINVAL;
}

static int ipvs_check_labels(const char *value, char *err, size_t errsize)
{
    return ipvs_parse_labels(value, NULL, err, errsize);
}

/* strconv.ParseUint(s, 16, bits): hex digits only, no prefix or sign. */
static int ipvs_parse_hex(struct he_field f, int bits, uint64_t *out)
{
    uint64_t v = 0;
    if (f.len == 0) {
        return -EINVAL;
    }
    for (size_t i = 0; i < f.len; i++) {
        int d = he_hex_digit(f.p[i]);
        if (d < 0) {
            return -EINVAL;
        }
        if (v >> (bits - 4)) {
            return -ERANGE;
        }
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/*
 * procfs's parseIPPort: 13 characters are 8 hex digits of IPv4 address, any
 * byte, 4 hex digits of port; 46 are "[" 39 characters of IPv6 "]:" (the
 * brackets and colon are not checked) and the port. The address is written
 * as Go prints a net.IP.
 */
static int ipvs_parse_ip_port(struct he_field f, char *addr, size_t size, unsigned *port)
{
    uint64_t p;
    if (f.len == 13) {
        uint8_t b[4];
        for (int i = 0; i < 4; i++) {
            int hi = he_hex_digit(f.p[2 * i]), lo = he_hex_digit(f.p[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return -EINVAL;
            }
            b[i] = (uint8_t)(hi << 4 | lo);
        }
        snprintf(addr, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    } else if (f.len == 46) {
        char text[40];
        uint8_t b[16];
        memcpy(text, f.p + 1, 39);
        text[39] = '\0';
        if (memchr(text, '\0', 39) || inet_pton(AF_INET6, text, b) != 1) {
            return -EINVAL;
        }
        he_go_ip_string(b, 16, addr, size);
    } else {
        return -EINVAL;
    }
    if (ipvs_parse_hex((struct he_field){f.p + f.len - 4, 4}, 16, &p) < 0) {
        return -EINVAL;
    }
    *port = (unsigned)p;
    return 0;
}

/* parseIPVSStats: the five hex totals on the third line. */
static int ipvs_parse_stats(const char *text, size_t len, uint64_t v[5])
{
    struct he_lines it;
    struct he_field line, f[5];
    size_t newlines = 0;
    for (size_t i = 0; i < len; i++) {
        newlines += text[i] == '\n';
    }
    if (newlines < 3) {
        return -EINVAL; /* SplitN(..., 4) found fewer than four parts */
    }
    he_lines_init(&it, text, len);
    for (int i = 0; i < 3; i++) {
        he_lines_next(&it, &line);
    }
    if (he_go_fields(line, f, 5) != 5) {
        return -EINVAL;
    }
    for (int i = 0; i < 5; i++) {
        if (ipvs_parse_hex(f[i], 64, &v[i]) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/* Adds one backend to the series of its label values, as upstream's sums map. */
static int ipvs_add_backend(struct ipvs_state *s, const struct ipvs_kv *kv, uint64_t weight,
                            uint64_t active, uint64_t inact)
{
    char key[sizeof(s->group->key)];
    size_t n = 0;
    bool first = true;
    for (int i = 0; i < IPVS_NLABELS; i++) {
        if (s->use[i]) {
            n += (size_t)snprintf(key + n, sizeof(key) - n, "%s%s", first ? "" : "-", kv->v[i]);
            first = false;
        }
    }
    struct ipvs_group *g = NULL;
    for (size_t i = 0; i < s->ngroup && !g; i++) {
        if (strcmp(s->group[i].key, key) == 0) {
            g = &s->group[i];
        }
    }
    if (!g) {
        if (he_array_grow((void **)&s->group, &s->cap, s->ngroup + 1, sizeof(*s->group)) < 0) {
            return -ENOMEM;
        }
        g = &s->group[s->ngroup++];
        memset(g, 0, sizeof(*g));
        memcpy(g->key, key, n + 1);
    }
    g->kv = *kv; /* labelValues[key] = kv: the last backend's values */
    g->weight += (double)weight;
    g->active += (double)active;
    g->inact += (double)inact;
    return 0;
}

/* A service line: "TCP|UDP ADDR:PORT ..." or "FWM MARK ...". */
static int ipvs_service_line(struct ipvs_service *svc, const struct he_field *f)
{
    if (he_field_eq(f[0], "FWM")) {
        if (f[1].len > IPVS_MARK_MAX) {
            return -EINVAL;
        }
        snprintf(svc->proto, sizeof(svc->proto), "FWM");
        he_field_copy(f[1], svc->mark, sizeof(svc->mark));
        svc->addr[0] = '\0'; /* a nil net.IP: upstream's label is "" */
        svc->port = 0;
        return 0;
    }
    snprintf(svc->proto, sizeof(svc->proto), "%.*s", (int)f[0].len, f[0].p);
    svc->mark[0] = '\0';
    return ipvs_parse_ip_port(f[1], svc->addr, sizeof(svc->addr), &svc->port);
}

/* A backend line: "-> ADDR:PORT Forward Weight ActiveConn InActConn". */
static int ipvs_backend_line(struct ipvs_state *s, const struct ipvs_service *svc,
                             const struct he_field *f)
{
    struct ipvs_kv kv;
    unsigned rport;
    uint64_t weight, active, inact;
    int rc = ipvs_parse_ip_port(f[1], kv.v[IPVS_RADDR], sizeof(kv.v[IPVS_RADDR]), &rport);
    if (rc < 0 || he_parse_u64(f[3], &weight) < 0 || he_parse_u64(f[4], &active) < 0 ||
        he_parse_u64(f[5], &inact) < 0) {
        return -EINVAL;
    }
    snprintf(kv.v[IPVS_LADDR], sizeof(kv.v[IPVS_LADDR]), "%s", svc->addr);
    snprintf(kv.v[IPVS_LPORT], sizeof(kv.v[IPVS_LPORT]), "%u", svc->port);
    snprintf(kv.v[IPVS_RPORT], sizeof(kv.v[IPVS_RPORT]), "%u", rport);
    snprintf(kv.v[IPVS_PROTO], sizeof(kv.v[IPVS_PROTO]), "%s", svc->proto);
    snprintf(kv.v[IPVS_MARK], sizeof(kv.v[IPVS_MARK]), "%s", svc->mark);
    return ipvs_add_backend(s, &kv, weight, active, inact);
}

/* parseIPVSBackendStatus over the whole of net/ip_vs. 0 or -EINVAL/-ENOMEM. */
static int ipvs_parse_backends(struct ipvs_state *s, const char *text, size_t len)
{
    struct ipvs_service svc = {"", "", "", 0};
    struct he_lines it;
    struct he_field line, f[6];
    s->ngroup = 0;
    he_lines_init(&it, text, len);
    while (he_lines_next(&it, &line) && line.len <= IPVS_MAX_LINE) {
        size_t nf = he_go_fields(line, f, 6);
        int rc = 0;
        if (nf < 2) {
            /* Empty, or one field: procfs indexes fields[1] and would panic. */
            continue;
        }
        if (he_field_eq(f[0], "IP") || he_field_eq(f[0], "Prot") ||
            he_field_eq(f[1], "RemoteAddress:Port")) {
            continue;
        }
        if (he_field_eq(f[0], "TCP") || he_field_eq(f[0], "UDP") || he_field_eq(f[0], "FWM")) {
            rc = ipvs_service_line(&svc, f);
        } else if (he_field_eq(f[0], "->") && nf >= 6) {
            rc = ipvs_backend_line(s, &svc, f);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int ipvs_read(struct he_file *f, const char *rel)
{
    char path[PATH_MAX];
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    if (rc < 0) {
        he_log_debug("ipvs: cannot read", "path", path, NULL);
    }
    return rc;
}

static void ipvs_emit_totals(struct he_writer *w, const uint64_t v[5])
{
    he_writer_family(w, "node_ipvs_connections_total", "The total number of connections made.",
                     HE_COUNTER);
    he_writer_value(w, (double)v[0]);
    he_writer_family(w, "node_ipvs_incoming_packets_total", "The total number of incoming packets.",
                     HE_COUNTER);
    he_writer_value(w, (double)v[1]);
    he_writer_family(w, "node_ipvs_outgoing_packets_total", "The total number of outgoing packets.",
                     HE_COUNTER);
    he_writer_value(w, (double)v[2]);
    he_writer_family(w, "node_ipvs_incoming_bytes_total", "The total amount of incoming data.",
                     HE_COUNTER);
    he_writer_value(w, (double)v[3]);
    he_writer_family(w, "node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.",
                     HE_COUNTER);
    he_writer_value(w, (double)v[4]);
}

static void ipvs_emit_backends(const struct ipvs_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->ngroup; i++) {
        const struct ipvs_group *g = &s->group[i];
        struct he_label l[IPVS_NLABELS];
        size_t n = 0;
        for (int k = 0; k < IPVS_NLABELS; k++) {
            if (s->use[k]) {
                l[n++] = (struct he_label){ipvs_label_names[k], g->kv.v[k]};
            }
        }
        he_writer_family(w, "node_ipvs_backend_connections_active",
                         "The current active connections by local and remote address.", HE_GAUGE);
        he_writer_sample(w, l, n, g->active);
        he_writer_family(w, "node_ipvs_backend_connections_inactive",
                         "The current inactive connections by local and remote address.", HE_GAUGE);
        he_writer_sample(w, l, n, g->inact);
        he_writer_family(w, "node_ipvs_backend_weight",
                         "The current backend weight by local and remote address.", HE_GAUGE);
        he_writer_sample(w, l, n, g->weight);
    }
}

static int ipvs_collect(void *state, struct he_writer *w)
{
    struct ipvs_state *s = state;
    uint64_t totals[5];
    int rc = ipvs_read(&s->stats, "net/ip_vs_stats");
    if (rc == -ENOENT) {
        return -ENODATA; /* no ip_vs module */
    }
    if (rc == 0) {
        rc = ipvs_parse_stats(s->stats.buf.data, s->stats.buf.len, totals);
    }
    if (rc < 0) {
        return rc;
    }
    ipvs_emit_totals(w, totals);
    rc = ipvs_read(&s->backends, "net/ip_vs");
    if (rc == 0) {
        rc = ipvs_parse_backends(s, s->backends.buf.data, s->backends.buf.len);
    }
    if (rc < 0) {
        he_log_debug("ipvs: could not get backend status", NULL);
        return rc;
    }
    ipvs_emit_backends(s, w);
    return 0;
}

static int ipvs_init(void **state)
{
    char err[1100];
    struct ipvs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    if (ipvs_parse_labels(ipvs_labels_flag ? ipvs_labels_flag : "", s->use, err, sizeof(err)) < 0) {
        free(s);
        return -EINVAL; /* refused at start-up by the flag's check already */
    }
    he_file_init(&s->stats, false, 0);
    he_file_init(&s->backends, false, 0);
    *state = s;
    return 0;
}

static void ipvs_fini(void *state)
{
    struct ipvs_state *s = state;
    he_file_fini(&s->stats);
    he_file_fini(&s->backends);
    free(s->group);
    free(s);
}

static const struct he_flag ipvs_flags[] = {
    {"collector.ipvs.backend-labels", HE_FLAG_STRING,
     "local_address,local_port,remote_address,remote_port,proto,local_mark",
     "Comma separated list for IPVS backend stats labels.", &ipvs_labels_flag, ipvs_check_labels},
    {0},
};

static const struct he_collector ipvs_collector = {
    .name = "ipvs",
    .default_enabled = true,
    .flags = ipvs_flags,
    .init = ipvs_init,
    .collect = ipvs_collect,
    .fini = ipvs_fini,
};

HE_COLLECTOR_REGISTER(ipvs_collector)
