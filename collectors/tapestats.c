/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tapestats: SCSI tape statistics from <sysfs>/class/scsi_tape/st<N>/stats, as
 * node_exporter 1.12.1's collector/tapestats_linux.go with procfs's
 * SCSITapeClass (sysfs/class_scsitape.go).
 *
 * Only the rewinding devices named st<N> count (not nst<N> or the st<N>[lma]
 * mode variants). Every file in their stats directory
 * (Documentation/scsi/st.rst, "Sysfs and Statistics for tape devices") must
 * read; the ten known ones are unsigned integers (ParseUint base 0). Emits,
 * labelled device:
 *   node_tape_io_now                      in_flight (gauge)
 *   node_tape_io_time_seconds_total       io_ns * 1e-9
 *   node_tape_io_others_total             other_cnt
 *   node_tape_read_bytes_total            read_byte_cnt
 *   node_tape_reads_completed_total       read_cnt
 *   node_tape_read_time_seconds_total     read_ns * 1e-9
 *   node_tape_residual_total              resid_cnt
 *   node_tape_written_bytes_total         write_byte_cnt
 *   node_tape_writes_completed_total      write_cnt
 *   node_tape_write_time_seconds_total    write_ns * 1e-9
 * --collector.tapestats.ignored-devices drops devices by name after they were
 * read. As upstream, any read error fails the collector with no series
 * (-ENODATA for a missing class or stats directory). A known file that is not a
 * number makes upstream dereference nil and crash; here the collector fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_regex.h"
#include "he_sysread.h"

static const char *tapestats_ignored_flag;

static const struct he_flag tapestats_flags[] = {
    {"collector.tapestats.ignored-devices", HE_FLAG_STRING, "^$",
     "Regexp of devices to ignore for tapestats.", &tapestats_ignored_flag, he_regex_check_flag},
    {0},
};

enum {
    TS_IN_FLIGHT, TS_IO_NS, TS_OTHER_CNT, TS_READ_BYTE_CNT, TS_READ_CNT, TS_READ_NS,
    TS_RESID_CNT, TS_WRITE_BYTE_CNT, TS_WRITE_CNT, TS_WRITE_NS, TS_NFILES,
};

static const char *const tapestats_files[TS_NFILES] = {
    "in_flight", "io_ns", "other_cnt", "read_byte_cnt", "read_cnt",
    "read_ns", "resid_cnt", "write_byte_cnt", "write_cnt", "write_ns",
};

static const struct {
    int file;
    const char *name;
    const char *help;
    enum he_metric_type type;
    double scale;
} tapestats_metrics[] = {
    {TS_IN_FLIGHT, "node_tape_io_now", "The number of I/Os currently outstanding to this device.",
     HE_GAUGE, 1},
    {TS_IO_NS, "node_tape_io_time_seconds_total",
     "The amount of time spent waiting for all I/O to complete (including read and write). This "
     "includes tape movement commands such as seeking between file or set marks and implicit "
     "tape movement such as when rewind on close tape devices are used.",
     HE_COUNTER, 0.000000001},
    {TS_OTHER_CNT, "node_tape_io_others_total",
     "The number of I/Os issued to the tape drive other than read or write commands. The time "
     "taken to complete these commands uses the following calculation "
     "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total",
     HE_COUNTER, 1},
    {TS_READ_BYTE_CNT, "node_tape_read_bytes_total", "The number of bytes read from the tape drive.",
     HE_COUNTER, 1},
    {TS_READ_CNT, "node_tape_reads_completed_total",
     "The number of read requests issued to the tape drive.", HE_COUNTER, 1},
    {TS_READ_NS, "node_tape_read_time_seconds_total",
     "The amount of time spent waiting for read requests to complete.", HE_COUNTER, 0.000000001},
    {TS_RESID_CNT, "node_tape_residual_total",
     "The number of times during a read or write we found the residual amount to be non-zero. "
     "This should mean that a program is issuing a read larger thean the block size on tape. For "
     "write not all data made it to tape.",
     HE_COUNTER, 1},
    {TS_WRITE_BYTE_CNT, "node_tape_written_bytes_total",
     "The number of bytes written to the tape drive.", HE_COUNTER, 1},
    {TS_WRITE_CNT, "node_tape_writes_completed_total",
     "The number of write requests issued to the tape drive.", HE_COUNTER, 1},
    {TS_WRITE_NS, "node_tape_write_time_seconds_total",
     "The amount of time spent waiting for write requests to complete.", HE_COUNTER, 0.000000001},
};

struct tapestats_tape {
    char name[NAME_MAX + 1];
    uint64_t v[TS_NFILES];
};

struct tapestats_state {
    struct he_regex ignored;
    struct he_dir class_dir, stats_dir;
    struct tapestats_tape *tape;
    size_t ntape, cap;
};

/* ^st[0-9]+$ */
static bool tapestats_name_ok(const char *n)
{
    if (n[0] != 's' || n[1] != 't' || n[2] == '\0') {
        return false;
    }
    for (n += 2; *n; n++) {
        if (*n < '0' || *n > '9') {
            return false;
        }
    }
    return true;
}

/* One stats file: read (required), and parsed when it is one of the ten. */
static int tapestats_file(const char *dir, const char *file, struct tapestats_tape *t)
{
    char path[PATH_MAX];
    char val[HE_SYSREAD_MAX + 1];
    int rc = he_sysread_path(path, dir, file);
    if (rc == 0) {
        rc = he_sysread(path, val);
    }
    if (rc < 0) {
        return rc;
    }
    for (int i = 0; i < TS_NFILES; i++) {
        if (strcmp(file, tapestats_files[i]) == 0) {
            return he_parse_u64_base0((struct he_field){val, (size_t)rc}, &t->v[i]) < 0 ? -EINVAL
                                                                                      : 0;
        }
    }
    return 0;
}

/* parseSCSITapeStatistics for class/scsi_tape/<name>/stats. */
static int tapestats_tape(struct tapestats_state *s, const char *name)
{
    char rel[PATH_MAX];
    char path[PATH_MAX];
    if (he_array_grow((void **)&s->tape, &s->cap, s->ntape + 1, sizeof(*s->tape)) < 0) {
        return -ENOMEM;
    }
    struct tapestats_tape *t = &s->tape[s->ntape];
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(rel, sizeof(rel), "class/scsi_tape/%s/stats", name);
    int rc = he_sysread_path(path, rel, NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->stats_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->stats_dir.n; i++) {
        rc = tapestats_file(rel, he_dir_name(&s->stats_dir, i), t);
    }
    if (rc == 0) {
        s->ntape++;
    }
    return rc;
}

static void tapestats_emit(struct tapestats_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->ntape; i++) {
        const struct tapestats_tape *t = &s->tape[i];
        if (he_regex_match(&s->ignored, t->name)) {
            he_log_debug("tapestats: ignoring device", "device", t->name, NULL);
            continue;
        }
        struct he_label l = {"device", t->name};
        for (size_t m = 0; m < sizeof(tapestats_metrics) / sizeof(tapestats_metrics[0]); m++) {
            he_writer_family(w, tapestats_metrics[m].name, tapestats_metrics[m].help,
                             tapestats_metrics[m].type);
            he_writer_sample(w, &l, 1,
                             (double)t->v[tapestats_metrics[m].file] * tapestats_metrics[m].scale);
        }
    }
}

static int tapestats_collect(void *state, struct he_writer *w)
{
    struct tapestats_state *s = state;
    char path[PATH_MAX];
    s->ntape = 0;
    int rc = he_sysread_path(path, "class/scsi_tape", NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->class_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->class_dir.n; i++) {
        const char *name = he_dir_name(&s->class_dir, i);
        if (tapestats_name_ok(name)) {
            rc = tapestats_tape(s, name);
        }
    }
    if (rc < 0) {
        he_log_debug("tapestats: cannot read SCSITape class info", "path", path, NULL);
        return rc == -ENOENT ? -ENODATA : rc;
    }
    tapestats_emit(s, w);
    return 0;
}

static int tapestats_init(void **state)
{
    struct tapestats_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (!s) {
        return -ENOMEM;
    }
    if (he_regex_compile(&s->ignored, tapestats_ignored_flag, err, sizeof(err)) < 0) {
        he_log_error("tapestats: cannot compile filter", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    he_dir_init(&s->class_dir);
    he_dir_init(&s->stats_dir);
    *state = s;
    return 0;
}

static void tapestats_fini(void *state)
{
    struct tapestats_state *s = state;
    he_regex_free(&s->ignored);
    he_dir_fini(&s->class_dir);
    he_dir_fini(&s->stats_dir);
    free(s->tape);
    free(s);
}

static const struct he_collector tapestats_collector = {
    .name = "tapestats",
    .default_enabled = true,
    .flags = tapestats_flags,
    .init = tapestats_init,
    .collect = tapestats_collect,
    .fini = tapestats_fini,
};

HE_COLLECTOR_REGISTER(tapestats_collector)
