/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIOCETHTOOL requests for the ethtool collector, made the way the Go library
 * node_exporter uses (safchain/ethtool 0.6) makes them: ETHTOOL_GDRVINFO for the
 * driver strings and the statistics count, ETHTOOL_GSTRINGS + ETHTOOL_GSTATS for
 * the statistics, and the legacy ETHTOOL_GSET for the 32-bit link mode masks.
 *
 * Reading and parsing are apart. Every request goes through one function pointer
 * (struct he_ethtool.ioctl), so tests answer with buffers recorded from a real
 * kernel; the he_ethtool_parse_*() functions turn those raw result buffers into
 * plain values and never read past them. The name functions reproduce
 * node_exporter's SanitizeMetricName() and buildEthtoolFQName() byte for byte.
 */
#ifndef HE_ETHTOOL_H
#define HE_ETHTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ethtool.h>

/* safchain/ethtool's MAX_GSTRINGS: more statistics than this are refused. */
#define HE_ETHTOOL_MAX_STATS 32768u

/* Issues one SIOCETHTOOL request on ifname; data starts with the command word. 0 or -errno. */
typedef int (*he_ethtool_ioctl_fn)(void *ctx, const char *ifname, void *data);

struct he_ethtool {
    he_ethtool_ioctl_fn ioctl;
    void *ctx;                         /* for ioctl; the live reader keeps its socket here */
    int fd;                            /* AF_INET datagram socket of the live reader, or -1 */
    struct ethtool_gstrings *strings;  /* HE_ETHTOOL_MAX_STATS names, allocated on first use */
    struct ethtool_stats *stats;       /* HE_ETHTOOL_MAX_STATS values */
};

/* Driver strings, each cut at its first NUL as Go's goString() does. */
struct he_ethtool_drvinfo {
    char driver[ETHTOOL_FWVERS_LEN + 1];
    char version[ETHTOOL_FWVERS_LEN + 1];
    char fw_version[ETHTOOL_FWVERS_LEN + 1];
    char bus_info[ETHTOOL_BUSINFO_LEN + 1];
    char erom_version[ETHTOOL_EROMVERS_LEN + 1];
    uint32_t n_stats;
};

/* What node_exporter takes from ETHTOOL_GSET. */
struct he_ethtool_link {
    uint32_t supported;
    uint32_t advertising;
    uint8_t autoneg;
};

/*
 * A live reader: opens an AF_INET datagram socket for the ioctls. Returns 0 or a
 * negative errno. he_ethtool_init_with() sets up a reader that sends every
 * request to fn instead (tests). Buffers are allocated on first use.
 */
int he_ethtool_init(struct he_ethtool *e);
void he_ethtool_init_with(struct he_ethtool *e, he_ethtool_ioctl_fn fn, void *ctx);
void he_ethtool_fini(struct he_ethtool *e);

/* ETHTOOL_GDRVINFO for ifname. 0 or -errno (-EOPNOTSUPP: the driver has none). */
int he_ethtool_drvinfo(struct he_ethtool *e, const char *ifname, struct he_ethtool_drvinfo *out);

/* ETHTOOL_GSET for ifname. 0 or -errno. */
int he_ethtool_link(struct he_ethtool *e, const char *ifname, struct he_ethtool_link *out);

/* Called for each named statistic, in the driver's order; name is NUL-terminated. */
typedef int (*he_ethtool_stat_fn)(const char *name, uint64_t value, void *data);

/*
 * Reads ifname's statistics as safchain's Stats(): the count from
 * ETHTOOL_GDRVINFO, then names and values, calling fn for each non-empty name.
 * Returns 0, fn's error, -E2BIG for more than HE_ETHTOOL_MAX_STATS, -ENOMEM or
 * the ioctl's -errno.
 */
int he_ethtool_stats(struct he_ethtool *e, const char *ifname, he_ethtool_stat_fn fn, void *data);

/* Parsers of raw result buffers (len bytes each); -EINVAL when a buffer is short. */
int he_ethtool_parse_drvinfo(const void *buf, size_t len, struct he_ethtool_drvinfo *out);
int he_ethtool_parse_link(const void *buf, size_t len, struct he_ethtool_link *out);
/*
 * The first n entries of a GSTRINGS result (strings_len bytes, header included)
 * and a GSTATS result (stats_len bytes); entries past either buffer are not read.
 */
int he_ethtool_parse_stats(const void *strings, size_t strings_len, const void *stats,
                           size_t stats_len, uint32_t n, he_ethtool_stat_fn fn, void *data);

/*
 * node_exporter's SanitizeMetricName(): every run of "_*[^0-9A-Za-z_]+_*"
 * becomes one "_". Returns 0, or -ENAMETOOLONG when out (size bytes) is too small.
 */
int he_ethtool_sanitize(const char *name, char *out, size_t size);

/*
 * node_exporter's buildEthtoolFQName() on an already sanitized name: lower case,
 * leading "_" trimmed, "rx"/"tx" words (between "_" or the ends) spelled
 * "received"/"transmitted", prefixed "node_ethtool_". Returns 0, -ENOENT when
 * nothing is left of the name (upstream cannot build a name either) or
 * -ENAMETOOLONG.
 */
int he_ethtool_fqname(const char *sanitized, char *out, size_t size);

#endif
