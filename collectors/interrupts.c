/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interrupts: node_interrupts_total{cpu,type,info,devices} from
 * <procfs>/interrupts, one counter per interrupt line and CPU column. Mirrors
 * node_exporter's collector/interrupts_common.go and interrupts_linux.go.
 *
 * The header's words give the number of CPU columns. Each later line is split at
 * its first ':' (on arm64 the counts may follow it without a space): type is the
 * part before it without leading spaces; lines with fewer words than CPU columns
 * plus one (ERR, MIS) are skipped. For a numbered IRQ, info is the word after the
 * counts (the irq chip) and devices the rest joined by single spaces; for a named
 * one (LOC, NMI, ...) info is all of the rest and devices is empty. When two
 * lines share a type, the last one wins, as upstream's map does.
 *
 * --collector.interrupts.name-include/-exclude match "type;info;devices";
 * --no-collector.interrupts.include-zeros drops counts of 0. A count that is
 * not a number fails the scrape; series already emitted stay, as upstream.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_fieldvec.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_sort.h"

static const char *interrupts_include_flag;
static const char *interrupts_exclude_flag;
static bool interrupts_include_zeros;

static const struct he_flag interrupts_flags[] = {
    {"collector.interrupts.name-include", HE_FLAG_STRING, NULL,
     "Regexp of interrupts name to include (mutually exclusive to "
     "--collector.interrupts.name-exclude).",
     &interrupts_include_flag, he_regex_check_flag},
    {"collector.interrupts.name-exclude", HE_FLAG_STRING, NULL,
     "Regexp of interrupts name to exclude (mutually exclusive to "
     "--collector.interrupts.name-include).",
     &interrupts_exclude_flag, he_regex_check_flag},
    {"collector.interrupts.include-zeros", HE_FLAG_BOOL, "true",
     "Include interrupts that have a zero value", &interrupts_include_zeros, NULL},
    {0},
};

/* One interrupt line: its type and the text after the ':'. */
struct irq_line {
    struct he_field type;
    struct he_field rest;
};

struct interrupts_state {
    struct he_file file;         /* kept open: /proc/interrupts always exists */
    struct he_fieldvec fields;
    struct irq_line *lines;      /* grown to the most lines seen */
    uint32_t *order, *scratch;   /* for finding repeated types */
    bool *dropped;
    size_t nlines, cap;
    size_t ncpus;
    struct he_buf labels;        /* type\0info\0devices\0type;info;devices\0 */
    struct he_regex include, exclude;
};

static int interrupts_init(void **state)
{
    struct interrupts_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    char err[256];
    /* Both may be set: upstream ignores a name if either says so. */
    if (he_regex_compile(&s->include, interrupts_include_flag, err, sizeof(err)) < 0 ||
        he_regex_compile(&s->exclude, interrupts_exclude_flag, err, sizeof(err)) < 0) {
        he_log_error("interrupts: bad filter", "err", err, NULL);
        he_regex_free(&s->include);
        free(s);
        return -EINVAL;
    }
    he_file_init(&s->file, true, 0);
    he_fieldvec_init(&s->fields);
    he_buf_init(&s->labels, 0);
    *state = s;
    return 0;
}

static void interrupts_fini(void *state)
{
    struct interrupts_state *s = state;
    he_file_fini(&s->file);
    he_fieldvec_fini(&s->fields);
    he_buf_free(&s->labels);
    he_regex_free(&s->include);
    he_regex_free(&s->exclude);
    free(s->lines);
    free(s->order);
    free(s->scratch);
    free(s->dropped);
    free(s);
}

/* Makes room for one more line record, doubling the arrays. */
static int interrupts_reserve(struct interrupts_state *s)
{
    if (s->nlines < s->cap) {
        return 0;
    }
    size_t cap = s->cap ? s->cap * 2 : 128;
    if (cap > UINT32_MAX) {
        return -E2BIG;
    }
    struct irq_line *lines = realloc(s->lines, cap * sizeof(*lines));
    if (lines) {
        s->lines = lines;
    }
    uint32_t *order = lines ? realloc(s->order, cap * sizeof(*order)) : NULL;
    if (order) {
        s->order = order;
    }
    uint32_t *scratch = order ? realloc(s->scratch, cap * sizeof(*scratch)) : NULL;
    if (scratch) {
        s->scratch = scratch;
    }
    bool *dropped = scratch ? realloc(s->dropped, cap * sizeof(*dropped)) : NULL;
    if (!dropped) {
        return -ENOMEM;
    }
    s->dropped = dropped;
    s->cap = cap;
    return 0;
}

/* Records one line after the header if it is wide enough, as parseInterrupts does. */
static int interrupts_add_line(struct interrupts_state *s, struct he_field line)
{
    const char *colon = memchr(line.p, ':', line.len);
    if (!colon) {
        return 0;
    }
    struct he_field rest = {colon + 1, line.len - (size_t)(colon + 1 - line.p)};
    int rc = he_fieldvec_split(&s->fields, rest);
    if (rc < 0 || s->fields.n < s->ncpus + 1) {
        return rc;
    }
    struct he_field type = {line.p, (size_t)(colon - line.p)};
    while (type.len && type.p[0] == ' ') {
        type.p++, type.len--;
    }
    rc = interrupts_reserve(s);
    if (rc == 0) {
        s->lines[s->nlines++] = (struct irq_line){type, rest};
    }
    return rc;
}

static int interrupts_parse(struct interrupts_state *s)
{
    struct he_lines it;
    struct he_field line;
    s->nlines = 0;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    if (!he_lines_next(&it, &line)) {
        return -ENODATA; /* upstream: "interrupts empty" */
    }
    s->ncpus = he_split_fields(line, NULL, 0);
    int rc = 0;
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = interrupts_add_line(s, line);
    }
    return rc;
}

static int interrupts_compare_type(const void *ctx, uint32_t a, uint32_t b)
{
    const struct irq_line *lines = ctx;
    struct he_field x = lines[a].type, y = lines[b].type;
    int c = memcmp(x.p, y.p, x.len < y.len ? x.len : y.len);
    return c ? c : (x.len > y.len) - (x.len < y.len);
}

/* Marks every line whose type appears again further down: the last one wins. */
static void interrupts_mark_repeats(struct interrupts_state *s)
{
    for (size_t i = 0; i < s->nlines; i++) {
        s->order[i] = (uint32_t)i;
        s->dropped[i] = false;
    }
    he_sort_indices(s->order, s->scratch, s->nlines, interrupts_compare_type, s->lines);
    for (size_t i = 0; i + 1 < s->nlines; i++) {
        /* The sort is stable, so within a run of equal types file order holds. */
        if (interrupts_compare_type(s->lines, s->order[i], s->order[i + 1]) == 0) {
            s->dropped[s->order[i]] = true;
        }
    }
}

/* strconv.Atoi's test: an optional sign, then decimal digits that fit an int64. */
static bool interrupts_is_number(struct he_field f)
{
    bool neg = f.len && f.p[0] == '-';
    if (f.len && (f.p[0] == '-' || f.p[0] == '+')) {
        f.p++, f.len--;
    }
    uint64_t v;
    return he_parse_u64(f, &v) == 0 && v <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX);
}

/* Appends fields [from, n) joined by single spaces, then a NUL. */
static int interrupts_put_joined(struct he_buf *b, const struct he_fieldvec *fv, size_t from)
{
    int rc = 0;
    for (size_t i = from; i < fv->n && rc == 0; i++) {
        rc = i > from ? he_buf_putc(b, ' ') : 0;
        rc = rc ? rc : he_buf_append(b, fv->v[i].p, fv->v[i].len);
    }
    return rc ? rc : he_buf_putc(b, '\0');
}

/*
 * Builds the type, info and devices label values and the filter name of one
 * line (already split into s->fields) in s->labels; off[] gets their offsets.
 */
static int interrupts_labels(struct interrupts_state *s, const struct irq_line *l, size_t off[4])
{
    struct he_buf *b = &s->labels;
    bool numbered = interrupts_is_number(l->type);
    he_buf_reset(b);
    off[0] = 0;
    int rc = he_buf_append(b, l->type.p, l->type.len);
    rc = rc ? rc : he_buf_putc(b, '\0');
    off[1] = b->len;
    if (rc == 0 && numbered) {
        rc = he_buf_append(b, s->fields.v[s->ncpus].p, s->fields.v[s->ncpus].len);
        rc = rc ? rc : he_buf_putc(b, '\0');
    } else if (rc == 0) {
        rc = interrupts_put_joined(b, &s->fields, s->ncpus);
    }
    off[2] = b->len;
    rc = rc ? rc : interrupts_put_joined(b, &s->fields, numbered ? s->ncpus + 1 : s->fields.n);
    off[3] = b->len;
    /* The filter name copies the three values: reserve first so they do not move. */
    rc = rc ? rc : he_buf_reserve(b, off[3]);
    for (int i = 0; i < 3 && rc == 0; i++) {
        rc = he_buf_puts(b, b->data + off[i]);
        rc = rc ? rc : he_buf_putc(b, i < 2 ? ';' : '\0');
    }
    return rc;
}

/* Emits one line's counts, one per CPU column. */
static int interrupts_emit_line(struct interrupts_state *s, const struct irq_line *l,
                                struct he_writer *w)
{
    size_t off[4];
    int rc = he_fieldvec_split(&s->fields, l->rest);
    rc = rc ? rc : interrupts_labels(s, l, off);
    if (rc < 0) {
        return rc;
    }
    const char *filter_name = s->labels.data + off[3];
    if ((s->exclude.compiled && he_regex_match(&s->exclude, filter_name)) ||
        (s->include.compiled && !he_regex_match(&s->include, filter_name))) {
        return 0;
    }
    for (size_t cpu = 0; cpu < s->ncpus; cpu++) {
        double v;
        if (he_parse_double(s->fields.v[cpu], &v) < 0) {
            he_log_debug("interrupts: invalid value", "type", s->labels.data, NULL);
            return -EINVAL;
        }
        if (!interrupts_include_zeros && v == 0) {
            continue;
        }
        char cpu_label[24];
        snprintf(cpu_label, sizeof(cpu_label), "%zu", cpu);
        struct he_label labels[4] = {
            {"cpu", cpu_label},
            {"type", s->labels.data + off[0]},
            {"info", s->labels.data + off[1]},
            {"devices", s->labels.data + off[2]},
        };
        he_writer_sample(w, labels, 4, v);
    }
    return 0;
}

static int interrupts_collect(void *state, struct he_writer *w)
{
    struct interrupts_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "interrupts");
    rc = rc ? rc : he_file_read(&s->file, path);
    rc = rc ? rc : interrupts_parse(s);
    if (rc < 0) {
        he_log_debug("interrupts: cannot read", "path", path, NULL);
        return rc;
    }
    interrupts_mark_repeats(s);
    he_writer_family(w, "node_interrupts_total", "Interrupt details.", HE_COUNTER);
    for (size_t i = 0; i < s->nlines && rc == 0; i++) {
        rc = s->dropped[i] ? 0 : interrupts_emit_line(s, &s->lines[i], w);
    }
    return rc;
}

static const struct he_collector interrupts_collector = {
    .name = "interrupts",
    .default_enabled = false,
    .flags = interrupts_flags,
    .init = interrupts_init,
    .collect = interrupts_collect,
    .fini = interrupts_fini,
};

HE_COLLECTOR_REGISTER(interrupts_collector)
