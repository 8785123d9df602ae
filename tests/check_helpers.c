/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the collector helpers: Go-style regexes and include/exclude
 * filters (src/regex.c), sorted directory listings (src/dir.c), small attribute
 * reads (src/file.c) and the stable index sort (src/sort.c).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "he_dir.h"
#include "he_file.h"
#include "he_regex.h"
#include "he_sort.h"
#include "he_sysread.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/he_helpers.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *in_tmp(const char *name)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(in_tmp(name), "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_regex_translates_go_shorthands)
{
    struct he_regex r;
    char err[256];
    ck_assert_int_eq(he_regex_compile(&r, "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$", err,
                                      sizeof(err)), 0);
    ck_assert(he_regex_match(&r, "sda1"));
    ck_assert(he_regex_match(&r, "nvme0n1p2"));
    ck_assert(!he_regex_match(&r, "nvme0n1"));
    ck_assert(!he_regex_match(&r, "sda"));
    he_regex_free(&r);
    ck_assert_int_eq(he_regex_compile(&r, "(?:a|b)\\s\\w+", err, sizeof(err)), 0);
    ck_assert(he_regex_match(&r, "xx b word"));
    ck_assert(!he_regex_match(&r, "c word"));
    he_regex_free(&r);
}
END_TEST

START_TEST(test_regex_searches_unanchored_like_go)
{
    struct he_regex r;
    char err[256];
    ck_assert_int_eq(he_regex_compile(&r, "pg.*fault", err, sizeof(err)), 0);
    ck_assert(he_regex_match(&r, "pgmajfault"));
    ck_assert(he_regex_match(&r, "xpgfaultx"));
    he_regex_free(&r);
}
END_TEST

START_TEST(test_regex_case_insensitive_prefix)
{
    struct he_regex r;
    char err[256];
    ck_assert_int_eq(he_regex_compile(&r, "(?i)^eth", err, sizeof(err)), 0);
    ck_assert(he_regex_match(&r, "ETH0"));
    he_regex_free(&r);
}
END_TEST

/* Answers stay right across the table drops: a hit after regexec ran recompiles. */
START_TEST(test_regex_answers_survive_dropped_tables)
{
    struct he_regex r;
    char err[256];
    ck_assert_int_eq(he_regex_compile(&r, "^(eth|en)[0-9]+$", err, sizeof(err)), 0);
    for (int round = 0; round < 3; round++) {
        ck_assert(he_regex_match(&r, "eth0"));   /* a miss the first round, then remembered */
        ck_assert(!he_regex_match(&r, "lo"));
        ck_assert(!r.ran || round == 0);
    }
    ck_assert(!r.ran); /* the first answer from memory dropped regexec's tables */
    ck_assert(r.trimmed);
    ck_assert(he_regex_match(&r, "en12"));  /* a new name: regexec runs again */
    ck_assert(r.ran);
    ck_assert(he_regex_match(&r, "en12")); /* remembered; no second compile */
    ck_assert(r.ran);
    he_regex_trim(&r);
    ck_assert(!r.ran);
    ck_assert(!he_regex_match(&r, "wlan0"));
    ck_assert(he_regex_match(&r, "en12"));
    ck_assert(he_regex_match(&r, "eth0"));
    he_regex_free(&r);
}
END_TEST

START_TEST(test_regex_empty_pattern_is_unset)
{
    struct he_regex r;
    char err[256];
    ck_assert_int_eq(he_regex_compile(&r, "", err, sizeof(err)), 0);
    ck_assert(!r.compiled);
    ck_assert(!he_regex_match(&r, "anything"));
    ck_assert_int_eq(he_regex_compile(&r, NULL, err, sizeof(err)), 0);
    ck_assert(!r.compiled);
}
END_TEST

START_TEST(test_regex_reports_invalid_pattern)
{
    char err[256] = "";
    ck_assert_int_eq(he_regex_check_flag("(unclosed", err, sizeof(err)), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "(unclosed"));
    ck_assert_int_eq(he_regex_check_flag("^ok$", err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_regex_remembers_answers_and_stays_right_past_its_bound)
{
    struct he_regex r;
    char err[256];
    char name[32];
    ck_assert_int_eq(he_regex_compile(&r, "^eth[0-9]*7$", err, sizeof(err)), 0);
    for (int round = 0; round < 2; round++) { /* the second round answers from memory */
        for (int i = 0; i < 3000; i++) {     /* more names than it remembers */
            snprintf(name, sizeof(name), "eth%d", i);
            ck_assert_msg(he_regex_match(&r, name) == (i % 10 == 7), "%s round %d", name, round);
        }
    }
    ck_assert(!he_regex_match(&r, "eth"));
    ck_assert(!he_regex_match(&r, ""));
    he_regex_free(&r);
    ck_assert_ptr_null(r.memo);
}
END_TEST

START_TEST(test_filter_include_keeps_only_matches)
{
    struct he_filter f;
    char err[256];
    ck_assert_int_eq(he_filter_init(&f, "^eth", NULL, err, sizeof(err)), 0);
    ck_assert(!he_filter_ignored(&f, "eth0"));
    ck_assert(he_filter_ignored(&f, "lo"));
    he_filter_free(&f);
}
END_TEST

START_TEST(test_filter_exclude_drops_matches)
{
    struct he_filter f;
    char err[256];
    ck_assert_int_eq(he_filter_init(&f, "", "^lo$", err, sizeof(err)), 0);
    ck_assert(he_filter_ignored(&f, "lo"));
    ck_assert(!he_filter_ignored(&f, "eth0"));
    he_filter_free(&f);
}
END_TEST

START_TEST(test_filter_without_patterns_ignores_nothing)
{
    struct he_filter f;
    char err[256];
    ck_assert_int_eq(he_filter_init(&f, NULL, NULL, err, sizeof(err)), 0);
    ck_assert(!he_filter_ignored(&f, "x"));
    he_filter_free(&f);
}
END_TEST

START_TEST(test_filter_with_both_ignores_what_either_rejects)
{
    struct he_filter f;
    char err[256] = "";
    ck_assert_int_eq(he_filter_init(&f, "^eth", "^eth1$", err, sizeof(err)), 0);
    ck_assert(!he_filter_ignored(&f, "eth0"));
    ck_assert(he_filter_ignored(&f, "eth1"));
    ck_assert(he_filter_ignored(&f, "lo"));
    he_filter_free(&f);
}
END_TEST

START_TEST(test_dir_lists_sorted_without_dots)
{
    write_text("b", "");
    write_text("a", "");
    write_text("c10", "");
    write_text("c2", "");
    ck_assert_int_eq(mkdir(in_tmp("sub"), 0700), 0);
    struct he_dir d;
    he_dir_init(&d);
    ck_assert_int_eq(he_dir_read(&d, tmpdir), 0);
    ck_assert_uint_eq(d.n, 5);
    const char *want[] = {"a", "b", "c10", "c2", "sub"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(he_dir_name(&d, i), want[i]);
    }
    he_dir_fini(&d);
}
END_TEST

START_TEST(test_dir_reports_entry_types_and_keeps_descriptor)
{
    write_text("file", "x");
    ck_assert_int_eq(mkdir(in_tmp("sub"), 0700), 0);
    ck_assert_int_eq(symlink("file", in_tmp("link")), 0);
    struct he_dir d;
    he_dir_init(&d);
    int fd = -1;
    ck_assert_int_eq(he_dir_open_read(&d, tmpdir, &fd), 0);
    ck_assert_uint_eq(d.n, 3);
    ck_assert_str_eq(he_dir_name(&d, 0), "file");
    ck_assert_str_eq(he_dir_name(&d, 1), "link");
    ck_assert_str_eq(he_dir_name(&d, 2), "sub");
    /* tmpfs and ext4 fill d_type; DT_UNKNOWN would send callers to lstat */
    ck_assert(he_dir_type(&d, 0) == DT_REG || he_dir_type(&d, 0) == DT_UNKNOWN);
    ck_assert(he_dir_type(&d, 1) == DT_LNK || he_dir_type(&d, 1) == DT_UNKNOWN);
    ck_assert(he_dir_type(&d, 2) == DT_DIR || he_dir_type(&d, 2) == DT_UNKNOWN);
    char buf[HE_SYSREAD_MAX + 1];
    ck_assert_int_eq(he_sysread_at(fd, "file", buf), 1);
    ck_assert_str_eq(buf, "x");
    ck_assert_int_eq(he_sysread_at(fd, "missing", buf), -ENOENT);
    close(fd);
    he_dir_fini(&d);
}
END_TEST

START_TEST(test_dir_reuse_forgets_previous_listing)
{
    struct he_dir d;
    he_dir_init(&d);
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof(name), "f%03d", i);
        write_text(name, "");
    }
    ck_assert_int_eq(he_dir_read(&d, tmpdir), 0);
    ck_assert_uint_eq(d.n, 300);
    ck_assert_str_eq(he_dir_name(&d, 299), "f299");
    ck_assert_int_eq(mkdir(in_tmp("empty"), 0700), 0);
    ck_assert_int_eq(he_dir_read(&d, in_tmp("empty")), 0);
    ck_assert_uint_eq(d.n, 0);
    he_dir_fini(&d);
}
END_TEST

START_TEST(test_dir_reports_missing_and_non_directories)
{
    struct he_dir d;
    he_dir_init(&d);
    ck_assert_int_eq(he_dir_read(&d, in_tmp("nope")), -ENOENT);
    write_text("file", "x");
    ck_assert_int_eq(he_dir_read(&d, in_tmp("file")), -ENOTDIR);
    ck_assert_uint_eq(d.n, 0);
    he_dir_fini(&d);
}
END_TEST

START_TEST(test_attr_trims_trailing_newline)
{
    write_text("v", "performance\n");
    char buf[32];
    ck_assert_int_eq(he_read_attr(in_tmp("v"), buf, sizeof(buf)), 11);
    ck_assert_str_eq(buf, "performance");
}
END_TEST

START_TEST(test_attr_refuses_value_that_does_not_fit)
{
    write_text("v", "0123456789");
    char buf[10];
    ck_assert_int_eq(he_read_attr(in_tmp("v"), buf, sizeof(buf)), -EFBIG);
    char fits[11];
    ck_assert_int_eq(he_read_attr(in_tmp("v"), fits, sizeof(fits)), 10);
}
END_TEST

START_TEST(test_attr_u64_parses_and_rejects_garbage)
{
    uint64_t v = 0;
    write_text("n", "3400000\n");
    ck_assert_int_eq(he_read_attr_u64(in_tmp("n"), &v), 0);
    ck_assert_uint_eq(v, 3400000);
    write_text("g", "fast\n");
    ck_assert_int_eq(he_read_attr_u64(in_tmp("g"), &v), -EINVAL);
    write_text("e", "");
    ck_assert_int_eq(he_read_attr_u64(in_tmp("e"), &v), -EINVAL);
    ck_assert_int_eq(he_read_attr_u64(in_tmp("missing"), &v), -ENOENT);
}
END_TEST

static int compare_keys(const void *ctx, uint32_t a, uint32_t b)
{
    const int *keys = ctx;
    return (keys[a] > keys[b]) - (keys[a] < keys[b]);
}

START_TEST(test_sort_is_stable_and_ordered)
{
    enum { N = 1000 };
    static int keys[N];
    static uint32_t idx[N], tmp[N];
    for (uint32_t i = 0; i < N; i++) {
        keys[i] = (int)((i * 7919u) % 13u);
        idx[i] = i;
    }
    he_sort_indices(idx, tmp, N, compare_keys, keys);
    for (size_t i = 1; i < N; i++) {
        ck_assert_int_le(keys[idx[i - 1]], keys[idx[i]]);
        if (keys[idx[i - 1]] == keys[idx[i]]) {
            ck_assert_uint_lt(idx[i - 1], idx[i]);
        }
    }
}
END_TEST

static Suite *helpers_suite(void)
{
    Suite *s = suite_create("helpers");
    TCase *re = tcase_create("regex");
    tcase_add_test(re, test_regex_translates_go_shorthands);
    tcase_add_test(re, test_regex_searches_unanchored_like_go);
    tcase_add_test(re, test_regex_case_insensitive_prefix);
    tcase_add_test(re, test_regex_empty_pattern_is_unset);
    tcase_add_test(re, test_regex_answers_survive_dropped_tables);
    tcase_add_test(re, test_regex_reports_invalid_pattern);
    tcase_add_test(re, test_regex_remembers_answers_and_stays_right_past_its_bound);
    tcase_add_test(re, test_filter_include_keeps_only_matches);
    tcase_add_test(re, test_filter_exclude_drops_matches);
    tcase_add_test(re, test_filter_without_patterns_ignores_nothing);
    tcase_add_test(re, test_filter_with_both_ignores_what_either_rejects);
    suite_add_tcase(s, re);

    TCase *fs = tcase_create("filesystem");
    tcase_add_checked_fixture(fs, make_tmpdir, remove_tmpdir);
    tcase_add_test(fs, test_dir_lists_sorted_without_dots);
    tcase_add_test(fs, test_dir_reports_entry_types_and_keeps_descriptor);
    tcase_add_test(fs, test_dir_reuse_forgets_previous_listing);
    tcase_add_test(fs, test_dir_reports_missing_and_non_directories);
    tcase_add_test(fs, test_attr_trims_trailing_newline);
    tcase_add_test(fs, test_attr_refuses_value_that_does_not_fit);
    tcase_add_test(fs, test_attr_u64_parses_and_rejects_garbage);
    suite_add_tcase(s, fs);

    TCase *sort = tcase_create("sort");
    tcase_add_test(sort, test_sort_is_stable_and_ordered);
    suite_add_tcase(s, sort);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(helpers_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
