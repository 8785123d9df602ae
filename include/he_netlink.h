/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink dumps through libmnl, for the network collectors (netdev, netclass,
 * arp). One NETLINK_ROUTE socket is opened on first use and kept, with one
 * receive buffer reused for every dump, so a warm scrape allocates nothing.
 *
 * Reading and parsing are apart: he_nl_dump() hands each message to a callback,
 * and the he_nl_parse_*() functions turn one RTM_NEWLINK, RTM_NEWNEIGH or
 * RTM_NEWADDR message into a plain struct. The parsers take any buffer, so unit
 * tests feed them messages recorded from a real kernel. Every length is checked:
 * a truncated or malformed message is -EINVAL, never a read past its end.
 */
#ifndef HE_NETLINK_H
#define HE_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/if_link.h>
#include <linux/netlink.h>

struct mnl_socket;

struct he_nl {
    int bus;                   /* NETLINK_ROUTE, or NETLINK_GENERIC (he_nl_init_generic) */
    struct mnl_socket *sock;   /* NULL until the first dump, and after an error */
    unsigned portid;
    unsigned seq;
    char *buf;                 /* receive buffer, HE_NL_BUF_SIZE bytes */
};

/* Large enough for any one datagram of a kernel dump (the kernel caps them at 32 KiB). */
#define HE_NL_BUF_SIZE 32768u

/* A NETLINK_ROUTE handle; he_nl_init_generic() a NETLINK_GENERIC one. No socket yet. */
void he_nl_init(struct he_nl *nl);
void he_nl_init_generic(struct he_nl *nl);

/* Closes the socket and frees the buffer; nl can be used again after he_nl_init(). */
void he_nl_fini(struct he_nl *nl);

/*
 * Called for each message of a dump; returns 0 to go on or a negative errno to
 * stop (he_nl_dump() then returns it after draining the dump).
 */
typedef int (*he_nl_msg_fn)(const struct nlmsghdr *nlh, void *data);

/*
 * Dumps rtnetlink table type (RTM_GETLINK, RTM_GETNEIGH or RTM_GETADDR) for
 * family (AF_UNSPEC: all), calling fn for every message. Opens the socket if
 * needed. Returns 0, the callback's error, or a negative errno (-EINTR when the
 * kernel flagged the dump as interrupted by a change). After a socket error the
 * socket is closed and reopened on the next call.
 */
int he_nl_dump(struct he_nl *nl, uint16_t type, uint8_t family, he_nl_msg_fn fn, void *data);

/*
 * Generic netlink: the id of family name (CTRL_CMD_GETFAMILY) in *id. Returns 0,
 * -ENOENT when the kernel has no such family, or another negative errno.
 */
int he_nl_genl_family(struct he_nl *nl, const char *name, uint16_t *id);

/*
 * Generic netlink: dumps command cmd (version 1) of family id with an empty
 * request header nest of type header_attr (ETHTOOL_A_*_HEADER), calling fn for
 * every reply. Returns as he_nl_dump().
 */
int he_nl_genl_dump(struct he_nl *nl, uint16_t id, uint8_t cmd, uint16_t header_attr,
                    he_nl_msg_fn fn, void *data);

/* One interface from an ethtool ETHTOOL_MSG_LINKMODES_GET reply. */
struct he_nl_linkmodes {
    uint32_t ifindex;
    const char *name;          /* ETHTOOL_A_HEADER_DEV_NAME; NULL if absent */
    bool has_speed, has_duplex;
    uint32_t speed;            /* Mb/s; SPEED_UNKNOWN is UINT32_MAX */
    uint8_t duplex;            /* DUPLEX_HALF, DUPLEX_FULL, DUPLEX_UNKNOWN */
};

/* Parses an ETHTOOL_MSG_LINKMODES_GET_REPLY (any generic netlink type). 0 or -EINVAL. */
int he_nl_parse_linkmodes(const struct nlmsghdr *nlh, struct he_nl_linkmodes *out);

/* One interface from RTM_NEWLINK. Strings point into the message. */
struct he_nl_link {
    uint32_t index;
    uint16_t type;             /* ARPHRD_* */
    uint32_t flags;            /* IFF_* */
    const char *name;          /* IFLA_IFNAME; NULL if absent */
    const char *alias;         /* IFLA_IFALIAS; NULL if absent */
    const uint8_t *address;    /* IFLA_ADDRESS */
    size_t address_len;
    const uint8_t *broadcast;  /* IFLA_BROADCAST */
    size_t broadcast_len;
    bool has_stats;            /* IFLA_STATS64, or IFLA_STATS widened */
    bool has_stats64;          /* IFLA_STATS64 itself */
    struct rtnl_link_stats64 stats;
    bool has_mtu, has_txqlen, has_group, has_link, has_operstate, has_linkmode, has_carrier;
    bool has_carrier_changes, has_carrier_up, has_carrier_down;
    uint32_t mtu, txqlen, group, link, carrier_changes, carrier_up, carrier_down;
    uint8_t operstate, linkmode, carrier;
};

/*
 * Parses an RTM_NEWLINK message. Statistics come from IFLA_STATS64 when present,
 * else from the 32-bit IFLA_STATS. Returns 0, or -EINVAL when the message is not
 * RTM_NEWLINK or is malformed.
 */
int he_nl_parse_link(const struct nlmsghdr *nlh, struct he_nl_link *out);

/* One neighbour from RTM_NEWNEIGH. */
struct he_nl_neigh {
    uint8_t family;            /* AF_INET, AF_INET6, AF_BRIDGE, ... */
    uint32_t ifindex;
    uint16_t state;            /* NUD_* */
    uint8_t flags;             /* NTF_* */
};

/* Parses an RTM_NEWNEIGH message. 0 or -EINVAL. */
int he_nl_parse_neigh(const struct nlmsghdr *nlh, struct he_nl_neigh *out);

/* One address from RTM_NEWADDR. */
struct he_nl_addr {
    uint8_t family;            /* AF_INET or AF_INET6 */
    uint8_t prefixlen;
    uint32_t ifindex;
    uint8_t addr[16];          /* IFA_LOCAL when present (point-to-point), else IFA_ADDRESS */
    bool has_addr;
};

/* Parses an RTM_NEWADDR message. 0 or -EINVAL. */
int he_nl_parse_addr(const struct nlmsghdr *nlh, struct he_nl_addr *out);

/*
 * As he_nl_genl_family(), but the kernel's error reply (-ENOENT: no such family)
 * keeps the socket open: a collector probing every scrape for a family that is
 * absent (nl80211 without cfg80211) then allocates nothing.
 */
int he_nl_genl_family_probe(struct he_nl *nl, const char *name, uint16_t *id);

/* ---- qdisc (RTM_GETQDISC) and sock_diag (inet_diag) ---- */

/* A NETLINK_SOCK_DIAG handle (inet_diag socket dumps). No socket yet. */
void he_nl_init_sock_diag(struct he_nl *nl);

/*
 * Dumps message type with the fixed request header hdr (len bytes, at most 128:
 * struct tcmsg for RTM_GETQDISC, struct inet_diag_req_v2 for
 * SOCK_DIAG_BY_FAMILY), calling fn for every reply. Returns as he_nl_dump().
 */
int he_nl_dump_hdr(struct he_nl *nl, uint16_t type, const void *hdr, size_t len, he_nl_msg_fn fn,
                   void *data);

/*
 * One qdisc from RTM_NEWQDISC, with github.com/ema/qdisc's reading (what
 * node_exporter 1.12 reports): attributes are taken in message order, the last
 * of TCA_STATS2 (basic and queue nests) and the legacy TCA_STATS setting the
 * counters, so the kernel's trailing TCA_STATS wins where both are present;
 * requeues only come from TCA_STATS2. Packets are 32 bits, as both carry them.
 */
struct he_nl_qdisc {
    uint32_t ifindex;
    uint32_t handle;
    uint32_t parent;           /* TC_H_ROOT (0xffffffff) is reported as 0, as ema/qdisc */
    const char *kind;          /* TCA_KIND; NULL if absent. Points into the message */
    uint64_t bytes;
    uint32_t packets, drops, requeues, overlimits, qlen, backlog;
};

/* Parses an RTM_NEWQDISC message. 0, or -EINVAL when it is another type or malformed. */
int he_nl_parse_qdisc(const struct nlmsghdr *nlh, struct he_nl_qdisc *out);

/* One socket from a SOCK_DIAG_BY_FAMILY reply (struct inet_diag_msg). */
struct he_nl_inet_diag {
    uint8_t family;            /* AF_INET or AF_INET6 */
    uint8_t state;             /* TCP_ESTABLISHED ... as the kernel reports it */
    uint16_t sport, dport;     /* host byte order */
    uint32_t rqueue, wqueue;
};

/* Parses a SOCK_DIAG_BY_FAMILY reply. 0, or -EINVAL when it is another type or too short. */
int he_nl_parse_inet_diag(const struct nlmsghdr *nlh, struct he_nl_inet_diag *out);

/*
 * One route from RTM_NEWROUTE (network_route). Addresses point into the
 * message; RTA_DST, RTA_PREFSRC and RTA_GATEWAY are 4 or 16 bytes when present.
 */
struct he_nl_route {
    uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
    uint32_t flags;                /* RTM_F_* */
    const uint8_t *dst;            /* RTA_DST; NULL if absent */
    size_t dst_bytes;
    const uint8_t *prefsrc;        /* RTA_PREFSRC */
    size_t prefsrc_bytes;
    const uint8_t *gateway;        /* RTA_GATEWAY */
    size_t gateway_bytes;
    uint32_t oif;                  /* RTA_OIF, 0 if absent */
    uint32_t priority;             /* RTA_PRIORITY, 0 if absent */
    uint32_t table_id;             /* RTA_TABLE, else the header's table */
    const uint8_t *multipath;      /* RTA_MULTIPATH payload: struct rtnexthop records */
    size_t multipath_len;
};

/* One next hop of RTA_MULTIPATH. */
struct he_nl_route_hop {
    uint8_t flags;                 /* RTNH_F_* */
    uint8_t hops;                  /* rtnh_hops: the weight less one */
    uint32_t ifindex;
    const uint8_t *gateway;        /* its RTA_GATEWAY; NULL if absent */
    size_t gateway_bytes;
};

/*
 * Parses an RTM_NEWROUTE message, next hops included (a malformed hop fails the
 * message). Returns 0, or -EINVAL when the message is not RTM_NEWROUTE, an
 * address attribute is not 4 or 16 bytes, a u32 attribute is not 4 bytes, or
 * anything is truncated.
 */
int he_nl_parse_route(const struct nlmsghdr *nlh, struct he_nl_route *out);

/*
 * Iterates r's next hops: *off starts at 0. Returns 1 with hop filled, 0 after
 * the last one, -EINVAL for a malformed record.
 */
int he_nl_route_next_hop(const struct he_nl_route *r, size_t *off, struct he_nl_route_hop *hop);

/*
 * Generic netlink: dumps command cmd (version 1) of family id with the request
 * attributes attrs (len bytes, already laid out as netlink attributes, e.g.
 * NL80211_ATTR_IFINDEX), calling fn for every reply. Returns as he_nl_dump(), or
 * -EMSGSIZE when the attributes do not fit one request.
 */
int he_nl_genl_dump_attrs(struct he_nl *nl, uint16_t id, uint8_t cmd, const void *attrs,
                          size_t len, he_nl_msg_fn fn, void *data);

#endif
