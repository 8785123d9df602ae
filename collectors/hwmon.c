/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hwmon: node_hwmon_* from <sysfs>/class/hwmon/hwmon*, the kernel's hardware
 * monitoring interface (Documentation/hwmon/sysfs-interface.rst). Each chip
 * directory, and its device/ directory when there is one, is listed; every file
 * named <type><n>[_<property>] whose type is one upstream knows (temp, in, fan,
 * pwm, curr, power, energy, humidity, freq, ...) is read (one read of at most
 * 128 bytes, newlines trimmed) and becomes a metric named from the type, the
 * property and a unit suffix: node_hwmon_temp_celsius, node_hwmon_temp_max_celsius,
 * node_hwmon_fan_rpm, node_hwmon_in_volts, node_hwmon_power_average_watt, ...
 * Also node_hwmon_chip_names (from the name file), node_hwmon_sensor_label (from
 * *_label files), node_hwmon_beep_enabled, node_hwmon_update_interval_seconds and
 * node_hwmon_voltage_regulator_version.
 *
 * The chip label is upstream's: <parent dir>_<device dir> of the resolved device
 * link, else the name file, else the hwmonN directory name, each cleaned to
 * [a-z0-9:_]. Metric names are built from file names, so they cannot all be
 * literals here; every fixed family is spelled out below.
 *
 * Mirrors node_exporter 1.12.1's collector/hwmon_linux.go, including its
 * --collector.hwmon.chip-include/-exclude and .sensor-include/-exclude filters
 * (sensors are matched as "<chip>;<sensor>").
 *
 * Beyond upstream, --collector.hwmon.sensors-config (off by default, so the
 * output stays upstream's) applies the system's lm-sensors configuration
 * (/etc/sensors3.conf, /etc/sensors.d/) through libsensors when --path.sysfs is
 * the real /sys, the only tree libsensors reads: its "label" statements replace
 * node_hwmon_sensor_label values, its "ignore" statements drop the sensor from
 * every family, and node_hwmon_chip_names gains a "sensors_chip" label with
 * libsensors' chip name (coretemp-isa-0000). libsensors is asked once, at init,
 * what it knows; values are still read from sysfs below.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"

static const char *hwmon_chip_include;
static const char *hwmon_chip_exclude;
static const char *hwmon_sensor_include;
static const char *hwmon_sensor_exclude;
static bool hwmon_sensors_config;

static const struct he_flag hwmon_flags[] = {
    {"collector.hwmon.chip-include", HE_FLAG_STRING, NULL,
     "Regexp of hwmon chip to include (mutually exclusive to device-exclude).",
     &hwmon_chip_include, he_regex_check_flag},
    {"collector.hwmon.chip-exclude", HE_FLAG_STRING, NULL,
     "Regexp of hwmon chip to exclude (mutually exclusive to device-include).",
     &hwmon_chip_exclude, he_regex_check_flag},
    {"collector.hwmon.sensor-include", HE_FLAG_STRING, NULL,
     "Regexp of hwmon sensor to include (mutually exclusive to sensor-exclude).",
     &hwmon_sensor_include, he_regex_check_flag},
    {"collector.hwmon.sensor-exclude", HE_FLAG_STRING, NULL,
     "Regexp of hwmon sensor to exclude (mutually exclusive to sensor-include).",
     &hwmon_sensor_exclude, he_regex_check_flag},
    {"collector.hwmon.sensors-config", HE_FLAG_BOOL, NULL,
     "Apply the system's lm-sensors configuration (/etc/sensors3.conf, /etc/sensors.d/) through "
     "libsensors when --path.sysfs is /sys: its label statements set node_hwmon_sensor_label, its "
     "ignore statements drop sensors, and node_hwmon_chip_names gets a sensors_chip label with "
     "libsensors' chip name (e.g. coretemp-isa-0000).",
     &hwmon_sensors_config, NULL},
    {0},
};

/* upstream's hwmonSensorTypes; files of any other type are not read */
enum hw_type {
    T_VRM, T_BEEP_ENABLE, T_UPDATE_INTERVAL, T_IN, T_CPU, T_FAN, T_PWM, T_TEMP, T_CURR,
    T_POWER, T_ENERGY, T_HUMIDITY, T_INTRUSION, T_FREQ, T_COUNT,
};

static const char *const hw_type_names[T_COUNT] = {
    "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm",
    "temp", "curr", "power", "energy", "humidity", "intrusion", "freq",
};

/* sysReadFile reads once into 128 bytes: longer values are cut there */
#define HW_VALUE_MAX 128

/* One data[sensor][property] = value entry of upstream's map. */
struct hw_rec {
    enum hw_type type;
    char sensor[40];     /* type + decimal number: "temp1", "beep_enable0" */
    char prop[256];      /* "" for a file without "_<property>" */
    char value[HW_VALUE_MAX + 1];
    size_t value_len;
    bool done;           /* already emitted with its sensor */
};

/* One feature libsensors reports (not ignored), under our sensor name. */
struct hw_ls_feat {
    char sensor[40];     /* "temp2", "cpu0" for cpu0_vid, "beep_enable0" for beep_enable */
    char *label;         /* the configuration's label, or NULL */
};

/* One chip libsensors detected, keyed by the real path of its attribute directory. */
struct hw_ls_chip {
    char *path;
    char name[128];      /* sensors_snprintf_chip_name: "coretemp-isa-0000" */
    struct hw_ls_feat *feats;
    size_t nfeats;
};

struct hwmon_state {
    struct he_dir top;
    struct he_dir chip;
    struct he_file file;
    struct he_filter chip_filter;
    struct he_filter sensor_filter;
    struct hw_rec *recs;   /* grows to the largest chip seen */
    size_t nrecs;
    size_t cap;
    bool ls_on;                 /* libsensors initialised: the option is in force */
    struct hw_ls_chip *ls_chips;
    size_t nls_chips;
};

/*
 * libsensors' feature name as our sensor name: the VID feature "cpu0_vid" is
 * our "cpu0" (file cpu0_vid), "beep_enable" our "beep_enable0"; the others agree.
 */
static void hw_ls_sensor_name(const char *feature, char *out, size_t size)
{
    size_t len = strlen(feature);
    if (strcmp(feature, "beep_enable") == 0) {
        snprintf(out, size, "beep_enable0");
    } else if (len > 4 && strncmp(feature, "cpu", 3) == 0 &&
               strcmp(feature + len - 4, "_vid") == 0) {
        snprintf(out, size, "%.*s", (int)(len - 4), feature);
    } else {
        snprintf(out, size, "%s", feature);
    }
}

/*
 * The configuration's own label for a feature, or NULL. sensors_get_label falls
 * back to the sysfs <feature>_label file and then to the feature name; asking with
 * a copy of the chip name whose path is no directory leaves only the
 * configuration's label, which differs from the name when there is one (a label
 * equal to the feature's own name cannot be told apart, and changes nothing).
 */
static char *hw_ls_config_label(const sensors_chip_name *chip, const sensors_feature *f)
{
    sensors_chip_name probe = *chip;
    char path[] = "/dev/null";
    probe.path = path;
    char *label = sensors_get_label(&probe, f);
    if (label && strcmp(label, f->name) == 0) {
        free(label);
        label = NULL;
    }
    return label;
}

/* Records libsensors' view of one detected chip: name, path, features, labels. */
static int hw_ls_add_chip(struct hwmon_state *s, const sensors_chip_name *cn)
{
    char real[PATH_MAX];
    if (!cn->path || !realpath(cn->path, real)) {
        return 0;
    }
    struct hw_ls_chip *c = &s->ls_chips[s->nls_chips];
    memset(c, 0, sizeof(*c));
    if (sensors_snprintf_chip_name(c->name, sizeof(c->name), cn) < 0) {
        c->name[0] = '\0';
    }
    if (!(c->path = strdup(real))) {
        return -ENOMEM;
    }
    s->nls_chips++;
    int nr = 0;
    size_t cap = 0;
    const sensors_feature *f;
    while ((f = sensors_get_features(cn, &nr))) {
        if (c->nfeats == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct hw_ls_feat *nf = realloc(c->feats, ncap * sizeof(*nf));
            if (!nf) {
                return -ENOMEM;
            }
            c->feats = nf;
            cap = ncap;
        }
        struct hw_ls_feat *hf = &c->feats[c->nfeats++];
        hw_ls_sensor_name(f->name, hf->sensor, sizeof(hf->sensor));
        hf->label = hw_ls_config_label(cn, f);
    }
    return 0;
}

static void hw_ls_free(struct hwmon_state *s)
{
    for (size_t i = 0; i < s->nls_chips; i++) {
        for (size_t j = 0; j < s->ls_chips[i].nfeats; j++) {
            free(s->ls_chips[i].feats[j].label);
        }
        free(s->ls_chips[i].feats);
        free(s->ls_chips[i].path);
    }
    free(s->ls_chips);
    s->ls_chips = NULL;
    s->nls_chips = 0;
    if (s->ls_on) {
        sensors_cleanup();
        s->ls_on = false;
    }
}

/* True when --path.sysfs is the real /sys, the only tree libsensors reads. */
static bool hw_sysfs_is_live(void)
{
    char real[PATH_MAX];
    return realpath(he_paths.sysfs, real) && strcmp(real, "/sys") == 0;
}

/*
 * --collector.hwmon.sensors-config: reads the system configuration once
 * (sensors_init(NULL) loads /etc/sensors3.conf and /etc/sensors.d/) and keeps
 * what libsensors says of each chip. Any failure leaves the collector as upstream's.
 */
static void hw_ls_load(struct hwmon_state *s)
{
    if (!hwmon_sensors_config) {
        return;
    }
    if (!hw_sysfs_is_live()) {
        he_log_info("hwmon: --collector.hwmon.sensors-config applies only when --path.sysfs is /sys",
                    "path", he_paths.sysfs, NULL);
        return;
    }
    int rc = sensors_init(NULL);
    if (rc != 0) {
        he_log_warn("hwmon: libsensors could not load the lm-sensors configuration", "err",
                    sensors_strerror(rc), NULL);
        return;
    }
    s->ls_on = true;
    size_t n = 0;
    int nr = 0;
    while (sensors_get_detected_chips(NULL, &nr)) {
        n++;
    }
    if (n && !(s->ls_chips = calloc(n, sizeof(*s->ls_chips)))) {
        hw_ls_free(s);
        return;
    }
    nr = 0;
    const sensors_chip_name *cn;
    while ((cn = sensors_get_detected_chips(NULL, &nr)) && s->nls_chips < n) {
        if (hw_ls_add_chip(s, cn) < 0) {
            he_log_warn("hwmon: out of memory reading libsensors chips", NULL);
            hw_ls_free(s);
            return;
        }
    }
    char count[32];
    snprintf(count, sizeof(count), "%zu", s->nls_chips);
    he_log_info("hwmon: lm-sensors configuration loaded through libsensors", "chips", count, NULL);
}

/* libsensors' chip for a chip directory (its own attributes or its device's), or NULL. */
static const struct hw_ls_chip *hw_ls_chip_for(const struct hwmon_state *s, const char *dir)
{
    char real[PATH_MAX], dev[PATH_MAX];
    if (!s->ls_on || !realpath(dir, real)) {
        return NULL;
    }
    for (size_t i = 0; i < s->nls_chips; i++) {
        if (strcmp(s->ls_chips[i].path, real) == 0) {
            return &s->ls_chips[i];
        }
    }
    if (he_path_join(dev, sizeof(dev), real, "device") < 0 || !realpath(dev, real)) {
        return NULL;
    }
    for (size_t i = 0; i < s->nls_chips; i++) {
        if (strcmp(s->ls_chips[i].path, real) == 0) {
            return &s->ls_chips[i];
        }
    }
    return NULL;
}

static const struct hw_ls_feat *hw_ls_feat_for(const struct hw_ls_chip *c, const char *sensor)
{
    for (size_t i = 0; c && i < c->nfeats; i++) {
        if (strcmp(c->feats[i].sensor, sensor) == 0) {
            return &c->feats[i];
        }
    }
    return NULL;
}

static int hwmon_init(void **state)
{
    struct hwmon_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->top);
    he_dir_init(&s->chip);
    he_file_init(&s->file, false, 65536);
    /* the flags were checked at start-up, so these compile */
    if (he_filter_init(&s->chip_filter, hwmon_chip_include, hwmon_chip_exclude, err,
                       sizeof(err)) < 0 ||
        he_filter_init(&s->sensor_filter, hwmon_sensor_include, hwmon_sensor_exclude, err,
                       sizeof(err)) < 0) {
        he_log_debug("hwmon: bad filter", "err", err, NULL);
    }
    hw_ls_load(s);
    *state = s;
    return 0;
}

static void hwmon_fini(void *state)
{
    struct hwmon_state *s = state;
    he_dir_fini(&s->top);
    he_dir_fini(&s->chip);
    he_file_fini(&s->file);
    he_filter_free(&s->chip_filter);
    he_filter_free(&s->sensor_filter);
    free(s->recs);
    hw_ls_free(s);
    free(s);
}

/* True when the rest of a file name after type and number fits "(_(.+))?$". */
static bool hw_tail_ok(const char *rest)
{
    if (rest[0] == '\0') {
        return true;
    }
    if (rest[0] != '_' || rest[1] == '\0') {
        return false;
    }
    return strchr(rest + 1, '\n') == NULL;
}

/*
 * explodeSensorFilename: matches ^([^0-9]+)([0-9]*)?(_(.+))?$ with the
 * leftmost-first preferences of Go's regexp (longest type, then longest number)
 * and parses the number as strconv.Atoi does. Returns false for no match or a
 * number out of int64 range; *type_len, *num and *prop describe the match.
 */
static bool hw_explode(const char *name, size_t *type_len, long long *num, const char **prop)
{
    size_t first_digit = strcspn(name, "0123456789");
    for (size_t tl = first_digit; tl >= 1; tl--) {
        size_t run = strspn(name + tl, "0123456789");
        for (size_t il = run + 1; il-- > 0;) {
            const char *rest = name + tl + il;
            if (!hw_tail_ok(rest)) {
                continue;
            }
            long long v = 0;
            for (size_t i = 0; i < il; i++) {
                int d = name[tl + i] - '0';
                if (v > (LLONG_MAX - d) / 10) {
                    return false;
                }
                v = v * 10 + d;
            }
            *type_len = tl;
            *num = v;
            *prop = rest[0] ? rest + 1 : rest;
            return true;
        }
    }
    return false;
}

static int hw_type_find(const char *name, size_t len)
{
    for (int t = 0; t < T_COUNT; t++) {
        if (strlen(hw_type_names[t]) == len && memcmp(hw_type_names[t], name, len) == 0) {
            return t;
        }
    }
    return -1;
}

/* Makes room for one more record; 0 or -ENOMEM. Grows to a high-water mark. */
static int hw_reserve(struct hwmon_state *s)
{
    if (s->nrecs < s->cap) {
        return 0;
    }
    size_t cap = s->cap ? s->cap * 2 : 64;
    if (cap > 65536) {
        return -ENOMEM;
    }
    struct hw_rec *r = realloc(s->recs, cap * sizeof(*r));
    if (!r) {
        return -ENOMEM;
    }
    s->recs = r;
    s->cap = cap;
    return 0;
}

/* addValueFile: stores data[sensor][prop] = value, a later file replacing an earlier one. */
static void hw_add(struct hwmon_state *s, enum hw_type type, const char *sensor, const char *prop,
                   const char *value, size_t len)
{
    struct hw_rec *r = NULL;
    for (size_t i = 0; i < s->nrecs; i++) {
        if (strcmp(s->recs[i].sensor, sensor) == 0 && strcmp(s->recs[i].prop, prop) == 0) {
            r = &s->recs[i];
            break;
        }
    }
    if (!r) {
        if (hw_reserve(s) < 0) {
            he_log_debug("hwmon: too many sensor files", "sensor", sensor, NULL);
            return;
        }
        r = &s->recs[s->nrecs++];
        r->type = type;
        snprintf(r->sensor, sizeof(r->sensor), "%s", sensor);
        snprintf(r->prop, sizeof(r->prop), "%s", prop);
        r->done = false;
    }
    memcpy(r->value, value, len);
    r->value[len] = '\0';
    r->value_len = len;
}

/*
 * sysReadFile + strings.Trim(value, "\n"): the first 128 bytes, newlines cut
 * from both ends. Returns the length or a negative errno (the file is skipped).
 */
static int hw_read_value(struct hwmon_state *s, const char *path, char *out)
{
    int rc = he_file_read(&s->file, path);
    if (rc < 0) {
        return rc;
    }
    size_t len = s->file.buf.len < HW_VALUE_MAX ? s->file.buf.len : HW_VALUE_MAX;
    const char *p = s->file.buf.data;
    while (len > 0 && p[0] == '\n') {
        p++;
        len--;
    }
    while (len > 0 && p[len - 1] == '\n') {
        len--;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return (int)len;
}

/* collectSensorData: every known sensor file of dir into the records. */
static int hw_collect_dir(struct hwmon_state *s, const char *dir)
{
    int rc = he_dir_read(&s->chip, dir);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->chip.n; i++) {
        const char *name = he_dir_name(&s->chip, i);
        size_t tl;
        long long num;
        const char *prop;
        char path[PATH_MAX], value[HW_VALUE_MAX + 1], sensor[40];
        if (!hw_explode(name, &tl, &num, &prop)) {
            continue;
        }
        int t = hw_type_find(name, tl);
        if (t < 0 || he_path_join(path, sizeof(path), dir, name) < 0) {
            continue;
        }
        int len = hw_read_value(s, path, value);
        if (len < 0) {
            continue;
        }
        snprintf(sensor, sizeof(sensor), "%s%lld", hw_type_names[t], num);
        hw_add(s, (enum hw_type)t, sensor, prop, value, (size_t)len);
    }
    return 0;
}

/* Reads a file whole, as os.ReadFile: 0 with the text in s->file.buf, or a negative errno. */
static int hw_read_whole(struct hwmon_state *s, const char *dir, const char *name)
{
    char path[PATH_MAX];
    int rc = he_path_join(path, sizeof(path), dir, name);
    return rc < 0 ? rc : he_file_read(&s->file, path);
}

/* Last element of path (after its last '/'). */
static const char *hw_base(const char *path, size_t len, size_t *base_len)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '/') {
        i--;
    }
    *base_len = len - i;
    return path + i;
}

/* hwmonName preference 1: "<parent>_<device>" of the resolved device link. */
static bool hw_name_from_device(const char *dir, char *out, size_t size)
{
    char link[PATH_MAX], real[PATH_MAX], name[256], type[256];
    if (he_path_join(link, sizeof(link), dir, "device") < 0 || !realpath(link, real)) {
        return false;
    }
    size_t len = strlen(real), nl, tl;
    const char *dev = hw_base(real, len, &nl);
    size_t plen = (size_t)(dev - real);
    while (plen > 0 && real[plen - 1] == '/') {
        plen--;
    }
    const char *parent = hw_base(real, plen, &tl);
    he_go_clean_metric_name(dev, nl, name, sizeof(name));
    he_go_clean_metric_name(parent, tl, type, sizeof(type));
    if (type[0] && name[0]) {
        return snprintf(out, size, "%s_%s", type, name) < (int)size;
    }
    if (name[0]) {
        snprintf(out, size, "%s", name);
        return true;
    }
    return false;
}

/*
 * hwmonName: the chip label. 0, or a negative errno when not even the resolved
 * directory's own name gives one (upstream then fails the chip).
 */
static int hw_chip_name(struct hwmon_state *s, const char *dir, char *out, size_t size)
{
    char real[PATH_MAX];
    if (hw_name_from_device(dir, out, size)) {
        return 0;
    }
    if (hw_read_whole(s, dir, "name") == 0 && s->file.buf.len > 0) {
        he_go_clean_metric_name(s->file.buf.data, s->file.buf.len, out, size);
        if (out[0]) {
            return 0;
        }
    }
    if (!realpath(dir, real)) {
        return -errno;
    }
    size_t bl;
    const char *base = hw_base(real, strlen(real), &bl);
    he_go_clean_metric_name(base, bl, out, size);
    return out[0] ? 0 : -EINVAL;
}

/* hwmonHumanReadableChipName: the cleaned name file, or false. */
static bool hw_human_name(struct hwmon_state *s, const char *dir, char *out, size_t size)
{
    if (hw_read_whole(s, dir, "name") < 0 || s->file.buf.len == 0) {
        return false;
    }
    he_go_clean_metric_name(s->file.buf.data, s->file.buf.len, out, size);
    return out[0] != '\0';
}

/* The record of sensor's property prop, or NULL. */
static const struct hw_rec *hw_find(const struct hwmon_state *s, const char *sensor,
                                    const char *prop)
{
    for (size_t i = 0; i < s->nrecs; i++) {
        if (strcmp(s->recs[i].sensor, sensor) == 0 && strcmp(s->recs[i].prop, prop) == 0) {
            return &s->recs[i];
        }
    }
    return NULL;
}

/* One gauge or counter sample labelled chip and sensor. */
static void hw_emit(struct he_writer *w, const char *name, const char *help,
                    enum he_metric_type type, double v, const char *chip, const char *sensor)
{
    struct he_label l[2] = {{"chip", chip}, {"sensor", sensor}};
    if (he_writer_family(w, name, help, type) == 0) {
        he_writer_sample(w, l, 2, v);
    }
}

/* True for the elements upstream hands out without a unit. */
static bool hw_emit_special(struct he_writer *w, const char *name, const char *tn,
                            const char *el, double v, const char *chip, const char *sensor)
{
    char help[512], full[600];
    if (strcmp(el, "fault") == 0 || strcmp(el, "alarm") == 0) {
        snprintf(help, sizeof(help), "Hardware sensor %s status (%s)", el, tn);
        hw_emit(w, name, help, HE_GAUGE, v, chip, sensor);
        return true;
    }
    if (strcmp(el, "beep") == 0) {
        snprintf(full, sizeof(full), "%s_enabled", name);
        hw_emit(w, full, "Hardware monitor sensor has beeping enabled", HE_GAUGE, v, chip, sensor);
        return true;
    }
    return false;
}

/* A family named base + suffix with HELP "<what> (<element>)". */
static void hw_emit_unit(struct he_writer *w, const char *base, const char *suffix,
                         const char *what, const char *el, enum he_metric_type type, double v,
                         const char *chip, const char *sensor)
{
    char name[512], help[512];
    snprintf(name, sizeof(name), "%s%s", base, suffix);
    snprintf(help, sizeof(help), "%s (%s)", what, el);
    hw_emit(w, name, help, type, v, chip, sensor);
}

static bool hw_is(const char *el, const char *a)
{
    return strcmp(el, a) == 0;
}

/*
 * One element of a sensor, named and scaled as upstream's chain of cases does
 * (the order matters: fault/alarm/beep first, then units by type, then the raw
 * fallback). name is node_hwmon_<type>[_<element>].
 */
static void hw_emit_element(struct hwmon_state *s, struct he_writer *w, const struct hw_rec *r,
                            const char *name, double v, const char *chip)
{
    const char *tn = hw_type_names[r->type], *el = r->prop, *sensor = r->sensor;
    enum hw_type t = r->type;
    char help[512], full[600];
    if (hw_emit_special(w, name, tn, el, v, chip, sensor)) {
        return;
    }
    if (t == T_IN || t == T_CPU) {
        hw_emit_unit(w, name, "_volts", "Hardware monitor for voltage", el, HE_GAUGE, v * 0.001,
                     chip, sensor);
    } else if (t == T_TEMP && !hw_is(el, "type")) {
        hw_emit_unit(w, name, "_celsius", "Hardware monitor for temperature", el[0] ? el : "input",
                     HE_GAUGE, v * 0.001, chip, sensor);
    } else if (t == T_CURR) {
        hw_emit_unit(w, name, "_amps", "Hardware monitor for current", el, HE_GAUGE, v * 0.001,
                     chip, sensor);
    } else if (t == T_ENERGY) {
        hw_emit_unit(w, name, "_joule_total", "Hardware monitor for joules used so far", el,
                     HE_COUNTER, v / 1000000.0, chip, sensor);
    } else if (t == T_POWER && hw_is(el, "accuracy")) {
        hw_emit(w, name, "Hardware monitor power meter accuracy, as a ratio", HE_GAUGE,
                v / 1000000.0, chip, sensor);
    } else if (t == T_POWER && (hw_is(el, "average_interval") || hw_is(el, "average_interval_min") ||
                                hw_is(el, "average_interval_max"))) {
        hw_emit_unit(w, name, "_seconds", "Hardware monitor power usage update interval", el,
                     HE_GAUGE, v * 0.001, chip, sensor);
    } else if (t == T_POWER) {
        hw_emit_unit(w, name, "_watt", "Hardware monitor for power usage in watts", el, HE_GAUGE,
                     v / 1000000.0, chip, sensor);
    } else if (t == T_HUMIDITY) {
        hw_emit_unit(w, name, "",
                     "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the "
                     "humidity as a percentage)",
                     el, HE_GAUGE, v / 1000000.0, chip, sensor);
    } else if (t == T_FAN && (hw_is(el, "input") || hw_is(el, "min") || hw_is(el, "max") ||
                              hw_is(el, "target"))) {
        hw_emit_unit(w, name, "_rpm", "Hardware monitor for fan revolutions per minute", el,
                     HE_GAUGE, v, chip, sensor);
    } else if (t == T_FREQ && hw_is(el, "input")) {
        /* only labelled frequencies (amdgpu's sclk/mclk), labelled by their cleaned label */
        const struct hw_rec *label = hw_find(s, sensor, "label");
        if (label) {
            char clean[HW_VALUE_MAX + 1];
            he_go_clean_metric_name(label->value, label->value_len, clean, sizeof(clean));
            snprintf(full, sizeof(full), "%s_freq_mhz", name);
            hw_emit(w, full, "Hardware monitor for GPU frequency in MHz", HE_GAUGE,
                    v / 1000000.0, chip, clean);
        }
    } else {
        snprintf(help, sizeof(help), "Hardware monitor %s element %s", tn, el);
        hw_emit(w, name, help, HE_GAUGE, v, chip, sensor);
    }
}

/* strconv.ParseFloat of the whole value; false when it is not a number. */
static bool hw_parse(const char *value, size_t len, double *v)
{
    return len > 0 && he_parse_double((struct he_field){value, len}, v) == 0;
}

/* The three sensor types upstream reports from their bare value alone. */
static bool hw_emit_whole(struct he_writer *w, const struct hw_rec *bare, enum hw_type t,
                          const char *chip, const char *sensor)
{
    double v;
    if (t == T_BEEP_ENABLE) {
        bool on = bare && strcmp(bare->value, "1") == 0;
        hw_emit(w, "node_hwmon_beep_enabled", "Hardware beep enabled", HE_GAUGE, on ? 1.0 : 0.0,
                chip, sensor);
        return true;
    }
    if (t != T_VRM && t != T_UPDATE_INTERVAL) {
        return false;
    }
    if (!bare || !hw_parse(bare->value, bare->value_len, &v)) {
        return true;
    }
    if (t == T_VRM) {
        hw_emit(w, "node_hwmon_voltage_regulator_version", "Hardware voltage regulator", HE_GAUGE,
                v, chip, sensor);
    } else {
        hw_emit(w, "node_hwmon_update_interval_seconds", "Hardware monitor update interval",
                HE_GAUGE, v * 0.001, chip, sensor);
    }
    return true;
}

/* Everything one sensor (all records sharing r->sensor) yields. */
static void hw_emit_sensor(struct hwmon_state *s, struct he_writer *w, size_t first,
                           const char *chip, const char *cfg_label)
{
    const char *sensor = s->recs[first].sensor;
    enum hw_type t = s->recs[first].type;
    const struct hw_rec *bare = hw_find(s, sensor, "");
    const struct hw_rec *label = hw_find(s, sensor, "label");
    if (label || cfg_label) {
        /* a label statement of the lm-sensors configuration wins over the _label file */
        const char *value = cfg_label ? cfg_label : label->value;
        struct he_label l[3] = {{"chip", chip}, {"sensor", sensor}, {"label", value}};
        if (he_writer_family(w, "node_hwmon_sensor_label", "Label for given chip and sensor",
                             HE_GAUGE) == 0) {
            he_writer_sample(w, l, 3, 1.0);
        }
    }
    if (hw_emit_whole(w, bare, t, chip, sensor)) {
        return;
    }
    for (size_t i = first; i < s->nrecs; i++) {
        const struct hw_rec *r = &s->recs[i];
        char name[512], clean[256];
        double v;
        if (strcmp(r->sensor, sensor) != 0 || hw_is(r->prop, "label")) {
            continue;
        }
        if (hw_is(r->prop, "input")) {
            /* input is the value itself, unless a bare file holds that */
            snprintf(name, sizeof(name), "node_hwmon_%s%s", hw_type_names[t], bare ? "_input" : "");
        } else if (r->prop[0]) {
            he_go_clean_metric_name(r->prop, strlen(r->prop), clean, sizeof(clean));
            snprintf(name, sizeof(name), "node_hwmon_%s_%s", hw_type_names[t], clean);
        } else {
            snprintf(name, sizeof(name), "node_hwmon_%s", hw_type_names[t]);
        }
        if (hw_parse(r->value, r->value_len, &v)) {
            hw_emit_element(s, w, r, name, v, chip);
        }
    }
}

/*
 * True when the lm-sensors configuration ignores the sensor of records[first]:
 * libsensors hides ignored features from sensors_get_features and offers no other
 * way to ask, so a sensor of a type libsensors knows, holding the file libsensors
 * builds that feature from (<type>N_input; power also _average, cpuN_vid,
 * intrusionN_alarm, beep_enable), that libsensors did not report was ignored.
 */
static bool hw_ls_ignored(const struct hwmon_state *s, const struct hw_ls_chip *c, size_t first)
{
    const char *sensor = s->recs[first].sensor;
    enum hw_type t = s->recs[first].type;
    if (!c || hw_ls_feat_for(c, sensor)) {
        return false;
    }
    switch (t) {
    case T_TEMP: case T_IN: case T_FAN: case T_CURR: case T_ENERGY: case T_HUMIDITY:
        return hw_find(s, sensor, "input") != NULL;
    case T_POWER:
        return hw_find(s, sensor, "input") || hw_find(s, sensor, "average");
    case T_CPU:
        return hw_find(s, sensor, "vid") != NULL;
    case T_INTRUSION:
        return hw_find(s, sensor, "alarm") != NULL;
    case T_BEEP_ENABLE:
        return hw_find(s, sensor, "") != NULL;
    default:
        return false;
    }
}

/* node_hwmon_chip_names, with libsensors' chip name when the option is on. */
static void hw_emit_chip_name(const struct hwmon_state *s, struct he_writer *w, const char *chip,
                              const char *human, const struct hw_ls_chip *c)
{
    struct he_label l[3] = {{"chip", chip}, {"chip_name", human},
                            {"sensors_chip", c ? c->name : ""}};
    if (he_writer_family(w, "node_hwmon_chip_names",
                         "Annotation metric for human-readable chip names", HE_GAUGE) == 0) {
        he_writer_sample(w, l, s->ls_on ? 3 : 2, 1.0);
    }
}

/* updateHwmon: one chip directory. 0 or the negative errno that fails the chip. */
static int hw_update_chip(struct hwmon_state *s, struct he_writer *w, const char *dir)
{
    char chip[520], human[256], dev[PATH_MAX], key[600];
    struct stat st;
    int rc = hw_chip_name(s, dir, chip, sizeof(chip));
    if (rc < 0) {
        return rc;
    }
    if (he_filter_ignored(&s->chip_filter, chip)) {
        he_log_debug("ignoring hwmon chip", "chip", chip, NULL);
        return 0;
    }
    s->nrecs = 0;
    if ((rc = hw_collect_dir(s, dir)) < 0) {
        return rc;
    }
    if (he_path_join(dev, sizeof(dev), dir, "device") == 0 && stat(dev, &st) == 0 &&
        (rc = hw_collect_dir(s, dev)) < 0) {
        return rc;
    }
    const struct hw_ls_chip *lc = hw_ls_chip_for(s, dir);
    if (hw_human_name(s, dir, human, sizeof(human))) {
        hw_emit_chip_name(s, w, chip, human, lc);
    }
    for (size_t i = 0; i < s->nrecs; i++) {
        if (s->recs[i].done) {
            continue;
        }
        for (size_t j = i; j < s->nrecs; j++) {
            if (strcmp(s->recs[j].sensor, s->recs[i].sensor) == 0) {
                s->recs[j].done = true;
            }
        }
        /* sensors are filtered as "<chip>;<sensor>", e.g. "platform_coretemp_0;temp3" */
        snprintf(key, sizeof(key), "%s;%s", chip, s->recs[i].sensor);
        if (he_filter_ignored(&s->sensor_filter, key)) {
            he_log_debug("ignoring sensor", "sensor", s->recs[i].sensor, NULL);
            continue;
        }
        if (hw_ls_ignored(s, lc, i)) {
            he_log_debug("sensor ignored by the lm-sensors configuration", "chip", chip, "sensor",
                         s->recs[i].sensor, NULL);
            continue;
        }
        const struct hw_ls_feat *lf = hw_ls_feat_for(lc, s->recs[i].sensor);
        hw_emit_sensor(s, w, i, chip, lf ? lf->label : NULL);
    }
    return 0;
}

/* True when entry is a directory, or a symlink to one (os.Lstat, then os.Stat). */
static bool hw_is_dir(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        return false;
    }
    if (S_ISLNK(st.st_mode) && stat(path, &st) < 0) {
        return false;
    }
    return S_ISDIR(st.st_mode);
}

static int hwmon_collect(void *state, struct he_writer *w)
{
    struct hwmon_state *s = state;
    char top[PATH_MAX], dir[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/hwmon");
    if (rc == 0) {
        rc = he_dir_read(&s->top, top);
    }
    if (rc == -ENOENT) {
        he_log_debug("hwmon collector metrics are not available for this system", NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        return rc;
    }
    int last = 0;
    for (size_t i = 0; i < s->top.n; i++) {
        if (he_path_join(dir, sizeof(dir), top, he_dir_name(&s->top, i)) < 0 || !hw_is_dir(dir)) {
            continue;
        }
        /* a failing chip fails the scrape but the others are still reported */
        rc = hw_update_chip(s, w, dir);
        if (rc < 0) {
            he_log_debug("hwmon: chip failed", "path", dir, NULL);
            last = rc;
        }
    }
    return last;
}

static const struct he_collector hwmon_collector = {
    .name = "hwmon",
    .default_enabled = true,
    .flags = hwmon_flags,
    .init = hwmon_init,
    .collect = hwmon_collect,
    .fini = hwmon_fini,
};

HE_COLLECTOR_REGISTER(hwmon_collector)
