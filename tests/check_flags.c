/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/flags.c and the registry it reads (src/registry.c). The file
 * registers two fake collectors, "alpha" (on by default, a string option) and
 * "beta" (off by default, a boolean option), and declares its own global flag
 * table shaped like main.c's, then feeds argv arrays to he_flags_parse(). The
 * grammar and the error texts are kingpin's, as node_exporter 1.x prints them, so
 * a command line that works (or fails) with node_exporter does the same here.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_flags.h"
#include "he_registry.h"

/* ---- fake collectors: beta is registered first so the registry must sort ---- */

static bool beta_extra;
static const char *alpha_pattern;

static const struct he_flag beta_flags[] = {
    {"collector.beta.extra", HE_FLAG_BOOL, NULL, "Report extra beta series.", &beta_extra, NULL},
    {0},
};

static const struct he_collector beta_collector = {
    .name = "beta",
    .default_enabled = false,
    .flags = beta_flags,
};
HE_COLLECTOR_REGISTER(beta_collector)

static const struct he_flag alpha_flags[] = {
    {"collector.alpha.pattern", HE_FLAG_STRING, "^(ram|loop)\\d+$",
     "Regexp of alpha devices to ignore.", &alpha_pattern, NULL},
    {0},
};

static const struct he_collector alpha_collector = {
    .name = "alpha",
    .default_enabled = true,
    .flags = alpha_flags,
};
HE_COLLECTOR_REGISTER(alpha_collector)

/* ---- a global flag table resembling main.c's ---- */

static struct {
    bool disable_defaults;
    struct he_strings listen;
    const char *telemetry_path;
    long max_requests;
    const char *log_level;
    const char *config_file;
} opt;

static int check_log_level(const char *v, char *err, size_t size)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcmp(v, levels[i]) == 0) {
            return 0;
        }
    }
    snprintf(err, size, "unrecognized log level \"%s\"", v);
    return -EINVAL;
}

static const struct he_flag globals[] = {
    {"collector.disable-defaults", HE_FLAG_BOOL, NULL, "Set all collectors to disabled by default.",
     &opt.disable_defaults, NULL},
    {"web.listen-address", HE_FLAG_STRINGS, ":9100",
     "Addresses on which to expose metrics and web interface.", &opt.listen, NULL},
    {"web.telemetry-path", HE_FLAG_STRING, "/metrics", "Path under which to expose metrics.",
     &opt.telemetry_path, NULL},
    {"web.max-requests", HE_FLAG_INT, "40", "Maximum number of parallel scrape requests.",
     &opt.max_requests, NULL},
    {"web.config.file", HE_FLAG_STRING, NULL, "Path to configuration file.", &opt.config_file,
     NULL},
    {"log.level", HE_FLAG_STRING, "info", "Only log messages with the given severity or above.",
     &opt.log_level, check_log_level},
    {0},
};

/* ---- helpers ---- */

static char err[256];

/* Parses a NULL-terminated argv whose argv[0] is the program name. */
static enum he_flags_result parse_argv(char **argv)
{
    int argc = 0;
    while (argv[argc]) {
        argc++;
    }
    return he_flags_parse(argc, argv, globals, err, sizeof(err));
}

#define PARSE(...) parse_argv((char *[]){"host_exporter", __VA_ARGS__, NULL})

static enum he_flags_result parse_nothing(void)
{
    return parse_argv((char *[]){"host_exporter", NULL});
}

/* Asserts that the command line fails with exactly the message want. */
#define ASSERT_PARSE_ERROR(want, ...)                                                              \
    do {                                                                                           \
        enum he_flags_result r_ = PARSE(__VA_ARGS__);                                              \
        ck_assert_int_eq(r_, HE_FLAGS_ERROR);                                                      \
        ck_assert_str_eq(err, want);                                                               \
    } while (0)

static bool enabled(const char *name)
{
    struct he_registry_entry *e = he_registry_find(name);
    ck_assert_ptr_nonnull(e);
    return e->enabled;
}

/* ---- errors ---- */

START_TEST(test_flags_rejects_unknown_long_flag)
{
    ASSERT_PARSE_ERROR("unknown long flag '--bogus'", "--bogus");
}
END_TEST

START_TEST(test_flags_unknown_flag_error_omits_value)
{
    ASSERT_PARSE_ERROR("unknown long flag '--bogus'", "--bogus=1");
}
END_TEST

START_TEST(test_flags_rejects_unknown_short_flag)
{
    ASSERT_PARSE_ERROR("unknown short flag '-x'", "-x");
}
END_TEST

START_TEST(test_flags_reads_clustered_short_flags_as_kingpin)
{
    ASSERT_PARSE_ERROR("unknown short flag '-x'", "-hx");
}
END_TEST

START_TEST(test_flags_rejects_missing_value_at_end)
{
    ASSERT_PARSE_ERROR("expected argument for flag '--web.telemetry-path'", "--web.telemetry-path");
}
END_TEST

START_TEST(test_flags_rejects_flag_as_value)
{
    ASSERT_PARSE_ERROR("expected argument for flag '--web.telemetry-path'", "--web.telemetry-path",
                       "--log.level=info");
    ASSERT_PARSE_ERROR("expected argument for flag '--web.telemetry-path'", "--web.telemetry-path",
                       "-x");
}
END_TEST

START_TEST(test_flags_rejects_missing_value_of_repeatable_flag)
{
    ASSERT_PARSE_ERROR("expected argument for flag '--web.listen-address'",
                       "--web.listen-address=:1", "--web.listen-address");
}
END_TEST

START_TEST(test_flags_rejects_repeated_flag)
{
    ASSERT_PARSE_ERROR("flag 'web.telemetry-path' cannot be repeated", "--web.telemetry-path=/a",
                       "--web.telemetry-path", "/b");
}
END_TEST

START_TEST(test_flags_rejects_repeated_bool_flag)
{
    ASSERT_PARSE_ERROR("flag 'collector.disable-defaults' cannot be repeated",
                       "--collector.disable-defaults", "--no-collector.disable-defaults");
}
END_TEST

START_TEST(test_flags_rejects_repeated_collector_switch)
{
    ASSERT_PARSE_ERROR("flag 'collector.alpha' cannot be repeated", "--collector.alpha",
                       "--collector.alpha");
}
END_TEST

START_TEST(test_flags_rejects_collector_switch_negated_then_enabled)
{
    ASSERT_PARSE_ERROR("flag 'collector.alpha' cannot be repeated", "--no-collector.alpha",
                       "--collector.alpha");
}
END_TEST

START_TEST(test_flags_rejects_repeated_collector_option)
{
    ASSERT_PARSE_ERROR("flag 'collector.alpha.pattern' cannot be repeated",
                       "--collector.alpha.pattern=a", "--collector.alpha.pattern=b");
}
END_TEST

START_TEST(test_flags_rejects_value_on_collector_switch)
{
    ASSERT_PARSE_ERROR("unexpected false", "--collector.alpha=false");
}
END_TEST

START_TEST(test_flags_rejects_value_on_bool_flag)
{
    ASSERT_PARSE_ERROR("unexpected true", "--collector.disable-defaults=true");
}
END_TEST

START_TEST(test_flags_rejects_positional_argument)
{
    ASSERT_PARSE_ERROR("unexpected foo", "foo");
    ASSERT_PARSE_ERROR("unexpected foo", "--web.telemetry-path=/x", "foo");
}
END_TEST

START_TEST(test_flags_treats_arguments_after_double_dash_as_positional)
{
    ASSERT_PARSE_ERROR("unexpected --web.telemetry-path=/x", "--", "--web.telemetry-path=/x");
    ASSERT_PARSE_ERROR("unexpected -h", "--", "-h");
}
END_TEST

START_TEST(test_flags_accepts_lone_double_dash)
{
    ck_assert_int_eq(PARSE("--"), HE_FLAGS_OK);
}
END_TEST

START_TEST(test_flags_rejects_negated_string_flag)
{
    ASSERT_PARSE_ERROR("unknown long flag '--no-web.telemetry-path'", "--no-web.telemetry-path");
    ASSERT_PARSE_ERROR("unknown long flag '--no-collector.alpha.pattern'",
                       "--no-collector.alpha.pattern");
}
END_TEST

/* Kingpin strips one "no-" and then needs an exact flag name. */
START_TEST(test_flags_rejects_double_negation)
{
    ASSERT_PARSE_ERROR("unknown long flag '--no-no-collector.alpha'", "--no-no-collector.alpha");
}
END_TEST

START_TEST(test_flags_rejects_unknown_collector_switch)
{
    ASSERT_PARSE_ERROR("unknown long flag '--collector.gamma'", "--collector.gamma");
    ASSERT_PARSE_ERROR("unknown long flag '--no-collector.gamma'", "--no-collector.gamma");
    ASSERT_PARSE_ERROR("unknown long flag '--collector.'", "--collector.");
}
END_TEST

START_TEST(test_flags_rejects_non_integer_value)
{
    static const char *const bad[] = {"abc", "12x", "", "1.5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char arg[64];
        snprintf(arg, sizeof(arg), "--web.max-requests=%s", bad[i]);
        ck_assert_int_eq(PARSE(arg), HE_FLAGS_ERROR);
        ck_assert_msg(strstr(err, "'--web.max-requests'") != NULL, "%s: error \"%s\"", bad[i],
                      err);
    }
}
END_TEST

START_TEST(test_flags_passes_check_message_through_naming_the_flag)
{
    ASSERT_PARSE_ERROR("unrecognized log level \"loud\" for flag '--log.level'", "--log.level=loud");
    ASSERT_PARSE_ERROR("unrecognized log level \"\" for flag '--log.level'", "--log.level", "");
}
END_TEST

START_TEST(test_flags_rejects_more_than_sixteen_listen_addresses)
{
    char *argv[20] = {"host_exporter"};
    for (int i = 1; i <= 16; i++) {
        argv[i] = "--web.listen-address=:1";
    }
    ck_assert_int_eq(parse_argv(argv), HE_FLAGS_OK);
    ck_assert_uint_eq(opt.listen.n, 16);
    argv[17] = "--web.listen-address=:17";
    ck_assert_int_eq(parse_argv(argv), HE_FLAGS_ERROR);
    ck_assert_str_eq(err, "too many values for flag '--web.listen-address'");
}
END_TEST

/* ---- values ---- */

START_TEST(test_flags_applies_defaults_without_arguments)
{
    ck_assert_int_eq(parse_nothing(), HE_FLAGS_OK);
    ck_assert_str_eq(err, "");
    ck_assert(!opt.disable_defaults);
    ck_assert_uint_eq(opt.listen.n, 1);
    ck_assert_str_eq(opt.listen.items[0], ":9100");
    ck_assert_str_eq(opt.telemetry_path, "/metrics");
    ck_assert_int_eq(opt.max_requests, 40);
    ck_assert_ptr_null(opt.config_file);
    ck_assert_str_eq(opt.log_level, "info");
}
END_TEST

START_TEST(test_flags_accepts_value_after_equals)
{
    ck_assert_int_eq(PARSE("--web.telemetry-path=/x", "--web.max-requests=7", "--log.level=debug"),
                     HE_FLAGS_OK);
    ck_assert_str_eq(opt.telemetry_path, "/x");
    ck_assert_int_eq(opt.max_requests, 7);
    ck_assert_str_eq(opt.log_level, "debug");
}
END_TEST

START_TEST(test_flags_accepts_value_as_next_argument)
{
    ck_assert_int_eq(PARSE("--web.telemetry-path", "/x", "--web.max-requests", "0"), HE_FLAGS_OK);
    ck_assert_str_eq(opt.telemetry_path, "/x");
    ck_assert_int_eq(opt.max_requests, 0);
}
END_TEST

START_TEST(test_flags_keeps_equals_signs_and_empty_values)
{
    ck_assert_int_eq(PARSE("--web.telemetry-path=/a=b", "--web.config.file="), HE_FLAGS_OK);
    ck_assert_str_eq(opt.telemetry_path, "/a=b");
    ck_assert_str_eq(opt.config_file, "");
}
END_TEST

START_TEST(test_flags_accepts_negative_integer_after_equals)
{
    ck_assert_int_eq(PARSE("--web.max-requests=-3"), HE_FLAGS_OK);
    ck_assert_int_eq(opt.max_requests, -3);
}
END_TEST

START_TEST(test_flags_collects_repeated_listen_addresses_in_order)
{
    ck_assert_int_eq(PARSE("--web.listen-address=:1", "--web.telemetry-path=/m",
                           "--web.listen-address", "[::1]:2", "--web.listen-address=:3"),
                     HE_FLAGS_OK);
    ck_assert_uint_eq(opt.listen.n, 3);
    ck_assert_str_eq(opt.listen.items[0], ":1");
    ck_assert_str_eq(opt.listen.items[1], "[::1]:2");
    ck_assert_str_eq(opt.listen.items[2], ":3");
}
END_TEST

START_TEST(test_flags_listen_default_only_when_none_given)
{
    ck_assert_int_eq(PARSE("--web.listen-address=:9200"), HE_FLAGS_OK);
    ck_assert_uint_eq(opt.listen.n, 1);
    ck_assert_str_eq(opt.listen.items[0], ":9200");
}
END_TEST

START_TEST(test_flags_sets_and_negates_bool_flag)
{
    ck_assert_int_eq(PARSE("--collector.disable-defaults"), HE_FLAGS_OK);
    ck_assert(opt.disable_defaults);
    ck_assert_int_eq(PARSE("--no-collector.disable-defaults"), HE_FLAGS_OK);
    ck_assert(!opt.disable_defaults);
    ck_assert(enabled("alpha"));
}
END_TEST

START_TEST(test_flags_returns_help_for_short_h)
{
    ck_assert_int_eq(PARSE("-h"), HE_FLAGS_HELP);
}
END_TEST

START_TEST(test_flags_returns_help_for_long_help)
{
    ck_assert_int_eq(PARSE("--help"), HE_FLAGS_HELP);
    ck_assert_int_eq(PARSE("--web.telemetry-path=/x", "--help"), HE_FLAGS_HELP);
}
END_TEST

START_TEST(test_flags_returns_version)
{
    ck_assert_int_eq(PARSE("--version"), HE_FLAGS_VERSION);
}
END_TEST

START_TEST(test_flags_reapplies_defaults_on_each_parse)
{
    ck_assert_int_eq(PARSE("--collector.disable-defaults", "--collector.beta",
                           "--web.listen-address=:1", "--web.listen-address=:2",
                           "--web.telemetry-path=/x", "--web.max-requests=3",
                           "--web.config.file=/etc/web.yml", "--log.level=error",
                           "--collector.alpha.pattern=x", "--collector.beta.extra"),
                     HE_FLAGS_OK);
    ck_assert(!enabled("alpha"));
    ck_assert_int_eq(parse_nothing(), HE_FLAGS_OK);
    ck_assert(!opt.disable_defaults);
    ck_assert_uint_eq(opt.listen.n, 1);
    ck_assert_str_eq(opt.listen.items[0], ":9100");
    ck_assert_str_eq(opt.telemetry_path, "/metrics");
    ck_assert_int_eq(opt.max_requests, 40);
    ck_assert_ptr_null(opt.config_file);
    ck_assert_str_eq(opt.log_level, "info");
    ck_assert_str_eq(alpha_pattern, "^(ram|loop)\\d+$");
    ck_assert(!beta_extra);
    ck_assert(enabled("alpha"));
    ck_assert(!enabled("beta"));
    ck_assert(!he_registry_find("beta")->set_on_command_line);
}
END_TEST

START_TEST(test_flags_error_parse_does_not_leak_into_next_parse)
{
    ck_assert_int_eq(PARSE("--web.telemetry-path=/x", "--bogus"), HE_FLAGS_ERROR);
    ck_assert_int_eq(parse_nothing(), HE_FLAGS_OK);
    ck_assert_str_eq(err, "");
    ck_assert_str_eq(opt.telemetry_path, "/metrics");
}
END_TEST

/* ---- collectors ---- */

START_TEST(test_flags_keeps_collector_defaults_without_switches)
{
    ck_assert_int_eq(parse_nothing(), HE_FLAGS_OK);
    ck_assert(enabled("alpha"));
    ck_assert(!enabled("beta"));
    ck_assert(!he_registry_find("alpha")->set_on_command_line);
}
END_TEST

START_TEST(test_flags_enables_default_off_collector)
{
    ck_assert_int_eq(PARSE("--collector.beta"), HE_FLAGS_OK);
    ck_assert(enabled("beta"));
    ck_assert(enabled("alpha"));
    ck_assert(he_registry_find("beta")->set_on_command_line);
    ck_assert(!he_registry_find("alpha")->set_on_command_line);
}
END_TEST

START_TEST(test_flags_disables_default_on_collector)
{
    ck_assert_int_eq(PARSE("--no-collector.alpha"), HE_FLAGS_OK);
    ck_assert(!enabled("alpha"));
    ck_assert(!enabled("beta"));
    ck_assert(he_registry_find("alpha")->set_on_command_line);
}
END_TEST

START_TEST(test_flags_disable_defaults_turns_off_every_collector)
{
    ck_assert_int_eq(PARSE("--collector.disable-defaults"), HE_FLAGS_OK);
    ck_assert(!enabled("alpha"));
    ck_assert(!enabled("beta"));
}
END_TEST

START_TEST(test_flags_disable_defaults_keeps_named_collectors)
{
    ck_assert_int_eq(PARSE("--collector.disable-defaults", "--collector.beta"), HE_FLAGS_OK);
    ck_assert(enabled("beta"));
    ck_assert(!enabled("alpha"));
}
END_TEST

START_TEST(test_flags_disable_defaults_applies_whatever_its_position)
{
    ck_assert_int_eq(PARSE("--collector.alpha", "--collector.disable-defaults"), HE_FLAGS_OK);
    ck_assert(enabled("alpha"));
    ck_assert(!enabled("beta"));
}
END_TEST

START_TEST(test_flags_parses_collector_options)
{
    ck_assert_int_eq(PARSE("--collector.alpha.pattern", "^sd", "--collector.beta.extra"),
                     HE_FLAGS_OK);
    ck_assert_str_eq(alpha_pattern, "^sd");
    ck_assert(beta_extra);
    ck_assert_int_eq(PARSE("--collector.alpha.pattern=", "--no-collector.beta.extra"),
                     HE_FLAGS_OK);
    ck_assert_str_eq(alpha_pattern, "");
    ck_assert(!beta_extra);
}
END_TEST

START_TEST(test_flags_applies_collector_option_defaults)
{
    ck_assert_int_eq(parse_nothing(), HE_FLAGS_OK);
    ck_assert_str_eq(alpha_pattern, "^(ram|loop)\\d+$");
    ck_assert(!beta_extra);
}
END_TEST

START_TEST(test_flags_collector_option_does_not_enable_collector)
{
    ck_assert_int_eq(PARSE("--collector.beta.extra"), HE_FLAGS_OK);
    ck_assert(!enabled("beta"));
}
END_TEST

/* ---- usage ---- */

/* Returns he_flags_usage() output; the caller frees it. */
static char *usage_text(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(f);
    he_flags_usage(f, "host_exporter", globals);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

START_TEST(test_flags_usage_lists_every_flag)
{
    static const char *const want[] = {
        "usage: host_exporter [<flags>]",
        "-h, --[no-]help",
        "--[no-]collector.alpha\n",
        "Enable the alpha collector (default: enabled).",
        "--[no-]collector.beta\n",
        "Enable the beta collector (default: disabled).",
        "--collector.alpha.pattern=\"^(ram|loop)\\\\d+$\"",
        "Regexp of alpha devices to ignore.",
        "--[no-]collector.beta.extra",
        "--[no-]collector.disable-defaults",
        "Set all collectors to disabled by default.",
        "--web.listen-address=\":9100\" ...",
        "--web.telemetry-path=\"/metrics\"",
        "--web.max-requests=\"40\"",
        "--web.config.file=WEB.CONFIG.FILE\n",
        "--log.level=\"info\"",
        "Only log messages with the given severity or above.",
        "--[no-]version",
    };
    char *text = usage_text();
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ck_assert_msg(strstr(text, want[i]) != NULL, "usage lacks \"%s\":\n%s", want[i], text);
    }
    free(text);
}
END_TEST

START_TEST(test_flags_usage_lists_collectors_in_name_order)
{
    char *text = usage_text();
    const char *alpha = strstr(text, "--[no-]collector.alpha\n");
    const char *beta = strstr(text, "--[no-]collector.beta\n");
    ck_assert_ptr_nonnull(alpha);
    ck_assert_ptr_nonnull(beta);
    ck_assert(alpha < beta);
    free(text);
}
END_TEST

/* ---- registry ---- */

START_TEST(test_registry_finds_collector_by_name)
{
    struct he_registry_entry *e = he_registry_find("alpha");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_eq(e->c, &alpha_collector);
    ck_assert(e->c->default_enabled);
    ck_assert_ptr_eq(he_registry_find("beta")->c, &beta_collector);
    ck_assert_ptr_null(he_registry_find("alph"));
    ck_assert_ptr_null(he_registry_find("alphaa"));
    ck_assert_ptr_null(he_registry_find(""));
}
END_TEST

START_TEST(test_registry_orders_entries_by_name)
{
    ck_assert_uint_eq(he_registry_count(), 2);
    ck_assert_str_eq(he_registry_at(0)->c->name, "alpha");
    ck_assert_str_eq(he_registry_at(1)->c->name, "beta");
    ck_assert_ptr_null(he_registry_at(2));
}
END_TEST

static TCase *errors_tcase(void)
{
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, test_flags_rejects_unknown_long_flag);
    tcase_add_test(tc, test_flags_unknown_flag_error_omits_value);
    tcase_add_test(tc, test_flags_rejects_unknown_short_flag);
    tcase_add_test(tc, test_flags_reads_clustered_short_flags_as_kingpin);
    tcase_add_test(tc, test_flags_rejects_missing_value_at_end);
    tcase_add_test(tc, test_flags_rejects_flag_as_value);
    tcase_add_test(tc, test_flags_rejects_missing_value_of_repeatable_flag);
    tcase_add_test(tc, test_flags_rejects_repeated_flag);
    tcase_add_test(tc, test_flags_rejects_repeated_bool_flag);
    tcase_add_test(tc, test_flags_rejects_repeated_collector_switch);
    tcase_add_test(tc, test_flags_rejects_collector_switch_negated_then_enabled);
    tcase_add_test(tc, test_flags_rejects_repeated_collector_option);
    tcase_add_test(tc, test_flags_rejects_value_on_collector_switch);
    tcase_add_test(tc, test_flags_rejects_value_on_bool_flag);
    tcase_add_test(tc, test_flags_rejects_positional_argument);
    tcase_add_test(tc, test_flags_treats_arguments_after_double_dash_as_positional);
    tcase_add_test(tc, test_flags_accepts_lone_double_dash);
    tcase_add_test(tc, test_flags_rejects_negated_string_flag);
    tcase_add_test(tc, test_flags_rejects_double_negation);
    tcase_add_test(tc, test_flags_rejects_unknown_collector_switch);
    tcase_add_test(tc, test_flags_rejects_non_integer_value);
    tcase_add_test(tc, test_flags_passes_check_message_through_naming_the_flag);
    tcase_add_test(tc, test_flags_rejects_more_than_sixteen_listen_addresses);
    return tc;
}

static TCase *values_tcase(void)
{
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, test_flags_applies_defaults_without_arguments);
    tcase_add_test(tc, test_flags_accepts_value_after_equals);
    tcase_add_test(tc, test_flags_accepts_value_as_next_argument);
    tcase_add_test(tc, test_flags_keeps_equals_signs_and_empty_values);
    tcase_add_test(tc, test_flags_accepts_negative_integer_after_equals);
    tcase_add_test(tc, test_flags_collects_repeated_listen_addresses_in_order);
    tcase_add_test(tc, test_flags_listen_default_only_when_none_given);
    tcase_add_test(tc, test_flags_sets_and_negates_bool_flag);
    tcase_add_test(tc, test_flags_returns_help_for_short_h);
    tcase_add_test(tc, test_flags_returns_help_for_long_help);
    tcase_add_test(tc, test_flags_returns_version);
    tcase_add_test(tc, test_flags_reapplies_defaults_on_each_parse);
    tcase_add_test(tc, test_flags_error_parse_does_not_leak_into_next_parse);
    return tc;
}

static TCase *collectors_tcase(void)
{
    TCase *tc = tcase_create("collectors");
    tcase_add_test(tc, test_flags_keeps_collector_defaults_without_switches);
    tcase_add_test(tc, test_flags_enables_default_off_collector);
    tcase_add_test(tc, test_flags_disables_default_on_collector);
    tcase_add_test(tc, test_flags_disable_defaults_turns_off_every_collector);
    tcase_add_test(tc, test_flags_disable_defaults_keeps_named_collectors);
    tcase_add_test(tc, test_flags_disable_defaults_applies_whatever_its_position);
    tcase_add_test(tc, test_flags_parses_collector_options);
    tcase_add_test(tc, test_flags_applies_collector_option_defaults);
    tcase_add_test(tc, test_flags_collector_option_does_not_enable_collector);
    return tc;
}

static TCase *usage_tcase(void)
{
    TCase *tc = tcase_create("usage");
    tcase_add_test(tc, test_flags_usage_lists_every_flag);
    tcase_add_test(tc, test_flags_usage_lists_collectors_in_name_order);
    return tc;
}

static TCase *registry_tcase(void)
{
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, test_registry_finds_collector_by_name);
    tcase_add_test(tc, test_registry_orders_entries_by_name);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("flags");
    suite_add_tcase(s, errors_tcase());
    suite_add_tcase(s, values_tcase());
    suite_add_tcase(s, collectors_tcase());
    suite_add_tcase(s, usage_tcase());
    suite_add_tcase(s, registry_tcase());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
