/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A parser of the Prometheus text format 0.0.4 for untrusted input (the textfile
 * collector's *.prom files), with the semantics of prometheus/common's
 * expfmt.TextParser: the same grammar, the same errors ("text format parsing
 * error in line N: ..."), summaries and histograms assembled from their
 * _sum/_count/_bucket lines. Several files are parsed into one model, each file
 * all or nothing; everything lives in arrays that are reused across scrapes.
 */
#ifndef HE_TEXTPARSE_H
#define HE_TEXTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "he_buf.h"
#include "he_writer.h"

#define HE_TEXT_NONE UINT32_MAX

/* One metric family of one file. Strings are offsets into the model's arena. */
struct he_text_family {
    uint32_t name;
    uint32_t help;           /* HE_TEXT_NONE: the file gave no HELP */
    uint32_t file;           /* as passed to he_text_parse() */
    uint32_t nmetrics;       /* 0: declared by comments only, to be ignored */
    uint32_t first_name;     /* the label names its metrics use, in names[] */
    uint32_t nnames;
    enum he_metric_type type;
    bool typed;              /* by a TYPE line or by its first sample */
    bool gauge_histogram;    /* declared so: its samples make the file fail */
};

/* One series: a plain value, or a summary or histogram with its points. */
struct he_text_metric {
    uint32_t family;
    uint32_t first_label;    /* index into labels[] */
    uint32_t nlabels;
    uint32_t first_point;    /* head of a list through points[].next, or HE_TEXT_NONE */
    uint32_t last_point;
    uint32_t npoints;
    double value;            /* the sum for summaries and histograms */
    double count;
    uint64_t hash;           /* of the label set, to find a distribution again */
};

struct he_text_label {
    uint32_t name;
    uint32_t value;
};

struct he_text_point {
    struct he_point point;
    uint32_t next;
};

struct he_text_model {
    struct he_buf strings;   /* NUL-terminated strings */
    struct he_buf token;     /* the token being read */
    struct he_text_family *families;
    size_t nfamilies, families_cap;
    struct he_text_metric *metrics;
    size_t nmetrics, metrics_cap;
    struct he_text_label *labels;
    size_t nlabels, labels_cap;
    struct he_text_point *points;
    size_t npoints, points_cap;
    uint32_t *names;         /* string offsets of each family's label names */
    size_t nnames, names_cap;
    uint32_t *by_name;       /* one file's families by name (open addressing, index + 1) */
    size_t by_name_cap;
    uint32_t *by_series;     /* one file's summaries and histograms by label set */
    size_t by_series_cap;
};

/* Limits and findings of one he_text_parse() call. */
struct he_text_result {
    size_t max_samples;      /* sample lines allowed; more fails the file */
    size_t samples;          /* sample lines read */
    bool has_timestamps;
    char error[256];         /* why the file failed */
};

void he_text_model_init(struct he_text_model *m);
void he_text_model_free(struct he_text_model *m);

/* Forgets every file, keeping the memory. */
void he_text_model_reset(struct he_text_model *m);

/* Most label names one family of one file may use (over all its series). */
#define HE_TEXT_MAX_LABEL_NAMES 32

/*
 * Parses text[0..len) as file number file, adding its families to the model.
 * Returns 0; -EINVAL for a syntax error or a family using more than
 * HE_TEXT_MAX_LABEL_NAMES label names (every series gets all of them) and -E2BIG for more than max_samples
 * sample lines, with the message in r->error and the model as it was before
 * the call; or -ENOMEM/-EFBIG. A file with timestamps parses (r->has_timestamps);
 * the caller decides, and may drop it again with he_text_model_truncate().
 */
int he_text_parse(struct he_text_model *m, const char *text, size_t len, uint32_t file,
                  struct he_text_result *r);

/* Sizes of the model's arrays, to return to with he_text_model_truncate(). */
struct he_text_mark {
    size_t strings, families, metrics, labels, points, names;
};

struct he_text_mark he_text_model_mark(const struct he_text_model *m);
void he_text_model_truncate(struct he_text_model *m, const struct he_text_mark *mark);

static inline const char *he_text_str(const struct he_text_model *m, uint32_t off)
{
    return m->strings.data + off;
}

/*
 * Parses a float as Go's strconv.ParseFloat does, minus what expfmt refuses
 * ('p', 'P', '_'): decimal with optional exponent, Inf/Infinity with a sign,
 * NaN, any case; out of range is an error. Returns 0 or -EINVAL.
 */
int he_text_parse_float(const char *s, size_t n, double *out);

/* uint64(v) as Go computes it on amd64 (counts of summaries and histograms), as a double. */
double he_text_go_uint64(double v);

#endif
