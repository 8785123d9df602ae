/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exposition writer (see he_writer.h). Families, samples and label pairs are
 * kept in flat arrays that index into one string arena; all four only grow, and
 * he_writer_reset() just zeroes their lengths. Sorting happens once, at render.
 *
 * Ordering mirrors client_golang: families by name (bytewise), series within a
 * family by their label values taken in label-name order (label names sorted),
 * fewer labels first when counts differ. Equal series are duplicates: the one
 * added first is kept.
 */
#include "he_writer.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_format.h"
#include "he_log.h"
#include "he_sort.h"

#define MAX_LABELS 32

struct family {
    uint32_t name;   /* offsets into the string arena */
    uint32_t help;
    enum he_metric_type type;
    uint32_t rank;   /* position in name order, set at render */
};

struct sample {
    uint32_t family;
    uint32_t first_label;  /* index into labels[] */
    uint32_t nlabels;
    uint32_t first_point;  /* summaries and histograms: index into points[] */
    uint32_t npoints;
    double value;          /* the sum for summaries and histograms */
    double count;
};

struct label_pair {
    uint32_t name;
    uint32_t value;
};

struct he_writer {
    struct he_buf strings;
    struct family *families;
    size_t nfamilies, families_cap;
    struct sample *samples;
    size_t nsamples, samples_cap;
    struct label_pair *labels;
    size_t nlabels, labels_cap;
    struct he_point *points;
    size_t npoints, points_cap;
    uint32_t *point_order;  /* sorts one series' points as they are added */
    uint32_t *point_scratch;
    size_t point_order_cap, point_scratch_cap;
    uint32_t *table;        /* open-addressed hash of family indices + 1; 0 = empty */
    size_t table_cap;       /* power of two */
    uint32_t *order;        /* family indices in name order, built at render */
    size_t order_cap;
    uint32_t *sample_order; /* sample indices in output order, built at render */
    size_t sample_order_cap;
    uint32_t *scratch;      /* merge buffer for both sorts */
    size_t scratch_cap;
    uint32_t *bucket;       /* where each family's samples start in sample_order */
    size_t bucket_cap;
    long current;           /* family receiving samples, or -1 */
    unsigned errors;
};

struct he_writer *he_writer_new(void)
{
    struct he_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        return NULL;
    }
    he_buf_init(&w->strings, 0);
    w->current = -1;
    return w;
}

void he_writer_free(struct he_writer *w)
{
    if (!w) {
        return;
    }
    he_buf_free(&w->strings);
    free(w->families);
    free(w->samples);
    free(w->labels);
    free(w->points);
    free(w->point_order);
    free(w->point_scratch);
    free(w->table);
    free(w->order);
    free(w->sample_order);
    free(w->scratch);
    free(w->bucket);
    free(w);
}

void he_writer_reset(struct he_writer *w)
{
    he_buf_reset(&w->strings);
    w->nfamilies = 0;
    w->nsamples = 0;
    w->nlabels = 0;
    w->npoints = 0;
    w->current = -1;
    w->errors = 0;
    if (w->table) {
        memset(w->table, 0, w->table_cap * sizeof(*w->table));
    }
}

unsigned he_writer_errors(const struct he_writer *w)
{
    return w->errors;
}

static const char *str_at(const struct he_writer *w, uint32_t off)
{
    return w->strings.data + off;
}

/* Copies s with its NUL into the arena; *off receives its offset. */
static int intern(struct he_writer *w, const char *s, uint32_t *off)
{
    size_t at = w->strings.len;
    int rc = he_buf_append(&w->strings, s, strlen(s) + 1);
    if (rc < 0) {
        return rc;
    }
    *off = (uint32_t)at;
    return 0;
}

/* Character classes of metric and label names: bit 1 may start a name, bit 2 may follow. */
enum { NAME_START = 1, NAME_REST = 2, COLON = 4 };

static unsigned char name_class(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        return NAME_START | NAME_REST;
    }
    if (c >= '0' && c <= '9') {
        return NAME_REST;
    }
    return c == ':' ? COLON : 0;
}

static bool name_valid(const char *s, bool colon_ok)
{
    unsigned char extra = colon_ok ? COLON : 0;
    if (!s || !(name_class((unsigned char)s[0]) & (NAME_START | extra))) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s + 1; *p; p++) {
        if (!(name_class(*p) & (NAME_REST | extra))) {
            return false;
        }
    }
    return true;
}

bool he_metric_name_valid(const char *name)
{
    return name_valid(name, true);
}

bool he_label_name_valid(const char *name)
{
    return name_valid(name, false) && strncmp(name, "__", 2) != 0;
}

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h;
}

/* Returns the slot for name: either holding its family or empty. */
static size_t table_slot(const struct he_writer *w, const char *name)
{
    size_t mask = w->table_cap - 1;
    size_t i = hash_name(name) & mask;
    while (w->table[i] && strcmp(str_at(w, w->families[w->table[i] - 1].name), name) != 0) {
        i = (i + 1) & mask;
    }
    return i;
}

/* Keeps the hash table at most half full, rehashing on growth. */
static int table_make_room(struct he_writer *w)
{
    if ((w->nfamilies + 1) * 2 <= w->table_cap) {
        return 0;
    }
    size_t cap = w->table_cap ? w->table_cap * 2 : 256;
    uint32_t *t = calloc(cap, sizeof(*t));
    if (!t) {
        return -ENOMEM;
    }
    free(w->table);
    w->table = t;
    w->table_cap = cap;
    for (size_t f = 0; f < w->nfamilies; f++) {
        w->table[table_slot(w, str_at(w, w->families[f].name))] = (uint32_t)f + 1;
    }
    return 0;
}

static int family_add(struct he_writer *w, const char *name, const char *help,
                      enum he_metric_type type, size_t slot)
{
    int rc = he_array_grow((void **)&w->families, &w->families_cap, w->nfamilies + 1,
                        sizeof(*w->families));
    if (rc < 0) {
        return rc;
    }
    struct family *f = &w->families[w->nfamilies];
    if ((rc = intern(w, name, &f->name)) < 0 || (rc = intern(w, help, &f->help)) < 0) {
        return rc;
    }
    f->type = type;
    w->table[slot] = (uint32_t)w->nfamilies + 1;
    w->current = (long)w->nfamilies++;
    return 0;
}

int he_writer_family(struct he_writer *w, const char *name, const char *help,
                     enum he_metric_type type)
{
    w->current = -1;
    int rc = table_make_room(w);
    if (rc < 0) {
        return rc;
    }
    size_t slot = name ? table_slot(w, name) : 0;
    if (!name || (!w->table[slot] && !he_metric_name_valid(name)) || !help) {
        he_log_error("invalid metric name", "name", name ? name : "(null)", NULL);
        w->errors++;
        return -EINVAL;
    }
    if (!w->table[slot]) {
        return family_add(w, name, help, type, slot);
    }
    struct family *f = &w->families[w->table[slot] - 1];
    if (f->type != type || strcmp(str_at(w, f->help), help) != 0) {
        he_log_error("family redeclared with another HELP or TYPE; samples dropped",
                     "name", name, NULL);
        w->errors++;
        return -EINVAL;
    }
    w->current = (long)(w->table[slot] - 1);
    return 0;
}

/* Inserts pair into the label run [first, first+n) keeping it sorted by name. */
static int insert_label_sorted(struct he_writer *w, size_t first, size_t n, struct label_pair p)
{
    const char *name = str_at(w, p.name);
    size_t i = first + n;
    while (i > first) {
        int c = strcmp(str_at(w, w->labels[i - 1].name), name);
        if (c == 0) {
            return -EINVAL;
        }
        if (c < 0) {
            break;
        }
        w->labels[i] = w->labels[i - 1];
        i--;
    }
    w->labels[i] = p;
    return 0;
}

static int add_labels(struct he_writer *w, const struct he_label *labels, size_t nlabels)
{
    size_t first = w->nlabels;
    for (size_t i = 0; i < nlabels; i++) {
        struct label_pair p;
        int rc;
        if (!he_label_name_valid(labels[i].name) || !labels[i].value) {
            return -EINVAL;
        }
        if ((rc = intern(w, labels[i].name, &p.name)) < 0 ||
            (rc = intern(w, labels[i].value, &p.value)) < 0 ||
            (rc = insert_label_sorted(w, first, i, p)) < 0) {
            return rc;
        }
    }
    return 0;
}

static void fill_identity(uint32_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        idx[i] = (uint32_t)i;
    }
}

static bool is_distribution(enum he_metric_type type)
{
    return type == HE_SUMMARY || type == HE_HISTOGRAM;
}

/*
 * Appends a sample with its labels to the current family, which must be a
 * distribution or not as asked; *out points at it on success.
 */
static int add_series(struct he_writer *w, const struct he_label *labels, size_t nlabels,
                      bool distribution, struct sample **out)
{
    if (w->current < 0 || nlabels > MAX_LABELS ||
        is_distribution(w->families[w->current].type) != distribution) {
        w->errors++;
        return -EINVAL;
    }
    int rc = he_array_grow((void **)&w->samples, &w->samples_cap, w->nsamples + 1,
                        sizeof(*w->samples));
    if (rc == 0) {
        rc = he_array_grow((void **)&w->labels, &w->labels_cap, w->nlabels + nlabels,
                        sizeof(*w->labels));
    }
    size_t strings_mark = w->strings.len;
    if (rc == 0) {
        rc = add_labels(w, labels, nlabels);
    }
    if (rc < 0) {
        w->strings.len = strings_mark;
        w->errors++;
        he_log_error("sample refused", "family",
                     str_at(w, w->families[w->current].name), NULL);
        return rc;
    }
    *out = &w->samples[w->nsamples++];
    **out = (struct sample){
        .family = (uint32_t)w->current,
        .first_label = (uint32_t)w->nlabels,
        .nlabels = (uint32_t)nlabels,
    };
    w->nlabels += nlabels;
    return 0;
}

int he_writer_sample(struct he_writer *w, const struct he_label *labels, size_t nlabels,
                     double value)
{
    struct sample *s;
    int rc = add_series(w, labels, nlabels, false, &s);
    if (rc == 0) {
        s->value = value;
    }
    return rc;
}

/* NaN sorts last; equal bounds keep the order they were given in (the sort is stable). */
static int compare_point_bounds(const void *ctx, uint32_t a, uint32_t b)
{
    const struct he_point *p = ctx;
    double x = p[a].bound, y = p[b].bound;
    if (x < y || (y != y && x == x)) {
        return -1;
    }
    return x > y || (x != x && y == y) ? 1 : 0;
}

/*
 * Copies points into points[] in bound order. Of points with the same bound the
 * one given last is kept: client_golang's const summaries and histograms are
 * built from maps keyed by bound.
 */
static int add_points(struct he_writer *w, const struct he_point *points, size_t n)
{
    int rc = he_array_grow((void **)&w->points, &w->points_cap, w->npoints + n,
                           sizeof(*w->points));
    if (rc == 0) {
        rc = he_array_grow((void **)&w->point_order, &w->point_order_cap, n,
                           sizeof(*w->point_order));
    }
    if (rc == 0) {
        rc = he_array_grow((void **)&w->point_scratch, &w->point_scratch_cap, n,
                           sizeof(*w->point_scratch));
    }
    if (rc < 0 || n == 0) {
        return rc;
    }
    fill_identity(w->point_order, n);
    he_sort_indices(w->point_order, w->point_scratch, n, compare_point_bounds, points);
    for (size_t i = 0; i < n; i++) {
        const struct he_point *p = &points[w->point_order[i]];
        bool replaced_later = i + 1 < n && points[w->point_order[i + 1]].bound == p->bound;
        if (!replaced_later) {
            w->points[w->npoints++] = *p;
        }
    }
    return 0;
}

int he_writer_distribution(struct he_writer *w, const struct he_label *labels, size_t nlabels,
                           const struct he_point *points, size_t npoints, double count,
                           double sum)
{
    struct sample *s;
    size_t first = w->npoints;
    int rc = add_series(w, labels, nlabels, true, &s);
    if (rc < 0) {
        return rc;
    }
    if ((rc = add_points(w, points, npoints)) < 0) {
        w->nsamples--; /* add_series() just appended it */
        w->nlabels -= nlabels;
        w->errors++;
        return rc;
    }
    s = &w->samples[w->nsamples - 1];
    s->first_point = (uint32_t)first;
    s->npoints = (uint32_t)(w->npoints - first);
    s->count = count;
    s->value = sum;
    return 0;
}

int he_writer_value(struct he_writer *w, double value)
{
    return he_writer_sample(w, NULL, 0, value);
}

static int compare_family_names(const void *ctx, uint32_t a, uint32_t b)
{
    const struct he_writer *w = ctx;
    return strcmp(str_at(w, w->families[a].name), str_at(w, w->families[b].name));
}

/* Orders series as client_golang does; 0 means the two are the same series. */
static int compare_series(const struct he_writer *w, const struct sample *a,
                          const struct sample *b)
{
    if (a->nlabels != b->nlabels) {
        return a->nlabels < b->nlabels ? -1 : 1;
    }
    for (uint32_t i = 0; i < a->nlabels; i++) {
        const struct label_pair *la = &w->labels[a->first_label + i];
        const struct label_pair *lb = &w->labels[b->first_label + i];
        int c = strcmp(str_at(w, la->value), str_at(w, lb->value));
        if (c) {
            return c;
        }
    }
    for (uint32_t i = 0; i < a->nlabels; i++) {
        int c = strcmp(str_at(w, w->labels[a->first_label + i].name),
                       str_at(w, w->labels[b->first_label + i].name));
        if (c) {
            return c;
        }
    }
    return 0;
}

static int compare_sample_series(const void *ctx, uint32_t ia, uint32_t ib)
{
    const struct he_writer *w = ctx;
    return compare_series(w, &w->samples[ia], &w->samples[ib]);
}

/*
 * Puts sample indices in family-rank order, each family's samples in the order
 * they were added (a stable counting sort), and records where each family's run
 * starts in w->bucket (nfamilies + 1 entries).
 */
static void bucket_by_family(struct he_writer *w)
{
    memset(w->bucket, 0, (w->nfamilies + 1) * sizeof(*w->bucket));
    for (size_t i = 0; i < w->nsamples; i++) {
        w->bucket[w->families[w->samples[i].family].rank + 1]++;
    }
    for (size_t r = 0; r < w->nfamilies; r++) {
        w->bucket[r + 1] += w->bucket[r];
    }
    for (size_t i = 0; i < w->nsamples; i++) {
        w->scratch[i] = w->bucket[w->families[w->samples[i].family].rank]++;
    }
    for (size_t i = 0; i < w->nsamples; i++) {
        w->sample_order[w->scratch[i]] = (uint32_t)i;
    }
    for (size_t r = w->nfamilies; r > 0; r--) { /* the loop above moved every start one run on */
        w->bucket[r] = w->bucket[r - 1];
    }
    w->bucket[0] = 0;
}

/*
 * Sorts families by name, recording each one's rank, then groups samples by
 * family and sorts each family's series. Both steps are stable, so of equal
 * series the one added first stays first.
 */
static int sort_for_render(struct he_writer *w)
{
    size_t most = w->nfamilies > w->nsamples ? w->nfamilies : w->nsamples;
    int rc = he_array_grow((void **)&w->order, &w->order_cap, w->nfamilies, sizeof(*w->order));
    if (rc == 0) {
        rc = he_array_grow((void **)&w->sample_order, &w->sample_order_cap, w->nsamples,
                        sizeof(*w->sample_order));
    }
    if (rc == 0) {
        rc = he_array_grow((void **)&w->scratch, &w->scratch_cap, most, sizeof(*w->scratch));
    }
    if (rc == 0) {
        rc = he_array_grow((void **)&w->bucket, &w->bucket_cap, w->nfamilies + 1,
                           sizeof(*w->bucket));
    }
    if (rc < 0 || w->nsamples == 0) {
        return rc;
    }
    fill_identity(w->order, w->nfamilies);
    he_sort_indices(w->order, w->scratch, w->nfamilies, compare_family_names, w);
    for (size_t i = 0; i < w->nfamilies; i++) {
        w->families[w->order[i]].rank = (uint32_t)i;
    }
    bucket_by_family(w);
    for (size_t r = 0; r < w->nfamilies; r++) {
        he_sort_indices(w->sample_order + w->bucket[r], w->scratch, w->bucket[r + 1] - w->bucket[r],
                        compare_sample_series, w);
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 if invalid. */
static size_t utf8_sequence_length(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) {
        return 1;
    }
    size_t len;
    unsigned min;
    unsigned cp;
    if ((p[0] & 0xe0) == 0xc0) {
        len = 2, min = 0x80, cp = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3, min = 0x800, cp = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

/* Writes n bytes at p, which the caller reserved; returns the end. */
static char *put_raw(char *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* Most bytes put_escaped() writes per input byte: an invalid byte becomes U+FFFD. */
#define ESCAPE_GROWTH 3

/*
 * Writes s (n bytes) at p, escaped for HELP (quote false) or a label value (quote
 * true): backslash and newline always, double quote in label values. Each run of
 * invalid UTF-8 becomes one U+FFFD, as Go's strings.ToValidUTF8 does. The caller
 * reserved ESCAPE_GROWTH * n bytes; returns the end.
 */
static char *put_escaped(char *p, const char *s, size_t n, bool quote)
{
    const unsigned char *in = (const unsigned char *)s;
    bool in_invalid_run = false;
    while (n) {
        size_t plain = 0; /* printable ASCII needing no escape: the common case, copied at once */
        while (plain < n && in[plain] >= 0x20 && in[plain] < 0x80 && in[plain] != '\\' &&
               !(quote && in[plain] == '"')) {
            plain++;
        }
        if (plain) {
            p = put_raw(p, in, plain);
            in += plain, n -= plain;
            in_invalid_run = false;
            continue;
        }
        size_t len = utf8_sequence_length(in, n);
        if (len == 0) {
            if (!in_invalid_run) {
                p = put_raw(p, "\xef\xbf\xbd", 3);
            }
            in_invalid_run = true;
            in++, n--;
            continue;
        }
        in_invalid_run = false;
        if (*in == '\\') {
            p = put_raw(p, "\\\\", 2);
        } else if (*in == '\n') {
            p = put_raw(p, "\\n", 2);
        } else if (*in == '"' && quote) {
            p = put_raw(p, "\\\"", 2);
        } else {
            p = put_raw(p, in, len);
        }
        in += len, n -= len;
    }
    return p;
}

static const char *type_name(enum he_metric_type t)
{
    switch (t) {
    case HE_COUNTER:
        return "counter";
    case HE_GAUGE:
        return "gauge";
    case HE_SUMMARY:
        return "summary";
    case HE_HISTOGRAM:
        return "histogram";
    default:
        return "untyped";
    }
}

/* Writes "# HELP name help\n# TYPE name type\n". */
static int render_family_header(const struct he_writer *w, const struct family *f,
                                struct he_buf *out)
{
    const char *name = str_at(w, f->name);
    const char *help = str_at(w, f->help);
    const char *type = type_name(f->type);
    size_t nlen = strlen(name), hlen = strlen(help), tlen = strlen(type);
    int rc = he_buf_reserve(out, 16 + 2 * nlen + ESCAPE_GROWTH * hlen + tlen);
    if (rc < 0) {
        return rc;
    }
    char *p = out->data + out->len;
    p = put_raw(p, "# HELP ", 7);
    p = put_raw(p, name, nlen);
    *p++ = ' ';
    p = put_escaped(p, help, hlen, false);
    p = put_raw(p, "\n# TYPE ", 8);
    p = put_raw(p, name, nlen);
    *p++ = ' ';
    p = put_raw(p, type, tlen);
    *p++ = '\n';
    out->len = (size_t)(p - out->data);
    return 0;
}

/*
 * One output line: the family name plus a suffix ("_sum", ...), the series'
 * labels, and for a bucket or quantile the extra label ("le", "quantile") last,
 * after the sorted ones, as client_golang writes it.
 */
struct line {
    const char *suffix;
    const char *extra_name;  /* NULL: no extra label */
    double extra_value;
    double value;
};

/* Bytes render_line() may write for s: escaping at its worst, the longest numbers. */
static size_t line_size_bound(const struct he_writer *w, const struct sample *s)
{
    size_t n = strlen(str_at(w, w->families[s->family].name)) + 4 + HE_FORMAT_DOUBLE_MAX +
               sizeof("_bucket,quantile=\"\"") + HE_FORMAT_DOUBLE_MAX;
    for (uint32_t i = 0; i < s->nlabels; i++) {
        const struct label_pair *l = &w->labels[s->first_label + i];
        n += strlen(str_at(w, l->name)) + 4 + ESCAPE_GROWTH * strlen(str_at(w, l->value));
    }
    return n;
}

/* Writes 'name{label="value",...} value\n' into room reserved once for the whole line. */
static int render_line(const struct he_writer *w, const struct sample *s,
                       const struct line *line, struct he_buf *out)
{
    int rc = he_buf_reserve(out, line_size_bound(w, s));
    if (rc < 0) {
        return rc;
    }
    const char *name = str_at(w, w->families[s->family].name);
    char *p = put_raw(out->data + out->len, name, strlen(name));
    p = put_raw(p, line->suffix, strlen(line->suffix));
    for (uint32_t i = 0; i < s->nlabels; i++) {
        const struct label_pair *l = &w->labels[s->first_label + i];
        const char *lname = str_at(w, l->name);
        const char *value = str_at(w, l->value);
        *p++ = i == 0 ? '{' : ',';
        p = put_raw(p, lname, strlen(lname));
        p = put_raw(p, "=\"", 2);
        p = put_escaped(p, value, strlen(value), true);
        *p++ = '"';
    }
    if (line->extra_name) {
        *p++ = s->nlabels ? ',' : '{';
        p = put_raw(p, line->extra_name, strlen(line->extra_name));
        p = put_raw(p, "=\"", 2);
        p += he_format_double(p, line->extra_value);
        *p++ = '"';
    }
    if (s->nlabels || line->extra_name) {
        *p++ = '}';
    }
    *p++ = ' ';
    p += he_format_double(p, line->value);
    *p++ = '\n';
    out->len = (size_t)(p - out->data);
    return 0;
}

/* A summary's quantile lines or a histogram's buckets (with "+Inf"), then _sum and _count. */
static int render_distribution(const struct he_writer *w, const struct sample *s,
                               struct he_buf *out)
{
    bool histogram = w->families[s->family].type == HE_HISTOGRAM;
    struct line line = {
        .suffix = histogram ? "_bucket" : "",
        .extra_name = histogram ? "le" : "quantile",
    };
    bool inf_seen = false;
    int rc = 0;
    for (uint32_t i = 0; i < s->npoints && rc == 0; i++) {
        const struct he_point *pt = &w->points[s->first_point + i];
        line.extra_value = pt->bound;
        line.value = pt->value;
        inf_seen = inf_seen || pt->bound == INFINITY;
        rc = render_line(w, s, &line, out);
    }
    if (rc == 0 && histogram && !inf_seen) {
        line.extra_value = INFINITY;
        line.value = s->count;
        rc = render_line(w, s, &line, out);
    }
    if (rc == 0) {
        rc = render_line(w, s, &(struct line){.suffix = "_sum", .value = s->value}, out);
    }
    if (rc == 0) {
        rc = render_line(w, s, &(struct line){.suffix = "_count", .value = s->count}, out);
    }
    return rc;
}

static int render_sample(const struct he_writer *w, const struct sample *s, struct he_buf *out)
{
    if (is_distribution(w->families[s->family].type)) {
        return render_distribution(w, s, out);
    }
    return render_line(w, s, &(struct line){.suffix = "", .value = s->value}, out);
}

int he_writer_render(struct he_writer *w, enum he_format format, struct he_buf *out)
{
    (void)format; /* text 0.0.4 is the only format so far */
    int rc = sort_for_render(w);
    const struct sample *prev = NULL;
    for (size_t i = 0; i < w->nsamples && rc == 0; i++) {
        const struct sample *s = &w->samples[w->sample_order[i]];
        bool new_family = !prev || prev->family != s->family;
        if (!new_family && compare_series(w, prev, s) == 0) {
            w->errors++;
            he_log_error("duplicate series dropped", "family",
                         str_at(w, w->families[s->family].name), NULL);
            continue;
        }
        if (new_family) {
            rc = render_family_header(w, &w->families[s->family], out);
        }
        if (!rc) {
            rc = render_sample(w, s, out);
        }
        prev = s;
    }
    return rc;
}
