/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu_vulnerabilities: node_cpu_vulnerabilities_info{codename,state,mitigation}
 * from <sysfs>/devices/system/cpu/vulnerabilities/<codename>, one series of value
 * 1 per file. Mirrors node_exporter's collector/cpu_vulnerabilities_linux.go and
 * procfs' sysfs/vulnerability.go: the state is read from the start of the text,
 * case-insensitively, as "not affected", "vulnerable", "mitigation" or
 * "unknown"; the mitigation label is the text after its first word with runs of
 * whitespace collapsed ("Mitigation: PTI" -> "PTI"), and empty for "Not
 * affected". Text that starts with none of those is reported as state "unknown"
 * with the whole (trimmed) text as the mitigation.
 *
 * A missing directory is not an error (upstream globs it and finds nothing);
 * an entry that cannot be read fails the scrape with no series, as upstream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define VULN_DIR "devices/system/cpu/vulnerabilities"

struct vuln_state {
    struct he_dir dir;
    struct he_file file;   /* reopened per entry: one file per vulnerability */
    struct he_buf store;   /* codename\0state\0mitigation\0 per entry */
    struct he_buf starts;  /* size_t offsets into store: three per entry */
    size_t count;
};

static int vuln_init(void **state)
{
    struct vuln_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    he_file_init(&s->file, false, 1024 * 1024);
    he_buf_init(&s->store, 16 * 1024 * 1024);
    he_buf_init(&s->starts, 0);
    *state = s;
    return 0;
}

static void vuln_fini(void *state)
{
    struct vuln_state *s = state;
    he_dir_fini(&s->dir);
    he_file_fini(&s->file);
    he_buf_free(&s->store);
    he_buf_free(&s->starts);
    free(s);
}

static const char *vuln_skip_space(const char *p, const char *end)
{
    size_t k;
    while (p < end && (k = he_go_space_at(p, (size_t)(end - p))) > 0) {
        p += k;
    }
    return p;
}

static const char *vuln_skip_word(const char *p, const char *end)
{
    while (p < end && he_go_space_at(p, (size_t)(end - p)) == 0) {
        p++;
    }
    return p;
}

/* Appends text without its first word, words joined by one space (strings.Fields). */
static int vuln_put_rest(struct he_buf *out, const char *p, const char *end)
{
    p = vuln_skip_word(p, end);
    bool first = true;
    int rc = 0;
    while (rc == 0 && p < end) {
        const char *word = vuln_skip_space(p, end);
        p = vuln_skip_word(word, end);
        if (p > word) {
            rc = first ? 0 : he_buf_putc(out, ' ');
            rc = rc ? rc : he_buf_append(out, word, (size_t)(p - word));
            first = false;
        }
    }
    return rc;
}

/* Marks where the next label value starts in the store. */
static int vuln_mark(struct vuln_state *s)
{
    size_t at = s->store.len;
    return he_buf_append(&s->starts, &at, sizeof(at));
}

/* procfs' states, in the order it tests them; "unknown" also stands for any other text. */
static const char *const vuln_states[] = {"not affected", "vulnerable", "mitigation", "unknown"};
#define VULN_NSTATES (sizeof(vuln_states) / sizeof(vuln_states[0]))

/* Index of the state the text starts with (ASCII case folded), or VULN_NSTATES. */
static size_t vuln_state_of(const char *p, size_t len)
{
    for (size_t i = 0; i < VULN_NSTATES; i++) {
        size_t n = strlen(vuln_states[i]);
        if (len >= n && strncasecmp(p, vuln_states[i], n) == 0) {
            return i;
        }
    }
    return VULN_NSTATES;
}

/* Appends the state and mitigation label values for the text [p, end), already trimmed. */
static int vuln_put_state(struct vuln_state *s, const char *p, const char *end)
{
    size_t len = (size_t)(end - p);
    size_t i = vuln_state_of(p, len);
    int rc = vuln_mark(s);
    rc = rc ? rc : he_buf_puts(&s->store, i < VULN_NSTATES ? vuln_states[i] : "unknown");
    rc = rc ? rc : he_buf_putc(&s->store, '\0');
    rc = rc ? rc : vuln_mark(s);
    if (rc == 0 && i == VULN_NSTATES) {
        rc = he_buf_append(&s->store, p, len);
    } else if (rc == 0 && i > 0) {
        /* "not affected" (i == 0) has no mitigation text in procfs. */
        rc = vuln_put_rest(&s->store, p, end);
    }
    return rc ? rc : he_buf_putc(&s->store, '\0');
}

/* Reads one entry and appends its three label values to the store. */
static int vuln_read_one(struct vuln_state *s, const char *name)
{
    char rel[512];
    char path[4096];
    size_t n = strlen(name);
    if (sizeof(VULN_DIR) + 1 + n > sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    memcpy(rel, VULN_DIR "/", sizeof(VULN_DIR));
    memcpy(rel + sizeof(VULN_DIR), name, n + 1);
    int rc = he_path_sys(path, sizeof(path), rel);
    rc = rc ? rc : he_file_read(&s->file, path);
    if (rc < 0) {
        he_log_debug("cpu_vulnerabilities: cannot read", "path", path, NULL);
        return rc;
    }
    struct he_field text = he_go_trim_space((struct he_field){s->file.buf.data, s->file.buf.len});
    const char *p = text.p;
    const char *end = text.p + text.len;
    rc = vuln_mark(s);
    rc = rc ? rc : he_buf_append(&s->store, name, n + 1);
    return rc ? rc : vuln_put_state(s, p, end);
}

static void vuln_emit(const struct vuln_state *s, struct he_writer *w)
{
    he_writer_family(w, "node_cpu_vulnerabilities_info",
                     "Details of each CPU vulnerability reported by sysfs. The value of the series "
                     "is an int encoded state of the vulnerability. The same state is stored as a "
                     "string in the label",
                     HE_GAUGE);
    const size_t *at = (const size_t *)(const void *)s->starts.data;
    for (size_t i = 0; i < s->count; i++, at += 3) {
        struct he_label labels[3] = {
            {"codename", s->store.data + at[0]},
            {"state", s->store.data + at[1]},
            {"mitigation", s->store.data + at[2]},
        };
        he_writer_sample(w, labels, 3, 1);
    }
}

static int vuln_collect(void *state, struct he_writer *w)
{
    struct vuln_state *s = state;
    char path[4096];
    he_buf_reset(&s->store);
    he_buf_reset(&s->starts);
    s->count = 0;
    int rc = he_path_sys(path, sizeof(path), VULN_DIR);
    if (rc < 0) {
        return rc;
    }
    if (he_dir_read(&s->dir, path) < 0) {
        he_log_debug("cpu_vulnerabilities: cannot list", "path", path, NULL);
        return 0;
    }
    /* Everything is read before anything is emitted: one bad entry fails them all. */
    for (size_t i = 0; i < s->dir.n; i++) {
        rc = vuln_read_one(s, he_dir_name(&s->dir, i));
        if (rc < 0) {
            return rc;
        }
        s->count++;
    }
    vuln_emit(s, w);
    return 0;
}

static const struct he_collector cpu_vulnerabilities_collector = {
    .name = "cpu_vulnerabilities",
    .default_enabled = false,
    .init = vuln_init,
    .collect = vuln_collect,
    .fini = vuln_fini,
};

HE_COLLECTOR_REGISTER(cpu_vulnerabilities_collector)
