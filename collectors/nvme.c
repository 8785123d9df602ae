/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nvme: NVMe controllers and their namespaces from <sysfs>/class/nvme, as
 * node_exporter 1.12.1's collector/nvme_linux.go with procfs's NVMeClass
 * (sysfs/class_nvme.go).
 *
 * Per controller directory (Documentation/ABI/testing/sysfs-class-nvme):
 *   firmware_rev, model, serial, state, cntlid    required, read as SysReadFile
 *                                                 (first 128 bytes, trimmed)
 * and per entry of it matching `nvme\d+c\d+n(\d+)` (the per-path namespace
 * devices of native multipath, "nvme0c0n1"; a plain "nvme0n1" does not match, as
 * upstream):
 *   nuse, size, queue/logical_block_size          required; a value that is not a
 *                                                 decimal number counts as 0
 *   ana_state                                     optional ("unknown" without it)
 * Emits:
 *   node_nvme_info{device,firmware_revision,model,serial,state,cntlid} 1
 *   node_nvme_namespace_info{device,nsid,ana_state} 1
 *   node_nvme_namespace_capacity_bytes, _size_bytes   size * logical_block_size
 *   node_nvme_namespace_used_bytes                    nuse * logical_block_size
 *   node_nvme_namespace_logical_block_size_bytes
 * (procfs multiplies the block layer's "size", which counts 512-byte sectors, by
 * the logical block size; products wrap at 2^64 as Go's uint64 do.)
 *
 * As procfs, everything is read before anything is emitted: any unreadable
 * required file fails the collector with no series (-ENODATA when missing).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_sysread.h"

enum { NV_FIRMWARE, NV_MODEL, NV_SERIAL, NV_STATE, NV_CNTLID, NV_NATTR };

static const char *const nvme_attrs[NV_NATTR] = {"firmware_rev", "model", "serial", "state",
                                                 "cntlid"};

struct nvme_device {
    char name[NAME_MAX + 1];
    char attr[NV_NATTR][HE_SYSREAD_MAX + 1];
};

struct nvme_namespace {
    size_t device;                  /* index into devices */
    char nsid[NAME_MAX + 1];
    char ana_state[HE_SYSREAD_MAX + 1];
    uint64_t nuse, size, lbs;
};

struct nvme_state {
    struct he_dir class_dir, dev_dir;
    struct nvme_device *dev;
    size_t ndev, dev_cap;
    struct nvme_namespace *ns;
    size_t nns, ns_cap;
};

/* The digits at p (at most n bytes). */
static size_t nvme_digits(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9') {
        i++;
    }
    return i;
}

/*
 * Leftmost match of `nvme\d+c\d+n(\d+)` in name: copies the capture into nsid
 * and returns true, or false when name holds no match.
 */
static bool nvme_namespace_id(const char *name, char nsid[NAME_MAX + 1])
{
    size_t len = strlen(name);
    for (const char *p = strstr(name, "nvme"); p; p = strstr(p + 1, "nvme")) {
        size_t rest = len - (size_t)(p - name) - 4;
        const char *q = p + 4;
        size_t d = nvme_digits(q, rest);
        if (d == 0 || d == rest || q[d] != 'c') {
            continue;
        }
        q += d + 1, rest -= d + 1;
        d = nvme_digits(q, rest);
        if (d == 0 || d == rest || q[d] != 'n') {
            continue;
        }
        q += d + 1, rest -= d + 1;
        d = nvme_digits(q, rest);
        if (d == 0) {
            continue;
        }
        memcpy(nsid, q, d);
        nsid[d] = '\0';
        return true;
    }
    return false;
}

/* SysReadFile of class/nvme/<dev>/<file>. */
static int nvme_read(const char *dev, const char *file, char out[HE_SYSREAD_MAX + 1])
{
    char rel[PATH_MAX];
    char path[PATH_MAX];
    size_t n = strlen(dev);
    if (n + sizeof("class/nvme/") > sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    memcpy(rel, "class/nvme/", 11);
    memcpy(rel + 11, dev, n + 1);
    int rc = he_sysread_path(path, rel, file);
    return rc < 0 ? rc : he_sysread(path, out);
}

/* ParseUint of a namespace attribute; a value it refuses reads as 0, as procfs. */
static int nvme_read_u64(const char *dev, const char *file, uint64_t *out)
{
    char val[HE_SYSREAD_MAX + 1];
    int rc = nvme_read(dev, file, val);
    if (rc < 0) {
        return rc;
    }
    if (he_parse_u64((struct he_field){val, (size_t)rc}, out) < 0) {
        *out = 0;
    }
    return 0;
}

/* One namespace directory <dev>/<entry>. */
static int nvme_parse_namespace(struct nvme_state *s, const char *dev, const char *entry,
                                const char *nsid)
{
    static const char *const files[] = {"nuse", "size", "queue/logical_block_size"};
    char file[NAME_MAX + 64];
    if (he_array_grow((void **)&s->ns, &s->ns_cap, s->nns + 1, sizeof(*s->ns)) < 0) {
        return -ENOMEM;
    }
    struct nvme_namespace *ns = &s->ns[s->nns];
    uint64_t *dst[] = {&ns->nuse, &ns->size, &ns->lbs};
    ns->device = s->ndev;
    strcpy(ns->nsid, nsid);
    for (size_t i = 0; i < 3; i++) {
        snprintf(file, sizeof(file), "%s/%s", entry, files[i]);
        int rc = nvme_read_u64(dev, file, dst[i]);
        if (rc < 0) {
            return rc;
        }
    }
    snprintf(file, sizeof(file), "%s/ana_state", entry);
    if (nvme_read(dev, file, ns->ana_state) < 0) {
        strcpy(ns->ana_state, "unknown"); /* any error: ana_state is optional */
    }
    s->nns++;
    return 0;
}

/* One controller: its attributes, then every namespace entry of its directory. */
static int nvme_parse_device(struct nvme_state *s, const char *name)
{
    char path[PATH_MAX];
    char nsid[NAME_MAX + 1];
    if (he_array_grow((void **)&s->dev, &s->dev_cap, s->ndev + 1, sizeof(*s->dev)) < 0) {
        return -ENOMEM;
    }
    struct nvme_device *d = &s->dev[s->ndev];
    snprintf(d->name, sizeof(d->name), "%s", name);
    for (int a = 0; a < NV_NATTR; a++) {
        int rc = nvme_read(name, nvme_attrs[a], d->attr[a]);
        if (rc < 0) {
            return rc;
        }
    }
    int rc = he_sysread_path(path, "class/nvme", name);
    if (rc == 0) {
        rc = he_dir_read(&s->dev_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->dev_dir.n; i++) {
        const char *entry = he_dir_name(&s->dev_dir, i);
        if (nvme_namespace_id(entry, nsid)) {
            rc = nvme_parse_namespace(s, name, entry, nsid);
        }
    }
    if (rc == 0) {
        s->ndev++;
    }
    return rc;
}

static void nvme_emit(struct nvme_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->ndev; i++) {
        const struct nvme_device *d = &s->dev[i];
        struct he_label l[6] = {
            {"device", d->name},           {"firmware_revision", d->attr[NV_FIRMWARE]},
            {"model", d->attr[NV_MODEL]},  {"serial", d->attr[NV_SERIAL]},
            {"state", d->attr[NV_STATE]},  {"cntlid", d->attr[NV_CNTLID]},
        };
        he_writer_family(w, "node_nvme_info",
                         "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                         HE_GAUGE);
        he_writer_sample(w, l, 6, 1);
    }
    for (size_t i = 0; i < s->nns; i++) {
        const struct nvme_namespace *ns = &s->ns[i];
        struct he_label l[3] = {
            {"device", s->dev[ns->device].name}, {"nsid", ns->nsid}, {"ana_state", ns->ana_state}};
        he_writer_family(w, "node_nvme_namespace_info",
                         "Information about NVMe namespaces. Value is always 1", HE_GAUGE);
        he_writer_sample(w, l, 3, 1);
        he_writer_family(w, "node_nvme_namespace_capacity_bytes",
                         "Capacity of the NVMe namespace in bytes. Computed as namespace_size * "
                         "namespace_logical_block_size",
                         HE_GAUGE);
        he_writer_sample(w, l, 2, (double)(ns->size * ns->lbs));
        he_writer_family(w, "node_nvme_namespace_size_bytes",
                         "Size of the NVMe namespace in bytes. Available in "
                         "/sys/class/nvme/<device>/<namespace>/size",
                         HE_GAUGE);
        he_writer_sample(w, l, 2, (double)(ns->size * ns->lbs));
        he_writer_family(w, "node_nvme_namespace_used_bytes",
                         "Used space of the NVMe namespace in bytes. Available in "
                         "/sys/class/nvme/<device>/<namespace>/nuse",
                         HE_GAUGE);
        he_writer_sample(w, l, 2, (double)(ns->nuse * ns->lbs));
        he_writer_family(w, "node_nvme_namespace_logical_block_size_bytes",
                         "Logical block size of the NVMe namespace in bytes. Usually 4Kb. "
                         "Available in /sys/class/nvme/<device>/<namespace>/queue/"
                         "logical_block_size",
                         HE_GAUGE);
        he_writer_sample(w, l, 2, (double)ns->lbs);
    }
}

static int nvme_collect(void *state, struct he_writer *w)
{
    struct nvme_state *s = state;
    char path[PATH_MAX];
    s->ndev = 0;
    s->nns = 0;
    int rc = he_sysread_path(path, "class/nvme", NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->class_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->class_dir.n; i++) {
        rc = nvme_parse_device(s, he_dir_name(&s->class_dir, i));
    }
    if (rc < 0) {
        he_log_debug("nvme: cannot read NVMe class info", "path", path, NULL);
        return rc == -ENOENT ? -ENODATA : rc;
    }
    nvme_emit(s, w);
    return 0;
}

static int nvme_init(void **state)
{
    struct nvme_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->class_dir);
    he_dir_init(&s->dev_dir);
    *state = s;
    return 0;
}

static void nvme_fini(void *state)
{
    struct nvme_state *s = state;
    he_dir_fini(&s->class_dir);
    he_dir_fini(&s->dev_dir);
    free(s->dev);
    free(s->ns);
    free(s);
}

static const struct he_collector nvme_collector = {
    .name = "nvme",
    .default_enabled = true,
    .init = nvme_init,
    .collect = nvme_collect,
    .fini = nvme_fini,
};

HE_COLLECTOR_REGISTER(nvme_collector)
