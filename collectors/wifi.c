/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wifi: node_wifi_interface_frequency_hertz{device},
 * node_wifi_station_info{device,bssid,ssid,mode} and per station
 * node_wifi_station_*{device,mac_address} (connected/inactive seconds, bitrates,
 * bytes, packets, signal, retries, failures, beacon losses). Mirrors node_exporter
 * 1.12.1's collector/wifi_linux.go (log/slog era, with the packet counters of
 * node_exporter PR 3382) over mdlayher/wifi.
 *
 * With --collector.wifi.fixtures=DIR the data comes from upstream's recorded
 * JSON files, read as Go's encoding/json reads them into mdlayher/wifi's types:
 * DIR/interfaces.json ([]Interface), DIR/<name>/bss.json (BSS) and
 * DIR/<name>/stationinfo.json ([]StationInfo). Keys match field names ignoring
 * case (the last one wins), unknown keys are ignored, null leaves a field zero,
 * a wrong type or a non-integer number for an int field is an error, hardware
 * addresses are base64 strings (Go's []byte). A missing bss.json or
 * stationinfo.json skips that part, as upstream; any other problem fails the
 * scrape after what was already emitted. (Upstream would panic on a null
 * element of an array; such elements are skipped here.)
 *
 * Without fixtures the kernel is asked over generic netlink (libmnl, through
 * src/netlink.c), as mdlayher/wifi v0.6.0's client_linux.go asks it: when the
 * nl80211 family does not exist (no cfg80211) or access is refused, the
 * collector reports no data (success 0, logged at debug), as upstream's
 * ErrNoData. Otherwise an NL80211_CMD_GET_INTERFACE dump lists the interfaces
 * and, for each one with a name, NL80211_CMD_GET_SCAN gives its BSS (the scan
 * result carrying NL80211_BSS_STATUS; SSID from the information elements) and
 * NL80211_CMD_GET_STATION its stations, both requested with the interface's
 * NL80211_ATTR_IFINDEX and NL80211_ATTR_MAC. The replies are parsed by pure
 * functions into the same structs the fixture files decode to, and emitted by
 * the same code. Where mdlayher/wifi would panic on a malformed reply (an
 * attribute of the wrong size), the scrape fails instead; a NUL inside a name
 * or SSID ends the label value.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_json.h"
#include "he_log.h"
#include "he_netlink.h"
#include "he_paths.h"

static const char *wifi_fixtures_flag;

static const struct he_flag wifi_flags[] = {
    {"collector.wifi.fixtures", HE_FLAG_STRING, "",
     "test fixtures to use for wifi collector metrics", &wifi_fixtures_flag, NULL},
    {0},
};

/* The largest fixture file read (upstream reads any size; fixtures are small). */
#define WIFI_FIXTURE_MAX (4u << 20)

struct wifi_state;
struct wifi_iface;

/*
 * One nl80211 dump of cmd, for interface ifi (NULL: all), each reply handed to
 * fn. The kernel by default; the unit tests put recorded replies in its place.
 */
typedef int (*wifi_dump_fn)(struct wifi_state *s, uint8_t cmd, const struct wifi_iface *ifi,
                            he_nl_msg_fn fn, void *data);

struct wifi_state {
    struct he_nl genl;
    uint16_t family;          /* nl80211's generic netlink id, from the last probe */
    wifi_dump_fn dump;
    struct wifi_iface *ifis;  /* the interface dump, kept while its interfaces are visited */
    size_t nifis, cap_ifis;
    struct wifi_station *stas;  /* one interface's station dump */
    size_t nstas, cap_stas;
    struct he_buf text;       /* names, SSIDs and addresses of the kernel's replies */
    struct he_file file;
    struct he_json ifaces;    /* interfaces.json, kept while its interfaces are visited */
    struct he_json doc;       /* one bss.json or stationinfo.json */
    struct he_buf addr;       /* decoded hardware addresses, text form */
    struct he_buf bytes;      /* one address's bytes while it is decoded */
};

static void wifi_fini(void *state)
{
    struct wifi_state *s = state;
    he_nl_fini(&s->genl);
    he_file_fini(&s->file);
    he_json_fini(&s->ifaces);
    he_json_fini(&s->doc);
    he_buf_free(&s->addr);
    he_buf_free(&s->bytes);
    he_buf_free(&s->text);
    free(s->ifis);
    free(s->stas);
    free(s);
}

static int wifi_dump_kernel(struct wifi_state *s, uint8_t cmd, const struct wifi_iface *ifi,
                            he_nl_msg_fn fn, void *data);

static int wifi_init(void **state)
{
    struct wifi_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_nl_init_generic(&s->genl);
    he_file_init(&s->file, false, WIFI_FIXTURE_MAX);
    he_json_init(&s->ifaces);
    he_json_init(&s->doc);
    he_buf_init(&s->addr, 0);
    he_buf_init(&s->bytes, 0);
    he_buf_init(&s->text, 0);
    s->dump = wifi_dump_kernel;
    *state = s;
    return 0;
}

/* ---- Go's decoding of the fixture types ---- */

enum wifi_kind { WIFI_INT, WIFI_STRING, WIFI_HWADDR };

struct wifi_field {
    const char *name;       /* Go field name */
    enum wifi_kind kind;
    size_t offset;          /* int64_t, struct wifi_str or struct wifi_str (hwaddr text) */
};

/* A decoded string: bytes in a he_json text buffer or in wifi_state.addr. */
struct wifi_str {
    const struct he_buf *buf;
    size_t off, len;
};

/* The longest hardware address sent back to the kernel (its own are 6 bytes). */
#define WIFI_MAC_MAX 32

struct wifi_iface {
    struct wifi_str name, hwaddr;
    int64_t index, phy, device, type, frequency, channel_width;
    bool has_mac;
    uint8_t mac[WIFI_MAC_MAX];  /* the kernel's NL80211_ATTR_MAC, sent back in requests */
    size_t mac_len;
};

struct wifi_bss {
    struct wifi_str ssid, bssid;
    int64_t frequency, beacon_interval, last_seen, status, signal, signal_unspec;
};

struct wifi_station {
    struct wifi_str hwaddr;
    int64_t ifindex, signal_avg;
    int64_t connected, inactive, rx_bytes, tx_bytes, rx_packets, tx_packets, rx_bitrate,
        tx_bitrate, signal, tx_retries, tx_failed, beacon_loss;
};

#define F(type, name, kind, member) {name, kind, offsetof(type, member)}

static const struct wifi_field wifi_iface_fields[] = {
    F(struct wifi_iface, "Index", WIFI_INT, index),
    F(struct wifi_iface, "Name", WIFI_STRING, name),
    F(struct wifi_iface, "HardwareAddr", WIFI_HWADDR, hwaddr),
    F(struct wifi_iface, "PHY", WIFI_INT, phy),
    F(struct wifi_iface, "Device", WIFI_INT, device),
    F(struct wifi_iface, "Type", WIFI_INT, type),
    F(struct wifi_iface, "Frequency", WIFI_INT, frequency),
    {0},
};

static const struct wifi_field wifi_bss_fields[] = {
    F(struct wifi_bss, "SSID", WIFI_STRING, ssid),
    F(struct wifi_bss, "BSSID", WIFI_HWADDR, bssid),
    F(struct wifi_bss, "Frequency", WIFI_INT, frequency),
    F(struct wifi_bss, "BeaconInterval", WIFI_INT, beacon_interval),
    F(struct wifi_bss, "LastSeen", WIFI_INT, last_seen),
    F(struct wifi_bss, "Status", WIFI_INT, status),
    {0},
};

static const struct wifi_field wifi_station_fields[] = {
    F(struct wifi_station, "HardwareAddr", WIFI_HWADDR, hwaddr),
    F(struct wifi_station, "Connected", WIFI_INT, connected),
    F(struct wifi_station, "Inactive", WIFI_INT, inactive),
    F(struct wifi_station, "ReceivedBytes", WIFI_INT, rx_bytes),
    F(struct wifi_station, "TransmittedBytes", WIFI_INT, tx_bytes),
    F(struct wifi_station, "ReceivedPackets", WIFI_INT, rx_packets),
    F(struct wifi_station, "TransmittedPackets", WIFI_INT, tx_packets),
    F(struct wifi_station, "ReceiveBitrate", WIFI_INT, rx_bitrate),
    F(struct wifi_station, "TransmitBitrate", WIFI_INT, tx_bitrate),
    F(struct wifi_station, "Signal", WIFI_INT, signal),
    F(struct wifi_station, "TransmitRetries", WIFI_INT, tx_retries),
    F(struct wifi_station, "TransmitFailed", WIFI_INT, tx_failed),
    F(struct wifi_station, "BeaconLoss", WIFI_INT, beacon_loss),
    {0},
};

#undef F

static int wifi_b64(unsigned char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

/*
 * Go's base64.StdEncoding.Decode as encoding/json applies it to []byte: CR and LF
 * are ignored, padding is required, '=' only at the end. Bytes go to out (room
 * for len * 3 / 4). Returns the byte count or -EINVAL.
 */
static int wifi_base64(const char *in, size_t len, unsigned char *out)
{
    unsigned quad[4];
    size_t q = 0, n = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\r' || c == '\n') {
            continue;
        }
        int v = wifi_b64(c);
        if (c == '=' && q >= 2) {
            pad++;
            v = 0;
        } else if (v < 0 || pad > 0) {
            return -EINVAL;   /* a stray character, or data after the padding */
        }
        quad[q++] = (unsigned)v;
        if (q == 4) {
            unsigned bits = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3];
            out[n++] = (unsigned char)(bits >> 16);
            if (pad < 2) {
                out[n++] = (unsigned char)(bits >> 8);
            }
            if (pad < 1) {
                out[n++] = (unsigned char)bits;
            }
            q = 0;
            if (pad > 0) {
                pad = 3;   /* nothing may follow a padded quantum */
            }
        }
    }
    return q == 0 && n <= INT_MAX ? (int)n : -EINVAL;
}

/* Appends bytes as net.HardwareAddr's String() ("aa:bb:..."), NUL-terminated, into *out. */
static int wifi_put_hwaddr(struct he_buf *b, const unsigned char *bytes, size_t n,
                           struct wifi_str *out)
{
    static const char hex[] = "0123456789abcdef";
    out->buf = b;
    out->off = b->len;
    for (size_t i = 0; i < n; i++) {
        char t[3] = {':', hex[bytes[i] >> 4], hex[bytes[i] & 15]};
        int rc = i == 0 ? he_buf_append(b, t + 1, 2) : he_buf_append(b, t, 3);
        if (rc < 0) {
            return rc;
        }
    }
    out->len = b->len - out->off;
    return he_buf_putc(b, '\0');
}

/* A []byte field: a base64 string or an array of byte values; null makes it empty. */
static int wifi_decode_hwaddr(struct wifi_state *s, const struct he_json *j,
                              const struct he_json_node *v, struct wifi_str *out)
{
    struct he_buf *b = &s->bytes;
    int rc = 0;
    he_buf_reset(b);
    if (v->type == HE_JSON_STRING) {
        if ((rc = he_buf_reserve(b, v->len / 4 * 3 + 3)) < 0) {
            return rc;
        }
        rc = wifi_base64(he_json_text(j, v), v->len, (unsigned char *)b->data);
        b->len = rc > 0 ? (size_t)rc : 0;
    } else if (v->type == HE_JSON_ARRAY) {
        for (const struct he_json_node *e = he_json_node(j, v->child); e && rc >= 0;
             e = he_json_node(j, e->next)) {
            int64_t byte = 0;
            rc = e->type == HE_JSON_NULL ? 0 : he_json_int64(j, e, &byte);
            if (rc == 0 && (byte < 0 || byte > 255)) {
                rc = -EINVAL;   /* Go: number out of range for uint8 */
            }
            if (rc == 0) {
                rc = he_buf_putc(b, (char)byte);
            }
        }
    } else if (v->type != HE_JSON_NULL) {
        rc = -EINVAL;
    }
    return rc < 0 ? rc : wifi_put_hwaddr(&s->addr, (const unsigned char *)b->data, b->len, out);
}

static int wifi_decode_field(struct wifi_state *s, const struct he_json *j,
                             const struct wifi_field *f, const struct he_json_node *v, void *out)
{
    void *dst = (char *)out + f->offset;
    switch (f->kind) {
    case WIFI_INT:
        /* null leaves an int as it was; anything but an integer literal is an error */
        return v->type == HE_JSON_NULL ? 0 : he_json_int64(j, v, dst);
    case WIFI_STRING:
        if (v->type == HE_JSON_NULL) {
            return 0;
        }
        if (v->type != HE_JSON_STRING) {
            return -EINVAL;
        }
        *(struct wifi_str *)dst = (struct wifi_str){&j->text, v->text, v->len};
        return 0;
    case WIFI_HWADDR:
        return wifi_decode_hwaddr(s, j, v, dst);
    }
    return -EINVAL;
}

/*
 * Decodes object obj into out (zeroed first) by fields. Returns 0, 1 for a JSON
 * null (Go's nil pointer) or -EINVAL for any other type or a bad field.
 */
static int wifi_decode(struct wifi_state *s, const struct he_json *j,
                       const struct he_json_node *obj,
                       const struct wifi_field *fields, void *out, size_t size)
{
    memset(out, 0, size);
    for (const struct wifi_field *f = fields; f->name; f++) {
        if (f->kind != WIFI_INT) {
            *(struct wifi_str *)((char *)out + f->offset) = (struct wifi_str){&s->addr, 0, 0};
        }
    }
    if (obj->type == HE_JSON_NULL) {
        return 1;
    }
    if (obj->type != HE_JSON_OBJECT) {
        return -EINVAL;
    }
    for (const struct he_json_node *m = he_json_node(j, obj->child); m;
         m = he_json_node(j, m->next)) {
        for (const struct wifi_field *f = fields; f->name; f++) {
            if (he_json_key_is(j, m, f->name)) {
                int rc = wifi_decode_field(s, j, f, m, out);
                if (rc < 0) {
                    return rc;
                }
                break;
            }
        }
    }
    return 0;
}

static const char *wifi_cstr(const struct wifi_str *str)
{
    return str->len ? str->buf->data + str->off : "";
}

/* ---- emission, as upstream's Update ---- */

/* Go's time.Duration.Seconds(), bit for bit. */
static double wifi_seconds(int64_t ns)
{
    int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
    return (double)sec + (double)nsec / 1e9;
}

/* mdlayher/wifi's BSSStatus: authenticated (0) and associated (1) are a client. */
static const char *wifi_bss_mode(int64_t status)
{
    return status == 0 || status == 1 ? "client" : status == 2 ? "ad-hoc" : "unknown";
}

static void wifi_emit(struct he_writer *w, const char *name, const char *help,
                      enum he_metric_type type, const struct he_label *l, size_t n, double v)
{
    he_writer_family(w, name, help, type);
    he_writer_sample(w, l, n, v);
}

static void wifi_emit_frequency(struct he_writer *w, const char *device, int64_t mhz)
{
    struct he_label l[] = {{"device", device}};
    wifi_emit(w, "node_wifi_interface_frequency_hertz",
              "The current frequency a WiFi interface is operating at, in hertz.", HE_GAUGE, l, 1,
              (double)mhz * 1000 * 1000);
}

static void wifi_emit_bss(struct he_writer *w, const char *device, const struct wifi_bss *bss)
{
    struct he_label l[] = {{"device", device},
                           {"bssid", wifi_cstr(&bss->bssid)},
                           {"ssid", wifi_cstr(&bss->ssid)},
                           {"mode", wifi_bss_mode(bss->status)}};
    wifi_emit(w, "node_wifi_station_info",
              "Labeled WiFi interface station information as provided by the operating system.",
              HE_GAUGE, l, 4, 1);
}

static void wifi_emit_station(struct he_writer *w, const char *device,
                              const struct wifi_station *st)
{
    struct he_label l[] = {{"device", device}, {"mac_address", wifi_cstr(&st->hwaddr)}};
    static const struct {
        const char *name, *help;
        enum he_metric_type type;
    } m[] = {
        {"node_wifi_station_connected_seconds_total",
         "The total number of seconds a station has been connected to an access point.",
         HE_COUNTER},
        {"node_wifi_station_inactive_seconds",
         "The number of seconds since any wireless activity has occurred on a station.", HE_GAUGE},
        {"node_wifi_station_receive_bits_per_second",
         "The current WiFi receive bitrate of a station, in bits per second.", HE_GAUGE},
        {"node_wifi_station_transmit_bits_per_second",
         "The current WiFi transmit bitrate of a station, in bits per second.", HE_GAUGE},
        {"node_wifi_station_receive_bytes_total",
         "The total number of bytes received by a WiFi station.", HE_COUNTER},
        {"node_wifi_station_transmit_bytes_total",
         "The total number of bytes transmitted by a WiFi station.", HE_COUNTER},
        {"node_wifi_station_signal_dbm",
         "The current WiFi signal strength, in decibel-milliwatts (dBm).", HE_GAUGE},
        {"node_wifi_station_transmit_retries_total",
         "The total number of times a station has had to retry while sending a packet.",
         HE_COUNTER},
        {"node_wifi_station_transmit_failed_total",
         "The total number of times a station has failed to send a packet.", HE_COUNTER},
        {"node_wifi_station_beacon_loss_total",
         "The total number of times a station has detected a beacon loss.", HE_COUNTER},
        {"node_wifi_station_transmitted_packets_total",
         "The total number of packets transmitted by a station.", HE_COUNTER},
        {"node_wifi_station_received_packets_total",
         "The total number of packets received by a station.", HE_COUNTER},
    };
    double v[] = {
        wifi_seconds(st->connected), wifi_seconds(st->inactive), (double)st->rx_bitrate,
        (double)st->tx_bitrate,      (double)st->rx_bytes,       (double)st->tx_bytes,
        (double)st->signal,          (double)st->tx_retries,     (double)st->tx_failed,
        (double)st->beacon_loss,     (double)st->tx_packets,     (double)st->rx_packets,
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        wifi_emit(w, m[i].name, m[i].help, m[i].type, l, 2, v[i]);
    }
}

/* ---- the fixture files ---- */

/*
 * Reads and parses DIR/[device/]file into j. Returns 0, -ENOENT when it does not
 * exist (upstream's os.ErrNotExist), or another negative errno.
 */
static int wifi_load(struct wifi_state *s, struct he_json *j, const char *device, const char *file)
{
    char dir[PATH_MAX], path[PATH_MAX];
    int rc = 0;
    if (device) {
        rc = he_path_join(dir, sizeof(dir), wifi_fixtures_flag, device);
    } else {
        snprintf(dir, sizeof(dir), "%s", wifi_fixtures_flag);
    }
    if (rc == 0) {
        rc = he_path_join(path, sizeof(path), dir, file);
    }
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = he_json_parse(j, s->file.buf.data, s->file.buf.len);
        if (rc < 0) {
            he_log_debug("wifi: cannot decode fixture", "path", path, NULL);
            return rc == -ENOENT ? -EINVAL : rc;
        }
    }
    return rc;
}

/* bss.json of one interface: missing is skipped, anything else wrong fails. */
static int wifi_fixture_bss(struct wifi_state *s, struct he_writer *w, const char *device)
{
    struct wifi_bss bss;
    int rc = wifi_load(s, &s->doc, device, "bss.json");
    if (rc == -ENOENT) {
        he_log_debug("BSS information not found for wifi device", "name", device, NULL);
        return 0;
    }
    if (rc < 0 || (rc = wifi_decode(s, &s->doc, he_json_node(&s->doc, 0), wifi_bss_fields, &bss,
                                    sizeof(bss))) < 0) {
        he_log_debug("wifi: failed to retrieve BSS", "device", device, NULL);
        return rc;
    }
    wifi_emit_bss(w, device, &bss);
    return 0;
}

/*
 * Decodes every element of array list (or nothing for null) with fields; with w
 * set, emits each through emit. Go decodes the whole file before upstream emits
 * anything, hence a first pass without w.
 */
static int wifi_each(struct wifi_state *s, const struct he_json *j, const struct he_json_node *list,
                     const struct wifi_field *fields, void *item, size_t size,
                     int (*emit)(struct wifi_state *, struct he_writer *, const void *,
                                 const char *),
                     struct he_writer *w, const char *device)
{
    if (list->type == HE_JSON_NULL) {
        return 0;
    }
    if (list->type != HE_JSON_ARRAY) {
        return -EINVAL;   /* Go: cannot unmarshal into a slice */
    }
    for (const struct he_json_node *e = he_json_node(j, list->child); e;
         e = he_json_node(j, e->next)) {
        int rc = wifi_decode(s, j, e, fields, item, size);
        if (rc < 0) {
            return rc;
        }
        /* a null element is a nil pointer upstream dereferences; skipped here */
        if (rc == 0 && w && (rc = emit(s, w, item, device)) < 0) {
            return rc;
        }
    }
    return 0;
}

static int wifi_emit_station_item(struct wifi_state *s, struct he_writer *w, const void *item,
                                  const char *device)
{
    (void)s;
    wifi_emit_station(w, device, item);
    return 0;
}

static int wifi_fixture_stations(struct wifi_state *s, struct he_writer *w, const char *device)
{
    struct wifi_station st;
    int rc = wifi_load(s, &s->doc, device, "stationinfo.json");
    if (rc == -ENOENT) {
        he_log_debug("station information not found for wifi device", "name", device, NULL);
        return 0;
    }
    const struct he_json_node *list = NULL;
    if (rc == 0) {
        list = he_json_node(&s->doc, 0);
        rc = wifi_each(s, &s->doc, list, wifi_station_fields, &st, sizeof(st), NULL, NULL, device);
    }
    if (rc == 0) {
        rc = wifi_each(s, &s->doc, list, wifi_station_fields, &st, sizeof(st),
                       wifi_emit_station_item, w, device);
    }
    if (rc < 0) {
        he_log_debug("wifi: failed to retrieve station info", "device", device, NULL);
    }
    return rc;
}

/* One interface of interfaces.json: frequency, then its BSS and stations. */
static int wifi_fixture_iface(struct wifi_state *s, struct he_writer *w, const void *item,
                              const char *unused)
{
    const struct wifi_iface *ifi = item;
    const char *name = wifi_cstr(&ifi->name);
    (void)unused;
    if (ifi->name.len == 0) {
        return 0;   /* "Some virtual devices have no name and should be skipped." */
    }
    if (strlen(name) != ifi->name.len) {
        return -EINVAL;   /* a NUL in the name: Go's open fails with EINVAL */
    }
    wifi_emit_frequency(w, name, ifi->frequency);
    int rc = wifi_fixture_bss(s, w, name);
    if (rc < 0) {
        he_log_debug("wifi: failed to retrieve BSS for device", "device", name, NULL);
        return rc;
    }
    return wifi_fixture_stations(s, w, name);
}

static int wifi_collect_fixtures(struct wifi_state *s, struct he_writer *w)
{
    struct wifi_iface ifi;
    int rc = wifi_load(s, &s->ifaces, NULL, "interfaces.json");
    const struct he_json_node *list = NULL;
    if (rc == 0) {
        list = he_json_node(&s->ifaces, 0);
        rc = wifi_each(s, &s->ifaces, list, wifi_iface_fields, &ifi, sizeof(ifi), NULL, NULL, NULL);
    }
    if (rc < 0) {
        he_log_debug("wifi: failed to retrieve wifi interfaces", "err", strerror(-rc), NULL);
        return rc;
    }
    return wifi_each(s, &s->ifaces, list, wifi_iface_fields, &ifi, sizeof(ifi), wifi_fixture_iface,
                     w, NULL);
}

/* ---- nl80211 replies: pure parsers over one message, as mdlayher/wifi's ---- */

/* One netlink attribute: its type without the NLA_F_* bits, and its payload. */
struct wifi_attr {
    uint16_t type;
    const uint8_t *data;
    size_t len;
};

/*
 * The next attribute of the region *p (*left bytes), as mdlayher/netlink's
 * UnmarshalAttributes walks it: a header must fit and its length must fit what
 * is left; a zero length is skipped; the last attribute may lack its padding.
 * Returns 1 with *a filled, 0 at the end, -EINVAL when malformed.
 */
static int wifi_attr_next(const uint8_t **p, size_t *left, struct wifi_attr *a)
{
    for (;;) {
        if (*left == 0) {
            return 0;
        }
        struct nlattr h;
        if (*left < sizeof(h)) {
            return -EINVAL;
        }
        memcpy(&h, *p, sizeof(h));
        if (h.nla_len > *left || (h.nla_len != 0 && h.nla_len < sizeof(h))) {
            return -EINVAL;
        }
        size_t step = h.nla_len == 0 ? sizeof(h) : NLA_ALIGN(h.nla_len);
        a->type = h.nla_type & NLA_TYPE_MASK;
        a->data = *p + sizeof(h);
        a->len = h.nla_len == 0 ? 0 : h.nla_len - sizeof(h);
        *p += step < *left ? step : *left;
        *left -= step < *left ? step : *left;
        if (h.nla_len != 0) {
            return 1;
        }
    }
}

/* Checks that a whole region is well-formed attributes (Go decodes all first). */
static int wifi_attrs_valid(const uint8_t *p, size_t left)
{
    struct wifi_attr a;
    int rc;
    while ((rc = wifi_attr_next(&p, &left, &a)) > 0) {
    }
    return rc;
}

/* The attributes of a generic netlink message, after its genlmsghdr. */
static int wifi_msg_attrs(const struct nlmsghdr *nlh, const uint8_t **p, size_t *left)
{
    size_t head = NLMSG_HDRLEN + GENL_HDRLEN;
    if (nlh->nlmsg_len < head) {
        return -EINVAL;
    }
    *p = (const uint8_t *)nlh + head;
    *left = nlh->nlmsg_len - head;
    return wifi_attrs_valid(*p, *left);
}

/* nlenc.Uint8/16/32/64 panic on any other length; here that is -EINVAL. */
static int wifi_uint(const struct wifi_attr *a, size_t size, int64_t *out)
{
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    if (a->len != size) {
        return -EINVAL;
    }
    switch (size) {
    case 1: memcpy(&u8, a->data, 1); *out = u8; return 0;
    case 2: memcpy(&u16, a->data, 2); *out = u16; return 0;
    case 4: memcpy(&u32, a->data, 4); *out = u32; return 0;
    default: memcpy(&u64, a->data, 8); *out = (int64_t)u64; return 0;   /* Go's int(uint64) */
    }
}

/* int(int8(a.Data[0])): one byte at least (Go panics on an empty one). */
static int wifi_s8(const struct wifi_attr *a, int64_t *out)
{
    if (a->len < 1) {
        return -EINVAL;
    }
    *out = (int8_t)a->data[0];
    return 0;
}

/*
 * Text into b, NUL-terminated: nlenc.String drops trailing NULs; a C label value
 * ends at the first one anyway.
 */
static int wifi_put_text(struct he_buf *b, const uint8_t *p, size_t n, struct wifi_str *out)
{
    size_t len = strnlen((const char *)p, n);
    out->buf = b;
    out->off = b->len;
    out->len = len;
    int rc = he_buf_append(b, p, len);
    return rc < 0 ? rc : he_buf_putc(b, '\0');
}

/* The valid UTF-8 sequence's length at p (n > 0 bytes), as Go's utf8.DecodeRune; 0 if invalid. */
static size_t wifi_utf8_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xbf;
    size_t need;
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        lo = c == 0xe0 ? 0xa0 : lo;   /* no overlong forms */
        hi = c == 0xed ? 0x9f : hi;   /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        lo = c == 0xf0 ? 0x90 : lo;
        hi = c == 0xf4 ? 0x8f : hi;   /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }
    return need;
}

/*
 * mdlayher/wifi's decodeSSID: the bytes as UTF-8, each invalid byte replaced by
 * U+FFFD; into b, NUL-terminated (a NUL ends the label value).
 */
static int wifi_put_ssid(struct he_buf *b, const uint8_t *p, size_t n, struct wifi_str *out)
{
    out->buf = b;
    out->off = b->len;
    int rc = 0;
    for (size_t i = 0; i < n && p[i] != 0 && rc >= 0;) {
        size_t k = wifi_utf8_len(p + i, n - i);
        rc = k ? he_buf_append(b, p + i, k) : he_buf_append(b, "\xef\xbf\xbd", 3);
        i += k ? k : 1;
    }
    out->len = b->len - out->off;
    return rc < 0 ? rc : he_buf_putc(b, '\0');
}

/* parseIEs: id, length, data; a short element is an error. The last SSID (id 0) wins. */
static int wifi_parse_ies(const struct wifi_attr *a, struct he_buf *text, struct wifi_bss *out)
{
    const uint8_t *p = a->data;
    size_t left = a->len;
    while (left > 0) {
        if (left < 2 || (size_t)p[1] > left - 2) {
            return -EINVAL;
        }
        if (p[0] == 0) {
            int rc = wifi_put_ssid(text, p + 2, p[1], &out->ssid);
            if (rc < 0) {
                return rc;
            }
        }
        left -= 2 + (size_t)p[1];
        p += 2 + (size_t)p[1];
    }
    return 0;
}

/*
 * parseRateInfo: the bitrate (BITRATE32, else the 16-bit BITRATE while none is
 * set) in bits/s from units of 100 kbit/s. The one-byte MCS/NSS/GI/... fields
 * are only checked (Go's nlenc.Uint8 panics on another length).
 */
static int wifi_parse_rate(const struct wifi_attr *rate, int64_t *bitrate)
{
    const uint8_t *p = rate->data;
    size_t left = rate->len;
    struct wifi_attr a;
    int64_t v = 0, br = 0;
    int rc;
    while ((rc = wifi_attr_next(&p, &left, &a)) > 0) {
        switch (a.type) {
        case NL80211_RATE_INFO_BITRATE32:
            rc = wifi_uint(&a, 4, &br);
            break;
        case NL80211_RATE_INFO_BITRATE:
            rc = br == 0 ? wifi_uint(&a, 2, &br) : 0;
            break;
        case NL80211_RATE_INFO_MCS: case NL80211_RATE_INFO_VHT_MCS:
        case NL80211_RATE_INFO_VHT_NSS: case NL80211_RATE_INFO_HE_MCS:
        case NL80211_RATE_INFO_HE_NSS: case NL80211_RATE_INFO_HE_GI:
        case NL80211_RATE_INFO_HE_DCM: case NL80211_RATE_INFO_HE_RU_ALLOC:
        case NL80211_RATE_INFO_EHT_MCS: case NL80211_RATE_INFO_EHT_NSS:
        case NL80211_RATE_INFO_EHT_GI: case NL80211_RATE_INFO_EHT_RU_ALLOC:
            rc = wifi_uint(&a, 1, &v);
            break;
        }
        if (rc < 0) {
            return rc;
        }
    }
    *bitrate = br * 100 * 1000;
    return rc;
}

/* One attribute of NL80211_ATTR_STA_INFO into st, as StationInfo.parseAttributes. */
static int wifi_sta_attr(const struct wifi_attr *a, struct wifi_station *st)
{
    int64_t v = 0;
    int rc = 0;
    switch (a->type) {
    case NL80211_STA_INFO_CONNECTED_TIME:   /* seconds */
        rc = wifi_uint(a, 4, &v);
        st->connected = v * 1000000000;
        break;
    case NL80211_STA_INFO_INACTIVE_TIME:    /* milliseconds */
        rc = wifi_uint(a, 4, &v);
        st->inactive = v * 1000000;
        break;
    case NL80211_STA_INFO_RX_BYTES64: rc = wifi_uint(a, 8, &st->rx_bytes); break;
    case NL80211_STA_INFO_TX_BYTES64: rc = wifi_uint(a, 8, &st->tx_bytes); break;
    case NL80211_STA_INFO_SIGNAL: rc = wifi_s8(a, &st->signal); break;
    case NL80211_STA_INFO_SIGNAL_AVG: rc = wifi_s8(a, &st->signal_avg); break;
    case NL80211_STA_INFO_RX_PACKETS: rc = wifi_uint(a, 4, &st->rx_packets); break;
    case NL80211_STA_INFO_TX_PACKETS: rc = wifi_uint(a, 4, &st->tx_packets); break;
    case NL80211_STA_INFO_TX_RETRIES: rc = wifi_uint(a, 4, &st->tx_retries); break;
    case NL80211_STA_INFO_TX_FAILED: rc = wifi_uint(a, 4, &st->tx_failed); break;
    case NL80211_STA_INFO_BEACON_LOSS: rc = wifi_uint(a, 4, &st->beacon_loss); break;
    case NL80211_STA_INFO_RX_BITRATE: rc = wifi_parse_rate(a, &st->rx_bitrate); break;
    case NL80211_STA_INFO_TX_BITRATE: rc = wifi_parse_rate(a, &st->tx_bitrate); break;
    }
    /* the 32-bit byte counters only while no 64-bit one has set a value */
    if (rc == 0 && st->rx_bytes == 0 && a->type == NL80211_STA_INFO_RX_BYTES) {
        rc = wifi_uint(a, 4, &st->rx_bytes);
    }
    if (rc == 0 && st->tx_bytes == 0 && a->type == NL80211_STA_INFO_TX_BYTES) {
        rc = wifi_uint(a, 4, &st->tx_bytes);
    }
    return rc;
}

/*
 * An NL80211_CMD_NEW_STATION reply, as ParseStationInfo: attributes up to the
 * first NL80211_ATTR_STA_INFO, whose contents end the parse. Strings go to text.
 * Returns 0, -ENOENT without station info (upstream's os.ErrNotExist) or -EINVAL.
 */
static int wifi_parse_station(const struct nlmsghdr *nlh, struct he_buf *text,
                              struct wifi_station *out)
{
    const uint8_t *p;
    size_t left;
    struct wifi_attr a;
    memset(out, 0, sizeof(*out));
    out->hwaddr = (struct wifi_str){text, 0, 0};
    int rc = wifi_msg_attrs(nlh, &p, &left);
    while (rc == 0 && (rc = wifi_attr_next(&p, &left, &a)) > 0) {
        rc = 0;
        if (a.type == NL80211_ATTR_IFINDEX) {
            rc = wifi_uint(&a, 4, &out->ifindex);
        } else if (a.type == NL80211_ATTR_MAC) {
            rc = wifi_put_hwaddr(text, a.data, a.len, &out->hwaddr);
        } else if (a.type == NL80211_ATTR_STA_INFO) {
            const uint8_t *q = a.data;
            size_t n = a.len;
            struct wifi_attr b;
            if ((rc = wifi_attrs_valid(q, n)) < 0) {
                return rc;
            }
            while ((rc = wifi_attr_next(&q, &n, &b)) > 0 && (rc = wifi_sta_attr(&b, out)) == 0) {
            }
            return rc;
        }
    }
    return rc < 0 ? rc : -ENOENT;
}

/* One attribute of an NL80211_INTERFACE reply into out, as Interface.parseAttributes. */
static int wifi_iface_attr(const struct wifi_attr *a, struct he_buf *text, struct wifi_iface *out)
{
    switch (a->type) {
    case NL80211_ATTR_IFINDEX: return wifi_uint(a, 4, &out->index);
    case NL80211_ATTR_IFNAME: return wifi_put_text(text, a->data, a->len, &out->name);
    case NL80211_ATTR_MAC:
        out->has_mac = true;
        out->mac_len = a->len < sizeof(out->mac) ? a->len : sizeof(out->mac);
        memcpy(out->mac, a->data, out->mac_len);
        return wifi_put_hwaddr(text, a->data, a->len, &out->hwaddr);
    case NL80211_ATTR_WIPHY: return wifi_uint(a, 4, &out->phy);
    case NL80211_ATTR_IFTYPE: return wifi_uint(a, 4, &out->type);
    case NL80211_ATTR_WDEV: return wifi_uint(a, 8, &out->device);
    case NL80211_ATTR_WIPHY_FREQ: return wifi_uint(a, 4, &out->frequency);
    case NL80211_ATTR_CHANNEL_WIDTH: return wifi_uint(a, 4, &out->channel_width);
    }
    return 0;
}

/* An NL80211_CMD_NEW_INTERFACE reply (ParseInterfaces, one message). 0 or -EINVAL. */
static int wifi_parse_iface(const struct nlmsghdr *nlh, struct he_buf *text, struct wifi_iface *out)
{
    const uint8_t *p;
    size_t left;
    struct wifi_attr a;
    memset(out, 0, sizeof(*out));
    out->name = out->hwaddr = (struct wifi_str){text, 0, 0};
    int rc = wifi_msg_attrs(nlh, &p, &left);
    while (rc == 0 && (rc = wifi_attr_next(&p, &left, &a)) > 0) {
        rc = wifi_iface_attr(&a, text, out);
    }
    return rc;
}

/* One attribute of NL80211_ATTR_BSS into out, as BSS.parseAttributes. */
static int wifi_bss_attr(const struct wifi_attr *a, struct he_buf *text, struct wifi_bss *out)
{
    int64_t v = 0;
    int rc = 0;
    switch (a->type) {
    case NL80211_BSS_BSSID: return wifi_put_hwaddr(text, a->data, a->len, &out->bssid);
    case NL80211_BSS_FREQUENCY: return wifi_uint(a, 4, &out->frequency);
    case NL80211_BSS_BEACON_INTERVAL:   /* time units of 1024 us */
        rc = wifi_uint(a, 2, &v);
        out->beacon_interval = v * 1024 * 1000;
        return rc;
    case NL80211_BSS_SEEN_MS_AGO:
        rc = wifi_uint(a, 4, &v);
        out->last_seen = v * 1000000;
        return rc;
    case NL80211_BSS_STATUS: return wifi_uint(a, 4, &out->status);
    case NL80211_BSS_SIGNAL_MBM:
        rc = wifi_uint(a, 4, &v);
        out->signal = (int32_t)(uint32_t)v;
        return rc;
    case NL80211_BSS_SIGNAL_UNSPEC: return wifi_uint(a, 4, &out->signal_unspec);
    case NL80211_BSS_INFORMATION_ELEMENTS: return wifi_parse_ies(a, text, out);
    }
    return 0;
}

/* Whether the attribute region holds one of type (attrsContain). */
static bool wifi_attrs_have(const uint8_t *p, size_t left, uint16_t type)
{
    struct wifi_attr a;
    while (wifi_attr_next(&p, &left, &a) > 0) {
        if (a.type == type) {
            return true;
        }
    }
    return false;
}

/*
 * An NL80211_CMD_NEW_SCAN_RESULTS reply, as parseBSS for one message: the first
 * NL80211_ATTR_BSS carrying NL80211_BSS_STATUS (the BSS the interface is on).
 * Returns 0 with out filled, 1 when the message has none, or -EINVAL.
 */
static int wifi_parse_bss(const struct nlmsghdr *nlh, struct he_buf *text, struct wifi_bss *out)
{
    const uint8_t *p;
    size_t left;
    struct wifi_attr a;
    int rc = wifi_msg_attrs(nlh, &p, &left);
    while (rc == 0 && (rc = wifi_attr_next(&p, &left, &a)) > 0) {
        rc = 0;
        if (a.type != NL80211_ATTR_BSS) {
            continue;
        }
        if ((rc = wifi_attrs_valid(a.data, a.len)) < 0 ||
            !wifi_attrs_have(a.data, a.len, NL80211_BSS_STATUS)) {
            continue;
        }
        const uint8_t *q = a.data;
        size_t n = a.len;
        struct wifi_attr b;
        memset(out, 0, sizeof(*out));
        out->ssid = out->bssid = (struct wifi_str){text, 0, 0};
        while ((rc = wifi_attr_next(&q, &n, &b)) > 0 && (rc = wifi_bss_attr(&b, text, out)) == 0) {
        }
        return rc;
    }
    return rc < 0 ? rc : 1;
}

/* ---- the kernel ---- */

/*
 * The request attributes mdlayher/wifi sends for an interface's station and scan
 * dumps: NL80211_ATTR_IFINDEX, then NL80211_ATTR_MAC when the interface has one.
 * buf holds WIFI_REQ_MAX bytes. Returns the length laid out.
 */
#define WIFI_REQ_MAX (NLA_HDRLEN + 4 + NLA_HDRLEN + NLA_ALIGN(WIFI_MAC_MAX))

static size_t wifi_request_attrs(const struct wifi_iface *ifi, uint8_t *buf)
{
    struct nlattr h = {NLA_HDRLEN + 4, NL80211_ATTR_IFINDEX};
    uint32_t index = (uint32_t)ifi->index;
    memset(buf, 0, WIFI_REQ_MAX);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + NLA_HDRLEN, &index, 4);
    size_t len = NLA_HDRLEN + 4;
    if (ifi->has_mac) {
        h = (struct nlattr){(uint16_t)(NLA_HDRLEN + ifi->mac_len), NL80211_ATTR_MAC};
        memcpy(buf + len, &h, sizeof(h));
        memcpy(buf + len + NLA_HDRLEN, ifi->mac, ifi->mac_len);
        len += NLA_ALIGN(NLA_HDRLEN + ifi->mac_len);
    }
    return len;
}

static int wifi_dump_kernel(struct wifi_state *s, uint8_t cmd, const struct wifi_iface *ifi,
                            he_nl_msg_fn fn, void *data)
{
    uint8_t attrs[WIFI_REQ_MAX];
    size_t len = ifi ? wifi_request_attrs(ifi, attrs) : 0;
    return he_nl_genl_dump_attrs(&s->genl, s->family, cmd, attrs, len, fn, data);
}

static int wifi_iface_msg(const struct nlmsghdr *nlh, void *data)
{
    struct wifi_state *s = data;
    int rc = he_array_grow((void **)&s->ifis, &s->cap_ifis, s->nifis + 1, sizeof(*s->ifis));
    if (rc == 0 && (rc = wifi_parse_iface(nlh, &s->text, &s->ifis[s->nifis])) == 0) {
        s->nifis++;
    }
    return rc;
}

static int wifi_station_msg(const struct nlmsghdr *nlh, void *data)
{
    struct wifi_state *s = data;
    int rc = he_array_grow((void **)&s->stas, &s->cap_stas, s->nstas + 1, sizeof(*s->stas));
    if (rc == 0 && (rc = wifi_parse_station(nlh, &s->text, &s->stas[s->nstas])) == 0) {
        s->nstas++;
    }
    return rc;
}

struct wifi_bss_run {
    struct wifi_state *s;
    struct wifi_bss bss;
    bool found;
};

/* parseBSS: the first message with the interface's BSS ends the search. */
static int wifi_bss_msg(const struct nlmsghdr *nlh, void *data)
{
    struct wifi_bss_run *r = data;
    if (r->found) {
        return 0;
    }
    int rc = wifi_parse_bss(nlh, &r->s->text, &r->bss);
    r->found = rc == 0;
    return rc < 0 ? rc : 0;
}

/*
 * One named interface, as upstream's Update: its frequency, its BSS (none, or
 * ENOENT from the kernel, is skipped) and its stations (a reply without station
 * info, or ENOENT, skips them all). Names are looked up again after each dump:
 * the text buffer may have moved.
 */
static int wifi_nl_iface(struct wifi_state *s, struct he_writer *w, const struct wifi_iface *ifi)
{
    wifi_emit_frequency(w, wifi_cstr(&ifi->name), ifi->frequency);
    struct wifi_bss_run r = {.s = s, .found = false};
    int rc = s->dump(s, NL80211_CMD_GET_SCAN, ifi, wifi_bss_msg, &r);
    if (rc == 0 && r.found) {
        wifi_emit_bss(w, wifi_cstr(&ifi->name), &r.bss);
    } else if (rc == 0 || rc == -ENOENT) {
        he_log_debug("BSS information not found for wifi device", "name", wifi_cstr(&ifi->name),
                     NULL);
    } else {
        he_log_debug("wifi: failed to retrieve BSS for device", "device", wifi_cstr(&ifi->name),
                     "err", strerror(-rc), NULL);
        return rc;
    }
    s->nstas = 0;
    rc = s->dump(s, NL80211_CMD_GET_STATION, ifi, wifi_station_msg, s);
    if (rc == -ENOENT) {
        he_log_debug("station information not found for wifi device", "name",
                     wifi_cstr(&ifi->name), NULL);
        return 0;
    }
    if (rc < 0) {
        he_log_debug("wifi: failed to retrieve station info for device", "device",
                     wifi_cstr(&ifi->name), "err", strerror(-rc), NULL);
        return rc;
    }
    for (size_t i = 0; i < s->nstas; i++) {
        wifi_emit_station(w, wifi_cstr(&ifi->name), &s->stas[i]);
    }
    return 0;
}

/* The interface dump, then each interface with a name ("virtual devices" have none). */
static int wifi_collect_nl(struct wifi_state *s, struct he_writer *w)
{
    he_buf_reset(&s->text);
    s->nifis = 0;
    int rc = s->dump(s, NL80211_CMD_GET_INTERFACE, NULL, wifi_iface_msg, s);
    if (rc < 0) {
        he_log_debug("wifi: failed to retrieve wifi interfaces", "err", strerror(-rc), NULL);
        return rc;
    }
    for (size_t i = 0; i < s->nifis && rc == 0; i++) {
        if (s->ifis[i].name.len > 0) {
            rc = wifi_nl_iface(s, w, &s->ifis[i]);
        }
    }
    return rc;
}

/*
 * Upstream's wifi.New(): no nl80211 family (no cfg80211) or no permission is
 * ErrNoData; then the dumps.
 */
static int wifi_collect_kernel(struct wifi_state *s, struct he_writer *w)
{
    int rc = he_nl_genl_family_probe(&s->genl, "nl80211", &s->family);
    if (rc == -ENOENT) {
        he_log_debug("wifi collector metrics are not available for this system", NULL);
        return -ENODATA;
    }
    if (rc == -EPERM || rc == -EACCES) {
        he_log_debug("wifi collector got permission denied when accessing metrics", NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        he_log_debug("wifi: failed to access wifi data", "err", strerror(-rc), NULL);
        return rc;
    }
    return wifi_collect_nl(s, w);
}

static int wifi_collect(void *state, struct he_writer *w)
{
    struct wifi_state *s = state;
    he_buf_reset(&s->addr);
    if (wifi_fixtures_flag && *wifi_fixtures_flag) {
        return wifi_collect_fixtures(s, w);
    }
    return wifi_collect_kernel(s, w);
}

static const struct he_collector wifi_collector = {
    .name = "wifi",
    .default_enabled = false,
    .flags = wifi_flags,
    .init = wifi_init,
    .collect = wifi_collect,
    .fini = wifi_fini,
};

HE_COLLECTOR_REGISTER(wifi_collector);
