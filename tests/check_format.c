/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for he_format_double() (src/format.c): sample values must read
 * exactly as client_golang's text encoder writes them, i.e. 0, 1 and -1
 * special-cased, NaN/+Inf/-Inf, and otherwise Go's
 * strconv.FormatFloat(v, 'g', -1, 64). Fixed expectations were checked against
 * Python's repr(), which yields the same shortest round-trip digits as Go.
 *
 * The random tests compare against an independent oracle: the shortest
 * precision p for which "%.{p-1}e" reads back as the same double, laid out as
 * "%.{p-1}e" when the decimal exponent is < -4 or >= 6 and as "%.{n}f"
 * otherwise; glibc's %e already writes Go's signed, two-digit-minimum exponent.
 * The oracle agrees with Go except at exact powers of two, where it can miss a
 * shorter form above the value (see test_format_powers_of_two_use_shortest_digits);
 * random bit patterns land there with negligible probability.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_format.h"

struct format_case {
    double value;
    const char *want;
};

/* Formats every case and fails on the first mismatch, naming the value. */
static void check_cases(const struct format_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char got[HE_FORMAT_DOUBLE_MAX];
        size_t len = he_format_double(got, cases[i].value);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "%a (%.17g): got \"%s\", want \"%s\"",
                      cases[i].value, cases[i].value, got, cases[i].want);
        ck_assert_uint_eq(len, strlen(got));
    }
}

#define CHECK_CASES(cases) check_cases((cases), sizeof(cases) / sizeof((cases)[0]))

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

static double double_of(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

/* xorshift64 with a fixed seed: the same "random" doubles on every run. */
static uint64_t xorshift_state;

static void xorshift_seed(uint64_t seed)
{
    xorshift_state = seed;
}

static uint64_t xorshift_next(void)
{
    uint64_t x = xorshift_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    xorshift_state = x;
    return x;
}

/* Smallest number of significant digits whose %e rounding reads back as v. */
static int shortest_precision(double v, char *s, size_t size)
{
    for (int p = 1; p < 17; p++) {
        snprintf(s, size, "%.*e", p - 1, v);
        if (bits_of(strtod(s, NULL)) == bits_of(v)) {
            return p;
        }
    }
    snprintf(s, size, "%.16e", v);
    return 17;
}

/* What Go's FormatFloat(v, 'g', -1, 64) writes for a finite v other than 0 and +-1. */
static void go_format_oracle(char *out, size_t size, double v)
{
    char e_form[40];
    int p = shortest_precision(v, e_form, sizeof(e_form));
    int exp = atoi(strchr(e_form, 'e') + 1);
    if (exp < -4 || exp >= 6) {
        snprintf(out, size, "%s", e_form);
    } else {
        int decimals = p - 1 - exp;
        snprintf(out, size, "%.*f", decimals > 0 ? decimals : 0, v);
    }
}

/* Formats v, checks it reads back bit for bit and equals the oracle. */
static void check_against_oracle(double v)
{
    char got[HE_FORMAT_DOUBLE_MAX];
    char want[64];
    he_format_double(got, v);
    go_format_oracle(want, sizeof(want), v);
    ck_assert_msg(bits_of(strtod(got, NULL)) == bits_of(v), "%a: \"%s\" does not read back",
                  v, got);
    ck_assert_msg(strcmp(got, want) == 0, "%a (%.17g): got \"%s\", want \"%s\"", v, v, got,
                  want);
}

START_TEST(test_format_zero_and_plus_minus_one_are_special_cased)
{
    static const struct format_case cases[] = {
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-1.0, "-1"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_nan_and_infinities_use_prometheus_spelling)
{
    const struct format_case cases[] = {
        {NAN, "NaN"},
        {-NAN, "NaN"},
        {INFINITY, "+Inf"},
        {-INFINITY, "-Inf"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_integers_below_one_million_print_in_full)
{
    static const struct format_case cases[] = {
        {100.0, "100"},
        {123456.0, "123456"},
        {999999.0, "999999"},
        {-42.0, "-42"},
        {2.0, "2"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_uses_exponent_form_from_one_million)
{
    static const struct format_case cases[] = {
        {1e6, "1e+06"},
        {1234567.0, "1.234567e+06"},
        {2.527602688e+10, "2.527602688e+10"},
        {1e21, "1e+21"},
        {18446744073709551616.0, "1.8446744073709552e+19"},
        {1e100, "1e+100"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {-DBL_MAX, "-1.7976931348623157e+308"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_uses_exponent_form_below_ten_to_the_minus_four)
{
    static const struct format_case cases[] = {
        {0.0001, "0.0001"},
        {1e-05, "1e-05"},
        {4.0571e-05, "4.0571e-05"},
        {-1e-05, "-1e-05"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_fractions_use_shortest_round_trip_digits)
{
    static const struct format_case cases[] = {
        {0.1, "0.1"},
        {1.0 / 3, "0.3333333333333333"},
        {2 / 3.0, "0.6666666666666666"},
        {0.30000000000000004, "0.30000000000000004"},
        {597.52, "597.52"},
        {123456.789, "123456.789"},
        {-2.5, "-2.5"},
    };
    CHECK_CASES(cases);
}
END_TEST

/* 9007199254740993 is not a double: it rounds (to even) to 2^53. */
START_TEST(test_format_integer_beyond_2_pow_53_prints_its_double)
{
    static const struct format_case cases[] = {
        {9007199254740993.0, "9.007199254740992e+15"},
        {9007199254740991.0, "9.007199254740991e+15"},
    };
    ck_assert(9007199254740993.0 == 9007199254740992.0);
    CHECK_CASES(cases);
}
END_TEST

/* Subnormals carry fewer than 15 significant digits; Go prints only those. */
START_TEST(test_format_subnormals_use_shortest_digits)
{
    static const struct format_case cases[] = {
        {5e-324, "5e-324"},
        {-5e-324, "-5e-324"},
        {1e-323, "1e-323"},
        {1.6e-322, "1.6e-322"},
        {3.16e-322, "3.16e-322"},
    };
    CHECK_CASES(cases);
}
END_TEST

/*
 * At a power of two the doubles below are twice as dense, so the round-trip
 * interval is narrower below than above and the shortest digits may lie above
 * while the nearest 16-digit decimal lies below, outside the interval.
 */
START_TEST(test_format_powers_of_two_use_shortest_digits)
{
    static const struct format_case cases[] = {
        {0x1p-24, "5.960464477539063e-08"},
        {0x1p89, "6.189700196426902e+26"},
        {0x1p-44, "5.684341886080802e-14"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_longest_output_fits_buffer)
{
    static const struct format_case cases[] = {
        {-2.2250738585072014e-308, "-2.2250738585072014e-308"},
        {-1.7976931348623157e+308, "-1.7976931348623157e+308"},
    };
    CHECK_CASES(cases);
}
END_TEST

START_TEST(test_format_random_doubles_read_back_bit_for_bit)
{
    xorshift_seed(0x9e3779b97f4a7c15u);
    for (int i = 0; i < 100000; i++) {
        double v = double_of(xorshift_next());
        if (!isfinite(v) || v == 0) {
            continue;
        }
        char got[HE_FORMAT_DOUBLE_MAX];
        size_t len = he_format_double(got, v);
        char *end;
        double back = strtod(got, &end);
        ck_assert_msg(*end == '\0' && (size_t)(end - got) == len, "%a: \"%s\"", v, got);
        ck_assert_msg(bits_of(back) == bits_of(v), "%a: \"%s\" reads back as %a", v, got, back);
    }
}
END_TEST

/* Normal doubles over the whole exponent range: mostly exponent form. */
START_TEST(test_format_random_normal_doubles_match_go)
{
    xorshift_seed(0x2545f4914f6cdd1du);
    for (int i = 0; i < 50000; i++) {
        double v = double_of(xorshift_next());
        if (!isnormal(v) || fabs(v) == 1) {
            continue;
        }
        check_against_oracle(v);
    }
}
END_TEST

/* Doubles between about 1e-6 and 1e9, where both layouts and the switch occur. */
START_TEST(test_format_random_moderate_doubles_match_go)
{
    xorshift_seed(0xd1b54a32d192ed03u);
    for (int i = 0; i < 50000; i++) {
        uint64_t r = xorshift_next();
        uint64_t exponent = 1023 - 20 + (r >> 52) % 50;
        uint64_t sign = (r >> 51) & 1;
        uint64_t bits = (sign << 63) | (exponent << 52) | (xorshift_next() >> 12);
        double v = double_of(bits);
        if (fabs(v) == 1) {
            continue;
        }
        check_against_oracle(v);
    }
}
END_TEST

/* Integer counters, including ones with trailing zeros, up to 2^53. */
START_TEST(test_format_random_integers_match_go)
{
    xorshift_seed(0x5851f42d4c957f2du);
    for (int i = 0; i < 50000; i++) {
        uint64_t r = xorshift_next();
        uint64_t n = (r >> 11) >> (r % 53);
        uint64_t scale = (r >> 8) % 4 == 0 ? 1000 : 1;
        double v = (double)(n / scale * scale);
        if (v == 0 || v == 1) {
            continue;
        }
        check_against_oracle(v);
    }
}
END_TEST

START_TEST(test_format_random_subnormals_match_go)
{
    xorshift_seed(0x853c49e6748fea9bu);
    for (int i = 0; i < 20000; i++) {
        uint64_t r = xorshift_next();
        uint64_t sign = r & 0x8000000000000000u;
        uint64_t mantissa = (xorshift_next() >> 12) >> (r % 52);
        double v = double_of(sign | mantissa);
        if (fpclassify(v) != FP_SUBNORMAL) {
            continue;
        }
        check_against_oracle(v);
    }
}
END_TEST

static Suite *format_suite(void)
{
    Suite *s = suite_create("format");

    TCase *fixed = tcase_create("fixed");
    tcase_add_test(fixed, test_format_zero_and_plus_minus_one_are_special_cased);
    tcase_add_test(fixed, test_format_nan_and_infinities_use_prometheus_spelling);
    tcase_add_test(fixed, test_format_integers_below_one_million_print_in_full);
    tcase_add_test(fixed, test_format_uses_exponent_form_from_one_million);
    tcase_add_test(fixed, test_format_uses_exponent_form_below_ten_to_the_minus_four);
    tcase_add_test(fixed, test_format_fractions_use_shortest_round_trip_digits);
    tcase_add_test(fixed, test_format_integer_beyond_2_pow_53_prints_its_double);
    tcase_add_test(fixed, test_format_longest_output_fits_buffer);
    suite_add_tcase(s, fixed);

    TCase *edges = tcase_create("shortest_edges");
    tcase_add_test(edges, test_format_subnormals_use_shortest_digits);
    tcase_add_test(edges, test_format_powers_of_two_use_shortest_digits);
    suite_add_tcase(s, edges);

    TCase *random = tcase_create("random");
    tcase_set_timeout(random, 60);
    tcase_add_test(random, test_format_random_doubles_read_back_bit_for_bit);
    tcase_add_test(random, test_format_random_normal_doubles_match_go);
    tcase_add_test(random, test_format_random_moderate_doubles_match_go);
    tcase_add_test(random, test_format_random_integers_match_go);
    tcase_add_test(random, test_format_random_subnormals_match_go);
    suite_add_tcase(s, random);

    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(format_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
