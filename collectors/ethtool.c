/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ethtool: per interface listed in <sysfs>/class/net (regular files such as
 * bonding_masters skipped, as procfs's NetClassDevices does), three SIOCETHTOOL
 * readings through src/ethtool.c, in upstream's order:
 *
 * - ETHTOOL_GSET: node_network_{supported,advertised}_speed_bytes{device,duplex,mode},
 *   node_network_supported_port_info{device,type},
 *   node_network_{autonegotiate,pause,asymmetricpause}_{supported,advertised}{device}
 *   and node_network_autonegotiate{device}. GSET carries the legacy 32-bit link
 *   mode masks, so modes above bit 31 (2500baseT, 25000baseKR, ...) never show,
 *   exactly as upstream's uint32 arithmetic has it;
 * - ETHTOOL_GDRVINFO: node_ethtool_info{bus_info,device,driver,expansion_rom_version,
 *   firmware_version,version};
 * - the driver statistics (ETHTOOL_GSTRINGS/GSTATS): one untyped family per
 *   statistic, node_ethtool_<name>{device}. The name is SanitizeMetricName()'d,
 *   filtered by --collector.ethtool.metrics-include, lower-cased, "rx"/"tx" words
 *   spelled received/transmitted (he_ethtool_fqname()); HELP is "Network
 *   interface <sanitized name>", except for the seven statistics upstream
 *   describes itself (rx_bytes -> node_ethtool_received_bytes_total, ...).
 *   Statistics whose names collide after that are all dropped (logged at debug);
 *   a name the driver repeats keeps its last value, as a Go map does.
 *
 * An interface whose driver lacks a request is skipped for that request
 * (EOPNOTSUPP logged at debug, other errors at error), as upstream. No class/net
 * (or no permission) is "no data"; an empty one fails the scrape.
 * --collector.ethtool.device-include/-exclude select interfaces (both may be
 * given: upstream does not check them).
 *
 * Mirrors node_exporter 1.12.1's collector/ethtool_linux.go (log/slog era, with
 * the fix that reads a renamed statistic's own value) and safchain/ethtool 0.6.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_ethtool.h"
#include "he_log.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_sort.h"

static const char *ethtool_include_flag;
static const char *ethtool_exclude_flag;
static const char *ethtool_metrics_flag;

static const struct he_flag ethtool_flags[] = {
    {"collector.ethtool.device-include", HE_FLAG_STRING, NULL,
     "Regexp of ethtool devices to include (mutually exclusive to device-exclude).",
     &ethtool_include_flag, he_regex_check_flag},
    {"collector.ethtool.device-exclude", HE_FLAG_STRING, NULL,
     "Regexp of ethtool devices to exclude (mutually exclusive to device-include).",
     &ethtool_exclude_flag, he_regex_check_flag},
    {"collector.ethtool.metrics-include", HE_FLAG_STRING, ".*",
     "Regexp of ethtool stats to include.", &ethtool_metrics_flag, he_regex_check_flag},
    {0},
};

/* One statistic of the interface at hand; fq is its metric name. */
struct ethtool_stat {
    char fq[192];
    char name[ETH_GSTRING_LEN + 1];        /* as the driver gives it */
    char sanitized[ETH_GSTRING_LEN + 1];
    uint64_t value;
};

struct ethtool_state {
    struct he_ethtool et;
    struct he_filter devices;
    struct he_regex metrics;
    bool all_metrics;                      /* metrics-include empty: Go's "" matches all */
    struct he_dir classnet;
    struct ethtool_stat *stats;            /* grows to the largest interface seen */
    size_t nstats, cap;
    uint32_t *order, *scratch;             /* stats sorted by name, without qsort's malloc */
    size_t order_cap, scratch_cap;
};

static void ethtool_fini(void *state)
{
    struct ethtool_state *s = state;
    he_ethtool_fini(&s->et);
    he_filter_free(&s->devices);
    he_regex_free(&s->metrics);
    he_dir_fini(&s->classnet);
    free(s->stats);
    free(s->order);
    free(s->scratch);
    free(s);
}

static int ethtool_setup_filters(struct ethtool_state *s)
{
    const char *inc = ethtool_include_flag ? ethtool_include_flag : "";
    const char *exc = ethtool_exclude_flag ? ethtool_exclude_flag : "";
    const char *met = ethtool_metrics_flag ? ethtool_metrics_flag : "";
    char err[256];
    if (*inc) {
        he_log_info("Parsed flag --collector.ethtool.device-include", "flag", inc, NULL);
    }
    if (*exc) {
        he_log_info("Parsed flag --collector.ethtool.device-exclude", "flag", exc, NULL);
    }
    if (*met) {
        he_log_info("Parsed flag --collector.ethtool.metrics-include", "flag", met, NULL);
    }
    s->all_metrics = *met == '\0';
    if (he_filter_init(&s->devices, inc, exc, err, sizeof(err)) < 0 ||
        he_regex_compile(&s->metrics, met, err, sizeof(err)) < 0) {
        he_log_error("ethtool: bad filter flag", "err", err, NULL);
        return -EINVAL;
    }
    return 0;
}

static int ethtool_init(void **state)
{
    struct ethtool_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->classnet);
    int rc = he_ethtool_init(&s->et);
    if (rc < 0) {
        he_log_error("failed to initialize ethtool library", "err", strerror(-rc), NULL);
        s->et.fd = -1;
    }
    if (rc < 0 || ethtool_setup_filters(s) < 0) {
        ethtool_fini(s);
        return rc < 0 ? rc : -EINVAL;
    }
    *state = s;
    return 0;
}

/* Upstream's log levels for a failed request: EOPNOTSUPP is expected, the rest is not. */
static void ethtool_log_failure(const char *what, const char *device, int rc)
{
    char errno_text[16];
    snprintf(errno_text, sizeof(errno_text), "%d", -rc);
    if (rc == -EOPNOTSUPP) {
        he_log_debug(what, "err", strerror(-rc), "device", device, "errno", errno_text, NULL);
    } else if (rc == -E2BIG) {
        he_log_error(what, "err", "ethtool currently doesn't support more than 32768 entries",
                     "device", device, NULL);
    } else {
        he_log_error(what, "err", strerror(-rc), "device", device, "errno", errno_text, NULL);
    }
}

static void ethtool_emit(struct he_writer *w, const char *name, const char *help,
                         const struct he_label *labels, size_t n, double value)
{
    he_writer_family(w, name, help, HE_GAUGE);
    he_writer_sample(w, labels, n, value);
}

/*
 * Upstream's speed table, restricted to the bits a 32-bit GSET mask can hold
 * (its other entries sit at bit 32 and above and can never match).
 */
static const struct ethtool_speed {
    unsigned bit;
    unsigned mbps;
    const char *duplex;
    const char *mode;
} ethtool_speeds[] = {
    {ETHTOOL_LINK_MODE_10baseT_Half_BIT, 10, "half", "10baseT"},
    {ETHTOOL_LINK_MODE_10baseT_Full_BIT, 10, "full", "10baseT"},
    {ETHTOOL_LINK_MODE_100baseT_Half_BIT, 100, "half", "100baseT"},
    {ETHTOOL_LINK_MODE_100baseT_Full_BIT, 100, "full", "100baseT"},
    {ETHTOOL_LINK_MODE_1000baseT_Half_BIT, 1000, "half", "1000baseT"},
    {ETHTOOL_LINK_MODE_1000baseT_Full_BIT, 1000, "full", "1000baseT"},
    {ETHTOOL_LINK_MODE_10000baseT_Full_BIT, 10000, "full", "10000baseT"},
    {ETHTOOL_LINK_MODE_1000baseKX_Full_BIT, 1000, "full", "1000baseKX"},
    {ETHTOOL_LINK_MODE_10000baseKX4_Full_BIT, 10000, "full", "10000baseKX4"},
    {ETHTOOL_LINK_MODE_10000baseKR_Full_BIT, 10000, "full", "10000baseKR"},
    {ETHTOOL_LINK_MODE_10000baseR_FEC_BIT, 10000, "full", "10000baseR_FEC"},
    {ETHTOOL_LINK_MODE_20000baseMLD2_Full_BIT, 20000, "full", "20000baseMLD2"},
    {ETHTOOL_LINK_MODE_20000baseKR2_Full_BIT, 20000, "full", "20000baseKR2"},
    {ETHTOOL_LINK_MODE_40000baseKR4_Full_BIT, 40000, "full", "40000baseKR4"},
    {ETHTOOL_LINK_MODE_40000baseCR4_Full_BIT, 40000, "full", "40000baseCR4"},
    {ETHTOOL_LINK_MODE_40000baseSR4_Full_BIT, 40000, "full", "40000baseSR4"},
    {ETHTOOL_LINK_MODE_40000baseLR4_Full_BIT, 40000, "full", "40000baseLR4"},
    {ETHTOOL_LINK_MODE_56000baseKR4_Full_BIT, 56000, "full", "56000baseKR4"},
    {ETHTOOL_LINK_MODE_56000baseCR4_Full_BIT, 56000, "full", "56000baseCR4"},
    {ETHTOOL_LINK_MODE_56000baseSR4_Full_BIT, 56000, "full", "56000baseSR4"},
    {ETHTOOL_LINK_MODE_56000baseLR4_Full_BIT, 56000, "full", "56000baseLR4"},
    {ETHTOOL_LINK_MODE_25000baseCR_Full_BIT, 25000, "full", "25000baseCR"},
};

static const struct {
    unsigned bit;
    const char *type;
} ethtool_ports[] = {
    {ETHTOOL_LINK_MODE_TP_BIT, "TP"},       {ETHTOOL_LINK_MODE_AUI_BIT, "AUI"},
    {ETHTOOL_LINK_MODE_MII_BIT, "MII"},     {ETHTOOL_LINK_MODE_FIBRE_BIT, "FIBRE"},
    {ETHTOOL_LINK_MODE_BNC_BIT, "BNC"},     {ETHTOOL_LINK_MODE_Backplane_BIT, "Backplane"},
};

static bool ethtool_bit(uint32_t mask, unsigned bit)
{
    return bit < 32 && (mask & (UINT32_C(1) << bit)) != 0;
}

static void ethtool_emit_speeds(struct he_writer *w, bool supported, const char *device,
                                uint32_t mask)
{
    const char *name = supported ? "node_network_supported_speed_bytes"
                                 : "node_network_advertised_speed_bytes";
    const char *help = supported ? "Combination of speeds and features supported by network device"
                                 : "Combination of speeds and features offered by network device";
    for (size_t i = 0; i < sizeof(ethtool_speeds) / sizeof(ethtool_speeds[0]); i++) {
        const struct ethtool_speed *sp = &ethtool_speeds[i];
        if (ethtool_bit(mask, sp->bit)) {
            struct he_label l[] = {{"device", device}, {"duplex", sp->duplex}, {"mode", sp->mode}};
            /* bytes per second, as netclass's speed_bytes: Mb/s * 1e6 / 8 */
            ethtool_emit(w, name, help, l, 3, sp->mbps * 125000.0);
        }
    }
}

static void ethtool_emit_ports(struct he_writer *w, const char *device, uint32_t mask)
{
    for (size_t i = 0; i < sizeof(ethtool_ports) / sizeof(ethtool_ports[0]); i++) {
        if (ethtool_bit(mask, ethtool_ports[i].bit)) {
            struct he_label l[] = {{"device", device}, {"type", ethtool_ports[i].type}};
            ethtool_emit(w, "node_network_supported_port_info",
                         "Type of ports or PHYs supported by network device", l, 2, 1);
        }
    }
}

static void ethtool_emit_capabilities(struct he_writer *w, bool supported, const char *device,
                                      uint32_t mask)
{
    struct he_label l[] = {{"device", device}};
    double autoneg = ethtool_bit(mask, ETHTOOL_LINK_MODE_Autoneg_BIT);
    double pause = ethtool_bit(mask, ETHTOOL_LINK_MODE_Pause_BIT);
    double asym = ethtool_bit(mask, ETHTOOL_LINK_MODE_Asym_Pause_BIT);
    if (supported) {
        ethtool_emit(w, "node_network_autonegotiate_supported",
                     "If this port device supports autonegotiate", l, 1, autoneg);
        ethtool_emit(w, "node_network_pause_supported",
                     "If this port device supports pause frames", l, 1, pause);
        ethtool_emit(w, "node_network_asymmetricpause_supported",
                     "If this port device supports asymmetric pause frames", l, 1, asym);
    } else {
        ethtool_emit(w, "node_network_autonegotiate_advertised",
                     "If this port device offers autonegotiate", l, 1, autoneg);
        ethtool_emit(w, "node_network_pause_advertised",
                     "If this port device offers pause capability", l, 1, pause);
        ethtool_emit(w, "node_network_asymmetricpause_advertised",
                     "If this port device offers asymmetric pause capability", l, 1, asym);
    }
}

/* Upstream's LinkInfo part: everything from one ETHTOOL_GSET. */
static void ethtool_link_info(struct ethtool_state *s, struct he_writer *w, const char *device)
{
    struct he_ethtool_link link;
    int rc = he_ethtool_link(&s->et, device, &link);
    if (rc < 0) {
        ethtool_log_failure("ethtool link info error", device, rc);
        return;
    }
    ethtool_emit_speeds(w, true, device, link.supported);
    ethtool_emit_ports(w, device, link.supported);
    ethtool_emit_capabilities(w, true, device, link.supported);
    ethtool_emit_speeds(w, false, device, link.advertising);
    ethtool_emit_capabilities(w, false, device, link.advertising);
    struct he_label l[] = {{"device", device}};
    ethtool_emit(w, "node_network_autonegotiate", "If this port is using autonegotiate", l, 1,
                 link.autoneg);
}

static void ethtool_driver_info(struct ethtool_state *s, struct he_writer *w, const char *device)
{
    struct he_ethtool_drvinfo d;
    int rc = he_ethtool_drvinfo(&s->et, device, &d);
    if (rc < 0) {
        ethtool_log_failure("ethtool driver info error", device, rc);
        return;
    }
    struct he_label l[] = {
        {"bus_info", d.bus_info},         {"device", device},
        {"driver", d.driver},             {"expansion_rom_version", d.erom_version},
        {"firmware_version", d.fw_version}, {"version", d.version},
    };
    ethtool_emit(w, "node_ethtool_info",
                 "A metric with a constant '1' value labeled by bus_info, device, driver, "
                 "expansion_rom_version, firmware_version, version.",
                 l, 6, 1);
}

/* The statistics upstream pre-describes, keyed by sanitized name. */
static const struct {
    const char *key, *name, *help;
} ethtool_known[] = {
    {"rx_bytes", "node_ethtool_received_bytes_total", "Network interface bytes received"},
    {"rx_dropped", "node_ethtool_received_dropped_total", "Number of received frames dropped"},
    {"rx_errors", "node_ethtool_received_errors_total", "Number of received frames with errors"},
    {"rx_packets", "node_ethtool_received_packets_total", "Network interface packets received"},
    {"tx_bytes", "node_ethtool_transmitted_bytes_total", "Network interface bytes sent"},
    {"tx_errors", "node_ethtool_transmitted_errors_total", "Number of sent frames with errors"},
    {"tx_packets", "node_ethtool_transmitted_packets_total", "Network interface packets sent"},
};

/* he_ethtool_stats() callback: keeps each statistic that passes metrics-include. */
static int ethtool_keep_stat(const char *name, uint64_t value, void *data)
{
    struct ethtool_state *s = data;
    struct ethtool_stat st;
    memset(&st, 0, sizeof(st));
    if (he_ethtool_sanitize(name, st.sanitized, sizeof(st.sanitized)) < 0) {
        return 0;   /* cannot happen: sanitizing never lengthens a name */
    }
    if (!s->all_metrics && !he_regex_match(&s->metrics, st.sanitized)) {
        return 0;
    }
    if (he_ethtool_fqname(st.sanitized, st.fq, sizeof(st.fq)) < 0) {
        he_log_debug("ethtool: no metric name for statistic", "stat", name, NULL);
        return 0;   /* upstream cannot build a name from nothing either */
    }
    if (he_array_grow((void **)&s->stats, &s->cap, s->nstats + 1, sizeof(*s->stats)) < 0) {
        return -ENOMEM;
    }
    snprintf(st.name, sizeof(st.name), "%s", name);
    st.value = value;
    s->stats[s->nstats++] = st;
    return 0;
}

/* By metric name, then driver name (the sort is stable: repeats stay in driver order). */
static int ethtool_stat_cmp(const void *ctx, uint32_t a, uint32_t b)
{
    const struct ethtool_stat *stats = ctx;
    int c = strcmp(stats[a].fq, stats[b].fq);
    return c != 0 ? c : strcmp(stats[a].name, stats[b].name);
}

static void ethtool_emit_stat(struct he_writer *w, const char *device, const struct ethtool_stat *st)
{
    char help[64];
    const char *name = st->fq;
    const char *h = help;
    snprintf(help, sizeof(help), "Network interface %s", st->sanitized);
    for (size_t i = 0; i < sizeof(ethtool_known) / sizeof(ethtool_known[0]); i++) {
        if (strcmp(st->sanitized, ethtool_known[i].key) == 0) {
            name = ethtool_known[i].name;
            h = ethtool_known[i].help;
        }
    }
    struct he_label l[] = {{"device", device}};
    he_writer_family(w, name, h, HE_UNTYPED);
    he_writer_sample(w, l, 1, (double)st->value);
}

/*
 * Emits the kept statistics: a metric name reached by two different driver
 * names is dropped altogether; one driver name given twice keeps its last value.
 */
static void ethtool_emit_stats(struct ethtool_state *s, struct he_writer *w, const char *device)
{
    const struct ethtool_stat *st = s->stats;
    if (he_array_grow((void **)&s->order, &s->order_cap, s->nstats, sizeof(*s->order)) < 0 ||
        he_array_grow((void **)&s->scratch, &s->scratch_cap, s->nstats, sizeof(*s->scratch)) < 0) {
        he_log_error("ethtool: out of memory", "device", device, NULL);
        return;
    }
    for (size_t i = 0; i < s->nstats; i++) {
        s->order[i] = (uint32_t)i;
    }
    he_sort_indices(s->order, s->scratch, s->nstats, ethtool_stat_cmp, st);
    for (size_t i = 0; i < s->nstats;) {
        size_t j = i + 1;
        bool clash = false;
        while (j < s->nstats && strcmp(st[s->order[j]].fq, st[s->order[i]].fq) == 0) {
            clash |= strcmp(st[s->order[j]].name, st[s->order[i]].name) != 0;
            j++;
        }
        if (clash) {
            he_log_debug("dropping duplicate metric name", "device", device, "metricFQName",
                         st[s->order[i]].fq, "metric1", st[s->order[i]].sanitized, "metric2",
                         st[s->order[j - 1]].sanitized, NULL);
        } else {
            ethtool_emit_stat(w, device, &st[s->order[j - 1]]);
        }
        i = j;
    }
}

static void ethtool_statistics(struct ethtool_state *s, struct he_writer *w, const char *device)
{
    s->nstats = 0;
    int rc = he_ethtool_stats(&s->et, device, ethtool_keep_stat, s);
    if (rc < 0) {
        ethtool_log_failure("ethtool stats error", device, rc);
        return;   /* upstream keeps nothing of a failed read */
    }
    ethtool_emit_stats(s, w, device);
}

/* True for class/net entries procfs's NetClassDevices skips: regular files. */
static bool ethtool_is_regular(const char *classnet, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    return he_path_join(path, sizeof(path), classnet, name) == 0 && lstat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

static int ethtool_list_devices(struct ethtool_state *s, char *path, size_t size)
{
    int rc = he_path_sys(path, size, "class/net");
    if (rc == 0) {
        rc = he_dir_read(&s->classnet, path);
    }
    if (rc == -ENOENT || rc == -EACCES || rc == -EPERM || rc == -ENOTDIR) {
        he_log_debug("Could not read netclass file", "err", strerror(-rc), "path", path, NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        he_log_debug("ethtool: could not get net class info", "path", path, NULL);
    }
    return rc;
}

static int ethtool_collect(void *state, struct he_writer *w)
{
    struct ethtool_state *s = state;
    char path[PATH_MAX];
    int rc = ethtool_list_devices(s, path, sizeof(path));
    if (rc < 0) {
        return rc;
    }
    size_t devices = 0;
    for (size_t i = 0; i < s->classnet.n; i++) {
        devices += !ethtool_is_regular(path, he_dir_name(&s->classnet, i));
    }
    if (devices == 0) {
        he_log_debug("ethtool: no network devices found", "path", path, NULL);
        return -ENODEV;
    }
    for (size_t i = 0; i < s->classnet.n; i++) {
        const char *device = he_dir_name(&s->classnet, i);
        if (ethtool_is_regular(path, device) || he_filter_ignored(&s->devices, device)) {
            continue;
        }
        ethtool_link_info(s, w, device);
        ethtool_driver_info(s, w, device);
        ethtool_statistics(s, w, device);
    }
    return 0;
}

static const struct he_collector ethtool_collector = {
    .name = "ethtool",
    .default_enabled = false,
    .flags = ethtool_flags,
    .init = ethtool_init,
    .collect = ethtool_collect,
    .fini = ethtool_fini,
};

HE_COLLECTOR_REGISTER(ethtool_collector);
