/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the /proc and /sys text helpers of he_parse.h and
 * he_parse_go.h, and the growable field splitter of he_fieldvec.h: the input is
 * read as a file, line by line, and every line and field goes through each
 * parser. Results are checked against what the headers promise (fields inside
 * the line, a number only on success).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_fieldvec.h"
#include "he_parse.h"
#include "he_parse_go.h"

#define MAX_FIELDS 8

/* A field must point inside the text it was cut from. */
static void check_inside(struct he_field f, struct he_field text)
{
    if (f.len && (f.p < text.p || f.p + f.len > text.p + text.len)) {
        abort();
    }
}

static void numbers(struct he_field f)
{
    uint64_t u;
    int64_t i;
    double d;
    char copy[32];
    he_parse_u64(f, &u);
    he_parse_double(f, &d);
    he_parse_i64(f, &i);
    he_parse_i64_base0(f, &i);
    he_parse_u64_base0(f, &u);
    he_parse_u64_trimmed(f, &u);
    he_go_underscores_ok(f.p, f.len);
    if (he_field_copy(f, copy, sizeof(copy)) == 0 && strlen(copy) > f.len) {
        abort();
    }
    (void)he_field_eq(f, "kB");
}

static void one_line(struct he_field line, struct he_fieldvec *fv)
{
    struct he_field fields[MAX_FIELDS];
    size_t n = he_split_fields(line, fields, MAX_FIELDS);
    for (size_t i = 0; i < n && i < MAX_FIELDS; i++) {
        check_inside(fields[i], line);
        numbers(fields[i]);
    }
    n = he_go_fields(line, fields, MAX_FIELDS);
    for (size_t i = 0; i < n && i < MAX_FIELDS; i++) {
        check_inside(fields[i], line);
        numbers(fields[i]);
    }
    struct he_field trimmed = he_go_trim_space(line);
    check_inside(trimmed, line);
    numbers(line);
    if (line.len) {
        (void)he_go_space_at(line.p, line.len);
    }
    struct he_kv_line kv;
    if (he_parse_kv_line(line, &kv) == 0) {
        check_inside(kv.key, line);
    }
    if (he_fieldvec_split(fv, line) == 0) {
        for (size_t i = 0; i < fv->n; i++) {
            check_inside(fv->v[i], line);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct he_field whole = {text, size};
    struct he_fieldvec fv;
    he_fieldvec_init(&fv);
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, text, size);
    while (he_lines_next(&it, &line)) {
        check_inside(line, whole);
        one_line(line, &fv);
    }
    he_fieldvec_fini(&fv);
    uint64_t u;
    he_parse_single_u64(text, size, &u);
    return 0;
}
