/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcpstat: node_tcp_connection_states{state}, the TCP sockets per state plus the
 * bytes in their queues (state "rx_queued_bytes" and "tx_queued_bytes").
 * Mirrors node_exporter 1.12's collector/tcpstat_linux.go.
 *
 * Sockets come from NETLINK_SOCK_DIAG inet_diag dumps (SOCK_DIAG_BY_FAMILY, TCP,
 * every state) for AF_INET and, when <procfs>/net/tcp6 exists, AF_INET6, as
 * upstream. Each socket counts once under its state; its idiag_rqueue adds to
 * rx_queued_bytes and idiag_wqueue to tx_queued_bytes (for a listening socket
 * the kernel reports the backlog there; upstream sums it all the same). Only
 * states some socket is in are reported, and the queue totals only when there
 * is a socket at all (upstream fills a map). Upstream numbers the two queue
 * totals 12 and 13 after TCP_CLOSING, so a socket the kernel reports in state 12
 * or 13 is counted into them; other unknown states sum into state="unknown".
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "he_collector.h"
#include "he_log.h"
#include "he_netlink.h"
#include "he_paths.h"

/* Upstream's tcpConnectionState numbering: the kernel's TCP_* states, then the queues. */
#define TCPSTAT_RX 12
#define TCPSTAT_TX 13
#define TCPSTAT_UNKNOWN 14

static const char *const tcpstat_names[TCPSTAT_UNKNOWN + 1] = {
    [1] = "established", [2] = "syn_sent",   [3] = "syn_recv",         [4] = "fin_wait1",
    [5] = "fin_wait2",   [6] = "time_wait",  [7] = "close",            [8] = "close_wait",
    [9] = "last_ack",    [10] = "listen",    [11] = "closing",         [12] = "rx_queued_bytes",
    [13] = "tx_queued_bytes",                [14] = "unknown",
};

struct tcpstat_state {
    struct he_nl nl;
    double v[TCPSTAT_UNKNOWN + 1];
    bool seen[TCPSTAT_UNKNOWN + 1];
};

static void tcpstat_fini(void *state)
{
    struct tcpstat_state *s = state;
    he_nl_fini(&s->nl);
    free(s);
}

static int tcpstat_init(void **state)
{
    struct tcpstat_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_nl_init_sock_diag(&s->nl);
    *state = s;
    return 0;
}

static void tcpstat_add(struct tcpstat_state *s, int key, double v)
{
    s->v[key] += v;
    s->seen[key] = true;
}

static int tcpstat_msg(const struct nlmsghdr *nlh, void *data)
{
    struct tcpstat_state *s = data;
    struct he_nl_inet_diag d;
    if (he_nl_parse_inet_diag(nlh, &d) < 0) {
        he_log_debug("tcpstat: malformed inet_diag message", NULL);
        return -EINVAL;
    }
    tcpstat_add(s, TCPSTAT_TX, d.wqueue);
    tcpstat_add(s, TCPSTAT_RX, d.rqueue);
    tcpstat_add(s, d.state >= 1 && d.state <= TCPSTAT_TX ? d.state : TCPSTAT_UNKNOWN, 1);
    return 0;
}

static int tcpstat_dump(struct tcpstat_state *s, uint8_t family)
{
    struct inet_diag_req_v2 req;
    memset(&req, 0, sizeof(req));
    req.sdiag_family = family;
    req.sdiag_protocol = IPPROTO_TCP;
    req.idiag_states = 0xfff;   /* upstream's TCPFAll: states 0 to 11 */
    int rc = he_nl_dump_hdr(&s->nl, SOCK_DIAG_BY_FAMILY, &req, sizeof(req), tcpstat_msg, s);
    if (rc < 0) {
        he_log_debug("tcpstat: inet_diag dump failed", "family",
                     family == AF_INET ? "inet" : "inet6", NULL);
    }
    return rc;
}

/* Upstream asks for IPv6 sockets only where <procfs>/net/tcp6 exists. */
static bool tcpstat_has_ipv6(void)
{
    char path[PATH_MAX];
    struct stat st;
    return he_path_proc(path, sizeof(path), "net/tcp6") == 0 && stat(path, &st) == 0;
}

static int tcpstat_collect(void *state, struct he_writer *w)
{
    struct tcpstat_state *s = state;
    memset(s->v, 0, sizeof(s->v));
    memset(s->seen, 0, sizeof(s->seen));
    int rc = tcpstat_dump(s, AF_INET);
    if (rc == 0 && tcpstat_has_ipv6()) {
        rc = tcpstat_dump(s, AF_INET6);
    }
    if (rc < 0) {
        return rc;
    }
    for (int k = 1; k <= TCPSTAT_UNKNOWN; k++) {
        if (!s->seen[k]) {
            continue;
        }
        struct he_label label = {"state", tcpstat_names[k]};
        he_writer_family(w, "node_tcp_connection_states", "Number of connection states.",
                         HE_GAUGE);
        he_writer_sample(w, &label, 1, s->v[k]);
    }
    return 0;
}

static const struct he_collector tcpstat_collector = {
    .name = "tcpstat",
    .default_enabled = false,
    .flags = NULL,
    .init = tcpstat_init,
    .collect = tcpstat_collect,
    .fini = tcpstat_fini,
};

HE_COLLECTOR_REGISTER(tcpstat_collector)
