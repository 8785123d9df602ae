/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the shared parsers and I/O helpers every collector goes through:
 * src/parse.c (lines, fields, numbers, "Key: value [unit]" lines), src/paths.c
 * (joining under --path.* roots), src/buf.c (capped reusable buffers) and
 * src/file.c (whole-file reads, kept descriptors). Each is fed normal, truncated,
 * empty, garbage and oversized input: /proc text is untrusted, and a bad file must
 * give an error, never a crash, a truncated path or a partial number. File tests
 * write into a temporary directory made once per test case.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "he_buf.h"
#include "he_fieldvec.h"
#include "he_file.h"
#include "he_parse.h"
#include "he_paths.h"

/* A field over a C string (without its NUL). */
static struct he_field fs(const char *s)
{
    return (struct he_field){s, strlen(s)};
}

#define ck_assert_field_eq(f, s)                                                                   \
    do {                                                                                           \
        struct he_field f_ = (f);                                                                  \
        ck_assert_msg(he_field_eq(f_, s), "field \"%.*s\" != \"%s\"", (int)f_.len, f_.p, s);       \
    } while (0)

/* ---- lines ---- */

START_TEST(test_lines_yields_last_line_without_newline)
{
    static const char text[] = "a b\ncd";
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, text, strlen(text));
    ck_assert(he_lines_next(&it, &line));
    ck_assert_field_eq(line, "a b");
    ck_assert(he_lines_next(&it, &line));
    ck_assert_field_eq(line, "cd");
    ck_assert(!he_lines_next(&it, &line));
    ck_assert(!he_lines_next(&it, &line));
}
END_TEST

START_TEST(test_lines_does_not_yield_empty_line_after_final_newline)
{
    static const char text[] = "a\n";
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, text, strlen(text));
    ck_assert(he_lines_next(&it, &line));
    ck_assert_field_eq(line, "a");
    ck_assert(!he_lines_next(&it, &line));
}
END_TEST

START_TEST(test_lines_yields_nothing_for_empty_text)
{
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, "", 0);
    ck_assert(!he_lines_next(&it, &line));
}
END_TEST

START_TEST(test_lines_yields_empty_lines_for_bare_newlines)
{
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, "\n\n", 2);
    ck_assert(he_lines_next(&it, &line));
    ck_assert_uint_eq(line.len, 0);
    ck_assert(he_lines_next(&it, &line));
    ck_assert_uint_eq(line.len, 0);
    ck_assert(!he_lines_next(&it, &line));
}
END_TEST

/* Only '\n' ends a line; the '\r' of CRLF stays and he_split_fields() skips it. */
START_TEST(test_lines_keeps_carriage_return_of_crlf)
{
    static const char text[] = "cpu 1\r\n\r\n";
    struct he_lines it;
    struct he_field line;
    struct he_field f[4];
    he_lines_init(&it, text, strlen(text));
    ck_assert(he_lines_next(&it, &line));
    ck_assert_field_eq(line, "cpu 1\r");
    ck_assert_uint_eq(he_split_fields(line, f, 4), 2);
    ck_assert_field_eq(f[1], "1");
    ck_assert(he_lines_next(&it, &line));
    ck_assert_field_eq(line, "\r");
    ck_assert_uint_eq(he_split_fields(line, f, 4), 0);
    ck_assert(!he_lines_next(&it, &line));
}
END_TEST

START_TEST(test_lines_stop_at_len_not_at_nul)
{
    static const char text[] = "a\0b\nc\nd";
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, text, 6); /* "a\0b\nc\n": "d" is past len */
    ck_assert(he_lines_next(&it, &line));
    ck_assert_uint_eq(line.len, 3);
    ck_assert_mem_eq(line.p, "a\0b", 3);
    ck_assert(he_lines_next(&it, &line));
    ck_assert_field_eq(line, "c");
    ck_assert(!he_lines_next(&it, &line));
}
END_TEST

START_TEST(test_lines_handles_long_line)
{
    size_t n = 1u << 20;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    memset(text, 'x', n);
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, text, n);
    ck_assert(he_lines_next(&it, &line));
    ck_assert_uint_eq(line.len, n);
    ck_assert(!he_lines_next(&it, &line));
    free(text);
}
END_TEST

/* ---- fields ---- */

START_TEST(test_split_fields_splits_on_runs_of_spaces_and_tabs)
{
    struct he_field f[8];
    ck_assert_uint_eq(he_split_fields(fs("  cpu0\t12  \t 34\t\t5 "), f, 8), 4);
    ck_assert_field_eq(f[0], "cpu0");
    ck_assert_field_eq(f[1], "12");
    ck_assert_field_eq(f[2], "34");
    ck_assert_field_eq(f[3], "5");
}
END_TEST

START_TEST(test_split_fields_returns_full_count_beyond_max)
{
    struct he_field f[3] = {{0}};
    static const char sentinel[] = "untouched";
    f[2] = fs(sentinel);
    ck_assert_uint_eq(he_split_fields(fs("a b c d e"), f, 2), 5);
    ck_assert_field_eq(f[0], "a");
    ck_assert_field_eq(f[1], "b");
    ck_assert_ptr_eq(f[2].p, sentinel);
}
END_TEST

START_TEST(test_split_fields_counts_without_storing_when_max_is_zero)
{
    struct he_field f[1];
    ck_assert_uint_eq(he_split_fields(fs("1 2 3"), f, 0), 3);
}
END_TEST

START_TEST(test_split_fields_finds_none_in_empty_or_blank_line)
{
    struct he_field f[2];
    ck_assert_uint_eq(he_split_fields(fs(""), f, 2), 0);
    ck_assert_uint_eq(he_split_fields(fs(" \t \t"), f, 2), 0);
}
END_TEST

START_TEST(test_split_fields_counts_many_fields_in_long_line)
{
    char line[20001];
    for (size_t i = 0; i < 10000; i++) {
        line[2 * i] = 'x';
        line[2 * i + 1] = ' ';
    }
    line[20000] = '\0';
    struct he_field f[4];
    ck_assert_uint_eq(he_split_fields(fs(line), f, 4), 10000);
    ck_assert_field_eq(f[3], "x");
}
END_TEST

START_TEST(test_field_eq_compares_whole_field)
{
    ck_assert(he_field_eq(fs("MemTotal"), "MemTotal"));
    ck_assert(!he_field_eq(fs("MemTotal"), "Mem"));
    ck_assert(!he_field_eq(fs("Mem"), "MemTotal"));
    ck_assert(!he_field_eq(fs("memtotal"), "MemTotal"));
    ck_assert(he_field_eq((struct he_field){"MemTotal:", 8}, "MemTotal"));
    ck_assert(he_field_eq((struct he_field){"x", 0}, ""));
    ck_assert(!he_field_eq((struct he_field){"x", 0}, "x"));
}
END_TEST

START_TEST(test_field_copy_fits_exactly)
{
    char out[4];
    ck_assert_int_eq(he_field_copy(fs("abc"), out, sizeof(out)), 0);
    ck_assert_str_eq(out, "abc");
    ck_assert_int_eq(he_field_copy(fs(""), out, sizeof(out)), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_field_copy_rejects_too_long_without_writing)
{
    char out[4] = "zzz";
    ck_assert_int_eq(he_field_copy(fs("abcd"), out, sizeof(out)), -ENAMETOOLONG);
    ck_assert_str_eq(out, "zzz");
    ck_assert_int_eq(he_field_copy(fs(""), out, 0), -ENAMETOOLONG);
    ck_assert_str_eq(out, "zzz");
}
END_TEST

/* ---- he_parse_u64 ---- */

START_TEST(test_parse_u64_accepts_zero_and_max)
{
    uint64_t v = 1;
    ck_assert_int_eq(he_parse_u64(fs("0"), &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(he_parse_u64(fs("18446744073709551615"), &v), 0);
    ck_assert(v == UINT64_MAX);
    ck_assert_int_eq(he_parse_u64(fs("007"), &v), 0);
    ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_u64_rejects_overflow)
{
    uint64_t v = 5;
    ck_assert_int_eq(he_parse_u64(fs("18446744073709551616"), &v), -ERANGE);
    ck_assert_int_eq(he_parse_u64(fs("99999999999999999999"), &v), -ERANGE);
    ck_assert_int_eq(he_parse_u64(fs("184467440737095516150"), &v), -ERANGE);
    ck_assert_uint_eq(v, 5);
}
END_TEST

START_TEST(test_parse_u64_rejects_sign_spaces_and_letters)
{
    static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1\n", "abc", "12a", "0x10",
                                      "1.0", "1e3", "１"};
    uint64_t v = 5;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_parse_u64(fs(bad[i]), &v) == -EINVAL, "accepted \"%s\"", bad[i]);
    }
    ck_assert_uint_eq(v, 5);
}
END_TEST

START_TEST(test_parse_u64_stops_at_field_length)
{
    uint64_t v = 0;
    ck_assert_int_eq(he_parse_u64((struct he_field){"12345", 2}, &v), 0);
    ck_assert_uint_eq(v, 12);
    ck_assert_int_eq(he_parse_u64((struct he_field){"1\0002", 3}, &v), -EINVAL);
}
END_TEST

START_TEST(test_parse_u64_rejects_oversized_garbage)
{
    char big[4096];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    uint64_t v = 5;
    ck_assert_int_lt(he_parse_u64(fs(big), &v), 0);
    memset(big, '9', sizeof(big) - 1);
    ck_assert_int_eq(he_parse_u64(fs(big), &v), -ERANGE);
    ck_assert_uint_eq(v, 5);
}
END_TEST

/* ---- he_parse_double ---- */

START_TEST(test_parse_double_accepts_kernel_forms)
{
    double v = 0;
    ck_assert_int_eq(he_parse_double(fs("1.5"), &v), 0);
    ck_assert_double_eq(v, 1.5);
    ck_assert_int_eq(he_parse_double(fs("0.00"), &v), 0);
    ck_assert_double_eq(v, 0.0);
    ck_assert_int_eq(he_parse_double(fs("-2"), &v), 0);
    ck_assert_double_eq(v, -2.0);
    ck_assert_int_eq(he_parse_double(fs("1e3"), &v), 0);
    ck_assert_double_eq(v, 1000.0);
    ck_assert_int_eq(he_parse_double((struct he_field){"0.25 0.5", 4}, &v), 0);
    ck_assert_double_eq(v, 0.25);
}
END_TEST

/* Integers take a path without strtod: the answers must be strtod's, sign of zero included. */
START_TEST(test_parse_double_integers_match_strtod)
{
    static const char *const ints[] = {"0", "-0", "007", "-42", "999999999999999",
                                       "-999999999999999", "9007199254740993",
                                       "18446744073709551615", "+5"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        double v = 7.0;
        ck_assert_int_eq(he_parse_double(fs(ints[i]), &v), 0);
        double want = strtod(ints[i], NULL);
        ck_assert_msg(v == want && signbit(v) == signbit(want), "\"%s\" read as %.17g",
                      ints[i], v);
    }
}
END_TEST

START_TEST(test_parse_double_accepts_inf_and_nan)
{
    double v = 0;
    ck_assert_int_eq(he_parse_double(fs("inf"), &v), 0);
    ck_assert(isinf(v) && v > 0);
    ck_assert_int_eq(he_parse_double(fs("-inf"), &v), 0);
    ck_assert(isinf(v) && v < 0);
    ck_assert_int_eq(he_parse_double(fs("nan"), &v), 0);
    ck_assert(isnan(v));
}
END_TEST

START_TEST(test_parse_double_rejects_empty_spaced_and_suffixed)
{
    static const char *const bad[] = {"", " 1", "\t1", "1 ", "1x", "x", ".", "-", "1.5.2", "e3"};
    double v = 7.0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_parse_double(fs(bad[i]), &v) == -EINVAL, "accepted \"%s\"", bad[i]);
    }
    ck_assert_double_eq(v, 7.0);
}
END_TEST

START_TEST(test_parse_double_rejects_very_long_input)
{
    char big[4096];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    double v = 7.0;
    ck_assert_int_eq(he_parse_double(fs(big), &v), -EINVAL);
    big[10] = 'x';
    ck_assert_int_eq(he_parse_double(fs(big), &v), -EINVAL);
    ck_assert_double_eq(v, 7.0);
}
END_TEST

START_TEST(test_parse_u64_accepts_leading_zeros_as_go)
{
    uint64_t v = 0;
    ck_assert_int_eq(he_parse_u64(fs("000000000000000000000000001"), &v), 0);
    ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(test_parse_double_refuses_what_go_refuses)
{
    double v = 7.0;
    ck_assert_int_eq(he_parse_double(fs("1e999"), &v), -ERANGE);
    ck_assert_int_eq(he_parse_double(fs("0x10"), &v), -EINVAL);
    ck_assert_double_eq(v, 7.0);
    ck_assert_int_eq(he_parse_double(fs("0x1p4"), &v), 0);
    ck_assert_double_eq(v, 16.0);
    ck_assert_int_eq(he_parse_double(fs("1e-400"), &v), 0);
    ck_assert_double_eq(v, 0.0);
}
END_TEST

START_TEST(test_parse_double_accepts_63_byte_number)
{
    char num[64];
    memset(num, '0', 63);
    num[62] = '1';
    num[63] = '\0';
    double v = 7.0;
    ck_assert_int_eq(he_parse_double(fs(num), &v), 0);
    ck_assert_double_eq(v, 1.0);
}
END_TEST

/* A NUL inside the field must not pass for its end. */
START_TEST(test_parse_double_rejects_embedded_nul)
{
    double v = 7.0;
    ck_assert_int_eq(he_parse_double((struct he_field){"1\0x", 3}, &v), -EINVAL);
    ck_assert_double_eq(v, 7.0);
}
END_TEST

/* strtod skips a leading newline; Go's ParseFloat, like us, does not. */
START_TEST(test_parse_double_rejects_leading_newline)
{
    double v = 7.0;
    ck_assert_int_eq(he_parse_double(fs("\n1"), &v), -EINVAL);
    ck_assert_double_eq(v, 7.0);
}
END_TEST

/* ---- he_parse_kv_line ---- */

START_TEST(test_kv_line_parses_value_with_unit)
{
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs("MemTotal:       16303460 kB"), &kv), 0);
    ck_assert_field_eq(kv.key, "MemTotal");
    ck_assert_uint_eq(kv.value, 16303460);
    ck_assert(kv.has_unit);
}
END_TEST

START_TEST(test_kv_line_parses_value_without_unit)
{
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs("HugePages_Total:       0"), &kv), 0);
    ck_assert_field_eq(kv.key, "HugePages_Total");
    ck_assert_uint_eq(kv.value, 0);
    ck_assert(!kv.has_unit);
}
END_TEST

START_TEST(test_kv_line_keeps_parentheses_in_key)
{
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs("Active(anon): 5 kB"), &kv), 0);
    ck_assert_field_eq(kv.key, "Active(anon)");
    ck_assert_uint_eq(kv.value, 5);
    ck_assert(kv.has_unit);
}
END_TEST

START_TEST(test_kv_line_accepts_tabs_and_carriage_return)
{
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs("\tCached:\t42\tkB\r"), &kv), 0);
    ck_assert_field_eq(kv.key, "Cached");
    ck_assert_uint_eq(kv.value, 42);
    ck_assert(kv.has_unit);
}
END_TEST

START_TEST(test_kv_line_returns_enodata_for_empty_line)
{
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs(""), &kv), -ENODATA);
    ck_assert_int_eq(he_parse_kv_line(fs(" \t "), &kv), -ENODATA);
}
END_TEST

START_TEST(test_kv_line_rejects_other_shapes)
{
    static const char *const bad[] = {
        "Foo 12 kB",       "Foo: abc kB", "Foo: 1 kB extra", "Foo:",       "MemTotal:",
        "MemTot",          ": 5 kB",      "Foo:12 kB",       "Foo: -5 kB", "Foo: 1.5 kB",
        "Foo : 5 kB",      "Foo: 18446744073709551616 kB",
    };
    struct he_kv_line kv;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_parse_kv_line(fs(bad[i]), &kv) == -EINVAL, "accepted \"%s\"", bad[i]);
    }
}
END_TEST

START_TEST(test_kv_line_rejects_oversized_value)
{
    char line[8192];
    memset(line, 'k', 4000);
    memcpy(line + 4000, ": ", 2);
    memset(line + 4002, '9', 4000);
    memcpy(line + 8002, " kB", 4);
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs(line), &kv), -EINVAL);
}
END_TEST

START_TEST(test_kv_line_accepts_long_key)
{
    char line[8192];
    memset(line, 'k', 4000);
    memcpy(line + 4000, ": 1 kB", 7);
    struct he_kv_line kv;
    ck_assert_int_eq(he_parse_kv_line(fs(line), &kv), 0);
    ck_assert_uint_eq(kv.key.len, 4000);
    ck_assert_uint_eq(kv.value, 1);
}
END_TEST

/* ---- he_parse_single_u64 ---- */

START_TEST(test_single_u64_trims_whitespace)
{
    uint64_t v = 0;
    ck_assert_int_eq(he_parse_single_u64("42\n", 3, &v), 0);
    ck_assert_uint_eq(v, 42);
    ck_assert_int_eq(he_parse_single_u64("  7  ", 5, &v), 0);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(he_parse_single_u64("\t9\r\n\n", 5, &v), 0);
    ck_assert_uint_eq(v, 9);
    ck_assert_int_eq(he_parse_single_u64("5\n9", 2, &v), 0);
    ck_assert_uint_eq(v, 5);
}
END_TEST

START_TEST(test_single_u64_rejects_empty_and_garbage)
{
    static const char *const bad[] = {"", "\n", "   ", "x", "x\n", "4 2\n", "12\n13\n", "-1\n"};
    uint64_t v = 5;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_parse_single_u64(bad[i], strlen(bad[i]), &v) == -EINVAL,
                      "accepted \"%s\"", bad[i]);
    }
    ck_assert_int_eq(he_parse_single_u64("18446744073709551616\n", 21, &v), -ERANGE);
    ck_assert_uint_eq(v, 5);
}
END_TEST

/* ---- paths ---- */

START_TEST(test_path_join_does_not_double_slash_under_root)
{
    char out[64];
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/", "loadavg"), 0);
    ck_assert_str_eq(out, "/loadavg");
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/", "/loadavg"), 0);
    ck_assert_str_eq(out, "/loadavg");
    ck_assert_int_eq(he_path_join(out, sizeof(out), "///", "//loadavg"), 0);
    ck_assert_str_eq(out, "/loadavg");
}
END_TEST

START_TEST(test_path_join_collapses_root_and_rel_slashes)
{
    char out[64];
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/proc///", "///net/dev"), 0);
    ck_assert_str_eq(out, "/proc/net/dev");
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/proc", "loadavg"), 0);
    ck_assert_str_eq(out, "/proc/loadavg");
    ck_assert_int_eq(he_path_join(out, sizeof(out), "fixtures/proc/", "stat"), 0);
    ck_assert_str_eq(out, "fixtures/proc/stat");
}
END_TEST

START_TEST(test_path_join_empty_rel_yields_root)
{
    char out[64];
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/proc/", ""), 0);
    ck_assert_str_eq(out, "/proc");
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/", "/"), 0);
    ck_assert_str_eq(out, "/");
}
END_TEST

START_TEST(test_path_join_fills_buffer_exactly)
{
    char out[14]; /* "/proc/loadavg" is 13 bytes plus the NUL */
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/proc/", "/loadavg"), 0);
    ck_assert_str_eq(out, "/proc/loadavg");
}
END_TEST

START_TEST(test_path_join_rejects_one_byte_too_long_without_writing)
{
    char out[14];
    memset(out, 'X', sizeof(out));
    ck_assert_int_eq(he_path_join(out, 13, "/proc", "loadavg"), -ENAMETOOLONG);
    ck_assert_int_eq(he_path_join(out, 0, "/proc", "loadavg"), -ENAMETOOLONG);
    ck_assert_int_eq(he_path_join(out, 1, "/", ""), -ENAMETOOLONG);
    for (size_t i = 0; i < sizeof(out); i++) {
        ck_assert_int_eq(out[i], 'X');
    }
}
END_TEST

START_TEST(test_path_join_rejects_oversized_rel)
{
    static char rel[PATH_MAX * 2];
    memset(rel, 'a', sizeof(rel) - 1);
    char out[PATH_MAX];
    ck_assert_int_eq(he_path_join(out, sizeof(out), "/proc", rel), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_path_helpers_use_configured_roots)
{
    char out[PATH_MAX];
    struct he_paths saved = he_paths;
    he_paths.procfs = "/tmp/fixture/proc/";
    ck_assert_int_eq(he_path_proc(out, sizeof(out), "loadavg"), 0);
    ck_assert_str_eq(out, "/tmp/fixture/proc/loadavg");
    he_paths = saved;
    ck_assert_int_eq(he_path_proc(out, sizeof(out), "/meminfo"), 0);
    ck_assert_str_eq(out, "/proc/meminfo");
    ck_assert_int_eq(he_path_sys(out, sizeof(out), "class/hwmon"), 0);
    ck_assert_str_eq(out, "/sys/class/hwmon");
    ck_assert_int_eq(he_path_root(out, sizeof(out), "etc/os-release"), 0);
    ck_assert_str_eq(out, "/etc/os-release");
    ck_assert_int_eq(he_path_udev(out, sizeof(out), "b8:0"), 0);
    ck_assert_str_eq(out, "/run/udev/data/b8:0");
    ck_assert_int_eq(he_path_sys(out, 5, "class"), -ENAMETOOLONG);
}
END_TEST

/* ---- he_buf ---- */

START_TEST(test_buf_appends_bytes_strings_and_chars)
{
    struct he_buf b;
    he_buf_init(&b, 0);
    ck_assert_uint_eq(b.limit, HE_BUF_DEFAULT_LIMIT);
    ck_assert_int_eq(he_buf_append(&b, "ab\0", 3), 0);
    ck_assert_int_eq(he_buf_puts(&b, "cd"), 0);
    ck_assert_int_eq(he_buf_putc(&b, 'e'), 0);
    ck_assert_int_eq(he_buf_append(&b, "ignored", 0), 0);
    ck_assert_int_eq(he_buf_puts(&b, ""), 0);
    ck_assert_uint_eq(b.len, 6);
    ck_assert_mem_eq(b.data, "ab\0cde", 6);
    ck_assert_int_eq(he_buf_terminate(&b), 0);
    ck_assert_uint_eq(b.len, 6);
    ck_assert_int_eq(b.data[6], '\0');
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_grows_across_many_appends)
{
    struct he_buf b;
    he_buf_init(&b, 0);
    for (int i = 0; i < 10000; i++) {
        ck_assert_int_eq(he_buf_putc(&b, (char)('a' + i % 26)), 0);
    }
    ck_assert_uint_eq(b.len, 10000);
    ck_assert_uint_ge(b.cap, 10000);
    for (int i = 0; i < 10000; i++) {
        ck_assert_int_eq(b.data[i], 'a' + i % 26);
    }
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reset_keeps_capacity)
{
    struct he_buf b;
    he_buf_init(&b, 0);
    char chunk[5000];
    memset(chunk, 'q', sizeof(chunk));
    ck_assert_int_eq(he_buf_append(&b, chunk, sizeof(chunk)), 0);
    char *data = b.data;
    size_t cap = b.cap;
    he_buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, cap);
    ck_assert_ptr_eq(b.data, data);
    ck_assert_int_eq(he_buf_append(&b, chunk, sizeof(chunk)), 0);
    ck_assert_ptr_eq(b.data, data);
    ck_assert_uint_eq(b.cap, cap);
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_enforces_limit)
{
    struct he_buf b;
    he_buf_init(&b, 8);
    ck_assert_int_eq(he_buf_append(&b, "12345678", 8), 0);
    ck_assert_uint_le(b.cap, 8);
    ck_assert_int_eq(he_buf_putc(&b, '9'), -EFBIG);
    ck_assert_int_eq(he_buf_puts(&b, "9"), -EFBIG);
    ck_assert_int_eq(he_buf_terminate(&b), -EFBIG);
    ck_assert_uint_eq(b.len, 8);
    ck_assert_mem_eq(b.data, "12345678", 8);
    he_buf_reset(&b);
    ck_assert_int_eq(he_buf_append(&b, "123456789", 9), -EFBIG);
    ck_assert_uint_eq(b.len, 0);
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_caps_growth_at_limit)
{
    struct he_buf b;
    he_buf_init(&b, 5000);
    char chunk[4097];
    memset(chunk, 'q', sizeof(chunk));
    ck_assert_int_eq(he_buf_append(&b, chunk, sizeof(chunk)), 0);
    ck_assert_uint_ge(b.cap, 4097);
    ck_assert_uint_le(b.cap, 5000);
    ck_assert_int_eq(he_buf_append(&b, chunk, 903), 0);
    ck_assert_uint_eq(b.len, 5000);
    ck_assert_int_eq(he_buf_putc(&b, 'x'), -EFBIG);
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_one_byte_limit_holds_one_byte)
{
    struct he_buf b;
    he_buf_init(&b, 1);
    ck_assert_int_eq(he_buf_terminate(&b), 0);
    ck_assert_int_eq(b.data[0], '\0');
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(he_buf_putc(&b, 'x'), 0);
    ck_assert_int_eq(he_buf_putc(&b, 'y'), -EFBIG);
    ck_assert_int_eq(he_buf_terminate(&b), -EFBIG);
    ck_assert_uint_eq(b.len, 1);
    ck_assert_uint_eq(b.cap, 1);
    ck_assert_int_eq(b.data[0], 'x');
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reserve_rejects_huge_sizes)
{
    struct he_buf b;
    he_buf_init(&b, 0);
    ck_assert_int_eq(he_buf_putc(&b, 'x'), 0);
    ck_assert_int_eq(he_buf_reserve(&b, SIZE_MAX), -EFBIG);
    ck_assert_int_eq(he_buf_reserve(&b, HE_BUF_DEFAULT_LIMIT), -EFBIG);
    ck_assert_uint_eq(b.len, 1);
    he_buf_free(&b);
}
END_TEST

START_TEST(test_buf_is_reusable_after_free)
{
    struct he_buf b;
    he_buf_init(&b, 16);
    ck_assert_int_eq(he_buf_puts(&b, "abc"), 0);
    he_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.limit, 16);
    ck_assert_int_eq(he_buf_puts(&b, "de"), 0);
    ck_assert_mem_eq(b.data, "de", 2);
    he_buf_free(&b);
    he_buf_free(&b);
}
END_TEST

/* ---- he_file: each test case gets a fresh temporary directory ---- */

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/check_parse.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void)
{
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Returns tmpdir/name in a static buffer (valid until the next call). */
static const char *tmp_path(const char *name)
{
    static char path[PATH_MAX];
    ck_assert_int_eq(he_path_join(path, sizeof(path), tmpdir, name), 0);
    return path;
}

/* Creates or replaces tmpdir/name with len bytes of data; returns its path. */
static const char *write_file(const char *name, const void *data, size_t len)
{
    const char *path = tmp_path(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
    return path;
}

/* Rewrites an existing file in place (same inode): pwrite at 0, then truncate. */
static void rewrite_in_place(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(data);
    ck_assert_int_eq(pwrite(fd, data, len, 0), (ssize_t)len);
    ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
    ck_assert_int_eq(close(fd), 0);
}

START_TEST(test_file_reads_whole_file)
{
    const char *path = write_file("meminfo", "MemTotal: 1 kB\nMemFree: 2 kB\n", 29);
    struct he_file f;
    he_file_init(&f, false, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, 29);
    ck_assert_str_eq(f.buf.data, "MemTotal: 1 kB\nMemFree: 2 kB\n");
    ck_assert_int_eq(f.fd, -1);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_reads_file_spanning_many_chunks)
{
    size_t n = 3 * 4096 + 123;
    char *data = malloc(n);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < n; i++) {
        data[i] = (char)('0' + i % 10);
    }
    const char *path = write_file("big", data, n);
    struct he_file f;
    he_file_init(&f, false, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, n);
    ck_assert_mem_eq(f.buf.data, data, n);
    ck_assert_int_eq(f.buf.data[n], '\0');
    he_file_fini(&f);
    free(data);
}
END_TEST

START_TEST(test_file_reads_empty_file)
{
    const char *path = write_file("empty", "", 0);
    struct he_file f;
    he_file_init(&f, false, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, 0);
    ck_assert_ptr_nonnull(f.buf.data);
    ck_assert_str_eq(f.buf.data, "");
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_returns_enoent_for_missing_file)
{
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, tmp_path("missing")), -ENOENT);
    ck_assert_uint_eq(f.buf.len, 0);
    ck_assert_int_eq(f.fd, -1);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_returns_error_for_directory)
{
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, tmpdir), -EISDIR);
    ck_assert_uint_eq(f.buf.len, 0);
    ck_assert_int_eq(f.fd, -1);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_rejects_path_longer_than_path_max)
{
    static char path[PATH_MAX + 16];
    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    struct he_file f;
    he_file_init(&f, false, 0);
    ck_assert_int_eq(he_file_read(&f, path), -ENAMETOOLONG);
    ck_assert_uint_eq(f.buf.len, 0);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_rejects_file_larger_than_limit)
{
    char data[100];
    memset(data, 'x', sizeof(data));
    const char *path = write_file("large", data, sizeof(data));
    struct he_file f;
    he_file_init(&f, false, 16);
    ck_assert_int_eq(he_file_read(&f, path), -EFBIG);
    ck_assert_uint_eq(f.buf.len, 0);
    ck_assert_int_eq(f.fd, -1);
    path = write_file("just_over", data, 17);
    ck_assert_int_eq(he_file_read(&f, path), -EFBIG);
    ck_assert_uint_eq(f.buf.len, 0);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_reads_file_of_limit_minus_two_bytes)
{
    const char *path = write_file("fits", "0123456789abcd", 14);
    struct he_file f;
    he_file_init(&f, false, 16);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, 14);
    ck_assert_str_eq(f.buf.data, "0123456789abcd");
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_limit_holds_file_and_nul_exactly)
{
    char fits[PATH_MAX];
    char over[PATH_MAX];
    snprintf(fits, sizeof(fits), "%s", write_file("fits15", "0123456789abcde", 15));
    snprintf(over, sizeof(over), "%s", write_file("over16", "0123456789abcdef", 16));
    struct he_file f;
    he_file_init(&f, false, 16);
    ck_assert_int_eq(he_file_read(&f, fits), 0);
    ck_assert_uint_eq(f.buf.len, 15);
    ck_assert_str_eq(f.buf.data, "0123456789abcde");
    ck_assert_int_eq(he_file_read(&f, over), -EFBIG);
    ck_assert_uint_eq(f.buf.len, 0);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_error_empties_buffer_after_success)
{
    const char *path = write_file("ok", "42\n", 3);
    struct he_file f;
    he_file_init(&f, false, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, 3);
    ck_assert_int_eq(he_file_read(&f, tmp_path("missing")), -ENOENT);
    ck_assert_uint_eq(f.buf.len, 0);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_reads_binary_content_with_nul_bytes)
{
    static const char data[] = "a\0b\0\xff\x01\0c";
    const char *path = write_file("binary", data, sizeof(data) - 1);
    struct he_file f;
    he_file_init(&f, false, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, sizeof(data) - 1);
    ck_assert_mem_eq(f.buf.data, data, sizeof(data) - 1);
    ck_assert_int_eq(f.buf.data[f.buf.len], '\0');
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_keep_open_rereads_file_rewritten_in_place)
{
    const char *path = write_file("stat", "one\n", 4);
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_str_eq(f.buf.data, "one\n");
    int fd = f.fd;
    ck_assert_int_ge(fd, 0);
    rewrite_in_place(path, "two two\n");
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_str_eq(f.buf.data, "two two\n");
    ck_assert_int_eq(f.fd, fd);
    rewrite_in_place(path, "3\n");
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_uint_eq(f.buf.len, 2);
    ck_assert_str_eq(f.buf.data, "3\n");
    ck_assert_int_eq(f.fd, fd);
    he_file_fini(&f);
    ck_assert_int_eq(f.fd, -1);
}
END_TEST

START_TEST(test_file_keep_open_reopens_for_different_path)
{
    char a[PATH_MAX];
    snprintf(a, sizeof(a), "%s", write_file("a", "AAA", 3));
    const char *b = write_file("b", "BB", 2);
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, a), 0);
    ck_assert_str_eq(f.buf.data, "AAA");
    ck_assert_int_eq(he_file_read(&f, b), 0);
    ck_assert_str_eq(f.buf.data, "BB");
    ck_assert_str_eq(f.path, b);
    ck_assert_int_eq(he_file_read(&f, a), 0);
    ck_assert_str_eq(f.buf.data, "AAA");
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_keep_open_recovers_after_missing_path)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", write_file("late", "x\n", 2));
    const char *missing = tmp_path("missing");
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, missing), -ENOENT);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_str_eq(f.buf.data, "x\n");
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_reads_proc_self_stat)
{
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, "/proc/self/stat"), 0);
    ck_assert_uint_gt(f.buf.len, 0);
    ck_assert_int_eq(strtol(f.buf.data, NULL, 10), getpid());
    ck_assert_int_eq(he_file_read(&f, "/proc/self/stat"), 0);
    ck_assert_uint_gt(f.buf.len, 0);
    he_file_fini(&f);
}
END_TEST

START_TEST(test_file_reads_through_procfs_root)
{
    write_file("loadavg", "0.25 0.50 1.00 1/123 4567\n", 26);
    struct he_paths saved = he_paths;
    he_paths.procfs = tmpdir;
    char path[PATH_MAX];
    ck_assert_int_eq(he_path_proc(path, sizeof(path), "/loadavg"), 0);
    he_paths = saved;
    struct he_file f;
    he_file_init(&f, true, 0);
    ck_assert_int_eq(he_file_read(&f, path), 0);
    ck_assert_str_eq(f.buf.data, "0.25 0.50 1.00 1/123 4567\n");
    he_file_fini(&f);
}
END_TEST

static TCase *lines_tcase(void)
{
    TCase *tc = tcase_create("lines_and_fields");
    tcase_add_test(tc, test_lines_yields_last_line_without_newline);
    tcase_add_test(tc, test_lines_does_not_yield_empty_line_after_final_newline);
    tcase_add_test(tc, test_lines_yields_nothing_for_empty_text);
    tcase_add_test(tc, test_lines_yields_empty_lines_for_bare_newlines);
    tcase_add_test(tc, test_lines_keeps_carriage_return_of_crlf);
    tcase_add_test(tc, test_lines_stop_at_len_not_at_nul);
    tcase_add_test(tc, test_lines_handles_long_line);
    tcase_add_test(tc, test_split_fields_splits_on_runs_of_spaces_and_tabs);
    tcase_add_test(tc, test_split_fields_returns_full_count_beyond_max);
    tcase_add_test(tc, test_split_fields_counts_without_storing_when_max_is_zero);
    tcase_add_test(tc, test_split_fields_finds_none_in_empty_or_blank_line);
    tcase_add_test(tc, test_split_fields_counts_many_fields_in_long_line);
    tcase_add_test(tc, test_field_eq_compares_whole_field);
    tcase_add_test(tc, test_field_copy_fits_exactly);
    tcase_add_test(tc, test_field_copy_rejects_too_long_without_writing);
    return tc;
}

static TCase *numbers_tcase(void)
{
    TCase *tc = tcase_create("numbers");
    tcase_add_test(tc, test_parse_u64_accepts_zero_and_max);
    tcase_add_test(tc, test_parse_u64_rejects_overflow);
    tcase_add_test(tc, test_parse_u64_rejects_sign_spaces_and_letters);
    tcase_add_test(tc, test_parse_u64_stops_at_field_length);
    tcase_add_test(tc, test_parse_u64_rejects_oversized_garbage);
    tcase_add_test(tc, test_parse_double_accepts_kernel_forms);
    tcase_add_test(tc, test_parse_double_accepts_inf_and_nan);
    tcase_add_test(tc, test_parse_double_integers_match_strtod);
    tcase_add_test(tc, test_parse_double_rejects_empty_spaced_and_suffixed);
    tcase_add_test(tc, test_parse_double_rejects_very_long_input);
    tcase_add_test(tc, test_parse_u64_accepts_leading_zeros_as_go);
    tcase_add_test(tc, test_parse_double_refuses_what_go_refuses);
    tcase_add_test(tc, test_parse_double_accepts_63_byte_number);
    tcase_add_test(tc, test_parse_double_rejects_embedded_nul);
    tcase_add_test(tc, test_parse_double_rejects_leading_newline);
    tcase_add_test(tc, test_single_u64_trims_whitespace);
    tcase_add_test(tc, test_single_u64_rejects_empty_and_garbage);
    return tc;
}

static TCase *kv_tcase(void)
{
    TCase *tc = tcase_create("kv_lines");
    tcase_add_test(tc, test_kv_line_parses_value_with_unit);
    tcase_add_test(tc, test_kv_line_parses_value_without_unit);
    tcase_add_test(tc, test_kv_line_keeps_parentheses_in_key);
    tcase_add_test(tc, test_kv_line_accepts_tabs_and_carriage_return);
    tcase_add_test(tc, test_kv_line_returns_enodata_for_empty_line);
    tcase_add_test(tc, test_kv_line_rejects_other_shapes);
    tcase_add_test(tc, test_kv_line_rejects_oversized_value);
    tcase_add_test(tc, test_kv_line_accepts_long_key);
    return tc;
}

static TCase *paths_tcase(void)
{
    TCase *tc = tcase_create("paths");
    tcase_add_test(tc, test_path_join_does_not_double_slash_under_root);
    tcase_add_test(tc, test_path_join_collapses_root_and_rel_slashes);
    tcase_add_test(tc, test_path_join_empty_rel_yields_root);
    tcase_add_test(tc, test_path_join_fills_buffer_exactly);
    tcase_add_test(tc, test_path_join_rejects_one_byte_too_long_without_writing);
    tcase_add_test(tc, test_path_join_rejects_oversized_rel);
    tcase_add_test(tc, test_path_helpers_use_configured_roots);
    return tc;
}

static TCase *buf_tcase(void)
{
    TCase *tc = tcase_create("buf");
    tcase_add_test(tc, test_buf_appends_bytes_strings_and_chars);
    tcase_add_test(tc, test_buf_grows_across_many_appends);
    tcase_add_test(tc, test_buf_reset_keeps_capacity);
    tcase_add_test(tc, test_buf_enforces_limit);
    tcase_add_test(tc, test_buf_caps_growth_at_limit);
    tcase_add_test(tc, test_buf_one_byte_limit_holds_one_byte);
    tcase_add_test(tc, test_buf_reserve_rejects_huge_sizes);
    tcase_add_test(tc, test_buf_is_reusable_after_free);
    return tc;
}

static TCase *file_tcase(void)
{
    TCase *tc = tcase_create("file");
    /* Unchecked: runs in the parent, so the directory is removed even after a failure. */
    tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_test(tc, test_file_reads_whole_file);
    tcase_add_test(tc, test_file_reads_file_spanning_many_chunks);
    tcase_add_test(tc, test_file_reads_empty_file);
    tcase_add_test(tc, test_file_returns_enoent_for_missing_file);
    tcase_add_test(tc, test_file_returns_error_for_directory);
    tcase_add_test(tc, test_file_rejects_path_longer_than_path_max);
    tcase_add_test(tc, test_file_rejects_file_larger_than_limit);
    tcase_add_test(tc, test_file_reads_file_of_limit_minus_two_bytes);
    tcase_add_test(tc, test_file_limit_holds_file_and_nul_exactly);
    tcase_add_test(tc, test_file_error_empties_buffer_after_success);
    tcase_add_test(tc, test_file_reads_binary_content_with_nul_bytes);
    tcase_add_test(tc, test_file_keep_open_rereads_file_rewritten_in_place);
    tcase_add_test(tc, test_file_keep_open_reopens_for_different_path);
    tcase_add_test(tc, test_file_keep_open_recovers_after_missing_path);
    tcase_add_test(tc, test_file_reads_proc_self_stat);
    tcase_add_test(tc, test_file_reads_through_procfs_root);
    return tc;
}

START_TEST(test_fieldvec_grows_to_widest_line_and_reuses_it)
{
    struct he_fieldvec fv;
    he_fieldvec_init(&fv);
    char wide[3 * 100];
    for (int i = 0; i < 100; i++) {
        memcpy(wide + 3 * i, "ab ", 3);
    }
    ck_assert_int_eq(he_fieldvec_split(&fv, (struct he_field){wide, sizeof(wide)}), 0);
    ck_assert_uint_eq(fv.n, 100);
    ck_assert(he_field_eq(fv.v[99], "ab"));
    struct he_field *array = fv.v;
    const char *narrow = "  x\ty  ";
    ck_assert_int_eq(he_fieldvec_split(&fv, (struct he_field){narrow, strlen(narrow)}), 0);
    ck_assert_uint_eq(fv.n, 2);
    ck_assert(he_field_eq(fv.v[0], "x"));
    ck_assert(he_field_eq(fv.v[1], "y"));
    ck_assert_ptr_eq(fv.v, array);
    he_fieldvec_fini(&fv);
}
END_TEST

START_TEST(test_fieldvec_splits_blank_line_into_nothing)
{
    struct he_fieldvec fv;
    he_fieldvec_init(&fv);
    ck_assert_int_eq(he_fieldvec_split(&fv, (struct he_field){" \t ", 3}), 0);
    ck_assert_uint_eq(fv.n, 0);
    ck_assert_int_eq(he_fieldvec_split(&fv, (struct he_field){"", 0}), 0);
    ck_assert_uint_eq(fv.n, 0);
    he_fieldvec_fini(&fv);
}
END_TEST

START_TEST(test_fieldvec_refuses_line_wider_than_max)
{
    struct he_fieldvec fv;
    he_fieldvec_init(&fv);
    size_t len = 2 * (HE_FIELDVEC_MAX + 1);
    char *line = malloc(len);
    ck_assert_ptr_nonnull(line);
    for (size_t i = 0; i < len; i += 2) {
        line[i] = '1';
        line[i + 1] = ' ';
    }
    ck_assert_int_eq(he_fieldvec_split(&fv, (struct he_field){line, len}), -E2BIG);
    ck_assert_uint_eq(fv.n, 0);
    ck_assert_int_eq(he_fieldvec_split(&fv, (struct he_field){line, len - 2}), 0);
    ck_assert_uint_eq(fv.n, HE_FIELDVEC_MAX);
    free(line);
    he_fieldvec_fini(&fv);
}
END_TEST

static TCase *fieldvec_tcase(void)
{
    TCase *tc = tcase_create("fieldvec");
    tcase_add_test(tc, test_fieldvec_grows_to_widest_line_and_reuses_it);
    tcase_add_test(tc, test_fieldvec_splits_blank_line_into_nothing);
    tcase_add_test(tc, test_fieldvec_refuses_line_wider_than_max);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("parse");
    suite_add_tcase(s, lines_tcase());
    suite_add_tcase(s, numbers_tcase());
    suite_add_tcase(s, kv_tcase());
    suite_add_tcase(s, fieldvec_tcase());
    suite_add_tcase(s, paths_tcase());
    suite_add_tcase(s, buf_tcase());
    suite_add_tcase(s, file_tcase());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
