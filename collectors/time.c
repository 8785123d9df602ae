/* SPDX-License-Identifier: Apache-2.0 */
/*
 * time: node_time_seconds (CLOCK_REALTIME), node_time_zone_offset_seconds
 * {time_zone} (the process's local zone, from TZ or /etc/localtime, as Go's
 * time.Local), and node_time_clocksource_available_info and
 * node_time_clocksource_current_info {clocksource,device} from
 * <sysfs>/devices/system/clocksource/clocksource[0-9]* /{available,current}_clocksource.
 * Mirrors node_exporter 1.12's collector/time.go and time_linux.go, which read
 * the clocksources through procfs' sysfs.ClockSources().
 *
 * As there, the device label is the position of the directory in the sorted
 * listing ("0", "1", ...), not the number in its name; each file's first 128
 * bytes are read (procfs' SysReadFile), trimmed of white space, and the
 * available list is split at white space. An unreadable clocksource directory
 * fails the collector after the two time metrics, with no clocksource series;
 * a missing clocksource directory is not an error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_parse_go.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

#define TIME_SYSREAD_MAX 128   /* procfs' SysReadFile reads at most this much */
#define TIME_MAX_SOURCES 1024  /* more directories than any kernel has are ignored */

struct time_source {
    char available[TIME_SYSREAD_MAX + 1];
    char current[TIME_SYSREAD_MAX + 1];
};

struct time_state {
    struct he_dir dir;
    struct time_source *sources;   /* grows to the high-water mark */
    size_t cap;
};

static int time_init(void **state)
{
    struct time_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void time_fini(void *state)
{
    struct time_state *s = state;
    he_dir_fini(&s->dir);
    free(s->sources);
    free(s);
}

/* node_time_seconds and node_time_zone_offset_seconds, as Go's time.Now().Zone(). */
static int time_emit_now(struct he_writer *w)
{
    struct timespec ts;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !localtime_r(&ts.tv_sec, &tm)) {
        return -errno;
    }
    /* float64(now.UnixNano()) / 1e9: the integer nanoseconds rounded once, then divided */
    int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    he_writer_family(w, "node_time_seconds", "System time in seconds since epoch (1970).",
                     HE_GAUGE);
    he_writer_value(w, (double)ns / 1e9);
    struct he_label zone = {"time_zone", tm.tm_zone ? tm.tm_zone : ""};
    he_writer_family(w, "node_time_zone_offset_seconds", "System time zone offset in seconds.",
                     HE_GAUGE);
    he_writer_sample(w, &zone, 1, (double)tm.tm_gmtoff);
    return 0;
}

/* filepath.Match("clocksource[0-9]*", name) */
static bool time_is_source(const char *name)
{
    return strncmp(name, "clocksource", 11) == 0 && name[11] >= '0' && name[11] <= '9';
}

/* One attribute as SysReadFile returns it: the first 128 bytes, Go-trimmed, into out. */
static int time_read_attr(const char *dir, const char *attr, char out[TIME_SYSREAD_MAX + 1])
{
    char rel[512];
    char path[4096];
    char buf[4096];
    if ((size_t)snprintf(rel, sizeof(rel), "devices/system/clocksource/%s/%s", dir, attr) >=
        sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    int rc = he_path_sys(path, sizeof(path), rel);
    int n = rc < 0 ? rc : he_read_attr(path, buf, sizeof(buf));
    if (n < 0) {
        he_log_debug("time: cannot read", "path", rel, NULL);
        return n;
    }
    struct he_field f = {buf, (size_t)n < TIME_SYSREAD_MAX ? (size_t)n : TIME_SYSREAD_MAX};
    f = he_go_trim_space(f);
    memcpy(out, f.p, f.len);
    out[f.len] = '\0';
    return 0;
}

/* Grows the source table (doubling) to hold n entries. */
static int time_reserve(struct time_state *s, size_t n)
{
    if (n <= s->cap) {
        return 0;
    }
    size_t cap = s->cap ? s->cap : 4;
    while (cap < n) {
        cap *= 2;
    }
    struct time_source *p = realloc(s->sources, cap * sizeof(*p));
    if (!p) {
        return -ENOMEM;
    }
    s->sources = p;
    s->cap = cap;
    return 0;
}

/*
 * Reads every clocksource directory into s->sources, as ClockSources() does
 * before anything is reported: one failure fails them all. Sets *count.
 */
static int time_read_sources(struct time_state *s, size_t *count)
{
    char path[4096];
    *count = 0;
    int rc = he_path_sys(path, sizeof(path), "devices/system/clocksource");
    if (rc < 0 || he_dir_read(&s->dir, path) < 0) {
        return 0; /* filepath.Glob ignores an unreadable directory: no clocksources */
    }
    for (size_t i = 0; i < s->dir.n && *count < TIME_MAX_SOURCES; i++) {
        const char *name = he_dir_name(&s->dir, i);
        if (!time_is_source(name)) {
            continue;
        }
        rc = time_reserve(s, *count + 1);
        struct time_source *src = rc < 0 ? NULL : &s->sources[*count];
        if (rc == 0) {
            rc = time_read_attr(name, "available_clocksource", src->available);
        }
        if (rc == 0) {
            rc = time_read_attr(name, "current_clocksource", src->current);
        }
        if (rc < 0) {
            return rc;
        }
        (*count)++;
    }
    return 0;
}

static void time_emit_sources(const struct time_state *s, size_t count, struct he_writer *w)
{
    for (size_t i = 0; i < count; i++) {
        const struct time_source *src = &s->sources[i];
        char device[24];
        snprintf(device, sizeof(device), "%zu", i);
        struct he_field names[TIME_SYSREAD_MAX / 2 + 1];
        struct he_field avail = {src->available, strlen(src->available)};
        size_t n = he_go_fields(avail, names, sizeof(names) / sizeof(names[0]));
        he_writer_family(w, "node_time_clocksource_available_info",
                         "Available clocksources read from '/sys/devices/system/clocksource'.",
                         HE_GAUGE);
        for (size_t k = 0; k < n; k++) {
            char name[TIME_SYSREAD_MAX + 1];
            he_field_copy(names[k], name, sizeof(name));
            struct he_label labels[] = {{"clocksource", name}, {"device", device}};
            he_writer_sample(w, labels, 2, 1);
        }
        struct he_label labels[] = {{"clocksource", src->current}, {"device", device}};
        he_writer_family(w, "node_time_clocksource_current_info",
                         "Current clocksource read from '/sys/devices/system/clocksource'.",
                         HE_GAUGE);
        he_writer_sample(w, labels, 2, 1);
    }
}

static int time_collect(void *state, struct he_writer *w)
{
    struct time_state *s = state;
    size_t count;
    int rc = time_emit_now(w);
    if (rc < 0) {
        return rc;
    }
    rc = time_read_sources(s, &count);
    if (rc < 0) {
        return rc;
    }
    time_emit_sources(s, count, w);
    return 0;
}

static const struct he_collector time_collector = {
    .name = "time",
    .default_enabled = true,
    .init = time_init,
    .collect = time_collect,
    .fini = time_fini,
};

HE_COLLECTOR_REGISTER(time_collector)
