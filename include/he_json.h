/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small strict JSON reader (RFC 8259, as Go's encoding/json accepts it) for
 * test fixtures users record, such as the wifi collector's
 * --collector.wifi.fixtures files and the qdisc collector's
 * --collector.qdisc.fixtures results.json. Input is untrusted: every byte is
 * checked, nesting is bounded, and a syntax error is -EINVAL, never a read past
 * the end.
 *
 * The whole text is parsed into a tree of nodes kept in reusable arrays (they
 * grow to a high-water mark, so parsing the same files again allocates nothing).
 * Strings are decoded as Go decodes them: escapes resolved, a lone surrogate or
 * an invalid UTF-8 byte becomes U+FFFD.
 */
#ifndef HE_JSON_H
#define HE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "he_buf.h"

enum he_json_type {
    HE_JSON_NULL,
    HE_JSON_FALSE,
    HE_JSON_TRUE,
    HE_JSON_NUMBER,
    HE_JSON_STRING,
    HE_JSON_ARRAY,
    HE_JSON_OBJECT,
};

/* No node: the end of a list of children. */
#define HE_JSON_NONE UINT32_MAX

struct he_json_node {
    enum he_json_type type;
    uint32_t key, key_len;   /* object members: the decoded key in he_json.text */
    uint32_t text, len;      /* strings: decoded bytes; numbers: their literal */
    uint32_t child;          /* arrays and objects: first element */
    uint32_t next;           /* next element of the parent */
};

struct he_json {
    struct he_json_node *nodes;   /* node 0 is the root after a successful parse */
    size_t n, cap;
    struct he_buf text;           /* decoded keys, strings and number literals */
};

/* Deepest nesting accepted (Go accepts 10000; fixtures nest three levels). */
#define HE_JSON_MAX_DEPTH 512

void he_json_init(struct he_json *j);
void he_json_fini(struct he_json *j);

/*
 * Parses len bytes of text (one value, white space around it allowed). Returns 0,
 * -EINVAL for anything that is not exactly one JSON value, -E2BIG past
 * HE_JSON_MAX_DEPTH, or -ENOMEM.
 */
int he_json_parse(struct he_json *j, const char *text, size_t len);

static inline const struct he_json_node *he_json_node(const struct he_json *j, uint32_t i)
{
    return i == HE_JSON_NONE ? NULL : &j->nodes[i];
}

/*
 * The decoded bytes of a string (or the literal of a number): len bytes, then a
 * NUL, so also a C string (cut short if the string holds "\u0000").
 */
static inline const char *he_json_text(const struct he_json *j, const struct he_json_node *n)
{
    return j->text.data + n->text;
}

/* True when member m's key equals name ignoring ASCII case (Go's field matching). */
bool he_json_key_is(const struct he_json *j, const struct he_json_node *m, const char *name);

/*
 * A number as Go decodes it into an int (int64): an integer literal (no fraction
 * or exponent) in range. 0 or -EINVAL (also for any other type).
 */
int he_json_int64(const struct he_json *j, const struct he_json_node *n, int64_t *out);

/*
 * A number as Go decodes it into a uintN (bits 1 to 64: uint8 ... uint64): an
 * integer literal with no sign, fraction or exponent, at most 2^bits - 1 (Go's
 * strconv.ParseUint then reflect's OverflowUint). 0, or -EINVAL for anything
 * else, any other type included (Go's UnmarshalTypeError for all of them).
 */
int he_json_uint(const struct he_json *j, const struct he_json_node *n, unsigned bits,
                 uint64_t *out);

#endif
