/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pressure: pressure stall information from <procfs>/pressure/{cpu,io,memory,irq}
 * (Documentation/accounting/psi.rst). Each file has a "some" and/or a "full"
 * line ending in total=<microseconds>; the totals are exported as seconds:
 *   node_pressure_cpu_waiting_seconds_total       cpu some
 *   node_pressure_io_waiting_seconds_total        io some
 *   node_pressure_io_stalled_seconds_total        io full
 *   node_pressure_memory_waiting_seconds_total    memory some
 *   node_pressure_memory_stalled_seconds_total    memory full
 *   node_pressure_irq_stalled_seconds_total       irq full
 * Mirrors node_exporter 1.12.1's collector/pressure_linux.go over procfs's
 * proc_psi.go:
 *   - a missing file is skipped (irq exists only since Linux 6.1 with
 *     CONFIG_IRQ_TIME_ACCOUNTING); no file at all is "no data";
 *   - EOPNOTSUPP (PSI compiled in but booted with psi=0) is "no data";
 *   - cpu needs only "some" (its "full" line came in Linux 5.13 and is not
 *     exported), irq only "full", io and memory both; a missing one is "no
 *     data", keeping what earlier files emitted;
 *   - lines other than "some ..." and "full ..." are ignored, but a "some" or
 *     "full" line that does not read "avg10=F avg60=F avg300=F total=N" (as
 *     fmt.Sscanf reads it) fails the collector;
 *   - only the first 1 MiB of a file is read, and parsing stops quietly at a
 *     line of 64 KiB or more (procfs's read cap and its unchecked scanner).
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
#include "he_paths.h"

#define PRESSURE_READ_CAP (1024u * 1024u)
#define PRESSURE_MAX_LINE (64u * 1024u)

/* cpu, io, memory, irq: the resources of pressure_resources[]. */
#define PRESSURE_NFILES 4

struct pressure_state {
    /*
     * One per resource, kept open and re-read from offset 0; a file that is absent
     * (no CONFIG_PSI, no irq pressure before Linux 6.1) is tried again each scrape.
     */
    struct he_file files[PRESSURE_NFILES];
};

/* What one file held: the "some" and "full" totals, in microseconds. */
struct pressure_stats {
    bool has_some, has_full;
    uint64_t some, full;
};

static int pressure_init(void **state)
{
    struct pressure_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    for (int i = 0; i < PRESSURE_NFILES; i++) {
        he_file_init(&s->files[i], true, 0);
    }
    *state = s;
    return 0;
}

static void pressure_fini(void *state)
{
    struct pressure_state *s = state;
    for (int i = 0; i < PRESSURE_NFILES; i++) {
        he_file_fini(&s->files[i]);
    }
    free(s);
}

/* A cursor over one line, consumed as fmt.Sscanf consumes its input. */
struct pressure_cursor {
    const char *p;
    const char *end;
};

static bool pressure_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void pressure_skip_blanks(struct pressure_cursor *c)
{
    while (c->p < c->end && pressure_is_blank(*c->p)) {
        c->p++;
    }
}

/*
 * A space in the format, then the literal text: the input needs at least one
 * blank (or its end, after which the literal cannot match) before the literal.
 */
static int pressure_expect(struct pressure_cursor *c, const char *literal)
{
    size_t n = strlen(literal);
    if (c->p < c->end && !pressure_is_blank(*c->p)) {
        return -EINVAL;
    }
    pressure_skip_blanks(c);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, literal, n) != 0) {
        return -EINVAL;
    }
    c->p += n;
    return 0;
}

/* %f: optional blanks, then a float running up to the next blank. */
static int pressure_float(struct pressure_cursor *c)
{
    double v;
    pressure_skip_blanks(c);
    const char *start = c->p;
    while (c->p < c->end && !pressure_is_blank(*c->p)) {
        c->p++;
    }
    return he_parse_double((struct he_field){start, (size_t)(c->p - start)}, &v);
}

/* %d into a uint64: optional blanks, then digits; whatever follows is ignored. */
static int pressure_total(struct pressure_cursor *c, uint64_t *out)
{
    pressure_skip_blanks(c);
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        c->p++;
    }
    return he_parse_u64((struct he_field){start, (size_t)(c->p - start)}, out) < 0 ? -EINVAL : 0;
}

/* "<kind> avg10=F avg60=F avg300=F total=N" after the 4-byte kind; stores N. */
static int pressure_parse_line(struct he_field line, uint64_t *total)
{
    static const char *const avgs[] = {"avg10=", "avg60=", "avg300="};
    struct pressure_cursor c = {line.p + 4, line.p + line.len};
    for (size_t i = 0; i < 3; i++) {
        if (pressure_expect(&c, avgs[i]) < 0 || pressure_float(&c) < 0) {
            return -EINVAL;
        }
    }
    if (pressure_expect(&c, "total=") < 0) {
        return -EINVAL;
    }
    return pressure_total(&c, total);
}

/* The text before the first space, as strings.Split(line, " ")[0]. */
static bool pressure_prefix_is(struct he_field line, const char *kind)
{
    return line.len >= 4 && memcmp(line.p, kind, 4) == 0 && (line.len == 4 || line.p[4] == ' ');
}

static int pressure_parse(const struct he_buf *buf, struct pressure_stats *st)
{
    struct he_lines it;
    struct he_field line;
    memset(st, 0, sizeof(*st));
    he_lines_init(&it, buf->data, buf->len < PRESSURE_READ_CAP ? buf->len : PRESSURE_READ_CAP);
    while (he_lines_next(&it, &line) && line.len < PRESSURE_MAX_LINE) {
        if (pressure_prefix_is(line, "some")) {
            st->has_some = true;
            if (pressure_parse_line(line, &st->some) < 0) {
                return -EINVAL;
            }
        } else if (pressure_prefix_is(line, "full")) {
            st->has_full = true;
            if (pressure_parse_line(line, &st->full) < 0) {
                return -EINVAL;
            }
        }
    }
    return 0;
}

/* Microseconds to seconds in upstream's two steps, so the doubles match bit for bit. */
static double pressure_seconds(uint64_t us)
{
    return (double)us / 1000.0 / 1000.0;
}

/* One resource: the families it feeds and which lines it must have. */
struct pressure_resource {
    const char *name;
    const char *some_metric, *some_help;   /* NULL: "some" is neither needed nor exported */
    const char *full_metric, *full_help;   /* NULL: "full" is neither needed nor exported */
};

static const struct pressure_resource pressure_resources[] = {
    {"cpu", "node_pressure_cpu_waiting_seconds_total",
     "Total time in seconds that processes have waited for CPU time", NULL, NULL},
    {"io", "node_pressure_io_waiting_seconds_total",
     "Total time in seconds that processes have waited due to IO congestion",
     "node_pressure_io_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IO congestion"},
    {"memory", "node_pressure_memory_waiting_seconds_total",
     "Total time in seconds that processes have waited for memory",
     "node_pressure_memory_stalled_seconds_total",
     "Total time in seconds no process could make progress due to memory congestion"},
    {"irq", NULL, NULL, "node_pressure_irq_stalled_seconds_total",
     "Total time in seconds no process could make progress due to IRQ congestion"},
};

/* Emits r's families from st, or -ENODATA when a line it needs is missing. */
static int pressure_emit(const struct pressure_resource *r, const struct pressure_stats *st,
                         struct he_writer *w)
{
    if ((r->some_metric && !st->has_some) || (r->full_metric && !st->has_full)) {
        he_log_debug("pressure: a needed line is missing", "resource", r->name, NULL);
        return -ENODATA;
    }
    if (r->some_metric) {
        he_writer_family(w, r->some_metric, r->some_help, HE_COUNTER);
        he_writer_value(w, pressure_seconds(st->some));
    }
    if (r->full_metric) {
        he_writer_family(w, r->full_metric, r->full_help, HE_COUNTER);
        he_writer_value(w, pressure_seconds(st->full));
    }
    return 0;
}

/* Reads one resource's file: 0, 1 when it is absent, or a negative errno. */
static int pressure_read(struct he_file *f, const char *name, struct pressure_stats *st)
{
    char rel[32];
    char path[4096];
    snprintf(rel, sizeof(rel), "pressure/%s", name);
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("pressure: information is unavailable", "path", path, NULL);
        return 1;
    }
    if (rc == -EOPNOTSUPP) {
        he_log_debug("pressure: information is disabled (psi=0)", "path", path, NULL);
        return -ENODATA;
    }
    if (rc == 0) {
        rc = pressure_parse(&f->buf, st);
    }
    if (rc < 0) {
        he_log_debug("pressure: cannot read", "path", path, "err", strerror(-rc), NULL);
    }
    return rc;
}

_Static_assert(sizeof(pressure_resources) / sizeof(pressure_resources[0]) == PRESSURE_NFILES,
               "one kept file per resource");

static int pressure_collect(void *state, struct he_writer *w)
{
    struct pressure_state *s = state;
    size_t found = 0;
    for (size_t i = 0; i < sizeof(pressure_resources) / sizeof(pressure_resources[0]); i++) {
        struct pressure_stats st;
        int rc = pressure_read(&s->files[i], pressure_resources[i].name, &st);
        if (rc == 1) {
            continue;
        }
        if (rc == 0) {
            rc = pressure_emit(&pressure_resources[i], &st, w);
        }
        if (rc < 0) {
            return rc;
        }
        found++;
    }
    return found ? 0 : -ENODATA;
}

static const struct he_collector pressure_collector = {
    .name = "pressure",
    .default_enabled = true,
    .init = pressure_init,
    .collect = pressure_collect,
    .fini = pressure_fini,
};

HE_COLLECTOR_REGISTER(pressure_collector)
