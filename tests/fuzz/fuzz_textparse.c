/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the textfile parser (he_textparse.h). The input is cut
 * at each "\n#@@\n" into up to four files parsed into one model as the textfile
 * collector does (each file all or nothing, timestamps dropping the file); the
 * accepted families then go through the exposition writer the way the collector
 * emits them (every label name of the family, missing values empty), and the
 * output is rendered. Also feeds the first line to he_text_parse_float.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_textparse.h"
#include "he_writer.h"

#define MAX_FILES 4

static const char separator[] = "\n#@@\n";

/* Parses one file as the collector does: a file with timestamps is taken out again. */
static void parse_one(struct he_text_model *m, const char *p, size_t n, uint32_t file)
{
    struct he_text_result r = {.max_samples = 1000};
    struct he_text_mark mark = he_text_model_mark(m);
    if (he_text_parse(m, p, n, file, &r) == 0 && r.has_timestamps) {
        he_text_model_truncate(m, &mark);
    }
}

static void emit_metric(const struct he_text_model *m, struct he_writer *w,
                        const struct he_text_family *f, const struct he_text_metric *metric,
                        struct he_point *points)
{
    struct he_label labels[HE_TEXT_MAX_LABEL_NAMES];
    for (uint32_t i = 0; i < f->nnames && i < HE_TEXT_MAX_LABEL_NAMES; i++) {
        labels[i] = (struct he_label){he_text_str(m, m->names[f->first_name + i]), ""};
        for (uint32_t k = 0; k < metric->nlabels; k++) {
            const struct he_text_label *l = &m->labels[metric->first_label + k];
            if (strcmp(he_text_str(m, l->name), labels[i].name) == 0) {
                labels[i].value = he_text_str(m, l->value);
                break;
            }
        }
    }
    if (f->type != HE_SUMMARY && f->type != HE_HISTOGRAM) {
        he_writer_sample(w, labels, f->nnames, metric->value);
        return;
    }
    size_t n = 0;
    for (uint32_t p = metric->first_point; p != HE_TEXT_NONE; p = m->points[p].next) {
        points[n++] = m->points[p].point;
    }
    he_writer_distribution(w, labels, f->nnames, points, n, metric->count, metric->value);
}

static void emit(const struct he_text_model *m, struct he_writer *w)
{
    struct he_point *points = malloc((m->npoints + 1) * sizeof(*points));
    if (!points) {
        return;
    }
    for (size_t i = 0; i < m->nmetrics; i++) {
        const struct he_text_metric *metric = &m->metrics[i];
        const struct he_text_family *f = &m->families[metric->family];
        const char *help = f->help != HE_TEXT_NONE ? he_text_str(m, f->help) : "from textfile";
        if (he_writer_family(w, he_text_str(m, f->name), help, f->type) == 0) {
            emit_metric(m, w, f, metric, points);
        }
    }
    free(points);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct he_text_model m;
    he_text_model_init(&m);
    const char *p = text, *end = text + size;
    for (uint32_t file = 0; file < MAX_FILES && p <= end; file++) {
        const char *cut = file + 1 < MAX_FILES
            ? memmem(p, (size_t)(end - p), separator, sizeof(separator) - 1) : NULL;
        size_t n = cut ? (size_t)(cut - p) : (size_t)(end - p);
        parse_one(&m, p, n, file);
        if (!cut) {
            break;
        }
        p = cut + sizeof(separator) - 1;
    }

    struct he_writer *w = he_writer_new();
    if (w) {
        struct he_buf out;
        he_buf_init(&out, 0);
        emit(&m, w);
        he_writer_render(w, HE_FORMAT_TEXT_0_0_4, &out);
        he_buf_free(&out);
        he_writer_free(w);
    }
    he_text_model_free(&m);

    const char *nl = memchr(text, '\n', size);
    double v = 0;
    he_text_parse_float(text, nl ? (size_t)(nl - text) : size, &v);
    (void)he_text_go_uint64(v);
    return 0;
}
