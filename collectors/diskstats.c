/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diskstats: the block device counters of <procfs>/diskstats (kernel
 * Documentation/admin-guide/iostats.rst) as node_disk_reads_completed_total,
 * _reads_merged_total, _read_bytes_total, _read_time_seconds_total,
 * _writes_completed_total, _writes_merged_total, _written_bytes_total,
 * _write_time_seconds_total, _io_now, _io_time_seconds_total,
 * _io_time_weighted_seconds_total, the discard counters (4.18+)
 * _discards_completed_total, _discards_merged_total, _discarded_sectors_total,
 * _discard_time_seconds_total and the flush counters (5.5+)
 * _flush_requests_total, _flush_requests_time_seconds_total; plus
 * node_disk_info (udev's ID_PATH, ID_WWN, ID_MODEL, serial, ID_REVISION and
 * <sysfs>/block/<dev>/queue/rotational), node_disk_filesystem_info (ID_FS_*),
 * node_disk_device_mapper_info (DM_*) and node_disk_ata_write_cache,
 * _ata_write_cache_enabled, _ata_rotation_rate_rpm (ID_ATA_*), with udev's
 * properties from he_udev.h. Mirrors node_exporter 1.12.1's
 * collector/diskstats_linux.go and diskstats_common.go, with procfs's
 * blockdevice parsers.
 *
 * As procfs: each line is read as fmt.Sscanf(line, "%d %d %s %d ... %d") with
 * 17 counters; a line that ends early keeps the fields read and is used when it
 * has 14 or more (11 counters: before 4.18), any other text where a number
 * belongs fails the whole scrape, and a line only emits the counters it has.
 * Sectors are 512 bytes, times are milliseconds; discarded sectors stay sectors.
 * rotational is the queue file's value written in base 2, and "0" unless every
 * queue file procfs's SysBlockDeviceQueueStats reads is there and parses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_udev.h"

/* Compared by address: a value from the command line is never this array. */
static const char diskstats_exclude_default[] =
    "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";

static const char *diskstats_exclude;
static const char *diskstats_include;
static const char *diskstats_ignored;   /* hidden, deprecated name of device-exclude */

static const struct he_flag diskstats_flags[] = {
    {"collector.diskstats.device-exclude", HE_FLAG_STRING, diskstats_exclude_default,
     "Regexp of diskstats devices to exclude (mutually exclusive to device-include).",
     &diskstats_exclude, he_regex_check_flag},
    {"collector.diskstats.ignored-devices", HE_FLAG_STRING, NULL, NULL, &diskstats_ignored,
     he_regex_check_flag},
    {"collector.diskstats.device-include", HE_FLAG_STRING, NULL,
     "Regexp of diskstats devices to include (mutually exclusive to device-exclude).",
     &diskstats_include, he_regex_check_flag},
    {0},
};

#define DISKSTATS_COUNTERS 17
/* bufio.Scanner's limit: a longer line fails the read. */
#define DISKSTATS_MAX_LINE 65535u

/* One line of /proc/diskstats; name points into the file buffer, NUL-terminated. */
struct diskstats_dev {
    uint32_t major, minor;
    const char *name;
    uint64_t v[DISKSTATS_COUNTERS];
    int fields;   /* fields read, name and numbers included: 14 to 20 */
};

struct diskstats_state {
    struct he_file file;        /* kept open: /proc/diskstats always exists */
    struct he_file attr;        /* queue attribute files */
    struct diskstats_dev *devs; /* grown to the most lines seen */
    size_t ndevs, cap;
    struct he_filter filter;
    struct he_udev *udev;
};

/* Families in /proc/diskstats column order, and the factor each counter is scaled by. */
static const struct {
    const char *name;
    const char *help;
    enum he_metric_type type;
    double scale;
} diskstats_families[DISKSTATS_COUNTERS] = {
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.",
     HE_COUNTER, 1},
    {"node_disk_reads_merged_total", "The total number of reads merged.", HE_COUNTER, 1},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.", HE_COUNTER,
     512.0},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
     HE_COUNTER, 1.0 / 1000.0},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.",
     HE_COUNTER, 1},
    {"node_disk_writes_merged_total", "The number of writes merged.", HE_COUNTER, 1},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.",
     HE_COUNTER, 512.0},
    {"node_disk_write_time_seconds_total",
     "This is the total number of seconds spent by all writes.", HE_COUNTER, 1.0 / 1000.0},
    {"node_disk_io_now", "The number of I/Os currently in progress.", HE_GAUGE, 1},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", HE_COUNTER,
     1.0 / 1000.0},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
     HE_COUNTER, 1.0 / 1000.0},
    {"node_disk_discards_completed_total",
     "The total number of discards completed successfully.", HE_COUNTER, 1},
    {"node_disk_discards_merged_total", "The total number of discards merged.", HE_COUNTER, 1},
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.",
     HE_COUNTER, 1},
    {"node_disk_discard_time_seconds_total",
     "This is the total number of seconds spent by all discards.", HE_COUNTER, 1.0 / 1000.0},
    {"node_disk_flush_requests_total",
     "The total number of flush requests completed successfully", HE_COUNTER, 1},
    {"node_disk_flush_requests_time_seconds_total",
     "This is the total number of seconds spent by all flush requests.", HE_COUNTER,
     1.0 / 1000.0},
};

/* The udev properties upstream reads, in the order of diskstats_prop_keys. */
enum {
    P_PATH,
    P_WWN,
    P_MODEL,
    P_SCSI_SERIAL,
    P_SERIAL_SHORT,
    P_SERIAL,
    P_REVISION,
    P_FS_TYPE,
    P_FS_USAGE,
    P_FS_UUID,
    P_FS_VERSION,
    P_DM_NAME,
    P_DM_UUID,
    P_DM_VG_NAME,
    P_DM_LV_NAME,
    P_DM_LV_LAYER,
    P_ATA,
    P_ATA_WRITE_CACHE,
    P_ATA_WRITE_CACHE_ENABLED,
    P_ATA_ROTATION_RATE_RPM,
    P_COUNT,
};

static const char *const diskstats_prop_keys[P_COUNT] = {
    "ID_PATH", "ID_WWN", "ID_MODEL", "SCSI_IDENT_SERIAL", "ID_SERIAL_SHORT", "ID_SERIAL",
    "ID_REVISION", "ID_FS_TYPE", "ID_FS_USAGE", "ID_FS_UUID", "ID_FS_VERSION", "DM_NAME", "DM_UUID",
    "DM_VG_NAME", "DM_LV_NAME", "DM_LV_LAYER", "ID_ATA", "ID_ATA_WRITE_CACHE",
    "ID_ATA_WRITE_CACHE_ENABLED", "ID_ATA_ROTATION_RATE_RPM",
};

static void diskstats_fini(void *state)
{
    struct diskstats_state *s = state;
    he_file_fini(&s->file);
    he_file_fini(&s->attr);
    he_filter_free(&s->filter);
    he_udev_free(s->udev);
    free(s->devs);
    free(s);
}

/*
 * newDiskstatsDeviceFilter: the deprecated ignored-devices stands in for
 * device-exclude unless that was given too (even at its default value: kingpin's
 * PreAction), and include goes with an empty exclude only. Upstream refuses to
 * start otherwise; here the collector's init fails and it reports success 0.
 */
static int diskstats_filter_flags(const char **exclude, const char **include)
{
    *exclude = diskstats_exclude ? diskstats_exclude : "";
    *include = diskstats_include ? diskstats_include : "";
    if (diskstats_ignored && *diskstats_ignored) {
        if (diskstats_exclude != diskstats_exclude_default) {
            he_log_error("diskstats: --collector.diskstats.ignored-devices and "
                         "--collector.diskstats.device-exclude are mutually exclusive",
                         NULL);
            return -EINVAL;
        }
        he_log_warn("--collector.diskstats.ignored-devices is DEPRECATED and will be removed in "
                    "2.0.0, use --collector.diskstats.device-exclude",
                    NULL);
        *exclude = diskstats_ignored;
    }
    if (**exclude && **include) {
        he_log_error("diskstats: device-exclude & device-include are mutually exclusive", NULL);
        return -EINVAL;
    }
    if (**exclude) {
        he_log_info("Parsed flag --collector.diskstats.device-exclude", "flag", *exclude, NULL);
    }
    if (**include) {
        he_log_info("Parsed Flag --collector.diskstats.device-include", "flag", *include, NULL);
    }
    return 0;
}

/* Upstream logs this once when --path.udev.data is not a directory (and reads the files anyway). */
static void diskstats_check_udev_dir(void)
{
    struct stat st;
    if (stat(he_paths.udev_data, &st) < 0 || !S_ISDIR(st.st_mode)) {
        he_log_error("Failed to open directory, disabling udev device properties", "path",
                     he_paths.udev_data, NULL);
    }
}

/* blockdevice.NewFS: upstream's constructor fails when either root is not a directory. */
static int diskstats_check_roots(void)
{
    const char *roots[] = {he_paths.procfs, he_paths.sysfs};
    for (size_t i = 0; i < 2; i++) {
        struct stat st;
        if (stat(roots[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
            he_log_error("diskstats: failed to open sysfs", "path", roots[i], NULL);
            return -ENOTDIR;
        }
    }
    return 0;
}

static int diskstats_init(void **state)
{
    const char *exclude, *include;
    int rc = diskstats_check_roots();
    if (rc == 0) {
        rc = diskstats_filter_flags(&exclude, &include);
    }
    if (rc < 0) {
        return rc;
    }
    struct diskstats_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    he_file_init(&s->attr, false, 0);
    char err[256];
    rc = he_filter_init(&s->filter, include, exclude, err, sizeof(err));
    if (rc == 0) {
        rc = he_udev_new(&s->udev);
    }
    if (rc < 0) {
        diskstats_fini(s);
        return rc;
    }
    diskstats_check_udev_dir();
    *state = s;
    return 0;
}

/* Skips Go white space (fmt's isSpace, Unicode-aware) from p[*i], n bytes in all. */
static void diskstats_skip_space(const char *p, size_t n, size_t *i)
{
    size_t w;
    while (*i < n && (w = he_go_space_at(p + *i, n - *i)) > 0) {
        *i += w;
    }
}

/* One %d of fmt.Sscanf into an unsigned of bits bits: digits only. 0 or -EINVAL. */
static int diskstats_scan_uint(const char *p, size_t n, size_t *i, int bits, uint64_t *out)
{
    size_t start = *i;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        (*i)++;
    }
    if (*i == start || he_parse_u64((struct he_field){p + start, *i - start}, out) < 0) {
        return -EINVAL;   /* "expected integer", or out of range */
    }
    return bits == 32 && *out > UINT32_MAX ? -EINVAL : 0;
}

/* Stores field k (0: major, 1: minor, 2: name, then the counters) of the line. */
static int diskstats_scan_field(const char *p, size_t n, size_t *i, int k,
                                struct diskstats_dev *d)
{
    uint64_t v;
    if (k == 2) {
        d->name = p + *i;   /* a word: up to the next white space */
        while (*i < n && he_go_space_at(p + *i, n - *i) == 0) {
            (*i)++;
        }
        return 0;
    }
    if (diskstats_scan_uint(p, n, i, k < 2 ? 32 : 64, &v) < 0) {
        return -EINVAL;
    }
    if (k < 2) {
        *(k == 0 ? &d->major : &d->minor) = (uint32_t)v;
    } else {
        d->v[k - 3] = v;
    }
    return 0;
}

/*
 * fmt.Sscanf(line, "%d %d %s %d ... %d") with 17 counters: a space in the
 * format wants one or more spaces in the input (or its end), each verb first
 * skips spaces, and running out of input ends the scan (io.EOF, which procfs
 * ignores) with the fields read so far. Returns that count, or -EINVAL where
 * the text does not match. Text after the last field is ignored.
 */
static int diskstats_scan_line(struct he_field line, struct diskstats_dev *d)
{
    const char *p = line.p;
    size_t n = line.len, i = 0;
    size_t name_end = 0;
    int k;
    for (k = 0; k < DISKSTATS_COUNTERS + 3; k++) {
        if (k > 0 && i < n && he_go_space_at(p + i, n - i) == 0) {
            return -EINVAL;   /* "expected space in input to match format" */
        }
        diskstats_skip_space(p, n, &i);
        if (i == n) {
            break;
        }
        if (diskstats_scan_field(p, n, &i, k, d) < 0) {
            return -EINVAL;
        }
        if (k == 2) {
            name_end = i;
        }
    }
    if (k > 2) {
        ((char *)p)[name_end] = '\0';   /* a space after the name, or the line's end */
    }
    d->fields = k;
    return k;
}

/*
 * procfs's ProcDiskstats: every line scanned, those with 14 fields or more
 * kept. A scan error or an over-long line fails the whole read, as upstream's
 * Update then returns before emitting anything.
 */
static int diskstats_parse(struct diskstats_state *s)
{
    struct he_lines it;
    struct he_field line;
    s->ndevs = 0;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        if (line.len > DISKSTATS_MAX_LINE) {
            return -EINVAL;
        }
        if (he_array_grow((void **)&s->devs, &s->cap, s->ndevs + 1, sizeof(*s->devs)) < 0) {
            return -ENOMEM;
        }
        struct diskstats_dev *d = &s->devs[s->ndevs];
        memset(d, 0, sizeof(*d));
        int n = diskstats_scan_line(line, d);
        if (n < 0) {
            return n;
        }
        if (n >= 14) {
            s->ndevs++;
        }
    }
    return 0;
}

/* The queue files procfs's SysBlockDeviceQueueStats reads, by how it parses them. */
static const char *const diskstats_queue_uint[] = {
    "rotational", "add_random", "dax", "discard_granularity", "discard_max_hw_bytes",
    "discard_max_bytes", "hw_sector_size", "io_poll", "io_timeout", "iostats",
    "logical_block_size", "max_hw_sectors_kb", "max_integrity_segments", "max_sectors_kb",
    "max_segments", "max_segment_size", "minimum_io_size", "nomerges", "nr_requests",
    "optimal_io_size", "physical_block_size", "read_ahead_kb", "rq_affinity",
    "write_same_max_bytes", "nr_zones", "chunk_sectors", "fua", "max_discard_segments",
    "write_zeroes_max_bytes",
};
static const char *const diskstats_queue_int[] = {"io_poll_delay", "wbt_lat_usec"};
static const char *const diskstats_queue_string[] = {"write_cache", "zoned", "scheduler"};

#define DISKSTATS_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Reads <sysfs>/block/<dev>/queue/<file> whole into s->attr. 0 or a negative errno. */
static int diskstats_read_queue(struct diskstats_state *s, const char *dev, const char *file)
{
    char rel[1024];
    char path[4096];
    int n = snprintf(rel, sizeof(rel), "block/%s/queue/%s", dev, file);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    int rc = he_path_sys(path, sizeof(path), rel);
    return rc < 0 ? rc : he_file_read(&s->attr, path);
}

/* util.ReadUintFromFile (kind 'u') or ReadIntFromFile ('i'): Go-trimmed, base 10. */
static int diskstats_queue_number(struct diskstats_state *s, const char *dev, const char *file,
                                  char kind, uint64_t *out)
{
    int rc = diskstats_read_queue(s, dev, file);
    if (rc < 0) {
        return rc;
    }
    struct he_field f = {s->attr.buf.data, s->attr.buf.len};
    if (kind == 'u') {
        return he_parse_u64_trimmed(f, out);
    }
    int64_t v;
    return he_parse_i64(he_go_trim_space(f), &v);
}

/* util.SysReadFile: only one read of at most 128 bytes has to succeed. */
static int diskstats_queue_string_ok(const char *dev, const char *file)
{
    char rel[1024];
    char path[4096];
    char buf[129];
    int n = snprintf(rel, sizeof(rel), "block/%s/queue/%s", dev, file);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    int rc = he_path_sys(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_read_attr(path, buf, sizeof(buf));
    }
    return rc == -EFBIG ? 0 : rc;
}

/*
 * BlockQueueStats.Rotational as upstream gets it: SysBlockDeviceQueueStats
 * returns a zeroed struct when any of its files is missing or does not parse
 * (io_timeout only exists for some drivers), so then rotational is 0.
 */
static uint64_t diskstats_rotational(struct diskstats_state *s, const char *dev)
{
    uint64_t rotational, v;
    if (diskstats_queue_number(s, dev, diskstats_queue_uint[0], 'u', &rotational) < 0) {
        return 0;
    }
    for (size_t i = 1; i < DISKSTATS_LEN(diskstats_queue_uint); i++) {
        if (diskstats_queue_number(s, dev, diskstats_queue_uint[i], 'u', &v) < 0) {
            return 0;
        }
    }
    for (size_t i = 0; i < DISKSTATS_LEN(diskstats_queue_int); i++) {
        if (diskstats_queue_number(s, dev, diskstats_queue_int[i], 'i', &v) < 0) {
            return 0;
        }
    }
    for (size_t i = 0; i < DISKSTATS_LEN(diskstats_queue_string); i++) {
        if (diskstats_queue_string_ok(dev, diskstats_queue_string[i]) < 0) {
            return 0;
        }
    }
    return rotational;
}

/* strconv.FormatUint(v, 2). */
static void diskstats_format_base2(uint64_t v, char out[65])
{
    char tmp[64];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (v & 1));
        v >>= 1;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    out[n] = '\0';
}

/* A property's value for a label: "" when the device has none. */
static const char *diskstats_prop(const struct he_udev_prop *props, int i)
{
    return props[i].value ? props[i].value : "";
}

/* node_disk_info; the serial is SCSI_IDENT_SERIAL, else ID_SERIAL_SHORT, else ID_SERIAL. */
static void diskstats_emit_info(struct diskstats_state *s, struct he_writer *w,
                                const struct diskstats_dev *d, const struct he_udev_prop *props)
{
    char major[16], minor[16], rotational[65];
    const char *serial = diskstats_prop(props, P_SCSI_SERIAL);
    if (!*serial) {
        serial = diskstats_prop(props, P_SERIAL_SHORT);
    }
    if (!*serial) {
        serial = diskstats_prop(props, P_SERIAL);
    }
    snprintf(major, sizeof(major), "%u", (unsigned)d->major);
    snprintf(minor, sizeof(minor), "%u", (unsigned)d->minor);
    diskstats_format_base2(diskstats_rotational(s, d->name), rotational);
    struct he_label labels[] = {
        {"device", d->name},
        {"major", major},
        {"minor", minor},
        {"path", diskstats_prop(props, P_PATH)},
        {"wwn", diskstats_prop(props, P_WWN)},
        {"model", diskstats_prop(props, P_MODEL)},
        {"serial", serial},
        {"revision", diskstats_prop(props, P_REVISION)},
        {"rotational", rotational},
    };
    he_writer_family(w, "node_disk_info", "Info of /sys/block/<block_device>.", HE_GAUGE);
    he_writer_sample(w, labels, DISKSTATS_LEN(labels), 1);
}

/* The counters the line has: one per field after major, minor and name. */
static void diskstats_emit_counters(struct he_writer *w, const struct diskstats_dev *d)
{
    struct he_label label = {"device", d->name};
    int n = d->fields - 3;
    for (int i = 0; i < n && i < DISKSTATS_COUNTERS; i++) {
        he_writer_family(w, diskstats_families[i].name, diskstats_families[i].help,
                         diskstats_families[i].type);
        he_writer_sample(w, &label, 1, (double)d->v[i] * diskstats_families[i].scale);
    }
}

/* node_disk_filesystem_info and node_disk_device_mapper_info, when udev names one. */
static void diskstats_emit_udev_info(struct he_writer *w, const char *dev,
                                     const struct he_udev_prop *props)
{
    if (*diskstats_prop(props, P_FS_TYPE)) {
        struct he_label labels[] = {
            {"device", dev},
            {"type", diskstats_prop(props, P_FS_TYPE)},
            {"usage", diskstats_prop(props, P_FS_USAGE)},
            {"uuid", diskstats_prop(props, P_FS_UUID)},
            {"version", diskstats_prop(props, P_FS_VERSION)},
        };
        he_writer_family(w, "node_disk_filesystem_info", "Info about disk filesystem.", HE_GAUGE);
        he_writer_sample(w, labels, DISKSTATS_LEN(labels), 1);
    }
    if (*diskstats_prop(props, P_DM_NAME)) {
        struct he_label labels[] = {
            {"device", dev},
            {"name", diskstats_prop(props, P_DM_NAME)},
            {"uuid", diskstats_prop(props, P_DM_UUID)},
            {"vg_name", diskstats_prop(props, P_DM_VG_NAME)},
            {"lv_name", diskstats_prop(props, P_DM_LV_NAME)},
            {"lv_layer", diskstats_prop(props, P_DM_LV_LAYER)},
        };
        he_writer_family(w, "node_disk_device_mapper_info", "Info about disk device mapper.",
                         HE_GAUGE);
        he_writer_sample(w, labels, DISKSTATS_LEN(labels), 1);
    }
}

/* The node_disk_ata_* gauges of an ATA disk (ID_ATA set): each property that parses as a float. */
static void diskstats_emit_ata(struct he_writer *w, const char *dev,
                               const struct he_udev_prop *props)
{
    static const struct {
        int prop;
        const char *name;
        const char *help;
    } ata[] = {
        {P_ATA_WRITE_CACHE, "node_disk_ata_write_cache", "ATA disk has a write cache."},
        {P_ATA_WRITE_CACHE_ENABLED, "node_disk_ata_write_cache_enabled",
         "ATA disk has its write cache enabled."},
        {P_ATA_ROTATION_RATE_RPM, "node_disk_ata_rotation_rate_rpm",
         "ATA disk rotation rate in RPMs (0 for SSDs)."},
    };
    struct he_label label = {"device", dev};
    if (!*diskstats_prop(props, P_ATA)) {
        return;
    }
    for (size_t i = 0; i < DISKSTATS_LEN(ata); i++) {
        const char *text = props[ata[i].prop].value;
        double v;
        if (!text) {
            he_log_debug("Udev attribute does not exist", "attribute",
                         diskstats_prop_keys[ata[i].prop], NULL);
        } else if (he_parse_double((struct he_field){text, strlen(text)}, &v) < 0) {
            he_log_error("Failed to parse ATA value", "attribute",
                         diskstats_prop_keys[ata[i].prop], "value", text, NULL);
        } else {
            he_writer_family(w, ata[i].name, ata[i].help, HE_GAUGE);
            he_writer_sample(w, &label, 1, v);
        }
    }
}

static void diskstats_emit_device(struct diskstats_state *s, struct he_writer *w,
                                  const struct diskstats_dev *d)
{
    struct he_udev_prop props[P_COUNT];
    for (int i = 0; i < P_COUNT; i++) {
        props[i].key = diskstats_prop_keys[i];
    }
    int rc = he_udev_block_properties(s->udev, d->major, d->minor, props, P_COUNT);
    if (rc <= 0) {
        he_log_debug("Failed to parse udev info", "device", d->name, "err",
                     rc < 0 ? strerror(-rc) : "no udev database entry", NULL);
    }
    diskstats_emit_info(s, w, d, props);
    diskstats_emit_counters(w, d);
    diskstats_emit_udev_info(w, d->name, props);
    diskstats_emit_ata(w, d->name, props);
}

static int diskstats_collect(void *state, struct he_writer *w)
{
    struct diskstats_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "diskstats");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = diskstats_parse(s);
    }
    if (rc < 0) {
        he_log_debug("diskstats: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    for (size_t i = 0; i < s->ndevs; i++) {
        if (!he_filter_ignored(&s->filter, s->devs[i].name)) {
            diskstats_emit_device(s, w, &s->devs[i]);
        }
    }
    return 0;
}

static const struct he_collector diskstats_collector = {
    .name = "diskstats",
    .default_enabled = true,
    .flags = diskstats_flags,
    .init = diskstats_init,
    .collect = diskstats_collect,
    .fini = diskstats_fini,
};

HE_COLLECTOR_REGISTER(diskstats_collector)
