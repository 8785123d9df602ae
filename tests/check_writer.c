/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the exposition writer (src/writer.c) through its public API
 * only: families and samples go in through he_writer_family/sample/value, and
 * the text rendered into a struct he_buf is compared byte for byte with what
 * client_golang's text 0.0.4 encoder writes: HELP/TYPE once per family,
 * families sorted by name, series by label values in label-name order,
 * escaping, U+FFFD for invalid UTF-8 and Go-style numbers. Refused input
 * (bad names, duplicate labels, conflicting redeclarations, duplicate series)
 * must be counted by he_writer_errors(). The writer logs refusals to stderr.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_format.h"
#include "he_writer.h"

#define U_FFFD "\xef\xbf\xbd"

/* Adds one sample with the given label pairs to the current family. */
#define SAMPLE(value, ...)                                                                       \
    he_writer_sample(w, (const struct he_label[]){__VA_ARGS__},                                   \
                     sizeof((const struct he_label[]){__VA_ARGS__}) / sizeof(struct he_label),    \
                     (value))

static struct he_writer *w;
static struct he_buf out;

static void setup(void)
{
    w = he_writer_new();
    ck_assert_ptr_nonnull(w);
    he_buf_init(&out, 0);
}

static void teardown(void)
{
    he_writer_free(w);
    he_buf_free(&out);
}

/* Renders the writer into the (emptied) output buffer and returns it as a string. */
static const char *render_text(void)
{
    he_buf_reset(&out);
    ck_assert_int_eq(he_writer_render(w, HE_FORMAT_TEXT_0_0_4, &out), 0);
    ck_assert_int_eq(he_buf_terminate(&out), 0);
    return out.data;
}

START_TEST(test_writer_writes_help_and_type_for_gauge_counter_untyped)
{
    ck_assert_int_eq(he_writer_family(w, "node_a", "A gauge.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 1.5), 0);
    ck_assert_int_eq(he_writer_family(w, "node_b_total", "B counter.", HE_COUNTER), 0);
    ck_assert_int_eq(he_writer_value(w, 3), 0);
    ck_assert_int_eq(he_writer_family(w, "node_c", "C untyped.", HE_UNTYPED), 0);
    ck_assert_int_eq(he_writer_value(w, -2), 0);
    ck_assert_str_eq(render_text(), "# HELP node_a A gauge.\n"
                                    "# TYPE node_a gauge\n"
                                    "node_a 1.5\n"
                                    "# HELP node_b_total B counter.\n"
                                    "# TYPE node_b_total counter\n"
                                    "node_b_total 3\n"
                                    "# HELP node_c C untyped.\n"
                                    "# TYPE node_c untyped\n"
                                    "node_c -2\n");
    ck_assert_uint_eq(he_writer_errors(w), 0);
}
END_TEST

START_TEST(test_writer_sorts_families_by_name_bytewise)
{
    static const char *const declared[] = {"node_b", "node_aa", "node_a_x",
                                           "node:a", "node_B",  "node_a"};
    for (size_t i = 0; i < sizeof(declared) / sizeof(declared[0]); i++) {
        ck_assert_int_eq(he_writer_family(w, declared[i], "h", HE_GAUGE), 0);
        ck_assert_int_eq(he_writer_value(w, (double)i), 0);
    }
    ck_assert_str_eq(render_text(), "# HELP node:a h\n# TYPE node:a gauge\nnode:a 3\n"
                                    "# HELP node_B h\n# TYPE node_B gauge\nnode_B 4\n"
                                    "# HELP node_a h\n# TYPE node_a gauge\nnode_a 5\n"
                                    "# HELP node_a_x h\n# TYPE node_a_x gauge\nnode_a_x 2\n"
                                    "# HELP node_aa h\n# TYPE node_aa gauge\nnode_aa 1\n"
                                    "# HELP node_b h\n# TYPE node_b gauge\nnode_b 0\n");
}
END_TEST

START_TEST(test_writer_sorts_series_by_label_values_in_label_name_order)
{
    ck_assert_int_eq(he_writer_family(w, "node_io", "I/O.", HE_COUNTER), 0);
    ck_assert_int_eq(SAMPLE(1, {"mode", "write"}, {"device", "sdb"}), 0);
    ck_assert_int_eq(SAMPLE(2, {"mode", "read"}, {"device", "sdb"}), 0);
    ck_assert_int_eq(SAMPLE(3, {"device", "sda"}, {"mode", "write"}), 0);
    ck_assert_int_eq(SAMPLE(5, {"mode", "a"}, {"device", "sdc"}), 0);
    ck_assert_int_eq(SAMPLE(4, {"mode", "read"}, {"device", "sda"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_io I/O.\n"
                                    "# TYPE node_io counter\n"
                                    "node_io{device=\"sda\",mode=\"read\"} 4\n"
                                    "node_io{device=\"sda\",mode=\"write\"} 3\n"
                                    "node_io{device=\"sdb\",mode=\"read\"} 2\n"
                                    "node_io{device=\"sdb\",mode=\"write\"} 1\n"
                                    "node_io{device=\"sdc\",mode=\"a\"} 5\n");
}
END_TEST

START_TEST(test_writer_sorts_label_values_bytewise)
{
    static const char *const cpus[] = {"9", "a", "10", "B", "2"};
    ck_assert_int_eq(he_writer_family(w, "node_cpu", "CPU.", HE_GAUGE), 0);
    for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
        ck_assert_int_eq(SAMPLE((double)i, {"cpu", cpus[i]}), 0);
    }
    ck_assert_str_eq(render_text(), "# HELP node_cpu CPU.\n"
                                    "# TYPE node_cpu gauge\n"
                                    "node_cpu{cpu=\"10\"} 2\n"
                                    "node_cpu{cpu=\"2\"} 4\n"
                                    "node_cpu{cpu=\"9\"} 0\n"
                                    "node_cpu{cpu=\"B\"} 3\n"
                                    "node_cpu{cpu=\"a\"} 1\n");
}
END_TEST

START_TEST(test_writer_sorts_label_names_bytewise)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"b", "1"}, {"a", "2"}, {"C", "3"}, {"_z", "4"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{C=\"3\",_z=\"4\",a=\"2\",b=\"1\"} 1\n");
}
END_TEST

START_TEST(test_writer_merges_family_declared_twice_under_one_header)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(2, {"l", "b"}), 0);
    ck_assert_int_eq(he_writer_family(w, "node_y", "Y.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 3), 0);
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"l", "a"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{l=\"a\"} 1\n"
                                    "node_x{l=\"b\"} 2\n"
                                    "# HELP node_y Y.\n"
                                    "# TYPE node_y gauge\n"
                                    "node_y 3\n");
    ck_assert_uint_eq(he_writer_errors(w), 0);
}
END_TEST

START_TEST(test_writer_omits_family_without_samples)
{
    ck_assert_int_eq(he_writer_family(w, "node_empty", "Empty.", HE_GAUGE), 0);
    ck_assert_str_eq(render_text(), "");
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(he_writer_family(w, "node_full", "Full.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 1), 0);
    ck_assert_int_eq(he_writer_family(w, "node_later_empty", "Empty.", HE_GAUGE), 0);
    ck_assert_str_eq(render_text(), "# HELP node_full Full.\n# TYPE node_full gauge\nnode_full 1\n");
}
END_TEST

START_TEST(test_writer_render_appends_to_buffer)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 1), 0);
    ck_assert_int_eq(he_buf_puts(&out, "prefix\n"), 0);
    ck_assert_int_eq(he_writer_render(w, HE_FORMAT_TEXT_0_0_4, &out), 0);
    ck_assert_int_eq(he_buf_terminate(&out), 0);
    ck_assert_str_eq(out.data, "prefix\n# HELP node_x X.\n# TYPE node_x gauge\nnode_x 1\n");
}
END_TEST

START_TEST(test_writer_escapes_quote_backslash_newline)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"path", "C:\\dir \"quoted\"\nnext\tline"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{path=\"C:\\\\dir \\\"quoted\\\"\\nnext\tline\"} 1\n");
}
END_TEST

START_TEST(test_writer_escapes_help_backslash_newline_but_not_quote)
{
    ck_assert_int_eq(
        he_writer_family(w, "node_x", "Reads C:\\dir \"quoted\"\nsecond line.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 1), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x Reads C:\\\\dir \"quoted\"\\nsecond line.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x 1\n");
}
END_TEST

START_TEST(test_writer_replaces_invalid_utf8_in_label_value_once_per_run)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    /* Runs: \xff\xfe; lone lead \xc3; overlong \xc0\xaf; surrogate; truncated tail. */
    ck_assert_int_eq(SAMPLE(1, {"v", "a\xff\xfe" "b\xc3" "(c\xc0\xaf" "d\xed\xa0\x80" "e\xe2\x82"}),
                     0);
    ck_assert_int_eq(SAMPLE(2, {"v", "z\xff" "x" "\xff"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{v=\"a" U_FFFD "b" U_FFFD "(c" U_FFFD "d" U_FFFD
                                    "e" U_FFFD "\"} 1\n"
                                    "node_x{v=\"z" U_FFFD "x" U_FFFD "\"} 2\n");
}
END_TEST

START_TEST(test_writer_replaces_invalid_utf8_in_help)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "bad \xf0\x9f\x98 run \x80\x80\x80 end\xff",
                                      HE_GAUGE),
                     0);
    ck_assert_int_eq(he_writer_value(w, 1), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x bad " U_FFFD " run " U_FFFD " end" U_FFFD "\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x 1\n");
}
END_TEST

START_TEST(test_writer_passes_valid_multibyte_utf8_through)
{
    /* U+00E9, U+20AC, U+1F600 and U+FFFD itself: 2, 3, 4 and 3 bytes. */
    const char *text = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" U_FFFD;
    ck_assert_int_eq(he_writer_family(w, "node_x", text, HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"v", text}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" U_FFFD "\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{v=\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" U_FFFD
                                    "\"} 1\n");
}
END_TEST

START_TEST(test_writer_keeps_first_of_duplicate_series_and_counts_the_rest)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"a", "1"}, {"b", "2"}), 0);
    ck_assert_int_eq(SAMPLE(2, {"b", "2"}, {"a", "1"}), 0);
    ck_assert_int_eq(SAMPLE(3, {"a", "1"}, {"b", "3"}), 0);
    ck_assert_int_eq(SAMPLE(4, {"a", "1"}, {"b", "2"}), 0);
    ck_assert_int_eq(he_writer_family(w, "node_y", "Y.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 7), 0);
    ck_assert_int_eq(he_writer_value(w, 8), 0);
    ck_assert_uint_eq(he_writer_errors(w), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{a=\"1\",b=\"2\"} 1\n"
                                    "node_x{a=\"1\",b=\"3\"} 3\n"
                                    "# HELP node_y Y.\n"
                                    "# TYPE node_y gauge\n"
                                    "node_y 7\n");
    ck_assert_uint_eq(he_writer_errors(w), 3);
}
END_TEST

START_TEST(test_writer_refuses_invalid_metric_name_and_its_samples)
{
    ck_assert_int_eq(he_writer_family(w, "node_good", "Good.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_value(w, 1), 0);
    ck_assert_int_eq(he_writer_family(w, "1node", "Bad.", HE_GAUGE), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 1);
    ck_assert_int_eq(he_writer_value(w, 2), -EINVAL);
    ck_assert_int_eq(SAMPLE(3, {"l", "v"}), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 3);
    ck_assert_int_eq(he_writer_family(w, "node-bad", "Bad.", HE_GAUGE), -EINVAL);
    ck_assert_int_eq(he_writer_family(w, "", "Bad.", HE_GAUGE), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 5);
    ck_assert_str_eq(render_text(), "# HELP node_good Good.\n# TYPE node_good gauge\nnode_good 1\n");
    ck_assert_uint_eq(he_writer_errors(w), 5);
}
END_TEST

START_TEST(test_writer_refuses_sample_before_any_family)
{
    ck_assert_int_eq(he_writer_value(w, 1), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 1);
    ck_assert_str_eq(render_text(), "");
}
END_TEST

START_TEST(test_writer_validates_metric_names)
{
    static const char *const valid[] = {"a", "A", "_", ":", "node_load1", "job:rate:5m", "_a9"};
    static const char *const invalid[] = {"", "9a", "a-b", "a.b", "a b", "a\n", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        ck_assert_msg(he_metric_name_valid(valid[i]), "\"%s\" should be valid", valid[i]);
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        ck_assert_msg(!he_metric_name_valid(invalid[i]), "\"%s\" should be invalid", invalid[i]);
    }
}
END_TEST

START_TEST(test_writer_validates_label_names)
{
    static const char *const valid[] = {"a", "A", "_", "_a", "a__b", "device9", "a_"};
    static const char *const invalid[] = {"", "9a", "a:b", "a-b", "__", "__name__", "a b"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        ck_assert_msg(he_label_name_valid(valid[i]), "\"%s\" should be valid", valid[i]);
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        ck_assert_msg(!he_label_name_valid(invalid[i]), "\"%s\" should be invalid", invalid[i]);
    }
}
END_TEST

START_TEST(test_writer_refuses_sample_with_invalid_label_name)
{
    static const char *const bad[] = {"1a", "a-b", "__x", "", "a:b"};
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(SAMPLE(1, {bad[i], "v"}), -EINVAL);
    }
    ck_assert_int_eq(SAMPLE(2, {"ok", "x"}, {"bad-name", "v"}), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 6);
    ck_assert_int_eq(SAMPLE(3, {"ok", "y"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n# TYPE node_x gauge\nnode_x{ok=\"y\"} 3\n");
    ck_assert_uint_eq(he_writer_errors(w), 6);
}
END_TEST

START_TEST(test_writer_refuses_sample_with_duplicate_label_name)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"a", "1"}, {"b", "2"}, {"a", "3"}), -EINVAL);
    ck_assert_int_eq(SAMPLE(2, {"c", "1"}, {"c", "1"}), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 2);
    ck_assert_str_eq(render_text(), "");
    ck_assert_int_eq(SAMPLE(3, {"a", "1"}, {"b", "2"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n# TYPE node_x gauge\nnode_x{a=\"1\",b=\"2\"} 3\n");
}
END_TEST

START_TEST(test_writer_refuses_samples_of_family_redeclared_with_other_help)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "Help one.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"l", "a"}), 0);
    ck_assert_int_eq(he_writer_family(w, "node_x", "Help two.", HE_GAUGE), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 1);
    ck_assert_int_eq(SAMPLE(2, {"l", "b"}), -EINVAL);
    ck_assert_int_eq(he_writer_value(w, 3), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 3);
    ck_assert_int_eq(he_writer_family(w, "node_x", "Help one.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(4, {"l", "c"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_x Help one.\n"
                                    "# TYPE node_x gauge\n"
                                    "node_x{l=\"a\"} 1\n"
                                    "node_x{l=\"c\"} 4\n");
    ck_assert_uint_eq(he_writer_errors(w), 3);
}
END_TEST

START_TEST(test_writer_refuses_samples_of_family_redeclared_with_other_type)
{
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_COUNTER), 0);
    ck_assert_int_eq(SAMPLE(1, {"l", "a"}), 0);
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_GAUGE), -EINVAL);
    ck_assert_int_eq(SAMPLE(2, {"l", "b"}), -EINVAL);
    ck_assert_int_eq(he_writer_family(w, "node_x", "X.", HE_UNTYPED), -EINVAL);
    ck_assert_int_eq(SAMPLE(3, {"l", "c"}), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 4);
    ck_assert_str_eq(render_text(), "# HELP node_x X.\n# TYPE node_x counter\nnode_x{l=\"a\"} 1\n");
}
END_TEST

START_TEST(test_writer_reset_forgets_everything_and_writer_works_again)
{
    ck_assert_int_eq(he_writer_family(w, "node_old", "Old.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1, {"l", "a"}), 0);
    ck_assert_int_eq(he_writer_family(w, "bad name", "Bad.", HE_GAUGE), -EINVAL);
    ck_assert_int_eq(he_writer_family(w, "node_new", "Before.", HE_COUNTER), 0);
    ck_assert_int_eq(he_writer_value(w, 2), 0);
    ck_assert_int_ne(strlen(render_text()), 0);
    ck_assert_uint_eq(he_writer_errors(w), 1);

    he_writer_reset(w);
    ck_assert_uint_eq(he_writer_errors(w), 0);
    ck_assert_str_eq(render_text(), "");
    ck_assert_int_eq(he_writer_value(w, 9), -EINVAL);
    he_writer_reset(w);

    /* Another HELP and TYPE are accepted: the old declaration is forgotten. */
    ck_assert_int_eq(he_writer_family(w, "node_new", "After.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(3, {"l", "a"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_new After.\n"
                                    "# TYPE node_new gauge\n"
                                    "node_new{l=\"a\"} 3\n");
    ck_assert_uint_eq(he_writer_errors(w), 0);
}
END_TEST

START_TEST(test_writer_formats_values_like_go)
{
    ck_assert_int_eq(he_writer_family(w, "node_v", "V.", HE_GAUGE), 0);
    ck_assert_int_eq(SAMPLE(1234567, {"v", "a"}), 0);
    ck_assert_int_eq(SAMPLE(0.1, {"v", "b"}), 0);
    ck_assert_int_eq(SAMPLE(1e-05, {"v", "c"}), 0);
    ck_assert_int_eq(SAMPLE(NAN, {"v", "d"}), 0);
    ck_assert_int_eq(SAMPLE(INFINITY, {"v", "e"}), 0);
    ck_assert_int_eq(SAMPLE(-INFINITY, {"v", "f"}), 0);
    ck_assert_int_eq(SAMPLE(-0.0, {"v", "g"}), 0);
    ck_assert_int_eq(SAMPLE(18446744073709551616.0, {"v", "h"}), 0);
    ck_assert_int_eq(SAMPLE(123456, {"v", "i"}), 0);
    ck_assert_str_eq(render_text(), "# HELP node_v V.\n"
                                    "# TYPE node_v gauge\n"
                                    "node_v{v=\"a\"} 1.234567e+06\n"
                                    "node_v{v=\"b\"} 0.1\n"
                                    "node_v{v=\"c\"} 1e-05\n"
                                    "node_v{v=\"d\"} NaN\n"
                                    "node_v{v=\"e\"} +Inf\n"
                                    "node_v{v=\"f\"} -Inf\n"
                                    "node_v{v=\"g\"} 0\n"
                                    "node_v{v=\"h\"} 1.8446744073709552e+19\n"
                                    "node_v{v=\"i\"} 123456\n");
}
END_TEST

#define MANY_FAMILIES 100
#define MANY_SERIES 100

/* Checks "# HELP <name> Help.\n# TYPE <name> counter\n" at *p, advancing past it. */
static void expect_header(const char **p, const char *name)
{
    char want[128];
    snprintf(want, sizeof(want), "# HELP %s Help.\n# TYPE %s counter\n", name, name);
    ck_assert_msg(strncmp(*p, want, strlen(want)) == 0, "bad header for %s", name);
    *p += strlen(want);
}

/*
 * Checks one sample line "<family>{index=\"<i>\",zone=\"z<k>\"} <value>\n" at *p:
 * its series must sort after prev_index/prev_zone and its value must be the one
 * added for it. Advances *p and updates the previous label values.
 */
static void expect_sample(const char **p, const char *family, int f, char *prev_index,
                          char *prev_zone)
{
    char index[16];
    char zone[16];
    int consumed = 0;
    size_t flen = strlen(family);
    ck_assert_msg(strncmp(*p, family, flen) == 0 && (*p)[flen] == '{', "line not in %s", family);
    int n = sscanf(*p + flen, "{index=\"%15[0-9]\",zone=\"%15[z0-9]\"} %n", index, zone, &consumed);
    ck_assert_msg(n == 2 && consumed > 0, "malformed sample in %s", family);
    int c = strcmp(index, prev_index);
    ck_assert_msg(c > 0 || (c == 0 && strcmp(zone, prev_zone) > 0), "%s: index %s after %s",
                  family, index, prev_index);
    char want[HE_FORMAT_DOUBLE_MAX + 1];
    size_t len = he_format_double(want, f * 1000.0 + atoi(index) + 0.5);
    want[len++] = '\n';
    want[len] = '\0';
    const char *value = *p + flen + consumed;
    ck_assert_msg(strncmp(value, want, len) == 0, "%s{index=%s}: wrong value", family, index);
    *p = value + len;
    strcpy(prev_index, index);
    strcpy(prev_zone, zone);
}

START_TEST(test_writer_renders_many_series_in_order)
{
    /* A permutation of all (family, series) pairs, so each is added once, scattered. */
    for (int i = 0; i < MANY_FAMILIES * MANY_SERIES; i++) {
        int j = (int)((i * 7919L) % (MANY_FAMILIES * MANY_SERIES));
        int f = j % MANY_FAMILIES;
        int s = j / MANY_FAMILIES;
        char name[32];
        char index[16];
        char zone[16];
        snprintf(name, sizeof(name), "node_many_%d", f);
        snprintf(index, sizeof(index), "%d", s);
        snprintf(zone, sizeof(zone), "z%d", s % 3);
        ck_assert_int_eq(he_writer_family(w, name, "Help.", HE_COUNTER), 0);
        ck_assert_int_eq(SAMPLE(f * 1000.0 + s + 0.5, {"zone", zone}, {"index", index}), 0);
    }
    const char *p = render_text();
    char prev_family[32] = "";
    for (int f = 0; f < MANY_FAMILIES; f++) {
        char family[32];
        ck_assert_int_eq(sscanf(p, "# HELP %31s ", family), 1);
        ck_assert_msg(strcmp(family, prev_family) > 0, "%s after %s", family, prev_family);
        int fnum = atoi(family + strlen("node_many_"));
        expect_header(&p, family);
        char prev_index[16] = "";
        char prev_zone[16] = "";
        for (int s = 0; s < MANY_SERIES; s++) {
            expect_sample(&p, family, fnum, prev_index, prev_zone);
        }
        strcpy(prev_family, family);
    }
    ck_assert_str_eq(p, "");
    ck_assert_uint_eq(he_writer_errors(w), 0);
}
END_TEST

/* Enough families to grow the name lookup several times; each is found again after. */
START_TEST(test_writer_finds_every_family_again_after_many_declarations)
{
    enum { NFAMILIES = 2000 };
    char name[32];
    for (int pass = 1; pass <= 2; pass++) {
        const char *value = pass == 1 ? "1" : "2";
        for (int f = NFAMILIES - 1; f >= 0; f--) {
            snprintf(name, sizeof(name), "node_f%04d", f);
            ck_assert_int_eq(he_writer_family(w, name, "F.", HE_GAUGE), 0);
            ck_assert_int_eq(SAMPLE(f + pass / 10.0, {"pass", value}), 0);
        }
    }
    struct he_buf want;
    he_buf_init(&want, 0);
    for (int f = 0; f < NFAMILIES; f++) {
        char chunk[256];
        snprintf(chunk, sizeof(chunk),
                 "# HELP node_f%04d F.\n# TYPE node_f%04d gauge\n"
                 "node_f%04d{pass=\"1\"} %d.1\nnode_f%04d{pass=\"2\"} %d.2\n",
                 f, f, f, f, f, f);
        ck_assert_int_eq(he_buf_puts(&want, chunk), 0);
    }
    ck_assert_int_eq(he_buf_terminate(&want), 0);
    ck_assert_str_eq(render_text(), want.data);
    ck_assert_uint_eq(he_writer_errors(w), 0);
    he_buf_free(&want);
}
END_TEST

START_TEST(test_writer_renders_histogram_buckets_sorted_with_inf_sum_and_count)
{
    const struct he_point buckets[] = {{1, 3}, {0.5, 1}, {1e6, 4}};
    ck_assert_int_eq(he_writer_family(w, "h", "H.", HE_HISTOGRAM), 0);
    ck_assert_int_eq(he_writer_distribution(w, (const struct he_label[]){{"z", "1"}, {"a", "x"}},
                                            2, buckets, 3, 5, 2.5),
                     0);
    ck_assert_str_eq(render_text(), "# HELP h H.\n# TYPE h histogram\n"
                                    "h_bucket{a=\"x\",z=\"1\",le=\"0.5\"} 1\n"
                                    "h_bucket{a=\"x\",z=\"1\",le=\"1\"} 3\n"
                                    "h_bucket{a=\"x\",z=\"1\",le=\"1e+06\"} 4\n"
                                    "h_bucket{a=\"x\",z=\"1\",le=\"+Inf\"} 5\n"
                                    "h_sum{a=\"x\",z=\"1\"} 2.5\n"
                                    "h_count{a=\"x\",z=\"1\"} 5\n");
}
END_TEST

START_TEST(test_writer_keeps_given_inf_bucket_and_last_of_equal_bounds)
{
    const struct he_point buckets[] = {{INFINITY, 7}, {1, 1}, {1, 2}};
    ck_assert_int_eq(he_writer_family(w, "h", "H.", HE_HISTOGRAM), 0);
    ck_assert_int_eq(he_writer_distribution(w, NULL, 0, buckets, 3, 9, 0), 0);
    ck_assert_str_eq(render_text(), "# HELP h H.\n# TYPE h histogram\n"
                                    "h_bucket{le=\"1\"} 2\n"
                                    "h_bucket{le=\"+Inf\"} 7\n"
                                    "h_sum 0\n"
                                    "h_count 9\n");
}
END_TEST

START_TEST(test_writer_renders_summary_quantiles_sorted_then_sum_and_count)
{
    const struct he_point quantiles[] = {{0.99, 8}, {0.5, NAN}};
    ck_assert_int_eq(he_writer_family(w, "s", "S.", HE_SUMMARY), 0);
    ck_assert_int_eq(he_writer_distribution(w, (const struct he_label[]){{"k", "v"}}, 1,
                                            quantiles, 2, 3, 1e-3),
                     0);
    ck_assert_int_eq(he_writer_distribution(w, NULL, 0, NULL, 0, 0, 0), 0);
    ck_assert_str_eq(render_text(), "# HELP s S.\n# TYPE s summary\n"
                                    "s_sum 0\n"
                                    "s_count 0\n"
                                    "s{k=\"v\",quantile=\"0.5\"} NaN\n"
                                    "s{k=\"v\",quantile=\"0.99\"} 8\n"
                                    "s_sum{k=\"v\"} 0.001\n"
                                    "s_count{k=\"v\"} 3\n");
}
END_TEST

START_TEST(test_writer_refuses_plain_samples_in_distributions_and_points_elsewhere)
{
    ck_assert_int_eq(he_writer_family(w, "h", "H.", HE_HISTOGRAM), 0);
    ck_assert_int_eq(he_writer_value(w, 1), -EINVAL);
    ck_assert_int_eq(he_writer_family(w, "g", "G.", HE_GAUGE), 0);
    ck_assert_int_eq(he_writer_distribution(w, NULL, 0, NULL, 0, 1, 1), -EINVAL);
    ck_assert_uint_eq(he_writer_errors(w), 2);
    ck_assert_str_eq(render_text(), "");
}
END_TEST

static Suite *writer_suite(void)
{
    Suite *s = suite_create("writer");

    TCase *layout = tcase_create("layout");
    tcase_add_checked_fixture(layout, setup, teardown);
    tcase_add_test(layout, test_writer_writes_help_and_type_for_gauge_counter_untyped);
    tcase_add_test(layout, test_writer_sorts_families_by_name_bytewise);
    tcase_add_test(layout, test_writer_sorts_series_by_label_values_in_label_name_order);
    tcase_add_test(layout, test_writer_sorts_label_values_bytewise);
    tcase_add_test(layout, test_writer_sorts_label_names_bytewise);
    tcase_add_test(layout, test_writer_merges_family_declared_twice_under_one_header);
    tcase_add_test(layout, test_writer_omits_family_without_samples);
    tcase_add_test(layout, test_writer_render_appends_to_buffer);
    tcase_add_test(layout, test_writer_formats_values_like_go);
    tcase_add_test(layout, test_writer_renders_histogram_buckets_sorted_with_inf_sum_and_count);
    tcase_add_test(layout, test_writer_keeps_given_inf_bucket_and_last_of_equal_bounds);
    tcase_add_test(layout, test_writer_renders_summary_quantiles_sorted_then_sum_and_count);
    suite_add_tcase(s, layout);

    TCase *escaping = tcase_create("escaping");
    tcase_add_checked_fixture(escaping, setup, teardown);
    tcase_add_test(escaping, test_writer_escapes_quote_backslash_newline);
    tcase_add_test(escaping, test_writer_escapes_help_backslash_newline_but_not_quote);
    tcase_add_test(escaping, test_writer_replaces_invalid_utf8_in_label_value_once_per_run);
    tcase_add_test(escaping, test_writer_replaces_invalid_utf8_in_help);
    tcase_add_test(escaping, test_writer_passes_valid_multibyte_utf8_through);
    suite_add_tcase(s, escaping);

    TCase *refusals = tcase_create("refusals");
    tcase_add_checked_fixture(refusals, setup, teardown);
    tcase_add_test(refusals, test_writer_keeps_first_of_duplicate_series_and_counts_the_rest);
    tcase_add_test(refusals, test_writer_refuses_invalid_metric_name_and_its_samples);
    tcase_add_test(refusals, test_writer_refuses_sample_before_any_family);
    tcase_add_test(refusals, test_writer_validates_metric_names);
    tcase_add_test(refusals, test_writer_validates_label_names);
    tcase_add_test(refusals, test_writer_refuses_plain_samples_in_distributions_and_points_elsewhere);
    tcase_add_test(refusals, test_writer_refuses_sample_with_invalid_label_name);
    tcase_add_test(refusals, test_writer_refuses_sample_with_duplicate_label_name);
    tcase_add_test(refusals, test_writer_refuses_samples_of_family_redeclared_with_other_help);
    tcase_add_test(refusals, test_writer_refuses_samples_of_family_redeclared_with_other_type);
    suite_add_tcase(s, refusals);

    TCase *lifecycle = tcase_create("lifecycle");
    tcase_add_checked_fixture(lifecycle, setup, teardown);
    tcase_set_timeout(lifecycle, 30);
    tcase_add_test(lifecycle, test_writer_reset_forgets_everything_and_writer_works_again);
    tcase_add_test(lifecycle, test_writer_renders_many_series_in_order);
    tcase_add_test(lifecycle, test_writer_finds_every_family_again_after_many_declarations);
    suite_add_tcase(s, lifecycle);

    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(writer_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
