/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the JSON reader of he_json.h (fixture files users
 * record, untrusted). The input is one document, copied to an exact-size
 * buffer so ASan sees reads past its end. After a successful parse the whole
 * tree is walked from the root: every link must name a node, every string and
 * key must lie in the decoded text with its NUL after it, and he_json_int64()
 * must agree with strtoll() on integer literals. The same reader then parses a
 * prefix and the input again (the reused arrays must give the same tree).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_json.h"

static volatile size_t sink;

static struct he_json json;
static int initialised;

static void check_text(const struct he_json *j, uint32_t off, uint32_t len)
{
    if ((size_t)off + len >= j->text.len + 1 || j->text.data[off + len] != '\0') {
        abort();
    }
    for (uint32_t i = 0; i < len; i++) {
        sink += (unsigned char)j->text.data[off + i];
    }
}

/* True when s (n bytes) is an integer literal: an optional '-', then digits only. */
static int integer_literal(const char *s, size_t n)
{
    size_t i = n > 0 && s[0] == '-';
    if (i == n) {
        return 0;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

static void check_number(const struct he_json *j, const struct he_json_node *n)
{
    int64_t v;
    int rc = he_json_int64(j, n, &v);
    const char *s = he_json_text(j, n);
    if (!integer_literal(s, n->len)) {
        if (rc == 0) {
            abort();   /* a fraction or exponent is not an int */
        }
        return;
    }
    errno = 0;
    char *end;
    long long want = strtoll(s, &end, 10);
    if (end != s + n->len) {
        abort();
    }
    if (errno == ERANGE ? rc == 0 : rc != 0 || v != want) {
        abort();
    }
}

/* Walks the tree iteratively (nesting reaches HE_JSON_MAX_DEPTH); returns the nodes seen. */
static size_t walk(const struct he_json *j)
{
    size_t seen = 0;
    uint32_t stack[HE_JSON_MAX_DEPTH + 2];
    size_t depth = 0;
    stack[depth++] = 0;
    while (depth > 0) {
        uint32_t i = stack[--depth];
        for (; i != HE_JSON_NONE; i = j->nodes[i].next) {
            if (i >= j->n || ++seen > j->n) {
                abort();   /* a link out of the tree, or a cycle */
            }
            const struct he_json_node *n = he_json_node(j, i);
            switch (n->type) {
            case HE_JSON_NULL:
            case HE_JSON_FALSE:
            case HE_JSON_TRUE:
                break;
            case HE_JSON_NUMBER:
                check_text(j, n->text, n->len);
                check_number(j, n);
                break;
            case HE_JSON_STRING: {
                int64_t v;
                check_text(j, n->text, n->len);
                if (he_json_int64(j, n, &v) == 0) {
                    abort();   /* only numbers convert */
                }
                break;
            }
            case HE_JSON_ARRAY:
            case HE_JSON_OBJECT:
                if (n->child != HE_JSON_NONE) {
                    if (depth >= sizeof(stack) / sizeof(stack[0])) {
                        abort();   /* deeper than HE_JSON_MAX_DEPTH */
                    }
                    stack[depth++] = n->child;
                }
                if (n->type == HE_JSON_OBJECT) {
                    for (uint32_t m = n->child; m != HE_JSON_NONE && m < j->n;
                         m = j->nodes[m].next) {
                        const struct he_json_node *mn = he_json_node(j, m);
                        check_text(j, mn->key, mn->key_len);
                        sink += he_json_key_is(j, mn, "Bytes");
                        sink += he_json_key_is(j, mn, "ifacename");
                        sink += he_json_key_is(j, mn, "");
                    }
                }
                break;
            default:
                abort();
            }
        }
    }
    return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!initialised) {
        he_json_init(&json);
        initialised = 1;
    }
    char *text = malloc(size ? size : 1);
    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    int rc = he_json_parse(&json, text, size);
    if (rc == 0) {
        size_t n = json.n;
        if (n == 0 || walk(&json) != n) {
            abort();   /* every node is reachable from the root */
        }
        /* the reused arrays: a prefix, then the whole input again */
        he_json_parse(&json, text, size / 2);
        if (he_json_parse(&json, text, size) != 0 || json.n != n || walk(&json) != n) {
            abort();
        }
    } else if (rc != -EINVAL && rc != -E2BIG && rc != -ENOMEM) {
        abort();
    }
    free(text);
    return 0;
}
