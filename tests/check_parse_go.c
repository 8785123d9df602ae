/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/parse_go.c: signed integers read as Go's strconv.ParseInt
 * does with base 10 (slabinfo, swaps) and base 0 (sysctl values), including the
 * inputs Go refuses, which must be errors here too; readUintFromFile's trimmed
 * unsigned values; and strings.Fields.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_parse_go.h"

static struct he_field fs(const char *s)
{
    return (struct he_field){s, strlen(s)};
}

static int64_t dec(const char *s)
{
    int64_t v = 0;
    ck_assert_msg(he_parse_i64(fs(s), &v) == 0, "\"%s\" refused", s);
    return v;
}

static int64_t any(const char *s)
{
    int64_t v = 0;
    ck_assert_msg(he_parse_i64_base0(fs(s), &v) == 0, "\"%s\" refused", s);
    return v;
}

START_TEST(test_parse_i64_reads_signed_decimal)
{
    ck_assert_int_eq(dec("0"), 0);
    ck_assert_int_eq(dec("42"), 42);
    ck_assert_int_eq(dec("-2"), -2);
    ck_assert_int_eq(dec("+7"), 7);
    ck_assert_int_eq(dec("007"), 7);
    ck_assert_int_eq(dec("9223372036854775807"), INT64_MAX);
    ck_assert_int_eq(dec("-9223372036854775808"), INT64_MIN);
}
END_TEST

START_TEST(test_parse_i64_refuses_what_go_refuses)
{
    static const char *bad[] = {"", "-", "+", " 1", "1 ", "1_000", "0x10", "1.0", "--1", "1e3"};
    int64_t v;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_parse_i64(fs(bad[i]), &v) == -EINVAL, "\"%s\" accepted", bad[i]);
    }
    ck_assert_int_eq(he_parse_i64(fs("9223372036854775808"), &v), -ERANGE);
    ck_assert_int_eq(he_parse_i64(fs("-9223372036854775809"), &v), -ERANGE);
    ck_assert_int_eq(he_parse_i64(fs("99999999999999999999999"), &v), -ERANGE);
}
END_TEST

START_TEST(test_parse_i64_base0_follows_the_prefix)
{
    ck_assert_int_eq(any("0"), 0);
    ck_assert_int_eq(any("10"), 10);
    ck_assert_int_eq(any("010"), 8);
    ck_assert_int_eq(any("0x1f"), 31);
    ck_assert_int_eq(any("0X1F"), 31);
    ck_assert_int_eq(any("0o17"), 15);
    ck_assert_int_eq(any("0b101"), 5);
    ck_assert_int_eq(any("-0x10"), -16);
    ck_assert_int_eq(any("1_000"), 1000);
    ck_assert_int_eq(any("0x_1f"), 31);
    ck_assert_int_eq(any("0_7"), 7);
}
END_TEST

START_TEST(test_parse_i64_base0_refuses_bad_literals)
{
    static const char *bad[] = {"",  "0x",  "08",    "0b2", "1__0", "_1",
                                "1_", "0x_", "0o8",  "abc", "1 2",  "0x1g"};
    int64_t v;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_parse_i64_base0(fs(bad[i]), &v) == -EINVAL, "\"%s\" accepted", bad[i]);
    }
    ck_assert_int_eq(he_parse_i64_base0(fs("0x8000000000000000"), &v), -ERANGE);
}
END_TEST

START_TEST(test_parse_u64_trimmed_trims_both_sides_like_go)
{
    uint64_t v = 0;
    ck_assert_int_eq(he_parse_u64_trimmed(fs(" \t42\r\n"), &v), 0);
    ck_assert_uint_eq(v, 42);
    ck_assert_int_eq(he_parse_u64_trimmed(fs("18446744073709551615\n"), &v), 0);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(he_parse_u64_trimmed(fs(" \n"), &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_trimmed(fs("+1"), &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_trimmed(fs("1 2"), &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_trimmed(fs("18446744073709551616"), &v), -ERANGE);
}
END_TEST

START_TEST(test_go_fields_splits_at_all_ascii_whitespace)
{
    static const char text[] = "  a\tbb\v\fc\r\n d  ";
    struct he_field f[3];
    ck_assert_uint_eq(he_go_fields(fs(text), f, 3), 4);
    ck_assert(f[0].len == 1 && f[0].p[0] == 'a');
    ck_assert(f[1].len == 2 && memcmp(f[1].p, "bb", 2) == 0);
    ck_assert(f[2].len == 1 && f[2].p[0] == 'c');
    ck_assert_uint_eq(he_go_fields(fs(""), f, 3), 0);
    ck_assert_uint_eq(he_go_fields(fs(" \n\t"), f, 3), 0);
}
END_TEST

START_TEST(test_go_fields_and_trim_take_unicode_spaces_like_go)
{
    struct he_field f[4];
    /* U+00A0 and U+3000 separate fields; an invalid byte and U+00E9 do not. */
    ck_assert_uint_eq(he_go_fields(fs("a\xc2\xa0" "b\xe3\x80\x80" "c\xff\xc3\xa9"), f, 4), 3);
    ck_assert_uint_eq(f[2].len, 4);
    struct he_field t = he_go_trim_space(fs("\xe2\x80\x83 x y\xc2\x85\n"));
    ck_assert_uint_eq(t.len, 3);
    ck_assert(memcmp(t.p, "x y", 3) == 0);
    /* A lone continuation byte at the end is not half a space. */
    t = he_go_trim_space(fs("x\xa0"));
    ck_assert_uint_eq(t.len, 2);
}
END_TEST

START_TEST(test_parse_u64_base0_and_underscores_like_go)
{
    uint64_t v = 0;
    ck_assert_int_eq(he_parse_u64_base0(fs("0x1f"), &v), 0);
    ck_assert_uint_eq(v, 31);
    ck_assert_int_eq(he_parse_u64_base0(fs("017"), &v), 0);
    ck_assert_uint_eq(v, 15);
    ck_assert_int_eq(he_parse_u64_base0(fs("1_000"), &v), 0);
    ck_assert_uint_eq(v, 1000);
    ck_assert_int_eq(he_parse_u64_base0(fs("-1"), &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_base0(fs("1__0"), &v), -EINVAL);
    ck_assert(he_go_underscores_ok("-0x_1f", 6));
    ck_assert(!he_go_underscores_ok("+_1", 3));
    ck_assert(!he_go_underscores_ok("1_", 2));
}
END_TEST

START_TEST(test_parse_u64_hex_reads_hex_up_to_a_maximum)
{
    uint64_t v = 0;
    ck_assert_int_eq(he_parse_u64_hex(fs("00ff"), UINT64_MAX, &v), 0);
    ck_assert_uint_eq(v, 255);
    ck_assert_int_eq(he_parse_u64_hex(fs("FFFFFFFFFFFFFFFF"), UINT64_MAX, &v), 0);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(he_parse_u64_hex(fs("10000000000000000"), UINT64_MAX, &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_hex(fs("ffffffff"), UINT32_MAX, &v), 0);
    ck_assert_int_eq(he_parse_u64_hex(fs("100000000"), UINT32_MAX, &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_hex(fs(""), UINT64_MAX, &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_hex(fs("0x1"), UINT64_MAX, &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_hex(fs("1_0"), UINT64_MAX, &v), -EINVAL);
    ck_assert_int_eq(he_parse_u64_hex(fs("g"), UINT64_MAX, &v), -EINVAL);
    ck_assert_int_eq(he_hex_digit('B'), 11);
    ck_assert_int_eq(he_hex_digit('G'), -1);
}
END_TEST

START_TEST(test_go_ip_string_matches_go_net_ip)
{
    char out[64];
    he_go_ip_string((const uint8_t[]){192, 168, 0, 1}, 4, out, sizeof(out));
    ck_assert_str_eq(out, "192.168.0.1");
    he_go_ip_string((const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2}, 16,
                    out, sizeof(out));
    ck_assert_str_eq(out, "10.0.0.2");
    he_go_ip_string((const uint8_t[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 16, out,
                    sizeof(out));
    ck_assert_str_eq(out, "fe80::1");
    he_go_ip_string((const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, 16,
                    out, sizeof(out));
    ck_assert_str_eq(out, "2001:db8:0:1::1"); /* a lone zero group stays */
    he_go_ip_string((const uint8_t[16]){0}, 16, out, sizeof(out));
    ck_assert_str_eq(out, "::");
}
END_TEST

static const char *clean(const char *in)
{
    static char out[64];
    he_go_clean_metric_name(in, strlen(in), out, sizeof(out));
    return out;
}

START_TEST(test_clean_metric_name_matches_node_exporter)
{
    ck_assert_str_eq(clean("Package id 0"), "package_id_0");
    ck_assert_str_eq(clean("__a-b.c__"), "a_b_c");
    ck_assert_str_eq(clean("nct6779:fan"), "nct6779:fan");
    /* U+212A KELVIN SIGN lowers to k; other non-ASCII runes are one '_' each */
    ck_assert_str_eq(clean("\xe2\x84\xaa" "elvin"), "kelvin");
    ck_assert_str_eq(clean("a\xc3\xa9z"), "a_z");
    /* invalid UTF-8 is one '_' per byte, trimmed at the ends */
    ck_assert_str_eq(clean("a\xff\xfe" "b"), "a__b");
    ck_assert_str_eq(clean("\xed\xa0\x80x"), "x");
    ck_assert_str_eq(clean("___"), "");
    char small[4];
    he_go_clean_metric_name("abcdef", 6, small, sizeof(small));
    ck_assert_str_eq(small, "abc");
}
END_TEST

START_TEST(test_rune_len_takes_invalid_bytes_one_at_a_time)
{
    ck_assert_uint_eq(he_go_rune_len((const unsigned char *)"a", 1), 1);
    ck_assert_uint_eq(he_go_rune_len((const unsigned char *)"\xc3\xa9", 2), 2);
    ck_assert_uint_eq(he_go_rune_len((const unsigned char *)"\xc3\xa9", 1), 1);
    ck_assert_uint_eq(he_go_rune_len((const unsigned char *)"\xe0\x80\x80", 3), 1);
    ck_assert_uint_eq(he_go_rune_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    ck_assert_uint_eq(he_go_rune_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parse_go");
    TCase *tc = tcase_create("parse_go");
    tcase_add_test(tc, test_parse_i64_reads_signed_decimal);
    tcase_add_test(tc, test_parse_i64_refuses_what_go_refuses);
    tcase_add_test(tc, test_parse_i64_base0_follows_the_prefix);
    tcase_add_test(tc, test_parse_i64_base0_refuses_bad_literals);
    tcase_add_test(tc, test_parse_u64_trimmed_trims_both_sides_like_go);
    tcase_add_test(tc, test_go_fields_splits_at_all_ascii_whitespace);
    tcase_add_test(tc, test_go_fields_and_trim_take_unicode_spaces_like_go);
    tcase_add_test(tc, test_parse_u64_base0_and_underscores_like_go);
    tcase_add_test(tc, test_parse_u64_hex_reads_hex_up_to_a_maximum);
    tcase_add_test(tc, test_go_ip_string_matches_go_net_ip);
    tcase_add_test(tc, test_clean_metric_name_matches_node_exporter);
    tcase_add_test(tc, test_rune_len_takes_invalid_bytes_one_at_a_time);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
