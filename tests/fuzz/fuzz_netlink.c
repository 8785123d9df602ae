/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the rtnetlink, genetlink and sock_diag message parsers
 * of he_netlink.h (RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWADDR, ETHTOOL linkmodes
 * replies, RTM_NEWROUTE with its RTA_MULTIPATH next hops, RTM_NEWQDISC and
 * SOCK_DIAG_BY_FAMILY replies). Each parser sees the same bytes under its own
 * message type, so a seed recorded for one parser exercises all of them. The input is one message; its nlmsg_len is kept when it fits in
 * the input and cut to the input's size otherwise, which is what libmnl's
 * mnl_cb_run guarantees to a callback. Every string and byte range a parser
 * returns is read so ASan sees reads past the message.
 */
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_netlink.h"

static volatile size_t sink;

static void touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; p && i < n; i++) {
        sink += b[i];
    }
}

static void touch_str(const char *s)
{
    if (s) {
        sink += strlen(s);
    }
}

static void parse_all(struct nlmsghdr *nlh)
{
    struct he_nl_link link;
    nlh->nlmsg_type = RTM_NEWLINK;
    if (he_nl_parse_link(nlh, &link) == 0) {
        touch_str(link.name);
        touch_str(link.alias);
        touch(link.address, link.address_len);
        touch(link.broadcast, link.broadcast_len);
    }
    struct he_nl_neigh neigh;
    nlh->nlmsg_type = RTM_NEWNEIGH;
    he_nl_parse_neigh(nlh, &neigh);
    struct he_nl_addr addr;
    nlh->nlmsg_type = RTM_NEWADDR;
    he_nl_parse_addr(nlh, &addr);
    struct he_nl_linkmodes lm;
    nlh->nlmsg_type = 0x20; /* a generic netlink family id */
    if (he_nl_parse_linkmodes(nlh, &lm) == 0) {
        touch_str(lm.name);
    }
    struct he_nl_route route;
    nlh->nlmsg_type = RTM_NEWROUTE;
    if (he_nl_parse_route(nlh, &route) == 0) {
        touch(route.dst, route.dst_bytes);
        touch(route.prefsrc, route.prefsrc_bytes);
        touch(route.gateway, route.gateway_bytes);
        touch(route.multipath, route.multipath_len);
        size_t off = 0, hops = 0;
        struct he_nl_route_hop hop;
        int rc;
        while ((rc = he_nl_route_next_hop(&route, &off, &hop)) == 1) {
            touch(hop.gateway, hop.gateway_bytes);
            /* every call must advance: a record that does not would loop forever */
            if (++hops > route.multipath_len) {
                abort();
            }
        }
        /* he_nl_parse_route() walked the hops already: a parsed route has no bad one */
        if (rc != 0) {
            abort();
        }
    }
    struct he_nl_qdisc qdisc;
    nlh->nlmsg_type = RTM_NEWQDISC;
    if (he_nl_parse_qdisc(nlh, &qdisc) == 0) {
        touch_str(qdisc.kind);
    }
    struct he_nl_inet_diag diag;
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    he_nl_parse_inet_diag(nlh, &diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(struct nlmsghdr) || size > UINT32_MAX) {
        return 0;
    }
    /* An exact-size copy, aligned as a receive buffer is, so reads past it are caught. */
    struct nlmsghdr *nlh = malloc(size);
    if (!nlh) {
        return 0;
    }
    memcpy(nlh, data, size);
    if (nlh->nlmsg_len > size) {
        nlh->nlmsg_len = (uint32_t)size;
    }
    parse_all(nlh);
    free(nlh);
    return 0;
}
