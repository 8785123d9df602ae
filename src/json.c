/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict JSON reader into a reusable node tree; see include/he_json.h. The
 * grammar is RFC 8259's; string decoding follows Go's encoding/json (unquote):
 * escapes, surrogate pairs, U+FFFD for lone surrogates and invalid UTF-8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "he_json.h"

struct json_parser {
    struct he_json *j;
    const unsigned char *s;
    size_t len, pos;
};

void he_json_init(struct he_json *j)
{
    memset(j, 0, sizeof(*j));
    he_buf_init(&j->text, 0);
}

void he_json_fini(struct he_json *j)
{
    free(j->nodes);
    he_buf_free(&j->text);
    memset(j, 0, sizeof(*j));
}

static void json_ws(struct json_parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
        p->pos++;
    }
}

static int json_new_node(struct json_parser *p, enum he_json_type type, uint32_t *out)
{
    struct he_json *j = p->j;
    if (j->n >= HE_JSON_NONE - 1) {
        return -E2BIG;
    }
    if (he_array_grow((void **)&j->nodes, &j->cap, j->n + 1, sizeof(*j->nodes)) < 0) {
        return -ENOMEM;
    }
    struct he_json_node *n = &j->nodes[j->n];
    memset(n, 0, sizeof(*n));
    n->type = type;
    n->child = n->next = HE_JSON_NONE;
    *out = (uint32_t)j->n++;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 (Go's rules). */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;   /* no overlongs */
        hi = c == 0xed ? 0x9f : 0xbf;   /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;   /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return need;
}

static int json_put_rune(struct he_buf *b, unsigned long r)
{
    char u[4];
    size_t n;
    if (r < 0x80) {
        u[0] = (char)r, n = 1;
    } else if (r < 0x800) {
        u[0] = (char)(0xc0 | (r >> 6)), u[1] = (char)(0x80 | (r & 0x3f)), n = 2;
    } else if (r < 0x10000) {
        u[0] = (char)(0xe0 | (r >> 12)), u[1] = (char)(0x80 | ((r >> 6) & 0x3f));
        u[2] = (char)(0x80 | (r & 0x3f)), n = 3;
    } else {
        u[0] = (char)(0xf0 | (r >> 18)), u[1] = (char)(0x80 | ((r >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((r >> 6) & 0x3f)), u[3] = (char)(0x80 | (r & 0x3f)), n = 4;
    }
    return he_buf_append(b, u, n);
}

/* Four hex digits after "\u" at s (n bytes left), or -1. */
static long json_hex4(const unsigned char *s, size_t n)
{
    long v = 0;
    if (n < 6 || s[0] != '\\' || s[1] != 'u') {
        return -1;
    }
    for (int i = 2; i < 6; i++) {
        unsigned c = s[i];
        int d = c >= '0' && c <= '9' ? (int)c - '0'
                : c >= 'a' && c <= 'f' ? (int)c - 'a' + 10
                : c >= 'A' && c <= 'F' ? (int)c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* "\u" escapes: a surrogate pair makes one rune, a lone surrogate U+FFFD (Go's unquote). */
static int json_unicode_escape(struct json_parser *p)
{
    long r = json_hex4(p->s + p->pos, p->len - p->pos);
    if (r < 0) {
        return -EINVAL;
    }
    p->pos += 6;
    if (r >= 0xd800 && r < 0xe000) {
        long r2 = json_hex4(p->s + p->pos, p->len - p->pos);
        if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
            p->pos += 6;
            return json_put_rune(&p->j->text, 0x10000 + (((unsigned long)r - 0xd800) << 10) +
                                                  ((unsigned long)r2 - 0xdc00));
        }
        r = 0xfffd;
    }
    return json_put_rune(&p->j->text, (unsigned long)r);
}

static int json_escape(struct json_parser *p)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (p->pos + 1 >= p->len) {
        return -EINVAL;
    }
    unsigned char c = p->s[p->pos + 1];
    if (c == 'u') {
        return json_unicode_escape(p);
    }
    const char *at = memchr(from, c, sizeof(from) - 1);
    if (!at || c == '\0') {
        return -EINVAL;
    }
    p->pos += 2;
    return he_buf_putc(&p->j->text, to[at - from]);
}

/* A string at p->pos (the opening quote), decoded into j->text at *off, *len bytes. */
static int json_string(struct json_parser *p, uint32_t *off, uint32_t *len)
{
    struct he_buf *b = &p->j->text;
    size_t start = b->len;
    int rc = 0;
    p->pos++;
    while (rc == 0) {
        if (p->pos >= p->len) {
            return -EINVAL;
        }
        unsigned char c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        } else if (c < 0x20) {
            return -EINVAL;
        } else if (c == '\\') {
            rc = json_escape(p);
        } else {
            size_t n = json_utf8_len(p->s + p->pos, p->len - p->pos);
            rc = n ? he_buf_append(b, p->s + p->pos, n) : json_put_rune(b, 0xfffd);
            p->pos += n ? n : 1;
        }
    }
    if (rc < 0 || b->len - start > UINT32_MAX || b->len > UINT32_MAX) {
        return rc < 0 ? rc : -E2BIG;
    }
    *off = (uint32_t)start;
    *len = (uint32_t)(b->len - start);
    return he_buf_putc(b, '\0');   /* a C string too, cut at any NUL it holds */
}

static size_t json_digits(struct json_parser *p)
{
    size_t n = 0;
    while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        p->pos++, n++;
    }
    return n;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as its literal. */
static int json_number(struct json_parser *p, struct he_json_node *n)
{
    size_t start = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '-') {
        p->pos++;
    }
    if (p->pos < p->len && p->s[p->pos] == '0') {
        p->pos++;
    } else if (json_digits(p) == 0) {
        return -EINVAL;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (json_digits(p) == 0) {
            return -EINVAL;
        }
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) {
            p->pos++;
        }
        if (json_digits(p) == 0) {
            return -EINVAL;
        }
    }
    if (p->j->text.len > UINT32_MAX - (p->pos - start)) {
        return -E2BIG;
    }
    n->text = (uint32_t)p->j->text.len;
    n->len = (uint32_t)(p->pos - start);
    int rc = he_buf_append(&p->j->text, p->s + start, p->pos - start);
    return rc < 0 ? rc : he_buf_putc(&p->j->text, '\0');
}

static int json_literal(struct json_parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
        return -EINVAL;
    }
    p->pos += n;
    return 0;
}

static int json_value(struct json_parser *p, int depth, uint32_t *out);

/* Appends child to parent's list after *last. */
static void json_link(struct he_json *j, uint32_t parent, uint32_t *last, uint32_t child)
{
    if (*last == HE_JSON_NONE) {
        j->nodes[parent].child = child;
    } else {
        j->nodes[*last].next = child;
    }
    *last = child;
}

/* Elements (or members, with keys) up to the closing bracket; p->pos is past the opener. */
static int json_container(struct json_parser *p, int depth, uint32_t self, bool object)
{
    uint32_t last = HE_JSON_NONE, key = 0, key_len = 0, child;
    char close = object ? '}' : ']';
    json_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        int rc;
        if (object) {
            if (p->pos >= p->len || p->s[p->pos] != '"' ||
                (rc = json_string(p, &key, &key_len)) < 0) {
                return p->pos >= p->len || p->s[p->pos] != '"' ? -EINVAL : rc;
            }
            json_ws(p);
            if (p->pos >= p->len || p->s[p->pos++] != ':') {
                return -EINVAL;
            }
        }
        if ((rc = json_value(p, depth + 1, &child)) < 0) {
            return rc;
        }
        p->j->nodes[child].key = key;
        p->j->nodes[child].key_len = key_len;
        json_link(p->j, self, &last, child);
        json_ws(p);
        if (p->pos >= p->len) {
            return -EINVAL;
        }
        char c = (char)p->s[p->pos++];
        if (c == close) {
            return 0;
        }
        if (c != ',') {
            return -EINVAL;
        }
        json_ws(p);
    }
}

static int json_value(struct json_parser *p, int depth, uint32_t *out)
{
    if (depth > HE_JSON_MAX_DEPTH) {
        return -E2BIG;
    }
    json_ws(p);
    if (p->pos >= p->len) {
        return -EINVAL;
    }
    unsigned char c = p->s[p->pos];
    enum he_json_type t = c == '{'   ? HE_JSON_OBJECT
                          : c == '[' ? HE_JSON_ARRAY
                          : c == '"' ? HE_JSON_STRING
                          : c == 't' ? HE_JSON_TRUE
                          : c == 'f' ? HE_JSON_FALSE
                          : c == 'n' ? HE_JSON_NULL
                                     : HE_JSON_NUMBER;
    int rc = json_new_node(p, t, out);
    if (rc < 0) {
        return rc;
    }
    switch (t) {
    case HE_JSON_OBJECT:
    case HE_JSON_ARRAY:
        p->pos++;
        return json_container(p, depth, *out, t == HE_JSON_OBJECT);
    case HE_JSON_STRING: {
        uint32_t off, len;
        if ((rc = json_string(p, &off, &len)) == 0) {
            p->j->nodes[*out].text = off;
            p->j->nodes[*out].len = len;
        }
        return rc;
    }
    case HE_JSON_TRUE: return json_literal(p, "true");
    case HE_JSON_FALSE: return json_literal(p, "false");
    case HE_JSON_NULL: return json_literal(p, "null");
    default: return json_number(p, &p->j->nodes[*out]);
    }
}

int he_json_parse(struct he_json *j, const char *text, size_t len)
{
    struct json_parser p = {j, (const unsigned char *)text, len, 0};
    uint32_t root;
    j->n = 0;
    he_buf_reset(&j->text);
    int rc = json_value(&p, 0, &root);
    if (rc == 0) {
        json_ws(&p);
        rc = p.pos == p.len ? 0 : -EINVAL;   /* one value only */
    }
    if (rc < 0) {
        j->n = 0;
    }
    return rc;
}

bool he_json_key_is(const struct he_json *j, const struct he_json_node *m, const char *name)
{
    size_t n = strlen(name);
    return m->key_len == n && strncasecmp(j->text.data + m->key, name, n) == 0 &&
           memchr(j->text.data + m->key, '\0', n) == NULL;
}

int he_json_int64(const struct he_json *j, const struct he_json_node *n, int64_t *out)
{
    if (n->type != HE_JSON_NUMBER) {
        return -EINVAL;
    }
    const char *s = he_json_text(j, n);
    size_t i = 0, len = n->len;
    bool neg = len > 0 && s[0] == '-';
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    i = neg;
    if (i == len) {
        return -EINVAL;
    }
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -EINVAL;   /* a fraction or exponent: Go refuses it for an int */
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10) {
            return -EINVAL;
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int he_json_uint(const struct he_json *j, const struct he_json_node *n, unsigned bits,
                 uint64_t *out)
{
    if (n->type != HE_JSON_NUMBER || bits == 0 || bits > 64 || n->len == 0) {
        return -EINVAL;
    }
    const char *s = he_json_text(j, n);
    uint64_t v = 0, max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    for (size_t i = 0; i < n->len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -EINVAL;   /* "-0", "1.0", "1e3": ParseUint refuses them all */
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (v > max / 10 || d > max - v * 10) {
            return -EINVAL;   /* (max - d) / 10 would wrap for max < 9 */
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
