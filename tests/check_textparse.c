/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the text format parser (src/textparse.c): Go's float and
 * uint64 conversions, the model a file parses into (families, merged summary
 * and histogram lines, label names per family), expfmt's error messages, and
 * that a failed file leaves the model as it was.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "he_textparse.h"

static struct he_text_model m;
static struct he_text_result r;

static void setup(void)
{
    he_text_model_init(&m);
    r = (struct he_text_result){.max_samples = 1000};
}

static void teardown(void)
{
    he_text_model_free(&m);
}

static int parse(const char *text, uint32_t file)
{
    return he_text_parse(&m, text, strlen(text), file, &r);
}

static double float_of(const char *s)
{
    double v = -12345;
    ck_assert_int_eq(he_text_parse_float(s, strlen(s), &v), 0);
    return v;
}

static bool float_refused(const char *s)
{
    double v;
    return he_text_parse_float(s, strlen(s), &v) == -EINVAL;
}

START_TEST(test_parse_float_accepts_what_go_accepts)
{
    ck_assert(float_of("1.5") == 1.5);
    ck_assert(float_of("-0") == 0 && signbit(float_of("-0")));
    ck_assert(float_of(".5") == 0.5);
    ck_assert(float_of("5.") == 5);
    ck_assert(float_of("+1E+3") == 1000);
    ck_assert(isinf(float_of("+Inf")) && float_of("+Inf") > 0);
    ck_assert(isinf(float_of("-infinity")) && float_of("-infinity") < 0);
    ck_assert(isnan(float_of("NaN")) && isnan(float_of("nan")));
    ck_assert(float_of("1e-400") == 0); /* underflow is not an error in Go */
}
END_TEST

START_TEST(test_parse_float_refuses_what_go_or_expfmt_refuse)
{
    const char *bad[] = {"", "+", ".", "1e", "1e+", "0x10", "0x1p3", "1_000", "+NaN", "infin",
                         "1e400", " 1", "1 ", "1.2.3", "--1", "inf inity"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(float_refused(bad[i]), "accepted '%s'", bad[i]);
    }
}
END_TEST

START_TEST(test_go_uint64_conversion_matches_amd64)
{
    ck_assert(he_text_go_uint64(1.9) == 1);
    ck_assert(he_text_go_uint64(-1) == 18446744073709551615.0);
    ck_assert(he_text_go_uint64(NAN) == 9223372036854775808.0);
    ck_assert(he_text_go_uint64(1e30) == 9223372036854775808.0);
    ck_assert(he_text_go_uint64(-0.5) == 0);
}
END_TEST

START_TEST(test_parses_families_types_help_and_label_names)
{
    ck_assert_int_eq(parse("# HELP g Some \\\\ help\\n.\n# TYPE g gauge\ng{a=\"1\"} 2\ng{b=\"x\"} 3\n"
                           "u 4\n", 7), 0);
    ck_assert_uint_eq(m.nfamilies, 2);
    const struct he_text_family *g = &m.families[0];
    ck_assert_str_eq(he_text_str(&m, g->name), "g");
    ck_assert_str_eq(he_text_str(&m, g->help), "Some \\ help\n.");
    ck_assert_int_eq(g->type, HE_GAUGE);
    ck_assert_uint_eq(g->file, 7);
    ck_assert_uint_eq(g->nmetrics, 2);
    ck_assert_uint_eq(g->nnames, 2);
    ck_assert_str_eq(he_text_str(&m, m.names[g->first_name]), "a");
    ck_assert_str_eq(he_text_str(&m, m.names[g->first_name + 1]), "b");
    ck_assert_int_eq(m.families[1].type, HE_UNTYPED);
    ck_assert_uint_eq(m.families[1].help, HE_TEXT_NONE);
    ck_assert_uint_eq(r.samples, 3);
}
END_TEST

START_TEST(test_merges_histogram_lines_of_one_series_wherever_they_are)
{
    ck_assert_int_eq(parse("# TYPE h histogram\nh_bucket{a=\"x\",le=\"1\"} 1\nother 1\n"
                           "h_bucket{le=\"2\",a=\"x\"} 2\nh_sum{a=\"x\"} 9\nh_count{a=\"x\"} 2\n"
                           "h_count 5\n", 0), 0);
    const struct he_text_family *h = &m.families[0];
    ck_assert_uint_eq(h->nmetrics, 2);
    const struct he_text_metric *x = &m.metrics[0];
    ck_assert_uint_eq(x->npoints, 2);
    ck_assert(m.points[x->first_point].point.bound == 1);
    ck_assert(m.points[m.points[x->first_point].next].point.value == 2);
    ck_assert(x->value == 9 && x->count == 2);
    ck_assert(m.metrics[2].count == 5); /* metrics[1] is "other" */
}
END_TEST

START_TEST(test_reports_expfmt_errors_with_line_numbers)
{
    ck_assert_int_eq(parse("a 1\nb 2", 0), -EINVAL);
    ck_assert_str_eq(r.error, "text format parsing error in line 2: unexpected end of input stream");
    ck_assert_int_eq(parse("a 1\r\n", 0), -EINVAL);
    ck_assert_str_eq(r.error, "text format parsing error in line 1: expected float as value, "
                              "got \"1\\r\"");
    ck_assert_int_eq(parse("a 1\n# TYPE a gauge\n", 0), -EINVAL);
    ck_assert_str_eq(r.error, "text format parsing error in line 2: second TYPE line for metric "
                              "name \"a\", or TYPE reported after samples");
    ck_assert_int_eq(parse("a{x=\"1\",x=\"2\"} 1\n", 0), -EINVAL);
    ck_assert_str_eq(r.error, "text format parsing error in line 1: duplicate label names for "
                              "metric \"a\"");
}
END_TEST

START_TEST(test_failed_file_leaves_model_unchanged)
{
    ck_assert_int_eq(parse("a{x=\"1\"} 1\n", 0), 0);
    struct he_text_mark before = he_text_model_mark(&m);
    ck_assert_int_eq(parse("b 1\nc{y=\"2\"} 2\nd{", 1), -EINVAL);
    struct he_text_mark after = he_text_model_mark(&m);
    ck_assert(memcmp(&before, &after, sizeof(before)) == 0);
}
END_TEST

START_TEST(test_flags_timestamps_and_enforces_sample_limit)
{
    ck_assert_int_eq(parse("a 1 1700000000000\n", 0), 0);
    ck_assert(r.has_timestamps);
    r.max_samples = 2;
    ck_assert_int_eq(parse("b 1\nb{x=\"1\"} 1\nb{x=\"2\"} 1\n", 1), -E2BIG);
}
END_TEST

Suite *textparse_suite(void)
{
    Suite *s = suite_create("textparse");
    TCase *numbers = tcase_create("numbers");
    tcase_add_test(numbers, test_parse_float_accepts_what_go_accepts);
    tcase_add_test(numbers, test_parse_float_refuses_what_go_or_expfmt_refuse);
    tcase_add_test(numbers, test_go_uint64_conversion_matches_amd64);
    suite_add_tcase(s, numbers);
    TCase *model = tcase_create("model");
    tcase_add_checked_fixture(model, setup, teardown);
    tcase_add_test(model, test_parses_families_types_help_and_label_names);
    tcase_add_test(model, test_merges_histogram_lines_of_one_series_wherever_they_are);
    tcase_add_test(model, test_reports_expfmt_errors_with_line_numbers);
    tcase_add_test(model, test_failed_file_leaves_model_unchanged);
    tcase_add_test(model, test_flags_timestamps_and_enforces_sample_limit);
    suite_add_tcase(s, model);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(textparse_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
