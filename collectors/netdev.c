/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netdev: node_network_<statistic>_total{device} per interface, and with
 * --collector.netdev.address-info node_network_address_info{device,address,
 * netmask,scope}. Mirrors node_exporter 1.12's collector/netdev_common.go and
 * netdev_linux.go.
 *
 * Statistics come from an rtnetlink RTM_GETLINK dump (IFLA_STATS64, or the
 * 32-bit IFLA_STATS widened) or, with --no-collector.netdev.netlink, from
 * <procfs>/net/dev as prometheus/procfs parses it (two header lines, then
 * "name: 16 numbers"; any bad line fails the whole read). Unless
 * --collector.netdev.enable-detailed-metrics, the netlink counters are folded
 * into /proc/net/dev's names the way the kernel's net-procfs.c does (upstream's
 * legacy()). --collector.netdev.label-ifalias adds ifalias from
 * <sysfs>/class/net/<dev>/ifalias to devices sysfs lists. Addresses come from
 * RTM_GETADDR (what Go's net.Interfaces()/Addrs() read), unfiltered, as upstream.
 *
 * Metric names are "node_network_" + key + "_total" and HELP "Network device
 * statistic " + key + "."; the table below spells each one out so grep finds it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/rtnetlink.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_netlink.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_sort.h"

static const char *netdev_include_flag;
static const char *netdev_exclude_flag;
static const char *netdev_whitelist_flag;
static const char *netdev_blacklist_flag;
static bool netdev_address_info;
static bool netdev_detailed;
static bool netdev_netlink;
static bool netdev_label_ifalias;

static const struct he_flag netdev_flags[] = {
    {"collector.netdev.device-include", HE_FLAG_STRING, NULL,
     "Regexp of net devices to include (mutually exclusive to device-exclude).",
     &netdev_include_flag, he_regex_check_flag},
    {"collector.netdev.device-whitelist", HE_FLAG_STRING, NULL, NULL, &netdev_whitelist_flag,
     he_regex_check_flag},
    {"collector.netdev.device-exclude", HE_FLAG_STRING, NULL,
     "Regexp of net devices to exclude (mutually exclusive to device-include).",
     &netdev_exclude_flag, he_regex_check_flag},
    {"collector.netdev.device-blacklist", HE_FLAG_STRING, NULL, NULL, &netdev_blacklist_flag,
     he_regex_check_flag},
    {"collector.netdev.address-info", HE_FLAG_BOOL, NULL, "Collect address-info for every device",
     &netdev_address_info, NULL},
    {"collector.netdev.enable-detailed-metrics", HE_FLAG_BOOL, NULL,
     "Use (incompatible) metric names that provide more detailed stats on Linux", &netdev_detailed,
     NULL},
    {"collector.netdev.netlink", HE_FLAG_BOOL, "true",
     "Use netlink to gather stats instead of /proc/net/dev.", &netdev_netlink, NULL},
    {"collector.netdev.label-ifalias", HE_FLAG_BOOL, "false", "Add ifAlias label",
     &netdev_label_ifalias, NULL},
    {0},
};

/* Every statistic key either source or legacy() can produce. */
enum netdev_key {
    /* rtnl_link_stats64 order, as the netlink path names them */
    K_RX_PACKETS, K_TX_PACKETS, K_RX_BYTES, K_TX_BYTES, K_RX_ERRORS, K_TX_ERRORS,
    K_RX_DROPPED, K_TX_DROPPED, K_MULTICAST, K_COLLISIONS, K_RX_LENGTH_ERRORS,
    K_RX_OVER_ERRORS, K_RX_CRC_ERRORS, K_RX_FRAME_ERRORS, K_RX_FIFO_ERRORS,
    K_RX_MISSED_ERRORS, K_TX_ABORTED_ERRORS, K_TX_CARRIER_ERRORS, K_TX_FIFO_ERRORS,
    K_TX_HEARTBEAT_ERRORS, K_TX_WINDOW_ERRORS, K_RX_COMPRESSED, K_TX_COMPRESSED,
    K_RX_NOHANDLER,
    /* /proc/net/dev's own names, and legacy()'s */
    K_RX_FIFO, K_RX_FRAME, K_RX_MULTICAST, K_TX_FIFO, K_TX_COLLS, K_TX_CARRIER,
    K_RX_ERRS, K_RX_DROP, K_TX_ERRS, K_TX_DROP,
    K_COUNT,
};

struct netdev_key_desc {
    const char *metric;
    const char *help;
};

static const struct netdev_key_desc netdev_keys[K_COUNT] = {
    [K_RX_PACKETS] = {"node_network_receive_packets_total",
                      "Network device statistic receive_packets."},
    [K_TX_PACKETS] = {"node_network_transmit_packets_total",
                      "Network device statistic transmit_packets."},
    [K_RX_BYTES] = {"node_network_receive_bytes_total", "Network device statistic receive_bytes."},
    [K_TX_BYTES] = {"node_network_transmit_bytes_total",
                    "Network device statistic transmit_bytes."},
    [K_RX_ERRORS] = {"node_network_receive_errors_total",
                     "Network device statistic receive_errors."},
    [K_TX_ERRORS] = {"node_network_transmit_errors_total",
                     "Network device statistic transmit_errors."},
    [K_RX_DROPPED] = {"node_network_receive_dropped_total",
                      "Network device statistic receive_dropped."},
    [K_TX_DROPPED] = {"node_network_transmit_dropped_total",
                      "Network device statistic transmit_dropped."},
    [K_MULTICAST] = {"node_network_multicast_total", "Network device statistic multicast."},
    [K_COLLISIONS] = {"node_network_collisions_total", "Network device statistic collisions."},
    [K_RX_LENGTH_ERRORS] = {"node_network_receive_length_errors_total",
                            "Network device statistic receive_length_errors."},
    [K_RX_OVER_ERRORS] = {"node_network_receive_over_errors_total",
                          "Network device statistic receive_over_errors."},
    [K_RX_CRC_ERRORS] = {"node_network_receive_crc_errors_total",
                         "Network device statistic receive_crc_errors."},
    [K_RX_FRAME_ERRORS] = {"node_network_receive_frame_errors_total",
                           "Network device statistic receive_frame_errors."},
    [K_RX_FIFO_ERRORS] = {"node_network_receive_fifo_errors_total",
                          "Network device statistic receive_fifo_errors."},
    [K_RX_MISSED_ERRORS] = {"node_network_receive_missed_errors_total",
                            "Network device statistic receive_missed_errors."},
    [K_TX_ABORTED_ERRORS] = {"node_network_transmit_aborted_errors_total",
                             "Network device statistic transmit_aborted_errors."},
    [K_TX_CARRIER_ERRORS] = {"node_network_transmit_carrier_errors_total",
                             "Network device statistic transmit_carrier_errors."},
    [K_TX_FIFO_ERRORS] = {"node_network_transmit_fifo_errors_total",
                          "Network device statistic transmit_fifo_errors."},
    [K_TX_HEARTBEAT_ERRORS] = {"node_network_transmit_heartbeat_errors_total",
                               "Network device statistic transmit_heartbeat_errors."},
    [K_TX_WINDOW_ERRORS] = {"node_network_transmit_window_errors_total",
                            "Network device statistic transmit_window_errors."},
    [K_RX_COMPRESSED] = {"node_network_receive_compressed_total",
                         "Network device statistic receive_compressed."},
    [K_TX_COMPRESSED] = {"node_network_transmit_compressed_total",
                         "Network device statistic transmit_compressed."},
    [K_RX_NOHANDLER] = {"node_network_receive_nohandler_total",
                        "Network device statistic receive_nohandler."},
    [K_RX_FIFO] = {"node_network_receive_fifo_total", "Network device statistic receive_fifo."},
    [K_RX_FRAME] = {"node_network_receive_frame_total", "Network device statistic receive_frame."},
    [K_RX_MULTICAST] = {"node_network_receive_multicast_total",
                        "Network device statistic receive_multicast."},
    [K_TX_FIFO] = {"node_network_transmit_fifo_total", "Network device statistic transmit_fifo."},
    [K_TX_COLLS] = {"node_network_transmit_colls_total",
                    "Network device statistic transmit_colls."},
    [K_TX_CARRIER] = {"node_network_transmit_carrier_total",
                      "Network device statistic transmit_carrier."},
    [K_RX_ERRS] = {"node_network_receive_errs_total", "Network device statistic receive_errs."},
    [K_RX_DROP] = {"node_network_receive_drop_total", "Network device statistic receive_drop."},
    [K_TX_ERRS] = {"node_network_transmit_errs_total", "Network device statistic transmit_errs."},
    [K_TX_DROP] = {"node_network_transmit_drop_total", "Network device statistic transmit_drop."},
};

/* /proc/net/dev's sixteen columns, in file order. */
static const enum netdev_key netdev_proc_cols[16] = {
    K_RX_BYTES, K_RX_PACKETS, K_RX_ERRORS, K_RX_DROPPED, K_RX_FIFO, K_RX_FRAME,
    K_RX_COMPRESSED, K_RX_MULTICAST, K_TX_BYTES, K_TX_PACKETS, K_TX_ERRORS, K_TX_DROPPED,
    K_TX_FIFO, K_TX_COLLS, K_TX_CARRIER, K_TX_COMPRESSED,
};

/* One device's statistics: a small map from key to value. */
struct netdev_dev {
    uint32_t name;            /* offset in names */
    uint64_t present;         /* bit k: key k is set */
    uint64_t v[K_COUNT];
};

/* An interface index and name, for address-info. */
struct netdev_link {
    uint32_t index;
    uint32_t name;
};

struct netdev_state {
    struct he_filter filter;
    struct he_nl nl;
    struct he_file file;          /* <procfs>/net/dev, re-opened each scrape */
    struct he_dir classnet;       /* <sysfs>/class/net, for the ifalias label */
    struct he_buf names;          /* NUL-terminated names, back to back */
    struct netdev_dev *devs;
    size_t ndevs, devs_cap;
    uint32_t *order, *scratch;
    size_t order_cap;
    struct netdev_link *links;
    size_t nlinks, links_cap;
};

static void netdev_fini(void *state)
{
    struct netdev_state *s = state;
    he_filter_free(&s->filter);
    he_nl_fini(&s->nl);
    he_file_fini(&s->file);
    he_dir_fini(&s->classnet);
    he_buf_free(&s->names);
    free(s->devs);
    free(s->order);
    free(s->scratch);
    free(s->links);
    free(s);
}

/*
 * Upstream's old flag names (device-whitelist/-blacklist) stand in for the new
 * ones unless both are given, which fails the collector.
 */
static int netdev_apply_deprecated(const char **current, const char *old, const char *what,
                                   const char *old_what)
{
    char msg[200];
    if (!old || !*old) {
        return 0;
    }
    if (**current) {
        snprintf(msg, sizeof(msg),
                 "--collector.netdev.device-%s and --collector.netdev.device-%s are mutually "
                 "exclusive",
                 old_what, what);
        he_log_error(msg, NULL);
        return -EINVAL;
    }
    snprintf(msg, sizeof(msg),
             "--collector.netdev.device-%s is DEPRECATED and will be removed in 2.0.0, use "
             "--collector.netdev.device-%s",
             old_what, what);
    he_log_warn(msg, NULL);
    *current = old;
    return 0;
}

static int netdev_setup_filter(struct netdev_state *s)
{
    /* copies, so a retried init sees the flags as given */
    const char *inc = netdev_include_flag ? netdev_include_flag : "";
    const char *exc = netdev_exclude_flag ? netdev_exclude_flag : "";
    if (netdev_apply_deprecated(&inc, netdev_whitelist_flag, "include", "whitelist") < 0 ||
        netdev_apply_deprecated(&exc, netdev_blacklist_flag, "exclude", "blacklist") < 0) {
        return -EINVAL;
    }
    if (*inc && *exc) {
        he_log_error("device-exclude & device-include are mutually exclusive", NULL);
        return -EINVAL;
    }
    if (*exc) {
        he_log_info("Parsed flag --collector.netdev.device-exclude", "flag", exc, NULL);
    }
    if (*inc) {
        he_log_info("Parsed Flag --collector.netdev.device-include", "flag", inc, NULL);
    }
    char err[256];
    if (he_filter_init(&s->filter, inc, exc, err, sizeof(err)) < 0) {
        he_log_error("netdev: bad device filter", "err", err, NULL);
        return -EINVAL;
    }
    return 0;
}

static int netdev_init(void **state)
{
    struct netdev_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_nl_init(&s->nl);
    he_file_init(&s->file, false, 0);
    he_dir_init(&s->classnet);
    he_buf_init(&s->names, 0);
    if (netdev_setup_filter(s) < 0) {
        netdev_fini(s);
        return -EINVAL;
    }
    *state = s;
    return 0;
}

static const char *netdev_name(const struct netdev_state *s, uint32_t off)
{
    return s->names.data + off;
}

/* Stores a name; its offset in *off. */
static int netdev_store_name(struct netdev_state *s, const char *p, size_t len, uint32_t *off)
{
    if (s->names.len > UINT32_MAX - len - 1) {
        return -EFBIG;
    }
    *off = (uint32_t)s->names.len;
    int rc = he_buf_append(&s->names, p, len);
    return rc < 0 ? rc : he_buf_putc(&s->names, '\0');
}

/* A new, empty device entry named p[0..len), or NULL when out of memory. */
static struct netdev_dev *netdev_add(struct netdev_state *s, const char *p, size_t len)
{
    void *items = s->devs;
    if (he_array_grow(&items, &s->devs_cap, s->ndevs + 1, sizeof(*s->devs)) < 0) {
        return NULL;
    }
    s->devs = items;
    struct netdev_dev *d = &s->devs[s->ndevs];
    memset(d, 0, sizeof(*d));
    if (netdev_store_name(s, p, len, &d->name) < 0) {
        return NULL;
    }
    s->ndevs++;
    return d;
}

static void netdev_set(struct netdev_dev *d, enum netdev_key k, uint64_t v)
{
    d->v[k] = v;
    d->present |= UINT64_C(1) << k;
}

/* Removes key k; true (and its value in *v) if it was there. */
static bool netdev_pop(struct netdev_dev *d, enum netdev_key k, uint64_t *v)
{
    uint64_t bit = UINT64_C(1) << k;
    bool had = (d->present & bit) != 0;
    *v = had ? d->v[k] : 0;
    d->present &= ~bit;
    return had;
}

/* netdev_pop() that yields 0 for a missing key (upstream's popz). */
static uint64_t netdev_popz(struct netdev_dev *d, enum netdev_key k)
{
    uint64_t v;
    netdev_pop(d, k, &v);
    return v;
}

/*
 * Upstream's legacy(): folds the detailed netlink counters into the names
 * /proc/net/dev uses, as the kernel's dev_seq_printf_stats() sums them. On
 * /proc/net/dev's own keys it only renames errors/dropped to errs/drop.
 */
static void netdev_legacy(struct netdev_dev *d)
{
    uint64_t v;
    if (netdev_pop(d, K_RX_ERRORS, &v)) {
        netdev_set(d, K_RX_ERRS, v);
    }
    if (netdev_pop(d, K_RX_DROPPED, &v)) {
        netdev_set(d, K_RX_DROP, v + netdev_popz(d, K_RX_MISSED_ERRORS));
    }
    if (netdev_pop(d, K_RX_FIFO_ERRORS, &v)) {
        netdev_set(d, K_RX_FIFO, v);
    }
    if (netdev_pop(d, K_RX_FRAME_ERRORS, &v)) {
        v += netdev_popz(d, K_RX_LENGTH_ERRORS);
        v += netdev_popz(d, K_RX_OVER_ERRORS);
        netdev_set(d, K_RX_FRAME, v + netdev_popz(d, K_RX_CRC_ERRORS));
    }
    if (netdev_pop(d, K_MULTICAST, &v)) {
        netdev_set(d, K_RX_MULTICAST, v);
    }
    if (netdev_pop(d, K_TX_ERRORS, &v)) {
        netdev_set(d, K_TX_ERRS, v);
    }
    if (netdev_pop(d, K_TX_DROPPED, &v)) {
        netdev_set(d, K_TX_DROP, v);
    }
    if (netdev_pop(d, K_TX_FIFO_ERRORS, &v)) {
        netdev_set(d, K_TX_FIFO, v);
    }
    if (netdev_pop(d, K_COLLISIONS, &v)) {
        netdev_set(d, K_TX_COLLS, v);
    }
    if (netdev_pop(d, K_TX_CARRIER_ERRORS, &v)) {
        v += netdev_popz(d, K_TX_ABORTED_ERRORS);
        v += netdev_popz(d, K_TX_HEARTBEAT_ERRORS);
        netdev_set(d, K_TX_CARRIER, v + netdev_popz(d, K_TX_WINDOW_ERRORS));
    }
}

/* ---- the netlink source ---- */

/* Keys K_RX_PACKETS..K_RX_NOHANDLER in rtnl_link_stats64 field order. */
static void netdev_from_stats64(struct netdev_dev *d, const struct rtnl_link_stats64 *st)
{
    const uint64_t v[K_RX_NOHANDLER + 1] = {
        st->rx_packets, st->tx_packets, st->rx_bytes, st->tx_bytes, st->rx_errors,
        st->tx_errors, st->rx_dropped, st->tx_dropped, st->multicast, st->collisions,
        st->rx_length_errors, st->rx_over_errors, st->rx_crc_errors, st->rx_frame_errors,
        st->rx_fifo_errors, st->rx_missed_errors, st->tx_aborted_errors,
        st->tx_carrier_errors, st->tx_fifo_errors, st->tx_heartbeat_errors,
        st->tx_window_errors, st->rx_compressed, st->tx_compressed, st->rx_nohandler,
    };
    for (int k = 0; k <= K_RX_NOHANDLER; k++) {
        netdev_set(d, (enum netdev_key)k, v[k]);
    }
}

static int netdev_link_msg(const struct nlmsghdr *nlh, void *data)
{
    struct netdev_state *s = data;
    struct he_nl_link link;
    if (he_nl_parse_link(nlh, &link) < 0 || !link.name) {
        he_log_debug("netdev: skipping a malformed link message", NULL);
        return 0;
    }
    if (he_filter_ignored(&s->filter, link.name)) {
        he_log_debug("Ignoring device", "device", link.name, NULL);
        return 0;
    }
    if (!link.has_stats) {
        he_log_debug("No netlink stats, skipping", NULL);
        return 0;
    }
    struct netdev_dev *d = netdev_add(s, link.name, strlen(link.name));
    if (!d) {
        return -ENOMEM;
    }
    netdev_from_stats64(d, &link.stats);
    return 0;
}

static int netdev_read_netlink(struct netdev_state *s)
{
    return he_nl_dump(&s->nl, RTM_GETLINK, AF_UNSPEC, netdev_link_msg, s);
}

/* ---- the /proc/net/dev source ---- */

/* Go's bufio.ScanLines drops one trailing '\r'. */
static struct he_field netdev_chomp(struct he_field line)
{
    if (line.len > 0 && line.p[line.len - 1] == '\r') {
        line.len--;
    }
    return line;
}

/* One "  name: 16 numbers" line, as procfs's parseLine (extra columns are ignored). */
static int netdev_proc_line(struct netdev_state *s, struct he_field line)
{
    const char *colon = NULL;
    for (size_t i = line.len; i > 0; i--) {
        if (line.p[i - 1] == ':') {
            colon = line.p + i - 1;
            break;
        }
    }
    if (!colon) {
        return -EINVAL;
    }
    struct he_field name = he_go_trim_space((struct he_field){line.p, (size_t)(colon - line.p)});
    struct he_field rest = {colon + 1, line.len - (size_t)(colon + 1 - line.p)};
    struct he_field f[16];
    if (name.len == 0 || he_go_fields(rest, f, 16) < 16) {
        return -EINVAL;
    }
    uint64_t v[16];
    for (int i = 0; i < 16; i++) {
        if (he_parse_u64(f[i], &v[i]) < 0) {
            return -EINVAL;
        }
    }
    struct netdev_dev *d = netdev_add(s, name.p, name.len);
    if (!d) {
        return -ENOMEM;
    }
    /* the whole file is parsed (a bad line anywhere fails), then filtered */
    if (he_filter_ignored(&s->filter, netdev_name(s, d->name))) {
        he_log_debug("Ignoring device", "device", netdev_name(s, d->name), NULL);
        s->ndevs--;
        return 0;
    }
    for (int i = 0; i < 16; i++) {
        netdev_set(d, netdev_proc_cols[i], v[i]);
    }
    return 0;
}

static int netdev_read_proc(struct netdev_state *s)
{
    char path[PATH_MAX];
    int rc = he_path_proc(path, sizeof(path), "net/dev");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc < 0) {
        he_log_debug("netdev: cannot read", "path", path, NULL);
        return rc;
    }
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    for (int n = 0; he_lines_next(&it, &line); n++) {
        if (n < 2) {
            continue;   /* the two header lines */
        }
        rc = netdev_proc_line(s, netdev_chomp(line));
        if (rc < 0) {
            he_log_debug("netdev: bad line", "path", path, NULL);
            return rc;
        }
    }
    return 0;
}

/* ---- output ---- */

static int netdev_by_name(const void *ctx, uint32_t a, uint32_t b)
{
    const struct netdev_state *s = ctx;
    return strcmp(netdev_name(s, s->devs[a].name), netdev_name(s, s->devs[b].name));
}

/*
 * Orders the devices by name and marks all but the last of each name as
 * dropped (name offset UINT32_MAX): /proc/net/dev read into upstream's map
 * keeps the last line of a repeated name. Netlink names are unique.
 */
static int netdev_sort_unique(struct netdev_state *s)
{
    if (s->ndevs > s->order_cap) {
        uint32_t *o = realloc(s->order, s->ndevs * sizeof(*o));
        if (!o) {
            return -ENOMEM;
        }
        s->order = o;
        uint32_t *t = realloc(s->scratch, s->ndevs * sizeof(*t));
        if (!t) {
            return -ENOMEM;
        }
        s->scratch = t;
        s->order_cap = s->ndevs;
    }
    for (size_t i = 0; i < s->ndevs; i++) {
        s->order[i] = (uint32_t)i;
    }
    he_sort_indices(s->order, s->scratch, s->ndevs, netdev_by_name, s);
    for (size_t i = 0; i + 1 < s->ndevs; i++) {
        if (netdev_by_name(s, s->order[i], s->order[i + 1]) == 0) {
            s->order[i] = UINT32_MAX;
        }
    }
    return 0;
}

/* True if sysfs lists name (class/net is listed sorted). */
static bool netdev_in_classnet(const struct netdev_state *s, const char *name)
{
    size_t lo = 0, hi = s->classnet.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(he_dir_name(&s->classnet, mid), name);
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/*
 * The ifalias label value: sysfs's ifalias as procfs reads it (one read of at
 * most 128 bytes, white space trimmed); "" when it cannot be read. False when
 * the device is not in class/net: it then gets no ifalias label.
 */
static bool netdev_ifalias(const struct netdev_state *s, const char *dev, char *out, size_t size)
{
    char rel[PATH_MAX], path[PATH_MAX], buf[4097];
    out[0] = '\0';
    if (!netdev_in_classnet(s, dev)) {
        return false;
    }
    if (snprintf(rel, sizeof(rel), "class/net/%s/ifalias", dev) >= (int)sizeof(rel) ||
        he_path_sys(path, sizeof(path), rel) < 0) {
        return true;
    }
    int n = he_read_attr(path, buf, sizeof(buf));
    if (n < 0) {
        return true;
    }
    struct he_field f = he_go_trim_space((struct he_field){buf, n > 128 ? 128 : (size_t)n});
    he_field_copy(f, out, size);
    return true;
}

static void netdev_emit_dev(struct netdev_state *s, struct he_writer *w, struct netdev_dev *d)
{
    const char *name = netdev_name(s, d->name);
    char alias[160];
    struct he_label labels[2] = {{"device", name}, {"ifalias", alias}};
    size_t nlabels = 1;
    if (netdev_label_ifalias && netdev_ifalias(s, name, alias, sizeof(alias))) {
        nlabels = 2;
    }
    if (!netdev_detailed) {
        netdev_legacy(d);
    }
    for (int k = 0; k < K_COUNT; k++) {
        if (d->present & (UINT64_C(1) << k)) {
            he_writer_family(w, netdev_keys[k].metric, netdev_keys[k].help, HE_COUNTER);
            he_writer_sample(w, labels, nlabels, (double)d->v[k]);
        }
    }
}

/* Lists class/net for the ifalias label; upstream fails the scrape when it cannot. */
static int netdev_read_classnet(struct netdev_state *s)
{
    char path[PATH_MAX];
    int rc = he_path_sys(path, sizeof(path), "class/net");
    if (rc == 0) {
        rc = he_dir_read(&s->classnet, path);
    }
    if (rc < 0) {
        he_log_debug("netdev: cannot list", "path", path, NULL);
    }
    return rc;
}

static int netdev_emit_stats(struct netdev_state *s, struct he_writer *w)
{
    int rc = netdev_sort_unique(s);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->ndevs; i++) {
        if (s->order[i] != UINT32_MAX) {
            netdev_emit_dev(s, w, &s->devs[s->order[i]]);
        }
    }
    return 0;
}

/* ---- address-info ---- */

static int netdev_addr_link_msg(const struct nlmsghdr *nlh, void *data)
{
    struct netdev_state *s = data;
    struct he_nl_link link;
    if (he_nl_parse_link(nlh, &link) < 0 || !link.name) {
        return 0;
    }
    void *items = s->links;
    if (he_array_grow(&items, &s->links_cap, s->nlinks + 1, sizeof(*s->links)) < 0) {
        return -ENOMEM;
    }
    s->links = items;
    struct netdev_link *l = &s->links[s->nlinks];
    l->index = link.index;
    int rc = netdev_store_name(s, link.name, strlen(link.name), &l->name);
    if (rc == 0) {
        s->nlinks++;
    }
    return rc;
}

static const char *netdev_link_name(const struct netdev_state *s, uint32_t index)
{
    for (size_t i = 0; i < s->nlinks; i++) {
        if (s->links[i].index == index) {
            return netdev_name(s, s->links[i].name);
        }
    }
    return NULL;
}

/* Go's net.IP String() of an address from rtnetlink. */
static void netdev_format_ip(const struct he_nl_addr *a, char *out, size_t size)
{
    he_go_ip_string(a->addr, a->family == AF_INET ? 4 : 16, out, size);
}

/* Upstream's scope(): Go's IsLoopback, IsLinkLocal*, IsInterfaceLocalMulticast, IsGlobalUnicast. */
static const char *netdev_scope(const struct he_nl_addr *a)
{
    const uint8_t *p = a->addr;
    if (a->family == AF_INET) {
        bool loop = p[0] == 127, ll = p[0] == 169 && p[1] == 254;
        bool llm = p[0] == 224 && p[1] == 0 && p[2] == 0;
        if (loop || ll || llm) {
            return "link-local";
        }
        bool bcast = p[0] == 255 && p[1] == 255 && p[2] == 255 && p[3] == 255;
        bool unspec = !p[0] && !p[1] && !p[2] && !p[3];
        bool mcast = (p[0] & 0xf0) == 0xe0;
        return bcast || unspec || mcast ? "" : "global";
    }
    static const uint8_t zero[16], one[16] = {[15] = 1};
    bool loop = memcmp(p, one, 16) == 0;
    bool ll = p[0] == 0xfe && (p[1] & 0xc0) == 0x80;
    bool llm = p[0] == 0xff && (p[1] & 0x0f) == 0x02;
    if (loop || ll || llm) {
        return "link-local";
    }
    if (p[0] == 0xff && (p[1] & 0x0f) == 0x01) {
        return "interface-local";
    }
    return memcmp(p, zero, 16) == 0 || p[0] == 0xff ? "" : "global";
}

static int netdev_addr_msg(const struct nlmsghdr *nlh, void *data)
{
    struct he_writer *w = ((void **)data)[0];
    const struct netdev_state *s = ((void **)data)[1];
    struct he_nl_addr a;
    if (he_nl_parse_addr(nlh, &a) < 0 || !a.has_addr) {
        return 0;
    }
    const char *dev = netdev_link_name(s, a.ifindex);
    if (!dev || a.prefixlen > (a.family == AF_INET ? 32 : 128)) {
        return 0;   /* Go's ParseCIDR refuses what it cannot print as a prefix */
    }
    char ip[64], mask[8];
    netdev_format_ip(&a, ip, sizeof(ip));
    snprintf(mask, sizeof(mask), "%u", a.prefixlen);
    struct he_label labels[4] = {
        {"device", dev}, {"address", ip}, {"netmask", mask}, {"scope", netdev_scope(&a)}};
    he_writer_family(w, "node_network_address_info", "node network address by device", HE_GAUGE);
    he_writer_sample(w, labels, 4, 1);
    return 0;
}

/* Every interface's addresses, as Go's net.Interfaces() and Addrs() list them. */
static int netdev_address_info_emit(struct netdev_state *s, struct he_writer *w)
{
    s->nlinks = 0;
    int rc = he_nl_dump(&s->nl, RTM_GETLINK, AF_UNSPEC, netdev_addr_link_msg, s);
    if (rc < 0) {
        he_log_debug("netdev: could not get network interfaces", NULL);
        return rc;
    }
    void *ctx[2] = {w, s};
    rc = he_nl_dump(&s->nl, RTM_GETADDR, AF_UNSPEC, netdev_addr_msg, ctx);
    if (rc < 0) {
        he_log_debug("netdev: could not get network addresses", NULL);
    }
    return rc;
}

static int netdev_collect(void *state, struct he_writer *w)
{
    struct netdev_state *s = state;
    s->ndevs = 0;
    he_buf_reset(&s->names);
    int rc = netdev_netlink ? netdev_read_netlink(s) : netdev_read_proc(s);
    if (rc == 0 && netdev_label_ifalias) {
        rc = netdev_read_classnet(s);
    }
    if (rc == 0) {
        rc = netdev_emit_stats(s, w);
    }
    if (rc == 0 && netdev_address_info) {
        rc = netdev_address_info_emit(s, w);
    }
    return rc;
}

static const struct he_collector netdev_collector = {
    .name = "netdev",
    .default_enabled = true,
    .flags = netdev_flags,
    .init = netdev_init,
    .collect = netdev_collect,
    .fini = netdev_fini,
};

HE_COLLECTOR_REGISTER(netdev_collector)
