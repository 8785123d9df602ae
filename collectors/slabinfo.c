/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slabinfo: node_slabinfo_active_objects, node_slabinfo_objects,
 * node_slabinfo_object_size_bytes, node_slabinfo_objects_per_slab and
 * node_slabinfo_pages_per_slab, one series per slab cache ({slab}), from
 * <procfs>/slabinfo (format version 2.1, mm/slab_common.c; readable by root only).
 * Mirrors node_exporter's collector/slabinfo_linux.go and procfs's slab.go.
 *
 * As procfs does, the version line and the "# name" header are skipped (any line
 * containing "slabinfo -" or "# name"), and every other line must split into
 * exactly 16 fields at runs of whitespace, with the five exported columns and the
 * six tunables/slabdata numbers all valid signed integers. One bad line fails the
 * whole collector with nothing emitted, so the file is checked before anything is
 * written. --collector.slabinfo.slabs-include (default ".*") and -exclude filter
 * by slab name; unlike the usual device filters, both may be set at once.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"

#define SLABINFO_FIELDS 16

/* Indexes of the numeric fields on a line: exported ones first, then checked-only. */
static const size_t slabinfo_numeric[] = {1, 2, 3, 4, 5, 8, 9, 10, 13, 14, 15};
#define SLABINFO_NNUMERIC (sizeof(slabinfo_numeric) / sizeof(slabinfo_numeric[0]))

static const char *slabinfo_include_flag;
static const char *slabinfo_exclude_flag;

static const struct he_flag slabinfo_flags[] = {
    {"collector.slabinfo.slabs-include", HE_FLAG_STRING, ".*",
     "Regexp of slabs to include in slabinfo collector.", &slabinfo_include_flag,
     he_regex_check_flag},
    {"collector.slabinfo.slabs-exclude", HE_FLAG_STRING, NULL,
     "Regexp of slabs to exclude in slabinfo collector.", &slabinfo_exclude_flag,
     he_regex_check_flag},
    {0},
};

struct slabinfo_state {
    struct he_file file;
    struct he_buf name;        /* the current slab name as a C string */
    struct he_regex include;   /* unset when the flag is "" */
    struct he_regex exclude;
};

/* One parsed line: the name and the numeric fields in slabinfo_numeric order. */
struct slabinfo_line {
    struct he_field name;
    int64_t v[SLABINFO_NNUMERIC];
};

static int slabinfo_init(void **state)
{
    struct slabinfo_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 16 * 1024 * 1024);
    he_buf_init(&s->name, 64 * 1024);
    /* The flags were checked at startup; compiling again cannot fail but for memory. */
    if (he_regex_compile(&s->include, slabinfo_include_flag, err, sizeof(err)) < 0 ||
        he_regex_compile(&s->exclude, slabinfo_exclude_flag, err, sizeof(err)) < 0) {
        he_log_error("slabinfo: cannot compile filter", "err", err, NULL);
        he_regex_free(&s->include);
        free(s);
        return -EINVAL;
    }
    *state = s;
    return 0;
}

static void slabinfo_fini(void *state)
{
    struct slabinfo_state *s = state;
    he_file_fini(&s->file);
    he_buf_free(&s->name);
    he_regex_free(&s->include);
    he_regex_free(&s->exclude);
    free(s);
}

/* Go's \s in procfs's `\s+`: space, \t, \n, \f, \r (not \v). */
static bool slabinfo_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/*
 * Splits as strings.Split(regexp(`\s+`).ReplaceAllString(line, " "), " "): runs of
 * whitespace separate fields, and leading or trailing whitespace makes an empty
 * first or last field. Returns the field count (only max are stored).
 */
static size_t slabinfo_split(struct he_field line, struct he_field *f, size_t max)
{
    size_t n = 0;
    size_t i = 0;
    for (;;) {
        size_t start = i;
        while (i < line.len && !slabinfo_space(line.p[i])) {
            i++;
        }
        if (n < max) {
            f[n] = (struct he_field){line.p + start, i - start};
        }
        n++;
        if (i == line.len) {
            return n;
        }
        while (i < line.len && slabinfo_space(line.p[i])) {
            i++;
        }
    }
}

static bool slabinfo_contains(struct he_field line, const char *needle)
{
    return memmem(line.p, line.len, needle, strlen(needle)) != NULL;
}

/* Returns 1 for a slab line parsed into out, 0 for a header line, -EINVAL otherwise. */
static int slabinfo_parse_line(struct he_field line, struct slabinfo_line *out)
{
    struct he_field f[SLABINFO_FIELDS];
    if (slabinfo_contains(line, "slabinfo -") || slabinfo_contains(line, "# name")) {
        return 0;
    }
    /* bufio.Scanner drops one '\r' before the newline. */
    if (line.len && line.p[line.len - 1] == '\r') {
        line.len--;
    }
    if (slabinfo_split(line, f, SLABINFO_FIELDS) != SLABINFO_FIELDS) {
        return -EINVAL;
    }
    out->name = f[0];
    for (size_t i = 0; i < SLABINFO_NNUMERIC; i++) {
        if (he_parse_i64(f[slabinfo_numeric[i]], &out->v[i]) < 0) {
            return -EINVAL;
        }
    }
    return 1;
}

/* Checks every line, so that a bad one fails the scrape before anything is emitted. */
static int slabinfo_validate(const struct slabinfo_state *s)
{
    struct he_lines it;
    struct he_field line;
    struct slabinfo_line sl;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (slabinfo_parse_line(line, &sl) < 0) {
            he_log_debug("slabinfo: cannot parse line", NULL);
            return -EINVAL;
        }
    }
    return 0;
}

static bool slabinfo_ignored(struct slabinfo_state *s, const char *name)
{
    return (s->exclude.compiled && he_regex_match(&s->exclude, name)) ||
           (s->include.compiled && !he_regex_match(&s->include, name));
}

static void slabinfo_emit_line(struct he_writer *w, const char *name,
                               const struct slabinfo_line *sl)
{
    struct he_label label = {"slab", name};
    he_writer_family(w, "node_slabinfo_active_objects",
                     "The number of objects that are currently active (i.e., in use).", HE_GAUGE);
    he_writer_sample(w, &label, 1, (double)sl->v[0]);
    he_writer_family(w, "node_slabinfo_objects",
                     "The total number of allocated objects (i.e., objects that are both in use "
                     "and not in use).",
                     HE_GAUGE);
    he_writer_sample(w, &label, 1, (double)sl->v[1]);
    he_writer_family(w, "node_slabinfo_object_size_bytes",
                     "The size of objects in this slab, in bytes.", HE_GAUGE);
    he_writer_sample(w, &label, 1, (double)sl->v[2]);
    he_writer_family(w, "node_slabinfo_objects_per_slab",
                     "The number of objects stored in each slab.", HE_GAUGE);
    he_writer_sample(w, &label, 1, (double)sl->v[3]);
    he_writer_family(w, "node_slabinfo_pages_per_slab",
                     "The number of pages allocated for each slab.", HE_GAUGE);
    he_writer_sample(w, &label, 1, (double)sl->v[4]);
}

static int slabinfo_emit(struct slabinfo_state *s, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line;
    struct slabinfo_line sl;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (slabinfo_parse_line(line, &sl) != 1) {
            continue;
        }
        he_buf_reset(&s->name);
        int rc = he_buf_append(&s->name, sl.name.p, sl.name.len);
        if (rc == 0) {
            rc = he_buf_terminate(&s->name);
        }
        if (rc < 0) {
            return rc;
        }
        if (!slabinfo_ignored(s, s->name.data)) {
            slabinfo_emit_line(w, s->name.data, &sl);
        }
    }
    return 0;
}

static int slabinfo_collect(void *state, struct he_writer *w)
{
    struct slabinfo_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "slabinfo");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc < 0) {
        he_log_debug("slabinfo: cannot read", "path", path, NULL);
        return rc;
    }
    rc = slabinfo_validate(s);
    if (rc < 0) {
        return rc;
    }
    return slabinfo_emit(s, w);
}

static const struct he_collector slabinfo_collector = {
    .name = "slabinfo",
    .default_enabled = false,
    .flags = slabinfo_flags,
    .init = slabinfo_init,
    .collect = slabinfo_collect,
    .fini = slabinfo_fini,
};

HE_COLLECTOR_REGISTER(slabinfo_collector)
