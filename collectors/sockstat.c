/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sockstat: node_sockstat_sockets_used and node_sockstat_<PROTO>_<state> from
 * <procfs>/net/sockstat and <procfs>/net/sockstat6, whose lines read
 * "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 48" (and "sockets: used 17" in the
 * IPv4 file). Each protocol gets inuse (always), orphan, tw, alloc, mem and
 * memory where its line has them, and mem_bytes = mem x the page size where it
 * has mem; all gauges, HELP "Number of <PROTO> sockets in state <state>.".
 * Mirrors node_exporter 1.12's collector/sockstat_linux.go over procfs'
 * net_sockstat.go:
 *   - lines split at single spaces; fewer than three words, an odd number of
 *     key/value words or a value strconv.ParseInt(v, 0, 64) refuses fails the
 *     scrape, and so does a line of 64 KiB or more;
 *   - the protocol is the first word less one trailing ':'; "sockets" is the
 *     used count (0 when its line has no "used"), exported for IPv4 only;
 *   - a repeated key keeps its last value; other keys are ignored;
 *   - a missing file (IPv4 or IPv6 disabled) is skipped; both files are
 *     parsed before anything is emitted, so an error in either emits nothing;
 *   - only the first MiB of a file is read (procfs' ReadFileNoStat).
 * A protocol name holding a NUL byte, which no metric name can hold (upstream
 * panics on it), is skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define SOCKSTAT_MAX_LINE (64u * 1024u)
#define SOCKSTAT_READ_LIMIT (1024u * 1024u)

/* The states procfs knows, in the order upstream emits them; inuse is always set. */
enum { SOCKSTAT_INUSE, SOCKSTAT_ORPHAN, SOCKSTAT_TW, SOCKSTAT_ALLOC, SOCKSTAT_MEM,
       SOCKSTAT_MEMORY, SOCKSTAT_NSTATES };
static const char *const sockstat_states[SOCKSTAT_NSTATES] = {
    "inuse", "orphan", "tw", "alloc", "mem", "memory",
};

struct sockstat_proto {
    struct he_field name;
    int64_t value[SOCKSTAT_NSTATES];
    bool has[SOCKSTAT_NSTATES];
};

/* One parsed file: its protocols are protos[first .. first + n). */
struct sockstat_file {
    bool present;
    bool has_used;
    int64_t used;
    size_t first, n;
};

struct sockstat_state {
    struct he_file files[2];   /* sockstat, sockstat6 */
    struct sockstat_file parsed[2];
    struct sockstat_proto *protos;
    size_t nprotos, protos_cap;
    int64_t page_size;
    struct he_buf name;
    struct he_buf help;
};

static int sockstat_init(void **state)
{
    struct sockstat_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->files[0], true, 0);
    he_file_init(&s->files[1], true, 0);
    he_buf_init(&s->name, SOCKSTAT_MAX_LINE + 64);
    he_buf_init(&s->help, 2 * SOCKSTAT_MAX_LINE);
    /* Go's os.Getpagesize(). */
    long page = sysconf(_SC_PAGESIZE);
    s->page_size = page > 0 ? page : 4096;
    *state = s;
    return 0;
}

static void sockstat_fini(void *state)
{
    struct sockstat_state *s = state;
    he_file_fini(&s->files[0]);
    he_file_fini(&s->files[1]);
    free(s->protos);
    he_buf_free(&s->name);
    he_buf_free(&s->help);
    free(s);
}

/* The word of line starting at *pos, up to the next single space; moves *pos past it. */
static struct he_field sockstat_word(struct he_field line, size_t *pos)
{
    size_t start = *pos;
    const char *sp = memchr(line.p + start, ' ', line.len - start);
    size_t end = sp ? (size_t)(sp - line.p) : line.len;
    *pos = sp ? end + 1 : line.len;
    return (struct he_field){line.p + start, end - start};
}

/* Index of the state key k names, or SOCKSTAT_NSTATES. */
static int sockstat_state_index(struct he_field k)
{
    for (int i = 0; i < SOCKSTAT_NSTATES; i++) {
        if (he_field_eq(k, sockstat_states[i])) {
            return i;
        }
    }
    return SOCKSTAT_NSTATES;
}

/*
 * Parses the key/value words after a line's first word into p (a protocol
 * line) or f->used (the sockets line, p NULL); every value must parse. 0 or -EINVAL.
 */
static int sockstat_kvs(struct he_field line, size_t pos, size_t nwords,
                        struct sockstat_proto *p, struct sockstat_file *f)
{
    if ((nwords - 1) % 2 != 0) {
        return -EINVAL;
    }
    for (size_t pair = 0; pair < (nwords - 1) / 2; pair++) {
        struct he_field k = sockstat_word(line, &pos);
        struct he_field v = sockstat_word(line, &pos);
        int64_t value;
        if (he_parse_i64_base0(v, &value) < 0) {
            return -EINVAL;
        }
        if (!p && he_field_eq(k, "used")) {
            f->used = value;
        }
        int i = p ? sockstat_state_index(k) : SOCKSTAT_NSTATES;
        if (i < SOCKSTAT_NSTATES) {
            p->value[i] = value;
            p->has[i] = true;
        }
    }
    return 0;
}

static size_t sockstat_count_words(struct he_field line)
{
    size_t n = 1;
    for (size_t i = 0; i < line.len; i++) {
        n += line.p[i] == ' ';
    }
    return n;
}

/* One line of a sockstat file. */
static int sockstat_line(struct sockstat_state *s, struct sockstat_file *f, struct he_field line)
{
    size_t nwords = sockstat_count_words(line);
    size_t pos = 0;
    if (nwords < 3) {
        return -EINVAL;
    }
    struct he_field proto = sockstat_word(line, &pos);
    if (proto.len > 0 && proto.p[proto.len - 1] == ':') {
        proto.len--;
    }
    if (he_field_eq(proto, "sockets")) {
        f->has_used = true;
        f->used = 0;
        return sockstat_kvs(line, pos, nwords, NULL, f);
    }
    if (he_array_grow((void **)&s->protos, &s->protos_cap, s->nprotos + 1, sizeof(*s->protos))) {
        return -ENOMEM;
    }
    struct sockstat_proto *p = &s->protos[s->nprotos];
    memset(p, 0, sizeof(*p));
    p->name = proto;
    p->has[SOCKSTAT_INUSE] = true;
    int rc = sockstat_kvs(line, pos, nwords, p, f);
    if (rc == 0) {
        s->nprotos++;
        f->n++;
    }
    return rc;
}

/* Parses file text into f, as procfs' parseSockstat. */
static int sockstat_parse(struct sockstat_state *s, const struct he_buf *text,
                          struct sockstat_file *f)
{
    struct he_lines it;
    struct he_field line;
    /* procfs reads at most 1 MiB and parses what it got. */
    he_lines_init(&it, text->data, text->len < SOCKSTAT_READ_LIMIT ? text->len : SOCKSTAT_READ_LIMIT);
    f->first = s->nprotos;
    while (he_lines_next(&it, &line)) {
        if (line.len >= SOCKSTAT_MAX_LINE) {
            return -EFBIG;
        }
        if (line.len > 0 && line.p[line.len - 1] == '\r') {
            line.len--;
        }
        int rc = sockstat_line(s, f, line);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Builds "<prefix><proto><mid><state><suffix>" into b as a C string. */
static int sockstat_compose(struct he_buf *b, const char *prefix, struct he_field proto,
                            const char *mid, const char *state, const char *suffix)
{
    he_buf_reset(b);
    int rc = he_buf_puts(b, prefix);
    if (rc == 0) {
        rc = he_buf_append(b, proto.p, proto.len);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, mid);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, state);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, suffix);
    }
    if (rc == 0) {
        rc = he_buf_terminate(b);
    }
    return rc;
}

static int sockstat_emit_state(struct sockstat_state *s, struct he_field proto, const char *state,
                               int64_t value, struct he_writer *w)
{
    int rc = sockstat_compose(&s->name, "node_sockstat_", proto, "_", state, "");
    if (rc == 0) {
        rc = sockstat_compose(&s->help, "Number of ", proto, " sockets in state ", state, ".");
    }
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, s->name.data, s->help.data, HE_GAUGE);
    he_writer_value(w, (double)value);
    return 0;
}

static int sockstat_emit_proto(struct sockstat_state *s, const struct sockstat_proto *p,
                               struct he_writer *w)
{
    int rc = 0;
    if (memchr(p->name.p, '\0', p->name.len)) {
        he_log_debug("sockstat: protocol name holds a NUL byte, skipped", NULL);
        return 0;
    }
    for (int i = 0; rc == 0 && i < SOCKSTAT_NSTATES; i++) {
        if (p->has[i]) {
            rc = sockstat_emit_state(s, p->name, sockstat_states[i], p->value[i], w);
        }
    }
    if (rc == 0 && p->has[SOCKSTAT_MEM]) {
        /* Go's int multiplication, which wraps. */
        int64_t bytes = (int64_t)((uint64_t)p->value[SOCKSTAT_MEM] * (uint64_t)s->page_size);
        rc = sockstat_emit_state(s, p->name, "mem_bytes", bytes, w);
    }
    return rc;
}

static int sockstat_emit(struct sockstat_state *s, struct he_writer *w)
{
    int rc = 0;
    if (s->parsed[0].present && s->parsed[0].has_used) {
        he_writer_family(w, "node_sockstat_sockets_used", "Number of IPv4 sockets in use.",
                         HE_GAUGE);
        he_writer_value(w, (double)s->parsed[0].used);
    }
    for (int f = 0; f < 2; f++) {
        const struct sockstat_file *pf = &s->parsed[f];
        for (size_t i = 0; rc == 0 && pf->present && i < pf->n; i++) {
            rc = sockstat_emit_proto(s, &s->protos[pf->first + i], w);
        }
    }
    return rc;
}

static int sockstat_collect(void *state, struct he_writer *w)
{
    struct sockstat_state *s = state;
    static const char *const rel[2] = {"net/sockstat", "net/sockstat6"};
    char path[4096];
    int rc = 0;
    s->nprotos = 0;
    for (int i = 0; rc == 0 && i < 2; i++) {
        s->parsed[i] = (struct sockstat_file){0};
        rc = he_path_proc(path, sizeof(path), rel[i]);
        if (rc == 0) {
            rc = he_file_read(&s->files[i], path);
        }
        if (rc == -ENOENT) {
            he_log_debug("sockstat: statistics not found, skipping", "path", path, NULL);
            rc = 0;
            continue;
        }
        if (rc == 0) {
            s->parsed[i].present = true;
            rc = sockstat_parse(s, &s->files[i].buf, &s->parsed[i]);
        }
    }
    if (rc == 0) {
        rc = sockstat_emit(s, w);
    }
    if (rc < 0) {
        he_log_debug("sockstat: cannot read", "path", path, "err", strerror(-rc), NULL);
    }
    return rc;
}

static const struct he_collector sockstat_collector = {
    .name = "sockstat",
    .default_enabled = true,
    .init = sockstat_init,
    .collect = sockstat_collect,
    .fini = sockstat_fini,
};

HE_COLLECTOR_REGISTER(sockstat_collector)
