/* SPDX-License-Identifier: Apache-2.0 */
/*
 * textfile: metrics that batch jobs and cron scripts write as *.prom files into
 * the directories of --collector.textfile.directory (repeatable, glob patterns
 * allowed), parsed by src/textparse.c and passed through with their own names,
 * types and HELP, plus node_textfile_mtime_seconds{file} for each file read,
 * node_textfile_scrape_error, and, beyond upstream, node_textfile_file_error{file}
 * (1 for each file that failed, 0 for the others) so an alert can name the file.
 * Mirrors node_exporter 1.12's collector/textfile.go: a file with a syntax error
 * or client-side timestamps is skipped whole; families of the same name merge
 * across files; a family whose HELP differs from an earlier file's is dropped;
 * one without HELP gets "Metric read from <files>"; every series of a family
 * carries all label names its file used for it, missing ones empty.
 *
 * Beyond upstream, two limits keep a runaway job from hurting the host
 * (--collector.textfile.max-file-bytes and .max-series), and only regular files
 * are read, opened without blocking: a FIFO named x.prom would hang a scrape.
 * Writers should create name.prom.$$ and rename it into place, so a scrape never
 * sees half a file; such temporary names do not end in .prom and are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_sort.h"
#include "he_textparse.h"

#ifndef HE_TEXTFILE_DIRECTORY
#define HE_TEXTFILE_DIRECTORY ""
#endif

static struct he_strings directories;
static long max_file_bytes;
static long max_series;

/* One *.prom file seen this scrape. */
struct textfile_file {
    uint32_t path;      /* offset in paths */
    bool failed;
    double mtime;
};

struct textfile_state {
    struct he_text_model model;
    struct he_text_result result;
    struct he_buf content;          /* one file's bytes */
    struct he_buf paths;            /* the files' paths */
    struct he_buf help;             /* a generated HELP text */
    struct he_buf globbed[2];       /* directories matched so far, NUL-separated */
    struct he_dir dir;
    struct textfile_file *files;
    size_t nfiles, files_cap;
    uint32_t *by_name, *scratch;    /* family indices sorted by name (stable) */
    size_t by_name_cap, scratch_cap;
    uint32_t *order;                /* metric indices grouped by family */
    uint32_t *family_start;         /* where each family's run starts in order */
    size_t order_cap, family_start_cap;
    bool *accepted;                 /* per family: passed the HELP check */
    size_t accepted_cap;
    struct he_point *points;        /* one series' points, for the writer */
    size_t points_cap;
    bool errored;
};

static int textfile_init(void **state)
{
    struct textfile_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_text_model_init(&s->model);
    he_buf_init(&s->content, (size_t)max_file_bytes + 1);
    he_buf_init(&s->paths, 0);
    he_buf_init(&s->help, 0);
    he_buf_init(&s->globbed[0], 0);
    he_buf_init(&s->globbed[1], 0);
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void textfile_fini(void *state)
{
    struct textfile_state *s = state;
    he_text_model_free(&s->model);
    he_buf_free(&s->content);
    he_buf_free(&s->paths);
    he_buf_free(&s->help);
    he_buf_free(&s->globbed[0]);
    he_buf_free(&s->globbed[1]);
    he_dir_fini(&s->dir);
    free(s->files);
    free(s->by_name);
    free(s->scratch);
    free(s->accepted);
    free(s->order);
    free(s->family_start);
    free(s->points);
    free(s);
}

/* Appends dir joined with name as Go's filepath.Join does for clean input. */
static int append_joined(struct he_buf *b, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') {
        n--;
    }
    int rc = 0;
    if (n > 0) {
        rc = he_buf_append(b, dir, n);
        if (rc == 0 && dir[n - 1] != '/') {
            rc = he_buf_putc(b, '/');
        }
    }
    if (rc == 0) {
        rc = he_buf_puts(b, name);
    }
    return rc < 0 ? rc : he_buf_putc(b, '\0');
}

static bool has_glob_meta(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\') {
            return true;
        }
    }
    return false;
}

/* Replaces the list in *from by the entries of each of its directories matching component. */
static int glob_step(struct textfile_state *s, struct he_buf *from, struct he_buf *to,
                     const char *component)
{
    he_buf_reset(to);
    for (size_t at = 0; at < from->len; at += strlen(from->data + at) + 1) {
        const char *dir = from->data + at;
        if (he_dir_read(&s->dir, *dir ? dir : ".") < 0) {
            continue; /* not a directory, or unreadable: no matches, as Go's Glob */
        }
        for (size_t i = 0; i < s->dir.n; i++) {
            const char *name = he_dir_name(&s->dir, i);
            int rc = fnmatch(component, name, 0);
            if (rc == 0) {
                rc = append_joined(to, dir, name);
            }
            if (rc < 0 || (rc != 0 && rc != FNM_NOMATCH)) {
                return rc < 0 ? rc : -EINVAL;
            }
        }
    }
    return 0;
}

/*
 * Expands a glob pattern into directories as Go's filepath.Glob does (level by
 * level, each sorted); a pattern without wildcards, or matching nothing, stands
 * for itself. Returns the buffer holding the NUL-separated list.
 */
static struct he_buf *expand_directory(struct textfile_state *s, const char *pattern)
{
    struct he_buf *cur = &s->globbed[0], *next = &s->globbed[1];
    char component[4096];
    bool globbing = false;
    int rc = 0;
    he_buf_reset(cur);
    for (const char *p = pattern; *p && rc == 0;) {
        const char *start = p;
        size_t n = strcspn(p, "/");
        p += n + (p[n] == '/');
        if (n == 0 || (!globbing && !has_glob_meta(start, n))) {
            continue;
        }
        if (n >= sizeof(component)) {
            rc = -ENAMETOOLONG;
            break;
        }
        memcpy(component, start, n);
        component[n] = '\0';
        if (!globbing) { /* the literal directory before the first wildcard */
            size_t len = (size_t)(start - pattern);
            while (len > 1 && pattern[len - 1] == '/') {
                len--;
            }
            rc = he_buf_append(cur, pattern, len);
            rc = rc < 0 ? rc : he_buf_putc(cur, '\0');
            globbing = true;
        }
        if (rc == 0 && (rc = glob_step(s, cur, next, component)) == 0) {
            struct he_buf *t = cur;
            cur = next, next = t;
        }
    }
    if (rc < 0 || !globbing || cur->len == 0) {
        he_buf_reset(cur);
        rc = he_buf_puts(cur, pattern);
        if (rc < 0 || he_buf_putc(cur, '\0') < 0) {
            he_buf_reset(cur);
        }
    }
    return cur;
}

/* Reads the regular file path into s->content; *fd stays open for the caller. */
static int read_whole_file(struct textfile_state *s, const char *path, int *fd, char *err,
                           size_t errsize)
{
    /* O_NONBLOCK: opening a FIFO named *.prom must not hang the scrape */
    *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (*fd < 0 || fstat(*fd, &st) < 0) {
        snprintf(err, errsize, "failed to open textfile data file \"%s\": %s", path,
                 strerror(errno));
        return -errno;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errsize, "textfile \"%s\" is not a regular file", path);
        return -EINVAL;
    }
    he_buf_reset(&s->content);
    for (;;) {
        /* read at most one byte past the limit, to tell a file at it from one over it */
        size_t room = (size_t)max_file_bytes + 1 - s->content.len;
        size_t chunk = room < 65536 ? room : 65536;
        if (chunk == 0) {
            snprintf(err, errsize, "textfile \"%s\" is larger than --collector.textfile."
                     "max-file-bytes=%ld", path, max_file_bytes);
            return -EFBIG;
        }
        int rc = he_buf_reserve(&s->content, chunk);
        ssize_t n = rc < 0 ? -1 : read(*fd, s->content.data + s->content.len, chunk);
        if (n < 0) {
            snprintf(err, errsize, "failed to read textfile data from \"%s\": %s", path,
                     rc < 0 ? strerror(-rc) : strerror(errno));
            return rc < 0 ? rc : -errno;
        }
        if (n == 0) {
            return 0;
        }
        s->content.len += (size_t)n;
    }
}

/* Parses the file just read as file number file; timestamps make it fail, as upstream. */
static int parse_file(struct textfile_state *s, uint32_t file, const char *path, char *err,
                      size_t errsize)
{
    struct he_text_mark mark = he_text_model_mark(&s->model);
    s->result.max_samples = (size_t)max_series;
    int rc = he_text_parse(&s->model, s->content.data, s->content.len, file, &s->result);
    if (rc == -E2BIG) {
        snprintf(err, errsize, "textfile \"%s\" has more than --collector.textfile.max-series=%ld "
                 "samples", path, max_series);
    } else if (rc < 0) {
        snprintf(err, errsize, "failed to parse textfile data from \"%s\": %s", path,
                 s->result.error);
    } else if (s->result.has_timestamps) {
        he_text_model_truncate(&s->model, &mark);
        snprintf(err, errsize, "textfile \"%s\" contains unsupported client-side timestamps, "
                 "skipping entire file", path);
        rc = -EINVAL;
    }
    return rc;
}

/* Records the file and reads it into the model; a failure marks it and the scrape. */
static void process_file(struct textfile_state *s, const char *dir, const char *name)
{
    uint32_t path_off = (uint32_t)s->paths.len;
    if (he_array_grow((void **)&s->files, &s->files_cap, s->nfiles + 1, sizeof(*s->files)) < 0 ||
        append_joined(&s->paths, dir, name) < 0) {
        s->errored = true;
        return;
    }
    uint32_t file = (uint32_t)s->nfiles++;
    const char *path = s->paths.data + path_off;
    struct textfile_file *f = &s->files[file];
    *f = (struct textfile_file){.path = path_off};
    char err[768];
    int fd = -1;
    struct stat st;
    int rc = read_whole_file(s, path, &fd, err, sizeof(err));
    if (rc == 0) {
        rc = parse_file(s, file, path, err, sizeof(err));
    }
    if (rc == 0 && fstat(fd, &st) < 0) { /* after parsing, so a failure never looks fresh */
        snprintf(err, sizeof(err), "failed to stat \"%s\": %s", path, strerror(errno));
        rc = -errno;
    }
    if (fd >= 0) {
        close(fd);
    }
    if (rc < 0) {
        f->failed = true;
        s->errored = true;
        he_log_error("failed to collect textfile data", "file", name, "err", err, NULL);
        return;
    }
    f->mtime = (double)st.st_mtim.tv_sec;
}

static bool is_prom_file(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcmp(name + n - 5, ".prom") == 0;
}

/* Reads every *.prom file of one directory (listed in name order, as os.ReadDir). */
static void read_directory(struct textfile_state *s, const char *dir)
{
    int rc = he_dir_read(&s->dir, dir);
    if (rc < 0) {
        if (*dir) { /* the default "" means no directory, and is no error */
            s->errored = true;
            he_log_error("failed to read textfile collector directory", "path", dir, "err",
                         strerror(-rc), NULL);
        }
        return;
    }
    /* process_file() does not list directories, so the listing stays valid */
    for (size_t i = 0; i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        if (is_prom_file(name)) {
            process_file(s, dir, name);
        }
    }
}

static int compare_family_names(const void *ctx, uint32_t a, uint32_t b)
{
    const struct he_text_model *m = ctx;
    return strcmp(he_text_str(m, m->families[a].name), he_text_str(m, m->families[b].name));
}

/*
 * Builds s->by_name: the families that have samples, sorted by name and, for the
 * same name, in file order; and s->order/family_start: metrics grouped by family.
 */
static int index_model(struct textfile_state *s, size_t *nfamilies)
{
    const struct he_text_model *m = &s->model;
    int rc = he_array_grow((void **)&s->by_name, &s->by_name_cap, m->nfamilies, sizeof(uint32_t));
    rc = rc ? rc : he_array_grow((void **)&s->scratch, &s->scratch_cap, m->nfamilies,
                                 sizeof(uint32_t));
    rc = rc ? rc : he_array_grow((void **)&s->accepted, &s->accepted_cap, m->nfamilies,
                                 sizeof(bool));
    rc = rc ? rc : he_array_grow((void **)&s->order, &s->order_cap, m->nmetrics, sizeof(uint32_t));
    rc = rc ? rc : he_array_grow((void **)&s->family_start, &s->family_start_cap,
                                 m->nfamilies + 1, sizeof(uint32_t));
    if (rc < 0) {
        return rc;
    }
    size_t n = 0;
    for (size_t f = 0; f < m->nfamilies; f++) {
        if (m->families[f].nmetrics > 0) { /* families only commented about are dropped */
            s->by_name[n++] = (uint32_t)f;
        }
    }
    he_sort_indices(s->by_name, s->scratch, n, compare_family_names, m);
    *nfamilies = n;
    uint32_t at = 0;
    for (size_t f = 0; f < m->nfamilies; f++) {
        s->family_start[f] = at;
        at += m->families[f].nmetrics;
    }
    s->family_start[m->nfamilies] = at;
    for (size_t i = 0; i < m->nmetrics; i++) {
        s->order[s->family_start[m->metrics[i].family]++] = (uint32_t)i;
    }
    for (size_t f = 0; f < m->nfamilies; f++) { /* the loop above moved each start to its end */
        s->family_start[f] -= m->families[f].nmetrics;
    }
    return 0;
}

static const char *file_path(const struct textfile_state *s, uint32_t file)
{
    return s->paths.data + s->files[file].path;
}

/*
 * Decides which of the same-named families run[0..n) (in file order) pass:
 * once one gave a HELP, a later one with another HELP is dropped, as upstream.
 */
static void check_help_texts(struct textfile_state *s, const uint32_t *run, size_t n)
{
    const struct he_text_model *m = &s->model;
    const char *help = NULL, *conflicting = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct he_text_family *f = &m->families[run[i]];
        const char *own = f->help == HE_TEXT_NONE ? NULL : he_text_str(m, f->help);
        s->accepted[run[i]] = true;
        if (help && ((own && strcmp(own, help) != 0) || conflicting)) {
            s->accepted[run[i]] = false;
            s->errored = true;
            he_log_error("inconsistent metric help text", "metric", he_text_str(m, f->name),
                         "original_help_text", help, "new_help_text", own ? own : "",
                         "file", file_path(s, m->families[run[0]].file), NULL);
            conflicting = own && *own ? own : conflicting;
            continue;
        }
        if (own) {
            help = own;
            conflicting = NULL;
        }
    }
}

/* "Metric read from a.prom, b.prom": the HELP of a family whose files gave none. */
static const char *default_help(struct textfile_state *s, const uint32_t *run, size_t n)
{
    he_buf_reset(&s->help);
    int rc = he_buf_puts(&s->help, "Metric read from ");
    for (size_t i = 0, listed = 0; i < n && rc == 0; i++) {
        if (s->accepted[run[i]]) {
            rc = he_buf_puts(&s->help, listed++ ? ", " : "");
            rc = rc ? rc : he_buf_puts(&s->help, file_path(s, s->model.families[run[i]].file));
        }
    }
    rc = rc ? rc : he_buf_terminate(&s->help);
    return rc < 0 ? "Metric read from textfiles" : s->help.data;
}

/* Emits one series with every label name its family uses, missing ones empty. */
static void emit_metric(struct textfile_state *s, struct he_writer *w,
                        const struct he_text_family *f, const struct he_text_metric *metric)
{
    const struct he_text_model *m = &s->model;
    struct he_label labels[HE_TEXT_MAX_LABEL_NAMES];
    for (uint32_t i = 0; i < f->nnames; i++) {
        labels[i] = (struct he_label){he_text_str(m, m->names[f->first_name + i]), ""};
        for (uint32_t k = 0; k < metric->nlabels; k++) {
            const struct he_text_label *l = &m->labels[metric->first_label + k];
            if (l->name == m->names[f->first_name + i] ||
                strcmp(he_text_str(m, l->name), labels[i].name) == 0) {
                labels[i].value = he_text_str(m, l->value);
                break;
            }
        }
    }
    if (f->type != HE_SUMMARY && f->type != HE_HISTOGRAM) {
        he_writer_sample(w, labels, f->nnames, metric->value);
        return;
    }
    if (he_array_grow((void **)&s->points, &s->points_cap, metric->npoints,
                      sizeof(*s->points)) < 0) {
        s->errored = true;
        return;
    }
    size_t n = 0;
    for (uint32_t p = metric->first_point; p != HE_TEXT_NONE; p = m->points[p].next) {
        s->points[n++] = m->points[p].point;
    }
    he_writer_distribution(w, labels, f->nnames, s->points, n, metric->count, metric->value);
}

/* Emits the accepted families of one name, each with its own HELP or the generated one. */
static void emit_run(struct textfile_state *s, struct he_writer *w, const uint32_t *run, size_t n)
{
    const struct he_text_model *m = &s->model;
    check_help_texts(s, run, n);
    const char *generated = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct he_text_family *f = &m->families[run[i]];
        if (!s->accepted[run[i]]) {
            continue;
        }
        const char *help = f->help != HE_TEXT_NONE ? he_text_str(m, f->help)
                           : generated ? generated : (generated = default_help(s, run, n));
        if (he_writer_family(w, he_text_str(m, f->name), help, f->type) < 0) {
            continue; /* another type or HELP than the family already has: counted by the writer */
        }
        for (uint32_t k = s->family_start[run[i]]; k < s->family_start[run[i]] + f->nmetrics; k++) {
            emit_metric(s, w, f, &m->metrics[s->order[k]]);
        }
    }
}

static int emit_families(struct textfile_state *s, struct he_writer *w)
{
    const struct he_text_model *m = &s->model;
    size_t n;
    int rc = index_model(s, &n);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0, end; i < n; i = end) {
        const char *name = he_text_str(m, m->families[s->by_name[i]].name);
        for (end = i + 1; end < n && strcmp(he_text_str(m, m->families[s->by_name[end]].name),
                                            name) == 0; end++) {
        }
        emit_run(s, w, s->by_name + i, end - i);
    }
    return 0;
}

static void emit_file_metrics(const struct textfile_state *s, struct he_writer *w)
{
    he_writer_family(w, "node_textfile_mtime_seconds",
                     "Unixtime mtime of textfiles successfully read.", HE_GAUGE);
    for (size_t i = 0; i < s->nfiles; i++) {
        if (!s->files[i].failed) {
            struct he_label l = {"file", file_path(s, (uint32_t)i)};
            he_writer_sample(w, &l, 1, s->files[i].mtime);
        }
    }
    he_writer_family(w, "node_textfile_file_error",
                     "1 if the textfile could not be read, parsed or was over a limit, 0 otherwise.",
                     HE_GAUGE);
    for (size_t i = 0; i < s->nfiles; i++) {
        struct he_label l = {"file", file_path(s, (uint32_t)i)};
        he_writer_sample(w, &l, 1, s->files[i].failed ? 1 : 0);
    }
    he_writer_family(w, "node_textfile_scrape_error",
                     "1 if there was an error opening or reading a file, 0 otherwise", HE_GAUGE);
    he_writer_value(w, s->errored ? 1 : 0);
}

static int textfile_collect(void *state, struct he_writer *w)
{
    struct textfile_state *s = state;
    he_text_model_reset(&s->model);
    he_buf_reset(&s->paths);
    s->nfiles = 0;
    s->errored = false;
    for (size_t d = 0; d < directories.n; d++) {
        const struct he_buf *dirs = expand_directory(s, directories.items[d]);
        for (size_t at = 0; at < dirs->len; at += strlen(dirs->data + at) + 1) {
            read_directory(s, dirs->data + at);
        }
    }
    if (emit_families(s, w) < 0) {
        s->errored = true;
    }
    emit_file_metrics(s, w);
    return 0;
}

static int check_positive(const char *value, char *err, size_t errsize)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end || v <= 0) {
        snprintf(err, errsize, "expected a positive integer, got '%s'", value);
        return -EINVAL;
    }
    return 0;
}

static const struct he_flag textfile_flags[] = {
    {"collector.textfile.directory", HE_FLAG_STRINGS, HE_TEXTFILE_DIRECTORY,
     "Directory to read text files with metrics from, supports glob matching. (repeatable)",
     &directories, NULL},
    {"collector.textfile.max-file-bytes", HE_FLAG_INT, "33554432",
     "Largest textfile read, in bytes; a larger file counts as failed.", &max_file_bytes,
     check_positive},
    {"collector.textfile.max-series", HE_FLAG_INT, "500000",
     "Most samples read from one textfile; a file with more counts as failed.", &max_series,
     check_positive},
    {0},
};

static const struct he_collector textfile_collector = {
    .name = "textfile",
    .default_enabled = true,
    .flags = textfile_flags,
    .init = textfile_init,
    .collect = textfile_collect,
    .fini = textfile_fini,
};

HE_COLLECTOR_REGISTER(textfile_collector)
