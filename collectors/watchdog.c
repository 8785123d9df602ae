/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watchdog: <sysfs>/class/watchdog/<name>/ attributes (kernel
 * Documentation/ABI/testing/sysfs-class-watchdog). Numbers become gauges labelled
 * {name}: node_watchdog_bootstatus, _fw_version, _nowayout, _access_cs0, and in
 * seconds _timeleft_seconds, _timeout_seconds, _pretimeout_seconds, each present
 * only when its file exists; node_watchdog_info{name,options,identity,state,status,
 * pretimeout_governor} is 1 for every device, a missing text file giving "".
 *
 * Mirrors node_exporter 1.12.1's collector/watchdog.go and procfs's
 * sysfs/class_watchdog.go: every file is read as util.SysReadFile (one read of at
 * most 128 bytes, trimmed), numbers with strconv.ParseInt(s, 0, 64); only a
 * missing file is skipped, and any other read or parse error fails the whole
 * class, so nothing is emitted (every device is parsed before any is reported).
 * A missing class directory, EACCES/EPERM and EINVAL give -ENODATA (upstream's
 * ErrNoData), other failures their errno. Where upstream would abort on a label
 * value that is not valid UTF-8, the writer puts U+FFFD instead.
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

/* Numeric attributes and their families. */
static const struct {
    const char *file, *metric, *help;
} wd_numerics[] = {
    {"bootstatus", "node_watchdog_bootstatus", "Value of /sys/class/watchdog/<watchdog>/bootstatus"},
    {"fw_version", "node_watchdog_fw_version", "Value of /sys/class/watchdog/<watchdog>/fw_version"},
    {"nowayout", "node_watchdog_nowayout", "Value of /sys/class/watchdog/<watchdog>/nowayout"},
    {"timeleft", "node_watchdog_timeleft_seconds",
     "Value of /sys/class/watchdog/<watchdog>/timeleft"},
    {"timeout", "node_watchdog_timeout_seconds", "Value of /sys/class/watchdog/<watchdog>/timeout"},
    {"pretimeout", "node_watchdog_pretimeout_seconds",
     "Value of /sys/class/watchdog/<watchdog>/pretimeout"},
    {"access_cs0", "node_watchdog_access_cs0", "Value of /sys/class/watchdog/<watchdog>/access_cs0"},
};

#define WD_NNUM (sizeof(wd_numerics) / sizeof(wd_numerics[0]))

/* Text attributes: the file is also the node_watchdog_info label name. */
static const char *const wd_texts[] = {"options", "identity", "state", "status",
                                       "pretimeout_governor"};

#define WD_NTEXT (sizeof(wd_texts) / sizeof(wd_texts[0]))

struct wd_device {
    char name[NAME_MAX + 1];
    int64_t num[WD_NNUM];
    bool have[WD_NNUM];
    char text[WD_NTEXT][HE_SYSREAD_MAX + 1];
};

struct watchdog_state {
    struct he_dir dir;
    struct wd_device *devices;  /* grows to the most devices seen */
    size_t cap;
};

static int watchdog_init(void **state)
{
    struct watchdog_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void watchdog_fini(void *state)
{
    struct watchdog_state *s = state;
    he_dir_fini(&s->dir);
    free(s->devices);
    free(s);
}

/* SysReadFile(<dir>/<file>): the trimmed length, 0 for a missing file (left empty), or -errno. */
static int wd_read(const char *dir, const char *file, char out[HE_SYSREAD_MAX + 1], bool *found)
{
    char path[PATH_MAX];
    int rc = he_path_join(path, sizeof(path), dir, file);
    if (rc == 0) {
        rc = he_sysread(path, out);
    }
    *found = rc >= 0;
    if (rc == -ENOENT) {
        out[0] = '\0';
        return 0;
    }
    if (rc < 0) {
        he_log_debug("watchdog: cannot read", "path", path, NULL);
    }
    return rc;
}

/*
 * parseWatchdog: 0 or the negative errno that fails the class; -EBADMSG for a
 * number ParseInt refuses, which upstream reports as an error while a read's
 * EINVAL is ErrNoData.
 */
static int wd_parse(const char *dir, struct wd_device *d)
{
    char buf[HE_SYSREAD_MAX + 1];
    bool found;
    for (size_t i = 0; i < WD_NNUM; i++) {
        int n = wd_read(dir, wd_numerics[i].file, buf, &found);
        if (n < 0) {
            return n;
        }
        d->have[i] = found;
        if (found && he_parse_i64_base0((struct he_field){buf, (size_t)n}, &d->num[i]) < 0) {
            he_log_debug("watchdog: not a number", "file", wd_numerics[i].file, NULL);
            return -EBADMSG;
        }
    }
    for (size_t i = 0; i < WD_NTEXT; i++) {
        int n = wd_read(dir, wd_texts[i], d->text[i], &found);
        if (n < 0) {
            return n;
        }
    }
    return 0;
}

static void wd_emit(struct he_writer *w, const struct wd_device *d)
{
    struct he_label l[1 + WD_NTEXT] = {{"name", d->name}};
    for (size_t i = 0; i < WD_NNUM; i++) {
        if (d->have[i] && he_writer_family(w, wd_numerics[i].metric, wd_numerics[i].help,
                                           HE_GAUGE) == 0) {
            he_writer_sample(w, l, 1, (double)d->num[i]);
        }
    }
    for (size_t i = 0; i < WD_NTEXT; i++) {
        l[1 + i] = (struct he_label){wd_texts[i], d->text[i]};
    }
    if (he_writer_family(w, "node_watchdog_info", "Info of /sys/class/watchdog/<watchdog>",
                         HE_GAUGE) == 0) {
        he_writer_sample(w, l, 1 + WD_NTEXT, 1);
    }
}

/* Upstream's Update turns ErrNotExist, ErrPermission and ErrInvalid into ErrNoData. */
static int wd_result(int rc)
{
    return rc == -ENOENT || rc == -EACCES || rc == -EPERM || rc == -EINVAL ? -ENODATA : rc;
}

static int watchdog_collect(void *state, struct he_writer *w)
{
    struct watchdog_state *s = state;
    char top[PATH_MAX], dir[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/watchdog");
    if (rc < 0 || (rc = he_dir_read(&s->dir, top)) < 0) {
        return wd_result(rc);
    }
    if (s->dir.n > s->cap) {
        struct wd_device *p = realloc(s->devices, s->dir.n * sizeof(*p));
        if (!p) {
            return -ENOMEM;
        }
        s->devices = p;
        s->cap = s->dir.n;
    }
    for (size_t i = 0; i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        struct wd_device *d = &s->devices[i];
        if ((rc = he_path_join(dir, sizeof(dir), top, name)) < 0 || (rc = wd_parse(dir, d)) < 0) {
            return wd_result(rc);
        }
        snprintf(d->name, sizeof(d->name), "%s", name);
    }
    for (size_t i = 0; i < s->dir.n; i++) {
        wd_emit(w, &s->devices[i]);
    }
    return 0;
}

static const struct he_collector watchdog_collector = {
    .name = "watchdog",
    .default_enabled = true,
    .init = watchdog_init,
    .collect = watchdog_collect,
    .fini = watchdog_fini,
};

HE_COLLECTOR_REGISTER(watchdog_collector)
