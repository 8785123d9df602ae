/* SPDX-License-Identifier: Apache-2.0 */
/*
 * meminfo_numa: node_memory_numa_* per NUMA node from
 * <sysfs>/devices/system/node/node<N>/meminfo and .../numastat. Mirrors
 * node_exporter's collector/meminfo_numa_linux.go.
 *
 * Naming rule (pass-through, so no literal list): a meminfo line
 * "Node 0 Active(anon): 1564 kB" gives the gauge node_memory_numa_Active_anon
 * {node="0"} = 1564 * 1024: the key loses its trailing ':'s, "(x)" becomes
 * "_x", values with "kB" are multiplied by 1024 and the node label is the
 * line's second word. A numastat line "numa_hit 14345350" gives the counter
 * node_memory_numa_numa_hit_total{node="0"}, the node taken from the directory
 * name. HELP is "Memory information field <name without node_memory_numa_>.".
 *
 * As upstream: no node directory (or no node/ at all) is no error; a missing
 * file, a line of another shape or a value that is not a number fails the
 * scrape before anything is emitted. There is no fixed key list: every key the
 * kernel prints is exported (HugePages_* counts too, times 1 as they have no unit).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

#define NUMA_DIR "devices/system/node"
#define NUMA_PREFIX "node_memory_numa_"

/* One series: its name and node label live in the state's strings buffer. */
struct numa_entry {
    size_t name_at;
    size_t node_at;
    double value;
    bool counter;
};

struct numa_state {
    struct he_dir dir;
    struct he_file meminfo, numastat;   /* reopened per node */
    struct numa_entry *entries;         /* grown to the most series seen */
    size_t n, cap;
    struct he_buf strings;              /* names and node labels, NUL-terminated */
    struct he_buf help;
};

static int numa_init(void **state)
{
    struct numa_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    he_file_init(&s->meminfo, false, 1024 * 1024);
    he_file_init(&s->numastat, false, 1024 * 1024);
    he_buf_init(&s->strings, 0);
    he_buf_init(&s->help, 0);
    *state = s;
    return 0;
}

static void numa_fini(void *state)
{
    struct numa_state *s = state;
    he_dir_fini(&s->dir);
    he_file_fini(&s->meminfo);
    he_file_fini(&s->numastat);
    he_buf_free(&s->strings);
    he_buf_free(&s->help);
    free(s->entries);
    free(s);
}

/*
 * Appends the metric name for key (a field, without trailing ':'s) to the
 * strings: upstream's `\((.*)\)` -> "_${1}", i.e. the first '(' and the last ')'
 * after it become "_" and "".
 */
static int numa_put_name(struct he_buf *b, struct he_field key, const char *suffix)
{
    const char *end = key.p + key.len;
    const char *open = memchr(key.p, '(', key.len);
    const char *close = open ? memrchr(open + 1, ')', (size_t)(end - open - 1)) : NULL;
    int rc = he_buf_puts(b, NUMA_PREFIX);
    if (rc == 0 && close) {
        rc = he_buf_append(b, key.p, (size_t)(open - key.p));
        rc = rc ? rc : he_buf_putc(b, '_');
        rc = rc ? rc : he_buf_append(b, open + 1, (size_t)(close - open - 1));
        rc = rc ? rc : he_buf_append(b, close + 1, (size_t)(end - close - 1));
    } else if (rc == 0) {
        rc = he_buf_append(b, key.p, key.len);
    }
    rc = rc ? rc : he_buf_puts(b, suffix);
    return rc ? rc : he_buf_putc(b, '\0');
}

/* Records one series: name from key (+ suffix), label node. */
static int numa_add(struct numa_state *s, struct he_field key, const char *suffix,
                    struct he_field node, double value, bool counter)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 128;
        struct numa_entry *e = realloc(s->entries, cap * sizeof(*e));
        if (!e) {
            return -ENOMEM;
        }
        s->entries = e;
        s->cap = cap;
    }
    struct numa_entry *e = &s->entries[s->n];
    e->name_at = s->strings.len;
    int rc = numa_put_name(&s->strings, key, suffix);
    e->node_at = s->strings.len;
    rc = rc ? rc : he_buf_append(&s->strings, node.p, node.len);
    rc = rc ? rc : he_buf_putc(&s->strings, '\0');
    e->value = value;
    e->counter = counter;
    s->n += rc == 0;
    return rc;
}

/* One "Node N Key: value [kB]" line; blank lines are skipped. */
static int numa_meminfo_line(struct numa_state *s, struct he_field line)
{
    struct he_field f[6];
    size_t n = he_split_fields(line, f, 6);
    double v;
    if (n == 0) {
        return 0;
    }
    /* Upstream indexes the fourth word unchecked; a shorter line is an error here. */
    if (n < 4 || he_parse_double(f[3], &v) < 0) {
        return -EINVAL;
    }
    if (n == 5 && he_field_eq(f[4], "kB")) {
        v *= 1024;
    } else if (n != 4) {
        return -EINVAL;
    }
    while (f[2].len && f[2].p[f[2].len - 1] == ':') {
        f[2].len--;
    }
    return numa_add(s, f[2], "", f[1], v, false);
}

/* One "key value" numastat line for node; blank lines are skipped. */
static int numa_numastat_line(struct numa_state *s, struct he_field line, struct he_field node)
{
    struct he_field f[3];
    size_t n = he_split_fields(line, f, 3);
    double v;
    if (n == 0) {
        return 0;
    }
    if (n != 2 || he_parse_double(f[1], &v) < 0) {
        return -EINVAL;
    }
    return numa_add(s, f[0], "_total", node, v, true);
}

/* Reads <node dir>/<file> into f. */
static int numa_read(struct he_file *f, const char *node, const char *file)
{
    char rel[1024];
    char path[4096];
    int n = snprintf(rel, sizeof(rel), NUMA_DIR "/%s/%s", node, file);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    int rc = he_path_sys(path, sizeof(path), rel);
    rc = rc ? rc : he_file_read(f, path);
    if (rc < 0) {
        he_log_debug("meminfo_numa: cannot read", "path", path, NULL);
    }
    return rc;
}

/* Parses both files of one node directory, name "node<digits>...". */
static int numa_node(struct numa_state *s, const char *name)
{
    struct he_lines it;
    struct he_field line;
    int rc = numa_read(&s->meminfo, name, "meminfo");
    rc = rc ? rc : numa_read(&s->numastat, name, "numastat");
    if (rc < 0) {
        return rc;
    }
    he_lines_init(&it, s->meminfo.buf.data, s->meminfo.buf.len);
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = numa_meminfo_line(s, line);
    }
    /* numastat's node is the directory's number, as upstream's regexp takes it. */
    struct he_field node = {name + 4, strspn(name + 4, "0123456789")};
    he_lines_init(&it, s->numastat.buf.data, s->numastat.buf.len);
    while (rc == 0 && he_lines_next(&it, &line)) {
        rc = numa_numastat_line(s, line, node);
    }
    if (rc < 0) {
        he_log_debug("meminfo_numa: invalid line", "node", name, NULL);
    }
    return rc;
}

static void numa_emit(struct numa_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct numa_entry *e = &s->entries[i];
        const char *name = s->strings.data + e->name_at;
        he_buf_reset(&s->help);
        int rc = he_buf_puts(&s->help, "Memory information field ");
        rc = rc ? rc : he_buf_puts(&s->help, name + strlen(NUMA_PREFIX));
        rc = rc ? rc : he_buf_append(&s->help, ".", 2);
        if (rc == 0) {
            struct he_label label = {"node", s->strings.data + e->node_at};
            he_writer_family(w, name, s->help.data, e->counter ? HE_COUNTER : HE_GAUGE);
            he_writer_sample(w, &label, 1, e->value);
        }
    }
}

static int numa_collect(void *state, struct he_writer *w)
{
    struct numa_state *s = state;
    char path[4096];
    s->n = 0;
    he_buf_reset(&s->strings);
    int rc = he_path_sys(path, sizeof(path), NUMA_DIR);
    if (rc < 0) {
        return rc;
    }
    if (he_dir_read(&s->dir, path) < 0) {
        he_log_debug("meminfo_numa: cannot list", "path", path, NULL);
        return 0; /* upstream's glob finds nothing */
    }
    for (size_t i = 0; i < s->dir.n && rc == 0; i++) {
        const char *name = he_dir_name(&s->dir, i);
        /* upstream globs node[0-9]* */
        if (strncmp(name, "node", 4) == 0 && name[4] >= '0' && name[4] <= '9') {
            rc = numa_node(s, name);
        }
    }
    if (rc < 0) {
        return rc;
    }
    numa_emit(s, w);
    return 0;
}

static const struct he_collector meminfo_numa_collector = {
    .name = "meminfo_numa",
    .default_enabled = false,
    .init = numa_init,
    .collect = numa_collect,
    .fini = numa_fini,
};

HE_COLLECTOR_REGISTER(meminfo_numa_collector)
