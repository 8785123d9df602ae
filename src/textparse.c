/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The text format parser (see he_textparse.h). It is a byte-at-a-time state
 * machine shaped like expfmt's TextParser, so that the corner cases come out
 * the same: a file must end in a newline (only blanks may follow the last one),
 * "# HELP"/"# TYPE" need a metric name, blanks after a value are read as the
 * start of a timestamp, a trailing comma inside braces is fine, a TYPE line
 * after the family's first sample is an error, and so on. A failed file leaves
 * no trace in the model.
 */
#include "he_textparse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "he_parse_go.h"

enum state {
    DONE,
    START_OF_LINE,
    COMMENT,
    READING_HELP,
    READING_TYPE,
    METRIC_NAME,
    READING_LABELS,
    LABEL_NAME,
    LABEL_VALUE,
    READING_VALUE,
    TIMESTAMP,
};

struct parser {
    struct he_text_model *m;
    struct he_text_result *r;
    const unsigned char *next, *end;
    int c;                  /* the current byte */
    bool eof;               /* reading ran past the end */
    int rc;                 /* first error */
    unsigned line;
    uint32_t file;
    uint32_t family;        /* family of the current line */
    bool is_sum, is_count;  /* the line is a summary's or histogram's _sum/_count */
    uint32_t first_label;   /* the current line's labels start here in m->labels */
    bool special_label;     /* the label being read is "quantile" or "le" */
    double bound;           /* its value, NaN when absent */
    size_t line_strings;    /* arena size before the line, to undo a merged line */
    uint32_t metric;        /* the metric the value goes to */
};

static bool is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Reads the next byte into p->c; false (and p->eof) at the end of the input. */
static bool read_byte(struct parser *p)
{
    if (p->next == p->end) {
        p->eof = true;
        p->c = 0;
        return false;
    }
    p->c = *p->next++;
    return true;
}

/* Reads bytes up to the first one that is not a blank or tab. */
static bool skip_blank_tab(struct parser *p)
{
    while (read_byte(p)) {
        if (!is_blank(p->c)) {
            return true;
        }
    }
    return false;
}

static bool skip_blank_tab_if_blank(struct parser *p)
{
    return !is_blank(p->c) || skip_blank_tab(p);
}

/* Appends s to out as Go's %q would print it, near enough for a log line. */
static void quote(char *out, size_t size, const char *s, size_t n)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n && o + 6 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (esc) {
            o += (size_t)snprintf(out + o, size - o, "%s", esc);
        } else if (c == '"' || c == '\\') {
            o += (size_t)snprintf(out + o, size - o, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* Records a syntax error (the first one wins) and stops the parse. */
static enum state parse_error(struct parser *p, const char *fmt, ...)
{
    if (p->rc == 0) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(p->r->error, sizeof(p->r->error), "text format parsing error in line %u: %s",
                 p->line, msg);
        p->rc = -EINVAL;
    }
    return DONE;
}

static enum state unexpected_end(struct parser *p)
{
    return parse_error(p, "unexpected end of input stream");
}

static enum state out_of_memory(struct parser *p, int rc)
{
    if (p->rc == 0) {
        snprintf(p->r->error, sizeof(p->r->error), "%s", strerror(-rc));
        p->rc = rc;
    }
    return DONE;
}

/* The token as a quoted string for error messages. */
static const char *quoted_token(const struct parser *p, char *buf, size_t size)
{
    quote(buf, size, p->m->token.data, p->m->token.len);
    return buf;
}

static int token_putc(struct parser *p)
{
    return he_buf_putc(&p->m->token, (char)p->c);
}

static bool token_is(const struct parser *p, const char *s)
{
    return p->m->token.len == strlen(s) && memcmp(p->m->token.data, s, p->m->token.len) == 0;
}

static void read_token_until_whitespace(struct parser *p)
{
    he_buf_reset(&p->m->token);
    while (!p->eof && !is_blank(p->c) && p->c != '\n') {
        if (token_putc(p) < 0) {
            p->rc = -ENOMEM;
            return;
        }
        read_byte(p);
    }
}

static bool metric_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static bool metric_name_rest(int c)
{
    return metric_name_start(c) || (c >= '0' && c <= '9');
}

static bool label_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool label_name_rest(int c)
{
    return label_name_start(c) || (c >= '0' && c <= '9');
}

/* Reads a name made of start/rest bytes, beginning with the current byte. */
static void read_name(struct parser *p, bool (*start)(int), bool (*rest)(int))
{
    he_buf_reset(&p->m->token);
    if (!start(p->c)) {
        return;
    }
    do {
        if (token_putc(p) < 0) {
            p->rc = -ENOMEM;
            return;
        }
    } while (read_byte(p) && rest(p->c));
}

/*
 * Reads to the end of the line, unescaping \\ and \n when escapes is set (HELP
 * text). Returns false on a bad escape (reported) or at the end of the input.
 */
static bool read_token_until_newline(struct parser *p, bool escapes)
{
    he_buf_reset(&p->m->token);
    bool escaped = false;
    for (; !p->eof; read_byte(p)) {
        int c = p->c;
        if (escaped) {
            if (c != '\\' && c != 'n') {
                parse_error(p, "invalid escape sequence '\\%c'", c);
                return false;
            }
            c = c == 'n' ? '\n' : '\\';
            escaped = false;
        } else if (c == '\n') {
            return true;
        } else if (c == '\\' && escapes) {
            escaped = true;
            continue;
        }
        if (he_buf_putc(&p->m->token, (char)c) < 0) {
            out_of_memory(p, -ENOMEM);
            return false;
        }
    }
    return false;
}

/* Copies the token into the arena with a NUL; *off receives where. */
static int intern_token(struct parser *p, uint32_t *off)
{
    struct he_buf *s = &p->m->strings;
    size_t at = s->len;
    int rc = he_buf_append(s, p->m->token.data, p->m->token.len);
    if (rc == 0) {
        rc = he_buf_putc(s, '\0');
    }
    *off = (uint32_t)at;
    return rc;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211u; /* FNV-1a */
    }
    return h;
}

/* Makes an open-addressed table of index+1 slots at least twice as large as need, emptied. */
static int table_prepare(uint32_t **table, size_t *cap, size_t need)
{
    size_t want = 64;
    while (want < need * 2) {
        want *= 2;
    }
    if (want > *cap) {
        uint32_t *t = realloc(*table, want * sizeof(*t));
        if (!t) {
            return -ENOMEM;
        }
        *table = t;
        *cap = want;
    }
    memset(*table, 0, *cap * sizeof(**table));
    return 0;
}

/* Grows the table (rehashing with rehash) when adding one more entry would pass half full. */
static int table_make_room(struct parser *p, uint32_t **table, size_t *cap, size_t used,
                           void (*rehash)(struct parser *))
{
    if ((used + 1) * 2 <= *cap) {
        return 0;
    }
    int rc = table_prepare(table, cap, used + 1);
    if (rc == 0) {
        rehash(p);
    }
    return rc;
}

/* Families of the file being parsed start here. */
static size_t file_first_family(const struct parser *p)
{
    size_t i = p->m->nfamilies;
    while (i > 0 && p->m->families[i - 1].file == p->file) {
        i--;
    }
    return i;
}

/* Slot of name (n bytes) in by_name: the family's slot or an empty one. */
static size_t name_slot(const struct parser *p, const char *name, size_t n)
{
    const struct he_text_model *m = p->m;
    size_t mask = m->by_name_cap - 1;
    for (size_t i = hash_bytes(14695981039346656037u, name, n) & mask;; i = (i + 1) & mask) {
        uint32_t f = m->by_name[i];
        if (f == 0) {
            return i;
        }
        const char *have = he_text_str(m, m->families[f - 1].name);
        if (strlen(have) == n && memcmp(have, name, n) == 0) {
            return i;
        }
    }
}

static void rehash_names(struct parser *p)
{
    struct he_text_model *m = p->m;
    for (size_t f = file_first_family(p); f < m->nfamilies; f++) {
        const char *name = he_text_str(m, m->families[f].name);
        m->by_name[name_slot(p, name, strlen(name))] = (uint32_t)f + 1;
    }
}

/* The family called name in this file, or HE_TEXT_NONE. */
static uint32_t find_family(const struct parser *p, const char *name, size_t n)
{
    uint32_t f = p->m->by_name[name_slot(p, name, n)];
    return f ? f - 1 : HE_TEXT_NONE;
}

static bool has_suffix(const char *s, size_t n, const char *suffix, size_t *stem)
{
    size_t k = strlen(suffix);
    *stem = n - k;
    return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/*
 * The summary or histogram that name's _sum/_count/_bucket suffix belongs to in
 * this file, setting is_sum/is_count; HE_TEXT_NONE when there is none.
 */
static uint32_t find_distribution(struct parser *p, const char *name, size_t n)
{
    static const char *const suffixes[] = {"_count", "_sum", "_bucket"};
    for (size_t i = 0; i < 3; i++) {
        size_t stem;
        if (!has_suffix(name, n, suffixes[i], &stem)) {
            continue;
        }
        uint32_t f = find_family(p, name, stem);
        enum he_metric_type want = i == 2 ? HE_HISTOGRAM : HE_SUMMARY;
        bool match = f != HE_TEXT_NONE && (p->m->families[f].type == want ||
                                           (i < 2 && p->m->families[f].type == HE_HISTOGRAM));
        if (match) {
            p->is_count = i == 0;
            p->is_sum = i == 1;
            return f;
        }
    }
    return HE_TEXT_NONE;
}

/* Makes the family named by the token current, creating it as expfmt does. */
static int set_or_create_family(struct parser *p)
{
    struct he_text_model *m = p->m;
    const char *name = m->token.data;
    size_t n = m->token.len;
    p->is_sum = p->is_count = false;
    int rc = table_make_room(p, &m->by_name, &m->by_name_cap,
                             m->nfamilies - file_first_family(p), rehash_names);
    if (rc < 0) {
        return rc;
    }
    if ((p->family = find_family(p, name, n)) != HE_TEXT_NONE ||
        (p->family = find_distribution(p, name, n)) != HE_TEXT_NONE) {
        return 0;
    }
    rc = he_array_grow((void **)&m->families, &m->families_cap, m->nfamilies + 1,
                       sizeof(*m->families));
    struct he_text_family *f = &m->families[m->nfamilies];
    if (rc < 0 || (rc = intern_token(p, &f->name)) < 0) {
        return rc;
    }
    *f = (struct he_text_family){.name = f->name, .help = HE_TEXT_NONE, .file = p->file,
                                 .type = HE_UNTYPED};
    m->by_name[name_slot(p, name, n)] = (uint32_t)m->nfamilies + 1;
    p->family = (uint32_t)m->nfamilies++;
    return 0;
}

static enum state start_of_line(struct parser *p)
{
    p->line++;
    if (!skip_blank_tab(p)) {
        return DONE; /* the one place where the end of the input is fine */
    }
    switch (p->c) {
    case '#':
        return COMMENT;
    case '\n':
        return START_OF_LINE;
    default:
        return METRIC_NAME;
    }
}

static enum state comment(struct parser *p)
{
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    if (p->c == '\n') {
        return START_OF_LINE;
    }
    read_token_until_whitespace(p);
    if (p->eof) {
        return unexpected_end(p);
    }
    if (p->c == '\n') {
        return START_OF_LINE;
    }
    bool help = token_is(p, "HELP"), type = token_is(p, "TYPE");
    if (!help && !type) {
        while (p->c != '\n') { /* any other comment */
            if (!read_byte(p)) {
                return unexpected_end(p);
            }
        }
        return START_OF_LINE;
    }
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    read_name(p, metric_name_start, metric_name_rest);
    if (p->eof) {
        return unexpected_end(p);
    }
    if (p->c == '\n') {
        return START_OF_LINE;
    }
    if (!is_blank(p->c)) {
        return parse_error(p, "invalid metric name in comment");
    }
    int rc = set_or_create_family(p);
    if (rc < 0) {
        return out_of_memory(p, rc);
    }
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    if (p->c == '\n') {
        return START_OF_LINE;
    }
    return help ? READING_HELP : READING_TYPE;
}

static bool contains_nul(const struct he_buf *b)
{
    return memchr(b->data, '\0', b->len) != NULL;
}

static enum state reading_help(struct parser *p)
{
    struct he_text_family *f = &p->m->families[p->family];
    if (f->help != HE_TEXT_NONE) {
        return parse_error(p, "second HELP line for metric name \"%s\"",
                           he_text_str(p->m, f->name));
    }
    if (!read_token_until_newline(p, true)) {
        return p->rc ? DONE : unexpected_end(p);
    }
    if (contains_nul(&p->m->token)) { /* stricter than expfmt: our strings end at NUL */
        return parse_error(p, "HELP text contains a NUL byte");
    }
    uint32_t help;
    int rc = intern_token(p, &help);
    if (rc < 0) {
        return out_of_memory(p, rc);
    }
    p->m->families[p->family].help = help;
    return START_OF_LINE;
}

static enum state reading_type(struct parser *p)
{
    static const struct {
        const char *name;
        enum he_metric_type type;
    } types[] = {{"COUNTER", HE_COUNTER}, {"GAUGE", HE_GAUGE}, {"SUMMARY", HE_SUMMARY},
                 {"UNTYPED", HE_UNTYPED}, {"HISTOGRAM", HE_HISTOGRAM},
                 {"GAUGE_HISTOGRAM", HE_UNTYPED}};
    if (p->m->families[p->family].typed) {
        return parse_error(p, "second TYPE line for metric name \"%s\", or TYPE reported after "
                              "samples", he_text_str(p->m, p->m->families[p->family].name));
    }
    if (!read_token_until_newline(p, false)) {
        return unexpected_end(p);
    }
    struct he_buf *t = &p->m->token;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (t->len == strlen(types[i].name) && strncasecmp(t->data, types[i].name, t->len) == 0) {
            struct he_text_family *f = &p->m->families[p->family];
            f->type = types[i].type;
            f->gauge_histogram = i == 5;
            f->typed = true;
            return START_OF_LINE;
        }
    }
    char q[96];
    return parse_error(p, "unknown metric type %s", quoted_token(p, q, sizeof(q)));
}

static enum state metric_name(struct parser *p)
{
    read_name(p, metric_name_start, metric_name_rest);
    if (p->eof) {
        return unexpected_end(p);
    }
    if (p->m->token.len == 0) {
        return parse_error(p, "invalid metric name");
    }
    int rc = set_or_create_family(p);
    if (rc < 0) {
        return out_of_memory(p, rc);
    }
    p->m->families[p->family].typed = true; /* untyped unless a TYPE line came first */
    p->first_label = (uint32_t)p->m->nlabels;
    if (!skip_blank_tab_if_blank(p)) {
        return unexpected_end(p);
    }
    return READING_LABELS;
}

static bool is_distribution(const struct parser *p)
{
    enum he_metric_type t = p->m->families[p->family].type;
    return t == HE_SUMMARY || t == HE_HISTOGRAM;
}

static enum state reading_labels(struct parser *p)
{
    p->bound = NAN;
    return p->c == '{' ? LABEL_NAME : READING_VALUE;
}

/* The label a summary or histogram keeps apart from its series' labels. */
static const char *special_label(const struct parser *p)
{
    switch (p->m->families[p->family].type) {
    case HE_SUMMARY:
        return "quantile";
    case HE_HISTOGRAM:
        return "le";
    default:
        return NULL;
    }
}

/* Most labels on one line: a bound on the duplicate-name check, and the writer's limit. */
#define MAX_LINE_LABELS HE_TEXT_MAX_LABEL_NAMES

static bool duplicate_label_name(const struct parser *p)
{
    const struct he_text_model *m = p->m;
    const char *name = he_text_str(m, m->labels[m->nlabels - 1].name);
    for (size_t i = p->first_label; i + 1 < m->nlabels; i++) {
        if (strcmp(he_text_str(m, m->labels[i].name), name) == 0) {
            return true;
        }
    }
    return false;
}

static int add_label_name(struct parser *p)
{
    struct he_text_model *m = p->m;
    int rc = he_array_grow((void **)&m->labels, &m->labels_cap, m->nlabels + 1,
                           sizeof(*m->labels));
    if (rc == 0) {
        rc = intern_token(p, &m->labels[m->nlabels].name);
    }
    if (rc == 0) {
        m->labels[m->nlabels++].value = HE_TEXT_NONE;
    }
    return rc;
}

static enum state label_name(struct parser *p)
{
    const char *family = he_text_str(p->m, p->m->families[p->family].name);
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    if (p->c == '}') {
        return skip_blank_tab(p) ? READING_VALUE : unexpected_end(p);
    }
    read_name(p, label_name_start, label_name_rest);
    if (p->eof) {
        return unexpected_end(p);
    }
    if (p->m->token.len == 0) {
        return parse_error(p, "invalid label name for metric \"%s\"", family);
    }
    if (token_is(p, "__name__")) {
        return parse_error(p, "label name \"__name__\" is reserved");
    }
    const char *special = special_label(p);
    p->special_label = special && token_is(p, special);
    if (!p->special_label) {
        if (p->m->nlabels - p->first_label >= MAX_LINE_LABELS) {
            return parse_error(p, "more than %d labels for metric \"%s\"", MAX_LINE_LABELS,
                               family);
        }
        int rc = add_label_name(p);
        if (rc < 0) {
            return out_of_memory(p, rc);
        }
        family = he_text_str(p->m, p->m->families[p->family].name); /* the arena may have moved */
    }
    if (!skip_blank_tab_if_blank(p)) {
        return unexpected_end(p);
    }
    if (p->c != '=') {
        return parse_error(p, "expected '=' after label name, found '%c'", p->c);
    }
    if (!p->special_label && duplicate_label_name(p)) {
        return parse_error(p, "duplicate label names for metric \"%s\"", family);
    }
    return LABEL_VALUE;
}

/* Reads a quoted label value after its opening quote, unescaping \", \\ and \n. */
static bool read_label_value(struct parser *p)
{
    he_buf_reset(&p->m->token);
    bool escaped = false;
    char q[96];
    while (read_byte(p)) {
        int c = p->c;
        if (escaped) {
            if (c != '"' && c != '\\' && c != 'n') {
                parse_error(p, "invalid escape sequence '\\%c'", c);
                return false;
            }
            c = c == 'n' ? '\n' : c;
            escaped = false;
        } else if (c == '"') {
            return true;
        } else if (c == '\n') {
            parse_error(p, "label value %s contains unescaped new-line",
                        quoted_token(p, q, sizeof(q)));
            return false;
        } else if (c == '\\') {
            escaped = true;
            continue;
        }
        if (he_buf_putc(&p->m->token, (char)c) < 0) {
            out_of_memory(p, -ENOMEM);
            return false;
        }
    }
    return false;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                                   : (c & 0xf8) == 0xf0 ? 4 : 0;
        unsigned min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (len == 0 || i + len > n) {
            return false;
        }
        unsigned cp = len == 1 ? c : c & (0x7fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (len > 1 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) {
            return false;
        }
        i += len;
    }
    return true;
}

/* A "quantile" or "le" value: the bound of the point this line adds. */
static enum state take_bound(struct parser *p)
{
    char q[96];
    if (he_text_parse_float(p->m->token.data, p->m->token.len, &p->bound) < 0) {
        return parse_error(p, "expected float as value for '%s' label, got %s", special_label(p),
                           quoted_token(p, q, sizeof(q)));
    }
    return LABEL_VALUE;
}

static enum state label_value(struct parser *p)
{
    char q[96];
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    if (p->c != '"') {
        return parse_error(p, "expected '\"' at start of label value, found '%c'", p->c);
    }
    if (!read_label_value(p)) {
        return p->rc ? DONE : unexpected_end(p);
    }
    if (!valid_utf8((const unsigned char *)p->m->token.data, p->m->token.len)) {
        return parse_error(p, "invalid label value %s", quoted_token(p, q, sizeof(q)));
    }
    if (contains_nul(&p->m->token)) { /* stricter than expfmt: our strings end at NUL */
        return parse_error(p, "label value %s contains a NUL byte", quoted_token(p, q, sizeof(q)));
    }
    if (p->special_label) {
        if (take_bound(p) == DONE) {
            return DONE;
        }
    } else {
        int rc = intern_token(p, &p->m->labels[p->m->nlabels - 1].value);
        if (rc < 0) {
            return out_of_memory(p, rc);
        }
    }
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    if (p->c == ',') {
        return LABEL_NAME;
    }
    if (p->c == '}') {
        return skip_blank_tab(p) ? READING_VALUE : unexpected_end(p);
    }
    return parse_error(p, "unexpected end of label value %s", quoted_token(p, q, sizeof(q)));
}

/* Order-independent hash of the current line's label set and family. */
static uint64_t line_hash(const struct parser *p)
{
    const struct he_text_model *m = p->m;
    uint64_t h = (uint64_t)p->family * 0x9e3779b97f4a7c15u;
    for (size_t i = p->first_label; i < m->nlabels; i++) {
        const char *name = he_text_str(m, m->labels[i].name);
        const char *value = he_text_str(m, m->labels[i].value);
        uint64_t pair = hash_bytes(14695981039346656037u, name, strlen(name) + 1);
        h += hash_bytes(pair, value, strlen(value));
    }
    return h;
}

/* True when metric has exactly the current line's labels. */
static bool same_labels(const struct parser *p, const struct he_text_metric *metric)
{
    const struct he_text_model *m = p->m;
    size_t n = m->nlabels - p->first_label;
    if (metric->family != p->family || metric->nlabels != n) {
        return false;
    }
    for (size_t i = p->first_label; i < m->nlabels; i++) {
        const char *name = he_text_str(m, m->labels[i].name);
        bool found = false;
        for (uint32_t k = metric->first_label; k < metric->first_label + metric->nlabels; k++) {
            if (strcmp(he_text_str(m, m->labels[k].name), name) == 0) {
                found = strcmp(he_text_str(m, m->labels[k].value),
                               he_text_str(m, m->labels[i].value)) == 0;
                break;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

static size_t series_slot(const struct parser *p, uint64_t hash)
{
    const struct he_text_model *m = p->m;
    size_t mask = m->by_series_cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t s = m->by_series[i];
        if (s == 0 || (m->metrics[s - 1].hash == hash && same_labels(p, &m->metrics[s - 1]))) {
            return i;
        }
    }
}

/* Metrics of the file being parsed start here. */
static size_t file_first_metric(const struct parser *p)
{
    size_t i = p->m->nmetrics;
    while (i > 0 && p->m->families[p->m->metrics[i - 1].family].file == p->file) {
        i--;
    }
    return i;
}

static void rehash_series(struct parser *p)
{
    struct he_text_model *m = p->m;
    size_t mask = m->by_series_cap - 1;
    for (size_t i = file_first_metric(p); i < m->nmetrics; i++) {
        enum he_metric_type t = m->families[m->metrics[i].family].type;
        if (t == HE_SUMMARY || t == HE_HISTOGRAM) {
            size_t s = m->metrics[i].hash & mask;
            while (m->by_series[s]) {
                s = (s + 1) & mask;
            }
            m->by_series[s] = (uint32_t)i + 1;
        }
    }
}

/* Appends a metric holding the current line's labels. */
static int new_metric(struct parser *p, uint64_t hash)
{
    struct he_text_model *m = p->m;
    int rc = he_array_grow((void **)&m->metrics, &m->metrics_cap, m->nmetrics + 1,
                           sizeof(*m->metrics));
    if (rc < 0) {
        return rc;
    }
    m->metrics[m->nmetrics] = (struct he_text_metric){
        .family = p->family,
        .first_label = p->first_label,
        .nlabels = (uint32_t)(m->nlabels - p->first_label),
        .first_point = HE_TEXT_NONE,
        .last_point = HE_TEXT_NONE,
        .hash = hash,
    };
    m->families[p->family].nmetrics++;
    p->metric = (uint32_t)m->nmetrics++;
    return 0;
}

/*
 * Finds the summary or histogram with the current line's labels (dropping the
 * line's copy of them) or creates it: its lines need not be adjacent.
 */
static int find_or_add_distribution(struct parser *p)
{
    struct he_text_model *m = p->m;
    int rc = table_make_room(p, &m->by_series, &m->by_series_cap,
                             m->nmetrics - file_first_metric(p), rehash_series);
    if (rc < 0) {
        return rc;
    }
    uint64_t hash = line_hash(p);
    size_t slot = series_slot(p, hash);
    if (m->by_series[slot]) {
        p->metric = m->by_series[slot] - 1;
        m->nlabels = p->first_label;
        m->strings.len = p->line_strings;
        return 0;
    }
    if ((rc = new_metric(p, hash)) == 0) {
        m->by_series[slot] = p->metric + 1;
    }
    return rc;
}

static int add_point(struct parser *p, double bound, double value)
{
    struct he_text_model *m = p->m;
    int rc = he_array_grow((void **)&m->points, &m->points_cap, m->npoints + 1,
                           sizeof(*m->points));
    if (rc < 0) {
        return rc;
    }
    struct he_text_metric *metric = &m->metrics[p->metric];
    uint32_t i = (uint32_t)m->npoints++;
    m->points[i] = (struct he_text_point){.point = {bound, value}, .next = HE_TEXT_NONE};
    if (metric->last_point == HE_TEXT_NONE) {
        metric->first_point = i;
    } else {
        m->points[metric->last_point].next = i;
    }
    metric->last_point = i;
    metric->npoints++;
    return 0;
}

/* Stores a sample's value as expfmt does for the family's type. */
static int store_value(struct parser *p, double v)
{
    struct he_text_metric *metric = &p->m->metrics[p->metric];
    enum he_metric_type type = p->m->families[p->family].type;
    if (type != HE_SUMMARY && type != HE_HISTOGRAM) {
        metric->value = v;
    } else if (p->is_count) {
        metric->count = he_text_go_uint64(v);
    } else if (p->is_sum) {
        metric->value = v;
    } else if (!isnan(p->bound)) {
        return add_point(p, p->bound, type == HE_HISTOGRAM ? he_text_go_uint64(v) : v);
    }
    return 0;
}

static enum state reading_value(struct parser *p)
{
    char q[96];
    const struct he_text_family *f = &p->m->families[p->family];
    int rc = is_distribution(p) ? find_or_add_distribution(p) : new_metric(p, 0);
    if (rc < 0) {
        return out_of_memory(p, rc);
    }
    if (++p->r->samples > p->r->max_samples) {
        snprintf(p->r->error, sizeof(p->r->error), "more than %zu samples", p->r->max_samples);
        p->rc = -E2BIG;
        return DONE;
    }
    read_token_until_whitespace(p);
    if (p->eof) {
        return unexpected_end(p);
    }
    double v;
    if (he_text_parse_float(p->m->token.data, p->m->token.len, &v) < 0) {
        return parse_error(p, "expected float as value, got %s", quoted_token(p, q, sizeof(q)));
    }
    if (f->gauge_histogram) {
        snprintf(p->r->error, sizeof(p->r->error), "unexpected type for metric name \"%s\"",
                 he_text_str(p->m, f->name));
        p->rc = -EINVAL;
        return DONE;
    }
    if ((rc = store_value(p, v)) < 0) {
        return out_of_memory(p, rc);
    }
    return p->c == '\n' ? START_OF_LINE : TIMESTAMP;
}

static enum state timestamp(struct parser *p)
{
    char q[96];
    if (!skip_blank_tab(p)) {
        return unexpected_end(p);
    }
    read_token_until_whitespace(p);
    if (p->eof) {
        return unexpected_end(p);
    }
    int64_t ts;
    if (he_parse_i64((struct he_field){p->m->token.data, p->m->token.len}, &ts) < 0) {
        return parse_error(p, "expected integer as timestamp, got %s",
                           quoted_token(p, q, sizeof(q)));
    }
    p->r->has_timestamps = true;
    if (!read_token_until_newline(p, false)) {
        return unexpected_end(p);
    }
    if (p->m->token.len > 0) {
        return parse_error(p, "spurious string after timestamp: %s", quoted_token(p, q, sizeof(q)));
    }
    return START_OF_LINE;
}

static enum state step(struct parser *p, enum state s)
{
    switch (s) {
    case START_OF_LINE:
        p->line_strings = p->m->strings.len;
        return start_of_line(p);
    case COMMENT:
        return comment(p);
    case READING_HELP:
        return reading_help(p);
    case READING_TYPE:
        return reading_type(p);
    case METRIC_NAME:
        return metric_name(p);
    case READING_LABELS:
        return reading_labels(p);
    case LABEL_NAME:
        return label_name(p);
    case LABEL_VALUE:
        return label_value(p);
    case READING_VALUE:
        return reading_value(p);
    case TIMESTAMP:
        return timestamp(p);
    default:
        return DONE;
    }
}

/* Adds name to family f's label names (a region of HE_TEXT_MAX_LABEL_NAMES slots). */
static int add_family_name(struct parser *p, struct he_text_family *f, uint32_t name)
{
    struct he_text_model *m = p->m;
    for (uint32_t i = 0; i < f->nnames; i++) {
        if (strcmp(he_text_str(m, m->names[f->first_name + i]), he_text_str(m, name)) == 0) {
            return 0;
        }
    }
    if (f->nnames == HE_TEXT_MAX_LABEL_NAMES) {
        snprintf(p->r->error, sizeof(p->r->error), "metric \"%s\" uses more than %d label names",
                 he_text_str(m, f->name), HE_TEXT_MAX_LABEL_NAMES);
        return -EINVAL;
    }
    m->names[f->first_name + f->nnames++] = name;
    return 0;
}

/*
 * Records the label names each family of the file uses, so that every series
 * can carry all of them (the textfile collector fills the missing ones with "").
 * Each family first gets a full region, then the regions are packed.
 */
static int gather_label_names(struct parser *p, size_t first_family, size_t first_metric)
{
    struct he_text_model *m = p->m;
    size_t nfam = m->nfamilies - first_family;
    int rc = he_array_grow((void **)&m->names, &m->names_cap,
                           m->nnames + nfam * HE_TEXT_MAX_LABEL_NAMES, sizeof(*m->names));
    if (rc < 0) {
        return rc;
    }
    for (size_t f = first_family; f < m->nfamilies; f++) {
        m->families[f].first_name = (uint32_t)(m->nnames + (f - first_family) * HE_TEXT_MAX_LABEL_NAMES);
        m->families[f].nnames = 0;
    }
    for (size_t i = first_metric; i < m->nmetrics && rc == 0; i++) {
        const struct he_text_metric *metric = &m->metrics[i];
        for (uint32_t k = 0; k < metric->nlabels && rc == 0; k++) {
            rc = add_family_name(p, &m->families[metric->family],
                                 m->labels[metric->first_label + k].name);
        }
    }
    for (size_t f = first_family; f < m->nfamilies && rc == 0; f++) {
        struct he_text_family *fam = &m->families[f];
        memmove(&m->names[m->nnames], &m->names[fam->first_name], fam->nnames * sizeof(*m->names));
        fam->first_name = (uint32_t)m->nnames;
        m->nnames += fam->nnames;
    }
    return rc;
}

struct he_text_mark he_text_model_mark(const struct he_text_model *m)
{
    return (struct he_text_mark){m->strings.len, m->nfamilies, m->nmetrics, m->nlabels,
                                 m->npoints, m->nnames};
}

void he_text_model_truncate(struct he_text_model *m, const struct he_text_mark *mark)
{
    m->strings.len = mark->strings;
    m->nfamilies = mark->families;
    m->nmetrics = mark->metrics;
    m->nlabels = mark->labels;
    m->npoints = mark->points;
    m->nnames = mark->names;
}

int he_text_parse(struct he_text_model *m, const char *text, size_t len, uint32_t file,
                  struct he_text_result *r)
{
    struct parser p = {.m = m, .r = r, .next = (const unsigned char *)text,
                       .end = (const unsigned char *)text + len, .file = file};
    struct he_text_mark mark = he_text_model_mark(m);
    r->samples = 0;
    r->has_timestamps = false;
    r->error[0] = '\0';
    p.rc = table_prepare(&m->by_name, &m->by_name_cap, 0);
    if (p.rc == 0) {
        p.rc = table_prepare(&m->by_series, &m->by_series_cap, 0);
    }
    for (enum state s = START_OF_LINE; s != DONE && p.rc == 0;) {
        s = step(&p, s);
    }
    if (p.rc == 0) {
        p.rc = gather_label_names(&p, mark.families, mark.metrics);
    }
    if (p.rc < 0) {
        he_text_model_truncate(m, &mark);
    }
    return p.rc;
}

void he_text_model_init(struct he_text_model *m)
{
    memset(m, 0, sizeof(*m));
    he_buf_init(&m->strings, 0);
    he_buf_init(&m->token, 0);
}

void he_text_model_free(struct he_text_model *m)
{
    he_buf_free(&m->strings);
    he_buf_free(&m->token);
    free(m->families);
    free(m->metrics);
    free(m->labels);
    free(m->points);
    free(m->names);
    free(m->by_name);
    free(m->by_series);
    memset(m, 0, sizeof(*m));
}

void he_text_model_reset(struct he_text_model *m)
{
    he_text_model_truncate(m, &(struct he_text_mark){0});
}

/* Go's special(): [+-]inf, [+-]infinity or nan, any case, and nothing else. */
static bool parse_special(const char *s, size_t n, double *out)
{
    double sign = 1;
    size_t i = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        sign = s[0] == '-' ? -1 : 1;
        i = 1;
    } else if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
        *out = NAN;
        return true;
    }
    if ((n - i == 3 && strncasecmp(s + i, "inf", 3) == 0) ||
        (n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0)) {
        *out = sign * INFINITY;
        return true;
    }
    return false;
}

/* [+-] digits [. digits] [(e|E) [+-] digits], at least one mantissa digit. */
static bool decimal_syntax(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        digits++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t exp_digits = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            exp_digits++;
        }
        if (exp_digits == 0) {
            return false;
        }
    }
    return i == n;
}

int he_text_parse_float(const char *s, size_t n, double *out)
{
    if (parse_special(s, n, out)) {
        return 0;
    }
    char buf[400];
    if (n == 0 || n >= sizeof(buf) || !decimal_syntax(s, n)) {
        return -EINVAL; /* longer numbers are legal in Go, but no exporter writes them */
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE && isinf(v)) {
        return -EINVAL; /* Go: out of range; underflow to zero or a subnormal is fine */
    }
    *out = v;
    return 0;
}

double he_text_go_uint64(double v)
{
    const uint64_t top = UINT64_C(1) << 63;
    uint64_t u;
    /* CVTTSD2SQ yields 1<<63 for NaN and out-of-range input; Go adds the top bit above 2^63. */
    if (v < 0x1p63) {
        u = v > -0x1p63 ? (uint64_t)(int64_t)v : top;
    } else {
        double low = v - 0x1p63;
        u = (low < 0x1p63 ? (uint64_t)(int64_t)low : top) | top;
    }
    return (double)u;
}
