/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysctl: node_sysctl_<name> and node_sysctl_info{name,value,index} for the
 * sysctls named by --collector.sysctl.include (numeric) and
 * --collector.sysctl.include-info (strings), both repeatable, read from
 * <procfs>/sys/<name with '.' as '/'>. Mirrors node_exporter's
 * collector/sysctl_linux.go with procfs's SysctlInts/SysctlStrings.
 *
 * As upstream: only the first 128 bytes of a file are read (procfs's
 * SysReadFile), trimmed and split at whitespace; numbers are Go ints in base 0
 * ("0x10" is 16). A numeric sysctl with one value is an untyped
 * node_sysctl_<name>, with several an untyped series per {index}, or with
 * "name:key1,key2,..." one untyped node_sysctl_<name>_<key> per value (the
 * counts must agree). A string sysctl gives one node_sysctl_info sample of 1 per
 * value. <name> is the sysctl name with each run of other characters than
 * [0-9A-Za-z_], and the underscores around it, turned into one '_'
 * (SanitizeMetricName). Sysctls are collected in flag order, numeric ones first;
 * the first that cannot be read or does not fit its form fails the scrape,
 * keeping the sysctls emitted before it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

#define SYSCTL_READ_MAX 128                       /* procfs's SysReadFile buffer */
#define SYSCTL_MAX_VALUES (SYSCTL_READ_MAX / 2)   /* fields of 128 bytes, at most */

static struct he_strings sysctl_include_flag;
static struct he_strings sysctl_include_info_flag;

static const struct he_flag sysctl_flags[] = {
    {"collector.sysctl.include", HE_FLAG_STRINGS, NULL, "Select sysctl metrics to include",
     &sysctl_include_flag, NULL},
    {"collector.sysctl.include-info", HE_FLAG_STRINGS, NULL,
     "Select sysctl metrics to include as info metrics", &sysctl_include_info_flag, NULL},
    {0},
};

/* One --collector.sysctl.include(-info) value, prepared once. */
struct sysctl_entry {
    bool numeric;
    char *name;       /* as given, before any ':' */
    char *rel;        /* "sys/" + name with '.' as '/' */
    char *metric;     /* node_sysctl_<sanitized name> */
    char *help;       /* "sysctl <name>" */
    char **keys;      /* from "name:k1,k2"; NULL when none */
    char **key_metrics;
    char **key_helps;
    size_t nkeys;
};

struct sysctl_state {
    struct sysctl_entry *entries;
    size_t n;
    struct he_file file;
};

/* One read sysctl: its values as text (pointing into the file buffer) and numbers. */
struct sysctl_values {
    struct he_field text[SYSCTL_MAX_VALUES];
    int64_t num[SYSCTL_MAX_VALUES];
    size_t n;
};

static bool sysctl_name_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           c == '_';
}

/*
 * node_exporter's SanitizeMetricName: each match of `_*[^0-9A-Za-z_]+_*` becomes
 * one '_'. out must hold strlen(in) + 1 bytes.
 */
static void sysctl_sanitize(const char *in, char *out)
{
    size_t o = 0;
    size_t i = 0;
    size_t len = strlen(in);
    while (i < len) {
        size_t j = i;
        while (j < len && in[j] == '_') {
            j++;
        }
        if (j < len && !sysctl_name_char(in[j])) {
            while (j < len && !sysctl_name_char(in[j])) {
                j++;
            }
            while (j < len && in[j] == '_') {
                j++;
            }
            out[o++] = '_';
        } else if (j == i) {
            out[o++] = in[j++];
        } else {
            memcpy(out + o, in + i, j - i);
            o += j - i;
        }
        i = j;
    }
    out[o] = '\0';
}

/* A newly allocated formatted string, or NULL when out of memory. */
__attribute__((format(printf, 1, 2))) static char *sysctl_format(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&s, fmt, ap);
    va_end(ap);
    return rc < 0 ? NULL : s;
}

static void sysctl_entry_free(struct sysctl_entry *e)
{
    for (size_t i = 0; i < e->nkeys; i++) {
        free(e->keys[i]);
        free(e->key_metrics ? e->key_metrics[i] : NULL);
        free(e->key_helps ? e->key_helps[i] : NULL);
    }
    free(e->keys);
    free(e->key_metrics);
    free(e->key_helps);
    free(e->name);
    free(e->rel);
    free(e->metric);
    free(e->help);
}

/* BuildFQName("node", "sysctl", name): an empty name adds nothing. */
static char *sysctl_metric_name(const char *sanitized, const char *key)
{
    if (key) {
        return sysctl_format("node_sysctl_%s_%s", sanitized, key);
    }
    return *sanitized ? sysctl_format("node_sysctl_%s", sanitized) : strdup("node_sysctl");
}

/* Splits keys at every ',' as strings.Split does ("" is one empty key). */
static int sysctl_parse_keys(struct sysctl_entry *e, const char *keys, const char *sanitized)
{
    size_t n = 1;
    for (const char *p = keys; *p; p++) {
        n += *p == ',';
    }
    e->keys = calloc(n, sizeof(*e->keys));
    e->key_metrics = calloc(n, sizeof(*e->key_metrics));
    e->key_helps = calloc(n, sizeof(*e->key_helps));
    if (!e->keys || !e->key_metrics || !e->key_helps) {
        return -ENOMEM;
    }
    e->nkeys = n;
    const char *p = keys;
    for (size_t i = 0; i < n; i++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        e->keys[i] = strndup(p, len);
        if (!e->keys[i]) {
            return -ENOMEM;
        }
        e->key_metrics[i] = sysctl_metric_name(sanitized, e->keys[i]);
        e->key_helps[i] = sysctl_format("sysctl %s, field %zu", e->name, i);
        if (!e->key_metrics[i] || !e->key_helps[i]) {
            return -ENOMEM;
        }
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

/* Prepares one flag value ("name" or "name:key1,key2"). 0 or -ENOMEM. */
static int sysctl_entry_init(struct sysctl_entry *e, const char *value, bool numeric)
{
    const char *colon = strchr(value, ':');
    size_t len = colon ? (size_t)(colon - value) : strlen(value);
    e->numeric = numeric;
    e->name = strndup(value, len);
    char *sanitized = malloc(len + 1);
    if (!e->name || !sanitized) {
        free(sanitized);
        return -ENOMEM;
    }
    sysctl_sanitize(e->name, sanitized);
    e->rel = sysctl_format("sys/%s", e->name);
    e->metric = sysctl_metric_name(sanitized, NULL);
    e->help = sysctl_format("sysctl %s", e->name);
    int rc = e->rel && e->metric && e->help ? 0 : -ENOMEM;
    for (char *p = e->rel; p && *p; p++) {
        *p = *p == '.' ? '/' : *p;
    }
    if (rc == 0 && colon) {
        rc = sysctl_parse_keys(e, colon + 1, sanitized);
    }
    free(sanitized);
    return rc;
}

static void sysctl_fini(void *state)
{
    struct sysctl_state *s = state;
    for (size_t i = 0; i < s->n; i++) {
        sysctl_entry_free(&s->entries[i]);
    }
    free(s->entries);
    he_file_fini(&s->file);
    free(s);
}

static int sysctl_init(void **state)
{
    const struct he_strings *lists[2] = {&sysctl_include_flag, &sysctl_include_info_flag};
    struct sysctl_state *s = calloc(1, sizeof(*s));
    size_t total = sysctl_include_flag.n + sysctl_include_info_flag.n;
    if (!s || !(s->entries = calloc(total ? total : 1, sizeof(*s->entries)))) {
        free(s);
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            int rc = sysctl_entry_init(&s->entries[s->n++], lists[l]->items[i], l == 0);
            if (rc < 0) {
                sysctl_fini(s);
                return rc;
            }
        }
    }
    *state = s;
    return 0;
}

/* strings.Fields over the first 128 bytes of the file; numbers for numeric ones. */
static int sysctl_parse(const struct sysctl_entry *e, const char *text, size_t len,
                        struct sysctl_values *v)
{
    struct he_field f = {text, len < SYSCTL_READ_MAX ? len : SYSCTL_READ_MAX};
    v->n = he_go_fields(f, v->text, SYSCTL_MAX_VALUES);
    for (size_t i = 0; e->numeric && i < v->n; i++) {
        if (he_parse_i64_base0(v->text[i], &v->num[i]) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static int sysctl_read(struct sysctl_state *s, const struct sysctl_entry *e,
                       struct sysctl_values *v)
{
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), e->rel);
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = sysctl_parse(e, s->file.buf.data, s->file.buf.len, v);
    }
    if (rc < 0) {
        he_log_debug("sysctl: error obtaining sysctl info", "path", path, NULL);
    }
    return rc;
}

/* node_sysctl_info{name,value,index} 1 for each string value. */
static void sysctl_emit_info(struct he_writer *w, const struct sysctl_entry *e,
                             const struct sysctl_values *v)
{
    he_writer_family(w, "node_sysctl_info", "sysctl info", HE_GAUGE);
    for (size_t i = 0; i < v->n; i++) {
        char value[SYSCTL_READ_MAX + 1];
        char index[24];
        he_field_copy(v->text[i], value, sizeof(value));
        snprintf(index, sizeof(index), "%zu", i);
        struct he_label labels[3] = {{"name", e->name}, {"value", value}, {"index", index}};
        he_writer_sample(w, labels, 3, 1);
    }
}

static void sysctl_emit_numeric(struct he_writer *w, const struct sysctl_entry *e,
                                const struct sysctl_values *v)
{
    if (v->n == 1) {
        he_writer_family(w, e->metric, e->help, HE_UNTYPED);
        he_writer_value(w, (double)v->num[0]);
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        if (e->nkeys) {
            he_writer_family(w, e->key_metrics[i], e->key_helps[i], HE_UNTYPED);
            he_writer_value(w, (double)v->num[i]);
            continue;
        }
        char index[24];
        snprintf(index, sizeof(index), "%zu", i);
        struct he_label label = {"index", index};
        he_writer_family(w, e->metric, e->help, HE_UNTYPED);
        he_writer_sample(w, &label, 1, (double)v->num[i]);
    }
}

/*
 * Checks the value count against the form, as newMetrics does: none is an error,
 * keys need as many values (and numbers: string values cannot be mapped), and a
 * single value takes no keys.
 */
static int sysctl_check_form(const struct sysctl_entry *e, const struct sysctl_values *v)
{
    if (v->n == 0 || (v->n == 1 && e->nkeys)) {
        return -EINVAL;
    }
    if (v->n > 1 && e->nkeys && (v->n != e->nkeys || !e->numeric)) {
        return -EINVAL;
    }
    return 0;
}

static int sysctl_collect(void *state, struct he_writer *w)
{
    struct sysctl_state *s = state;
    struct sysctl_values v;
    for (size_t i = 0; i < s->n; i++) {
        const struct sysctl_entry *e = &s->entries[i];
        int rc = sysctl_read(s, e, &v);
        if (rc == 0) {
            rc = sysctl_check_form(e, &v);
        }
        if (rc < 0) {
            he_log_debug("sysctl: cannot export", "name", e->name, NULL);
            return rc;
        }
        if (e->numeric) {
            sysctl_emit_numeric(w, e, &v);
        } else {
            sysctl_emit_info(w, e, &v);
        }
    }
    return 0;
}

static const struct he_collector sysctl_collector = {
    .name = "sysctl",
    .default_enabled = false,
    .flags = sysctl_flags,
    .init = sysctl_init,
    .collect = sysctl_collect,
    .fini = sysctl_fini,
};

HE_COLLECTOR_REGISTER(sysctl_collector)
