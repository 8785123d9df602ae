/* SPDX-License-Identifier: Apache-2.0 */
/*
 * os: node_os_info, node_os_version and node_os_support_end_timestamp_seconds
 * from <rootfs>/etc/os-release, or <rootfs>/usr/lib/os-release when the first
 * does not exist (os-release(5)); neither existing is "no data", as upstream.
 * Mirrors node_exporter 1.12's collector/os_release.go.
 *
 * Upstream parses the file with hashicorp/go-envparse v0.1.0, whose rules are
 * not the shell's, and this parser follows them so label values come out the
 * same: a line is KEY=VALUE (an "export " prefix is dropped, blanks around key
 * and value are trimmed as Go's bytes.TrimSpace does), blank lines and lines
 * starting with '#' are skipped; a value mixes unquoted text (ended by '#',
 * which starts a comment, with the blanks before it dropped), '...' (literal)
 * and "..." (JSON escapes: \" \\ \/ \b \f \r \n \t \uXXXX with surrogate
 * pairs). Any malformed line (no '=', a bad key, a control character, an
 * unmatched quote, a bad escape, a line of 64 KiB or more) fails the whole
 * file, as does a VERSION_ID whose major.minor overflows a double or a
 * SUPPORT_END that is not a YYYY-MM-DD date; a failed file is not replaced by
 * the fallback one. The last assignment of a key wins.
 *
 * Where upstream cannot produce output we still do: a multi-byte character
 * just before a trailing comment loses its last byte in go-envparse, and the
 * resulting invalid UTF-8 label value makes node_exporter panic; here it is
 * kept whole. Files over 1 MiB are refused (upstream reads any size).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_parse_go.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

enum os_key {
    OS_BUILD_ID,
    OS_ID,
    OS_ID_LIKE,
    OS_IMAGE_ID,
    OS_IMAGE_VERSION,
    OS_NAME,
    OS_PRETTY_NAME,
    OS_VARIANT,
    OS_VARIANT_ID,
    OS_VERSION,
    OS_VERSION_CODENAME,
    OS_VERSION_ID,
    OS_SUPPORT_END,
    OS_NKEYS,
};

/* The os-release keys upstream reads, and the node_os_info label of each. */
static const struct {
    const char *key;
    const char *label;
} os_keys[OS_NKEYS] = {
    [OS_BUILD_ID] = {"BUILD_ID", "build_id"},
    [OS_ID] = {"ID", "id"},
    [OS_ID_LIKE] = {"ID_LIKE", "id_like"},
    [OS_IMAGE_ID] = {"IMAGE_ID", "image_id"},
    [OS_IMAGE_VERSION] = {"IMAGE_VERSION", "image_version"},
    [OS_NAME] = {"NAME", "name"},
    [OS_PRETTY_NAME] = {"PRETTY_NAME", "pretty_name"},
    [OS_VARIANT] = {"VARIANT", "variant"},
    [OS_VARIANT_ID] = {"VARIANT_ID", "variant_id"},
    [OS_VERSION] = {"VERSION", "version"},
    [OS_VERSION_CODENAME] = {"VERSION_CODENAME", "version_codename"},
    [OS_VERSION_ID] = {"VERSION_ID", "version_id"},
    [OS_SUPPORT_END] = {"SUPPORT_END", NULL},
};

#define OS_UNSET SIZE_MAX
#define OS_MAX_LINE 65536   /* bufio.Scanner's token limit: longer lines fail */

struct os_state {
    struct he_file file;
    struct he_buf values;      /* decoded values, each NUL-terminated */
    size_t off[OS_NKEYS];      /* where each key's value starts in values, or OS_UNSET */
};

enum os_mode {
    OS_PLAIN,
    OS_DOUBLE,
    OS_SINGLE,
    OS_ESCAPE,
};

static int os_init(void **state)
{
    struct os_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    he_buf_init(&s->values, 0);
    *state = s;
    return 0;
}

static void os_fini(void *state)
{
    struct os_state *s = state;
    he_file_fini(&s->file);
    he_buf_free(&s->values);
    free(s);
}

/* Four hex digits at v[at..at+4) as a code unit; -1 when short or not hex. */
static long os_hex4(struct he_field v, size_t at)
{
    if (at + 4 > v.len) {
        return -1;
    }
    long r = 0;
    for (size_t i = at; i < at + 4; i++) {
        char c = v.p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        r = r * 16 + d;
    }
    return r;
}

/* Writes code point r as UTF-8 into out; returns the byte count. */
static int os_utf8(long r, char *out)
{
    if (r < 0x80) {
        out[0] = (char)r;
        return 1;
    }
    if (r < 0x800) {
        out[0] = (char)(0xc0 | (r >> 6));
        out[1] = (char)(0x80 | (r & 0x3f));
        return 2;
    }
    if (r < 0x10000) {
        out[0] = (char)(0xe0 | (r >> 12));
        out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
        out[2] = (char)(0x80 | (r & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (r >> 18));
    out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
    out[3] = (char)(0x80 | (r & 0x3f));
    return 4;
}

/*
 * \uXXXX with v.p[*i] on the 'u'. A UTF-16 surrogate must be followed by a
 * second \uXXXX; a pair that does not combine becomes U+FFFD (utf16.DecodeRune).
 * Advances *i to the last byte consumed; returns bytes written or -EINVAL.
 */
static int os_unescape_u(struct he_field v, size_t *i, char *out)
{
    long r = os_hex4(v, *i + 1);
    if (r < 0) {
        return -EINVAL;
    }
    *i += 4;
    if (r >= 0xd800 && r < 0xe000) {
        if (*i + 2 >= v.len || v.p[*i + 1] != '\\' || v.p[*i + 2] != 'u') {
            return -EINVAL;
        }
        long r2 = os_hex4(v, *i + 3);
        if (r2 < 0) {
            return -EINVAL;
        }
        *i += 6;
        bool pair = r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000;
        r = pair ? (((r - 0xd800) << 10) | (r2 - 0xdc00)) + 0x10000 : 0xfffd;
    }
    return os_utf8(r, out);
}

/* One escape inside double quotes, v.p[*i] being the byte after '\'. */
static int os_unescape(struct he_field v, size_t *i, char *out)
{
    static const char from[] = "\"\\/bfrnt";
    static const char to[] = "\"\\/\b\f\r\n\t";
    char c = v.p[*i];
    if (c == 'u') {
        return os_unescape_u(v, i, out);
    }
    const char *hit = c ? strchr(from, c) : NULL;
    if (!hit) {
        return -EINVAL;
    }
    out[0] = to[hit - from];
    return 1;
}

/*
 * Decodes value v (already trimmed) into out, which has room for v.len bytes:
 * decoding never lengthens. Returns the decoded length or -EINVAL. sig is the
 * end of the last significant byte: a comment drops the unquoted blanks before
 * it, never quoted ones.
 */
static int os_decode(struct he_field v, char *out)
{
    enum os_mode mode = OS_PLAIN;
    size_t n = 0;
    size_t sig = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < 32) {
            return -EINVAL; /* tabs too: go-envparse refuses every control byte */
        }
        switch (mode) {
        case OS_ESCAPE: {
            int k = c > 127 ? -EINVAL : os_unescape(v, &i, out + n);
            if (k < 0) {
                return k;
            }
            n += (size_t)k;
            sig = n;
            mode = OS_DOUBLE;
            continue;
        }
        case OS_PLAIN:
            if (c == '#') {
                return (int)sig;
            }
            if (c == '"' || c == '\'') {
                mode = c == '"' ? OS_DOUBLE : OS_SINGLE;
                continue;
            }
            out[n++] = (char)c;
            sig = c == ' ' ? sig : n;
            continue;
        case OS_DOUBLE:
            if (c == '"' || c == '\\') {
                mode = c == '"' ? OS_PLAIN : OS_ESCAPE;
                continue;
            }
            break;
        case OS_SINGLE:
            if (c == '\'') {
                mode = OS_PLAIN;
                continue;
            }
            break;
        }
        out[n++] = (char)c;
        sig = n;
    }
    return mode == OS_PLAIN ? (int)n : -EINVAL;
}

/* Keys are [A-Za-z_][A-Za-z0-9_./]*, as go-envparse checks them. */
static bool os_key_valid(struct he_field k)
{
    if (k.len == 0) {
        return false;
    }
    for (size_t i = 0; i < k.len; i++) {
        char c = k.p[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                  (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '/'));
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Stores the decoded value of key if it is one upstream reads. */
static int os_assign(struct os_state *s, struct he_field key, struct he_field val)
{
    int rc = he_buf_reserve(&s->values, val.len + 1);
    if (rc < 0) {
        return rc;
    }
    char *out = s->values.data + s->values.len;
    int n = os_decode(val, out);
    if (n < 0) {
        return n;
    }
    for (size_t k = 0; k < OS_NKEYS; k++) {
        if (he_field_eq(key, os_keys[k].key)) {
            out[n] = '\0';
            s->off[k] = s->values.len;
            s->values.len += (size_t)n + 1;
            break;
        }
    }
    return 0;
}

static int os_parse_line(struct os_state *s, struct he_field line)
{
    if (line.len >= OS_MAX_LINE) {
        return -EINVAL;
    }
    line = he_go_trim_space(line);
    if (line.len == 0 || line.p[0] == '#') {
        return 0;
    }
    const char *eq = memchr(line.p, '=', line.len);
    if (!eq) {
        return -EINVAL;
    }
    size_t klen = (size_t)(eq - line.p);
    struct he_field key = he_go_trim_space((struct he_field){line.p, klen});
    struct he_field val = he_go_trim_space((struct he_field){eq + 1, line.len - klen - 1});
    if (key.len > 7 && memcmp(key.p, "export ", 7) == 0) {
        key.p += 7;
        key.len -= 7;
    }
    if (!os_key_valid(key)) {
        return -EINVAL;
    }
    return os_assign(s, key, val);
}

static int os_parse(struct os_state *s)
{
    struct he_lines it;
    struct he_field line;
    he_buf_reset(&s->values);
    for (size_t k = 0; k < OS_NKEYS; k++) {
        s->off[k] = OS_UNSET;
    }
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        int rc = os_parse_line(s, line);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* The value of key k, "" when the file does not set it. */
static char *os_value(struct os_state *s, enum os_key k)
{
    static char empty[] = "";
    return s->off[k] == OS_UNSET ? empty : s->values.data + s->off[k];
}

/*
 * node_os_version: upstream's ^[0-9]+\.?[0-9]* on VERSION_ID through
 * strconv.ParseFloat; no match is 0 (not exported), overflow is an error.
 */
static int os_version(char *vid, double *out)
{
    size_t n = 0;
    while (vid[n] >= '0' && vid[n] <= '9') {
        n++;
    }
    *out = 0;
    if (n == 0) {
        return 0;
    }
    if (vid[n] == '.') {
        n++;
        while (vid[n] >= '0' && vid[n] <= '9') {
            n++;
        }
    }
    char saved = vid[n];
    vid[n] = '\0';
    double v = strtod(vid, NULL);
    vid[n] = saved;
    if (isinf(v)) {
        return -ERANGE;
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d. */
static long long os_days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* SUPPORT_END as Go's time.Parse(time.DateOnly) reads it, to Unix seconds (UTC). */
static int os_support_end(const char *s, double *out)
{
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return -EINVAL;
    }
    unsigned v[3] = {0, 0, 0};
    static const unsigned char part[10] = {0, 0, 0, 0, 9, 1, 1, 9, 2, 2};
    for (size_t i = 0; i < 10; i++) {
        if (part[i] == 9) {
            continue;
        }
        if (s[i] < '0' || s[i] > '9') {
            return -EINVAL;
        }
        v[part[i]] = v[part[i]] * 10 + (unsigned)(s[i] - '0');
    }
    unsigned y = v[0], m = v[1], d = v[2];
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap)) {
        return -EINVAL;
    }
    *out = (double)os_days_from_civil(y, m, d) * 86400.0;
    return 0;
}

static void os_emit(struct os_state *s, struct he_writer *w, double version)
{
    struct he_label labels[OS_SUPPORT_END];
    for (size_t k = 0; k < OS_SUPPORT_END; k++) {
        labels[k] = (struct he_label){os_keys[k].label, os_value(s, k)};
    }
    he_writer_family(w, "node_os_info",
                     "A metric with a constant '1' value labeled by build_id, id, id_like, "
                     "image_id, image_version, name, pretty_name, variant, variant_id, version, "
                     "version_codename, version_id.",
                     HE_GAUGE);
    he_writer_sample(w, labels, OS_SUPPORT_END, 1);
    if (version > 0) {
        struct he_label vl[] = {
            {"id", os_value(s, OS_ID)},
            {"id_like", os_value(s, OS_ID_LIKE)},
            {"name", os_value(s, OS_NAME)},
        };
        he_writer_family(w, "node_os_version",
                         "Metric containing the major.minor part of the OS version.", HE_GAUGE);
        he_writer_sample(w, vl, 3, version);
    }
}

/* Reads the first os-release file that exists. -ENODATA when neither does. */
static int os_read(struct os_state *s, char *path, size_t size)
{
    static const char *const files[] = {"etc/os-release", "usr/lib/os-release"};
    int rc = -ENOENT;
    for (size_t i = 0; i < 2 && rc == -ENOENT; i++) {
        rc = he_path_root(path, size, files[i]);
        if (rc == 0) {
            rc = he_file_read(&s->file, path);
        }
    }
    if (rc == -ENOENT) {
        he_log_debug("os: no os-release file found", "path", path, NULL);
        return -ENODATA;
    }
    return rc;
}

static int os_collect(void *state, struct he_writer *w)
{
    struct os_state *s = state;
    char path[4096];
    double version = 0;
    double end = 0;
    int rc = os_read(s, path, sizeof(path));
    if (rc == 0) {
        rc = os_parse(s);
    }
    if (rc == 0) {
        rc = os_version(os_value(s, OS_VERSION_ID), &version);
    }
    const char *support_end = rc == 0 ? os_value(s, OS_SUPPORT_END) : "";
    if (rc == 0 && support_end[0]) {
        rc = os_support_end(support_end, &end);
    }
    if (rc < 0) {
        if (rc != -ENODATA) {
            he_log_debug("os: cannot parse", "path", path, NULL);
        }
        return rc;
    }
    os_emit(s, w, version);
    if (support_end[0]) {
        he_writer_family(w, "node_os_support_end_timestamp_seconds",
                         "Metric containing the end-of-life date timestamp of the OS.", HE_GAUGE);
        he_writer_value(w, end);
    }
    return 0;
}

static const struct he_collector os_collector = {
    .name = "os",
    .default_enabled = true,
    .init = os_init,
    .collect = os_collect,
    .fini = os_fini,
};

HE_COLLECTOR_REGISTER(os_collector)
