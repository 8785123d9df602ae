/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thermal_zone: node_thermal_zone_temp from <sysfs>/class/thermal/thermal_zone*
 * (type, policy, temp, and the optional mode and passive files), and
 * node_cooling_device_cur_state / node_cooling_device_max_state from
 * <sysfs>/class/thermal/cooling_device* (type, cur_state, max_state); see the
 * kernel's Documentation/driver-api/thermal/sysfs-api.rst.
 *
 * Mirrors node_exporter 1.12.1's collector/thermal_zone_linux.go and the procfs
 * parsers it calls (sysfs/class_thermal.go, sysfs/class_cooling_device.go),
 * including which failures skip one zone or device and which fail the scrape:
 * a disabled zone, a file that cannot be opened, ENODATA or EAGAIN skip a zone;
 * any other read error or an unparsable number fails the collector (no zone is
 * reported then, as upstream parses every zone before emitting any). Cooling
 * devices skip ENOENT, EACCES/EPERM, EINVAL and a read's EOPNOTSUPP; anything
 * else fails the collector after the zones were emitted.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_sysread.h"

/* Zones parsed before any is emitted; more than this are left out. */
#define TZ_MAX_ZONES 1024

struct tz_zone {
    char name[64];
    char type[HE_SYSREAD_MAX + 1];
    int64_t temp;
};

struct thermal_zone_state {
    struct he_dir dir;
    struct tz_zone *zones;   /* TZ_MAX_ZONES, allocated once */
};

static int thermal_zone_init(void **state)
{
    struct thermal_zone_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    s->zones = calloc(TZ_MAX_ZONES, sizeof(*s->zones));
    if (!s->zones) {
        free(s);
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void thermal_zone_fini(void *state)
{
    struct thermal_zone_state *s = state;
    he_dir_fini(&s->dir);
    free(s->zones);
    free(s);
}

/*
 * Upstream tells a failed open (an *os.PathError) from a failed read (a bare
 * errno) and treats them differently; he_sysread returns only the errno, so the
 * errors only read(2) gives on sysfs are taken as read errors and all others as
 * open errors.
 */
static bool tz_read_error(int rc)
{
    return rc == -EISDIR || rc == -EIO || rc == -EAGAIN || rc == -ENODATA || rc == -EINVAL ||
           rc == -EOPNOTSUPP || rc == -EINTR || rc == -EFAULT || rc == -ETIMEDOUT;
}

/* ClassThermalZoneStats: which errors of a zone only skip that zone. */
static bool tz_zone_skippable(int rc)
{
    return rc == -ENODATA || rc == -EAGAIN || !tz_read_error(rc);
}

/* True for glob "<prefix>[0-9]*". */
static bool tz_glob(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] >= '0' && name[n] <= '9';
}

/* Reads <dir>/<file> as util.SysReadFile: the trimmed length or a negative errno. */
static int tz_read(const char *dir, const char *file, char out[HE_SYSREAD_MAX + 1])
{
    char path[PATH_MAX];
    int rc = he_path_join(path, sizeof(path), dir, file);
    return rc < 0 ? rc : he_sysread(path, out);
}

/*
 * parseClassThermalZone. Returns 0, 1 when the zone is skipped, or a negative
 * errno that fails the collector.
 */
static int tz_parse_zone(const char *dir, struct tz_zone *z)
{
    char buf[HE_SYSREAD_MAX + 1], policy[HE_SYSREAD_MAX + 1];
    uint64_t passive;
    int rc = tz_read(dir, "mode", buf);
    if (rc < 0 && rc != -ENOENT && rc != -EACCES && rc != -EPERM) {
        return tz_zone_skippable(rc) ? 1 : rc;
    }
    if (rc > 0 && strcmp(buf, "disabled") == 0) {
        return 1;
    }
    if ((rc = tz_read(dir, "type", z->type)) < 0 || (rc = tz_read(dir, "policy", policy)) < 0 ||
        (rc = tz_read(dir, "temp", buf)) < 0) {
        return tz_zone_skippable(rc) ? 1 : rc;
    }
    if (he_parse_i64((struct he_field){buf, (size_t)rc}, &z->temp) < 0) {
        return -EINVAL;
    }
    /* passive is optional but, when present, must be a number */
    rc = tz_read(dir, "passive", buf);
    if (rc == -ENOENT || rc == -EACCES || rc == -EPERM) {
        return 0;
    }
    if (rc < 0) {
        return tz_zone_skippable(rc) ? 1 : rc;
    }
    return he_parse_u64((struct he_field){buf, (size_t)rc}, &passive) < 0 ? -EINVAL : 0;
}

/* All zones into s->zones; the count, or a negative errno that fails the scrape. */
static int tz_zones(struct thermal_zone_state *s, const char *top)
{
    char dir[PATH_MAX];
    int n = 0;
    for (size_t i = 0; i < s->dir.n && n < TZ_MAX_ZONES; i++) {
        const char *name = he_dir_name(&s->dir, i);
        struct tz_zone *z = &s->zones[n];
        if (!tz_glob(name, "thermal_zone") || he_path_join(dir, sizeof(dir), top, name) < 0) {
            continue;
        }
        int rc = tz_parse_zone(dir, z);
        if (rc < 0) {
            he_log_debug("thermal_zone: zone failed", "path", dir, NULL);
            return rc;
        }
        if (rc == 0) {
            snprintf(z->name, sizeof(z->name), "%s", name + strlen("thermal_zone"));
            n++;
        }
    }
    return n;
}

/* canIgnoreError of procfs's sysfs package, for one cooling device's errors. */
static bool tz_cooling_ignorable(int rc)
{
    return rc == -ENOENT || rc == -EACCES || rc == -EPERM || rc == -EINVAL ||
           rc == -EOPNOTSUPP;
}

/* parseCoolingDeviceStats: 0, 1 (skipped), or a negative errno failing the scrape. */
static int tz_parse_cooling(const char *dir, char type[HE_SYSREAD_MAX + 1], int64_t *max,
                            int64_t *cur)
{
    char buf[HE_SYSREAD_MAX + 1];
    const char *files[2] = {"max_state", "cur_state"};
    int64_t *out[2] = {max, cur};
    int rc = tz_read(dir, "type", type);
    for (int i = 0; rc >= 0 && i < 2; i++) {
        rc = tz_read(dir, files[i], buf);
        /* cur_state can be -1 (intel_powerclamp), so both parse as signed */
        if (rc >= 0 && he_parse_i64((struct he_field){buf, (size_t)rc}, out[i]) < 0) {
            return -EINVAL; /* a *strconv.NumError: not ignorable */
        }
    }
    if (rc < 0) {
        return tz_cooling_ignorable(rc) ? 1 : rc;
    }
    return 0;
}

static void tz_emit_cooling(struct he_writer *w, const char *name, const char *type, int64_t max,
                            int64_t cur)
{
    struct he_label l[2] = {{"name", name}, {"type", type}};
    if (he_writer_family(w, "node_cooling_device_cur_state",
                         "Current throttle state of the cooling device", HE_GAUGE) == 0) {
        he_writer_sample(w, l, 2, (double)cur);
    }
    if (he_writer_family(w, "node_cooling_device_max_state",
                         "Maximum throttle state of the cooling device", HE_GAUGE) == 0) {
        he_writer_sample(w, l, 2, (double)max);
    }
}

/* ClassCoolingDeviceStats and its samples; 0 or the negative errno that fails the scrape. */
static int tz_cooling(struct thermal_zone_state *s, struct he_writer *w, const char *top)
{
    char dir[PATH_MAX], type[HE_SYSREAD_MAX + 1];
    int64_t max, cur;
    /* upstream parses every device before emitting: find a fatal error first */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < s->dir.n; i++) {
            const char *name = he_dir_name(&s->dir, i);
            if (!tz_glob(name, "cooling_device") || he_path_join(dir, sizeof(dir), top, name) < 0) {
                continue;
            }
            int rc = tz_parse_cooling(dir, type, &max, &cur);
            if (rc < 0) {
                he_log_debug("thermal_zone: cooling device failed", "path", dir, NULL);
                return rc;
            }
            if (rc == 0 && pass == 1) {
                tz_emit_cooling(w, name + strlen("cooling_device"), type, max, cur);
            }
        }
    }
    return 0;
}

static int thermal_zone_collect(void *state, struct he_writer *w)
{
    struct thermal_zone_state *s = state;
    char top[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/thermal");
    if (rc < 0) {
        return rc;
    }
    /* filepath.Glob ignores a missing or unreadable directory: no zones, no error */
    if (he_dir_read(&s->dir, top) < 0) {
        return 0;
    }
    int n = tz_zones(s, top);
    if (n < 0) {
        return n;
    }
    for (int i = 0; i < n; i++) {
        struct he_label l[2] = {{"zone", s->zones[i].name}, {"type", s->zones[i].type}};
        if (he_writer_family(w, "node_thermal_zone_temp", "Zone temperature in Celsius",
                             HE_GAUGE) == 0) {
            he_writer_sample(w, l, 2, (double)s->zones[i].temp / 1000.0);
        }
    }
    return tz_cooling(s, w, top);
}

static const struct he_collector thermal_zone_collector = {
    .name = "thermal_zone",
    .default_enabled = true,
    .init = thermal_zone_init,
    .collect = thermal_zone_collect,
    .fini = thermal_zone_fini,
};

HE_COLLECTOR_REGISTER(thermal_zone_collector)
