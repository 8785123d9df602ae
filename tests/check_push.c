/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for push mode's URL (src/push.c): the Pushgateway's path, URL
 * escaping as Go's url.PathEscape, the @base64 form (base64url, no padding) for
 * values holding '/' and for empty ones, and refused settings. The transfers
 * themselves run against a real Pushgateway in push_test.py.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "he_push.h"

static char url_text[4096];
static char err[512];

/* Builds the URL into url_text; returns the result code. */
static int build(const char *base, const char *job, const char *instance,
                 const char *const *labels, size_t n)
{
    struct he_strings g = {.n = n};
    for (size_t i = 0; i < n; i++) {
        g.items[i] = labels[i];
    }
    struct he_buf b;
    he_buf_init(&b, 0);
    err[0] = '\0';
    int rc = he_push_build_url(&b, base, job, instance, &g, err, sizeof(err));
    snprintf(url_text, sizeof(url_text), "%.*s", (int)b.len, b.data ? b.data : "");
    he_buf_free(&b);
    return rc;
}

START_TEST(test_url_joins_job_and_instance)
{
    ck_assert_int_eq(build("http://gw:9091", "node", "vm", NULL, 0), 0);
    ck_assert_str_eq(url_text, "http://gw:9091/metrics/job/node/instance/vm");
}
END_TEST

START_TEST(test_url_drops_trailing_slashes_and_keeps_prefix)
{
    ck_assert_int_eq(build("https://gw/push//", "node", "vm", NULL, 0), 0);
    ck_assert_str_eq(url_text, "https://gw/push/metrics/job/node/instance/vm");
}
END_TEST

START_TEST(test_url_without_scheme_gets_http)
{
    ck_assert_int_eq(build("127.0.0.1:9091", "node", "vm", NULL, 0), 0);
    ck_assert_str_eq(url_text, "http://127.0.0.1:9091/metrics/job/node/instance/vm");
}
END_TEST

START_TEST(test_url_escapes_as_go_path_escape)
{
    const char *labels[] = {"a=host 1%?;,#", "b=$&+:=@-_.~", "c=\xc3\xbc"};
    ck_assert_int_eq(build("http://gw", "node", "vm", labels, 3), 0);
    ck_assert_str_eq(url_text, "http://gw/metrics/job/node/instance/vm"
                               "/a/host%201%25%3F%3B%2C%23/b/$&+:=@-_.~/c/%C3%BC");
}
END_TEST

START_TEST(test_url_uses_base64_for_slashes)
{
    const char *labels[] = {"rack=r/1", "odd=a/\xfb\xff"};
    ck_assert_int_eq(build("http://gw", "batch/nightly", "/", labels, 2), 0);
    ck_assert_str_eq(url_text, "http://gw/metrics/job@base64/YmF0Y2gvbmlnaHRseQ"
                               "/instance@base64/Lw/rack@base64/ci8x/odd@base64/YS_7_w");
}
END_TEST

START_TEST(test_url_writes_empty_values_as_base64_equals)
{
    const char *labels[] = {"zone="};
    ck_assert_int_eq(build("http://gw", "node", "", labels, 1), 0);
    ck_assert_str_eq(url_text, "http://gw/metrics/job/node/instance@base64/=/zone@base64/=");
}
END_TEST

START_TEST(test_url_refuses_bad_settings)
{
    const char *bad_name[] = {"1x=y"};
    const char *reserved[] = {"job=x"};
    const char *reserved2[] = {"instance=x"};
    const char *no_eq[] = {"zone"};
    const char *twice[] = {"zone=a", "zone=b"};
    ck_assert_int_eq(build("ftp://gw", "node", "vm", NULL, 0), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "http or https"));
    ck_assert_int_eq(build("http://", "node", "vm", NULL, 0), -EINVAL);
    ck_assert_int_eq(build("http://gw", "", "vm", NULL, 0), -EINVAL);
    ck_assert_int_eq(build("http://gw", "node", "vm", bad_name, 1), -EINVAL);
    ck_assert_int_eq(build("http://gw", "node", "vm", reserved, 1), -EINVAL);
    ck_assert_int_eq(build("http://gw", "node", "vm", reserved2, 1), -EINVAL);
    ck_assert_int_eq(build("http://gw", "node", "vm", no_eq, 1), -EINVAL);
    ck_assert_int_eq(build("http://gw", "node", "vm", twice, 2), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "twice"));
}
END_TEST

START_TEST(test_flag_checks)
{
    ck_assert_int_eq(he_push_check_url("", err, sizeof(err)), 0);
    ck_assert_int_eq(he_push_check_url("HTTPS://gw:9091", err, sizeof(err)), 0);
    ck_assert_int_eq(he_push_check_url("unix://x", err, sizeof(err)), -EINVAL);
    ck_assert_int_eq(he_push_check_interval("15s", err, sizeof(err)), 0);
    ck_assert_int_eq(he_push_check_interval("1m30s", err, sizeof(err)), 0);
    ck_assert_int_eq(he_push_check_interval("0s", err, sizeof(err)), -EINVAL);
    ck_assert_int_eq(he_push_check_interval("10us", err, sizeof(err)), -EINVAL);
    ck_assert_int_eq(he_push_check_interval("soon", err, sizeof(err)), -EINVAL);
    ck_assert_int_eq(he_push_check_grouping("zone=a/b", err, sizeof(err)), 0);
    ck_assert_int_eq(he_push_check_grouping("__x=1", err, sizeof(err)), -EINVAL);
}
END_TEST

static Suite *push_suite(void)
{
    Suite *s = suite_create("push");
    TCase *url = tcase_create("url");
    tcase_add_test(url, test_url_joins_job_and_instance);
    tcase_add_test(url, test_url_drops_trailing_slashes_and_keeps_prefix);
    tcase_add_test(url, test_url_without_scheme_gets_http);
    tcase_add_test(url, test_url_escapes_as_go_path_escape);
    tcase_add_test(url, test_url_uses_base64_for_slashes);
    tcase_add_test(url, test_url_writes_empty_values_as_base64_equals);
    tcase_add_test(url, test_url_refuses_bad_settings);
    tcase_add_test(url, test_flag_checks);
    suite_add_tcase(s, url);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(push_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
