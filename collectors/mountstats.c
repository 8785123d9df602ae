/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mountstats: per-mount NFS client statistics from <procfs>/self/mountstats
 * (fs/nfs/super.c nfs_show_stats, net/sunrpc/stats.c rpc_clnt_show_stats and the
 * transports' print_stats), with the server address ("addr" superblock option)
 * from the line of <procfs>/self/mountinfo at the same position. Emits
 * node_mountstats_nfs_mountpoint_info, node_mountstats_nfs_age_seconds_total,
 * node_mountstats_nfs_{*_bytes,*_pages,event_*}_total,
 * node_mountstats_nfs_transport_* and node_mountstats_nfs_operations_*, labelled
 * export (the device, escapes such as \040 kept as the kernel prints them),
 * protocol and mountaddr, plus mountpoint on the info series, operation on
 * per-op series and transport (the 0-based position of the xprt line within
 * the mount, for nconnect) on transport series. Mirrors node_exporter 1.12's
 * collector/mountstats_linux.go and procfs's mountstats.go and mountinfo.go:
 *  - both files are parsed whole first; anything procfs refuses (a malformed
 *    device line, statistics on a non-NFS mount, a bytes line without 8 values,
 *    an events line without 27, an xprt line of the wrong width for its
 *    protocol and statvers, a per-op line under 9 fields, a mountinfo line
 *    without its "-" separator) fails the collector without output;
 *  - each xprt line of a mount is visited in turn with its own protocol: an
 *    info series per distinct (export, protocol, mountaddr, mountpoint), and
 *    the statistics once per (export, protocol, mountaddr), so an export
 *    mounted twice is counted once but both mount points are named;
 *  - counters in milliseconds become seconds after wrapping at 2^53, as
 *    upstream does for kernels whose counters went backwards (RHEL 7).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_rpcstat.h" /* HE_RPC_MAX_LINE */

#define MS_BYTES 8
#define MS_EVENTS 27
#define MS_XPRT_SLOTS 31 /* procfs's value slots: the 1.1 RDMA maximum, 28, plus 3 */
#define MS_OP_VALUES 9
#define MS_MANTISSA 9007199254740992ULL /* 2^53 */

/* One xprt line in procfs's common layout (udp and rdma lines are widened to it). */
struct ms_xprt {
    struct he_field proto;
    uint64_t v[MS_XPRT_SLOTS + 3];
};

struct ms_op {
    struct he_field name;
    size_t name_off; /* of its NUL-terminated copy in strs, while emitting */
    uint64_t v[MS_OP_VALUES]; /* requests .. request time, then errors (0 if absent) */
};

struct ms_mount {
    struct he_field device;
    struct he_field mountpoint; /* as mountstats prints it, escapes kept */
    bool nfs; /* the device line carried statvers, so statistics follow */
    int64_t age_ns;
    uint64_t bytes[MS_BYTES];
    uint64_t events[MS_EVENTS];
    struct ms_xprt *xprt;
    size_t nxprt, xprt_cap;
    struct ms_op *ops;
    size_t nops, ops_cap;
};

/*
 * What makes two mounts the same to upstream's de-duplication: export,
 * protocol and mountaddr for the statistics; those and the mount point for
 * node_mountstats_nfs_mountpoint_info.
 */
struct ms_key {
    struct he_field device, proto, addr, mountpoint;
};

struct ms_keys {
    struct ms_key *v;
    size_t n, cap;
};

struct mountstats_state {
    struct he_file stats_file;
    struct he_file info_file;
    struct he_field *addrs; /* "addr" of each mountinfo line, empty if none */
    size_t naddrs, addrs_cap;
    struct ms_keys seen_stats; /* (export, protocol, mountaddr) emitted */
    struct ms_keys seen_info;  /* the same plus the mount point */
    struct he_buf strs; /* NUL-terminated label values of the mount being emitted */
    struct ms_mount mount;
};

static int mountstats_init(void **state)
{
    struct mountstats_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->stats_file, false, 0);
    he_file_init(&s->info_file, false, 0);
    he_buf_init(&s->strs, 0);
    *state = s;
    return 0;
}

static void mountstats_fini(void *state)
{
    struct mountstats_state *s = state;
    he_file_fini(&s->stats_file);
    he_file_fini(&s->info_file);
    free(s->addrs);
    free(s->seen_stats.v);
    free(s->seen_info.v);
    he_buf_free(&s->strs);
    free(s->mount.xprt);
    free(s->mount.ops);
    free(s);
}

/*
 * Go's strings.Fields one field at a time: the next field of line at or after
 * *pos, advancing *pos past it; false when none is left. For lines whose width
 * is unbounded (per-op lines), where every field must be seen.
 */
static bool ms_next_field(struct he_field line, size_t *pos, struct he_field *f)
{
    size_t i = *pos, k;
    while (i < line.len && (k = he_go_space_at(line.p + i, line.len - i)) > 0) {
        i += k;
    }
    size_t start = i;
    while (i < line.len && he_go_space_at(line.p + i, line.len - i) == 0) {
        i++;
    }
    *pos = i;
    *f = (struct he_field){line.p + start, i - start};
    return i > start;
}

/* Splits a line with strings.Fields into f (up to max); returns the field count. */
static size_t ms_fields(struct he_field line, struct he_field *f, size_t max)
{
    return he_go_fields(line, f, max);
}

/* Parses every field after the first as ParseUint into v (up to max); count in *n. */
static int ms_values(struct he_field line, uint64_t *v, size_t max, size_t *n)
{
    size_t pos = 0;
    struct he_field f;
    *n = 0;
    if (!ms_next_field(line, &pos, &f)) {
        return -EINVAL;
    }
    while (ms_next_field(line, &pos, &f)) {
        uint64_t x;
        if (he_parse_u64(f, &x) < 0) {
            return -EINVAL;
        }
        if (*n < max) {
            v[*n] = x;
        }
        (*n)++;
    }
    return 0;
}

static bool ms_line_too_long(struct he_field line)
{
    return line.len > HE_RPC_MAX_LINE; /* bufio.Scanner's limit */
}

/*
 * The "addr" superblock option of one mountinfo line, as procfs's
 * parseMountInfoString reads it: fields split at single spaces, at least 10 of
 * them, "-" fourth from the end, numeric mount and parent IDs; options split at
 * ',' then '=' (a later "addr" wins, "addr" alone is empty).
 */
static int ms_mountinfo_addr(struct he_field line, struct he_field *addr)
{
    struct he_field f[4] = {{0}};
    size_t n = 0;
    const char *p = line.p, *end = line.p + line.len;
    struct he_field last[4] = {{0}}; /* the last four fields, in order */
    while (true) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        struct he_field cur = {p, (size_t)((sp ? sp : end) - p)};
        if (n < 2) {
            f[n] = cur;
        }
        memmove(&last[0], &last[1], 3 * sizeof(last[0]));
        last[3] = cur;
        n++;
        if (!sp) {
            break;
        }
        p = sp + 1;
    }
    int64_t id;
    if (n < 10 || !he_field_eq(last[0], "-") || he_parse_i64(f[0], &id) < 0 ||
        he_parse_i64(f[1], &id) < 0) {
        return -EINVAL;
    }
    *addr = (struct he_field){"", 0};
    const char *o = last[3].p, *oend = last[3].p + last[3].len;
    while (o <= oend) {
        const char *comma = memchr(o, ',', (size_t)(oend - o));
        const char *stop = comma ? comma : oend;
        const char *eq = memchr(o, '=', (size_t)(stop - o));
        struct he_field key = {o, (size_t)((eq ? eq : stop) - o)};
        if (he_field_eq(key, "addr")) {
            const char *v = eq ? eq + 1 : stop;
            const char *veq = memchr(v, '=', (size_t)(stop - v));
            *addr = (struct he_field){v, (size_t)((veq ? veq : stop) - v)};
        }
        if (!comma) {
            break;
        }
        o = comma + 1;
    }
    return 0;
}

static int ms_parse_mountinfo(struct mountstats_state *s)
{
    struct he_lines it;
    struct he_field line;
    s->naddrs = 0;
    he_lines_init(&it, s->info_file.buf.data, s->info_file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (ms_line_too_long(line)) {
            return -EINVAL;
        }
        if (line.len > 0 && line.p[line.len - 1] == '\r') {
            line.len--; /* bufio.ScanLines drops it; the "addr" option is last */
        }
        if (s->naddrs == s->addrs_cap &&
            he_array_grow((void **)&s->addrs, &s->addrs_cap, s->naddrs + 1, sizeof(*s->addrs)) < 0) {
            return -ENOMEM;
        }
        if (ms_mountinfo_addr(line, &s->addrs[s->naddrs]) < 0) {
            return -EINVAL;
        }
        s->naddrs++;
    }
    return 0;
}

/*
 * The age line's value as Go's time.ParseDuration(value + "s"): an optional
 * sign, decimal digits with an optional fraction, in int64 nanoseconds. Other
 * unit-bearing forms Go would also take ("1m30") are refused: the kernel
 * prints a plain count of seconds.
 */
static int ms_parse_age(struct he_field f, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < f.len && (f.p[i] == '-' || f.p[i] == '+')) {
        neg = f.p[i] == '-';
        i++;
    }
    uint64_t whole = 0, frac = 0, scale = 1;
    bool digits = false, overflow = false;
    for (; i < f.len && f.p[i] >= '0' && f.p[i] <= '9'; i++) {
        overflow = overflow || whole > (UINT64_MAX - 9) / 10;
        whole = whole * 10 + (uint64_t)(f.p[i] - '0');
        digits = true;
    }
    if (i < f.len && f.p[i] == '.') {
        for (i++; i < f.len && f.p[i] >= '0' && f.p[i] <= '9'; i++) {
            digits = true;
            if (scale <= UINT64_MAX / 10 / 10 && frac <= (UINT64_MAX - 9) / 10) {
                frac = frac * 10 + (uint64_t)(f.p[i] - '0');
                scale *= 10;
            }
        }
    }
    if (!digits || i != f.len || overflow || whole > (uint64_t)INT64_MAX / 1000000000ULL) {
        return -EINVAL;
    }
    uint64_t v = whole * 1000000000ULL;
    if (frac > 0) {
        v += (uint64_t)((double)frac * (1e9 / (double)scale));
    }
    if (v > (uint64_t)INT64_MAX) {
        return -EINVAL;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/*
 * One xprt line (fields after "xprt:"), checked against the width procfs
 * expects for its protocol and statvers and widened to the tcp layout: udp has
 * no connect count, connect idle time or idle time; rdma has no slot and queue
 * counters before its own.
 */
static int ms_parse_xprt(struct he_field line, struct he_field statvers, struct ms_xprt *x)
{
    struct he_field f[3];
    if (ms_fields(line, f, 3) < 3) {
        return -EINVAL;
    }
    x->proto = f[1];
    bool tcp = he_field_eq(f[1], "tcp"), udp = he_field_eq(f[1], "udp");
    bool rdma = he_field_eq(f[1], "rdma");
    uint64_t ns[MS_XPRT_SLOTS + 1];
    size_t n;
    struct he_field rest = {f[1].p, line.len - (size_t)(f[1].p - line.p)};
    if (ms_values(rest, ns, MS_XPRT_SLOTS + 1, &n) < 0) {
        return -EINVAL;
    }
    bool ok;
    if (he_field_eq(statvers, "1.0")) {
        ok = (tcp && n == 10) || (udp && n == 7);
    } else if (he_field_eq(statvers, "1.1")) {
        ok = (tcp && n == 13) || (udp && n == 10) || (rdma && n >= 20 && n <= MS_XPRT_SLOTS);
    } else {
        ok = false;
    }
    if (!ok) {
        return -EINVAL;
    }
    memset(x->v, 0, sizeof(x->v));
    if (udp) {
        x->v[0] = ns[0];
        x->v[1] = ns[1];
        memcpy(&x->v[5], &ns[2], (n - 2) * sizeof(uint64_t));
    } else if (tcp) {
        memcpy(x->v, ns, n * sizeof(uint64_t));
    } else {
        memcpy(x->v, ns, 10 * sizeof(uint64_t));
        memcpy(&x->v[13], &ns[10], (n - 10) * sizeof(uint64_t));
    }
    return 0;
}

static int ms_add_xprt(struct ms_mount *m, struct he_field line, struct he_field statvers)
{
    if (m->nxprt == m->xprt_cap &&
        he_array_grow((void **)&m->xprt, &m->xprt_cap, m->nxprt + 1, sizeof(*m->xprt)) < 0) {
        return -ENOMEM;
    }
    int rc = ms_parse_xprt(line, statvers, &m->xprt[m->nxprt]);
    if (rc == 0) {
        m->nxprt++;
    }
    return rc;
}

/* A "bytes:" or "events:" line: exactly want values. */
static int ms_fixed_values(struct he_field line, uint64_t *v, size_t want)
{
    size_t n;
    if (ms_values(line, v, want, &n) < 0 || n != want) {
        return -EINVAL;
    }
    return 0;
}

/*
 * The statistics lines after a device line, up to a blank line or "per-op",
 * as procfs's parseMountStatsNFS. Lines it does not know (caps, sec, fsc,
 * nfsv4, RPC iostats) are skipped. Returns 0 or -EINVAL.
 */
static int ms_parse_header(struct he_lines *it, struct he_field statvers, struct ms_mount *m)
{
    struct he_field line, f[2];
    while (he_lines_next(it, &line)) {
        size_t n = ms_fields(line, f, 2);
        int rc = 0;
        if (ms_line_too_long(line)) {
            return -EINVAL;
        }
        if (n == 0) {
            break;
        }
        if (he_field_eq(f[0], "opts:") || he_field_eq(f[0], "age:") ||
            he_field_eq(f[0], "bytes:") || he_field_eq(f[0], "events:")) {
            rc = n < 2 ? -EINVAL : 0;
        }
        if (rc == 0 && he_field_eq(f[0], "age:")) {
            rc = ms_parse_age(f[1], &m->age_ns);
        } else if (rc == 0 && he_field_eq(f[0], "bytes:")) {
            rc = ms_fixed_values(line, m->bytes, MS_BYTES);
        } else if (rc == 0 && he_field_eq(f[0], "events:")) {
            rc = ms_fixed_values(line, m->events, MS_EVENTS);
        } else if (he_field_eq(f[0], "xprt:")) {
            rc = ms_add_xprt(m, line, statvers);
        }
        if (rc < 0) {
            return rc;
        }
        if (he_field_eq(f[0], "per-op")) {
            break;
        }
    }
    return 0;
}

/* Per-operation lines up to a blank line: a name and at least 8 numbers. */
static int ms_parse_ops(struct he_lines *it, struct ms_mount *m)
{
    struct he_field line, name;
    while (he_lines_next(it, &line)) {
        size_t pos = 0, n;
        if (ms_line_too_long(line)) {
            return -EINVAL;
        }
        if (!ms_next_field(line, &pos, &name)) {
            break;
        }
        if (m->nops == m->ops_cap &&
            he_array_grow((void **)&m->ops, &m->ops_cap, m->nops + 1, sizeof(*m->ops)) < 0) {
            return -ENOMEM;
        }
        struct ms_op *op = &m->ops[m->nops];
        memset(op->v, 0, sizeof(op->v));
        if (ms_values(line, op->v, MS_OP_VALUES, &n) < 0 || n < MS_OP_VALUES - 1) {
            return -EINVAL;
        }
        if (name.len > 0 && name.p[name.len - 1] == ':') {
            name.len--;
        }
        op->name = name;
        m->nops++;
    }
    return 0;
}

/*
 * "device D mounted on M with fstype T [statvers=V]": at least 8 fields with
 * those words in place; statistics may follow only an nfs or nfs4 mount.
 */
static int ms_parse_device(struct he_lines *it, struct he_field line, struct ms_mount *m)
{
    struct he_field f[9];
    size_t n = ms_fields(line, f, 9);
    if (n < 8 || !he_field_eq(f[2], "mounted") || !he_field_eq(f[3], "on") ||
        !he_field_eq(f[5], "with") || !he_field_eq(f[6], "fstype")) {
        return -EINVAL;
    }
    m->device = f[1];
    m->mountpoint = f[4];
    m->nfs = n > 8;
    m->age_ns = 0;
    memset(m->bytes, 0, sizeof(m->bytes));
    memset(m->events, 0, sizeof(m->events));
    m->nxprt = 0;
    m->nops = 0;
    if (!m->nfs) {
        return 0;
    }
    if (!he_field_eq(f[7], "nfs") && !he_field_eq(f[7], "nfs4")) {
        return -EINVAL;
    }
    struct he_field statvers = f[8];
    if (statvers.len >= 9 && memcmp(statvers.p, "statvers=", 9) == 0) {
        statvers.p += 9;
        statvers.len -= 9;
    }
    int rc = ms_parse_header(it, statvers, m);
    return rc < 0 ? rc : ms_parse_ops(it, m);
}

/* A family fed from one array slot of a mount. */
struct ms_metric {
    const char *name;
    const char *help;
    unsigned char index;
};

static const struct ms_metric ms_bytes_metrics[] = {
    {"node_mountstats_nfs_read_bytes_total", "Number of bytes read using the read() syscall.", 0},
    {"node_mountstats_nfs_write_bytes_total", "Number of bytes written using the write() syscall.",
     1},
    {"node_mountstats_nfs_direct_read_bytes_total",
     "Number of bytes read using the read() syscall in O_DIRECT mode.", 2},
    {"node_mountstats_nfs_direct_write_bytes_total",
     "Number of bytes written using the write() syscall in O_DIRECT mode.", 3},
    {"node_mountstats_nfs_total_read_bytes_total",
     "Number of bytes read from the NFS server, in total.", 4},
    {"node_mountstats_nfs_total_write_bytes_total",
     "Number of bytes written to the NFS server, in total.", 5},
    {"node_mountstats_nfs_read_pages_total", "Number of pages read directly via mmap()'d files.", 6},
    {"node_mountstats_nfs_write_pages_total", "Number of pages written directly via mmap()'d files.",
     7},
};

/* Events by position in the events line; 18 (congestion wait) is not exported. HELP as upstream. */
static const struct ms_metric ms_event_metrics[] = {
    {"node_mountstats_nfs_event_inode_revalidate_total",
     "Number of times cached inode attributes are re-validated from the server.", 0},
    {"node_mountstats_nfs_event_dnode_revalidate_total",
     "Number of times cached dentry nodes are re-validated from the server.", 1},
    {"node_mountstats_nfs_event_data_invalidate_total", "Number of times an inode cache is cleared.",
     2},
    {"node_mountstats_nfs_event_attribute_invalidate_total",
     "Number of times cached inode attributes are invalidated.", 3},
    {"node_mountstats_nfs_event_vfs_open_total",
     "Number of times cached inode attributes are invalidated.", 4},
    {"node_mountstats_nfs_event_vfs_lookup_total", "Number of times a directory lookup has occurred.",
     5},
    {"node_mountstats_nfs_event_vfs_access_total", "Number of times permissions have been checked.",
     6},
    {"node_mountstats_nfs_event_vfs_update_page_total",
     "Number of updates (and potential writes) to pages.", 7},
    {"node_mountstats_nfs_event_vfs_read_page_total",
     "Number of pages read directly via mmap()'d files.", 8},
    {"node_mountstats_nfs_event_vfs_read_pages_total",
     "Number of times a group of pages have been read.", 9},
    {"node_mountstats_nfs_event_vfs_write_page_total",
     "Number of pages written directly via mmap()'d files.", 10},
    {"node_mountstats_nfs_event_vfs_write_pages_total",
     "Number of times a group of pages have been written.", 11},
    {"node_mountstats_nfs_event_vfs_getdents_total",
     "Number of times directory entries have been read with getdents().", 12},
    {"node_mountstats_nfs_event_vfs_setattr_total",
     "Number of times directory entries have been read with getdents().", 13},
    {"node_mountstats_nfs_event_vfs_flush_total",
     "Number of pending writes that have been forcefully flushed to the server.", 14},
    {"node_mountstats_nfs_event_vfs_fsync_total",
     "Number of times fsync() has been called on directories and files.", 15},
    {"node_mountstats_nfs_event_vfs_lock_total",
     "Number of times locking has been attempted on a file.", 16},
    {"node_mountstats_nfs_event_vfs_file_release_total",
     "Number of times files have been closed and released.", 17},
    {"node_mountstats_nfs_event_truncation_total", "Number of times files have been truncated.", 19},
    {"node_mountstats_nfs_event_write_extension_total",
     "Number of times a file has been grown due to writes beyond its existing end.", 20},
    {"node_mountstats_nfs_event_silly_rename_total",
     "Number of times a file was removed while still open by another process.", 21},
    {"node_mountstats_nfs_event_short_read_total",
     "Number of times the NFS server gave less data than expected while reading.", 22},
    {"node_mountstats_nfs_event_short_write_total",
     "Number of times the NFS server wrote less data than expected while writing.", 23},
    {"node_mountstats_nfs_event_jukebox_delay_total",
     "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage.", 24},
    {"node_mountstats_nfs_event_pnfs_read_total", "Number of NFS v4.1+ pNFS reads.", 25},
    {"node_mountstats_nfs_event_pnfs_write_total", "Number of NFS v4.1+ pNFS writes.", 26},
};

/* Transport counters by slot of the widened xprt line. */
static const struct ms_metric ms_xprt_counters[] = {
    {"node_mountstats_nfs_transport_bind_total",
     "Number of times the client has had to establish a connection from scratch to the NFS "
     "server.",
     1},
    {"node_mountstats_nfs_transport_connect_total",
     "Number of times the client has made a TCP connection to the NFS server.", 2},
    {"node_mountstats_nfs_transport_sends_total",
     "Number of RPC requests for this mount sent to the NFS server.", 5},
    {"node_mountstats_nfs_transport_receives_total",
     "Number of RPC responses for this mount received from the NFS server.", 6},
    {"node_mountstats_nfs_transport_bad_transaction_ids_total",
     "Number of times the NFS server sent a response with a transaction ID unknown to this "
     "client.",
     7},
    {"node_mountstats_nfs_transport_backlog_queue_total",
     "Total number of items added to the RPC backlog queue.", 9},
    {"node_mountstats_nfs_transport_sending_queue_total",
     "Total number of items added to the RPC transmission sending queue.", 11},
    {"node_mountstats_nfs_transport_pending_queue_total",
     "Total number of items added to the RPC transmission pending queue.", 12},
};

/* Per-operation counters but errors; 5..7 are milliseconds exported as seconds. */
static const struct ms_metric ms_op_metrics[] = {
    {"node_mountstats_nfs_operations_requests_total",
     "Number of requests performed for a given operation.", 0},
    {"node_mountstats_nfs_operations_transmissions_total",
     "Number of times an actual RPC request has been transmitted for a given operation.", 1},
    {"node_mountstats_nfs_operations_major_timeouts_total",
     "Number of times a request has had a major timeout for a given operation.", 2},
    {"node_mountstats_nfs_operations_sent_bytes_total",
     "Number of bytes sent for a given operation, including RPC headers and payload.", 3},
    {"node_mountstats_nfs_operations_received_bytes_total",
     "Number of bytes received for a given operation, including RPC headers and payload.", 4},
    {"node_mountstats_nfs_operations_queue_time_seconds_total",
     "Duration all requests spent queued for transmission for a given operation before they "
     "were sent, in seconds.",
     5},
    {"node_mountstats_nfs_operations_response_time_seconds_total",
     "Duration all requests took to get a reply back after a request for a given operation was "
     "transmitted, in seconds.",
     6},
    {"node_mountstats_nfs_operations_request_time_seconds_total",
     "Duration all requests took from when a request was enqueued to when it was completely "
     "handled for a given operation, in seconds.",
     7},
};

#define MS_N(a) (sizeof(a) / sizeof((a)[0]))

/* Appends f and a NUL to b; its offset in *off. */
static int ms_put(struct he_buf *b, struct he_field f, size_t *off)
{
    *off = b->len;
    int rc = he_buf_append(b, f.p, f.len);
    return rc < 0 ? rc : he_buf_putc(b, '\0');
}

static void ms_emit_values(struct he_writer *w, const struct ms_metric *t, size_t n,
                           const uint64_t *v, const struct he_label *l)
{
    for (size_t i = 0; i < n; i++) {
        he_writer_family(w, t[i].name, t[i].help, HE_COUNTER);
        he_writer_sample(w, l, 3, (double)v[t[i].index]);
    }
}

/* Transport series carry the transport's position among the mount's xprt lines. */
static void ms_emit_xprt(struct he_writer *w, const struct ms_mount *m, const struct he_label *l3)
{
    for (size_t k = 0; k < m->nxprt; k++) {
        const uint64_t *v = m->xprt[k].v;
        char idx[24];
        snprintf(idx, sizeof(idx), "%zu", k);
        struct he_label l[4] = {l3[0], l3[1], l3[2], {"transport", idx}};
        for (size_t i = 0; i < MS_N(ms_xprt_counters); i++) {
            he_writer_family(w, ms_xprt_counters[i].name, ms_xprt_counters[i].help, HE_COUNTER);
            he_writer_sample(w, l, 4, (double)v[ms_xprt_counters[i].index]);
        }
        he_writer_family(w, "node_mountstats_nfs_transport_idle_time_seconds",
                         "Duration since the NFS mount last saw any RPC traffic, in seconds.",
                         HE_GAUGE);
        he_writer_sample(w, l, 4, (double)(v[4] % MS_MANTISSA));
        he_writer_family(w, "node_mountstats_nfs_transport_maximum_rpc_slots",
                         "Maximum number of simultaneously active RPC requests ever used.",
                         HE_GAUGE);
        he_writer_sample(w, l, 4, (double)v[10]);
    }
}

/*
 * Per-operation counters; the three times are milliseconds exported as
 * seconds, and the error count (the kernel's tenth field, 0 where it is
 * absent) is wrapped at 2^53 as upstream does.
 */
static void ms_emit_ops(struct he_writer *w, const struct mountstats_state *s,
                        const struct he_label *l3)
{
    const struct ms_mount *m = &s->mount;
    for (size_t k = 0; k < m->nops; k++) {
        const struct ms_op *op = &m->ops[k];
        struct he_label l[4] = {l3[0], l3[1], l3[2], {"operation", s->strs.data + op->name_off}};
        for (size_t i = 0; i < MS_N(ms_op_metrics); i++) {
            uint64_t v = op->v[ms_op_metrics[i].index];
            double d = i >= 5 ? (double)(v % MS_MANTISSA) / 1000.0 : (double)v;
            he_writer_family(w, ms_op_metrics[i].name, ms_op_metrics[i].help, HE_COUNTER);
            he_writer_sample(w, l, 4, d);
        }
        he_writer_family(w, "node_mountstats_nfs_operations_errors_total",
                         "Number of errors for a given operation", HE_COUNTER);
        he_writer_sample(w, l, 4, (double)(op->v[8] % MS_MANTISSA));
    }
}

/* Go's Duration.Seconds(). */
static double ms_seconds(int64_t ns)
{
    return (double)(ns / 1000000000) + (double)(ns % 1000000000) / 1e9;
}

/*
 * Copies the label values of the current mount into strs (export, protocol,
 * mountaddr, mount point, then each operation name). Returns 0 or -ENOMEM.
 */
static int ms_label_strings(struct mountstats_state *s, const struct ms_key *key, size_t off[4])
{
    struct ms_mount *m = &s->mount;
    he_buf_reset(&s->strs);
    int rc = ms_put(&s->strs, key->device, &off[0]);
    rc = rc < 0 ? rc : ms_put(&s->strs, key->proto, &off[1]);
    rc = rc < 0 ? rc : ms_put(&s->strs, key->addr, &off[2]);
    rc = rc < 0 ? rc : ms_put(&s->strs, key->mountpoint, &off[3]);
    for (size_t k = 0; rc == 0 && k < m->nops; k++) {
        rc = ms_put(&s->strs, m->ops[k].name, &m->ops[k].name_off);
    }
    return rc;
}

static bool ms_field_same(struct he_field a, struct he_field b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/*
 * True in *seen when keys already holds key (the mount point compared only
 * when with_mp); otherwise records it. Returns 0 or -ENOMEM.
 */
static int ms_seen(struct ms_keys *keys, const struct ms_key *key, bool with_mp, bool *seen)
{
    for (size_t i = 0; i < keys->n; i++) {
        const struct ms_key *k = &keys->v[i];
        if (ms_field_same(k->device, key->device) && ms_field_same(k->proto, key->proto) &&
            ms_field_same(k->addr, key->addr) &&
            (!with_mp || ms_field_same(k->mountpoint, key->mountpoint))) {
            *seen = true;
            return 0;
        }
    }
    *seen = false;
    if (keys->n == keys->cap &&
        he_array_grow((void **)&keys->v, &keys->cap, keys->n + 1, sizeof(*keys->v)) < 0) {
        return -ENOMEM;
    }
    keys->v[keys->n++] = *key;
    return 0;
}

/* Everything but the mount point info for one (export, protocol, mountaddr). */
static void ms_emit_stats(struct mountstats_state *s, struct he_writer *w, const size_t off[4])
{
    const struct ms_mount *m = &s->mount;
    const char *d = s->strs.data;
    struct he_label l[3] = {{"export", d + off[0]}, {"protocol", d + off[1]},
                            {"mountaddr", d + off[2]}};
    he_writer_family(w, "node_mountstats_nfs_age_seconds_total",
                     "The age of the NFS mount in seconds.", HE_COUNTER);
    he_writer_sample(w, l, 3, ms_seconds(m->age_ns));
    ms_emit_values(w, ms_bytes_metrics, MS_N(ms_bytes_metrics), m->bytes, l);
    ms_emit_values(w, ms_event_metrics, MS_N(ms_event_metrics), m->events, l);
    ms_emit_xprt(w, m, l);
    ms_emit_ops(w, s, l);
}

/*
 * Emits the mount at position idx of mountstats as upstream's Update does: for
 * each xprt line in turn, with that transport's protocol as the label, an
 * info series unless the same (export, protocol, mountaddr, mountpoint) was
 * seen, then the statistics (all transports) unless the same (export,
 * protocol, mountaddr) was seen, which ends the mount. A mount without
 * statistics or without any xprt line gives nothing.
 */
static int ms_emit_mount(struct mountstats_state *s, struct he_writer *w, size_t idx)
{
    struct ms_mount *m = &s->mount;
    if (!m->nfs) {
        return 0;
    }
    struct he_field addr = idx < s->naddrs ? s->addrs[idx] : (struct he_field){"", 0};
    for (size_t k = 0; k < m->nxprt; k++) {
        struct ms_key key = {m->device, m->xprt[k].proto, addr, m->mountpoint};
        size_t off[4];
        bool seen;
        int rc = ms_label_strings(s, &key, off);
        rc = rc < 0 ? rc : ms_seen(&s->seen_info, &key, true, &seen);
        if (rc < 0) {
            return rc;
        }
        if (!seen) {
            const char *d = s->strs.data;
            struct he_label l[4] = {{"export", d + off[0]}, {"protocol", d + off[1]},
                                    {"mountaddr", d + off[2]}, {"mountpoint", d + off[3]}};
            he_writer_family(w, "node_mountstats_nfs_mountpoint_info",
                             "Info metric for an NFS mountpoint.", HE_GAUGE);
            he_writer_sample(w, l, 4, 1);
        }
        rc = ms_seen(&s->seen_stats, &key, false, &seen);
        if (rc < 0 || seen) {
            return rc;
        }
        ms_emit_stats(s, w, off);
    }
    return 0;
}

/*
 * Walks mountstats; with w NULL only checks it parses, so that a file procfs
 * would refuse fails before anything is emitted.
 */
static int ms_walk(struct mountstats_state *s, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line, f;
    size_t idx = 0;
    s->seen_stats.n = 0;
    s->seen_info.n = 0;
    he_lines_init(&it, s->stats_file.buf.data, s->stats_file.buf.len);
    while (he_lines_next(&it, &line)) {
        size_t pos = 0;
        if (ms_line_too_long(line)) {
            return -EINVAL;
        }
        if (!ms_next_field(line, &pos, &f) || !he_field_eq(f, "device")) {
            continue;
        }
        int rc = ms_parse_device(&it, line, &s->mount);
        if (rc == 0 && w) {
            rc = ms_emit_mount(s, w, idx);
        }
        if (rc < 0) {
            return rc;
        }
        idx++;
    }
    return 0;
}

static int ms_read(struct he_file *f, const char *rel, char *path, size_t size)
{
    int rc = he_path_proc(path, size, rel);
    return rc < 0 ? rc : he_file_read(f, path);
}

static int mountstats_collect(void *state, struct he_writer *w)
{
    struct mountstats_state *s = state;
    char path[4096];
    int rc = ms_read(&s->stats_file, "self/mountstats", path, sizeof(path));
    if (rc == 0) {
        rc = ms_walk(s, NULL);
    }
    if (rc == 0) {
        rc = ms_read(&s->info_file, "self/mountinfo", path, sizeof(path));
    }
    if (rc == 0) {
        rc = ms_parse_mountinfo(s);
    }
    if (rc == 0) {
        rc = ms_walk(s, w);
    }
    if (rc < 0) {
        he_log_debug("mountstats: failed to parse", "path", path, NULL);
    }
    return rc;
}

static const struct he_collector mountstats_collector = {
    .name = "mountstats",
    .default_enabled = false,
    .init = mountstats_init,
    .collect = mountstats_collect,
    .fini = mountstats_fini,
};

HE_COLLECTOR_REGISTER(mountstats_collector)
