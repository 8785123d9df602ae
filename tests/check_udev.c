/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the udev helper's database-file source (src/udev.c), the one
 * fixtures use: --path.udev.data pointed at a temporary directory. The libudev
 * source is tested by tests/udev_test.sh, which needs a mount namespace.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "he_paths.h"
#include "he_udev.h"

static char tmpdir[64];
static struct he_udev *udev;

static void setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/he_udev.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    he_paths.udev_data = tmpdir;
    ck_assert_int_eq(he_udev_new(&udev), 0);
}

static void teardown(void)
{
    char cmd[128];
    he_udev_free(udev);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_entry(const char *name, const char *text, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

enum { MODEL, PATH, SERIAL, EMPTY, NPROPS };

static void init_props(struct he_udev_prop *props)
{
    props[MODEL].key = "ID_MODEL";
    props[PATH].key = "ID_PATH";
    props[SERIAL].key = "ID_SERIAL";
    props[EMPTY].key = "";
}

START_TEST(test_udev_reads_only_e_lines)
{
    static const char entry[] = "S:disk/by-id/x\nI:1\nE:ID_MODEL=m\nG:ID_PATH=tag\n"
                                "e:ID_SERIAL=lower\n E:ID_SERIAL=indented\nV:1\n";
    struct he_udev_prop props[NPROPS];
    init_props(props);
    write_entry("b8:0", entry, sizeof(entry) - 1);
    ck_assert_int_eq(he_udev_block_properties(udev, 8, 0, props, NPROPS), 1);
    ck_assert_str_eq(props[MODEL].value, "m");
    ck_assert_ptr_null(props[PATH].value);
    ck_assert_ptr_null(props[SERIAL].value);
}
END_TEST

START_TEST(test_udev_splits_at_first_equals_last_line_wins)
{
    static const char entry[] = "E:ID_PATH=a=b\nE:ID_MODEL=old\nE:ID_MODEL=new\nE:NOEQUALS\n"
                                "E:=nameless\nE:ID_SERIAL=";
    struct he_udev_prop props[NPROPS];
    init_props(props);
    write_entry("b8:16", entry, sizeof(entry) - 1);
    ck_assert_int_eq(he_udev_block_properties(udev, 8, 16, props, NPROPS), 1);
    ck_assert_str_eq(props[PATH].value, "a=b");
    ck_assert_str_eq(props[MODEL].value, "new");
    ck_assert_str_eq(props[SERIAL].value, "");   /* present, empty: as Go's map holds it */
    ck_assert_str_eq(props[EMPTY].value, "nameless");
}
END_TEST

START_TEST(test_udev_drops_carriage_return_like_scanlines)
{
    static const char entry[] = "E:ID_MODEL=crlf\r\nE:ID_PATH=cr\r\r\nE:ID_SERIAL=last\r";
    struct he_udev_prop props[NPROPS];
    init_props(props);
    write_entry("b8:32", entry, sizeof(entry) - 1);
    ck_assert_int_eq(he_udev_block_properties(udev, 8, 32, props, NPROPS), 1);
    ck_assert_str_eq(props[MODEL].value, "crlf");
    ck_assert_str_eq(props[PATH].value, "cr\r");   /* only one '\r' is dropped */
    ck_assert_str_eq(props[SERIAL].value, "last");
}
END_TEST

/* bufio.Scanner stops at a line of 64 KiB or more; what came before counts. */
START_TEST(test_udev_stops_at_line_too_long_for_scanner)
{
    size_t fill = 65536 - strlen("E:X=");
    char *text = malloc(fill + 64);
    ck_assert_ptr_nonnull(text);
    for (int longer = 0; longer < 2; longer++) {
        size_t n = (size_t)sprintf(text, "E:ID_PATH=before\nE:X=");
        memset(text + n, 'a', fill - 1 + (size_t)longer);
        n += fill - 1 + (size_t)longer;
        n += (size_t)sprintf(text + n, "\nE:ID_MODEL=after\n");
        struct he_udev_prop props[NPROPS];
        init_props(props);
        write_entry("b9:0", text, n);
        ck_assert_int_eq(he_udev_block_properties(udev, 9, 0, props, NPROPS), 1);
        ck_assert_str_eq(props[PATH].value, "before");
        if (longer) {
            ck_assert_ptr_null(props[MODEL].value);
        } else {
            ck_assert_str_eq(props[MODEL].value, "after");
        }
    }
    free(text);
}
END_TEST

START_TEST(test_udev_no_entry_leaves_values_null)
{
    struct he_udev_prop props[NPROPS];
    init_props(props);
    props[MODEL].value = "stale";
    ck_assert_int_eq(he_udev_block_properties(udev, 259, 7, props, NPROPS), 0);
    for (int i = 0; i < NPROPS; i++) {
        ck_assert_ptr_null(props[i].value);
    }
}
END_TEST

START_TEST(test_udev_unreadable_entry_is_an_error_with_null_values)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/b8:48", tmpdir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    struct he_udev_prop props[NPROPS];
    init_props(props);
    ck_assert_int_lt(he_udev_block_properties(udev, 8, 48, props, NPROPS), 0);
    ck_assert_ptr_null(props[MODEL].value);
}
END_TEST

static Suite *udev_suite(void)
{
    Suite *s = suite_create("udev");
    TCase *db = tcase_create("database file");
    tcase_add_checked_fixture(db, setup, teardown);
    tcase_add_test(db, test_udev_reads_only_e_lines);
    tcase_add_test(db, test_udev_splits_at_first_equals_last_line_wins);
    tcase_add_test(db, test_udev_drops_carriage_return_like_scanlines);
    tcase_add_test(db, test_udev_stops_at_line_too_long_for_scanner);
    tcase_add_test(db, test_udev_no_entry_leaves_values_null);
    tcase_add_test(db, test_udev_unreadable_entry_is_an_error_with_null_values);
    suite_add_tcase(s, db);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(udev_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
