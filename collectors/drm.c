/* SPDX-License-Identifier: Apache-2.0 */
/*
 * drm: amdgpu cards from <sysfs>/class/drm/card[0-9] (one digit, as upstream's
 * glob). A card whose device/uevent names DRIVER=amdgpu is reported from its
 * device/ attributes (Documentation/gpu/amdgpu/): gpu_busy_percent,
 * mem_info_{gtt,vis_vram,vram}_{total,used}, mem_info_vram_vendor,
 * power_dpm_force_performance_level and unique_id, each optional (0 or "" when
 * missing). Other cards are skipped. Emits node_drm_card_info (with a chip
 * label, "<parent>_<device>" of the resolved device link cleaned as hwmon cleans
 * chip names, so the card can be joined with node_hwmon_chip_names),
 * node_drm_gpu_busy_percent and node_drm_memory_{gtt,vis_vram,vram}_{size,used}_bytes.
 *
 * Mirrors node_exporter 1.12.1's collector/drm_linux.go and procfs's
 * sysfs/class_drm_amdgpu.go: a card whose uevent cannot be read (other than
 * ENODATA) or whose device link does not resolve fails the collector, with
 * nothing emitted.
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
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_sysread.h"

/* ClassDRMCardAMDGPUStats, plus the chip label derived from DevName and DevType. */
struct drm_card {
    char name[8];          /* "card0" */
    char chip[520];
    uint64_t busy, gtt_size, gtt_used, vis_size, vis_used, vram_size, vram_used;
    char vendor[HE_SYSREAD_MAX + 1], level[HE_SYSREAD_MAX + 1], unique_id[HE_SYSREAD_MAX + 1];
};

struct drm_state {
    struct he_dir dir;
    struct drm_card *cards;   /* grows to the most cards seen */
    size_t ncards, cap;
};

static int drm_init(void **state)
{
    struct drm_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void drm_fini(void *state)
{
    struct drm_state *s = state;
    he_dir_fini(&s->dir);
    free(s->cards);
    free(s);
}

/*
 * readDevInfo + chipName: the device link resolved; its last element is the
 * device, the one before it the type. 0 or the negative errno of the resolution.
 */
static int drm_chip(const char *card, char *chip, size_t size)
{
    char link[PATH_MAX], real[PATH_MAX], name[256], type[256];
    if (he_path_join(link, sizeof(link), card, "device") < 0) {
        return -ENAMETOOLONG;
    }
    if (!realpath(link, real)) {
        return -errno;
    }
    char *slash = strrchr(real, '/');
    const char *dev = slash ? slash + 1 : real;
    he_go_clean_metric_name(dev, strlen(dev), name, sizeof(name));
    type[0] = '\0';
    if (slash) {
        while (slash > real && slash[-1] == '/') {
            slash--;
        }
        *slash = '\0';
        const char *t = strrchr(real, '/');
        t = t ? t + 1 : real;
        he_go_clean_metric_name(t, strlen(t), type, sizeof(type));
    }
    if (type[0] && name[0]) {
        snprintf(chip, size, "%s_%s", type, name);
    } else {
        snprintf(chip, size, "%s", name);
    }
    return 0;
}

/* One optional counter of device/: missing or unreadable is 0, garbage is an error. */
static int drm_u64(const char *card, const char *field, uint64_t *out)
{
    char path[PATH_MAX], v[HE_SYSREAD_MAX + 1];
    *out = 0;
    if (snprintf(path, sizeof(path), "%s/device/%s", card, field) >= (int)sizeof(path)) {
        return 0;
    }
    int n = he_sysread(path, v);
    if (n < 0) {
        return 0;
    }
    /* upstream dereferences a nil pointer here and panics; we fail the scrape instead */
    return he_parse_u64_base0((struct he_field){v, (size_t)n}, out) < 0 ? -EINVAL : 0;
}

/* One optional string of device/: "" when it cannot be read. */
static void drm_str(const char *card, const char *field, char out[HE_SYSREAD_MAX + 1])
{
    char path[PATH_MAX];
    out[0] = '\0';
    if (snprintf(path, sizeof(path), "%s/device/%s", card, field) < (int)sizeof(path) &&
        he_sysread(path, out) < 0) {
        out[0] = '\0';
    }
}

/*
 * parseClassDRMAMDGPUCard: 1 for an amdgpu card (filled in), 0 for another
 * driver, or a negative errno (-ENODATA: skip the card; others fail the scrape).
 */
static int drm_parse(const char *card, struct drm_card *c)
{
    char path[PATH_MAX], uevent[HE_SYSREAD_MAX + 1];
    static const char *const fields[7] = {"gpu_busy_percent", "mem_info_gtt_total",
                                          "mem_info_gtt_used", "mem_info_vis_vram_total",
                                          "mem_info_vis_vram_used", "mem_info_vram_total",
                                          "mem_info_vram_used"};
    uint64_t *dst[7] = {&c->busy, &c->gtt_size, &c->gtt_used, &c->vis_size, &c->vis_used,
                        &c->vram_size, &c->vram_used};
    if (snprintf(path, sizeof(path), "%s/device/uevent", card) >= (int)sizeof(path)) {
        return -ENAMETOOLONG;
    }
    int n = he_sysread(path, uevent);
    if (n < 0) {
        return n;
    }
    if (!memmem(uevent, (size_t)n, "DRIVER=amdgpu", 13)) {
        return 0;
    }
    int rc = drm_chip(card, c->chip, sizeof(c->chip));
    if (rc < 0) {
        return rc;
    }
    for (int i = 0; i < 7; i++) {
        if ((rc = drm_u64(card, fields[i], dst[i])) < 0) {
            return rc;
        }
    }
    drm_str(card, "mem_info_vram_vendor", c->vendor);
    drm_str(card, "power_dpm_force_performance_level", c->level);
    drm_str(card, "unique_id", c->unique_id);
    return 1;
}

/* filepath.Match("card[0-9]", name). */
static bool drm_is_card(const char *name)
{
    return strncmp(name, "card", 4) == 0 && name[4] >= '0' && name[4] <= '9' && name[5] == '\0';
}

/* A gauge labelled card. */
static void drm_gauge(struct he_writer *w, const char *name, const char *help,
                      const struct drm_card *c, uint64_t v)
{
    struct he_label l[1] = {{"card", c->name}};
    if (he_writer_family(w, name, help, HE_GAUGE) == 0) {
        he_writer_sample(w, l, 1, (double)v);
    }
}

static void drm_emit(struct he_writer *w, const struct drm_card *c)
{
    struct he_label l[6] = {{"card", c->name}, {"memory_vendor", c->vendor},
                            {"power_performance_level", c->level}, {"unique_id", c->unique_id},
                            {"vendor", "amd"}, {"chip", c->chip}};
    if (he_writer_family(w, "node_drm_card_info", "Card information", HE_GAUGE) == 0) {
        he_writer_sample(w, l, c->chip[0] ? 6 : 5, 1.0);
    }
    drm_gauge(w, "node_drm_gpu_busy_percent", "How busy the GPU is as a percentage.", c, c->busy);
    drm_gauge(w, "node_drm_memory_gtt_size_bytes",
              "The size of the graphics translation table (GTT) block in bytes.", c, c->gtt_size);
    drm_gauge(w, "node_drm_memory_gtt_used_bytes",
              "The used amount of the graphics translation table (GTT) block in bytes.", c,
              c->gtt_used);
    drm_gauge(w, "node_drm_memory_vram_size_bytes", "The size of VRAM in bytes.", c, c->vram_size);
    drm_gauge(w, "node_drm_memory_vram_used_bytes", "The used amount of VRAM in bytes.", c,
              c->vram_used);
    drm_gauge(w, "node_drm_memory_vis_vram_size_bytes", "The size of visible VRAM in bytes.", c,
              c->vis_size);
    drm_gauge(w, "node_drm_memory_vis_vram_used_bytes", "The used amount of visible VRAM in bytes.",
              c, c->vis_used);
}

static int drm_collect(void *state, struct he_writer *w)
{
    struct drm_state *s = state;
    char top[PATH_MAX], card[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/drm");
    if (rc < 0) {
        return rc;
    }
    /* Glob ignores a missing or unreadable directory: no cards, no error */
    if (he_dir_read(&s->dir, top) < 0) {
        return 0;
    }
    if (he_array_grow((void **)&s->cards, &s->cap, s->dir.n ? s->dir.n : 1, sizeof(*s->cards)) < 0) {
        return -ENOMEM;
    }
    s->ncards = 0;
    /* all cards are read before any is written: one failing card fails them all */
    for (size_t i = 0; i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        struct drm_card *c = &s->cards[s->ncards];
        if (!drm_is_card(name) || he_path_join(card, sizeof(card), top, name) < 0) {
            continue;
        }
        memset(c, 0, sizeof(*c));
        rc = drm_parse(card, c);
        if (rc == -ENODATA || rc == 0) {
            continue;
        }
        if (rc < 0) {
            he_log_debug("drm: cannot read card", "card", name, NULL);
            return rc;
        }
        snprintf(c->name, sizeof(c->name), "%s", name);
        s->ncards++;
    }
    for (size_t i = 0; i < s->ncards; i++) {
        drm_emit(w, &s->cards[i]);
    }
    return 0;
}

static const struct he_collector drm_collector = {
    .name = "drm",
    .default_enabled = false,
    .init = drm_init,
    .collect = drm_collect,
    .fini = drm_fini,
};

HE_COLLECTOR_REGISTER(drm_collector)
