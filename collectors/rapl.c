/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rapl: RAPL energy counters from <sysfs>/class/powercap/<zone>/{name,
 * max_energy_range_uj,energy_uj} (kernel Documentation/power/powercap/powercap.rst).
 * Each zone with a readable name file becomes a counter in joules:
 * node_rapl_<name>_joules_total{index,path} by default, or, with
 * --collector.rapl.enable-zone-label, node_rapl_joules_total{index,path,rapl_zone}.
 * A name "package-1" gives name "package" and index 1; other names are indexed by
 * how often they were seen before (the second "dram" is index 1).
 *
 * Mirrors node_exporter 1.12.1's collector/rapl_linux.go and procfs's
 * sysfs/class_powercap.go (GetRaplZones): an entry whose name cannot be read is
 * not a zone; a zone whose max_energy_range_uj cannot be read fails the scrape
 * before anything is emitted (-ENODATA when missing or not permitted). energy_uj
 * is root-only since Linux 5.10 (CVE-2020-8694): the first zone whose counter
 * gives EACCES ends the scrape with -ENODATA, keeping the zones already emitted,
 * as upstream returns ErrNoData there.
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
#include "he_file.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_sysread.h"

static bool rapl_zone_label;

static const struct he_flag rapl_flags[] = {
    /* upstream's help text, copied from the systemd collector, kept as it is */
    {"collector.rapl.enable-zone-label", HE_FLAG_BOOL, NULL,
     "Enables service unit metric unit_start_time_seconds", &rapl_zone_label, NULL},
    {0},
};

/* Zones kept per scrape; a powercap class has a handful per package. */
#define RAPL_MAX_ZONES 1024
/* Longest zone name kept; procfs reads the whole name file. */
#define RAPL_NAME_MAX 256

struct rapl_zone {
    char name[RAPL_NAME_MAX];
    char path[PATH_MAX];
    int64_t index;
};

struct rapl_state {
    struct he_dir dir;
    struct rapl_zone *zones;    /* RAPL_MAX_ZONES, allocated once */
};

static int rapl_init(void **state)
{
    struct rapl_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    s->zones = calloc(RAPL_MAX_ZONES, sizeof(*s->zones));
    if (!s->zones) {
        free(s);
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void rapl_fini(void *state)
{
    struct rapl_state *s = state;
    he_dir_fini(&s->dir);
    free(s->zones);
    free(s);
}

/*
 * Go's filepath.Clean in place: the path label is filepath.Join(sysfs,
 * "class/powercap", entry), so "--path.sysfs=./sys/" must read "sys/...".
 */
static void rapl_clean(char *p)
{
    bool rooted = p[0] == '/';
    size_t r = 0, w = 0, dotdot = 0, n = strlen(p);
    if (rooted) {
        w = r = dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/' || (p[r] == '.' && (r + 1 == n || p[r + 1] == '/'))) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                for (w--; w > dotdot && p[w] != '/'; w--) {
                }
            } else if (!rooted) {
                if (w > 0) {
                    p[w++] = '/';
                }
                p[w++] = '.', p[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0)) {
                p[w++] = '/';
            }
            for (; r < n && p[r] != '/'; r++) {
                p[w++] = p[r];
            }
        }
    }
    if (w == 0) {
        p[w++] = '.';
    }
    p[w] = '\0';
}

/* getIndexAndName: "x-N" (exactly one dash, N an integer) is (N, "x"); else the use count. */
static int64_t rapl_index(const struct rapl_state *s, int n, char *name)
{
    char *dash = strchr(name, '-');
    int64_t index;
    if (dash && !strchr(dash + 1, '-') &&
        he_parse_i64((struct he_field){dash + 1, strlen(dash + 1)}, &index) == 0) {
        *dash = '\0';
        return index;
    }
    /* countNameUsages[name] holds one more than the last index given to that name */
    int64_t count = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(s->zones[i].name, name) == 0) {
            count = s->zones[i].index + 1;
        }
    }
    return count;
}

/*
 * One entry of class/powercap: 1 when it is a zone (stored), 0 when it has no
 * readable name, or the negative errno that fails GetRaplZones.
 */
static int rapl_zone(struct rapl_state *s, int n, const char *top, const char *entry)
{
    struct rapl_zone *z = &s->zones[n];
    char path[PATH_MAX], name[RAPL_NAME_MAX];
    uint64_t max;
    if (he_path_join(z->path, sizeof(z->path), top, entry) < 0 ||
        he_path_join(path, sizeof(path), z->path, "name") < 0) {
        return 0;
    }
    int len = he_read_attr(path, name, sizeof(name));
    if (len < 0) {
        return 0; /* os.ReadFile failed: not a zone */
    }
    struct he_field f = he_go_trim_space((struct he_field){name, (size_t)len});
    snprintf(z->name, sizeof(z->name), "%.*s", (int)f.len, f.p);
    z->index = rapl_index(s, n, z->name);
    int rc = he_path_join(path, sizeof(path), z->path, "max_energy_range_uj");
    if (rc < 0 || (rc = he_sysread_u64(path, &max)) < 0) {
        he_log_debug("rapl: cannot read max_energy_range_uj", "path", path, NULL);
        return rc;
    }
    rapl_clean(z->path);
    return 1;
}

/* os.ErrNotExist and os.ErrPermission make upstream's Update return ErrNoData. */
static int rapl_nodata(int rc)
{
    return rc == -ENOENT || rc == -EACCES || rc == -EPERM ? -ENODATA : rc;
}

/* A byte SanitizeMetricName keeps: [0-9A-Za-z_]. */
static bool rapl_word(char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * node_rapl_<SanitizeMetricName(name)>_joules_total. Upstream replaces each match
 * of `_*[^0-9A-Za-z_]+_*` by one '_': a run of other bytes takes the underscores
 * on both sides of it with it.
 */
static int rapl_metric_name(const char *name, char *out, size_t size)
{
    size_t w = (size_t)snprintf(out, size, "node_rapl_");
    size_t keep = w; /* output before this is settled: a replacement or the prefix */
    for (const char *p = name; *p;) {
        if (w + 2 >= size) {
            return -ENAMETOOLONG;
        }
        if (rapl_word(*p)) {
            out[w++] = *p++;
            continue;
        }
        while (w > keep && out[w - 1] == '_') {
            w--; /* the leading _* of the match */
        }
        while (*p && !rapl_word(*p)) {
            p++;
        }
        while (*p == '_') {
            p++;
        }
        out[w++] = '_';
        keep = w;
    }
    int n = snprintf(out + w, size - w, "_joules_total");
    return n < 0 || (size_t)n >= size - w ? -ENAMETOOLONG : 0;
}

static void rapl_emit(struct he_writer *w, const struct rapl_zone *z, double joules)
{
    char index[24], metric[RAPL_NAME_MAX + 32], help[RAPL_NAME_MAX + 40];
    snprintf(index, sizeof(index), "%lld", (long long)z->index);
    if (rapl_zone_label) {
        struct he_label l[3] = {{"index", index}, {"path", z->path}, {"rapl_zone", z->name}};
        if (he_writer_family(w, "node_rapl_joules_total", "Current RAPL value in joules",
                             HE_COUNTER) == 0) {
            he_writer_sample(w, l, 3, joules);
        }
        return;
    }
    struct he_label l[2] = {{"index", index}, {"path", z->path}};
    snprintf(help, sizeof(help), "Current RAPL %s value in joules", z->name);
    /* node_rapl_<name>_joules_total, e.g. node_rapl_package_joules_total */
    if (rapl_metric_name(z->name, metric, sizeof(metric)) == 0 &&
        he_writer_family(w, metric, help, HE_COUNTER) == 0) {
        he_writer_sample(w, l, 2, joules);
    }
}

static int rapl_collect(void *state, struct he_writer *w)
{
    struct rapl_state *s = state;
    char top[PATH_MAX], path[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/powercap");
    if (rc < 0 || (rc = he_dir_read(&s->dir, top)) < 0) {
        return rapl_nodata(rc);
    }
    int n = 0;
    for (size_t i = 0; i < s->dir.n && n < RAPL_MAX_ZONES; i++) {
        if ((rc = rapl_zone(s, n, top, he_dir_name(&s->dir, i))) < 0) {
            return rapl_nodata(rc);
        }
        n += rc;
    }
    for (int i = 0; i < n; i++) {
        uint64_t uj;
        rc = he_path_join(path, sizeof(path), s->zones[i].path, "energy_uj");
        if (rc < 0 || (rc = he_sysread_u64(path, &uj)) < 0) {
            he_log_debug("rapl: cannot read energy_uj", "path", path, NULL);
            /* a permission error is ErrNoData; anything else, even ENOENT, an error */
            return rc == -EACCES || rc == -EPERM ? -ENODATA : rc;
        }
        rapl_emit(w, &s->zones[i], (double)uj / 1000000.0);
    }
    return 0;
}

static const struct he_collector rapl_collector = {
    .name = "rapl",
    .default_enabled = true,
    .flags = rapl_flags,
    .init = rapl_init,
    .collect = rapl_collect,
    .fini = rapl_fini,
};

HE_COLLECTOR_REGISTER(rapl_collector)
