/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netstat: node_netstat_<Protocol>_<Field> from <procfs>/net/netstat,
 * <procfs>/net/snmp and <procfs>/net/snmp6, one untyped family per counter
 * whose "<Protocol>_<Field>" key matches --collector.netstat.fields (Go regexp,
 * unanchored; the default keeps the error, octet, segment and datagram
 * counters dashboards use). HELP is "Statistic <Protocol><Field>.". Mirrors
 * node_exporter 1.12's collector/netstat_linux.go, whose own parsers this
 * keeps:
 *   - net/netstat and net/snmp come in line pairs, "Proto: Name Name ..." then
 *     "Proto: value value ...", split at single spaces; the protocol is the
 *     first word without its last byte; a pair whose word counts differ fails
 *     the scrape, and a last header without a value line counts as paired
 *     with an empty line;
 *   - net/snmp6 has one "Ip6InReceives   123" line per counter: the protocol
 *     runs up to the first '6', lines with fewer than two words or no '6' are
 *     skipped, and a missing snmp6 (IPv6 disabled) is no error;
 *   - upstream keeps the counters in one map per protocol: a repeated header
 *     replaces the protocol's earlier block, snmp's protocols replace
 *     netstat's and snmp6's both, and a repeated name keeps its last value;
 *   - every value that survives is parsed as a float before anything is
 *     filtered, so one bad value fails the scrape (upstream emits a random
 *     part of the map first, in map order; here nothing is emitted);
 *   - a line of 64 KiB or more fails the scrape (bufio.Scanner's limit).
 * Upstream panics on an empty header line (it slices before index 0) and on a
 * matching name that is not a valid metric name; here the first fails the
 * scrape and the second is refused by the writer. Keys holding a NUL byte,
 * which no metric name may hold, are skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_sort.h"

/* bufio.Scanner's default MaxScanTokenSize: no line may be this long. */
#define NETSTAT_MAX_LINE (64u * 1024u)

/* --collector.netstat.fields; written once by flag parsing before any init. */
static const char *netstat_fields_flag;

static const struct he_flag netstat_flags[] = {
    {"collector.netstat.fields", HE_FLAG_STRING,
     "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
     "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|"
     "Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
     "Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$",
     "Regexp of fields to return for netstat collector.", &netstat_fields_flag,
     he_regex_check_flag},
    {0},
};

/* One "name value" pair, pointing into a file buffer. */
struct netstat_entry {
    struct he_field name;
    struct he_field value;
    uint32_t block;
};

/*
 * A run of counters of one protocol: a header pair, or consecutive snmp6 lines.
 * Upstream's map for a protocol ends up holding the blocks of its latest
 * generation: each header pair is a generation of its own (it replaces the
 * map), all of snmp6 is one (its lines add to the map).
 */
struct netstat_block {
    struct he_field proto;
    uint32_t gen;
    bool live;   /* of its protocol's latest generation */
};

enum { NETSTAT_FILE_NETSTAT, NETSTAT_FILE_SNMP, NETSTAT_FILE_SNMP6, NETSTAT_NFILES };

struct netstat_state {
    struct he_file files[NETSTAT_NFILES];
    struct he_regex fields;   /* unset when the flag is "", which Go matches everywhere */
    struct netstat_entry *entries;
    size_t nentries, entries_cap;
    struct netstat_block *blocks;
    size_t nblocks, blocks_cap;
    uint32_t ngen;
    uint32_t *idx, *tmp;      /* sort scratch, as long as the longer of the two arrays */
    size_t idx_cap, tmp_cap;
    struct he_buf key;        /* "<Protocol>_<Field>" */
    struct he_buf name;       /* "node_netstat_<Protocol>_<Field>" */
    struct he_buf help;
    /*
     * The plan: which entries survive, in emission order (plan[]), and which of
     * them the fields pattern keeps (keep[]). It depends only on the files' shape
     * (blocks, protocols, names; not the values), which the kernel does not change
     * between scrapes, so it is made again only when the shape differs from
     * plan_shape. That skips the sort, the dedup and the pattern on ~400 keys.
     */
    struct he_buf shape, plan_shape;
    bool have_plan;
    uint32_t *plan;
    bool *keep;
    size_t nplan, plan_cap, keep_cap;
};

static int netstat_init(void **state)
{
    struct netstat_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (!s) {
        return -ENOMEM;
    }
    /* The flag was checked at start-up, so only memory can fail here. */
    if (he_regex_compile(&s->fields, netstat_fields_flag, err, sizeof(err)) < 0) {
        he_log_error("netstat: bad --collector.netstat.fields", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    /* All kept open; snmp6 is absent without IPv6 and then tried again each scrape. */
    he_file_init(&s->files[NETSTAT_FILE_NETSTAT], true, 0);
    he_file_init(&s->files[NETSTAT_FILE_SNMP], true, 0);
    he_file_init(&s->files[NETSTAT_FILE_SNMP6], true, 0);
    he_buf_init(&s->key, 2 * NETSTAT_MAX_LINE + 64);
    he_buf_init(&s->name, 2 * NETSTAT_MAX_LINE + 64);
    he_buf_init(&s->help, 2 * NETSTAT_MAX_LINE + 64);
    he_buf_init(&s->shape, 0);
    he_buf_init(&s->plan_shape, 0);
    *state = s;
    return 0;
}

static void netstat_fini(void *state)
{
    struct netstat_state *s = state;
    for (int i = 0; i < NETSTAT_NFILES; i++) {
        he_file_fini(&s->files[i]);
    }
    he_regex_free(&s->fields);
    free(s->entries);
    free(s->blocks);
    free(s->idx);
    free(s->tmp);
    he_buf_free(&s->key);
    he_buf_free(&s->name);
    he_buf_free(&s->help);
    he_buf_free(&s->shape);
    he_buf_free(&s->plan_shape);
    free(s->plan);
    free(s->keep);
    free(s);
}

static int netstat_add_block(struct netstat_state *s, struct he_field proto, uint32_t gen)
{
    if (s->nblocks >= UINT32_MAX ||
        he_array_grow((void **)&s->blocks, &s->blocks_cap, s->nblocks + 1, sizeof(*s->blocks))) {
        return -ENOMEM;
    }
    s->blocks[s->nblocks++] = (struct netstat_block){proto, gen, false};
    return 0;
}

static int netstat_add_entry(struct netstat_state *s, struct he_field name, struct he_field value)
{
    if (s->nentries >= UINT32_MAX || he_array_grow((void **)&s->entries, &s->entries_cap,
                                                   s->nentries + 1, sizeof(*s->entries))) {
        return -ENOMEM;
    }
    s->entries[s->nentries++] =
        (struct netstat_entry){name, value, (uint32_t)(s->nblocks - 1)};
    return 0;
}

/*
 * The next line as bufio.Scanner yields it: without "\n" or "\r\n". Returns 1,
 * 0 at the end, or -EFBIG for a line the scanner refuses.
 */
static int netstat_next_line(struct he_lines *it, struct he_field *line)
{
    if (!he_lines_next(it, line)) {
        return 0;
    }
    if (line->len >= NETSTAT_MAX_LINE) {
        return -EFBIG;
    }
    if (line->len > 0 && line->p[line->len - 1] == '\r') {
        line->len--;
    }
    return 1;
}

/* Number of words strings.Split(line, " ") yields. */
static size_t netstat_count_words(struct he_field line)
{
    size_t n = 1;
    for (size_t i = 0; i < line.len; i++) {
        n += line.p[i] == ' ';
    }
    return n;
}

/* The word of line starting at *pos, up to the next single space; moves *pos past it. */
static struct he_field netstat_word(struct he_field line, size_t *pos)
{
    size_t start = *pos;
    const char *sp = memchr(line.p + start, ' ', line.len - start);
    size_t end = sp ? (size_t)(sp - line.p) : line.len;
    *pos = sp ? end + 1 : line.len;
    return (struct he_field){line.p + start, end - start};
}

/* One header/value pair of net/netstat or net/snmp. */
static int netstat_pair(struct netstat_state *s, struct he_field names, struct he_field values)
{
    size_t n = netstat_count_words(names);
    size_t npos = 0;
    size_t vpos = 0;
    struct he_field proto = netstat_word(names, &npos);
    netstat_word(values, &vpos);
    if (proto.len == 0) {
        return -EINVAL; /* upstream panics slicing the empty word */
    }
    proto.len--; /* the ':' or whatever byte ends the word */
    int rc = netstat_add_block(s, proto, s->ngen++);
    if (rc == 0 && n != netstat_count_words(values)) {
        rc = -EINVAL;
    }
    for (size_t i = 1; rc == 0 && i < n; i++) {
        struct he_field name = netstat_word(names, &npos);
        rc = netstat_add_entry(s, name, netstat_word(values, &vpos));
    }
    return rc;
}

/* net/netstat or net/snmp: line pairs, the value line "" when the file ends first. */
static int netstat_parse_pairs(struct netstat_state *s, const struct he_buf *text)
{
    struct he_lines it;
    struct he_field names;
    struct he_field values;
    int rc;
    he_lines_init(&it, text->data, text->len);
    while ((rc = netstat_next_line(&it, &names)) > 0) {
        rc = netstat_next_line(&it, &values);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            values = (struct he_field){names.p, 0};
        }
        rc = netstat_pair(s, names, values);
        if (rc < 0) {
            return rc;
        }
    }
    return rc;
}

/* Bytewise order of two fields, as Go compares strings. */
static int netstat_field_cmp(struct he_field a, struct he_field b)
{
    int c = memcmp(a.p, b.p, a.len < b.len ? a.len : b.len);
    if (c != 0) {
        return c;
    }
    return (a.len > b.len) - (a.len < b.len);
}

/* net/snmp6: "Ip6InReceives 123" lines; the protocol runs up to the first '6'. */
static int netstat_parse_snmp6(struct netstat_state *s, const struct he_buf *text)
{
    uint32_t gen = s->ngen++;
    size_t first = s->nblocks;
    struct he_lines it;
    struct he_field line;
    struct he_field f[2];
    int rc;
    he_lines_init(&it, text->data, text->len);
    while ((rc = netstat_next_line(&it, &line)) > 0) {
        if (he_go_fields(line, f, 2) < 2) {
            continue;
        }
        const char *six = memchr(f[0].p, '6', f[0].len);
        if (!six) {
            continue;
        }
        struct he_field proto = {f[0].p, (size_t)(six - f[0].p) + 1};
        struct he_field name = {six + 1, f[0].len - proto.len};
        if (s->nblocks == first || netstat_field_cmp(s->blocks[s->nblocks - 1].proto, proto)) {
            rc = netstat_add_block(s, proto, gen);
        }
        if (rc >= 0) {
            rc = netstat_add_entry(s, name, f[1]);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return rc;
}

static int netstat_block_cmp(const void *ctx, uint32_t a, uint32_t b)
{
    const struct netstat_state *s = ctx;
    return netstat_field_cmp(s->blocks[a].proto, s->blocks[b].proto);
}

/* Orders entries by protocol and name, the keys of upstream's maps. */
static int netstat_entry_cmp(const void *ctx, uint32_t a, uint32_t b)
{
    const struct netstat_state *s = ctx;
    const struct netstat_entry *x = &s->entries[a];
    const struct netstat_entry *y = &s->entries[b];
    int c = netstat_field_cmp(s->blocks[x->block].proto, s->blocks[y->block].proto);
    return c != 0 ? c : netstat_field_cmp(x->name, y->name);
}

static int netstat_scratch(struct netstat_state *s, size_t n)
{
    if (he_array_grow((void **)&s->idx, &s->idx_cap, n, sizeof(*s->idx)) ||
        he_array_grow((void **)&s->tmp, &s->tmp_cap, n, sizeof(*s->tmp))) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        s->idx[i] = (uint32_t)i;
    }
    return 0;
}

/* Marks live the blocks of each protocol's latest generation. */
static int netstat_mark_live(struct netstat_state *s)
{
    int rc = netstat_scratch(s, s->nblocks);
    if (rc < 0) {
        return rc;
    }
    /* Stable: within a protocol, blocks stay in file order, so the latest generation is last. */
    he_sort_indices(s->idx, s->tmp, s->nblocks, netstat_block_cmp, s);
    size_t group_end = s->nblocks;
    for (size_t i = s->nblocks; i-- > 0;) {
        if (i + 1 < s->nblocks && netstat_block_cmp(s, s->idx[i], s->idx[i + 1]) != 0) {
            group_end = i + 1;
        }
        uint32_t latest = s->blocks[s->idx[group_end - 1]].gen;
        s->blocks[s->idx[i]].live = s->blocks[s->idx[i]].gen == latest;
    }
    return 0;
}

/*
 * Leaves in s->idx[0 .. *n) the entries upstream's maps end up holding: those
 * of live blocks, and of each protocol and name the last assigned.
 */
static int netstat_final_entries(struct netstat_state *s, size_t *n)
{
    int rc = netstat_mark_live(s);
    if (rc == 0) {
        rc = netstat_scratch(s, s->nentries);
    }
    if (rc < 0) {
        return rc;
    }
    size_t live = 0;
    for (size_t i = 0; i < s->nentries; i++) {
        if (s->blocks[s->entries[i].block].live) {
            s->idx[live++] = (uint32_t)i;
        }
    }
    he_sort_indices(s->idx, s->tmp, live, netstat_entry_cmp, s);
    size_t out = 0;
    for (size_t i = 0; i < live; i++) {
        if (i + 1 == live || netstat_entry_cmp(s, s->idx[i], s->idx[i + 1]) != 0) {
            s->idx[out++] = s->idx[i];
        }
    }
    *n = out;
    return 0;
}

/* Builds the pieces into b as a C string. */
static int netstat_compose(struct he_buf *b, const char *prefix, struct he_field proto,
                           const char *sep, struct he_field name, const char *suffix)
{
    he_buf_reset(b);
    int rc = he_buf_puts(b, prefix);
    if (rc == 0) {
        rc = he_buf_append(b, proto.p, proto.len);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, sep);
    }
    if (rc == 0) {
        rc = he_buf_append(b, name.p, name.len);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, suffix);
    }
    if (rc == 0) {
        rc = he_buf_terminate(b);
    }
    return rc;
}

/* True when the entry's key passes the fields pattern and can make a metric name. */
static int netstat_keeps(struct netstat_state *s, const struct netstat_entry *e, bool *keep)
{
    struct he_field proto = s->blocks[e->block].proto;
    *keep = false;
    if (memchr(proto.p, '\0', proto.len) || memchr(e->name.p, '\0', e->name.len)) {
        return 0; /* no metric name can hold it */
    }
    int rc = netstat_compose(&s->key, "", proto, "_", e->name, "");
    if (rc < 0) {
        return rc;
    }
    *keep = !s->fields.compiled || he_regex_match(&s->fields, s->key.data);
    return 0;
}

/* Emits one kept entry. */
static int netstat_emit_one(struct netstat_state *s, const struct netstat_entry *e, double value,
                            struct he_writer *w)
{
    struct he_field proto = s->blocks[e->block].proto;
    int rc = netstat_compose(&s->name, "node_netstat_", proto, "_", e->name, "");
    if (rc == 0) {
        rc = netstat_compose(&s->help, "Statistic ", proto, "", e->name, ".");
    }
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, s->name.data, s->help.data, HE_UNTYPED);
    he_writer_value(w, value);
    return 0;
}

/* Appends a length-prefixed field to b. */
static int netstat_shape_field(struct he_buf *b, struct he_field f, uint32_t tag)
{
    uint32_t head[2] = {tag, (uint32_t)f.len};
    int rc = he_buf_append(b, head, sizeof(head));
    return rc == 0 ? he_buf_append(b, f.p, f.len) : rc;
}

/* Everything the plan depends on, unambiguously: each block's protocol and generation, each
 * entry's block and name. */
static int netstat_shape(struct netstat_state *s)
{
    he_buf_reset(&s->shape);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->nblocks; i++) {
        rc = netstat_shape_field(&s->shape, s->blocks[i].proto, s->blocks[i].gen);
    }
    for (size_t i = 0; rc == 0 && i < s->nentries; i++) {
        rc = netstat_shape_field(&s->shape, s->entries[i].name, s->entries[i].block);
    }
    return rc;
}

/* Makes the plan for this shape: the surviving entries in order and which are kept. */
static int netstat_make_plan(struct netstat_state *s)
{
    size_t n;
    s->have_plan = false;
    int rc = netstat_final_entries(s, &n);
    if (rc == 0 && (he_array_grow((void **)&s->plan, &s->plan_cap, n, sizeof(*s->plan)) ||
                    he_array_grow((void **)&s->keep, &s->keep_cap, n, sizeof(*s->keep)))) {
        rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s->plan[i] = s->idx[i];
        rc = netstat_keeps(s, &s->entries[s->idx[i]], &s->keep[i]);
    }
    if (rc < 0) {
        return rc;
    }
    he_regex_trim(&s->fields); /* the plan holds the answers until the shape changes */
    s->nplan = n;
    struct he_buf t = s->plan_shape;
    s->plan_shape = s->shape;
    s->shape = t;
    s->have_plan = true;
    return 0;
}

/* Parses every surviving value (any bad one fails the scrape), then emits the matching ones. */
static int netstat_emit(struct netstat_state *s, struct he_writer *w)
{
    double value;
    int rc = netstat_shape(s);
    if (rc == 0 && !(s->have_plan && s->shape.len == s->plan_shape.len &&
                     memcmp(s->shape.data, s->plan_shape.data, s->shape.len) == 0)) {
        rc = netstat_make_plan(s);
    }
    for (size_t i = 0; rc == 0 && i < s->nplan; i++) {
        if (he_parse_double(s->entries[s->plan[i]].value, &value) < 0) {
            rc = -EINVAL;
        }
    }
    for (size_t i = 0; rc == 0 && i < s->nplan; i++) {
        if (s->keep[i]) {
            const struct netstat_entry *e = &s->entries[s->plan[i]];
            he_parse_double(e->value, &value);
            rc = netstat_emit_one(s, e, value, w);
        }
    }
    return rc;
}

/* Reads <procfs>/rel into file f. */
static int netstat_read(struct he_file *f, const char *rel, char *path, size_t size)
{
    int rc = he_path_proc(path, size, rel);
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    return rc;
}

static int netstat_collect(void *state, struct he_writer *w)
{
    struct netstat_state *s = state;
    static const char *const rel[NETSTAT_NFILES] = {"net/netstat", "net/snmp", "net/snmp6"};
    char path[4096];
    int rc = 0;
    s->nentries = 0;
    s->nblocks = 0;
    s->ngen = 0;
    for (int i = 0; rc == 0 && i < NETSTAT_NFILES; i++) {
        rc = netstat_read(&s->files[i], rel[i], path, sizeof(path));
        if (rc == -ENOENT && i == NETSTAT_FILE_SNMP6) {
            rc = 0; /* IPv6 disabled: no snmp6 counters */
            continue;
        }
        if (rc == 0) {
            rc = i == NETSTAT_FILE_SNMP6 ? netstat_parse_snmp6(s, &s->files[i].buf)
                                         : netstat_parse_pairs(s, &s->files[i].buf);
        }
    }
    if (rc == 0) {
        rc = netstat_emit(s, w);
    }
    if (rc < 0) {
        he_log_debug("netstat: cannot read", "path", path, "err", strerror(-rc), NULL);
    }
    return rc;
}

static const struct he_collector netstat_collector = {
    .name = "netstat",
    .default_enabled = true,
    .flags = netstat_flags,
    .init = netstat_init,
    .collect = netstat_collect,
    .fini = netstat_fini,
};

HE_COLLECTOR_REGISTER(netstat_collector)
