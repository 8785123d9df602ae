/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arp: node_arp_entries{device}, the IPv4 neighbour entries per interface.
 * Mirrors node_exporter 1.12's collector/arp_linux.go.
 *
 * By default from an rtnetlink RTM_GETNEIGH dump: AF_INET entries without
 * NUD_NOARP (what /proc/net/arp lists), counted per interface index and named
 * through an RTM_GETLINK dump (an index without an interface is skipped, as
 * upstream's name lookup does). With --no-collector.arp.netlink from
 * <procfs>/net/arp as prometheus/procfs's GatherARPEntries parses it: lines of
 * 9 words (the header) or none are skipped, lines of 6 need a MAC Go's
 * net.ParseMAC accepts and flags ParseUint base 0 fits in a byte; anything else
 * fails the whole read. --collector.arp.device-include/-exclude filter names.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_netlink.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"

static const char *arp_include_flag;
static const char *arp_exclude_flag;
static bool arp_netlink;

static const struct he_flag arp_flags[] = {
    {"collector.arp.device-include", HE_FLAG_STRING, NULL,
     "Regexp of arp devices to include (mutually exclusive to device-exclude).",
     &arp_include_flag, he_regex_check_flag},
    {"collector.arp.device-exclude", HE_FLAG_STRING, NULL,
     "Regexp of arp devices to exclude (mutually exclusive to device-include).",
     &arp_exclude_flag, he_regex_check_flag},
    {"collector.arp.netlink", HE_FLAG_BOOL, "true",
     "Use netlink to gather stats instead of /proc/net/arp.", &arp_netlink, NULL},
    {0},
};

/* Entries per interface: by index (netlink) or by name (procfs). */
struct arp_count {
    uint32_t index;
    uint32_t name;     /* offset in names; UINT32_MAX until named */
    uint32_t count;
};

struct arp_state {
    struct he_filter filter;
    struct he_nl nl;
    struct he_file file;       /* <procfs>/net/arp */
    struct he_buf names;
    struct arp_count *counts;
    size_t n, cap;
};

static void arp_fini(void *state)
{
    struct arp_state *s = state;
    he_filter_free(&s->filter);
    he_nl_fini(&s->nl);
    he_file_fini(&s->file);
    he_buf_free(&s->names);
    free(s->counts);
    free(s);
}

static int arp_init(void **state)
{
    struct arp_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    char err[256];
    /* Upstream does not refuse both at once: a name is then dropped if either says so. */
    if (he_filter_init(&s->filter, arp_include_flag, arp_exclude_flag, err, sizeof(err)) < 0) {
        he_log_error("arp: bad device filter", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    he_nl_init(&s->nl);
    he_file_init(&s->file, false, 0);
    he_buf_init(&s->names, 0);
    *state = s;
    return 0;
}

static const char *arp_name(const struct arp_state *s, const struct arp_count *c)
{
    return s->names.data + c->name;
}

static struct arp_count *arp_new(struct arp_state *s)
{
    void *items = s->counts;
    if (he_array_grow(&items, &s->cap, s->n + 1, sizeof(*s->counts)) < 0) {
        return NULL;
    }
    s->counts = items;
    struct arp_count *c = &s->counts[s->n++];
    c->index = 0;
    c->name = UINT32_MAX;
    c->count = 0;
    return c;
}

static int arp_store_name(struct arp_state *s, struct arp_count *c, const char *p, size_t len)
{
    if (s->names.len > UINT32_MAX - len - 1) {
        return -EFBIG;
    }
    c->name = (uint32_t)s->names.len;
    int rc = he_buf_append(&s->names, p, len);
    return rc < 0 ? rc : he_buf_putc(&s->names, '\0');
}

/* ---- netlink ---- */

static int arp_neigh_msg(const struct nlmsghdr *nlh, void *data)
{
    struct arp_state *s = data;
    struct he_nl_neigh n;
    if (he_nl_parse_neigh(nlh, &n) < 0 || n.family != AF_INET || (n.state & NUD_NOARP)) {
        return 0;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->counts[i].index == n.ifindex) {
            s->counts[i].count++;
            return 0;
        }
    }
    struct arp_count *c = arp_new(s);
    if (!c) {
        return -ENOMEM;
    }
    c->index = n.ifindex;
    c->count = 1;
    return 0;
}

static int arp_link_msg(const struct nlmsghdr *nlh, void *data)
{
    struct arp_state *s = data;
    struct he_nl_link l;
    if (he_nl_parse_link(nlh, &l) < 0 || !l.name) {
        return 0;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->counts[i].index == l.index && s->counts[i].name == UINT32_MAX) {
            return arp_store_name(s, &s->counts[i], l.name, strlen(l.name));
        }
    }
    return 0;
}

static int arp_read_netlink(struct arp_state *s)
{
    int rc = he_nl_dump(&s->nl, RTM_GETNEIGH, AF_UNSPEC, arp_neigh_msg, s);
    if (rc == 0 && s->n > 0) {
        rc = he_nl_dump(&s->nl, RTM_GETLINK, AF_UNSPEC, arp_link_msg, s);
    }
    if (rc < 0) {
        he_log_debug("arp: could not get ARP entries over netlink", NULL);
    }
    return rc;
}

/* ---- /proc/net/arp ---- */

/* Go's xtoi2: two hex digits, followed by sep or the end. */
static bool arp_hex_group(const char *p, size_t digits, size_t left, char sep)
{
    for (size_t i = 0; i < digits; i++) {
        if (i >= left || he_hex_digit(p[i]) < 0) {
            return false;
        }
    }
    return digits == left || p[digits] == sep;
}

/*
 * Go's net.ParseMAC: 6, 8 or 20 bytes as xx:xx:.., xx-xx-.. or xxxx.xxxx...
 * Only whether it parses matters here.
 */
static bool arp_mac_ok(struct he_field f)
{
    size_t n;
    if (f.len < 14) {
        return false;
    }
    if (f.p[2] == ':' || f.p[2] == '-') {
        if ((f.len + 1) % 3 != 0) {
            return false;
        }
        n = (f.len + 1) / 3;
        for (size_t i = 0, x = 0; i < n; i++, x += 3) {
            if (!arp_hex_group(f.p + x, 2, f.len - x, f.p[2])) {
                return false;
            }
        }
    } else if (f.p[4] == '.') {
        if ((f.len + 1) % 5 != 0) {
            return false;
        }
        n = 2 * (f.len + 1) / 5;
        for (size_t i = 0, x = 0; i < n; i += 2, x += 5) {
            if (!arp_hex_group(f.p + x, 4, f.len - x, '.')) {
                return false;
            }
        }
    } else {
        return false;
    }
    return n == 6 || n == 8 || n == 20;
}

/* Counts one entry for device f (procfs keeps every line; upstream counts per name). */
static int arp_count_name(struct arp_state *s, struct he_field dev)
{
    for (size_t i = 0; i < s->n; i++) {
        const char *name = arp_name(s, &s->counts[i]);
        if (strlen(name) == dev.len && memcmp(name, dev.p, dev.len) == 0) {
            s->counts[i].count++;
            return 0;
        }
    }
    struct arp_count *c = arp_new(s);
    if (!c) {
        return -ENOMEM;
    }
    c->count = 1;
    return arp_store_name(s, c, dev.p, dev.len);
}

static int arp_proc_line(struct arp_state *s, struct he_field line)
{
    struct he_field f[10];
    size_t n = he_go_fields(line, f, 10);
    if (n == 0 || n == 9) {
        return 0;   /* blank, or the header */
    }
    uint64_t flags;
    if (n != 6 || !arp_mac_ok(f[3]) || he_parse_u64_base0(f[2], &flags) < 0 || flags > 255) {
        return -EINVAL;
    }
    return arp_count_name(s, f[5]);
}

static int arp_read_proc(struct arp_state *s)
{
    char path[PATH_MAX];
    int rc = he_path_proc(path, sizeof(path), "net/arp");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc < 0) {
        he_log_debug("arp: cannot read", "path", path, NULL);
        return rc;
    }
    /* strings.Split at "\n": every piece is a line, a '\r' stays in its last word */
    const char *p = s->file.buf.data, *end = p + s->file.buf.len;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        rc = arp_proc_line(s, (struct he_field){p, (size_t)(stop - p)});
        if (rc < 0) {
            he_log_debug("arp: bad line", "path", path, NULL);
            return rc;
        }
        p = stop + 1;
    }
    return 0;
}

static int arp_collect(void *state, struct he_writer *w)
{
    struct arp_state *s = state;
    s->n = 0;
    he_buf_reset(&s->names);
    int rc = arp_netlink ? arp_read_netlink(s) : arp_read_proc(s);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct arp_count *c = &s->counts[i];
        if (c->name == UINT32_MAX || he_filter_ignored(&s->filter, arp_name(s, c))) {
            continue;
        }
        struct he_label label = {"device", arp_name(s, c)};
        he_writer_family(w, "node_arp_entries", "ARP entries by device", HE_GAUGE);
        he_writer_sample(w, &label, 1, c->count);
    }
    return 0;
}

static const struct he_collector arp_collector = {
    .name = "arp",
    .default_enabled = true,
    .flags = arp_flags,
    .init = arp_init,
    .collect = arp_collect,
    .fini = arp_fini,
};

HE_COLLECTOR_REGISTER(arp_collector)
