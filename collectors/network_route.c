/* SPDX-License-Identifier: Apache-2.0 */
/*
 * network_route: the routing tables from rtnetlink, as node_exporter 1.12.1's
 * collector/network_route_linux.go (jsimonetti/rtnetlink's Link.List and
 * Route.List: RTM_GETLINK and RTM_GETROUTE dumps for every family and table).
 *
 * Only unicast routes (rtm_type RTN_UNICAST) are kept. A route with next hops
 * (RTA_MULTIPATH) gives one series per hop: its interface and gateway, weight
 * rtnh_hops + 1; any other route one series with RTA_OIF and RTA_GATEWAY and an
 * empty weight. Interfaces are named from the link dump ("" when unknown).
 * dest is "default" for a zero prefix length, else Go's IPNet String of
 * RTA_DST with the prefix length; src is RTA_PREFSRC, priority RTA_PRIORITY,
 * proto the kernel's RTPROT_* name or "unknown". A malformed message fails the
 * whole read, which is done before anything is emitted.
 *
 * Emits node_network_route_info{device,src,dest,gw,priority,proto,weight} 1 and
 * node_network_routes{device}, the series per interface.
 *
 * The hidden --collector.network_route.fixture=FILE reads the dumps from a file
 * of recorded netlink messages instead of the kernel (tests' seam; not an
 * upstream flag, and left out of --help).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_netlink.h"
#include "he_parse_go.h"

static const char *route_fixture_flag;

static const struct he_flag route_flags[] = {
    {"collector.network_route.fixture", HE_FLAG_STRING, NULL, NULL, &route_fixture_flag, NULL},
    {0},
};

enum { RL_DEVICE, RL_SRC, RL_DEST, RL_GW, RL_PRIORITY, RL_PROTO, RL_WEIGHT, RL_N };

static const char *const route_label_names[RL_N] = {
    "device", "src", "dest", "gw", "priority", "proto", "weight",
};

struct route_link {
    uint32_t index;
    size_t name;          /* offset in names */
};

struct route_series {
    size_t label[RL_N];   /* offsets in text */
};

struct route_state {
    struct he_nl nl;
    struct he_file file;            /* the fixture */
    struct he_buf names, text;
    struct route_link *links;
    size_t nlinks, linkcap;
    struct route_series *series;
    size_t nseries, seriescap;
    size_t *devs;                   /* first series of each distinct device */
    size_t ndevs, devcap;
};

/* RTPROT_* names as upstream spells them (include/uapi/linux/rtnetlink.h). */
static const char *route_proto(uint8_t p)
{
    static const struct {
        uint8_t id;
        const char *name;
    } protos[] = {
        {0, "unspec"}, {1, "redirect"}, {2, "kernel"}, {3, "boot"}, {4, "static"},
        {8, "gated"}, {9, "ra"}, {10, "mrt"}, {11, "zebra"}, {12, "bird"},
        {13, "dnrouted"}, {14, "xorp"}, {15, "ntk"}, {16, "dhcp"}, {17, "mrouted"},
        {42, "babel"}, {186, "bgp"}, {187, "isis"}, {188, "ospf"}, {189, "rip"},
        {192, "eigrp"},
    };
    for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
        if (protos[i].id == p) {
            return protos[i].name;
        }
    }
    return "unknown";
}

/* net.IP String(), "" for an absent address (networkRouteIPToString). */
static void route_ip(const uint8_t *ip, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    if (ip && len) {
        he_go_ip_string(ip, len, out, size);
    }
}

/* True when the 16 bytes are an IPv4-mapped address (Go's To4 succeeds). */
static bool route_mapped(const uint8_t *ip)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(ip, prefix, 12) == 0;
}

/*
 * networkRouteIPWithPrefixToString: "default" for length 0, else Go's IPNet
 * String of {ip, CIDRMask(len, 32 or 128)}, which is "<nil>" when the address
 * is missing or the mask does not fit it.
 */
static void route_dest(const struct he_nl_route *r, char *out, size_t size)
{
    if (r->dst_len == 0) {
        snprintf(out, size, "default");
        return;
    }
    const uint8_t *ip = r->dst;
    size_t len = r->dst_bytes;
    bool v4 = ip && (len == 4 || (len == 16 && route_mapped(ip)));
    unsigned bits = v4 ? 32 : 128;
    if (!ip || r->dst_len > bits) {
        snprintf(out, size, "<nil>");
        return;
    }
    char addr[64];
    he_go_ip_string(ip, len, addr, sizeof(addr));
    snprintf(out, size, "%s/%u", addr, r->dst_len);
}

/* Copies s with its NUL into text; the offset in *off. */
static int route_put(struct he_buf *text, const char *s, size_t *off)
{
    *off = text->len;
    return he_buf_append(text, s, strlen(s) + 1);
}

static const char *route_link_name(const struct route_state *s, uint32_t index)
{
    for (size_t i = 0; i < s->nlinks; i++) {
        if (s->links[i].index == index) {
            return s->names.data + s->links[i].name;
        }
    }
    return "";
}

/* Stores one route_info series: the seven label values, in route_label_names order. */
static int route_add(struct route_state *s, const char *const v[RL_N])
{
    if (he_array_grow((void **)&s->series, &s->seriescap, s->nseries + 1, sizeof(*s->series)) <
        0) {
        return -ENOMEM;
    }
    struct route_series *sr = &s->series[s->nseries];
    for (int i = 0; i < RL_N; i++) {
        if (route_put(&s->text, v[i], &sr->label[i]) < 0) {
            return -ENOMEM;
        }
    }
    s->nseries++;
    return 0;
}

/* One RTM_NEWROUTE: its series, or -EINVAL when malformed. */
static int route_msg(const struct nlmsghdr *nlh, void *data)
{
    struct route_state *s = data;
    struct he_nl_route r;
    if (he_nl_parse_route(nlh, &r) < 0) {
        return -EINVAL;
    }
    if (r.type != RTN_UNICAST) {
        return 0;
    }
    char src[64], dest[96], gw[64], prio[16], weight[8];
    route_ip(r.prefsrc, r.prefsrc_bytes, src, sizeof(src));
    route_dest(&r, dest, sizeof(dest));
    snprintf(prio, sizeof(prio), "%u", r.priority);
    const char *v[RL_N] = {"", src, dest, gw, prio, route_proto(r.protocol), weight};
    struct he_nl_route_hop hop;
    size_t off = 0;
    int n = 0, rc;
    while ((rc = he_nl_route_next_hop(&r, &off, &hop)) > 0) {
        v[RL_DEVICE] = route_link_name(s, hop.ifindex);
        route_ip(hop.gateway, hop.gateway_bytes, gw, sizeof(gw));
        snprintf(weight, sizeof(weight), "%d", hop.hops + 1);
        if ((rc = route_add(s, v)) < 0) {
            return rc;
        }
        n++;
    }
    if (rc < 0) {
        return rc;
    }
    if (n == 0) {
        v[RL_DEVICE] = route_link_name(s, r.oif);
        route_ip(r.gateway, r.gateway_bytes, gw, sizeof(gw));
        weight[0] = '\0';
        return route_add(s, v);
    }
    return 0;
}

/* One RTM_NEWLINK: index and name (empty when the message has none). */
static int route_link_msg(const struct nlmsghdr *nlh, void *data)
{
    struct route_state *s = data;
    struct he_nl_link l;
    if (he_nl_parse_link(nlh, &l) < 0) {
        return -EINVAL;
    }
    if (he_array_grow((void **)&s->links, &s->linkcap, s->nlinks + 1, sizeof(*s->links)) < 0) {
        return -ENOMEM;
    }
    struct route_link *rl = &s->links[s->nlinks];
    rl->index = l.index;
    if (route_put(&s->names, l.name ? l.name : "", &rl->name) < 0) {
        return -ENOMEM;
    }
    s->nlinks++;
    return 0;
}

/*
 * The fixture: recorded messages back to back. Links are taken in a first pass
 * and routes in a second, as upstream lists links before routes; NLMSG_DONE
 * and other types are passed over, trailing bytes that are no message refused.
 */
static int route_read_fixture(struct route_state *s)
{
    int rc = he_file_read(&s->file, route_fixture_flag);
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        const struct nlmsghdr *nlh = (const struct nlmsghdr *)s->file.buf.data;
        int left = (int)(s->file.buf.len > INT32_MAX ? INT32_MAX : s->file.buf.len);
        uint16_t want = pass == 0 ? RTM_NEWLINK : RTM_NEWROUTE;
        for (; rc == 0 && mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                rc = -EIO;
            } else if (nlh->nlmsg_type == want) {
                rc = want == RTM_NEWLINK ? route_link_msg(nlh, s) : route_msg(nlh, s);
            }
        }
        if (rc == 0 && left != 0) {
            rc = -EINVAL;
        }
    }
    return rc;
}

static int route_read(struct route_state *s)
{
    if (route_fixture_flag) {
        return route_read_fixture(s);
    }
    int rc = he_nl_dump(&s->nl, RTM_GETLINK, AF_UNSPEC, route_link_msg, s);
    if (rc == 0) {
        rc = he_nl_dump(&s->nl, RTM_GETROUTE, AF_UNSPEC, route_msg, s);
    }
    return rc;
}

static void route_emit(struct route_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->nseries; i++) {
        struct he_label l[RL_N];
        for (int k = 0; k < RL_N; k++) {
            l[k] = (struct he_label){route_label_names[k], s->text.data + s->series[i].label[k]};
        }
        he_writer_family(w, "node_network_route_info", "network routing table information",
                         HE_GAUGE);
        he_writer_sample(w, l, RL_N, 1);
    }
    /* series per device, counted at each name's first series (quadratic only in devices) */
    for (size_t i = 0; i < s->nseries; i++) {
        const char *dev = s->text.data + s->series[i].label[RL_DEVICE];
        bool seen = false;
        for (size_t j = 0; j < s->ndevs && !seen; j++) {
            seen = strcmp(dev, s->text.data + s->series[s->devs[j]].label[RL_DEVICE]) == 0;
        }
        if (!seen && he_array_grow((void **)&s->devs, &s->devcap, s->ndevs + 1,
                                   sizeof(*s->devs)) == 0) {
            s->devs[s->ndevs++] = i;
        }
    }
    for (size_t j = 0; j < s->ndevs; j++) {
        const char *dev = s->text.data + s->series[s->devs[j]].label[RL_DEVICE];
        size_t n = 0;
        for (size_t i = 0; i < s->nseries; i++) {
            n += strcmp(dev, s->text.data + s->series[i].label[RL_DEVICE]) == 0;
        }
        const struct he_label l = {"device", dev};
        he_writer_family(w, "node_network_routes", "network routes by interface", HE_GAUGE);
        he_writer_sample(w, &l, 1, (double)n);
    }
}

static int route_collect(void *state, struct he_writer *w)
{
    struct route_state *s = state;
    s->nlinks = s->nseries = s->ndevs = 0;
    he_buf_reset(&s->names);
    he_buf_reset(&s->text);
    int rc = route_read(s);
    if (rc < 0) {
        he_log_debug("network_route: couldn't get links or routes", NULL);
        return rc;
    }
    route_emit(s, w);
    return 0;
}

static int route_init(void **state)
{
    struct route_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_nl_init(&s->nl);
    he_file_init(&s->file, false, 0);
    he_buf_init(&s->names, 0);
    he_buf_init(&s->text, 0);
    *state = s;
    return 0;
}

static void route_fini(void *state)
{
    struct route_state *s = state;
    he_nl_fini(&s->nl);
    he_file_fini(&s->file);
    he_buf_free(&s->names);
    he_buf_free(&s->text);
    free(s->links);
    free(s->series);
    free(s->devs);
    free(s);
}

static const struct he_collector network_route_collector = {
    .name = "network_route",
    .default_enabled = false,
    .flags = route_flags,
    .init = route_init,
    .collect = route_collect,
    .fini = route_fini,
};

HE_COLLECTOR_REGISTER(network_route_collector)
