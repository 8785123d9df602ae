/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udp_queues: node_udp_queues{ip="v4"|"v6",queue="tx"|"rx"}, the bytes queued
 * on all UDP sockets, from the tx_queue:rx_queue column of <procfs>/net/udp
 * and <procfs>/net/udp6. Mirrors node_exporter 1.12's
 * collector/udp_queues_linux.go over procfs' net_udp.go and net_ip_socket.go
 * (NetUDPSummary), whose checks of each socket line this keeps:
 *   - the first line is the header; every other line needs at least 10
 *     fields: "sl:", local and remote "hexaddr:hexport" with a 4- or 16-byte
 *     address, hex st, "hextx:hexrx", and base-0 uid and inode; a UDP line
 *     also needs its drops count (field 12, base 0);
 *   - any bad line, or one of 64 KiB or more, fails that file; sums wrap at
 *     2^64 as Go's uint64 does;
 *   - a missing file (IPv4 or IPv6 disabled) is skipped; both missing is "no
 *     data"; the IPv4 pair is emitted before udp6 is read, so it stays when
 *     udp6 fails, as upstream.
 * procfs indexes the drops field of a UDP line without checking that the line
 * has one, so a line of 10 to 12 fields panics node_exporter; here it fails
 * the scrape.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define UDP_QUEUES_MAX_LINE (64u * 1024u)
/* One line per socket: a busy host's table can run to tens of MiB. */
#define UDP_QUEUES_FILE_LIMIT (256u * 1024u * 1024u)
#define UDP_QUEUES_FIELDS 13

struct udp_queues_state {
    struct he_file files[2];   /* udp, udp6: kept open, re-read from offset 0 */
};

struct udp_queues_sum {
    uint64_t tx, rx;
};

static int udp_queues_init(void **state)
{
    struct udp_queues_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->files[0], true, UDP_QUEUES_FILE_LIMIT);
    he_file_init(&s->files[1], true, UDP_QUEUES_FILE_LIMIT);
    *state = s;
    return 0;
}

static void udp_queues_fini(void *state)
{
    struct udp_queues_state *s = state;
    he_file_fini(&s->files[0]);
    he_file_fini(&s->files[1]);
    free(s);
}

/* strings.Split(f, ":") into exactly two parts, as procfs requires. 0 or -EINVAL. */
static int udp_queues_split2(struct he_field f, struct he_field *a, struct he_field *b)
{
    const char *colon = memchr(f.p, ':', f.len);
    if (!colon) {
        return -EINVAL;
    }
    *a = (struct he_field){f.p, (size_t)(colon - f.p)};
    *b = (struct he_field){colon + 1, f.len - a->len - 1};
    return memchr(b->p, ':', b->len) ? -EINVAL : 0;
}

/* An "address:port" field: hex.DecodeString to 4 or 16 bytes, then a hex port. */
static int udp_queues_addr(struct he_field f)
{
    struct he_field ip;
    struct he_field port;
    uint64_t v;
    if (udp_queues_split2(f, &ip, &port) < 0 || (ip.len != 8 && ip.len != 32)) {
        return -EINVAL;
    }
    for (size_t i = 0; i < ip.len; i++) {
        if (he_hex_digit(ip.p[i]) < 0) {
            return -EINVAL;
        }
    }
    return he_parse_u64_hex(port, UINT64_MAX, &v);
}

/* Checks one socket line as parseNetIPSocketLine does and adds its queues to sum. */
static int udp_queues_line(struct he_field line, struct udp_queues_sum *sum)
{
    struct he_field f[UDP_QUEUES_FIELDS];
    struct he_field a;
    struct he_field b;
    uint64_t v;
    uint64_t tx;
    uint64_t rx;
    size_t n = he_go_fields(line, f, UDP_QUEUES_FIELDS);
    if (n < 10) {
        return -EINVAL;
    }
    if (udp_queues_split2(f[0], &a, &b) < 0 || he_parse_u64_base0(a, &v) < 0 ||
        udp_queues_addr(f[1]) < 0 || udp_queues_addr(f[2]) < 0 ||
        he_parse_u64_hex(f[3], UINT64_MAX, &v) < 0 || udp_queues_split2(f[4], &a, &b) < 0 ||
        he_parse_u64_hex(a, UINT64_MAX, &tx) < 0 || he_parse_u64_hex(b, UINT64_MAX, &rx) < 0 ||
        he_parse_u64_base0(f[7], &v) < 0 || he_parse_u64_base0(f[9], &v) < 0) {
        return -EINVAL;
    }
    /* The drops field: upstream panics when it is missing. */
    if (n < UDP_QUEUES_FIELDS || he_parse_u64_base0(f[12], &v) < 0) {
        return -EINVAL;
    }
    sum->tx += tx;
    sum->rx += rx;
    return 0;
}

/* Sums the queues of every socket line after the header. */
static int udp_queues_parse(const struct he_buf *text, struct udp_queues_sum *sum)
{
    struct he_lines it;
    struct he_field line;
    bool header = true;
    he_lines_init(&it, text->data, text->len);
    while (he_lines_next(&it, &line)) {
        if (line.len >= UDP_QUEUES_MAX_LINE) {
            return -EFBIG;
        }
        if (header) {
            header = false;
            continue;
        }
        if (udp_queues_line(line, sum) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/* Reads and sums one file, emitting its pair. -ENOENT when it does not exist. */
static int udp_queues_file(struct he_file *f, const char *rel, const char *ip,
                           struct he_writer *w)
{
    char path[4096];
    struct udp_queues_sum sum = {0, 0};
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    if (rc == 0) {
        rc = udp_queues_parse(&f->buf, &sum);
    }
    if (rc == -ENOENT) {
        he_log_debug("udp_queues: not collecting", "path", path, NULL);
        return rc;
    }
    if (rc < 0) {
        he_log_debug("udp_queues: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    static const char help[] = "Number of allocated memory in the kernel for UDP datagrams in bytes.";
    struct he_label tx[] = {{"queue", "tx"}, {"ip", ip}};
    struct he_label rx[] = {{"queue", "rx"}, {"ip", ip}};
    he_writer_family(w, "node_udp_queues", help, HE_GAUGE);
    he_writer_sample(w, tx, 2, (double)sum.tx);
    he_writer_sample(w, rx, 2, (double)sum.rx);
    return 0;
}

static int udp_queues_collect(void *state, struct he_writer *w)
{
    struct udp_queues_state *s = state;
    int rc4 = udp_queues_file(&s->files[0], "net/udp", "v4", w);
    if (rc4 < 0 && rc4 != -ENOENT) {
        return rc4;
    }
    int rc6 = udp_queues_file(&s->files[1], "net/udp6", "v6", w);
    if (rc6 < 0 && rc6 != -ENOENT) {
        return rc6;
    }
    return rc4 == -ENOENT && rc6 == -ENOENT ? -ENODATA : 0;
}

static const struct he_collector udp_queues_collector = {
    .name = "udp_queues",
    .default_enabled = true,
    .init = udp_queues_init,
    .collect = udp_queues_collect,
    .fini = udp_queues_fini,
};

HE_COLLECTOR_REGISTER(udp_queues_collector)
