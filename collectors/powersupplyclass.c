/* SPDX-License-Identifier: Apache-2.0 */
/*
 * powersupplyclass: every regular file of each <sysfs>/class/power_supply/<name>/
 * (kernel Documentation/ABI/testing/sysfs-class-power). Numeric attributes become
 * node_power_supply_<name> gauges labelled {power_supply}: counts as they are
 * (online, present, capacity, cyclecount, time_to_*_seconds, ...), micro-units
 * divided by 1e6 (current_ampere, voltage_volt, energy_watthour, charge_ampere,
 * power_watt, ...), tenths of a degree divided by 10 (temp_*celsius). The text
 * attributes (status, technology, manufacturer, ...) become the labels of
 * node_power_supply_info, present only when non-empty.
 *
 * Mirrors node_exporter 1.12.1's collector/powersupplyclass_linux.go and the
 * procfs parser it calls (sysfs/class_power_supply.go): each file is read as
 * util.SysReadFile (one read of 128 bytes, trimmed); ENOENT, EOPNOTSUPP, ENODEV
 * and EINVAL skip the file, any other error or a value strconv.ParseInt(s, 0, 64)
 * refuses fails the whole class, so nothing is emitted (upstream parses every
 * supply before emitting any). --collector.powersupply.ignored-supplies drops
 * matching supplies after parsing, as upstream does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_sysread.h"

static const char *powersupplyclass_ignored_flag;

static const struct he_flag powersupplyclass_flags[] = {
    {"collector.powersupply.ignored-supplies", HE_FLAG_STRING, "^$",
     "Regexp of power supplies to ignore for powersupplyclass collector.",
     &powersupplyclass_ignored_flag, he_regex_check_flag},
    {0},
};

/*
 * A numeric attribute: its file, and the family it feeds (NULL for the ones
 * procfs parses but node_exporter does not export, whose bad values still fail
 * the class) with upstream's scaling.
 */
struct ps_numeric {
    const char *file;
    const char *metric;
    const char *help;
    double divisor;
};

#define PS_HELP(n) n " value of /sys/class/power_supply/<power_supply>."

static const struct ps_numeric ps_numerics[] = {
    {"authentic", "node_power_supply_authentic", PS_HELP("authentic"), 1},
    {"calibrate", "node_power_supply_calibrate", PS_HELP("calibrate"), 1},
    {"capacity", "node_power_supply_capacity", PS_HELP("capacity"), 1},
    {"capacity_alert_max", "node_power_supply_capacity_alert_max", PS_HELP("capacity_alert_max"), 1},
    {"capacity_alert_min", "node_power_supply_capacity_alert_min", PS_HELP("capacity_alert_min"), 1},
    {"cycle_count", "node_power_supply_cyclecount", PS_HELP("cyclecount"), 1},
    {"online", "node_power_supply_online", PS_HELP("online"), 1},
    {"present", "node_power_supply_present", PS_HELP("present"), 1},
    {"time_to_empty_now", "node_power_supply_time_to_empty_seconds",
     PS_HELP("time_to_empty_seconds"), 1},
    {"time_to_full_now", "node_power_supply_time_to_full_seconds", PS_HELP("time_to_full_seconds"),
     1},
    {"current_boot", "node_power_supply_current_boot", PS_HELP("current_boot"), 1e6},
    {"current_max", "node_power_supply_current_max", PS_HELP("current_max"), 1e6},
    {"current_now", "node_power_supply_current_ampere", PS_HELP("current_ampere"), 1e6},
    {"energy_empty", "node_power_supply_energy_empty", PS_HELP("energy_empty"), 1e6},
    {"energy_empty_design", "node_power_supply_energy_empty_design", PS_HELP("energy_empty_design"),
     1e6},
    {"energy_full", "node_power_supply_energy_full", PS_HELP("energy_full"), 1e6},
    {"energy_full_design", "node_power_supply_energy_full_design", PS_HELP("energy_full_design"),
     1e6},
    {"energy_now", "node_power_supply_energy_watthour", PS_HELP("energy_watthour"), 1e6},
    {"voltage_boot", "node_power_supply_voltage_boot", PS_HELP("voltage_boot"), 1e6},
    {"voltage_max", "node_power_supply_voltage_max", PS_HELP("voltage_max"), 1e6},
    {"voltage_max_design", "node_power_supply_voltage_max_design", PS_HELP("voltage_max_design"),
     1e6},
    {"voltage_min", "node_power_supply_voltage_min", PS_HELP("voltage_min"), 1e6},
    {"voltage_min_design", "node_power_supply_voltage_min_design", PS_HELP("voltage_min_design"),
     1e6},
    {"voltage_now", "node_power_supply_voltage_volt", PS_HELP("voltage_volt"), 1e6},
    {"voltage_ocv", "node_power_supply_voltage_ocv", PS_HELP("voltage_ocv"), 1e6},
    {"charge_control_limit", "node_power_supply_charge_control_limit",
     PS_HELP("charge_control_limit"), 1e6},
    {"charge_control_limit_max", "node_power_supply_charge_control_limit_max",
     PS_HELP("charge_control_limit_max"), 1e6},
    {"charge_counter", "node_power_supply_charge_counter", PS_HELP("charge_counter"), 1e6},
    {"charge_empty", "node_power_supply_charge_empty", PS_HELP("charge_empty"), 1e6},
    {"charge_empty_design", "node_power_supply_charge_empty_design", PS_HELP("charge_empty_design"),
     1e6},
    {"charge_full", "node_power_supply_charge_full", PS_HELP("charge_full"), 1e6},
    {"charge_full_design", "node_power_supply_charge_full_design", PS_HELP("charge_full_design"),
     1e6},
    {"charge_now", "node_power_supply_charge_ampere", PS_HELP("charge_ampere"), 1e6},
    {"charge_term_current", "node_power_supply_charge_term_current", PS_HELP("charge_term_current"),
     1e6},
    {"constant_charge_current", "node_power_supply_constant_charge_current",
     PS_HELP("constant_charge_current"), 1e6},
    {"constant_charge_current_max", "node_power_supply_constant_charge_current_max",
     PS_HELP("constant_charge_current_max"), 1e6},
    {"constant_charge_voltage", "node_power_supply_constant_charge_voltage",
     PS_HELP("constant_charge_voltage"), 1e6},
    {"constant_charge_voltage_max", "node_power_supply_constant_charge_voltage_max",
     PS_HELP("constant_charge_voltage_max"), 1e6},
    {"precharge_current", "node_power_supply_precharge_current", PS_HELP("precharge_current"), 1e6},
    {"input_current_limit", "node_power_supply_input_current_limit", PS_HELP("input_current_limit"),
     1e6},
    {"power_now", "node_power_supply_power_watt", PS_HELP("power_watt"), 1e6},
    {"temp", "node_power_supply_temp_celsius", PS_HELP("temp_celsius"), 10},
    {"temp_alert_max", "node_power_supply_temp_alert_max_celsius",
     PS_HELP("temp_alert_max_celsius"), 10},
    {"temp_alert_min", "node_power_supply_temp_alert_min_celsius",
     PS_HELP("temp_alert_min_celsius"), 10},
    {"temp_ambient", "node_power_supply_temp_ambient_celsius", PS_HELP("temp_ambient_celsius"), 10},
    {"temp_ambient_max", "node_power_supply_temp_ambient_max_celsius",
     PS_HELP("temp_ambient_max_celsius"), 10},
    {"temp_ambient_min", "node_power_supply_temp_ambient_min_celsius",
     PS_HELP("temp_ambient_min_celsius"), 10},
    {"temp_max", "node_power_supply_temp_max_celsius", PS_HELP("temp_max_celsius"), 10},
    {"temp_min", "node_power_supply_temp_min_celsius", PS_HELP("temp_min_celsius"), 10},
    /* parsed by procfs, not exported */
    {"charge_avg", NULL, NULL, 1},
    {"current_avg", NULL, NULL, 1},
    {"energy_avg", NULL, NULL, 1},
    {"power_avg", NULL, NULL, 1},
    {"time_to_empty_avg", NULL, NULL, 1},
    {"time_to_full_avg", NULL, NULL, 1},
    {"voltage_avg", NULL, NULL, 1},
};

#define PS_NNUMERIC (sizeof(ps_numerics) / sizeof(ps_numerics[0]))

/* Text attributes: the file is also the node_power_supply_info label name. */
static const char *const ps_texts[] = {
    "capacity_level", "charge_type", "health", "manufacturer", "model_name", "scope",
    "serial_number",  "status",      "technology", "type", "usb_type",
};

#define PS_NTEXT (sizeof(ps_texts) / sizeof(ps_texts[0]))

struct ps_supply {
    char name[NAME_MAX + 1];
    int64_t num[PS_NNUMERIC];
    bool have[PS_NNUMERIC];
    char text[PS_NTEXT][HE_SYSREAD_MAX + 1];
};

struct powersupplyclass_state {
    struct he_dir supplies;
    struct he_dir files;
    struct he_regex ignored;
    struct ps_supply *parsed;   /* grows to the most supplies seen */
    size_t cap;
};

static int powersupplyclass_init(void **state)
{
    struct powersupplyclass_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (!s) {
        return -ENOMEM;
    }
    if (he_regex_compile(&s->ignored, powersupplyclass_ignored_flag, err, sizeof(err)) < 0) {
        he_log_error("powersupplyclass: cannot compile ignored-supplies", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    he_dir_init(&s->supplies);
    he_dir_init(&s->files);
    *state = s;
    return 0;
}

static void powersupplyclass_fini(void *state)
{
    struct powersupplyclass_state *s = state;
    he_dir_fini(&s->supplies);
    he_dir_fini(&s->files);
    he_regex_free(&s->ignored);
    free(s->parsed);
    free(s);
}

/* Errors of one file that procfs skips: missing, or an attribute the driver cannot report now. */
static bool ps_skippable(int rc)
{
    return rc == -ENOENT || rc == -EOPNOTSUPP || rc == -ENODEV || rc == -EINVAL;
}

/* Stores one attribute's value by name; 0, or -EINVAL for a number ParseInt refuses. */
static int ps_store(struct ps_supply *p, const char *file, const char *value, int len)
{
    for (size_t i = 0; i < PS_NNUMERIC; i++) {
        if (strcmp(file, ps_numerics[i].file) == 0) {
            p->have[i] = true;
            return he_parse_i64_base0((struct he_field){value, (size_t)len}, &p->num[i]);
        }
    }
    for (size_t i = 0; i < PS_NTEXT; i++) {
        if (strcmp(file, ps_texts[i]) == 0) {
            memcpy(p->text[i], value, (size_t)len + 1);
            return 0;
        }
    }
    return 0;
}

/* One regular file of a supply (Go's DirEntry.Type().IsRegular(): lstat, links excluded). */
static int ps_read_file(struct ps_supply *p, const char *dir, const char *file)
{
    char path[PATH_MAX], value[HE_SYSREAD_MAX + 1];
    struct stat st;
    if (he_path_join(path, sizeof(path), dir, file) < 0) {
        return -ENAMETOOLONG;
    }
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        return 0;
    }
    int n = he_sysread(path, value);
    if (n < 0) {
        if (ps_skippable(n)) {
            return 0;
        }
        he_log_debug("powersupplyclass: read failed", "path", path, NULL);
        return n;
    }
    if (ps_store(p, file, value, n) < 0) {
        he_log_debug("powersupplyclass: not a number", "path", path, NULL);
        return -EINVAL;
    }
    return 0;
}

/* parsePowerSupply: 0 or the negative errno that fails the class. */
static int ps_parse(struct powersupplyclass_state *s, const char *dir, struct ps_supply *p)
{
    int rc = he_dir_read(&s->files, dir);
    if (rc < 0) {
        return rc;
    }
    memset(p->have, 0, sizeof(p->have));
    for (size_t i = 0; i < PS_NTEXT; i++) {
        p->text[i][0] = '\0';
    }
    for (size_t i = 0; i < s->files.n; i++) {
        if ((rc = ps_read_file(p, dir, he_dir_name(&s->files, i))) < 0) {
            return rc;
        }
    }
    return 0;
}

static int ps_grow(struct powersupplyclass_state *s, size_t n)
{
    if (n <= s->cap) {
        return 0;
    }
    struct ps_supply *p = realloc(s->parsed, n * sizeof(*p));
    if (!p) {
        return -ENOMEM;
    }
    s->parsed = p;
    s->cap = n;
    return 0;
}

static void ps_emit(struct he_writer *w, const struct ps_supply *p)
{
    struct he_label l[1 + PS_NTEXT] = {{"power_supply", p->name}};
    size_t n = 1;
    for (size_t i = 0; i < PS_NNUMERIC; i++) {
        const struct ps_numeric *m = &ps_numerics[i];
        if (p->have[i] && m->metric && he_writer_family(w, m->metric, m->help, HE_GAUGE) == 0) {
            he_writer_sample(w, l, 1, (double)p->num[i] / m->divisor);
        }
    }
    for (size_t i = 0; i < PS_NTEXT; i++) {
        if (p->text[i][0] != '\0') {
            l[n++] = (struct he_label){ps_texts[i], p->text[i]};
        }
    }
    if (he_writer_family(w, "node_power_supply_info",
                         "info of /sys/class/power_supply/<power_supply>.", HE_GAUGE) == 0) {
        he_writer_sample(w, l, n, 1);
    }
}

static int powersupplyclass_collect(void *state, struct he_writer *w)
{
    struct powersupplyclass_state *s = state;
    char top[PATH_MAX], dir[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/power_supply");
    if (rc < 0 || (rc = he_dir_read(&s->supplies, top)) < 0 ||
        (rc = ps_grow(s, s->supplies.n)) < 0) {
        return rc == -ENOENT ? -ENODATA : rc;
    }
    /* every supply is parsed before any is emitted: one bad file fails them all */
    for (size_t i = 0; i < s->supplies.n; i++) {
        const char *name = he_dir_name(&s->supplies, i);
        struct ps_supply *p = &s->parsed[i];
        if ((rc = he_path_join(dir, sizeof(dir), top, name)) < 0 ||
            (rc = ps_parse(s, dir, p)) < 0) {
            he_log_debug("powersupplyclass: supply failed", "path", dir, NULL);
            return rc == -ENOENT ? -ENODATA : rc;
        }
        snprintf(p->name, sizeof(p->name), "%s", name);
    }
    for (size_t i = 0; i < s->supplies.n; i++) {
        if (!he_regex_match(&s->ignored, s->parsed[i].name)) {
            ps_emit(w, &s->parsed[i]);
        }
    }
    return 0;
}

static const struct he_collector powersupplyclass_collector = {
    .name = "powersupplyclass",
    .default_enabled = true,
    .flags = powersupplyclass_flags,
    .init = powersupplyclass_init,
    .collect = powersupplyclass_collect,
    .fini = powersupplyclass_fini,
};

HE_COLLECTOR_REGISTER(powersupplyclass_collector)
