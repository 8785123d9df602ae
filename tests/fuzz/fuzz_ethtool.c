/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the ethtool collector's pure functions (he_ethtool.h):
 * the SIOCETHTOOL result buffer parsers and the metric name functions. The
 * input is one byte choosing a small output size for the name functions,
 * then a body that is given whole to he_ethtool_parse_drvinfo() and
 * he_ethtool_parse_link(), and split for he_ethtool_parse_stats(): a u16
 * count, a u16 length of the GSTRINGS buffer, that buffer, and the GSTATS
 * buffer in the rest. Every buffer is an exact-size copy so ASan sees reads
 * past it. Each statistic name (and the body as one long string) goes through
 * he_ethtool_sanitize(), checked against POSIX regex's reading of upstream's
 * `_*[^0-9A-Za-z_]+_*`, and he_ethtool_fqname().
 */
#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_ethtool.h"

static volatile size_t sink;
static regex_t bad_run;
static size_t small_size;

static int word_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/* The reference: every leftmost match of the regex becomes "_". */
static char *reference_sanitize(const char *name)
{
    size_t n = strlen(name);
    char *out = malloc(n + 1), *o = out;
    if (!out) {
        abort();
    }
    const char *p = name;
    regmatch_t m;
    while (*p && regexec(&bad_run, p, 1, &m, p == name ? 0 : REG_NOTBOL) == 0) {
        if (m.rm_eo == m.rm_so) {
            abort();   /* the pattern cannot match empty */
        }
        memcpy(o, p, (size_t)m.rm_so);
        o += m.rm_so;
        *o++ = '_';
        p += m.rm_eo;
    }
    strcpy(o, p);
    return out;
}

static void check_fqname(const char *sanitized)
{
    char big[1024];
    int rc = he_ethtool_fqname(sanitized, big, sizeof(big));
    if (rc == 0) {
        if (strncmp(big, "node_ethtool_", 13) != 0 || big[13] == '\0') {
            abort();
        }
        for (const char *c = big; *c; c++) {
            if (!word_char((unsigned char)*c) || (*c >= 'A' && *c <= 'Z')) {
                abort();
            }
        }
    } else if (rc != -ENOENT && rc != -ENAMETOOLONG) {
        abort();
    }
    char *small = malloc(small_size);
    if (!small) {
        abort();
    }
    rc = he_ethtool_fqname(sanitized, small, small_size);
    if (rc == 0) {
        sink += strlen(small);
    }
    free(small);
}

static void check_name(const char *name)
{
    size_t n = strlen(name);
    /* the sanitized name is never longer than the name */
    char *out = malloc(n + 1);
    if (!out) {
        abort();
    }
    if (he_ethtool_sanitize(name, out, n + 1) != 0) {
        abort();
    }
    char *want = reference_sanitize(name);
    if (strcmp(out, want) != 0) {
        abort();
    }
    free(want);
    for (const char *c = out; *c; c++) {
        if (!word_char((unsigned char)*c)) {
            abort();
        }
    }
    char *small = malloc(small_size);
    if (!small) {
        abort();
    }
    int rc = he_ethtool_sanitize(name, small, small_size);
    if (rc == 0 ? strcmp(small, out) != 0 : rc != -ENAMETOOLONG || strlen(out) < small_size) {
        abort();
    }
    free(small);
    check_fqname(out);
    free(out);
}

static int stat_cb(const char *name, uint64_t value, void *data)
{
    (void)data;
    size_t n = strlen(name);
    if (n == 0 || n > ETH_GSTRING_LEN) {
        abort();
    }
    sink += (size_t)value;
    check_name(name);
    return 0;
}

static void *copy(const uint8_t *p, size_t n)
{
    void *b = malloc(n ? n : 1);
    if (!b) {
        abort();
    }
    memcpy(b, p, n);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised) {
        if (regcomp(&bad_run, "_*[^0-9A-Za-z_]+_*", REG_EXTENDED) != 0) {
            abort();
        }
        initialised = 1;
    }
    if (size < 1) {
        return 0;
    }
    small_size = (size_t)data[0] + 1;
    const uint8_t *body = data + 1;
    size_t len = size - 1;

    void *buf = copy(body, len);
    struct he_ethtool_drvinfo d;
    if (he_ethtool_parse_drvinfo(buf, len, &d) == 0) {
        sink += strlen(d.driver) + strlen(d.version) + strlen(d.fw_version) +
                strlen(d.bus_info) + strlen(d.erom_version) + d.n_stats;
    }
    struct he_ethtool_link l;
    if (he_ethtool_parse_link(buf, len, &l) == 0) {
        sink += l.supported + l.advertising + l.autoneg;
    }
    free(buf);

    if (len >= 4) {
        uint16_t n, split;
        memcpy(&n, body, 2);
        memcpy(&split, body + 2, 2);
        size_t strings_len = split < len - 4 ? split : len - 4;
        void *strings = copy(body + 4, strings_len);
        void *stats = copy(body + 4 + strings_len, len - 4 - strings_len);
        int rc = he_ethtool_parse_stats(strings, strings_len, stats, len - 4 - strings_len, n,
                                        stat_cb, NULL);
        if (rc != 0 && rc != -EINVAL) {
            abort();
        }
        free(strings);
        free(stats);
    }

    /* the body as one (possibly long) name */
    char *name = malloc(len + 1);
    if (!name) {
        abort();
    }
    memcpy(name, body, len);
    name[len] = '\0';
    check_name(name);
    free(name);
    return 0;
}
