/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edac: memory controller error counters from <sysfs>/devices/system/edac/mc/mc<N>/
 * (ce_count, ce_noinfo_count, ue_count, ue_noinfo_count) and its csrow<M>/
 * (ce_count, ue_count); see the kernel's Documentation/admin-guide/ras.rst.
 * Families: node_edac_correctable_errors_total{controller},
 * node_edac_uncorrectable_errors_total{controller}, and
 * node_edac_csrow_correctable_errors_total / node_edac_csrow_uncorrectable_errors_total
 * {controller,csrow}, where the controller's *_noinfo_count (errors not tied to a
 * row) is csrow="unknown".
 *
 * Mirrors node_exporter 1.12.1's collector/edac_linux.go: controllers and rows are
 * filepath.Glob matches ("mc[0-9]*", "csrow[0-9]*": a missing or unreadable
 * directory simply matches nothing, so a host without EDAC reports success with no
 * series); the number is the run of digits after "mc"/"csrow"; every file is read
 * as readUintFromFile, and the first one that fails ends the scrape with an error,
 * keeping what was emitted before it, as upstream does.
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
#include "he_paths.h"
#include "he_sysread.h"

struct edac_state {
    struct he_dir controllers;
    struct he_dir rows;
};

static int edac_init(void **state)
{
    struct edac_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->controllers);
    he_dir_init(&s->rows);
    *state = s;
    return 0;
}

static void edac_fini(void *state)
{
    struct edac_state *s = state;
    he_dir_fini(&s->controllers);
    he_dir_fini(&s->rows);
    free(s);
}

/* Glob "<prefix>[0-9]*". */
static bool edac_glob(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] >= '0' && name[n] <= '9';
}

/* The regexp's ([0-9]*) after the prefix: the leading digits, copied into out. */
static void edac_number(const char *name, size_t skip, char *out, size_t size)
{
    size_t n = strspn(name + skip, "0123456789");
    snprintf(out, size, "%.*s", (int)n, name + skip);
}

/* readUintFromFile(<dir>/<file>): 0 or a negative errno, logged. */
static int edac_read(const char *dir, const char *file, uint64_t *value)
{
    char path[PATH_MAX];
    int rc = he_path_join(path, sizeof(path), dir, file);
    if (rc == 0) {
        rc = he_sysread_u64(path, value);
    }
    if (rc < 0) {
        he_log_debug("edac: cannot read counter", "path", path, NULL);
    }
    return rc;
}

static void edac_sample(struct he_writer *w, const char *metric, const char *help,
                        const char *controller, const char *csrow, double value)
{
    struct he_label l[2] = {{"controller", controller}, {"csrow", csrow}};
    if (he_writer_family(w, metric, help, HE_COUNTER) == 0) {
        he_writer_sample(w, l, csrow ? 2 : 1, value);
    }
}

/* The csrow<M> rows of one controller; 0 or the negative errno that ends the scrape. */
static int edac_rows(struct edac_state *s, struct he_writer *w, const char *dir,
                     const char *controller, bool digits_only)
{
    char row[PATH_MAX], csrow[NAME_MAX + 1];
    uint64_t ce, ue;
    int rc;
    /* Glob ignores an unreadable directory: no rows */
    if (he_dir_read(&s->rows, dir) < 0) {
        return 0;
    }
    for (size_t i = 0; i < s->rows.n; i++) {
        const char *name = he_dir_name(&s->rows, i);
        if (!edac_glob(name, "csrow")) {
            continue;
        }
        /* the row regexp wants mc[0-9]*: "mc0x" has rows it cannot name */
        if (!digits_only) {
            return -EINVAL;
        }
        edac_number(name, strlen("csrow"), csrow, sizeof(csrow));
        if ((rc = he_path_join(row, sizeof(row), dir, name)) < 0 ||
            (rc = edac_read(row, "ce_count", &ce)) < 0) {
            return rc;
        }
        edac_sample(w, "node_edac_csrow_correctable_errors_total",
                    "Total correctable memory errors for this csrow.", controller, csrow,
                    (double)ce);
        if ((rc = edac_read(row, "ue_count", &ue)) < 0) {
            return rc;
        }
        edac_sample(w, "node_edac_csrow_uncorrectable_errors_total",
                    "Total uncorrectable memory errors for this csrow.", controller, csrow,
                    (double)ue);
    }
    return 0;
}

/* One controller's four counters, in upstream's order, then its rows. */
static int edac_controller(struct edac_state *s, struct he_writer *w, const char *dir,
                           const char *name)
{
    static const struct {
        const char *file, *metric, *help;
        bool noinfo;
    } counters[] = {
        {"ce_count", "node_edac_correctable_errors_total", "Total correctable memory errors.",
         false},
        {"ce_noinfo_count", "node_edac_csrow_correctable_errors_total",
         "Total correctable memory errors for this csrow.", true},
        {"ue_count", "node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.",
         false},
        {"ue_noinfo_count", "node_edac_csrow_uncorrectable_errors_total",
         "Total uncorrectable memory errors for this csrow.", true},
    };
    char controller[NAME_MAX + 1];
    uint64_t v;
    edac_number(name, strlen("mc"), controller, sizeof(controller));
    for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
        int rc = edac_read(dir, counters[i].file, &v);
        if (rc < 0) {
            return rc;
        }
        edac_sample(w, counters[i].metric, counters[i].help, controller,
                    counters[i].noinfo ? "unknown" : NULL, (double)v);
    }
    bool digits_only = name[2 + strspn(name + 2, "0123456789")] == '\0';
    return edac_rows(s, w, dir, controller, digits_only);
}

static int edac_collect(void *state, struct he_writer *w)
{
    struct edac_state *s = state;
    char top[PATH_MAX], dir[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "devices/system/edac/mc");
    if (rc < 0) {
        return rc;
    }
    /* no EDAC: Glob matches nothing and upstream reports success */
    if (he_dir_read(&s->controllers, top) < 0) {
        return 0;
    }
    for (size_t i = 0; i < s->controllers.n; i++) {
        const char *name = he_dir_name(&s->controllers, i);
        if (!edac_glob(name, "mc")) {
            continue;
        }
        if ((rc = he_path_join(dir, sizeof(dir), top, name)) < 0 ||
            (rc = edac_controller(s, w, dir, name)) < 0) {
            return rc;
        }
    }
    return 0;
}

static const struct he_collector edac_collector = {
    .name = "edac",
    .default_enabled = true,
    .init = edac_init,
    .collect = edac_collect,
    .fini = edac_fini,
};

HE_COLLECTOR_REGISTER(edac_collector)
