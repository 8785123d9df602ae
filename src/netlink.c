/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink dumps over one kept NETLINK_ROUTE socket (libmnl for the framing and
 * attribute walking), and parsers for the messages the network collectors read.
 * See include/he_netlink.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/ethtool_netlink.h>
#include <linux/gen_stats.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "he_netlink.h"

void he_nl_init(struct he_nl *nl)
{
    memset(nl, 0, sizeof(*nl));
    nl->bus = NETLINK_ROUTE;
}

void he_nl_init_generic(struct he_nl *nl)
{
    memset(nl, 0, sizeof(*nl));
    nl->bus = NETLINK_GENERIC;
}

static void nl_close(struct he_nl *nl)
{
    if (nl->sock) {
        mnl_socket_close(nl->sock);
        nl->sock = NULL;
    }
}

void he_nl_fini(struct he_nl *nl)
{
    nl_close(nl);
    free(nl->buf);
    nl->buf = NULL;
}

static int nl_open(struct he_nl *nl)
{
    if (!nl->buf) {
        nl->buf = malloc(HE_NL_BUF_SIZE);
        if (!nl->buf) {
            return -ENOMEM;
        }
    }
    if (nl->sock) {
        return 0;
    }
    nl->sock = mnl_socket_open2(nl->bus, SOCK_CLOEXEC);
    if (!nl->sock) {
        return -errno;
    }
    if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
        int rc = -errno;
        nl_close(nl);
        return rc;
    }
    nl->portid = mnl_socket_get_portid(nl->sock);
    if (nl->seq == 0) {
        nl->seq = (unsigned)time(NULL);
    }
    return 0;
}

struct nl_run {
    he_nl_msg_fn fn;
    void *data;
    int err;        /* first callback error; the reply is still drained */
};

static int nl_run_cb(const struct nlmsghdr *nlh, void *data)
{
    struct nl_run *r = data;
    if (r->err == 0 && r->fn) {
        r->err = r->fn(nlh, r->data);
    }
    return MNL_CB_OK;
}

/*
 * Sends req (its sequence number set here) and hands every reply to fn until the
 * dump's NLMSG_DONE or the request's ACK.
 */
static int nl_transact(struct he_nl *nl, struct nlmsghdr *req, he_nl_msg_fn fn, void *data)
{
    int rc = nl_open(nl);
    if (rc == 0) {
        req->nlmsg_seq = ++nl->seq;
        if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
            rc = -errno;
        }
    }
    struct nl_run run = {fn, data, 0};
    while (rc == 0) {
        ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, HE_NL_BUF_SIZE);
        if (n < 0) {
            rc = -errno;
            break;
        }
        int cb = mnl_cb_run(nl->buf, (size_t)n, nl->seq, nl->portid, nl_run_cb, &run);
        if (cb == MNL_CB_STOP) {
            break;
        }
        if (cb < 0) {
            rc = errno ? -errno : -EIO;
        }
    }
    if (rc < 0) {
        /* A half-read reply would confuse the next request: start afresh. */
        nl_close(nl);
        return rc;
    }
    return run.err;
}

int he_nl_dump(struct he_nl *nl, uint16_t type, uint8_t family, he_nl_msg_fn fn, void *data)
{
    uint32_t req[64];
    memset(req, 0, sizeof(req));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    /* each rtnetlink body starts with its family byte */
    size_t body = type == RTM_GETLINK    ? sizeof(struct ifinfomsg)
                  : type == RTM_GETNEIGH ? sizeof(struct ndmsg)
                                         : sizeof(struct ifaddrmsg);
    uint8_t *b = mnl_nlmsg_put_extra_header(nlh, body);
    b[0] = family;
    return nl_transact(nl, nlh, fn, data);
}

struct nl_family {
    uint16_t id;
    bool found;
};

static int nl_family_cb(const struct nlattr *attr, void *data)
{
    struct nl_family *f = data;
    if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
        mnl_attr_validate(attr, MNL_TYPE_U16) == 0) {
        f->id = mnl_attr_get_u16(attr);
        f->found = true;
    }
    return MNL_CB_OK;
}

static int nl_family_msg(const struct nlmsghdr *nlh, void *data)
{
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr))) {
        return -EINVAL;
    }
    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_family_cb, data);
    return 0;
}

/* A CTRL_CMD_GETFAMILY request for family name in buf; NULL when the name does not fit. */
static struct nlmsghdr *nl_family_request(uint32_t *buf, size_t size, const char *name)
{
    memset(buf, 0, size);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = GENL_ID_CTRL;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
    g->cmd = CTRL_CMD_GETFAMILY;
    g->version = 1;
    if (!mnl_attr_put_strz_check(nlh, size, CTRL_ATTR_FAMILY_NAME, name)) {
        return NULL;
    }
    return nlh;
}

int he_nl_genl_family(struct he_nl *nl, const char *name, uint16_t *id)
{
    uint32_t req[64];
    struct nlmsghdr *nlh = nl_family_request(req, sizeof(req), name);
    if (!nlh) {
        return -ENAMETOOLONG;
    }
    struct nl_family f = {0, false};
    int rc = nl_transact(nl, nlh, nl_family_msg, &f);
    if (rc < 0) {
        return rc;
    }
    if (!f.found) {
        return -ENOENT;
    }
    *id = f.id;
    return 0;
}

int he_nl_genl_dump(struct he_nl *nl, uint16_t id, uint8_t cmd, uint16_t header_attr,
                    he_nl_msg_fn fn, void *data)
{
    uint32_t req[64];
    memset(req, 0, sizeof(req));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = id;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
    g->cmd = cmd;
    g->version = 1;
    struct nlattr *nest = mnl_attr_nest_start(nlh, header_attr);
    mnl_attr_nest_end(nlh, nest);
    return nl_transact(nl, nlh, fn, data);
}

/* Attribute table filler for mnl_attr_parse: keeps the last of each known type. */
struct nl_attrs {
    const struct nlattr *tb[64];
    const char *end;    /* the message's last byte + 1 */
};

static int nl_attr_cb(const struct nlattr *attr, void *data)
{
    struct nl_attrs *a = data;
    uint16_t type = mnl_attr_get_type(attr);
    if ((const char *)attr + attr->nla_len > a->end) {
        return MNL_CB_ERROR;
    }
    if (type < 64) {
        a->tb[type] = attr;
    }
    return MNL_CB_OK;
}

static int nl_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, struct nl_attrs *a)
{
    memset(a, 0, sizeof(*a));
    /*
     * libmnl walks attributes up to nlmsg_len rounded up to 4; the kernel always
     * pads messages to that, so an unaligned length is malformed, not a short read.
     */
    if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len < mnl_nlmsg_size(hdrlen) ||
        nlh->nlmsg_len % NLMSG_ALIGNTO != 0) {
        return -EINVAL;
    }
    a->end = (const char *)nlh + nlh->nlmsg_len;
    if (mnl_attr_parse(nlh, hdrlen, nl_attr_cb, a) != MNL_CB_OK) {
        return -EINVAL;
    }
    return 0;
}

/* A NUL-terminated string attribute, or NULL. */
static const char *nl_str(const struct nlattr *attr)
{
    if (!attr || mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) {
        return NULL;
    }
    return mnl_attr_get_str(attr);
}

static bool nl_u32(const struct nlattr *attr, uint32_t *out)
{
    if (!attr || mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
        return false;
    }
    *out = mnl_attr_get_u32(attr);
    return true;
}

static bool nl_u8(const struct nlattr *attr, uint8_t *out)
{
    if (!attr || mnl_attr_validate(attr, MNL_TYPE_U8) < 0) {
        return false;
    }
    *out = mnl_attr_get_u8(attr);
    return true;
}

/* Widens the 32-bit rtnl_link_stats, field for field (same order up to rx_nohandler). */
static void nl_widen_stats(const struct nlattr *attr, struct rtnl_link_stats64 *out)
{
    struct rtnl_link_stats s32;
    memset(&s32, 0, sizeof(s32));
    size_t len = mnl_attr_get_payload_len(attr);
    memcpy(&s32, mnl_attr_get_payload(attr), len < sizeof(s32) ? len : sizeof(s32));
    const __u32 *in = (const __u32 *)&s32;
    __u64 *o = (__u64 *)out;
    size_t n = sizeof(s32) / sizeof(__u32);
    for (size_t i = 0; i < n && i < sizeof(*out) / sizeof(__u64); i++) {
        o[i] = in[i];
    }
}

/* Statistics: the 64-bit set, or the 32-bit one widened; shorter sets are zero-filled. */
static void nl_link_stats(const struct nl_attrs *a, struct he_nl_link *out)
{
    memset(&out->stats, 0, sizeof(out->stats));
    const struct nlattr *s64 = a->tb[IFLA_STATS64];
    if (s64) {
        size_t len = mnl_attr_get_payload_len(s64);
        memcpy(&out->stats, mnl_attr_get_payload(s64),
               len < sizeof(out->stats) ? len : sizeof(out->stats));
        out->has_stats = true;
        out->has_stats64 = true;
    } else if (a->tb[IFLA_STATS]) {
        nl_widen_stats(a->tb[IFLA_STATS], &out->stats);
        out->has_stats = true;
    }
}

int he_nl_parse_link(const struct nlmsghdr *nlh, struct he_nl_link *out)
{
    struct nl_attrs a;
    memset(out, 0, sizeof(*out));
    if (nlh->nlmsg_type != RTM_NEWLINK || nl_parse_attrs(nlh, sizeof(struct ifinfomsg), &a) < 0) {
        return -EINVAL;
    }
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    out->index = (uint32_t)ifi->ifi_index;
    out->type = ifi->ifi_type;
    out->flags = ifi->ifi_flags;
    out->name = nl_str(a.tb[IFLA_IFNAME]);
    out->alias = nl_str(a.tb[IFLA_IFALIAS]);
    if (a.tb[IFLA_ADDRESS]) {
        out->address = mnl_attr_get_payload(a.tb[IFLA_ADDRESS]);
        out->address_len = mnl_attr_get_payload_len(a.tb[IFLA_ADDRESS]);
    }
    if (a.tb[IFLA_BROADCAST]) {
        out->broadcast = mnl_attr_get_payload(a.tb[IFLA_BROADCAST]);
        out->broadcast_len = mnl_attr_get_payload_len(a.tb[IFLA_BROADCAST]);
    }
    out->has_mtu = nl_u32(a.tb[IFLA_MTU], &out->mtu);
    out->has_txqlen = nl_u32(a.tb[IFLA_TXQLEN], &out->txqlen);
    out->has_group = nl_u32(a.tb[IFLA_GROUP], &out->group);
    out->has_link = nl_u32(a.tb[IFLA_LINK], &out->link);
    out->has_carrier_changes = nl_u32(a.tb[IFLA_CARRIER_CHANGES], &out->carrier_changes);
    out->has_carrier_up = nl_u32(a.tb[IFLA_CARRIER_UP_COUNT], &out->carrier_up);
    out->has_carrier_down = nl_u32(a.tb[IFLA_CARRIER_DOWN_COUNT], &out->carrier_down);
    out->has_operstate = nl_u8(a.tb[IFLA_OPERSTATE], &out->operstate);
    out->has_linkmode = nl_u8(a.tb[IFLA_LINKMODE], &out->linkmode);
    out->has_carrier = nl_u8(a.tb[IFLA_CARRIER], &out->carrier);
    nl_link_stats(&a, out);
    return 0;
}

int he_nl_parse_neigh(const struct nlmsghdr *nlh, struct he_nl_neigh *out)
{
    struct nl_attrs a;
    memset(out, 0, sizeof(*out));
    if (nlh->nlmsg_type != RTM_NEWNEIGH || nl_parse_attrs(nlh, sizeof(struct ndmsg), &a) < 0) {
        return -EINVAL;
    }
    const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
    out->family = nd->ndm_family;
    out->ifindex = (uint32_t)nd->ndm_ifindex;
    out->state = nd->ndm_state;
    out->flags = nd->ndm_flags;
    return 0;
}

int he_nl_parse_addr(const struct nlmsghdr *nlh, struct he_nl_addr *out)
{
    struct nl_attrs a;
    memset(out, 0, sizeof(*out));
    if (nlh->nlmsg_type != RTM_NEWADDR || nl_parse_attrs(nlh, sizeof(struct ifaddrmsg), &a) < 0) {
        return -EINVAL;
    }
    const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
    out->family = ifa->ifa_family;
    out->prefixlen = ifa->ifa_prefixlen;
    out->ifindex = ifa->ifa_index;
    size_t want = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
    /* Go's net package prefers IFA_LOCAL: on point-to-point links IFA_ADDRESS is the peer. */
    const struct nlattr *attr = a.tb[IFA_LOCAL] ? a.tb[IFA_LOCAL] : a.tb[IFA_ADDRESS];
    if (want && attr && mnl_attr_get_payload_len(attr) >= want) {
        memcpy(out->addr, mnl_attr_get_payload(attr), want);
        out->has_addr = true;
    }
    return 0;
}

static int nl_header_cb(const struct nlattr *attr, void *data)
{
    struct he_nl_linkmodes *lm = data;
    switch (mnl_attr_get_type(attr)) {
    case ETHTOOL_A_HEADER_DEV_INDEX:
        nl_u32(attr, &lm->ifindex);
        break;
    case ETHTOOL_A_HEADER_DEV_NAME:
        lm->name = nl_str(attr);
        break;
    }
    return MNL_CB_OK;
}

int he_nl_parse_linkmodes(const struct nlmsghdr *nlh, struct he_nl_linkmodes *out)
{
    struct nl_attrs a;
    memset(out, 0, sizeof(*out));
    if (nl_parse_attrs(nlh, sizeof(struct genlmsghdr), &a) < 0) {
        return -EINVAL;
    }
    const struct nlattr *hdr = a.tb[ETHTOOL_A_LINKMODES_HEADER];
    if (!hdr || mnl_attr_validate(hdr, MNL_TYPE_NESTED) < 0 ||
        mnl_attr_parse_nested(hdr, nl_header_cb, out) != MNL_CB_OK) {
        return -EINVAL;
    }
    out->has_speed = nl_u32(a.tb[ETHTOOL_A_LINKMODES_SPEED], &out->speed);
    out->has_duplex = nl_u8(a.tb[ETHTOOL_A_LINKMODES_DUPLEX], &out->duplex);
    return 0;
}

/*
 * Receives the reply to the request numbered nl->seq; an error reply is the end
 * of the exchange, so the kernel's answer comes back as its errno and the socket
 * stays usable. Other failures (a broken or foreign reply) return -errno too.
 */
static int nl_probe_reply(struct he_nl *nl, struct nl_run *run, bool *clean)
{
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, HE_NL_BUF_SIZE);
        if (n < 0) {
            return -errno;
        }
        const struct nlmsghdr *last = (const struct nlmsghdr *)nl->buf;
        int cb = mnl_cb_run(nl->buf, (size_t)n, nl->seq, nl->portid, nl_run_cb, run);
        if (cb == MNL_CB_STOP) {
            return 0;
        }
        if (cb < 0) {
            int rc = errno ? -errno : -EIO;
            /* a one-message datagram holding our error reply ends the exchange */
            *clean = (size_t)n == last->nlmsg_len && last->nlmsg_type == NLMSG_ERROR &&
                     last->nlmsg_seq == nl->seq;
            return rc;
        }
    }
}

int he_nl_genl_family_probe(struct he_nl *nl, const char *name, uint16_t *id)
{
    uint32_t req[64];
    struct nlmsghdr *nlh = nl_family_request(req, sizeof(req), name);
    if (!nlh) {
        return -ENAMETOOLONG;
    }
    int rc = nl_open(nl);
    if (rc < 0) {
        return rc;
    }
    nlh->nlmsg_seq = ++nl->seq;
    struct nl_family f = {0, false};
    struct nl_run run = {nl_family_msg, &f, 0};
    bool clean = false;
    rc = mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0 ? -errno
                                                              : nl_probe_reply(nl, &run, &clean);
    if (rc < 0 && !clean) {
        nl_close(nl);
    }
    if (rc < 0) {
        return rc;
    }
    if (run.err < 0 || !f.found) {
        return run.err < 0 ? run.err : -ENOENT;
    }
    *id = f.id;
    return 0;
}

/* ---- qdisc (RTM_GETQDISC) and sock_diag (inet_diag) ---- */

void he_nl_init_sock_diag(struct he_nl *nl)
{
    memset(nl, 0, sizeof(*nl));
    nl->bus = NETLINK_SOCK_DIAG;
}

int he_nl_dump_hdr(struct he_nl *nl, uint16_t type, const void *hdr, size_t len, he_nl_msg_fn fn,
                   void *data)
{
    uint32_t req[64];
    if (len > 128) {
        return -EINVAL;
    }
    memset(req, 0, sizeof(req));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    void *body = mnl_nlmsg_put_extra_header(nlh, len);
    memcpy(body, hdr, len);
    return nl_transact(nl, nlh, fn, data);
}

/* TCA_STATS2's nest: gnet_stats_basic (bytes, packets) and gnet_stats_queue. */
static int nl_qdisc_stats2_cb(const struct nlattr *attr, void *data)
{
    struct he_nl_qdisc *q = data;
    const uint8_t *p = mnl_attr_get_payload(attr);
    size_t len = mnl_attr_get_payload_len(attr);
    uint32_t u32[5];
    switch (mnl_attr_get_type(attr)) {
    case TCA_STATS_BASIC:
        if (len < 12) {
            return MNL_CB_ERROR;
        }
        memcpy(&q->bytes, p, 8);
        memcpy(&q->packets, p + 8, 4);
        break;
    case TCA_STATS_QUEUE:
        if (len < sizeof(u32)) {
            return MNL_CB_ERROR;
        }
        memcpy(u32, p, sizeof(u32));
        q->qlen = u32[0];
        q->backlog = u32[1];
        q->drops = u32[2];
        q->requeues = u32[3];
        q->overlimits = u32[4];
        break;
    }
    return MNL_CB_OK;
}

/* The legacy struct tc_stats: bytes, packets, drops, overlimits, bps, pps, qlen, backlog. */
static int nl_qdisc_stats(const struct nlattr *attr, struct he_nl_qdisc *q)
{
    struct tc_stats st;
    if (mnl_attr_get_payload_len(attr) < sizeof(st)) {
        return MNL_CB_ERROR;
    }
    memcpy(&st, mnl_attr_get_payload(attr), sizeof(st));
    q->bytes = st.bytes;
    q->packets = st.packets;
    q->drops = st.drops;
    q->overlimits = st.overlimits;
    q->qlen = st.qlen;
    q->backlog = st.backlog;
    return MNL_CB_OK;
}

struct nl_qdisc_walk {
    struct he_nl_qdisc *q;
    const char *end;
};

/* Top-level attributes in message order: the later of TCA_STATS2/TCA_STATS wins. */
static int nl_qdisc_attr_cb(const struct nlattr *attr, void *data)
{
    struct nl_qdisc_walk *w = data;
    if ((const char *)attr + attr->nla_len > w->end) {
        return MNL_CB_ERROR;
    }
    switch (mnl_attr_get_type(attr)) {
    case TCA_KIND:
        w->q->kind = nl_str(attr);
        return w->q->kind ? MNL_CB_OK : MNL_CB_ERROR;
    case TCA_STATS2:
        return mnl_attr_parse_nested(attr, nl_qdisc_stats2_cb, w->q);
    case TCA_STATS:
        return nl_qdisc_stats(attr, w->q);
    }
    return MNL_CB_OK;
}

int he_nl_parse_qdisc(const struct nlmsghdr *nlh, struct he_nl_qdisc *out)
{
    memset(out, 0, sizeof(*out));
    if (nlh->nlmsg_type != RTM_NEWQDISC || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct tcmsg)) ||
        nlh->nlmsg_len % NLMSG_ALIGNTO != 0) {
        return -EINVAL;
    }
    const struct tcmsg *tc = mnl_nlmsg_get_payload(nlh);
    out->ifindex = (uint32_t)tc->tcm_ifindex;
    out->handle = tc->tcm_handle;
    out->parent = tc->tcm_parent == TC_H_ROOT ? 0 : tc->tcm_parent;
    struct nl_qdisc_walk w = {out, (const char *)nlh + nlh->nlmsg_len};
    if (mnl_attr_parse(nlh, sizeof(struct tcmsg), nl_qdisc_attr_cb, &w) != MNL_CB_OK) {
        return -EINVAL;
    }
    return 0;
}

int he_nl_parse_inet_diag(const struct nlmsghdr *nlh, struct he_nl_inet_diag *out)
{
    struct inet_diag_msg m;
    memset(out, 0, sizeof(*out));
    if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(m))) {
        return -EINVAL;
    }
    memcpy(&m, mnl_nlmsg_get_payload(nlh), sizeof(m));
    out->family = m.idiag_family;
    out->state = m.idiag_state;
    out->sport = ntohs(m.id.idiag_sport);
    out->dport = ntohs(m.id.idiag_dport);
    out->rqueue = m.idiag_rqueue;
    out->wqueue = m.idiag_wqueue;
    return 0;
}

/* ---- routes (network_route) ---- */

/* An address attribute: absent, or exactly 4 or 16 bytes (else the message is refused). */
static int nl_route_addr(const struct nlattr *attr, const uint8_t **p, size_t *len)
{
    if (!attr) {
        return 0;
    }
    size_t n = mnl_attr_get_payload_len(attr);
    if (n != 4 && n != 16) {
        return -EINVAL;
    }
    *p = mnl_attr_get_payload(attr);
    *len = n;
    return 0;
}

/* A u32 attribute: absent, or exactly 4 bytes. */
static int nl_route_u32(const struct nlattr *attr, uint32_t *out)
{
    if (!attr) {
        return 0;
    }
    if (mnl_attr_get_payload_len(attr) != 4) {
        return -EINVAL;
    }
    *out = mnl_attr_get_u32(attr);
    return 0;
}

int he_nl_route_next_hop(const struct he_nl_route *r, size_t *off, struct he_nl_route_hop *hop)
{
    memset(hop, 0, sizeof(*hop));
    if (*off >= r->multipath_len || r->multipath_len - *off < sizeof(struct rtnexthop)) {
        return 0; /* a tail shorter than a record is not a hop */
    }
    const uint8_t *p = r->multipath + *off;
    size_t left = r->multipath_len - *off;
    struct rtnexthop nh;
    memcpy(&nh, p, sizeof(nh));
    if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left) {
        return -EINVAL;
    }
    hop->flags = nh.rtnh_flags;
    hop->hops = nh.rtnh_hops;
    hop->ifindex = (uint32_t)nh.rtnh_ifindex;
    /* the hop's own attributes follow the record, up to rtnh_len */
    size_t pos = RTNH_ALIGN(sizeof(nh));
    while (pos + sizeof(struct nlattr) <= nh.rtnh_len) {
        struct nlattr a;
        memcpy(&a, p + pos, sizeof(a));
        if (a.nla_len < sizeof(a) || pos + a.nla_len > nh.rtnh_len) {
            return -EINVAL;
        }
        size_t n = a.nla_len - sizeof(a);
        if ((a.nla_type & NLA_TYPE_MASK) == RTA_GATEWAY) {
            if (n != 4 && n != 16) {
                return -EINVAL;
            }
            hop->gateway = p + pos + sizeof(a);
            hop->gateway_bytes = n;
        }
        pos += NLA_ALIGN(a.nla_len);
    }
    *off += RTNH_ALIGN(nh.rtnh_len);
    return 1;
}

/*
 * True when the attributes after hdrlen tile the message exactly, as Go's
 * netlink attribute decoder requires (libmnl's walk stops quietly at a bad one).
 */
static bool nl_attrs_tile(const struct nlmsghdr *nlh, size_t hdrlen)
{
    size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
    const char *p = (const char *)nlh;
    while (off < nlh->nlmsg_len) {
        struct nlattr a;
        if (nlh->nlmsg_len - off < sizeof(a)) {
            return false;
        }
        memcpy(&a, p + off, sizeof(a));
        if (a.nla_len < sizeof(a) || a.nla_len > nlh->nlmsg_len - off) {
            return false;
        }
        off += NLA_ALIGN(a.nla_len);
    }
    return true;
}

int he_nl_parse_route(const struct nlmsghdr *nlh, struct he_nl_route *out)
{
    struct nl_attrs a;
    memset(out, 0, sizeof(*out));
    if (nlh->nlmsg_type != RTM_NEWROUTE || nl_parse_attrs(nlh, sizeof(struct rtmsg), &a) < 0 ||
        !nl_attrs_tile(nlh, sizeof(struct rtmsg))) {
        return -EINVAL;
    }
    const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
    out->family = rtm->rtm_family;
    out->dst_len = rtm->rtm_dst_len;
    out->src_len = rtm->rtm_src_len;
    out->tos = rtm->rtm_tos;
    out->table = rtm->rtm_table;
    out->protocol = rtm->rtm_protocol;
    out->scope = rtm->rtm_scope;
    out->type = rtm->rtm_type;
    out->flags = rtm->rtm_flags;
    out->table_id = rtm->rtm_table;
    if (nl_route_addr(a.tb[RTA_DST], &out->dst, &out->dst_bytes) < 0 ||
        nl_route_addr(a.tb[RTA_PREFSRC], &out->prefsrc, &out->prefsrc_bytes) < 0 ||
        nl_route_addr(a.tb[RTA_GATEWAY], &out->gateway, &out->gateway_bytes) < 0 ||
        nl_route_u32(a.tb[RTA_OIF], &out->oif) < 0 ||
        nl_route_u32(a.tb[RTA_PRIORITY], &out->priority) < 0 ||
        nl_route_u32(a.tb[RTA_TABLE], &out->table_id) < 0) {
        return -EINVAL;
    }
    if (a.tb[RTA_MULTIPATH]) {
        out->multipath = mnl_attr_get_payload(a.tb[RTA_MULTIPATH]);
        out->multipath_len = mnl_attr_get_payload_len(a.tb[RTA_MULTIPATH]);
        struct he_nl_route_hop hop;
        size_t off = 0;
        int rc;
        while ((rc = he_nl_route_next_hop(out, &off, &hop)) > 0) {
        }
        if (rc < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

int he_nl_genl_dump_attrs(struct he_nl *nl, uint16_t id, uint8_t cmd, const void *attrs,
                          size_t len, he_nl_msg_fn fn, void *data)
{
    uint32_t req[64];
    size_t room = sizeof(req) - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(struct genlmsghdr));
    if (len > room) {
        return -EMSGSIZE;
    }
    memset(req, 0, sizeof(req));
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = id;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
    g->cmd = cmd;
    g->version = 1;
    if (len > 0) {
        memcpy(mnl_nlmsg_put_extra_header(nlh, len), attrs, len);
    }
    return nl_transact(nl, nlh, fn, data);
}
