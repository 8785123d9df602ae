/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one exposition writer. Collectors declare a family, then add samples to it;
 * nothing is printed until he_writer_render(), which sorts families by name and
 * series by label values as client_golang does, drops duplicate series (the first
 * is kept), and writes text format 0.0.4 with HELP/TYPE, escaping and Go-style
 * numbers. All storage is reused across scrapes: once warm, a scrape allocates
 * nothing.
 *
 * Names passed in are validated; a bad metric or label name, or a sample for a
 * family redeclared with another HELP or TYPE, is refused and counted as a
 * gathering error. Label values and HELP may hold any bytes: invalid UTF-8 is
 * replaced by U+FFFD on output.
 */
#ifndef HE_WRITER_H
#define HE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "he_buf.h"

enum he_metric_type {
    HE_GAUGE,
    HE_COUNTER,
    HE_UNTYPED,
    HE_SUMMARY,
    HE_HISTOGRAM,
};

/* A histogram bucket (upper bound, cumulative count) or a summary quantile (quantile, value). */
struct he_point {
    double bound;
    double value;
};

struct he_label {
    const char *name;
    const char *value;
};

/* Output formats the writer can render. Only text 0.0.4 exists today. */
enum he_format {
    HE_FORMAT_TEXT_0_0_4,
};

struct he_writer;

/* Allocates an empty writer, or returns NULL when out of memory. */
struct he_writer *he_writer_new(void);
void he_writer_free(struct he_writer *w);

/* Forgets every family and sample, keeping the memory for the next scrape. */
void he_writer_reset(struct he_writer *w);

/*
 * Declares family name (strings are copied) and makes it the target of the
 * following he_writer_sample() calls. Declaring a name again selects the same
 * family. Returns 0, -EINVAL for an invalid name or a HELP/TYPE that differs
 * from the first declaration (its samples are then refused), or -ENOMEM/-EFBIG.
 */
int he_writer_family(struct he_writer *w, const char *name, const char *help,
                     enum he_metric_type type);

/*
 * Adds one sample with nlabels labels (any order; names must be valid and
 * distinct) to the current family. Returns 0, -EINVAL (no valid current family,
 * bad label name) or -ENOMEM/-EFBIG. A sample refused here is counted as a
 * gathering error.
 */
int he_writer_sample(struct he_writer *w, const struct he_label *labels, size_t nlabels,
                     double value);

/*
 * Adds one summary or histogram series to the current family, which must be of
 * that type: its quantiles or buckets (any order; sorted on output, a histogram
 * gets a "+Inf" bucket holding count if it has none), sample count and sum.
 * Rendered as client_golang does: the points, then name_sum and name_count.
 * Returns and counts errors as he_writer_sample().
 */
int he_writer_distribution(struct he_writer *w, const struct he_label *labels, size_t nlabels,
                           const struct he_point *points, size_t npoints, double count,
                           double sum);

/* Shorthand for a sample without labels. */
int he_writer_value(struct he_writer *w, double value);

/*
 * Renders every family into out (appended). Duplicate series are dropped and
 * counted. Returns 0 or -ENOMEM/-EFBIG.
 */
int he_writer_render(struct he_writer *w, enum he_format format, struct he_buf *out);

/* Problems since the last reset: refused samples plus duplicates found by render. */
unsigned he_writer_errors(const struct he_writer *w);

/* True when name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
bool he_metric_name_valid(const char *name);

/* True when name is a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not "__" prefixed). */
bool he_label_name_valid(const char *name);

#endif
