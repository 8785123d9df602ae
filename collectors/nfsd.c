/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nfsd: NFS server statistics from <procfs>/net/rpc/nfsd (fs/nfsd/stats.c
 * nfsd_show, then net/sunrpc/stats.c svc_seq_show): the rc, fh, io, th, ra, net,
 * rpc, procN, proc4ops and wdeleg_getattr lines. Emits node_nfsd_reply_cache_*,
 * node_nfsd_file_handles_stale_total, node_nfsd_disk_bytes_{read,written}_total,
 * node_nfsd_server_threads, node_nfsd_read_ahead_cache_*, node_nfsd_packets_total
 * {proto}, node_nfsd_connections_total, node_nfsd_rpc_errors_total{error},
 * node_nfsd_server_rpcs_total and node_nfsd_requests_total{proto,method}.
 * Mirrors node_exporter 1.12's collector/nfsd_linux.go and procfs's
 * nfs/parse_nfsd.go:
 *  - a missing file (no NFS server) is no data: success 0, logged at debug;
 *  - every line must be one procfs knows with its exact value count, else the
 *    collector fails without output; of "th" only the thread count and the
 *    "full" count are read (the usage histogram that follows holds floats, which
 *    current kernels print as a deprecated row of zeros, and is ignored);
 *  - lines a kernel does not print leave zeros that are emitted anyway: "ra"
 *    (the read-ahead cache is gone; kernels print zeros or no line), "proc2"
 *    (NFSv2 off by default since 6.2), "wdeleg_getattr" (new in 6.6);
 *  - proc4ops is indexed by NFSv4 operation number; positions 36 and 37 are
 *    SETCLIENTID and SETCLIENTID_CONFIRM (node_exporter 1.7, procfs #543), and a
 *    39-operation line (2.6 kernels) has no RELEASE_LOCKOWNER.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_paths.h"
#include "he_rpcstat.h"

/* A requests_total series: the method label and the value's position in its line. */
struct nfsd_method {
    const char *name;
    unsigned char index; /* into the line's values, the count at 0 */
};

/* NFSv2 procedures, Null not exported (upstream lists them by hand). */
static const struct nfsd_method nfsd_v2[] = {
    {"GetAttr", 2},  {"SetAttr", 3}, {"Root", 4},    {"Lookup", 5},   {"ReadLink", 6},
    {"Read", 7},     {"WrCache", 8}, {"Write", 9},   {"Create", 10},  {"Remove", 11},
    {"Rename", 12},  {"Link", 13},   {"SymLink", 14}, {"MkDir", 15},  {"RmDir", 16},
    {"ReadDir", 17}, {"FsStat", 18},
};

static const struct nfsd_method nfsd_v3[] = {
    {"GetAttr", 2},  {"SetAttr", 3},      {"Lookup", 4},  {"Access", 5},   {"ReadLink", 6},
    {"Read", 7},     {"Write", 8},        {"Create", 9},  {"MkDir", 10},   {"SymLink", 11},
    {"MkNod", 12},   {"Remove", 13},      {"RmDir", 14},  {"Rename", 15},  {"Link", 16},
    {"ReadDir", 17}, {"ReadDirPlus", 18}, {"FsStat", 19}, {"FsInfo", 20},  {"PathConf", 21},
    {"Commit", 22},
};

/* NFSv4 operations: position = operation number + 1 (OP_ACCESS is 3). */
static const struct nfsd_method nfsd_v4[] = {
    {"Access", 4},       {"Close", 5},      {"Commit", 6},    {"Create", 7},
    {"DelegPurge", 8},   {"DelegReturn", 9}, {"GetAttr", 10}, {"GetFH", 11},
    {"Link", 12},        {"Lock", 13},      {"Lockt", 14},    {"Locku", 15},
    {"Lookup", 16},      {"LookupRoot", 17}, {"Nverify", 18}, {"Open", 19},
    {"OpenAttr", 20},    {"OpenConfirm", 21}, {"OpenDgrd", 22}, {"PutFH", 23},
    {"Read", 26},        {"ReadDir", 27},   {"ReadLink", 28}, {"Remove", 29},
    {"Rename", 30},      {"Renew", 31},     {"RestoreFH", 32}, {"SaveFH", 33},
    {"SecInfo", 34},     {"SetAttr", 35},   {"SetClientID", 36}, {"SetClientIDConfirm", 37},
    {"Verify", 38},      {"Write", 39},     {"RelLockOwner", 40},
};

#define NFSD_N(a) (sizeof(a) / sizeof((a)[0]))
#define NFSD_V4OPS 41 /* count + operations 0..39 */

struct nfsd_stats {
    uint64_t rc[3], fh[5], io[2], th[2], ra[12], net[4], rpc[5];
    uint64_t v2[19], v3[23], v4[3], v4ops[NFSD_V4OPS]; /* as on the line, count first */
    uint64_t wdeleg_getattr;
};

struct nfsd_state {
    struct he_file file;
    struct he_rpc_line line;
    struct nfsd_stats stats;
};

static int nfsd_init(void **state)
{
    struct nfsd_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    *state = s;
    return 0;
}

static void nfsd_fini(void *state)
{
    struct nfsd_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* A line of fixed width: exactly n values (procfs's parseReplyCache etc.). */
struct nfsd_fixed {
    const char *key;
    size_t n;
    size_t offset; /* of the array in struct nfsd_stats */
};

static const struct nfsd_fixed nfsd_fixed_lines[] = {
    {"rc", 3, offsetof(struct nfsd_stats, rc)},   {"fh", 5, offsetof(struct nfsd_stats, fh)},
    {"io", 2, offsetof(struct nfsd_stats, io)},   {"th", 2, offsetof(struct nfsd_stats, th)},
    {"ra", 12, offsetof(struct nfsd_stats, ra)},  {"net", 4, offsetof(struct nfsd_stats, net)},
    {"rpc", 5, offsetof(struct nfsd_stats, rpc)},
};

/*
 * A counted line: the first value is the number that follow, at least min; an
 * exact count when exact. Values past the array are dropped, a shorter line
 * leaves zeros (a 39-operation proc4ops has no RelLockOwner).
 */
struct nfsd_counted {
    const char *key;
    uint64_t min;
    bool exact;
    size_t cap;
    size_t offset;
};

static const struct nfsd_counted nfsd_counted_lines[] = {
    {"proc2", 18, false, 19, offsetof(struct nfsd_stats, v2)},
    {"proc3", 22, false, 23, offsetof(struct nfsd_stats, v3)},
    {"proc4", 2, true, 3, offsetof(struct nfsd_stats, v4)},
    {"proc4ops", 39, false, NFSD_V4OPS, offsetof(struct nfsd_stats, v4ops)},
};

static int nfsd_store_counted(struct nfsd_stats *st, const struct he_rpc_line *l,
                              const struct nfsd_counted *c)
{
    if (he_rpc_check_counted(l, c->min) < 0 || (c->exact && l->v[0] != c->min)) {
        return -EINVAL;
    }
    uint64_t *dst = (uint64_t *)((char *)st + c->offset);
    size_t n = l->n < c->cap ? l->n : c->cap;
    memset(dst, 0, c->cap * sizeof(*dst));
    memcpy(dst, l->v, n * sizeof(*dst));
    return 0;
}

/* Stores one line as procfs's ParseServerRPCStats does; unknown keys fail. */
static int nfsd_store(struct nfsd_stats *st, const struct he_rpc_line *l)
{
    for (size_t i = 0; i < NFSD_N(nfsd_fixed_lines); i++) {
        const struct nfsd_fixed *f = &nfsd_fixed_lines[i];
        if (he_field_eq(l->key, f->key)) {
            if (l->n != f->n) {
                return -EINVAL;
            }
            memcpy((char *)st + f->offset, l->v, f->n * sizeof(uint64_t));
            return 0;
        }
    }
    for (size_t i = 0; i < NFSD_N(nfsd_counted_lines); i++) {
        if (he_field_eq(l->key, nfsd_counted_lines[i].key)) {
            return nfsd_store_counted(st, l, &nfsd_counted_lines[i]);
        }
    }
    if (he_field_eq(l->key, "wdeleg_getattr")) {
        st->wdeleg_getattr = l->v[0]; /* procfs reads the first value only */
        return 0;
    }
    return -EINVAL;
}

static int nfsd_parse(struct nfsd_state *s)
{
    struct he_lines it;
    struct he_field line;
    memset(&s->stats, 0, sizeof(s->stats));
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        /* The key first: procfs parses only the two counts of "th" and needs both. */
        int rc = he_rpc_parse_line(line, 0, &s->line);
        if (rc == 0) {
            bool th = he_field_eq(s->line.key, "th");
            rc = he_rpc_parse_line(line, th ? 2 : SIZE_MAX, &s->line);
        }
        if (rc < 0 || nfsd_store(&s->stats, &s->line) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static void nfsd_counter(struct he_writer *w, const char *name, const char *help, uint64_t v)
{
    he_writer_family(w, name, help, HE_COUNTER);
    he_writer_value(w, (double)v);
}

static void nfsd_emit_requests(struct he_writer *w, const char *proto,
                               const struct nfsd_method *m, size_t n, const uint64_t *values)
{
    for (size_t i = 0; i < n; i++) {
        struct he_label l[2] = {{"proto", proto}, {"method", m[i].name}};
        he_writer_sample(w, l, 2, (double)values[m[i].index]);
    }
}

static void nfsd_emit_server(struct he_writer *w, const struct nfsd_stats *st)
{
    nfsd_counter(w, "node_nfsd_reply_cache_hits_total",
                 "Total number of NFSd Reply Cache hits (client lost server response).", st->rc[0]);
    nfsd_counter(w, "node_nfsd_reply_cache_misses_total",
                 "Total number of NFSd Reply Cache an operation that requires caching "
                 "(idempotent).",
                 st->rc[1]);
    nfsd_counter(w, "node_nfsd_reply_cache_nocache_total",
                 "Total number of NFSd Reply Cache non-idempotent operations "
                 "(rename/delete/\xe2\x80\xa6).",
                 st->rc[2]);
    nfsd_counter(w, "node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
                 st->fh[0]);
    nfsd_counter(w, "node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", st->io[0]);
    nfsd_counter(w, "node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", st->io[1]);
    he_writer_family(w, "node_nfsd_server_threads",
                     "Total number of NFSd kernel threads that are running.", HE_GAUGE);
    he_writer_value(w, (double)st->th[0]);
    he_writer_family(w, "node_nfsd_read_ahead_cache_size_blocks",
                     "How large the read ahead cache is in blocks.", HE_GAUGE);
    he_writer_value(w, (double)st->ra[0]);
    nfsd_counter(w, "node_nfsd_read_ahead_cache_not_found_total",
                 "Total number of NFSd read ahead cache not found.", st->ra[11]);
}

static void nfsd_emit_rpc(struct he_writer *w, const struct nfsd_stats *st)
{
    he_writer_family(w, "node_nfsd_packets_total",
                     "Total NFSd network packets (sent+received) by protocol type.", HE_COUNTER);
    he_writer_sample(w, &(struct he_label){"proto", "udp"}, 1, (double)st->net[1]);
    he_writer_sample(w, &(struct he_label){"proto", "tcp"}, 1, (double)st->net[2]);
    nfsd_counter(w, "node_nfsd_connections_total", "Total number of NFSd TCP connections.",
                 st->net[3]);
    he_writer_family(w, "node_nfsd_rpc_errors_total",
                     "Total number of NFSd RPC errors by error type.", HE_COUNTER);
    he_writer_sample(w, &(struct he_label){"error", "fmt"}, 1, (double)st->rpc[2]);
    he_writer_sample(w, &(struct he_label){"error", "auth"}, 1, (double)st->rpc[3]);
    he_writer_sample(w, &(struct he_label){"error", "cInt"}, 1, (double)st->rpc[4]);
    nfsd_counter(w, "node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", st->rpc[0]);
    he_writer_family(w, "node_nfsd_requests_total",
                     "Total number NFSd Requests by method and protocol.", HE_COUNTER);
    nfsd_emit_requests(w, "2", nfsd_v2, NFSD_N(nfsd_v2), st->v2);
    nfsd_emit_requests(w, "3", nfsd_v3, NFSD_N(nfsd_v3), st->v3);
    nfsd_emit_requests(w, "4", nfsd_v4, NFSD_N(nfsd_v4), st->v4ops);
    /* node_exporter 1.8 (#2810): the write-delegation GETATTR recall count as a v4 method. */
    struct he_label l[2] = {{"proto", "4"}, {"method", "WdelegGetattr"}};
    he_writer_sample(w, l, 2, (double)st->wdeleg_getattr);
}

static int nfsd_collect(void *state, struct he_writer *w)
{
    struct nfsd_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "net/rpc/nfsd");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("Not collecting NFSd metrics", "path", path, NULL);
        return -ENODATA;
    }
    if (rc == 0) {
        rc = nfsd_parse(s);
    }
    if (rc < 0) {
        he_log_debug("nfsd: failed to retrieve nfsd stats", "path", path, NULL);
        return rc;
    }
    nfsd_emit_server(w, &s->stats);
    nfsd_emit_rpc(w, &s->stats);
    return 0;
}

static const struct he_collector nfsd_collector = {
    .name = "nfsd",
    .default_enabled = true,
    .init = nfsd_init,
    .collect = nfsd_collect,
    .fini = nfsd_fini,
};

HE_COLLECTOR_REGISTER(nfsd_collector)
