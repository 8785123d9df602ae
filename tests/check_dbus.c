/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/dbus.c without a bus: the Go duration syntax of
 * --collector.systemd.dbus-timeout, and a connect that finds no bus socket
 * failing at once. The calls themselves run against a private bus in
 * dbus_test.sh.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_dbus.h"

static uint64_t usec_of(const char *text)
{
    uint64_t usec = 0;
    ck_assert_int_eq(he_duration_parse_usec(text, &usec), 0);
    return usec;
}

START_TEST(test_duration_accepts_go_units)
{
    ck_assert_uint_eq(usec_of("5s"), 5000000);
    ck_assert_uint_eq(usec_of("500ms"), 500000);
    ck_assert_uint_eq(usec_of("1m"), 60000000);
    ck_assert_uint_eq(usec_of("1h"), 3600000000ull);
    ck_assert_uint_eq(usec_of("250us"), 250);
    ck_assert_uint_eq(usec_of("250\xc2\xb5s"), 250);
    ck_assert_uint_eq(usec_of("250\xce\xbcs"), 250);
    ck_assert_uint_eq(usec_of("+2s"), 2000000);
}
END_TEST

START_TEST(test_duration_adds_terms_and_fractions)
{
    ck_assert_uint_eq(usec_of("1m30s"), 90000000);
    ck_assert_uint_eq(usec_of("1.5s"), 1500000);
    ck_assert_uint_eq(usec_of(".5s"), 500000);
    ck_assert_uint_eq(usec_of("5.s"), 5000000);
    ck_assert_uint_eq(usec_of("1h2m3.25s"), 3723250000ull);
}
END_TEST

START_TEST(test_duration_rounds_nanoseconds_up)
{
    ck_assert_uint_eq(usec_of("1ns"), 1);
    ck_assert_uint_eq(usec_of("1001ns"), 2);
}
END_TEST

/* Go keeps the fraction's scale in a float64: 100 zeros neither wrap nor divide by zero. */
START_TEST(test_duration_takes_long_fractions_as_go)
{
    char text[160] = "1.";
    memset(text + 2, '0', 100);
    strcpy(text + 102, "5s");
    ck_assert_uint_eq(usec_of(text), 1000000);   /* 1 + 5e-101 s */
    memset(text + 2, '0', 25);
    strcpy(text + 27, "123456789012345678h");
    ck_assert_uint_eq(usec_of(text), 3600000000ull);   /* 1 + 1.2e-26 h */
    memset(text, '0', 150);
    strcpy(text + 150, ".0s");
    uint64_t usec;
    ck_assert_int_eq(he_duration_parse_usec(text, &usec), -EINVAL);   /* zero, as Go reads it */
    memset(text, '0', 150);
    strcpy(text + 150, "1s");
    ck_assert_uint_eq(usec_of(text), 1000000);
}
END_TEST

START_TEST(test_duration_refuses_bad_text)
{
    static const char *const bad[] = {"", "5", "s", "5x", "5 s", ".s", "1.5.3s", "-1s",
                                      "0",  "0s", "-0s", "10000000000h"};
    uint64_t usec;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(he_duration_parse_usec(bad[i], &usec) < 0, "accepted \"%s\"", bad[i]);
    }
    ck_assert_int_lt(he_duration_parse_usec(NULL, &usec), 0);
}
END_TEST

START_TEST(test_check_names_the_value)
{
    char err[128] = "";
    ck_assert_int_eq(he_duration_check_flag("200ms", err, sizeof(err)), 0);
    ck_assert_int_eq(he_duration_check_flag("soon", err, sizeof(err)), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "\"soon\""));
}
END_TEST

START_TEST(test_open_without_bus_fails_at_once)
{
    struct he_dbus d;
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/he-test-bus", 1);
    he_dbus_init(&d, "test", 200000);
    ck_assert_int_eq(he_dbus_open(&d), -ENOENT);
    ck_assert_ptr_null(d.bus);
    sd_bus_message *reply = NULL;
    ck_assert_int_eq(he_dbus_call(&d, "a.b", "/", "a.b", "C", &reply), -ENOTCONN);
    he_dbus_close(&d);
}
END_TEST

static Suite *dbus_suite(void)
{
    Suite *s = suite_create("dbus");
    TCase *duration = tcase_create("duration");
    tcase_add_test(duration, test_duration_accepts_go_units);
    tcase_add_test(duration, test_duration_adds_terms_and_fractions);
    tcase_add_test(duration, test_duration_rounds_nanoseconds_up);
    tcase_add_test(duration, test_duration_takes_long_fractions_as_go);
    tcase_add_test(duration, test_duration_refuses_bad_text);
    tcase_add_test(duration, test_check_names_the_value);
    suite_add_tcase(s, duration);

    TCase *bus = tcase_create("bus");
    tcase_add_test(bus, test_open_without_bus_fails_at_once);
    suite_add_tcase(s, bus);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dbus_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
