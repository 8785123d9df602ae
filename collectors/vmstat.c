/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmstat: node_vmstat_<field> from <procfs>/vmstat, one untyped family per
 * "name value" line whose name matches --collector.vmstat.fields (Go regexp,
 * unanchored; the default keeps oom_kill, pgpg*, pswp* and the page-fault
 * counters). HELP is "/proc/vmstat information field <name>.". Mirrors
 * node_exporter's collector/vmstat_linux.go, whose loop this keeps:
 *   - every line's value is parsed as a float before the name is filtered,
 *     so a bad value on any line fails the collector;
 *   - samples are emitted line by line, so what came before a failure stays
 *     in the scrape, as it does upstream;
 *   - a line of 64 KiB or more ends the read with an error (bufio.Scanner's
 *     limit).
 * Upstream indexes the second field without checking, so a line with fewer
 * than two fields (an empty line) panics and takes node_exporter down; here it
 * fails the collector instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"
#include "he_regex.h"

/* bufio.Scanner's default MaxScanTokenSize: no line may be this long. */
#define VMSTAT_MAX_LINE (64u * 1024u)

/* --collector.vmstat.fields; written once by flag parsing before any init. */
static const char *vmstat_fields_flag;

static const struct he_flag vmstat_flags[] = {
    {"collector.vmstat.fields", HE_FLAG_STRING, "^(oom_kill|pgpg|pswp|pg.*fault).*",
     "Regexp of fields to return for vmstat collector.", &vmstat_fields_flag,
     he_regex_check_flag},
    {0},
};

struct vmstat_state {
    struct he_file file;     /* kept open: /proc/vmstat always exists */
    struct he_regex fields;  /* unset when the flag is "", which Go matches everywhere */
    struct he_buf name;      /* "node_vmstat_<field>", reused */
    struct he_buf help;
};

static int vmstat_init(void **state)
{
    struct vmstat_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (!s) {
        return -ENOMEM;
    }
    /* The flag was checked at start-up, so only memory can fail here. */
    if (he_regex_compile(&s->fields, vmstat_fields_flag, err, sizeof(err)) < 0) {
        he_log_error("vmstat: bad --collector.vmstat.fields", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    he_file_init(&s->file, true, 0);
    he_buf_init(&s->name, VMSTAT_MAX_LINE + 64);
    he_buf_init(&s->help, VMSTAT_MAX_LINE + 64);
    *state = s;
    return 0;
}

static void vmstat_fini(void *state)
{
    struct vmstat_state *s = state;
    he_file_fini(&s->file);
    he_regex_free(&s->fields);
    he_buf_free(&s->name);
    he_buf_free(&s->help);
    free(s);
}

/* Builds prefix + field + suffix into b as a C string. */
static int vmstat_compose(struct he_buf *b, const char *prefix, struct he_field field,
                          const char *suffix)
{
    he_buf_reset(b);
    int rc = he_buf_puts(b, prefix);
    if (rc == 0) {
        rc = he_buf_append(b, field.p, field.len);
    }
    if (rc == 0) {
        rc = he_buf_puts(b, suffix);
    }
    if (rc == 0) {
        rc = he_buf_terminate(b);
    }
    return rc;
}

/* Handles one line: parse the value, filter the name, emit. */
static int vmstat_line(struct vmstat_state *s, struct he_field line, struct he_writer *w)
{
    static const char prefix[] = "node_vmstat_";
    struct he_field f[2];
    double value;
    if (he_split_fields(line, f, 2) < 2 || he_parse_double(f[1], &value) < 0) {
        return -EINVAL;
    }
    if (memchr(f[0].p, '\0', f[0].len)) {
        return -EINVAL; /* would pass as a shorter name; upstream panics on it */
    }
    int rc = vmstat_compose(&s->name, prefix, f[0], "");
    if (rc < 0) {
        return rc;
    }
    const char *field = s->name.data + sizeof(prefix) - 1;
    if (s->fields.compiled && !he_regex_match(&s->fields, field)) {
        return 0;
    }
    rc = vmstat_compose(&s->help, "/proc/vmstat information field ", f[0], ".");
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, s->name.data, s->help.data, HE_UNTYPED);
    he_writer_value(w, value);
    return 0;
}

static int vmstat_emit(struct vmstat_state *s, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (line.len >= VMSTAT_MAX_LINE) {
            return -EFBIG;
        }
        int rc = vmstat_line(s, line, w);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int vmstat_collect(void *state, struct he_writer *w)
{
    struct vmstat_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "vmstat");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = vmstat_emit(s, w);
    }
    if (rc < 0) {
        he_log_debug("vmstat: cannot read", "path", path, "err", strerror(-rc), NULL);
    }
    return rc;
}

static const struct he_collector vmstat_collector = {
    .name = "vmstat",
    .default_enabled = true,
    .flags = vmstat_flags,
    .init = vmstat_init,
    .collect = vmstat_collect,
    .fini = vmstat_fini,
};

HE_COLLECTOR_REGISTER(vmstat_collector)
