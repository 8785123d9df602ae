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
 * not parse (or overflows int64) counts as 0, as procfs's ValueParser.PInt64
 * has it. Reads failing with ENOENT, EACCES/EPERM, EOPNOTSUPP or EINVAL (carrier,
 * speed and duplex of a down interface) are skipped; any other error fails the
 * scrape before anything is emitted, as upstream gathers every interface first.
 * A missing or unreadable class/net is "no data".
 *
 * --collector.netclass.ignored-devices (default "^$") drops interfaces by name;
 * --collector.netclass.ignore-invalid-speed drops negative speeds (-1: unknown).
 *
 * --collector.netclass.netlink is upstream's netclass_rtnl_linux.go: the values
 * come from an RTM_GETLINK dump (info's HELP differs and has no adminstate;
 * dormant repeats the link mode, as upstream reports it), with addr_assign_type,
 * dev_id and name_assign_type from sysfs, and --collector.netclass_rtnl.with-stats
 * adds IFLA_STATS64 as gauges. speed_bytes and duplex come from an ethtool
 * netlink ETHTOOL_MSG_LINKMODES_GET dump, read as Go's mdlayher/ethtool does: the
 * speed is the u32 as an int (SPEED_UNKNOWN gives 4294967295 Mb/s, which passes
 * upstream's ">= 0" check), duplex is the Duplex type's name ("Half", "Full",
 * "Unknown"). Without the ethtool family both are left out, as upstream.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/if.h>
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
#include "he_sysread.h"

static const char *netclass_ignored_flag;
static bool netclass_ignore_invalid_speed;
static bool netclass_netlink;
static bool netclass_rtnl_with_stats;

static const struct he_flag netclass_flags[] = {
    {"collector.netclass.ignored-devices", HE_FLAG_STRING, "^$",
     "Regexp of net devices to ignore for netclass collector.", &netclass_ignored_flag,
     he_regex_check_flag},
    {"collector.netclass.ignore-invalid-speed", HE_FLAG_BOOL, NULL,
     "Ignore devices where the speed is invalid. This will be the default behavior in 2.x.",
     &netclass_ignore_invalid_speed, NULL},
    {"collector.netclass.netlink", HE_FLAG_BOOL, "false",
     "Use netlink to gather stats instead of /proc/net/dev.", &netclass_netlink, NULL},
    {"collector.netclass_rtnl.with-stats", HE_FLAG_BOOL, NULL,
     "Expose the statistics for each network device, replacing netdev collector.",
     &netclass_rtnl_with_stats, NULL},
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

/* One interface from RTM_GETLINK, copied out of the receive buffer. */
struct netclass_link {
    uint32_t name, alias, address, broadcast;   /* offsets into strings */
    uint32_t index, flags, mtu, group, txqlen, link;
    uint32_t carrier_changes, carrier_up, carrier_down;
    uint16_t type;
    uint8_t operstate, linkmode, carrier;
    bool has_link, has_linkmode, has_carrier, has_changes, has_up, has_down, has_stats64;
    struct rtnl_link_stats64 stats;
    uint32_t sys_present;       /* bit i: sysfs value i was read */
    int64_t sys[3];             /* addr_assign_type, dev_id, name_assign_type */
};

/* An interface's duplex from ethtool netlink. */
struct netclass_lm {
    uint32_t name;
    uint8_t duplex;
};

struct netclass_state {
    struct he_regex ignored;
    struct he_dir classnet;
    struct he_dir attrs;        /* one interface's directory */
    struct he_buf strings;      /* names and string attributes, NUL-terminated */
    struct netclass_iface *ifaces;
    size_t n, cap;
    struct he_nl nl;            /* --collector.netclass.netlink */
    struct he_nl genl;          /* ethtool link modes, for that variant */
    struct netclass_link *links;
    size_t nlinks, links_cap;
    struct netclass_lm *lms;
    size_t nlms, lms_cap;
};

static void netclass_fini(void *state)
{
    struct netclass_state *s = state;
    he_regex_free(&s->ignored);
    he_dir_fini(&s->classnet);
    he_dir_fini(&s->attrs);
    he_buf_free(&s->strings);
    free(s->ifaces);
    he_nl_fini(&s->nl);
    he_nl_fini(&s->genl);
    free(s->links);
    free(s->lms);
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
    he_nl_init(&s->nl);
    he_nl_init_generic(&s->genl);
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
                              const char *dir, int dirfd, const struct netclass_attr *a,
                              unsigned char type)
{
    char path[PATH_MAX], buf[HE_SYSREAD_MAX + 1];
    struct stat st;
    /* procfs reads regular files only; the listing's d_type says, else lstat as Go does. */
    if (type != DT_REG && (type != DT_UNKNOWN ||
                           fstatat(dirfd, a->file, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                           !S_ISREG(st.st_mode))) {
        return 0;
    }
    /* SysReadFile's one read of 128 bytes, trimmed: one read(2), not a read to EOF. */
    int n = he_sysread_at(dirfd, a->file, buf);
    if (n < 0) {
        if (netclass_ignorable(n)) {
            return 0;
        }
        if (he_path_join(path, sizeof(path), dir, a->file) < 0) {
            snprintf(path, sizeof(path), "%s", a->file);
        }
        he_log_debug("netclass: cannot read", "path", path, NULL);
        return n;
    }
    struct he_field f = {buf, (size_t)n};
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
    int dirfd;
    int rc = he_dir_open_read(&s->attrs, dir, &dirfd);
    if (rc < 0) {
        he_log_debug("netclass: cannot list", "path", dir, NULL);
        return rc;
    }
    for (size_t i = 0; i < s->attrs.n && rc == 0; i++) {
        const struct netclass_attr *a = netclass_find_attr(he_dir_name(&s->attrs, i));
        if (a) {
            rc = netclass_read_attr(s, it, dir, dirfd, a, he_dir_type(&s->attrs, i));
        }
    }
    close(dirfd);
    return rc;
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

/* ---- --collector.netclass.netlink: upstream's netclass_rtnl_linux.go ---- */

/* Go's net.HardwareAddr String(): bytes as two hex digits joined by ':'. */
static uint32_t netclass_store_hw(struct netclass_state *s, const uint8_t *p, size_t len)
{
    char text[3 * 64];
    size_t n = 0;
    for (size_t i = 0; i < len && i < 64; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, i ? ":%02x" : "%02x", p[i]);
    }
    return netclass_store(s, text, n);
}

static int netclass_copy_strings(struct netclass_state *s, struct netclass_link *c,
                                 const struct he_nl_link *l)
{
    c->name = netclass_store(s, l->name, strlen(l->name));
    c->alias = l->alias ? netclass_store(s, l->alias, strlen(l->alias)) : 0;
    c->address = netclass_store_hw(s, l->address, l->address_len);
    c->broadcast = netclass_store_hw(s, l->broadcast, l->broadcast_len);
    bool bad = c->name == UINT32_MAX || c->alias == UINT32_MAX || c->address == UINT32_MAX ||
               c->broadcast == UINT32_MAX;
    return bad ? -ENOMEM : 0;
}

static void netclass_copy_link(struct netclass_link *c, const struct he_nl_link *l)
{
    c->index = l->index;
    c->flags = l->flags;
    c->type = l->type;
    c->mtu = l->has_mtu ? l->mtu : 0;
    c->group = l->has_group ? l->group : 0;
    c->txqlen = l->has_txqlen ? l->txqlen : 0;
    c->operstate = l->has_operstate ? l->operstate : IF_OPER_UNKNOWN;
    c->has_link = l->has_link;
    c->link = l->link;
    c->has_linkmode = l->has_linkmode;
    c->linkmode = l->linkmode;
    c->has_carrier = l->has_carrier;
    c->carrier = l->carrier;
    c->has_changes = l->has_carrier_changes;
    c->carrier_changes = l->carrier_changes;
    c->has_up = l->has_carrier_up;
    c->carrier_up = l->carrier_up;
    c->has_down = l->has_carrier_down;
    c->carrier_down = l->carrier_down;
    c->has_stats64 = l->has_stats64;
    c->stats = l->stats;
}

static int netclass_rtnl_msg(const struct nlmsghdr *nlh, void *data)
{
    struct netclass_state *s = data;
    struct he_nl_link l;
    if (he_nl_parse_link(nlh, &l) < 0 || !l.name || he_regex_match(&s->ignored, l.name)) {
        return 0;
    }
    void *items = s->links;
    if (he_array_grow(&items, &s->links_cap, s->nlinks + 1, sizeof(*s->links)) < 0) {
        return -ENOMEM;
    }
    s->links = items;
    struct netclass_link *c = &s->links[s->nlinks];
    memset(c, 0, sizeof(*c));
    int rc = netclass_copy_strings(s, c, &l);
    if (rc == 0) {
        netclass_copy_link(c, &l);
        s->nlinks++;
    }
    return rc;
}

/*
 * The three attributes netlink lacks, from sysfs as upstream's getSysfsAttributes
 * reads them (procfs's ParseNetClassAttribute: the same skips and fatal errors).
 */
static int netclass_rtnl_sysfs(struct netclass_state *s, struct netclass_link *c)
{
    static const char *const files[3] = {"addr_assign_type", "dev_id", "name_assign_type"};
    char rel[PATH_MAX], path[PATH_MAX], buf[4097];
    for (int i = 0; i < 3; i++) {
        if (snprintf(rel, sizeof(rel), "class/net/%s/%s", netclass_str(s, c->name), files[i]) >=
                (int)sizeof(rel) ||
            he_path_sys(path, sizeof(path), rel) < 0) {
            return -ENAMETOOLONG;
        }
        int n = he_read_attr(path, buf, sizeof(buf));
        if (n < 0) {
            if (netclass_ignorable(n) || n == -EFBIG) {
                continue;
            }
            he_log_debug("netclass: cannot read", "path", path, NULL);
            return n;
        }
        int64_t v;
        struct he_field f = he_go_trim_space((struct he_field){buf, n > 128 ? 128 : (size_t)n});
        c->sys[i] = he_parse_i64_base0(f, &v) == 0 ? v : 0;
        c->sys_present |= 1u << i;
    }
    return 0;
}

static void netclass_gauge(struct he_writer *w, const char *metric, const char *help,
                           enum he_metric_type type, const struct he_label *dev, double v)
{
    he_writer_family(w, metric, help, type);
    he_writer_sample(w, dev, 1, v);
}

/* rtnetlink's operstate names, IF_OPER_UNKNOWN to IF_OPER_UP. */
static const char *netclass_operstate(uint8_t op)
{
    static const char *const names[] = {"unknown", "notpresent", "down",   "lowerlayerdown",
                                        "testing", "dormant",    "up"};
    return op < sizeof(names) / sizeof(names[0]) ? names[op] : "";
}

/* mdlayher/ethtool's Duplex String(), as stringer names the constants. */
static void netclass_duplex_name(uint8_t d, char *out, size_t size)
{
    if (d == DUPLEX_HALF) {
        snprintf(out, size, "Half");
    } else if (d == DUPLEX_FULL) {
        snprintf(out, size, "Full");
    } else if (d == DUPLEX_UNKNOWN) {
        snprintf(out, size, "Unknown");
    } else {
        snprintf(out, size, "Duplex(%u)", d);
    }
}

struct netclass_lm_ctx {
    struct netclass_state *s;
    struct he_writer *w;
};

/* One ETHTOOL_MSG_LINKMODES_GET reply: speed_bytes now, duplex kept for info. */
static int netclass_lm_msg(const struct nlmsghdr *nlh, void *data)
{
    struct netclass_lm_ctx *ctx = data;
    struct netclass_state *s = ctx->s;
    struct he_nl_linkmodes lm;
    if (he_nl_parse_linkmodes(nlh, &lm) < 0 || !lm.name || he_regex_match(&s->ignored, lm.name)) {
        return 0;
    }
    /* Go: int(speed) >= 0 always holds for a u32, then uint64(speed*1000*1000/8) */
    struct he_label d = {"device", lm.name};
    uint64_t speed = lm.has_speed ? lm.speed : 0;
    netclass_gauge(ctx->w, "node_network_speed_bytes", "Network device property: speed_bytes",
                   HE_GAUGE, &d, (double)(speed * 1000 * 1000 / 8));
    void *items = s->lms;
    if (he_array_grow(&items, &s->lms_cap, s->nlms + 1, sizeof(*s->lms)) < 0) {
        return -ENOMEM;
    }
    s->lms = items;
    struct netclass_lm *m = &s->lms[s->nlms];
    m->name = netclass_store(s, lm.name, strlen(lm.name));
    m->duplex = lm.has_duplex ? lm.duplex : 0;
    if (m->name == UINT32_MAX) {
        return -ENOMEM;
    }
    s->nlms++;
    return 0;
}

/* Upstream's getLinkModes(): no ethtool family is logged and tolerated, other errors fail. */
static int netclass_link_modes(struct netclass_state *s, struct he_writer *w)
{
    uint16_t id;
    s->nlms = 0;
    int rc = he_nl_genl_family(&s->genl, ETHTOOL_GENL_NAME, &id);
    if (rc == -ENOENT) {
        he_log_info("ETHTOOL netlink interface unavailable, duplex and linkspeed are not scraped.",
                    NULL);
        return 0;
    }
    struct netclass_lm_ctx ctx = {s, w};
    if (rc == 0) {
        rc = he_nl_genl_dump(&s->genl, id, ETHTOOL_MSG_LINKMODES_GET, ETHTOOL_A_LINKMODES_HEADER,
                             netclass_lm_msg, &ctx);
    }
    if (rc < 0) {
        he_log_debug("netclass: could not get link modes", NULL);
    }
    return rc;
}

static const struct netclass_lm *netclass_find_lm(const struct netclass_state *s,
                                                  const char *name)
{
    for (size_t i = 0; i < s->nlms; i++) {
        if (strcmp(netclass_str(s, s->lms[i].name), name) == 0) {
            return &s->lms[i];
        }
    }
    return NULL;
}

static void netclass_rtnl_info(const struct netclass_state *s, const struct netclass_link *c,
                               struct he_writer *w)
{
    const char *dev = netclass_str(s, c->name);
    struct he_label device = {"device", dev};
    netclass_gauge(w, "node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.",
                   HE_GAUGE, &device, c->operstate == IF_OPER_UP ? 1 : 0);
    char duplex[32] = "";
    const struct netclass_lm *lm = netclass_find_lm(s, dev);
    if (lm) {
        netclass_duplex_name(lm->duplex, duplex, sizeof(duplex));
    }
    struct he_label info[6] = {
        {"device", dev},
        {"address", netclass_str(s, c->address)},
        {"broadcast", netclass_str(s, c->broadcast)},
        {"duplex", duplex},
        {"operstate", netclass_operstate(c->operstate)},
        {"ifalias", netclass_str(s, c->alias)},
    };
    he_writer_family(w, "node_network_info", "Non-numeric data of <iface>, value is always 1.",
                     HE_GAUGE);
    he_writer_sample(w, info, 6, 1);
}

static void netclass_rtnl_props(const struct netclass_state *s, const struct netclass_link *c,
                                struct he_writer *w)
{
    struct he_label d = {"device", netclass_str(s, c->name)};
    if (c->sys_present & 1u) {
        netclass_gauge(w, "node_network_address_assign_type",
                       "Network device property: address_assign_type", HE_GAUGE, &d, c->sys[0]);
    }
    if (c->has_carrier) {
        netclass_gauge(w, "node_network_carrier", "Network device property: carrier", HE_GAUGE,
                       &d, c->carrier);
    }
    if (c->has_changes) {
        netclass_gauge(w, "node_network_carrier_changes_total",
                       "Network device property: carrier_changes_total", HE_COUNTER, &d,
                       c->carrier_changes);
    }
    if (c->has_up) {
        netclass_gauge(w, "node_network_carrier_up_changes_total",
                       "Network device property: carrier_up_changes_total", HE_COUNTER, &d,
                       c->carrier_up);
    }
    if (c->has_down) {
        netclass_gauge(w, "node_network_carrier_down_changes_total",
                       "Network device property: carrier_down_changes_total", HE_COUNTER, &d,
                       c->carrier_down);
    }
    if (c->sys_present & 2u) {
        netclass_gauge(w, "node_network_device_id", "Network device property: device_id",
                       HE_GAUGE, &d, c->sys[1]);
    }
    netclass_gauge(w, "node_network_flags", "Network device property: flags", HE_GAUGE, &d,
                   c->flags);
    netclass_gauge(w, "node_network_iface_id", "Network device property: iface_id", HE_GAUGE, &d,
                   c->index);
    if (c->has_linkmode) {
        netclass_gauge(w, "node_network_iface_link_mode",
                       "Network device property: iface_link_mode", HE_GAUGE, &d, c->linkmode);
        /* upstream reports the link mode as dormant too */
        netclass_gauge(w, "node_network_dormant", "Network device property: dormant", HE_GAUGE,
                       &d, c->linkmode);
    }
    /* the kernel leaves IFLA_LINK out when it equals the interface's own index */
    netclass_gauge(w, "node_network_iface_link", "Network device property: iface_link", HE_GAUGE,
                   &d, c->has_link && c->link > 0 ? c->link : c->index);
    netclass_gauge(w, "node_network_mtu_bytes", "Network device property: mtu_bytes", HE_GAUGE,
                   &d, c->mtu);
    if (c->sys_present & 4u) {
        netclass_gauge(w, "node_network_name_assign_type",
                       "Network device property: name_assign_type", HE_GAUGE, &d, c->sys[2]);
    }
    netclass_gauge(w, "node_network_net_dev_group", "Network device property: net_dev_group",
                   HE_GAUGE, &d, c->group);
    netclass_gauge(w, "node_network_transmit_queue_length",
                   "Network device property: transmit_queue_length", HE_GAUGE, &d, c->txqlen);
    netclass_gauge(w, "node_network_protocol_type", "Network device property: protocol_type",
                   HE_GAUGE, &d, c->type);
}

/* --collector.netclass_rtnl.with-stats: IFLA_STATS64 as gauges, named as upstream. */
struct netclass_stat {
    const char *metric;
    const char *help;
};

static const struct netclass_stat netclass_rtnl_stats[] = {
    {"node_network_receive_packets_total", "Network device property: receive_packets_total"},
    {"node_network_transmit_packets_total", "Network device property: transmit_packets_total"},
    {"node_network_receive_bytes_total", "Network device property: receive_bytes_total"},
    {"node_network_transmit_bytes_total", "Network device property: transmit_bytes_total"},
    {"node_network_receive_errors_total", "Network device property: receive_errors_total"},
    {"node_network_transmit_errors_total", "Network device property: transmit_errors_total"},
    {"node_network_receive_dropped_total", "Network device property: receive_dropped_total"},
    {"node_network_transmit_dropped_total", "Network device property: transmit_dropped_total"},
    {"node_network_multicast_total", "Network device property: multicast_total"},
    {"node_network_collisions_total", "Network device property: collisions_total"},
    {"node_network_receive_length_errors_total",
     "Network device property: receive_length_errors_total"},
    {"node_network_receive_over_errors_total",
     "Network device property: receive_over_errors_total"},
    {"node_network_receive_crc_errors_total", "Network device property: receive_crc_errors_total"},
    {"node_network_receive_frame_errors_total",
     "Network device property: receive_frame_errors_total"},
    {"node_network_receive_fifo_errors_total",
     "Network device property: receive_fifo_errors_total"},
    {"node_network_receive_missed_errors_total",
     "Network device property: receive_missed_errors_total"},
    {"node_network_transmit_aborted_errors_total",
     "Network device property: transmit_aborted_errors_total"},
    {"node_network_transmit_carrier_errors_total",
     "Network device property: transmit_carrier_errors_total"},
    {"node_network_transmit_fifo_errors_total",
     "Network device property: transmit_fifo_errors_total"},
    {"node_network_transmit_heartbeat_errors_total",
     "Network device property: transmit_heartbeat_errors_total"},
    {"node_network_transmit_window_errors_total",
     "Network device property: transmit_window_errors_total"},
    {"node_network_receive_compressed_total", "Network device property: receive_compressed_total"},
    {"node_network_transmit_compressed_total",
     "Network device property: transmit_compressed_total"},
    {"node_network_receive_nohandler_total", "Network device property: receive_nohandler_total"},
};

static void netclass_rtnl_emit_stats(const struct netclass_state *s,
                                     const struct netclass_link *c, struct he_writer *w)
{
    const struct rtnl_link_stats64 *st = &c->stats;
    const uint64_t v[24] = {
        st->rx_packets, st->tx_packets, st->rx_bytes, st->tx_bytes, st->rx_errors,
        st->tx_errors, st->rx_dropped, st->tx_dropped, st->multicast, st->collisions,
        st->rx_length_errors, st->rx_over_errors, st->rx_crc_errors, st->rx_frame_errors,
        st->rx_fifo_errors, st->rx_missed_errors, st->tx_aborted_errors,
        st->tx_carrier_errors, st->tx_fifo_errors, st->tx_heartbeat_errors,
        st->tx_window_errors, st->rx_compressed, st->tx_compressed, st->rx_nohandler,
    };
    struct he_label d = {"device", netclass_str(s, c->name)};
    for (size_t i = 0; i < 24; i++) {
        netclass_gauge(w, netclass_rtnl_stats[i].metric, netclass_rtnl_stats[i].help, HE_GAUGE,
                       &d, (double)v[i]);
    }
}

/*
 * Upstream's netClassRTNLUpdate: speed from ethtool link modes, then every
 * interface of an RTM_GETLINK dump not ignored, three attributes from sysfs, and
 * the output.
 */
static int netclass_rtnl_collect(struct netclass_state *s, struct he_writer *w)
{
    s->nlinks = 0;
    he_buf_reset(&s->strings);
    if (netclass_store(s, "", 0) != 0) {
        return -ENOMEM;
    }
    int rc = netclass_link_modes(s, w);
    if (rc < 0) {
        return rc;
    }
    rc = he_nl_dump(&s->nl, RTM_GETLINK, AF_UNSPEC, netclass_rtnl_msg, s);
    if (rc < 0) {
        he_log_debug("netclass: could not get net class info over netlink", NULL);
        return rc;
    }
    for (size_t i = 0; i < s->nlinks; i++) {
        if ((rc = netclass_rtnl_sysfs(s, &s->links[i])) < 0) {
            return rc;
        }
    }
    for (size_t i = 0; i < s->nlinks; i++) {
        const struct netclass_link *c = &s->links[i];
        netclass_rtnl_info(s, c, w);
        netclass_rtnl_props(s, c, w);
        if (netclass_rtnl_with_stats && c->has_stats64) {
            netclass_rtnl_emit_stats(s, c, w);
        }
    }
    return 0;
}

static int netclass_collect(void *state, struct he_writer *w)
{
    struct netclass_state *s = state;
    s->n = 0;
    he_buf_reset(&s->strings);
    if (netclass_store(s, "", 0) != 0) {
        return -ENOMEM;
    }
    if (netclass_netlink) {
        return netclass_rtnl_collect(s, w);
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
