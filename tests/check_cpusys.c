/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the devices/system/cpu helpers (src/cpusys.c): the CPU list
 * parser must accept and refuse exactly what procfs's parseCPURange does and
 * search with procfs's binary search; attributes read trimmed as Go does.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_cpusys.h"
#include "he_paths.h"

static char tmpdir[64];

static void make_sysfs(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/he_cpusys.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    he_paths.sysfs = tmpdir;
}

static void remove_sysfs(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes <sysfs>/devices/system/cpu/cpu0/<name>. */
static void write_attr(const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "mkdir -p '%s/devices/system/cpu/cpu0'", tmpdir);
    ck_assert_int_eq(system(path), 0);
    snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu0/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int parse(struct he_cpulist *l, const char *text)
{
    return he_cpulist_parse(l, text, strlen(text));
}

START_TEST(test_cpulist_parses_ranges_and_singles)
{
    struct he_cpulist l;
    he_cpulist_init(&l);
    ck_assert_int_eq(parse(&l, "0-3,8,10-11\n"), 0);
    uint16_t want[] = {0, 1, 2, 3, 8, 10, 11};
    ck_assert_uint_eq(l.n, 7);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_uint_eq(l.ids[i], want[i]);
    }
    he_cpulist_fini(&l);
}
END_TEST

START_TEST(test_cpulist_empty_file_is_an_empty_list)
{
    struct he_cpulist l;
    he_cpulist_init(&l);
    ck_assert_int_eq(parse(&l, "\n"), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(parse(&l, ",,"), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(parse(&l, "5-3"), 0); /* an empty range, as Go's loop */
    ck_assert_uint_eq(l.n, 0);
    he_cpulist_fini(&l);
}
END_TEST

START_TEST(test_cpulist_refuses_what_procfs_refuses)
{
    const char *bad[] = {"1-2-3", "x", "0-3 \n", "-5", "1\n\n", "0-", "3,a", "1\r\n"};
    struct he_cpulist l;
    he_cpulist_init(&l);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(parse(&l, "2"), 0);
        ck_assert_int_eq(parse(&l, bad[i]), -EINVAL);
        ck_assert_uint_eq(l.n, 0);
    }
    he_cpulist_fini(&l);
}
END_TEST

START_TEST(test_cpulist_takes_signs_and_wraps_like_go)
{
    struct he_cpulist l;
    he_cpulist_init(&l);
    ck_assert_int_eq(parse(&l, "+3,65537"), 0);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_uint_eq(l.ids[0], 3);
    ck_assert_uint_eq(l.ids[1], 1);
    he_cpulist_fini(&l);
}
END_TEST

START_TEST(test_cpulist_caps_huge_ranges)
{
    struct he_cpulist l;
    he_cpulist_init(&l);
    ck_assert_int_eq(parse(&l, "0-4000000000"), -E2BIG);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(parse(&l, "0-8191"), 0);
    ck_assert_uint_eq(l.n, 8192);
    he_cpulist_fini(&l);
}
END_TEST

START_TEST(test_cpulist_search_is_procfs_binary_search)
{
    struct he_cpulist l;
    he_cpulist_init(&l);
    ck_assert(!he_cpulist_search(&l, 0));
    ck_assert_int_eq(parse(&l, "2,5-7,9"), 0);
    ck_assert(he_cpulist_search(&l, 2));
    ck_assert(he_cpulist_search(&l, 6));
    ck_assert(he_cpulist_search(&l, 9));
    ck_assert(!he_cpulist_search(&l, 8));
    ck_assert_int_eq(parse(&l, "5,3"), 0);
    ck_assert(!he_cpulist_search(&l, 3)); /* unsorted: missed, as upstream */
    he_cpulist_fini(&l);
}
END_TEST

START_TEST(test_cpu_read_attr_trims_both_ends_like_go)
{
    char buf[HE_CPU_ATTR_SIZE];
    write_attr("governor", " \tschedutil \r\n");
    ck_assert_int_eq(he_cpu_read_attr("cpu0", "governor", buf, SIZE_MAX), 9);
    ck_assert_str_eq(buf, "schedutil");
    ck_assert_int_eq(he_cpu_read_attr("cpu0", "missing", buf, SIZE_MAX), -ENOENT);
}
END_TEST

START_TEST(test_cpu_read_attr_keeps_sysreadfile_prefix)
{
    char buf[HE_CPU_ATTR_SIZE];
    char text[300];
    memset(text, 'a', 200);
    text[0] = '1';
    text[1] = ' ';
    text[200] = '\0';
    write_attr("online", text);
    ck_assert_int_eq(he_cpu_read_attr("cpu0", "online", buf, 2), 1);
    ck_assert_str_eq(buf, "1");
    ck_assert_int_eq(he_cpu_read_attr("cpu0", "online", buf, HE_CPU_SYSREAD_MAX), 128);
}
END_TEST

START_TEST(test_cpu_read_u64_parses_and_rejects_garbage)
{
    uint64_t v = 0;
    write_attr("core_id", "  17\n");
    ck_assert_int_eq(he_cpu_read_u64("cpu0", "core_id", &v), 0);
    ck_assert_uint_eq(v, 17);
    write_attr("core_id", "-1\n");
    ck_assert_int_eq(he_cpu_read_u64("cpu0", "core_id", &v), -EINVAL);
    write_attr("core_id", "<unknown>\n");
    ck_assert_int_eq(he_cpu_read_u64("cpu0", "core_id", &v), -EINVAL);
    write_attr("core_id", "");
    ck_assert_int_eq(he_cpu_read_u64("cpu0", "core_id", &v), -EINVAL);
}
END_TEST

START_TEST(test_cpu_name_ok_matches_glob)
{
    ck_assert(he_cpu_name_ok("cpu0"));
    ck_assert(he_cpu_name_ok("cpu12x"));
    ck_assert(!he_cpu_name_ok("cpufreq"));
    ck_assert(!he_cpu_name_ok("cpu"));
    ck_assert(!he_cpu_name_ok("cpuidle"));
}
END_TEST

START_TEST(test_cpu_next_field_walks_blank_separated_fields)
{
    const char *text = " a\tbb  c \r";
    struct he_field line = {text, strlen(text)};
    struct he_field f;
    size_t pos = 0;
    ck_assert(he_cpu_next_field(line, &pos, &f) && f.len == 1 && f.p[0] == 'a');
    ck_assert(he_cpu_next_field(line, &pos, &f) && f.len == 2 && f.p[0] == 'b');
    ck_assert(he_cpu_next_field(line, &pos, &f) && f.len == 1 && f.p[0] == 'c');
    ck_assert(!he_cpu_next_field(line, &pos, &f));
}
END_TEST

static Suite *cpusys_suite(void)
{
    Suite *s = suite_create("cpusys");
    TCase *tc = tcase_create("lists");
    tcase_add_test(tc, test_cpulist_parses_ranges_and_singles);
    tcase_add_test(tc, test_cpulist_empty_file_is_an_empty_list);
    tcase_add_test(tc, test_cpulist_refuses_what_procfs_refuses);
    tcase_add_test(tc, test_cpulist_takes_signs_and_wraps_like_go);
    tcase_add_test(tc, test_cpulist_caps_huge_ranges);
    tcase_add_test(tc, test_cpulist_search_is_procfs_binary_search);
    tcase_add_test(tc, test_cpu_name_ok_matches_glob);
    tcase_add_test(tc, test_cpu_next_field_walks_blank_separated_fields);
    suite_add_tcase(s, tc);

    TCase *fs = tcase_create("attributes");
    tcase_add_checked_fixture(fs, make_sysfs, remove_sysfs);
    tcase_add_test(fs, test_cpu_read_attr_trims_both_ends_like_go);
    tcase_add_test(fs, test_cpu_read_attr_keeps_sysreadfile_prefix);
    tcase_add_test(fs, test_cpu_read_u64_parses_and_rejects_garbage);
    suite_add_tcase(s, fs);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cpusys_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
