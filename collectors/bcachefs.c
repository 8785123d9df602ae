/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bcachefs: per-filesystem statistics from <sysfs>/fs/bcachefs/<uuid>/
 * (btree_cache_size, compression_stats, errors, counters/<name>, btree_write_stats)
 * and its dev-<n>/ directories (label, state, bucket_size, nbuckets,
 * durability, io_done, io_errors). Emits node_bcachefs_info,
 * node_bcachefs_btree_cache_size_bytes, node_bcachefs_compression_*_bytes,
 * node_bcachefs_errors_total, node_bcachefs_<counter>_total (one family per
 * counter file, named after it), node_bcachefs_btree_write{s_total,
 * _average_size_bytes} and node_bcachefs_device_*. Mirrors node_exporter
 * 1.12's collector/bcachefs_linux.go and procfs's bcachefs/get.go:
 *  - every filesystem is parsed before anything is emitted; any value the
 *    parser refuses fails the whole scrape without output;
 *  - sizes go through procfs's parseHumanReadableBytes: an optional k/M/G/T/P/E
 *    suffix (powers of 1024) on a Go float, converted with uint64(). The
 *    kernel prints sizes with string_get_size ("18.5 MiB", "512 B"), which
 *    that parser refuses, so a real mounted filesystem fails as upstream does;
 *  - missing files count as empty or zero as procfs treats them; no
 *    fs/bcachefs directory or no filesystem is "no data" (success 0);
 *  - where a file repeats a key the last line wins, as procfs's maps do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_textparse.h"

#define BC_SCAN_MAX (64u * 1024u)    /* bufio.Scanner's default token limit */
#define BC_SCAN_BIG (1024u * 1024u) /* the limit procfs sets for two tables */
#define BC_PATH 4096

struct bcachefs_state {
    struct he_dir fs_dir;  /* fs/bcachefs */
    struct he_dir sub_dir; /* one filesystem's directory, or its counters */
    struct he_file file;
    struct he_buf strs; /* a device's label and state, NUL-terminated */
};

/* One filesystem being read; w is NULL while only checking that it parses. */
struct bc_ctx {
    struct bcachefs_state *s;
    struct he_writer *w;
    const char *uuid;
    char dir[BC_PATH];
};

static int bcachefs_init(void **state)
{
    struct bcachefs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->fs_dir);
    he_dir_init(&s->sub_dir);
    he_file_init(&s->file, false, 0);
    he_buf_init(&s->strs, 0);
    *state = s;
    return 0;
}

static void bcachefs_fini(void *state)
{
    struct bcachefs_state *s = state;
    he_dir_fini(&s->fs_dir);
    he_dir_fini(&s->sub_dir);
    he_file_fini(&s->file);
    he_buf_free(&s->strs);
    free(s);
}

static int bc_join(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, BC_PATH, "%s/%s", dir, name);
    return n < 0 || n >= BC_PATH ? -ENAMETOOLONG : 0;
}

/* os.DirEntry.IsDir(): the entry itself, symlinks not followed. */
static bool bc_is_dir(const char *dir, const char *name)
{
    char path[BC_PATH];
    struct stat st;
    return bc_join(path, dir, name) == 0 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Reads dir/name into s->file. A missing file is not an error (*present
 * false), as procfs's openIfExists and readFile treat it; any other failure
 * (a directory, no permission) is returned.
 */
static int bc_read(struct bcachefs_state *s, const char *dir, const char *name, bool *present)
{
    char path[BC_PATH];
    int rc = bc_join(path, dir, name);
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    *present = rc == 0;
    return rc == -ENOENT ? 0 : rc;
}

/* bufio.Scanner with ScanLines: the next line without "\n" and one "\r". */
static bool bc_line(struct he_lines *it, struct he_field *line, size_t max, int *rc)
{
    if (!he_lines_next(it, line)) {
        return false;
    }
    if (line->len >= max) {
        *rc = -EINVAL; /* bufio.ErrTooLong */
        return false;
    }
    if (line->len > 0 && line->p[line->len - 1] == '\r') {
        line->len--;
    }
    return true;
}

static bool bc_same(struct he_field a, struct he_field b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static struct he_field bc_trim_colon(struct he_field f)
{
    if (f.len > 0 && f.p[f.len - 1] == ':') {
        f.len--;
    }
    return f;
}

/* f as a NUL-terminated label value, held in s->strs until the next call. */
static const char *bc_key(struct bcachefs_state *s, struct he_field f)
{
    he_buf_reset(&s->strs);
    if (he_buf_append(&s->strs, f.p, f.len) < 0 || he_buf_putc(&s->strs, '\0') < 0) {
        return NULL;
    }
    return s->strs.data;
}

/*
 * strconv.ParseFloat: decimal forms, inf and nan through the shared parser;
 * hexadecimal mantissas need a 'p' exponent and may hold underscores.
 */
static int bc_parse_float(struct he_field f, double *out)
{
    size_t i = f.len > 0 && (f.p[0] == '+' || f.p[0] == '-') ? 1 : 0;
    if (f.len < i + 2 || f.p[i] != '0' || (f.p[i + 1] != 'x' && f.p[i + 1] != 'X')) {
        return he_text_parse_float(f.p, f.len, out);
    }
    char buf[400];
    size_t n = 0;
    bool has_p = false;
    if (f.len >= sizeof(buf) || !he_go_underscores_ok(f.p, f.len)) {
        return -EINVAL;
    }
    for (size_t k = 0; k < f.len; k++) {
        has_p = has_p || f.p[k] == 'p' || f.p[k] == 'P';
        if (f.p[k] != '_') {
            buf[n++] = f.p[k];
        }
    }
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (!has_p || end != buf + n || errno == ERANGE || v - v != 0) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

/* procfs's parseHumanReadableBytes, as float64(uint64(v * multiplier)). */
static int bc_human(struct he_field f, double *out)
{
    static const char units[] = "kmgtpe";
    f = he_go_trim_space(f);
    if (f.len == 0) {
        return -EINVAL;
    }
    double mult = 1;
    char c = f.p[f.len - 1];
    c = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    const char *u = c ? strchr(units, c) : NULL;
    if (u) {
        for (const char *k = units; k <= u; k++) {
            mult *= 1024;
        }
        f.len--;
    }
    double v;
    if (bc_parse_float(he_go_trim_space(f), &v) < 0) {
        return -EINVAL;
    }
    *out = he_text_go_uint64(v * mult);
    return 0;
}

/* strconv.ParseUint(s, 10, 64) as a double. */
static int bc_uint(struct he_field f, double *out)
{
    uint64_t v;
    if (he_parse_u64(f, &v) < 0) {
        return -EINVAL;
    }
    *out = (double)v;
    return 0;
}

static void bc_emit(struct bc_ctx *c, const char *name, const char *help, enum he_metric_type t,
                    const struct he_label *l, size_t n, double v)
{
    he_writer_family(c->w, name, help, t);
    he_writer_sample(c->w, l, n, v);
}

/* btree_cache_size, plus the info series. */
static int bc_btree_cache(struct bc_ctx *c)
{
    bool present;
    double v = 0;
    int rc = bc_read(c->s, c->dir, "btree_cache_size", &present);
    if (rc < 0) {
        return rc;
    }
    struct he_field f = {c->s->file.buf.data, present ? c->s->file.buf.len : 0};
    if (he_go_trim_space(f).len > 0 && bc_human(f, &v) < 0) {
        return -EINVAL;
    }
    if (c->w) {
        struct he_label l[1] = {{"uuid", c->uuid}};
        bc_emit(c, "node_bcachefs_info", "Filesystem information.", HE_GAUGE, l, 1, 1);
        bc_emit(c, "node_bcachefs_btree_cache_size_bytes", "Btree cache memory usage in bytes.",
                HE_GAUGE, l, 1, v);
    }
    return 0;
}

/* The three line tables: compression_stats, btree_write_stats, errors. */
enum bc_table { BC_COMPRESSION, BC_BTREE_WRITES, BC_ERRORS };

/* The key a table line sets in procfs's map, if it sets one. */
static bool bc_table_key(enum bc_table t, struct he_field line, struct he_field *key)
{
    struct he_field f[3];
    size_t n = he_go_fields(line, f, 3);
    if (n < (t == BC_ERRORS ? 2u : 3u)) {
        return false;
    }
    *key = t == BC_ERRORS ? f[0] : bc_trim_colon(f[0]);
    return true;
}

/* True when a line after it (it is positioned after the current line) sets key again. */
static bool bc_table_later(enum bc_table t, struct he_lines it, struct he_field key)
{
    struct he_field line, k;
    while (he_lines_next(&it, &line)) {
        if (line.len > 0 && line.p[line.len - 1] == '\r') {
            line.len--;
        }
        if (bc_table_key(t, line, &k) && bc_same(k, key)) {
            return true;
        }
    }
    return false;
}

/* Parses (and emits, unless a later line overrides it) one table line. */
static int bc_table_line(struct bc_ctx *c, enum bc_table t, struct he_field line, bool last)
{
    struct he_field f[4];
    size_t n = he_go_fields(line, f, 4);
    double a, b, ext;
    int rc;
    if (t == BC_ERRORS) {
        rc = bc_uint(f[1], &a);
        rc = rc < 0 || n < 3 ? rc : bc_uint(f[2], &b);
    } else {
        rc = t == BC_COMPRESSION ? bc_human(f[1], &a) : bc_uint(f[1], &a);
        rc = rc < 0 ? rc : bc_human(f[2], &b);
        rc = rc < 0 || t != BC_COMPRESSION || n < 4 ? rc : bc_human(f[3], &ext);
    }
    if (rc < 0 || !c->w || !last) {
        return rc;
    }
    const char *key = bc_key(c->s, t == BC_ERRORS ? f[0] : bc_trim_colon(f[0]));
    if (!key) {
        return -ENOMEM;
    }
    if (t == BC_ERRORS) {
        struct he_label l[2] = {{"uuid", c->uuid}, {"error_type", key}};
        bc_emit(c, "node_bcachefs_errors_total", "Error count by error type.", HE_COUNTER, l, 2,
                a);
    } else if (t == BC_COMPRESSION) {
        struct he_label l[2] = {{"uuid", c->uuid}, {"algorithm", key}};
        bc_emit(c, "node_bcachefs_compression_compressed_bytes", "Compressed size by algorithm.",
                HE_GAUGE, l, 2, a);
        bc_emit(c, "node_bcachefs_compression_uncompressed_bytes",
                "Uncompressed size by algorithm.", HE_GAUGE, l, 2, b);
    } else {
        struct he_label l[2] = {{"uuid", c->uuid}, {"type", key}};
        bc_emit(c, "node_bcachefs_btree_writes_total", "Number of btree writes by type.",
                HE_COUNTER, l, 2, a);
        bc_emit(c, "node_bcachefs_btree_write_average_size_bytes",
                "Average btree write size by type.", HE_GAUGE, l, 2, b);
    }
    return 0;
}

/*
 * One table file: compression_stats and btree_write_stats skip their header
 * line and lines under three fields; errors has no header and skips lines
 * under two. A missing file is an empty table.
 */
static int bc_table(struct bc_ctx *c, const char *name, enum bc_table t)
{
    bool present;
    int rc = bc_read(c->s, c->dir, name, &present);
    if (rc < 0 || !present) {
        return rc;
    }
    struct he_lines it;
    struct he_field line, key;
    size_t max = t == BC_ERRORS ? BC_SCAN_MAX : BC_SCAN_BIG;
    bool header = t != BC_ERRORS;
    he_lines_init(&it, c->s->file.buf.data, c->s->file.buf.len);
    while (bc_line(&it, &line, max, &rc)) {
        if (header) {
            header = false;
            continue;
        }
        if (!bc_table_key(t, line, &key)) {
            continue;
        }
        rc = bc_table_line(c, t, line, !c->w || !bc_table_later(t, it, key));
        if (rc < 0) {
            return rc;
        }
    }
    return rc;
}

/* node_exporter's SanitizeMetricName: each run of `_*[^0-9A-Za-z_]+_*` becomes "_". */
static void bc_sanitize(const char *in, char *out, size_t size)
{
    size_t n = 0, i = 0, len = strlen(in);
#define BC_OK(ch) (((ch) >= '0' && (ch) <= '9') || ((ch) >= 'a' && (ch) <= 'z') || \
                   ((ch) >= 'A' && (ch) <= 'Z') || (ch) == '_')
    while (i < len && n + 1 < size) {
        size_t j = i;
        while (j < len && in[j] == '_') {
            j++;
        }
        if (j < len && !BC_OK(in[j])) {
            while (j < len && !BC_OK(in[j])) {
                j++;
            }
            while (j < len && in[j] == '_') {
                j++;
            }
            out[n++] = '_';
            i = j;
        } else if (j > i) {
            for (; i < j && n + 1 < size; i++) {
                out[n++] = '_';
            }
        } else {
            out[n++] = in[i++];
        }
    }
#undef BC_OK
    out[n] = '\0';
}

/* True when line starts with prefix; *rest is what follows. */
static bool bc_cut_prefix(struct he_field line, const char *prefix, struct he_field *rest)
{
    size_t k = strlen(prefix);
    if (line.len < k || memcmp(line.p, prefix, k) != 0) {
        return false;
    }
    *rest = (struct he_field){line.p + k, line.len - k};
    return true;
}

/*
 * One counters/<name> file: "since mount:" and "since filesystem creation:"
 * lines, at least one of them; the latter's value is exported. A file gone
 * since the listing counts as zero, as procfs's parseCounterFile has it.
 */
static int bc_counter(struct bc_ctx *c, const char *dir, const char *name)
{
    bool present, seen = false;
    double mount, created = 0;
    int rc = bc_read(c->s, dir, name, &present);
    if (rc < 0) {
        return rc;
    }
    struct he_lines it;
    struct he_field line, rest;
    he_lines_init(&it, present ? c->s->file.buf.data : "", present ? c->s->file.buf.len : 0);
    while (rc == 0 && bc_line(&it, &line, BC_SCAN_MAX, &rc)) {
        if (bc_cut_prefix(line, "since mount:", &rest)) {
            rc = bc_human(rest, &mount);
            seen = true;
        } else if (bc_cut_prefix(line, "since filesystem creation:", &rest)) {
            rc = bc_human(rest, &created);
            seen = true;
        }
    }
    if (rc < 0 || (present && !seen)) {
        return rc < 0 ? rc : -EINVAL;
    }
    if (c->w) {
        char clean[256], family[300], help[400];
        struct he_label l[1] = {{"uuid", c->uuid}};
        bc_sanitize(name, clean, sizeof(clean));
        snprintf(family, sizeof(family), "node_bcachefs_%s_total", clean);
        snprintf(help, sizeof(help), "Bcachefs counter %s since filesystem creation.", name);
        bc_emit(c, family, help, HE_COUNTER, l, 1, created);
    }
    return 0;
}

/* The counters directory: every entry but subdirectories; none if it is missing. */
static int bc_counters(struct bc_ctx *c)
{
    char dir[BC_PATH];
    int rc = bc_join(dir, c->dir, "counters");
    rc = rc < 0 ? rc : he_dir_read(&c->s->sub_dir, dir);
    if (rc == -ENOENT) {
        return 0;
    }
    for (size_t i = 0; rc == 0 && i < c->s->sub_dir.n; i++) {
        const char *name = he_dir_name(&c->s->sub_dir, i);
        if (!bc_is_dir(dir, name)) {
            rc = bc_counter(c, dir, name);
        }
    }
    return rc;
}

/* A "key: value" line of io_done or io_errors: TrimSpace'd key and value. */
static bool bc_colon_pair(struct he_field line, struct he_field *key, struct he_field *val)
{
    const char *colon = memchr(line.p, ':', line.len);
    if (!colon) {
        return false;
    }
    *key = he_go_trim_space((struct he_field){line.p, (size_t)(colon - line.p)});
    *val = he_go_trim_space(
        (struct he_field){colon + 1, line.len - (size_t)(colon + 1 - line.p)});
    return true;
}

/*
 * Advances through io_done: *op becomes "read" or "write" at their headers;
 * true with the data type and value of the next data line under a header.
 */
static bool bc_io_done_next(struct he_lines *it, struct he_field *op, struct he_field *dt,
                            struct he_field *val, int *rc)
{
    struct he_field line;
    while (bc_line(it, &line, BC_SCAN_MAX, rc)) {
        line = he_go_trim_space(line);
        if (he_field_eq(line, "read:") || he_field_eq(line, "write:")) {
            *op = (struct he_field){line.p, line.len - 1};
        } else if (line.len > 0 && op->len > 0 && bc_colon_pair(line, dt, val)) {
            return true;
        }
    }
    return false;
}

/* io_done: bytes per operation and data type; the last line for a pair wins. */
static int bc_io_done(struct bc_ctx *c, const char *dir, const char *device)
{
    bool present;
    int rc = bc_read(c->s, dir, "io_done", &present);
    if (rc < 0 || !present) {
        return rc;
    }
    struct he_lines it;
    struct he_field op = {"", 0}, dt, val;
    he_lines_init(&it, c->s->file.buf.data, c->s->file.buf.len);
    while (bc_io_done_next(&it, &op, &dt, &val, &rc)) {
        double v;
        if (bc_uint(val, &v) < 0) {
            return -EINVAL;
        }
        struct he_lines later = it;
        struct he_field op2 = op, dt2, val2;
        bool overridden = false;
        int rc2 = 0;
        while (c->w && !overridden && bc_io_done_next(&later, &op2, &dt2, &val2, &rc2)) {
            overridden = bc_same(op2, op) && bc_same(dt2, dt);
        }
        const char *d = c->w && !overridden ? bc_key(c->s, dt) : "";
        if (!d) {
            return -ENOMEM;
        }
        if (c->w && !overridden) {
            struct he_label l[4] = {{"uuid", c->uuid}, {"device", device},
                                    {"operation", he_field_eq(op, "read") ? "read" : "write"},
                                    {"data_type", d}};
            bc_emit(c, "node_bcachefs_device_io_done_bytes_total",
                    "IO bytes by operation type and data type.", HE_COUNTER, l, 4, v);
        }
    }
    return rc;
}

/*
 * io_errors: the "key: count" lines between "IO errors since filesystem
 * creation" and the next "IO errors since ..." header (reading stops there).
 */
static bool bc_io_errors_next(struct he_lines *it, bool *in, struct he_field *key,
                              struct he_field *val, int *rc)
{
    struct he_field line, rest;
    while (bc_line(it, &line, BC_SCAN_MAX, rc)) {
        if (bc_cut_prefix(line, "IO errors since filesystem creation", &rest)) {
            *in = true;
        } else if (bc_cut_prefix(line, "IO errors since ", &rest)) {
            return false;
        } else if (*in && bc_colon_pair(he_go_trim_space(line), key, val)) {
            return true;
        }
    }
    return false;
}

static int bc_io_errors(struct bc_ctx *c, const char *dir, const char *device)
{
    bool present, in = false;
    int rc = bc_read(c->s, dir, "io_errors", &present);
    if (rc < 0 || !present) {
        return rc;
    }
    struct he_lines it;
    struct he_field key, val;
    he_lines_init(&it, c->s->file.buf.data, c->s->file.buf.len);
    while (bc_io_errors_next(&it, &in, &key, &val, &rc)) {
        double v;
        if (bc_uint(val, &v) < 0) {
            return -EINVAL;
        }
        struct he_lines later = it;
        struct he_field key2, val2;
        bool in2 = true, overridden = false;
        int rc2 = 0;
        while (c->w && !overridden && bc_io_errors_next(&later, &in2, &key2, &val2, &rc2)) {
            overridden = bc_same(key2, key);
        }
        const char *k = c->w && !overridden ? bc_key(c->s, key) : "";
        if (!k) {
            return -ENOMEM;
        }
        if (c->w && !overridden) {
            struct he_label l[3] = {{"uuid", c->uuid}, {"device", device}, {"type", k}};
            bc_emit(c, "node_bcachefs_device_io_errors_total", "IO errors by error type.",
                    HE_COUNTER, l, 3, v);
        }
    }
    return rc;
}

/* procfs's readSysfsFile: the trimmed content, or "" on any error. */
static struct he_field bc_text(struct bc_ctx *c, const char *dir, const char *name)
{
    bool present;
    if (bc_read(c->s, dir, name, &present) < 0 || !present) {
        return (struct he_field){"", 0};
    }
    return he_go_trim_space((struct he_field){c->s->file.buf.data, c->s->file.buf.len});
}

/* procfs's readUintFile: missing is 0; unreadable or not a number fails. */
static int bc_uint_file(struct bc_ctx *c, const char *dir, const char *name, double *v)
{
    bool present;
    int rc = bc_read(c->s, dir, name, &present);
    *v = 0;
    if (rc < 0 || !present) {
        return rc;
    }
    return bc_uint(he_go_trim_space((struct he_field){c->s->file.buf.data, c->s->file.buf.len}),
                   v);
}

/* label and state, copied NUL-terminated into strs (label at 0, state at *state_off). */
static int bc_dev_strings(struct bc_ctx *c, const char *dir, struct he_buf *strs,
                          size_t *state_off)
{
    he_buf_reset(strs);
    struct he_field f = bc_text(c, dir, "label");
    int rc = he_buf_append(strs, f.p, f.len);
    rc = rc < 0 ? rc : he_buf_putc(strs, '\0');
    *state_off = strs->len;
    f = bc_text(c, dir, "state");
    rc = rc < 0 ? rc : he_buf_append(strs, f.p, f.len);
    return rc < 0 ? rc : he_buf_putc(strs, '\0');
}

/* One dev-<device> directory, in procfs's order of reads. */
static int bc_device(struct bc_ctx *c, const char *dir, const char *device, struct he_buf *strs)
{
    size_t state_off;
    double bucket = 0, nbuckets, durability;
    int rc = bc_dev_strings(c, dir, strs, &state_off);
    struct he_field f = bc_text(c, dir, "bucket_size");
    if (rc == 0 && f.len > 0 && bc_human(f, &bucket) < 0) {
        rc = -EINVAL;
    }
    rc = rc < 0 ? rc : bc_uint_file(c, dir, "nbuckets", &nbuckets);
    rc = rc < 0 ? rc : bc_uint_file(c, dir, "durability", &durability);
    if (rc == 0 && c->w) {
        struct he_label l[4] = {{"uuid", c->uuid}, {"device", device},
                                {"label", strs->data}, {"state", strs->data + state_off}};
        bc_emit(c, "node_bcachefs_device_info", "Device information.", HE_GAUGE, l, 4, 1);
        bc_emit(c, "node_bcachefs_device_bucket_size_bytes", "Bucket size in bytes.", HE_GAUGE,
                l, 2, bucket);
        bc_emit(c, "node_bcachefs_device_buckets", "Total number of buckets.", HE_GAUGE, l, 2,
                nbuckets);
        bc_emit(c, "node_bcachefs_device_durability", "Device durability setting.", HE_GAUGE, l,
                2, durability);
    }
    rc = rc < 0 ? rc : bc_io_done(c, dir, device);
    return rc < 0 ? rc : bc_io_errors(c, dir, device);
}

/* The filesystem's dev-* subdirectories. */
static int bc_devices(struct bc_ctx *c, struct he_buf *strs)
{
    int rc = he_dir_read(&c->s->sub_dir, c->dir);
    for (size_t i = 0; rc == 0 && i < c->s->sub_dir.n; i++) {
        const char *name = he_dir_name(&c->s->sub_dir, i);
        char dir[BC_PATH];
        if (strncmp(name, "dev-", 4) != 0 || !bc_is_dir(c->dir, name)) {
            continue;
        }
        rc = bc_join(dir, c->dir, name);
        rc = rc < 0 ? rc : bc_device(c, dir, name + 4, strs);
    }
    return rc;
}

/* One filesystem, in procfs's order: any failure fails the whole scrape. */
static int bc_filesystem(struct bc_ctx *c, struct he_buf *strs)
{
    int rc = bc_btree_cache(c);
    rc = rc < 0 ? rc : bc_table(c, "compression_stats", BC_COMPRESSION);
    rc = rc < 0 ? rc : bc_table(c, "errors", BC_ERRORS);
    rc = rc < 0 ? rc : bc_counters(c);
    rc = rc < 0 ? rc : bc_table(c, "btree_write_stats", BC_BTREE_WRITES);
    return rc < 0 ? rc : bc_devices(c, strs);
}

/*
 * Walks every filesystem directory; with w NULL only checks that all parse.
 * Returns the number of filesystems or a negative errno.
 */
static int bc_walk(struct bcachefs_state *s, struct he_writer *w, const char *base)
{
    int count = 0, rc = 0;
    for (size_t i = 0; rc == 0 && i < s->fs_dir.n; i++) {
        const char *uuid = he_dir_name(&s->fs_dir, i);
        struct bc_ctx c = {.s = s, .w = w, .uuid = uuid};
        if (!bc_is_dir(base, uuid)) {
            continue;
        }
        rc = bc_join(c.dir, base, uuid);
        rc = rc < 0 ? rc : bc_filesystem(&c, &s->strs);
        count++;
    }
    return rc < 0 ? rc : count;
}

static int bcachefs_collect(void *state, struct he_writer *w)
{
    struct bcachefs_state *s = state;
    char base[BC_PATH];
    int rc = he_path_sys(base, sizeof(base), "fs/bcachefs");
    rc = rc < 0 ? rc : he_dir_read(&s->fs_dir, base);
    if (rc == -ENOENT) {
        he_log_debug("bcachefs: sysfs path does not exist", "path", base, NULL);
        return -ENODATA;
    }
    rc = rc < 0 ? rc : bc_walk(s, NULL, base);
    if (rc == 0) {
        return -ENODATA; /* no filesystem */
    }
    rc = rc < 0 ? rc : bc_walk(s, w, base);
    if (rc < 0) {
        he_log_debug("bcachefs: failed to retrieve stats", "path", base, NULL);
        return rc;
    }
    return 0;
}

static const struct he_collector bcachefs_collector = {
    .name = "bcachefs",
    .default_enabled = true, /* registerCollector("bcachefs", defaultEnabled, ...) in 1.12 */
    .init = bcachefs_init,
    .collect = bcachefs_collect,
    .fini = bcachefs_fini,
};

HE_COLLECTOR_REGISTER(bcachefs_collector)
