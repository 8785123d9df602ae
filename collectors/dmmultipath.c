/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmmultipath: DM-multipath maps from sysfs, as node_exporter 1.12.1's
 * collector/dmmultipath_linux.go (new in 1.12.0, #3581; default off there) reads
 * them through procfs' blockdevice.DMMultipathDevices.
 *
 * Files read: <sysfs>/block/dm-*: dm/uuid (maps whose uuid starts "mpath-" count;
 * a device without dm/uuid is skipped), dm/name, dm/suspended, size (512-byte
 * sectors), the entries of slaves/, and for each slave <sysfs>/block/<slave>/
 * device/state ("running" for SCSI and "live" for NVMe count as active paths).
 *
 * Families, labelled device (the dm name) and sysfs_name (dm-N):
 * node_dmmultipath_device_info{uuid}, _device_active, _device_size_bytes,
 * _device_paths, _device_paths_active, _device_paths_failed, and
 * node_dmmultipath_path_state{device,path,state}. All gauges.
 *
 * As upstream, every map is read before anything is emitted: one unreadable file
 * means no series at all, reported as no data when the file is missing or not
 * permitted and as a failure otherwise. Text files are read as procfs'
 * SysReadFile does (the first 128 bytes, Go white space trimmed); numbers as its
 * ReadUintFromFile (the whole file trimmed, ParseUint).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* procfs' sysFileBufferSize: SysReadFile does one read of this many bytes. */
#define DMMP_SYSFS_READ 128

struct dmmp_device {
    size_t name, sysfs_name, uuid; /* offsets into strings */
    bool suspended;
    uint64_t size_bytes;
    size_t first_path, npaths;
};

struct dmmp_path {
    size_t device, state; /* offsets into strings */
};

struct dmmp_state {
    struct he_file file;
    struct he_dir blocks; /* <sysfs>/block */
    struct he_dir slaves; /* one map's slaves/ */
    struct he_buf strings; /* NUL-terminated strings, back to back */
    struct dmmp_device *devices;
    size_t ndevices, devices_cap;
    struct dmmp_path *paths;
    size_t npaths, paths_cap;
};

static int dmmp_init(void **state)
{
    struct dmmp_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 0);
    he_dir_init(&s->blocks);
    he_dir_init(&s->slaves);
    he_buf_init(&s->strings, 0);
    *state = s;
    return 0;
}

static void dmmp_fini(void *state)
{
    struct dmmp_state *s = state;
    he_file_fini(&s->file);
    he_dir_fini(&s->blocks);
    he_dir_fini(&s->slaves);
    he_buf_free(&s->strings);
    free(s->devices);
    free(s->paths);
    free(s);
}

/* <sysfs>/block/<a>/<b>[/<c>] into path (PATH_MAX bytes). */
static int dmmp_path(char *path, const char *a, const char *b, const char *c)
{
    char rel[PATH_MAX];
    int n = snprintf(rel, sizeof(rel), "block/%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    return he_path_sys(path, PATH_MAX, rel);
}

/*
 * SysReadFile: reads the file, keeps its first 128 bytes with Go white space
 * trimmed, and appends them NUL-terminated to s->strings at *offset.
 */
static int dmmp_read_text(struct dmmp_state *s, const char *path, size_t *offset)
{
    int rc = he_file_read(&s->file, path);
    if (rc < 0) {
        return rc;
    }
    size_t len = s->file.buf.len < DMMP_SYSFS_READ ? s->file.buf.len : DMMP_SYSFS_READ;
    struct he_field f = he_go_trim_space((struct he_field){s->file.buf.data, len});
    *offset = s->strings.len;
    rc = he_buf_append(&s->strings, f.p, f.len);
    return rc < 0 ? rc : he_buf_append(&s->strings, "", 1);
}

/* ReadUintFromFile: strconv.ParseUint(strings.TrimSpace(whole file), 10, 64). */
static int dmmp_read_uint(struct dmmp_state *s, const char *path, uint64_t *out)
{
    int rc = he_file_read(&s->file, path);
    if (rc < 0) {
        return rc;
    }
    struct he_field f = he_go_trim_space((struct he_field){s->file.buf.data, s->file.buf.len});
    return he_parse_u64(f, out) < 0 ? -EINVAL : 0;
}

/* Appends a name from a directory listing to s->strings. */
static int dmmp_store(struct dmmp_state *s, const char *name, size_t *offset)
{
    *offset = s->strings.len;
    return he_buf_append(&s->strings, name, strlen(name) + 1);
}

/* The slaves of map dm (sorted, as os.ReadDir) with their device states. */
static int dmmp_read_paths(struct dmmp_state *s, const char *dm, struct dmmp_device *d)
{
    char path[PATH_MAX];
    int rc = dmmp_path(path, dm, "slaves", NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->slaves, path);
    }
    d->first_path = s->npaths;
    d->npaths = 0;
    if (rc == -ENOENT) {
        return 0; /* no slaves/ directory: a map without paths, as upstream */
    }
    for (size_t i = 0; rc == 0 && i < s->slaves.n; i++) {
        const char *slave = he_dir_name(&s->slaves, i);
        struct dmmp_path p;
        rc = he_array_grow((void **)&s->paths, &s->paths_cap, s->npaths + 1, sizeof(p));
        if (rc == 0) {
            rc = dmmp_path(path, slave, "device", "state");
        }
        if (rc == 0) {
            rc = dmmp_read_text(s, path, &p.state);
        }
        if (rc == 0) {
            rc = dmmp_store(s, slave, &p.device);
        }
        if (rc == 0) {
            s->paths[s->npaths++] = p;
            d->npaths++;
        }
    }
    if (rc < 0) {
        he_log_debug("dmmultipath: cannot read the paths", "device", dm, NULL);
    }
    return rc;
}

/*
 * Reads map dm into a new s->devices entry. Returns 1 when it is a multipath map,
 * 0 when it is not (no dm/uuid, or another target's uuid), or a negative errno.
 */
static int dmmp_read_device(struct dmmp_state *s, const char *dm)
{
    char path[PATH_MAX];
    struct dmmp_device d;
    uint64_t v;
    int rc = he_array_grow((void **)&s->devices, &s->devices_cap, s->ndevices + 1, sizeof(d));
    if (rc == 0) {
        rc = dmmp_path(path, dm, "dm", "uuid");
    }
    if (rc == 0) {
        rc = dmmp_read_text(s, path, &d.uuid);
    }
    if (rc == -ENOENT) {
        return 0;
    }
    if (rc < 0 || strncmp(s->strings.data + d.uuid, "mpath-", 6) != 0) {
        return rc;
    }
    if ((rc = dmmp_path(path, dm, "dm", "name")) < 0 || (rc = dmmp_read_text(s, path, &d.name)) < 0 ||
        (rc = dmmp_path(path, dm, "dm", "suspended")) < 0 || (rc = dmmp_read_uint(s, path, &v)) < 0) {
        return rc;
    }
    d.suspended = v == 1;
    if ((rc = dmmp_path(path, dm, "size", NULL)) < 0 || (rc = dmmp_read_uint(s, path, &v)) < 0) {
        return rc;
    }
    d.size_bytes = v * 512; /* wraps on overflow, as Go's uint64 product */
    if ((rc = dmmp_store(s, dm, &d.sysfs_name)) < 0 || (rc = dmmp_read_paths(s, dm, &d)) < 0) {
        return rc;
    }
    s->devices[s->ndevices++] = d;
    return 1;
}

/* blockdevice.DMMultipathDevices: every dm-* entry of <sysfs>/block, or an error. */
static int dmmp_scan(struct dmmp_state *s)
{
    char path[PATH_MAX];
    int rc = he_path_sys(path, sizeof(path), "block");
    if (rc == 0) {
        rc = he_dir_read(&s->blocks, path);
    }
    he_buf_reset(&s->strings);
    s->ndevices = 0;
    s->npaths = 0;
    for (size_t i = 0; rc == 0 && i < s->blocks.n; i++) {
        const char *dm = he_dir_name(&s->blocks, i);
        if (strncmp(dm, "dm-", 3) == 0) {
            rc = dmmp_read_device(s, dm);
            if (rc < 0) {
                he_log_debug("dmmultipath: cannot read a map", "device", dm, NULL);
            }
            rc = rc < 0 ? rc : 0;
        }
    }
    return rc;
}

static void dmmp_emit_device(struct dmmp_state *s, struct he_writer *w, const struct dmmp_device *d)
{
    const char *name = s->strings.data + d->name;
    const char *sysfs_name = s->strings.data + d->sysfs_name;
    struct he_label info[3] = {
        {"device", name}, {"sysfs_name", sysfs_name}, {"uuid", s->strings.data + d->uuid}};
    struct he_label l[2] = {{"device", name}, {"sysfs_name", sysfs_name}};
    double active = 0;
    he_writer_family(w, "node_dmmultipath_device_info",
                     "Non-numeric information about a DM-multipath device.", HE_GAUGE);
    he_writer_sample(w, info, 3, 1);
    he_writer_family(w, "node_dmmultipath_device_active",
                     "Whether the multipath device-mapper device is active (1) or suspended (0).",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, d->suspended ? 0 : 1);
    he_writer_family(w, "node_dmmultipath_device_size_bytes",
                     "Size of the multipath device in bytes, read from /sys/block/<dm>/size.",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, (double)d->size_bytes);
    for (size_t i = d->first_path; i < d->first_path + d->npaths; i++) {
        const char *state = s->strings.data + s->paths[i].state;
        he_writer_family(w, "node_dmmultipath_path_state",
                         "Reports the underlying device state for a multipath path, as read from "
                         "/sys/block/<dev>/device/state.",
                         HE_GAUGE);
        struct he_label p[3] = {
            {"device", name}, {"path", s->strings.data + s->paths[i].device}, {"state", state}};
        he_writer_sample(w, p, 3, 1);
        active += strcmp(state, "running") == 0 || strcmp(state, "live") == 0;
    }
    he_writer_family(w, "node_dmmultipath_device_paths", "Number of paths for a multipath device.",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, (double)d->npaths);
    he_writer_family(w, "node_dmmultipath_device_paths_active",
                     "Number of paths in active state (SCSI running or NVMe live) for a multipath "
                     "device.",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, active);
    he_writer_family(w, "node_dmmultipath_device_paths_failed",
                     "Number of paths not in active state for a multipath device.", HE_GAUGE);
    he_writer_sample(w, l, 2, (double)d->npaths - active);
}

static int dmmp_collect(void *state, struct he_writer *w)
{
    struct dmmp_state *s = state;
    int rc = dmmp_scan(s);
    if (rc == -ENOENT || rc == -EACCES || rc == -EPERM) {
        he_log_debug("dmmultipath: Could not read DM-multipath devices", NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->ndevices; i++) {
        dmmp_emit_device(s, w, &s->devices[i]);
    }
    return 0;
}

static const struct he_collector dmmp_collector = {
    .name = "dmmultipath",
    .default_enabled = false,
    .init = dmmp_init,
    .collect = dmmp_collect,
    .fini = dmmp_fini,
};

HE_COLLECTOR_REGISTER(dmmp_collector)
