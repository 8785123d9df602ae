/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the strict JSON reader (src/json.c): the RFC 8259 grammar as
 * Go's encoding/json accepts it, Go's string decoding (escapes, surrogates,
 * U+FFFD for broken UTF-8), integers as Go decodes them into an int or a
 * uintN, case-insensitive key matching, the
 * nesting bound, reuse of the node arrays, and random garbage.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_json.h"

static struct he_json j;

static void setup(void)
{
    he_json_init(&j);
}

static void teardown(void)
{
    he_json_fini(&j);
}

static int parse(const char *s)
{
    return he_json_parse(&j, s, strlen(s));
}

START_TEST(test_json_accepts_valid_documents)
{
    static const char *ok[] = {
        "[]", "{}", " \t\r\n[ ] ", "null", "true", "false", "0", "-0", "-12.5e+3", "1E9",
        "\"\"", "[1,[2,[3,{}]]]", "{\"a\":{\"b\":[null,true,false,\"x\"]}}", "{\"a\":1,\"a\":2}",
        "\"\\u00e9\\/\\b\\f\\n\\r\\t\\\\\\\"\"",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ck_assert_msg(parse(ok[i]) == 0, "refused %s", ok[i]);
    }
}
END_TEST

START_TEST(test_json_refuses_what_go_refuses)
{
    static const char *bad[] = {
        "", " ", "[", "]", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "01",
        "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "[] []",
        "\"\x01\"", "{\"a\":1}}", "NaN", "[1 2]", "\xef\xbb\xbf[]", "'a'",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(parse(bad[i]) == -EINVAL, "accepted %s", bad[i]);
        ck_assert_uint_eq(j.n, 0);
    }
}
END_TEST

START_TEST(test_json_tree_keeps_order_keys_and_literals)
{
    ck_assert_int_eq(parse("{\"Name\":\"wlan0\",\"type\":2,\"list\":[1,-3]}"), 0);
    const struct he_json_node *root = he_json_node(&j, 0);
    ck_assert_int_eq(root->type, HE_JSON_OBJECT);
    const struct he_json_node *m = he_json_node(&j, root->child);
    ck_assert(he_json_key_is(&j, m, "name"));
    ck_assert(he_json_key_is(&j, m, "NAME"));
    ck_assert(!he_json_key_is(&j, m, "nam"));
    ck_assert_str_eq(he_json_text(&j, m), "wlan0");
    m = he_json_node(&j, m->next);
    ck_assert_int_eq(m->type, HE_JSON_NUMBER);
    ck_assert_str_eq(he_json_text(&j, m), "2");
    m = he_json_node(&j, m->next);
    ck_assert_int_eq(m->type, HE_JSON_ARRAY);
    const struct he_json_node *e = he_json_node(&j, m->child);
    ck_assert_str_eq(he_json_text(&j, e), "1");
    e = he_json_node(&j, e->next);
    ck_assert_str_eq(he_json_text(&j, e), "-3");
    ck_assert_ptr_null(he_json_node(&j, e->next));
    ck_assert_ptr_null(he_json_node(&j, m->next));
}
END_TEST

START_TEST(test_json_strings_decode_as_go_does)
{
    /* a pair makes one rune; a lone surrogate and a bad UTF-8 byte become U+FFFD */
    ck_assert_int_eq(parse("\"\\ud83d\\ude00|\\ud800x|\\udc00|\xff|\xc3\xa9|\xed\xa0\x80\""), 0);
    ck_assert_str_eq(he_json_text(&j, he_json_node(&j, 0)),
                     "\xf0\x9f\x98\x80|\xef\xbf\xbdx|\xef\xbf\xbd|\xef\xbf\xbd|\xc3\xa9|"
                     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    ck_assert_int_eq(parse("\"a\\u0000b\""), 0);
    ck_assert_uint_eq(he_json_node(&j, 0)->len, 3);   /* the NUL is kept, the C string cut */
    ck_assert_str_eq(he_json_text(&j, he_json_node(&j, 0)), "a");
}
END_TEST

START_TEST(test_json_int64_takes_integer_literals_in_range_only)
{
    int64_t v;
    ck_assert_int_eq(parse("[9223372036854775807,-9223372036854775808,9223372036854775808,"
                           "1.0,1e3,-0,\"5\",null]"),
                     0);
    const struct he_json_node *e = he_json_node(&j, he_json_node(&j, 0)->child);
    ck_assert_int_eq(he_json_int64(&j, e, &v), 0);
    ck_assert(v == INT64_MAX);
    e = he_json_node(&j, e->next);
    ck_assert_int_eq(he_json_int64(&j, e, &v), 0);
    ck_assert(v == INT64_MIN);
    for (int i = 0; i < 3; i++) {
        e = he_json_node(&j, e->next);
        ck_assert_int_eq(he_json_int64(&j, e, &v), -EINVAL);
    }
    e = he_json_node(&j, e->next);
    ck_assert_int_eq(he_json_int64(&j, e, &v), 0);
    ck_assert(v == 0);
    e = he_json_node(&j, e->next);
    ck_assert_int_eq(he_json_int64(&j, e, &v), -EINVAL);
    e = he_json_node(&j, e->next);
    ck_assert_int_eq(he_json_int64(&j, e, &v), -EINVAL);
}
END_TEST

/* Go's ParseUint(s, 10, 64) then OverflowUint: what qdisc's uint32 and uint64 fields take. */
START_TEST(test_json_uint_takes_unsigned_literals_that_fit_bits)
{
    static const struct {
        const char *lit;
        unsigned bits;
        int rc;
        uint64_t v;
    } cases[] = {
        {"0", 32, 0, 0},
        {"4294967295", 32, 0, UINT32_MAX},
        {"4294967296", 32, -EINVAL, 0},
        {"18446744073709551615", 64, 0, UINT64_MAX},
        {"18446744073709551616", 64, -EINVAL, 0},
        {"99999999999999999999999", 64, -EINVAL, 0},
        {"255", 8, 0, 255},
        {"256", 8, -EINVAL, 0},
        {"1", 1, 0, 1},
        {"2", 1, -EINVAL, 0},
        {"-1", 64, -EINVAL, 0},
        {"-0", 64, -EINVAL, 0},
        {"1.0", 64, -EINVAL, 0},
        {"1e3", 64, -EINVAL, 0},
        {"1E+0", 64, -EINVAL, 0},
        {"1", 0, -EINVAL, 0},
        {"1", 65, -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t v = 42;
        ck_assert_int_eq(parse(cases[i].lit), 0);
        int rc = he_json_uint(&j, he_json_node(&j, 0), cases[i].bits, &v);
        ck_assert_msg(rc == cases[i].rc, "%s as %u bits: %d", cases[i].lit, cases[i].bits, rc);
        ck_assert_msg(v == (rc == 0 ? cases[i].v : 42), "%s: value %llu", cases[i].lit,
                      (unsigned long long)v);
    }
}
END_TEST

START_TEST(test_json_uint_refuses_other_types)
{
    static const char *other[] = {"\"5\"", "null", "true", "false", "[1]", "{\"a\":1}"};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        uint64_t v = 42;
        ck_assert_int_eq(parse(other[i]), 0);
        ck_assert_int_eq(he_json_uint(&j, he_json_node(&j, 0), 64, &v), -EINVAL);
        ck_assert(v == 42);
    }
}
END_TEST

/* Go matches a key to a field by the whole key: a NUL inside it is no end of string. */
START_TEST(test_json_key_is_ignores_ascii_case_only_over_the_whole_key)
{
    ck_assert_int_eq(parse("{\"bYTES\":1,\"Bytes\\u0000x\":2,\"\\u0042ytes\":3,"
                           "\"Byte\\u017f\":4,\"Bytess\":5}"),
                     0);
    const struct he_json_node *m = he_json_node(&j, he_json_node(&j, 0)->child);
    ck_assert(he_json_key_is(&j, m, "Bytes"));
    m = he_json_node(&j, m->next);
    ck_assert(!he_json_key_is(&j, m, "Bytes"));
    m = he_json_node(&j, m->next);
    ck_assert(he_json_key_is(&j, m, "bytes"));   /* escapes are decoded first */
    m = he_json_node(&j, m->next);
    ck_assert(!he_json_key_is(&j, m, "Bytes"));   /* U+017F is not ASCII */
    m = he_json_node(&j, m->next);
    ck_assert(!he_json_key_is(&j, m, "Bytes"));
}
END_TEST

START_TEST(test_json_nesting_is_bounded)
{
    size_t deep = HE_JSON_MAX_DEPTH + 2;
    char *s = malloc(2 * deep + 1);
    ck_assert_ptr_nonnull(s);   /* also keeps GCC's -Warray-bounds quiet under sanitizers */
    memset(s, '[', deep);
    memset(s + deep, ']', deep);
    s[2 * deep] = '\0';
    ck_assert_int_eq(parse(s), -E2BIG);
    s[HE_JSON_MAX_DEPTH] = '\0';
    memset(s, '[', HE_JSON_MAX_DEPTH / 2);
    memset(s + HE_JSON_MAX_DEPTH / 2, ']', HE_JSON_MAX_DEPTH / 2);
    ck_assert_int_eq(parse(s), 0);
    free(s);
}
END_TEST

START_TEST(test_json_reuses_storage_across_parses)
{
    ck_assert_int_eq(parse("[1,2,3,4,5,6,7,8,9,10,{\"a\":\"bbbbbbbbbbbbbbbb\"}]"), 0);
    struct he_json_node *nodes = j.nodes;
    size_t cap = j.cap;
    ck_assert_int_eq(parse("[10,9,8,7,6,5,4,3,2,1,{\"b\":\"aaaaaaaaaaaaaaaa\"}]"), 0);
    ck_assert_ptr_eq(j.nodes, nodes);
    ck_assert_uint_eq(j.cap, cap);
}
END_TEST

START_TEST(test_json_survives_garbage)
{
    static const char alphabet[] = "[]{}\",:\\u0123456789abcdefnulltruefalse-+.eE \n\x80\xff";
    char buf[64];
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % (int)sizeof(buf));
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        int rc = he_json_parse(&j, buf, n);
        ck_assert(rc == 0 || rc == -EINVAL || rc == -E2BIG);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_json_accepts_valid_documents);
    tcase_add_test(tc, test_json_refuses_what_go_refuses);
    tcase_add_test(tc, test_json_tree_keeps_order_keys_and_literals);
    tcase_add_test(tc, test_json_strings_decode_as_go_does);
    tcase_add_test(tc, test_json_int64_takes_integer_literals_in_range_only);
    tcase_add_test(tc, test_json_uint_takes_unsigned_literals_that_fit_bits);
    tcase_add_test(tc, test_json_uint_refuses_other_types);
    tcase_add_test(tc, test_json_key_is_ignores_ascii_case_only_over_the_whole_key);
    tcase_add_test(tc, test_json_nesting_is_bounded);
    tcase_add_test(tc, test_json_reuses_storage_across_parses);
    tcase_add_test(tc, test_json_survives_garbage);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
