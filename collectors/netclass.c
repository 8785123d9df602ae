/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netclass: per interface in <sysfs>/class/net, node_network_up,
 * node_network_info{device,address,broadcast,duplex,operstate,adminstate,ifalias}
 * and node_network_<property>{device} (carrier, mtu_bytes, speed_bytes, flags,
 * ...). Mirrors node_exporter 1.12's collector/netclass_linux.go with
 * prometheus/procfs's sysfs/net_class.go.
 *
 * As procfs does, each interface directory is listed and every regular file
 * with a known name is read once (at most 128 bytes, white space trimmed);
 * numbers are Go's ParseInt base 0 (flags read "0x1003"), and a value that does
 * not parse (or overflows int64) counts as 0, as procfs's ValueParser.PInt64 has it. Reads failing with ENOENT, EACCES/EPERM, EOPNOTSUPP or
 * EINVAL (carrier, speed and duplex of a down interface) are skipped; any other
 * error fails the scrape before anything is emitted, as upstream gathers every
 * interface first. A missing or unreadable class/net is "no data".
 *
 * --collector.netclass.ignored-devices (default "^$") drops interfaces by name;
 * --collector.netclass.ignore-invalid-speed drops negative speeds (-1: unknown).
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
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"

static const char *netclass_ignored_flag;
static bool netclass_ignore_invalid_speed;
static bool netclass_netlink;

static const struct he_flag netclass_flags[] = {
    {"collector.netclass.ignored-devices", HE_FLAG_STRING, "^$",
     "Regexp of net devices to ignore for netclass collector.", &netclass_ignored_flag,
     he_regex_check_flag},
    {"collector.netclass.ignore-invalid-speed", HE_FLAG_BOOL, NULL,
     "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.",
     &netclass_ignore_invalid_speed, NULL},
    {"collector.netclass.netlink", HE_FLAG_BOOL, "false",
     "Use netlink to gather stats instead of /proc/net/dev.", &netclass_netlink, NULL},
    {0},
};

/* String attributes, stored per interface. */
enum netclass_str { S_ADDRESS, S_BROADCAST, S_DUPLEX, S_IFALIAS, S_OPERSTATE, S_COUNT };

/* Integer attributes, in the order upstream emits them (plus flags' helpers). */
enum netclass_int {
    I_ADDR_ASSIGN_TYPE, I_CARRIER, I_CARRIER_CHANGES, I_CARRIER_UP, I_CARRIER_DOWN, I_DEV_ID,
    I_DORMANT, I_FLAGS, I_IFINDEX, I_IFLINK, I_LINK_MODE, I_MTU, I_NAME_ASSIGN_TYPE,
    I_NETDEV_GROUP, I_SPEED, I_TX_QUEUE_LEN, I_TYPE, I_COUNT,
};

/* A file procfs reads: into a string slot (is_str) or an integer slot. */
struct netclass_attr {
    const char *file;
    bool is_str;
    int slot;
};

/* Sorted by file name, as the directory listing is. */
static const struct netclass_attr netclass_attrs[] = {
    {"addr_assign_type", false, I_ADDR_ASSIGN_TYPE},
    {"address", true, S_ADDRESS},
    {"broadcast", true, S_BROADCAST},
    {"carrier", false, I_CARRIER},
    {"carrier_changes", false, I_CARRIER_CHANGES},
    {"carrier_down_count", false, I_CARRIER_DOWN},
    {"carrier_up_count", false, I_CARRIER_UP},
    {"dev_id", false, I_DEV_ID},
    {"dormant", false, I_DORMANT},
    {"duplex", true, S_DUPLEX},
    {"flags", false, I_FLAGS},
    {"ifalias", true, S_IFALIAS},
    {"ifindex", false, I_IFINDEX},
    {"iflink", false, I_IFLINK},
    {"link_mode", false, I_LINK_MODE},
    {"mtu", false, I_MTU},
    {"name_assign_type", false, I_NAME_ASSIGN_TYPE},
    {"netdev_group", false, I_NETDEV_GROUP},
    {"operstate", true, S_OPERSTATE},
    {"speed", false, I_SPEED},
    {"tx_queue_len", false, I_TX_QUEUE_LEN},
    {"type", false, I_TYPE},
};

/* One gauge or counter per integer attribute: metric name, HELP, type. */
struct netclass_metric {
    int slot;
    const char *metric;
    const char *help;
    enum he_metric_type type;
};

static const struct netclass_metric netclass_metrics[] = {
    {I_ADDR_ASSIGN_TYPE, "node_network_address_assign_type",
     "Network device property: address_assign_type", HE_GAUGE},
    {I_CARRIER, "node_network_carrier", "Network device property: carrier", HE_GAUGE},
    {I_CARRIER_CHANGES, "node_network_carrier_changes_total",
     "Network device property: carrier_changes_total", HE_COUNTER},
    {I_CARRIER_UP, "node_network_carrier_up_changes_total",
     "Network device property: carrier_up_changes_total", HE_COUNTER},
    {I_CARRIER_DOWN, "node_network_carrier_down_changes_total",
     "Network device property: carrier_down_changes_total", HE_COUNTER},
    {I_DEV_ID, "node_network_device_id", "Network device property: device_id", HE_GAUGE},
    {I_DORMANT, "node_network_dormant", "Network device property: dormant", HE_GAUGE},
    {I_FLAGS, "node_network_flags", "Network device property: flags", HE_GAUGE},
    {I_IFINDEX, "node_network_iface_id", "Network device property: iface_id", HE_GAUGE},
    {I_IFLINK, "node_network_iface_link", "Network device property: iface_link", HE_GAUGE},
    {I_LINK_MODE, "node_network_iface_link_mode", "Network device property: iface_link_mode",
     HE_GAUGE},
    {I_MTU, "node_network_mtu_bytes", "Network device property: mtu_bytes", HE_GAUGE},
    {I_NAME_ASSIGN_TYPE, "node_network_name_assign_type",
     "Network device property: name_assign_type", HE_GAUGE},
    {I_NETDEV_GROUP, "node_network_net_dev_group", "Network device property: net_dev_group",
     HE_GAUGE},
    {I_TX_QUEUE_LEN, "node_network_transmit_queue_length",
     "Network device property: transmit_queue_length", HE_GAUGE},
    {I_TYPE, "node_network_protocol_type", "Network device property: protocol_type", HE_GAUGE},
};

struct netclass_iface {
    uint32_t name;              /* offsets into strings */
    uint32_t str[S_COUNT];
    uint32_t present;           /* bit i: integer i was read */
    int64_t v[I_COUNT];
};

struct netclass_state {
    struct he_regex ignored;
    struct he_dir classnet;
    struct he_dir attrs;        /* one interface's directory */
    struct he_buf strings;      /* names and string attributes, NUL-terminated */
    struct netclass_iface *ifaces;
    size_t n, cap;
};

static void netclass_fini(void *state)
{
    struct netclass_state *s = state;
    he_regex_free(&s->ignored);
    he_dir_fini(&s->classnet);
    he_dir_fini(&s->attrs);
    he_buf_free(&s->strings);
    free(s->ifaces);
    free(s);
}

static int netclass_init(void **state)
{
    struct netclass_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    char err[256];
    if (he_regex_compile(&s->ignored, netclass_ignored_flag ? netclass_ignored_flag : "", err,
                         sizeof(err)) < 0) {
        he_log_error("netclass: bad --collector.netclass.ignored-devices", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    if (netclass_netlink) {
        he_log_warn("--collector.netclass.netlink is not supported; reading sysfs", NULL);
    }
    he_dir_init(&s->classnet);
    he_dir_init(&s->attrs);
    he_buf_init(&s->strings, 0);
    *state = s;
    return 0;
}

/* Stores a string; returns its offset, or UINT32_MAX when out of memory. */
static uint32_t netclass_store(struct netclass_state *s, const char *p, size_t len)
{
    if (s->strings.len > UINT32_MAX - len - 1) {
        return UINT32_MAX;
    }
    uint32_t off = (uint32_t)s->strings.len;
    if (he_buf_append(&s->strings, p, len) < 0 || he_buf_putc(&s->strings, '\0') < 0) {
        return UINT32_MAX;
    }
    return off;
}

static const char *netclass_str(const struct netclass_state *s, uint32_t off)
{
    return s->strings.data + off;
}

/* Errors procfs's canIgnoreError() passes over: the attribute is then just absent. */
static bool netclass_ignorable(int rc)
{
    return rc == -ENOENT || rc == -EACCES || rc == -EPERM || rc == -EOPNOTSUPP ||
           rc == -EINVAL;
}

static const struct netclass_attr *netclass_find_attr(const char *name)
{
    for (size_t i = 0; i < sizeof(netclass_attrs) / sizeof(netclass_attrs[0]); i++) {
        if (strcmp(netclass_attrs[i].file, name) == 0) {
            return &netclass_attrs[i];
        }
    }
    return NULL;
}

/*
 * Reads one attribute file into the interface, as procfs's SysReadFile (one read
 * of at most 128 bytes, then bytes.TrimSpace) and ValueParser.PInt64 do.
 */
static int netclass_read_attr(struct netclass_state *s, struct netclass_iface *it,
                              const char *dir, const struct netclass_attr *a)
{
    char path[PATH_MAX], buf[4097];
    struct stat st;
    if (he_path_join(path, sizeof(path), dir, a->file) < 0) {
        return -ENAMETOOLONG;
    }
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        return 0;   /* procfs reads regular files only */
    }
    int n = he_read_attr(path, buf, sizeof(buf));
    if (n < 0) {
        if (netclass_ignorable(n) || n == -EFBIG) {
            return 0;
        }
        he_log_debug("netclass: cannot read", "path", path, NULL);
        return n;
    }
    struct he_field f = he_go_trim_space((struct he_field){buf, n > 128 ? 128 : (size_t)n});
    if (a->is_str) {
        uint32_t off = netclass_store(s, f.p, f.len);
        if (off == UINT32_MAX) {
            return -ENOMEM;
        }
        it->str[a->slot] = off;
        return 0;
    }
    /* procfs's PInt64 yields 0, not nothing, for a value it cannot parse. */
    int64_t v;
    it->v[a->slot] = he_parse_i64_base0(f, &v) == 0 ? v : 0;
    it->present |= 1u << a->slot;
    return 0;
}

/* Reads every known attribute of one interface directory. */
static int netclass_read_iface(struct netclass_state *s, struct netclass_iface *it,
                               const char *name)
{
    char rel[PATH_MAX], dir[PATH_MAX];
    if (snprintf(rel, sizeof(rel), "class/net/%s", name) >= (int)sizeof(rel) ||
        he_path_sys(dir, sizeof(dir), rel) < 0) {
        return -ENAMETOOLONG;
    }
    int rc = he_dir_read(&s->attrs, dir);
    if (rc < 0) {
        he_log_debug("netclass: cannot list", "path", dir, NULL);
        return rc;
    }
    for (size_t i = 0; i < s->attrs.n; i++) {
        const struct netclass_attr *a = netclass_find_attr(he_dir_name(&s->attrs, i));
        if (a && (rc = netclass_read_attr(s, it, dir, a)) < 0) {
            return rc;
        }
    }
    return 0;
}

static struct netclass_iface *netclass_add(struct netclass_state *s, const char *name)
{
    void *items = s->ifaces;
    if (he_array_grow(&items, &s->cap, s->n + 1, sizeof(*s->ifaces)) < 0) {
        return NULL;
    }
    s->ifaces = items;
    uint32_t off = netclass_store(s, name, strlen(name));
    if (off == UINT32_MAX) {
        return NULL;
    }
    struct netclass_iface *it = &s->ifaces[s->n++];
    memset(it, 0, sizeof(*it));   /* string slots at offset 0: the empty string */
    it->name = off;
    return it;
}

/* True for class/net entries procfs skips: regular files such as bonding_masters. */
static bool netclass_is_regular(const char *classnet, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    return he_path_join(path, sizeof(path), classnet, name) == 0 && lstat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

static int netclass_gather(struct netclass_state *s)
{
    char path[PATH_MAX];
    int rc = he_path_sys(path, sizeof(path), "class/net");
    if (rc == 0) {
        rc = he_dir_read(&s->classnet, path);
    }
    if (rc < 0) {
        he_log_debug("netclass: cannot list", "path", path, NULL);
        return rc;
    }
    for (size_t i = 0; i < s->classnet.n; i++) {
        const char *name = he_dir_name(&s->classnet, i);
        if (netclass_is_regular(path, name) || he_regex_match(&s->ignored, name)) {
            continue;
        }
        struct netclass_iface *it = netclass_add(s, name);
        if (!it) {
            return -ENOMEM;
        }
        if ((rc = netclass_read_iface(s, it, name)) < 0) {
            return rc;
        }
    }
    return 0;
}

/* Upstream's getAdminState(): IFF_UP of flags, "unknown" without flags. */
static const char *netclass_adminstate(const struct netclass_iface *it)
{
    if (!(it->present & (1u << I_FLAGS))) {
        return "unknown";
    }
    return (it->v[I_FLAGS] & 1) ? "up" : "down";
}

/* speed_bytes = int64(speed * 1000 * 1000 / 8), with Go's wrapping int64 arithmetic. */
static double netclass_speed_bytes(int64_t mbits)
{
    int64_t product = (int64_t)((uint64_t)mbits * UINT64_C(1000000));
    return (double)(product / 8);
}

static void netclass_emit(const struct netclass_state *s, const struct netclass_iface *it,
                          struct he_writer *w)
{
    const char *dev = netclass_str(s, it->name);
    struct he_label device = {"device", dev};
    const char *oper = netclass_str(s, it->str[S_OPERSTATE]);
    he_writer_family(w, "node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.",
                     HE_GAUGE);
    he_writer_sample(w, &device, 1, strcmp(oper, "up") == 0 ? 1 : 0);
    struct he_label info[7] = {
        {"device", dev},
        {"address", netclass_str(s, it->str[S_ADDRESS])},
        {"broadcast", netclass_str(s, it->str[S_BROADCAST])},
        {"duplex", netclass_str(s, it->str[S_DUPLEX])},
        {"operstate", oper},
        {"adminstate", netclass_adminstate(it)},
        {"ifalias", netclass_str(s, it->str[S_IFALIAS])},
    };
    he_writer_family(w, "node_network_info",
                     "Non-numeric data from /sys/class/net/<iface>, value is always 1.", HE_GAUGE);
    he_writer_sample(w, info, 7, 1);
    for (size_t i = 0; i < sizeof(netclass_metrics) / sizeof(netclass_metrics[0]); i++) {
        const struct netclass_metric *m = &netclass_metrics[i];
        if (it->present & (1u << m->slot)) {
            he_writer_family(w, m->metric, m->help, m->type);
            he_writer_sample(w, &device, 1, (double)it->v[m->slot]);
        }
    }
    if (it->present & (1u << I_SPEED)) {
        /* Some devices report -1 when the speed is unknown. */
        if (it->v[I_SPEED] >= 0 || !netclass_ignore_invalid_speed) {
            he_writer_family(w, "node_network_speed_bytes", "Network device property: speed_bytes",
                             HE_GAUGE);
            he_writer_sample(w, &device, 1, netclass_speed_bytes(it->v[I_SPEED]));
        }
    }
}

static int netclass_collect(void *state, struct he_writer *w)
{
    struct netclass_state *s = state;
    s->n = 0;
    he_buf_reset(&s->strings);
    if (netclass_store(s, "", 0) != 0) {
        return -ENOMEM;
    }
    int rc = netclass_gather(s);
    if (rc == -ENOENT || rc == -EACCES || rc == -EPERM) {
        return -ENODATA;   /* upstream: "Could not read netclass file", no data */
    }
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        netclass_emit(s, &s->ifaces[i], w);
    }
    return 0;
}

static const struct he_collector netclass_collector = {
    .name = "netclass",
    .default_enabled = true,
    .flags = netclass_flags,
    .init = netclass_init,
    .collect = netclass_collect,
    .fini = netclass_fini,
};

HE_COLLECTOR_REGISTER(netclass_collector)
