/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmi: node_dmi_info, a constant 1 labelled by the SMBIOS strings the kernel
 * exports in <sysfs>/class/dmi/id/ (bios_*, board_*, chassis_*, product_*,
 * sys_vendor as system_vendor); a label is present when its file could be read,
 * even if empty.
 *
 * Mirrors node_exporter 1.12.1's collector/dmi.go and procfs's sysfs/class_dmi.go:
 * the files are read once, when the collector starts (they do not change until
 * reboot), each as util.SysReadFile (one read of at most 128 bytes, white space
 * trimmed); only regular files count, modalias and uevent are left out, and a
 * file the exporter may not read (the serials and product_uuid are root-only) is
 * skipped. A missing directory gives no labels and so no sample (-ENODATA each
 * scrape); any other read error fails the start (upstream refuses to start; here
 * the collector reports success 0). Invalid UTF-8 becomes U+FFFD, one per run of
 * bad bytes, as strings.ToValidUTF8 does (the writer does that for every value).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_paths.h"
#include "he_sysread.h"

/* The files node_exporter exports, and their label names. */
static const struct {
    const char *file;
    const char *label;
} dmi_fields[] = {
    {"bios_date", "bios_date"},
    {"bios_release", "bios_release"},
    {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"},
    {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"},
    {"board_serial", "board_serial"},
    {"board_vendor", "board_vendor"},
    {"board_version", "board_version"},
    {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"},
    {"chassis_vendor", "chassis_vendor"},
    {"chassis_version", "chassis_version"},
    {"product_family", "product_family"},
    {"product_name", "product_name"},
    {"product_serial", "product_serial"},
    {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"},
    {"product_version", "product_version"},
    {"sys_vendor", "system_vendor"},
};

#define DMI_NFIELDS (sizeof(dmi_fields) / sizeof(dmi_fields[0]))

struct dmi_state {
    char value[DMI_NFIELDS][HE_SYSREAD_MAX + 1];
    bool have[DMI_NFIELDS];
    size_t n;           /* fields present */
    int init_error;     /* the read error that would have stopped upstream's start */
};

/* Index of file in dmi_fields, or -1 for the files procfs reads but node_exporter drops. */
static int dmi_field(const char *file)
{
    for (size_t i = 0; i < DMI_NFIELDS; i++) {
        if (strcmp(file, dmi_fields[i].file) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* One directory entry; 0 (read or skipped) or the negative errno that fails DMIClass. */
static int dmi_read_entry(struct dmi_state *s, const char *top, const char *name)
{
    char path[PATH_MAX], value[HE_SYSREAD_MAX + 1];
    struct stat st;
    if (strcmp(name, "modalias") == 0 || strcmp(name, "uevent") == 0 ||
        he_path_join(path, sizeof(path), top, name) < 0) {
        return 0;
    }
    /* DirEntry.Type().IsRegular(): links and directories are not attributes */
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        return 0;
    }
    int n = he_sysread(path, value);
    if (n == -EACCES || n == -EPERM) {
        return 0; /* root-only: the serials, product_uuid */
    }
    if (n < 0) {
        he_log_debug("dmi: cannot read", "path", path, NULL);
        return n;
    }
    int i = dmi_field(name);
    if (i >= 0) {
        memcpy(s->value[i], value, (size_t)n + 1);
        s->have[i] = true;
    }
    return 0;
}

/* DMIClass: fills s; 0, or the negative errno of the first failing read. */
static int dmi_read(struct dmi_state *s)
{
    struct he_dir dir;
    char top[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "class/dmi/id");
    if (rc < 0) {
        return rc;
    }
    he_dir_init(&dir);
    rc = he_dir_read(&dir, top);
    if (rc == -ENOENT) {
        he_log_debug("dmi: platform does not support DMI information", "path", top, NULL);
        rc = 0;
    }
    for (size_t i = 0; rc == 0 && i < dir.n; i++) {
        rc = dmi_read_entry(s, top, he_dir_name(&dir, i));
    }
    he_dir_fini(&dir);
    return rc;
}

static int dmi_init(void **state)
{
    struct dmi_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    s->init_error = dmi_read(s);
    if (s->init_error < 0) {
        he_log_error("dmi: failed to read Desktop Management Interface (DMI) information", NULL);
        memset(s->have, 0, sizeof(s->have));
    }
    for (size_t i = 0; i < DMI_NFIELDS; i++) {
        s->n += s->have[i];
    }
    *state = s;
    return 0;
}

static void dmi_fini(void *state)
{
    free(state);
}

static int dmi_collect(void *state, struct he_writer *w)
{
    struct dmi_state *s = state;
    struct he_label l[DMI_NFIELDS];
    size_t n = 0;
    if (s->init_error < 0) {
        return s->init_error;
    }
    if (s->n == 0) {
        return -ENODATA;
    }
    for (size_t i = 0; i < DMI_NFIELDS; i++) {
        if (s->have[i]) {
            l[n++] = (struct he_label){dmi_fields[i].label, s->value[i]};
        }
    }
    if (he_writer_family(w, "node_dmi_info",
                         "A metric with a constant '1' value labeled by bios_date, bios_release, "
                         "bios_vendor, bios_version, board_asset_tag, board_name, board_serial, "
                         "board_vendor, board_version, chassis_asset_tag, chassis_serial, "
                         "chassis_vendor, chassis_version, product_family, product_name, "
                         "product_serial, product_sku, product_uuid, product_version, "
                         "system_vendor if provided by DMI.",
                         HE_GAUGE) == 0) {
        he_writer_sample(w, l, n, 1);
    }
    return 0;
}

static const struct he_collector dmi_collector = {
    .name = "dmi",
    .default_enabled = true,
    .init = dmi_init,
    .collect = dmi_collect,
    .fini = dmi_fini,
};

HE_COLLECTOR_REGISTER(dmi_collector)
