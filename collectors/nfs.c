/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nfs: NFS client statistics from <procfs>/net/rpc/nfs (net/sunrpc/stats.c
 * rpc_proc_show: "net", "rpc" and one "procN" line per registered NFS version).
 * Emits node_nfs_packets_total{protocol}, node_nfs_connections_total,
 * node_nfs_rpcs_total, node_nfs_rpc_retransmissions_total,
 * node_nfs_rpc_authentication_refreshes_total and node_nfs_requests_total{proto,
 * method}. Mirrors node_exporter's collector/nfs_linux.go and the procfs parser
 * (nfs/parse_nfs.go, nfs/parse.go):
 *  - a missing file means the NFS client is not in use: no data (success 0,
 *    logged at debug), as upstream's ErrNoData;
 *  - every line must be one procfs knows, with exact value counts, else the whole
 *    scrape of this collector fails; a line that is absent (proc2 on kernels
 *    without CONFIG_NFS_V2, proc4 without v4) leaves its counters at 0, and all
 *    counters are emitted anyway, as upstream emits its zeroed structs;
 *  - methods are procfs's struct field names, every field of each struct (Null
 *    included), since upstream walks them by reflection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_paths.h"
#include "he_rpcstat.h"

#define NFS_V2_N 18
#define NFS_V3_N 22
#define NFS_V4_N 59

/* procfs V2Stats, in the kernel's proc2 order. */
static const char *const nfs_v2_names[NFS_V2_N] = {
    "Null",   "GetAttr", "SetAttr", "Root",    "Lookup", "ReadLink",
    "Read",   "WrCache", "Write",   "Create",  "Remove", "Rename",
    "Link",   "SymLink", "MkDir",   "RmDir",   "ReadDir", "FsStat",
};

/* procfs V3Stats, in the kernel's proc3 order. */
static const char *const nfs_v3_names[NFS_V3_N] = {
    "Null",   "GetAttr", "SetAttr", "Lookup", "Access",  "ReadLink",    "Read",   "Write",
    "Create", "MkDir",   "SymLink", "MkNod",  "Remove",  "RmDir",       "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit",
};

/*
 * procfs ClientV4Stats by proc4 position: the kernel's NFSPROC4_CLNT_* order
 * (include/linux/nfs4.h) up to CLONE; later procedures (COPY onwards, 4.x
 * kernels) are not mapped by procfs and so not exported.
 */
static const char *const nfs_v4_names[NFS_V4_N] = {
    "Null",          "Read",           "Write",        "Commit",
    "Open",          "OpenConfirm",    "OpenNoattr",   "OpenDowngrade",
    "Close",         "Setattr",        "FsInfo",       "Renew",
    "SetClientID",   "SetClientIDConfirm", "Lock",     "Lockt",
    "Locku",         "Access",         "Getattr",      "Lookup",
    "LookupRoot",    "Remove",         "Rename",       "Link",
    "Symlink",       "Create",         "Pathconf",     "StatFs",
    "ReadLink",      "ReadDir",        "ServerCaps",   "DelegReturn",
    "GetACL",        "SetACL",         "FsLocations",  "ReleaseLockowner",
    "Secinfo",       "FsidPresent",    "ExchangeID",   "CreateSession",
    "DestroySession", "Sequence",      "GetLeaseTime", "ReclaimComplete",
    "LayoutGet",     "GetDeviceInfo",      "LayoutCommit", "LayoutReturn",
    "SecinfoNoName", "TestStateID",    "FreeStateID",  "GetDeviceList",
    "BindConnToSession", "DestroyClientID", "Seek",    "Allocate",
    "DeAllocate",    "LayoutStats",    "Clone",
};

struct nfs_stats {
    uint64_t net[4]; /* packets, udp, tcp, tcp connections */
    uint64_t rpc[3]; /* calls, retransmissions, auth refreshes */
    uint64_t v2[NFS_V2_N];
    uint64_t v3[NFS_V3_N];
    uint64_t v4[NFS_V4_N];
};

struct nfs_state {
    struct he_file file;
    struct he_rpc_line line;
    struct nfs_stats stats;
};

static int nfs_init(void **state)
{
    struct nfs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    *state = s;
    return 0;
}

static void nfs_fini(void *state)
{
    struct nfs_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* Copies values 1..n of a counted line into dst (procfs's v[1:]). */
static void nfs_copy_counted(const struct he_rpc_line *l, uint64_t *dst, size_t n)
{
    memcpy(dst, &l->v[1], n * sizeof(*dst));
}

/*
 * Stores one line as procfs's ParseClientRPCStats does: net has exactly 4
 * values, rpc 3; proc2/proc3 are counted lines of at least 18/22; proc4 is a
 * counted line of any length, shorter ones (older kernels) padded with zeros.
 */
static int nfs_store(struct nfs_stats *st, const struct he_rpc_line *l)
{
    if (he_field_eq(l->key, "net") || he_field_eq(l->key, "rpc")) {
        bool net = he_field_eq(l->key, "net");
        size_t want = net ? 4 : 3;
        if (l->n != want) {
            return -EINVAL;
        }
        memcpy(net ? st->net : st->rpc, l->v, want * sizeof(uint64_t));
        return 0;
    }
    if (he_field_eq(l->key, "proc2") || he_field_eq(l->key, "proc3")) {
        bool v2 = he_field_eq(l->key, "proc2");
        size_t want = v2 ? NFS_V2_N : NFS_V3_N;
        if (he_rpc_check_counted(l, want) < 0) {
            return -EINVAL;
        }
        nfs_copy_counted(l, v2 ? st->v2 : st->v3, want);
        return 0;
    }
    if (he_field_eq(l->key, "proc4")) {
        if (he_rpc_check_counted(l, 0) < 0) {
            return -EINVAL;
        }
        size_t have = l->n - 1 < NFS_V4_N ? l->n - 1 : NFS_V4_N;
        memset(st->v4, 0, sizeof(st->v4));
        nfs_copy_counted(l, st->v4, have);
        return 0;
    }
    return -EINVAL; /* procfs: unknown NFS metric line */
}

static int nfs_parse(struct nfs_state *s)
{
    struct he_lines it;
    struct he_field line;
    memset(&s->stats, 0, sizeof(s->stats));
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (he_rpc_parse_line(line, SIZE_MAX, &s->line) < 0 ||
            nfs_store(&s->stats, &s->line) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static void nfs_emit_requests(struct he_writer *w, const char *proto, const char *const *names,
                              const uint64_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct he_label l[2] = {{"proto", proto}, {"method", names[i]}};
        he_writer_sample(w, l, 2, (double)values[i]);
    }
}

static void nfs_emit(struct he_writer *w, const struct nfs_stats *st)
{
    he_writer_family(w, "node_nfs_packets_total",
                     "Total NFSd network packets (sent+received) by protocol type.", HE_COUNTER);
    he_writer_sample(w, &(struct he_label){"protocol", "udp"}, 1, (double)st->net[1]);
    he_writer_sample(w, &(struct he_label){"protocol", "tcp"}, 1, (double)st->net[2]);
    he_writer_family(w, "node_nfs_connections_total", "Total number of NFSd TCP connections.",
                     HE_COUNTER);
    he_writer_value(w, (double)st->net[3]);
    he_writer_family(w, "node_nfs_rpcs_total", "Total number of RPCs performed.", HE_COUNTER);
    he_writer_value(w, (double)st->rpc[0]);
    he_writer_family(w, "node_nfs_rpc_retransmissions_total",
                     "Number of RPC transmissions performed.", HE_COUNTER);
    he_writer_value(w, (double)st->rpc[1]);
    he_writer_family(w, "node_nfs_rpc_authentication_refreshes_total",
                     "Number of RPC authentication refreshes performed.", HE_COUNTER);
    he_writer_value(w, (double)st->rpc[2]);
    he_writer_family(w, "node_nfs_requests_total", "Number of NFS procedures invoked.",
                     HE_COUNTER);
    nfs_emit_requests(w, "2", nfs_v2_names, st->v2, NFS_V2_N);
    nfs_emit_requests(w, "3", nfs_v3_names, st->v3, NFS_V3_N);
    nfs_emit_requests(w, "4", nfs_v4_names, st->v4, NFS_V4_N);
}

static int nfs_collect(void *state, struct he_writer *w)
{
    struct nfs_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "net/rpc/nfs");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("Not collecting NFS metrics", "path", path, NULL);
        return -ENODATA;
    }
    if (rc == 0) {
        rc = nfs_parse(s);
    }
    if (rc < 0) {
        he_log_debug("nfs: failed to retrieve nfs stats", "path", path, NULL);
        return rc;
    }
    nfs_emit(w, &s->stats);
    return 0;
}

static const struct he_collector nfs_collector = {
    .name = "nfs",
    .default_enabled = true,
    .init = nfs_init,
    .collect = nfs_collect,
    .fini = nfs_fini,
};

HE_COLLECTOR_REGISTER(nfs_collector)
