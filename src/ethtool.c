/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIOCETHTOOL requests and their parsers for the ethtool collector; see
 * include/he_ethtool.h. The request sequence and the limits are those of
 * safchain/ethtool 0.6 (node_exporter 1.12.1's ethtool library), the names those
 * of node_exporter's collector/ethtool_linux.go.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "he_ethtool.h"

/* The live request: ifreq with the name (cut to IFNAMSIZ - 1 as the kernel reads it). */
static int ethtool_sys_ioctl(void *ctx, const char *ifname, void *data)
{
    struct he_ethtool *e = ctx;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    ifr.ifr_data = data;
    return ioctl(e->fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

int he_ethtool_init(struct he_ethtool *e)
{
    memset(e, 0, sizeof(*e));
    e->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (e->fd < 0) {
        return -errno;
    }
    e->ioctl = ethtool_sys_ioctl;
    e->ctx = e;
    return 0;
}

void he_ethtool_init_with(struct he_ethtool *e, he_ethtool_ioctl_fn fn, void *ctx)
{
    memset(e, 0, sizeof(*e));
    e->fd = -1;
    e->ioctl = fn;
    e->ctx = ctx;
}

void he_ethtool_fini(struct he_ethtool *e)
{
    if (e->fd >= 0) {
        close(e->fd);
    }
    free(e->strings);
    free(e->stats);
    memset(e, 0, sizeof(*e));
    e->fd = -1;
}

/* Copies a fixed char array up to its first NUL (Go's goString()). */
static void ethtool_cstr(char *out, const char *in, size_t n)
{
    size_t len = strnlen(in, n);
    memcpy(out, in, len);
    out[len] = '\0';
}

int he_ethtool_parse_drvinfo(const void *buf, size_t len, struct he_ethtool_drvinfo *out)
{
    struct ethtool_drvinfo d;
    if (len < sizeof(d)) {
        return -EINVAL;
    }
    memcpy(&d, buf, sizeof(d));
    ethtool_cstr(out->driver, d.driver, sizeof(d.driver));
    ethtool_cstr(out->version, d.version, sizeof(d.version));
    ethtool_cstr(out->fw_version, d.fw_version, sizeof(d.fw_version));
    ethtool_cstr(out->bus_info, d.bus_info, sizeof(d.bus_info));
    ethtool_cstr(out->erom_version, d.erom_version, sizeof(d.erom_version));
    out->n_stats = d.n_stats;
    return 0;
}

int he_ethtool_parse_link(const void *buf, size_t len, struct he_ethtool_link *out)
{
    struct ethtool_cmd c;
    if (len < sizeof(c)) {
        return -EINVAL;
    }
    memcpy(&c, buf, sizeof(c));
    out->supported = c.supported;
    out->advertising = c.advertising;
    out->autoneg = c.autoneg;
    return 0;
}

int he_ethtool_parse_stats(const void *strings, size_t strings_len, const void *stats,
                           size_t stats_len, uint32_t n, he_ethtool_stat_fn fn, void *data)
{
    const char *names = (const char *)strings + sizeof(struct ethtool_gstrings);
    const char *values = (const char *)stats + sizeof(struct ethtool_stats);
    if (strings_len < sizeof(struct ethtool_gstrings) || stats_len < sizeof(struct ethtool_stats)) {
        return -EINVAL;
    }
    size_t have_names = (strings_len - sizeof(struct ethtool_gstrings)) / ETH_GSTRING_LEN;
    size_t have_values = (stats_len - sizeof(struct ethtool_stats)) / sizeof(uint64_t);
    if (n > have_names || n > have_values) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < n; i++) {
        char name[ETH_GSTRING_LEN + 1];
        uint64_t v;
        ethtool_cstr(name, names + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
        if (name[0] == '\0') {
            continue;   /* safchain skips empty names */
        }
        memcpy(&v, values + (size_t)i * sizeof(v), sizeof(v));
        int rc = fn(name, v, data);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int he_ethtool_drvinfo(struct he_ethtool *e, const char *ifname, struct he_ethtool_drvinfo *out)
{
    struct ethtool_drvinfo d;
    memset(&d, 0, sizeof(d));
    d.cmd = ETHTOOL_GDRVINFO;
    int rc = e->ioctl(e->ctx, ifname, &d);
    return rc < 0 ? rc : he_ethtool_parse_drvinfo(&d, sizeof(d), out);
}

int he_ethtool_link(struct he_ethtool *e, const char *ifname, struct he_ethtool_link *out)
{
    struct ethtool_cmd c;
    memset(&c, 0, sizeof(c));
    c.cmd = ETHTOOL_GSET;
    int rc = e->ioctl(e->ctx, ifname, &c);
    return rc < 0 ? rc : he_ethtool_parse_link(&c, sizeof(c), out);
}

/*
 * Both buffers hold HE_ETHTOOL_MAX_STATS entries, as safchain's do: the kernel
 * writes as many entries as the driver counts at the time of each request,
 * which can exceed the count read a moment before. calloc leaves the untouched
 * pages unmapped, so only what the kernel writes costs memory.
 */
static int ethtool_buffers(struct he_ethtool *e)
{
    if (!e->strings) {
        e->strings = calloc(1, sizeof(*e->strings) + (size_t)HE_ETHTOOL_MAX_STATS * ETH_GSTRING_LEN);
    }
    if (!e->stats) {
        e->stats = calloc(1, sizeof(*e->stats) + (size_t)HE_ETHTOOL_MAX_STATS * sizeof(uint64_t));
    }
    return e->strings && e->stats ? 0 : -ENOMEM;
}

int he_ethtool_stats(struct he_ethtool *e, const char *ifname, he_ethtool_stat_fn fn, void *data)
{
    struct he_ethtool_drvinfo d;
    int rc = he_ethtool_drvinfo(e, ifname, &d);
    if (rc < 0) {
        return rc;
    }
    if (d.n_stats > HE_ETHTOOL_MAX_STATS) {
        return -E2BIG;
    }
    if ((rc = ethtool_buffers(e)) < 0) {
        return rc;
    }
    /* safchain starts from zeroed buffers: entries the kernel does not fill read as empty */
    size_t names_len = (size_t)d.n_stats * ETH_GSTRING_LEN;
    size_t values_len = (size_t)d.n_stats * sizeof(uint64_t);
    memset(e->strings, 0, sizeof(*e->strings) + names_len);
    memset(e->stats, 0, sizeof(*e->stats) + values_len);
    e->strings->cmd = ETHTOOL_GSTRINGS;
    e->strings->string_set = ETH_SS_STATS;
    e->strings->len = d.n_stats;
    if ((rc = e->ioctl(e->ctx, ifname, e->strings)) < 0) {
        return rc;
    }
    e->stats->cmd = ETHTOOL_GSTATS;
    e->stats->n_stats = d.n_stats;
    if ((rc = e->ioctl(e->ctx, ifname, e->stats)) < 0) {
        return rc;
    }
    return he_ethtool_parse_stats(e->strings, sizeof(*e->strings) + names_len, e->stats,
                                  sizeof(*e->stats) + values_len, d.n_stats, fn, data);
}

static bool ethtool_word_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/*
 * Go's regexp.ReplaceAllString with `_*[^0-9A-Za-z_]+_*`, leftmost first: a run
 * of "_" is part of a match only when a character outside the class follows it.
 * Multi-byte UTF-8 (and invalid bytes) are outside the class byte for byte, so
 * working on bytes gives Go's answer.
 */
int he_ethtool_sanitize(const char *name, char *out, size_t size)
{
    size_t o = 0, i = 0, n = strlen(name);
    while (i < n) {
        size_t j = i;
        while (j < n && name[j] == '_') {
            j++;
        }
        if (j < n && !ethtool_word_char((unsigned char)name[j])) {
            while (j < n && !ethtool_word_char((unsigned char)name[j])) {
                j++;
            }
            while (j < n && name[j] == '_') {
                j++;
            }
            if (o + 1 >= size) {
                return -ENAMETOOLONG;
            }
            out[o++] = '_';
            i = j;
            continue;
        }
        /* no match here: copy the underscores and the word character after them */
        j = j < n ? j + 1 : j;
        if (o + (j - i) >= size) {
            return -ENAMETOOLONG;
        }
        memcpy(out + o, name + i, j - i);
        o += j - i;
        i = j;
    }
    if (o >= size) {
        return -ENAMETOOLONG;
    }
    out[o] = '\0';
    return 0;
}

/* True when "XX" sits at k of in (len bytes), closed by "_" or the end. */
static bool ethtool_word_at(const char *in, size_t len, size_t k, const char *xx)
{
    return k + 2 <= len && in[k] == xx[0] && in[k + 1] == xx[1] && (k + 2 == len || in[k + 2] == '_');
}

/*
 * One pass of `(^|_)XX(_|$)` -> "${1}WORD${2}" over in (len bytes) into out:
 * matches do not overlap, so the "_" closing one match cannot open the next.
 */
static int ethtool_rename(const char *in, size_t len, const char *xx, const char *word, char *out,
                          size_t size)
{
    size_t o = 0, i = 0, wl = strlen(word);
    while (i < len) {
        int lead = -1;   /* "^" (no lead) is tried before "_" (one) at 0, only "_" later */
        if (i == 0 && ethtool_word_at(in, len, 0, xx)) {
            lead = 0;
        } else if (in[i] == '_' && ethtool_word_at(in, len, i + 1, xx)) {
            lead = 1;
        }
        if (lead >= 0) {
            size_t end = i + (size_t)lead + 2;
            size_t tail = end < len ? 1 : 0;
            if (o + (size_t)lead + wl + tail >= size) {
                return -ENAMETOOLONG;
            }
            memcpy(out + o, "_", (size_t)lead);
            memcpy(out + o + lead, word, wl);
            memcpy(out + o + lead + wl, "_", tail);
            o += (size_t)lead + wl + tail;
            i = end + tail;
            continue;
        }
        if (o + 1 >= size) {
            return -ENAMETOOLONG;
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
    return 0;
}

int he_ethtool_fqname(const char *sanitized, char *out, size_t size)
{
    char lower[256], rx[512];
    static const char prefix[] = "node_ethtool_";
    size_t n = 0;
    while (*sanitized == '_') {
        sanitized++;
    }
    for (; sanitized[n]; n++) {
        if (n + 1 >= sizeof(lower)) {
            return -ENAMETOOLONG;
        }
        char c = sanitized[n];
        lower[n] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    lower[n] = '\0';
    if (n == 0) {
        return -ENOENT;
    }
    if (size < sizeof(prefix) ||
        ethtool_rename(lower, n, "rx", "received", rx, sizeof(rx)) < 0 ||
        ethtool_rename(rx, strlen(rx), "tx", "transmitted", out + sizeof(prefix) - 1,
                       size - (sizeof(prefix) - 1)) < 0) {
        return -ENAMETOOLONG;
    }
    memcpy(out, prefix, sizeof(prefix) - 1);
    return 0;
}
