/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fibrechannel: Fibre Channel host ports from <sysfs>/class/fc_host, as
 * node_exporter 1.12.1's collector/fibrechannel_linux.go with procfs's
 * FibreChannelClass (sysfs/class_fibrechannel.go, optional attributes).
 *
 * Per host (drivers/scsi/scsi_transport_fc.c): speed, port_state, port_type,
 * node_name, port_id, port_name, fabric_name, dev_loss_tmo, symbolic_name,
 * supported_classes, supported_speeds, read as SysReadFile (first 128 bytes,
 * trimmed); a missing one is left empty, any other error fails. port_id,
 * port_name and fabric_name lose their first two bytes ("0x") when longer than
 * two. Then every regular file of statistics/ but reset_statistics: a missing
 * or EOPNOTSUPP one is passed over, any other error fails; the fourteen known
 * counters are parsed as ParseUint base 0 (the kernel prints "0x%llx").
 *
 * Emits node_fibrechannel_info{fc_host,speed,port_state,port_type,port_id,
 * port_name,fabric_name,symbolic_name,supported_classes,supported_speeds,
 * dev_loss_tmo} 1 and, labelled fc_host, one counter per statistic the host
 * has, unless it reads 0xffffffffffffffff (not implemented by the HBA).
 * As upstream, hosts are read in full before anything is emitted; a missing
 * class or statistics directory is -ENODATA.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_sysread.h"

enum {
    FC_SPEED, FC_PORT_STATE, FC_PORT_TYPE, FC_NODE_NAME, FC_PORT_ID, FC_PORT_NAME,
    FC_FABRIC_NAME, FC_DEV_LOSS_TMO, FC_SYMBOLIC_NAME, FC_SUPPORTED_CLASSES,
    FC_SUPPORTED_SPEEDS, FC_NATTR,
};

/* procfs's read order. */
static const char *const fc_attrs[FC_NATTR] = {
    "speed", "port_state", "port_type", "node_name", "port_id", "port_name",
    "fabric_name", "dev_loss_tmo", "symbolic_name", "supported_classes", "supported_speeds",
};

/* The info metric's labels after fc_host, in upstream's order. */
static const struct {
    const char *label;
    int attr;
} fc_info_labels[] = {
    {"speed", FC_SPEED},
    {"port_state", FC_PORT_STATE},
    {"port_type", FC_PORT_TYPE},
    {"port_id", FC_PORT_ID},
    {"port_name", FC_PORT_NAME},
    {"fabric_name", FC_FABRIC_NAME},
    {"symbolic_name", FC_SYMBOLIC_NAME},
    {"supported_classes", FC_SUPPORTED_CLASSES},
    {"supported_speeds", FC_SUPPORTED_SPEEDS},
    {"dev_loss_tmo", FC_DEV_LOSS_TMO},
};

/* statistics/<file> -> counter, in the order upstream pushes them. */
static const struct {
    const char *file;
    const char *name;
    const char *help;
} fc_counters[] = {
    {"dumped_frames", "node_fibrechannel_dumped_frames_total", "Number of dumped frames"},
    {"error_frames", "node_fibrechannel_error_frames_total", "Number of errors in frames"},
    {"invalid_crc_count", "node_fibrechannel_invalid_crc_total",
     "Invalid Cyclic Redundancy Check count"},
    {"rx_frames", "node_fibrechannel_rx_frames_total", "Number of frames received"},
    {"rx_words", "node_fibrechannel_rx_words_total", "Number of words received by host port"},
    {"tx_frames", "node_fibrechannel_tx_frames_total",
     "Number of frames transmitted by host port"},
    {"tx_words", "node_fibrechannel_tx_words_total", "Number of words transmitted by host port"},
    {"seconds_since_last_reset", "node_fibrechannel_seconds_since_last_reset_total",
     "Number of seconds since last host port reset"},
    {"invalid_tx_word_count", "node_fibrechannel_invalid_tx_words_total",
     "Number of invalid words transmitted by host port"},
    {"link_failure_count", "node_fibrechannel_link_failure_total",
     "Number of times the host port link has failed"},
    {"loss_of_sync_count", "node_fibrechannel_loss_of_sync_total",
     "Number of failures on either bit or transmission word boundaries"},
    {"loss_of_signal_count", "node_fibrechannel_loss_of_signal_total",
     "Number of times signal has been lost"},
    {"nos_count", "node_fibrechannel_nos_total",
     "Number Not_Operational Primitive Sequence received by host port"},
    {"fcp_packet_aborts", "node_fibrechannel_fcp_packet_aborts_total", "Number of aborted packets"},
};

#define FC_NCOUNTERS (sizeof(fc_counters) / sizeof(fc_counters[0]))

struct fc_host {
    char name[NAME_MAX + 1];
    char attr[FC_NATTR][HE_SYSREAD_MAX + 1];    /* "" when missing (nilToEmpty) */
    bool has[FC_NCOUNTERS];
    uint64_t v[FC_NCOUNTERS];
};

struct fc_state {
    struct he_dir class_dir, stats_dir;
    struct fc_host *host;
    size_t nhost, cap;
};

/* The host attributes; missing ones stay empty. */
static int fc_read_attrs(const char *rel, struct fc_host *h)
{
    char path[PATH_MAX];
    for (int a = 0; a < FC_NATTR; a++) {
        int rc = he_sysread_path(path, rel, fc_attrs[a]);
        if (rc == 0) {
            rc = he_sysread(path, h->attr[a]);
        }
        if (rc == -ENOENT) {
            h->attr[a][0] = '\0';
            continue;
        }
        if (rc < 0) {
            return rc;
        }
        bool hex = a == FC_NODE_NAME || a == FC_PORT_ID || a == FC_PORT_NAME ||
                   a == FC_FABRIC_NAME;
        if (hex && rc > 2) {
            memmove(h->attr[a], h->attr[a] + 2, (size_t)rc - 1);
        }
    }
    return 0;
}

/* One statistics entry: 0 when used or passed over, or a negative errno. */
static int fc_read_stat(const char *dir, const char *file, struct fc_host *h)
{
    char path[PATH_MAX];
    char val[HE_SYSREAD_MAX + 1];
    struct stat st;
    int rc = he_sysread_path(path, dir, file);
    if (rc < 0) {
        return rc;
    }
    /* DirEntry.Type().IsRegular(): symlinks and directories are not. */
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || strcmp(file, "reset_statistics") == 0) {
        return 0;
    }
    rc = he_sysread(path, val);
    if (rc == -ENOENT || rc == -EOPNOTSUPP) {
        return 0; /* write-only or vanished files */
    }
    if (rc < 0) {
        return rc;
    }
    for (size_t c = 0; c < FC_NCOUNTERS; c++) {
        if (strcmp(file, fc_counters[c].file) == 0) {
            if (he_parse_u64_base0((struct he_field){val, (size_t)rc}, &h->v[c]) < 0) {
                return -EINVAL;
            }
            h->has[c] = true;
        }
    }
    return 0;
}

/* parseFibreChannelHost for class/fc_host/<name>. */
static int fc_read_host(struct fc_state *s, const char *name)
{
    char rel[PATH_MAX];
    char path[PATH_MAX];
    if (he_array_grow((void **)&s->host, &s->cap, s->nhost + 1, sizeof(*s->host)) < 0) {
        return -ENOMEM;
    }
    struct fc_host *h = &s->host[s->nhost];
    memset(h, 0, sizeof(*h));
    snprintf(h->name, sizeof(h->name), "%s", name);
    snprintf(rel, sizeof(rel), "class/fc_host/%s", name);
    int rc = fc_read_attrs(rel, h);
    if (rc == 0) {
        snprintf(rel, sizeof(rel), "class/fc_host/%s/statistics", name);
        rc = he_sysread_path(path, rel, NULL);
    }
    if (rc == 0) {
        rc = he_dir_read(&s->stats_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->stats_dir.n; i++) {
        rc = fc_read_stat(rel, he_dir_name(&s->stats_dir, i), h);
    }
    if (rc == 0) {
        s->nhost++;
    }
    return rc;
}

static void fc_emit(struct fc_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->nhost; i++) {
        const struct fc_host *h = &s->host[i];
        struct he_label l[11] = {{"fc_host", h->name}};
        for (size_t k = 0; k < sizeof(fc_info_labels) / sizeof(fc_info_labels[0]); k++) {
            l[k + 1] = (struct he_label){fc_info_labels[k].label, h->attr[fc_info_labels[k].attr]};
        }
        he_writer_family(w, "node_fibrechannel_info",
                         "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
                         HE_GAUGE);
        he_writer_sample(w, l, 11, 1);
        for (size_t c = 0; c < FC_NCOUNTERS; c++) {
            if (!h->has[c] || h->v[c] == UINT64_MAX) {
                continue; /* absent, or not implemented by the HBA firmware */
            }
            he_writer_family(w, fc_counters[c].name, fc_counters[c].help, HE_COUNTER);
            he_writer_sample(w, l, 1, (double)h->v[c]);
        }
    }
}

static int fc_collect(void *state, struct he_writer *w)
{
    struct fc_state *s = state;
    char path[PATH_MAX];
    s->nhost = 0;
    int rc = he_sysread_path(path, "class/fc_host", NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->class_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->class_dir.n; i++) {
        rc = fc_read_host(s, he_dir_name(&s->class_dir, i));
    }
    if (rc < 0) {
        he_log_debug("fibrechannel: cannot read FibreChannel class info", "path", path, NULL);
        return rc == -ENOENT ? -ENODATA : rc;
    }
    fc_emit(s, w);
    return 0;
}

static int fc_init(void **state)
{
    struct fc_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->class_dir);
    he_dir_init(&s->stats_dir);
    *state = s;
    return 0;
}

static void fc_fini(void *state)
{
    struct fc_state *s = state;
    he_dir_fini(&s->class_dir);
    he_dir_fini(&s->stats_dir);
    free(s->host);
    free(s);
}

static const struct he_collector fibrechannel_collector = {
    .name = "fibrechannel",
    .default_enabled = true,
    .init = fc_init,
    .collect = fc_collect,
    .fini = fc_fini,
};

HE_COLLECTOR_REGISTER(fibrechannel_collector)
