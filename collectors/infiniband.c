/* SPDX-License-Identifier: Apache-2.0 */
/*
 * infiniband: InfiniBand (and RoCE, Omni-Path, iWARP) ports from
 * <sysfs>/class/infiniband, as node_exporter 1.12.1's
 * collector/infiniband_linux.go (hw_counters metrics, device filter flags)
 * over prometheus/procfs's sysfs/class_infiniband.go.
 *
 * Per device: fw_ver (required), board_id and hca_type (optional), read as
 * SysReadFile. Per entry of ports/ (every one must be a number): state and
 * phys_state ("<id>: <name>"), rate ("100 Gb/sec (4X EDR)", the number parsed
 * as a float32 and times 125000000 bytes/s). Unless the device name starts
 * with "irdma" or "nvs_", every regular file of counters/ (required) and
 * counters_ext/ (optional); for "irdma" and "mlx5_" devices, of hw_counters/
 * (required). Known counters are ParseUint base 0; port_{rcv,xmit}_data and
 * their _64 forms are 4-byte words, so times 4. A file that cannot be parsed
 * but reads "N/A (no PMA)" is passed over; a missing or forbidden one too.
 * Any other problem fails the whole read, and as upstream everything is read
 * before anything is emitted, so a failure emits nothing.
 *
 * Emits node_infiniband_info{device,board_id,firmware_version,hca_type} 1,
 * state_id, physical_state_id, rate_bytes_per_second, one counter per known
 * counter present and lifespan_seconds (hw_counters/lifespan in ms, integer
 * divided by 1000), all labelled device and port.
 * --collector.infiniband.device-include/-exclude drop devices from the output
 * only (upstream filters after parsing them).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_sysread.h"

static const char *ib_include_flag;
static const char *ib_exclude_flag;

static const struct he_flag ib_flags[] = {
    {"collector.infiniband.device-include", HE_FLAG_STRING, NULL,
     "Regexp of infiniband devices to include (mutually exclusive to device-exclude).",
     &ib_include_flag, he_regex_check_flag},
    {"collector.infiniband.device-exclude", HE_FLAG_STRING, NULL,
     "Regexp of infiniband devices to exclude (mutually exclusive to device-include).",
     &ib_exclude_flag, he_regex_check_flag},
    {0},
};

struct ib_counter {
    const char *file;
    const char *name;
    const char *help;
    bool words;   /* 4-byte words: times 4 */
};

/* counters_ext/ (kernels before 4.5), then counters/. */
static const struct ib_counter ib_ext[] = {
    {"port_multicast_rcv_packets", "node_infiniband_legacy_multicast_packets_received_total",
     "Number of multicast packets received", false},
    {"port_multicast_xmit_packets", "node_infiniband_legacy_multicast_packets_transmitted_total",
     "Number of multicast packets transmitted", false},
    {"port_rcv_data_64", "node_infiniband_legacy_data_received_bytes_total",
     "Number of data octets received on all links", true},
    {"port_rcv_packets_64", "node_infiniband_legacy_packets_received_total",
     "Number of data packets received on all links", false},
    {"port_unicast_rcv_packets", "node_infiniband_legacy_unicast_packets_received_total",
     "Number of unicast packets received", false},
    {"port_unicast_xmit_packets", "node_infiniband_legacy_unicast_packets_transmitted_total",
     "Number of unicast packets transmitted", false},
    {"port_xmit_data_64", "node_infiniband_legacy_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links", true},
    {"port_xmit_packets_64", "node_infiniband_legacy_packets_transmitted_total",
     "Number of data packets received on all links", false},
};

static const struct ib_counter ib_std[] = {
    {"excessive_buffer_overrun_errors", "node_infiniband_excessive_buffer_overrun_errors_total",
     "Number of times that OverrunErrors consecutive flow control update periods occurred, each "
     "having at least one overrun error.", false},
    {"link_downed", "node_infiniband_link_downed_total",
     "Number of times the link failed to recover from an error state and went down", false},
    {"link_error_recovery", "node_infiniband_link_error_recovery_total",
     "Number of times the link successfully recovered from an error state", false},
    {"local_link_integrity_errors", "node_infiniband_local_link_integrity_errors_total",
     "Number of times that the count of local physical errors exceeded the threshold specified "
     "by LocalPhyErrors.", false},
    {"multicast_rcv_packets", "node_infiniband_multicast_packets_received_total",
     "Number of multicast packets received (including errors)", false},
    {"multicast_xmit_packets", "node_infiniband_multicast_packets_transmitted_total",
     "Number of multicast packets transmitted (including errors)", false},
    {"port_rcv_constraint_errors", "node_infiniband_port_constraint_errors_received_total",
     "Number of packets received on the switch physical port that are discarded", false},
    {"port_rcv_data", "node_infiniband_port_data_received_bytes_total",
     "Number of data octets received on all links", true},
    {"port_rcv_discards", "node_infiniband_port_discards_received_total",
     "Number of inbound packets discarded by the port because the port is down or congested",
     false},
    {"port_rcv_errors", "node_infiniband_port_errors_received_total",
     "Number of packets containing an error that were received on this port", false},
    {"port_rcv_packets", "node_infiniband_port_packets_received_total",
     "Number of packets received on all VLs by this port (including errors)", false},
    {"port_rcv_remote_physical_errors",
     "node_infiniband_port_receive_remote_physical_errors_total",
     "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.",
     false},
    {"port_rcv_switch_relay_errors", "node_infiniband_port_receive_switch_relay_errors_total",
     "Number of packets that could not be forwarded by the switch.", false},
    {"port_xmit_constraint_errors", "node_infiniband_port_constraint_errors_transmitted_total",
     "Number of packets not transmitted from the switch physical port", false},
    {"port_xmit_data", "node_infiniband_port_data_transmitted_bytes_total",
     "Number of data octets transmitted on all links", true},
    {"port_xmit_discards", "node_infiniband_port_discards_transmitted_total",
     "Number of outbound packets discarded by the port because the port is down or congested",
     false},
    {"port_xmit_packets", "node_infiniband_port_packets_transmitted_total",
     "Number of packets transmitted on all VLs from this port (including errors)", false},
    {"port_xmit_wait", "node_infiniband_port_transmit_wait_total",
     "Number of ticks during which the port had data to transmit but no data was sent during "
     "the entire tick", false},
    {"symbol_error", "node_infiniband_symbol_error_total",
     "Number of minor link errors detected on one or more physical lanes.", false},
    {"unicast_rcv_packets", "node_infiniband_unicast_packets_received_total",
     "Number of unicast packets received (including errors)", false},
    {"unicast_xmit_packets", "node_infiniband_unicast_packets_transmitted_total",
     "Number of unicast packets transmitted (including errors)", false},
    {"VL15_dropped", "node_infiniband_vl15_dropped_total",
     "Number of incoming VL15 packets dropped due to resource limitations.", false},
};

#define OFED41 " The counters was added in MLNX_OFED 4.1"
#define OFED50 " The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0"

/* hw_counters/ (mlx5 and irdma). lifespan is handled apart: it is a gauge in seconds. */
static const struct ib_counter ib_hw[] = {
    {"duplicate_request", "node_infiniband_duplicate_requests_packets_total",
     "The number of received packets. A duplicate request is a request that had been previously "
     "executed.", false},
    {"implied_nak_seq_err", "node_infiniband_implied_nak_seq_errors_total",
     "The number of time the requested decided an ACK. with a PSN larger than the expected PSN "
     "for an RDMA read or response.", false},
    {"local_ack_timeout_err", "node_infiniband_local_ack_timeout_errors_total",
     "The number of times QP's ack timer expired for RC, XRC, DCT QPs at the sender side. The QP "
     "retry limit was not exceed, therefore it is still recoverable error.", false},
    {"np_cnp_sent", "node_infiniband_np_cnp_packets_sent_total",
     "The number of CNP packets sent by the Notification Point when it noticed congestion "
     "experienced in the RoCEv2 IP header (ECN bits)." OFED41, false},
    {"np_ecn_marked_roce_packets", "node_infiniband_np_ecn_marked_roce_packets_received_total",
     "The number of RoCEv2 packets received by the notification point which were marked for "
     "experiencing the congestion (ECN bits where '11' on the ingress RoCE traffic) ." OFED41,
     false},
    {"out_of_buffer", "node_infiniband_out_of_buffer_drops_total",
     "The number of drops occurred due to lack of WQE for the associated QPs.", false},
    {"out_of_sequence", "node_infiniband_out_of_sequence_packets_received_total",
     "The number of out of sequence packets received.", false},
    {"packet_seq_err", "node_infiniband_packet_sequence_errors_total",
     "The number of received NAK sequence error packets. The QP retry limit was not exceeded.",
     false},
    {"req_cqe_error", "node_infiniband_req_cqes_errors_total",
     "The number of times requester detected CQEs completed with errors." OFED41, false},
    {"req_cqe_flush_error", "node_infiniband_req_cqes_flush_errors_total",
     "The number of times requester detected CQEs completed with flushed errors." OFED41, false},
    {"req_remote_access_errors", "node_infiniband_req_remote_access_errors_total",
     "The number of times requester detected remote access errors." OFED41, false},
    {"req_remote_invalid_request", "node_infiniband_req_remote_invalid_request_errors_total",
     "The number of times requester detected remote invalid request errors." OFED41, false},
    {"resp_cqe_error", "node_infiniband_resp_cqes_errors_total",
     "The number of times responder detected CQEs completed with errors." OFED41, false},
    {"resp_cqe_flush_error", "node_infiniband_resp_cqes_flush_errors_total",
     "The number of times responder detected CQEs completed with flushed errors." OFED41, false},
    {"resp_local_length_error", "node_infiniband_resp_local_length_errors_total",
     "The number of times responder detected local length errors." OFED41, false},
    {"resp_remote_access_errors", "node_infiniband_resp_remote_access_errors_total",
     "The number of times responder detected remote access errors." OFED41, false},
    {"rnr_nak_retry_err", "node_infiniband_rnr_nak_retry_packets_received_total",
     "The number of received RNR NAK packets. The QP retry limit was not exceeded.", false},
    {"roce_adp_retrans", "node_infiniband_roce_adp_retransmits_total",
     "The number of adaptive retransmissions for RoCE traffic." OFED50, false},
    {"roce_adp_retrans_to", "node_infiniband_roce_adp_retransmits_timeout_total",
     "The number of times RoCE traffic reached timeout due to adaptive retransmission." OFED50,
     false},
    {"roce_slow_restart", "node_infiniband_roce_slow_restart_used_total",
     "The number of times RoCE slow restart was used." OFED50, false},
    {"roce_slow_restart_cnps", "node_infiniband_roce_slow_restart_cnps_total",
     "The number of times RoCE slow restart generated CNP packets." OFED50, false},
    {"roce_slow_restart_trans", "node_infiniband_roce_slow_restart_total",
     "The number of times RoCE slow restart changed state to slow restart." OFED50, false},
    {"rp_cnp_handled", "node_infiniband_rp_cnp_packets_handled_total",
     "The number of CNP packets handled by the Reaction Point HCA to throttle the transmission "
     "rate." OFED41, false},
    {"rp_cnp_ignored", "node_infiniband_rp_cnp_ignored_packets_received_total",
     "The number of CNP packets received and ignored by the Reaction Point HCA. This counter "
     "should not raise if RoCE Congestion Control was enabled in the network. If this counter "
     "raise, verify that ECN was enabled on the adapter.", false},
    {"rx_atomic_requests", "node_infiniband_rx_atomic_requests_total",
     "The number of received ATOMIC request for the associated QPs.", false},
    {"rx_dct_connect", "node_infiniband_rx_dct_connect_requests_total",
     "The number of received connection requests for the associated DCTs.", false},
    {"rx_icrc_encapsulated", "node_infiniband_rx_icrc_encapsulated_errors_total",
     "The number of RoCE packets with ICRC errors. This counter was added in MLNX_OFED 4.4 and "
     "kernel 4.19", false},
    {"rx_read_requests", "node_infiniband_rx_read_requests_total",
     "The number of received READ requests for the associated QPs.", false},
    {"rx_write_requests", "node_infiniband_rx_write_requests_total",
     "The number of received WRITE requests for the associated QPs.", false},
    {"lifespan", "node_infiniband_lifespan_seconds",
     "The maximum period in ms which defines the aging of the counter reads. Two consecutive "
     "reads within this period might return the same values.", false},
};

#define N_EXT (sizeof(ib_ext) / sizeof(ib_ext[0]))
#define N_STD (sizeof(ib_std) / sizeof(ib_std[0]))
#define N_HW (sizeof(ib_hw) / sizeof(ib_hw[0]))
#define HW_LIFESPAN (N_HW - 1)

/* One value slot per known counter: counters_ext, counters, hw_counters. */
#define N_SLOTS (N_EXT + N_STD + N_HW)

struct ib_port {
    size_t dev;          /* index into devs */
    uint32_t num;
    uint32_t state, phys;
    uint64_t rate;
    bool has[N_SLOTS];
    uint64_t v[N_SLOTS];
};

struct ib_dev {
    char name[NAME_MAX + 1];
    char fw[HE_SYSREAD_MAX + 1];
    char board[HE_SYSREAD_MAX + 1];
    char hca[HE_SYSREAD_MAX + 1];
};

struct ib_state {
    struct he_filter filter;
    struct he_dir class_dir, ports_dir, files_dir;
    struct he_file file;     /* state, phys_state, rate */
    struct ib_dev *devs;
    size_t ndev, devcap;
    struct ib_port *ports;
    size_t nport, portcap;
};

static bool ib_prefixed(const char *name, const char *prefix)
{
    return strncmp(name, prefix, strlen(prefix)) == 0;
}

/*
 * Go's float64 -> uint64 conversion as amd64 performs it, for rates that are
 * negative, NaN or too large (upstream converts without checking).
 */
static uint64_t ib_go_f64_to_u64(double x)
{
    const double two63 = 9223372036854775808.0;
    if (isnan(x)) {
        return UINT64_C(0x8000000000000000);
    }
    if (x < two63) {
        if (x <= -two63) {
            return UINT64_C(0x8000000000000000);
        }
        return (uint64_t)(int64_t)x;
    }
    double y = x - two63;
    uint64_t t = y < two63 ? (uint64_t)(int64_t)y : UINT64_C(0x8000000000000000);
    return t ^ UINT64_C(0x8000000000000000);
}

/* A decimal float as Go's syntax writes one: [+-]digits[.digits][(e|E)[+-]digits]. */
static bool ib_decimal_ok(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') {
        i++;
    }
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        digits++;
    }
    if (s[i] == '.') {
        for (i++; s[i] >= '0' && s[i] <= '9'; i++) {
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-') {
            i++;
        }
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        while (s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    return s[i] == '\0';
}

/* Go's special float words ParseFloat takes, with an optional sign. */
static bool ib_special_ok(const char *s)
{
    if (*s == '+' || *s == '-') {
        s++;
    }
    return strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0 ||
           (strcasecmp(s, "nan") == 0 && s[-1] != '+' && s[-1] != '-');
}

/*
 * parseRate: the text up to the first space, Go-trimmed, as ParseFloat(_, 32),
 * times 125000000 (Gb/s -> bytes/s). Hex floats and '_' separators, which Go
 * would also take, are refused; no kernel prints them. 0 or -EINVAL.
 */
static int ib_parse_rate(const char *text, size_t len, uint64_t *out)
{
    const char *sp = memchr(text, ' ', len);
    if (!sp) {
        return -EINVAL;
    }
    struct he_field f = he_go_trim_space((struct he_field){text, (size_t)(sp - text)});
    char num[64];
    if (f.len == 0 || f.len >= sizeof(num)) {
        return -EINVAL;
    }
    memcpy(num, f.p, f.len);
    num[f.len] = '\0';
    if (!ib_decimal_ok(num) && !ib_special_ok(num)) {
        return -EINVAL;
    }
    errno = 0;
    float v = strtof(num, NULL);
    if (errno == ERANGE && isinf(v)) {
        return -EINVAL; /* Go: ErrRange beyond float32 */
    }
    *out = ib_go_f64_to_u64((double)v * 125000000);
    return 0;
}

/* parseState: "<id>: <name>", exactly one ':', the id a base-10 uint32. */
static int ib_parse_state(const char *text, size_t len, uint32_t *out)
{
    const char *colon = memchr(text, ':', len);
    if (!colon || memchr(colon + 1, ':', len - (size_t)(colon + 1 - text))) {
        return -EINVAL;
    }
    uint64_t v;
    struct he_field f = he_go_trim_space((struct he_field){text, (size_t)(colon - text)});
    if (he_parse_u64(f, &v) < 0 || v > UINT32_MAX) {
        return -EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Reads <sysfs>/<rel>/<name> whole (os.ReadFile) into s->file. */
static int ib_read_whole(struct ib_state *s, const char *rel, const char *name)
{
    char path[PATH_MAX];
    int rc = he_sysread_path(path, rel, name);
    return rc < 0 ? rc : he_file_read(&s->file, path);
}

/* The port's state, phys_state and rate. */
static int ib_read_port_attrs(struct ib_state *s, const char *rel, struct ib_port *p)
{
    int rc = ib_read_whole(s, rel, "state");
    if (rc == 0) {
        rc = ib_parse_state(s->file.buf.data, s->file.buf.len, &p->state);
    }
    if (rc == 0) {
        rc = ib_read_whole(s, rel, "phys_state");
    }
    if (rc == 0) {
        rc = ib_parse_state(s->file.buf.data, s->file.buf.len, &p->phys);
    }
    if (rc == 0) {
        rc = ib_read_whole(s, rel, "rate");
    }
    if (rc == 0) {
        rc = ib_parse_rate(s->file.buf.data, s->file.buf.len, &p->rate);
    }
    return rc;
}

/*
 * One file of a counter directory: a known counter is stored in slot base + i.
 * Files that are not regular, vanish, are forbidden or unsupported, and
 * unparsable ones reading "N/A (no PMA)", are passed over. 0 or negative errno.
 */
static int ib_read_counter(const char *dir, const char *file, const struct ib_counter *tab,
                           size_t n, size_t base, struct ib_port *p)
{
    char path[PATH_MAX];
    char val[HE_SYSREAD_MAX + 1];
    struct stat st;
    int rc = he_sysread_path(path, dir, file);
    if (rc < 0) {
        return rc;
    }
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
        return 0; /* DirEntry.Type().IsRegular() */
    }
    rc = he_sysread(path, val);
    if (rc == -ENOENT || rc == -EACCES || rc == -EPERM || rc == -EOPNOTSUPP) {
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(file, tab[i].file) != 0) {
            continue;
        }
        uint64_t v;
        if (he_parse_u64_base0((struct he_field){val, (size_t)rc}, &v) < 0) {
            return strstr(val, "N/A (no PMA)") ? 0 : -EINVAL;
        }
        p->v[base + i] = tab[i].words ? v * 4 : v; /* wraps like Go's uint64 */
        p->has[base + i] = true;
    }
    return 0;
}

/* Every file of <rel>/<sub>; a missing directory is -ENOENT unless optional. */
static int ib_read_counters(struct ib_state *s, const char *rel, const char *sub,
                            const struct ib_counter *tab, size_t n, size_t base,
                            bool optional, struct ib_port *p)
{
    char dir[PATH_MAX];
    char path[PATH_MAX];
    if (snprintf(dir, sizeof(dir), "%s/%s", rel, sub) >= (int)sizeof(dir)) {
        return -ENAMETOOLONG;
    }
    int rc = he_sysread_path(path, dir, NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->files_dir, path);
    }
    if (rc == -ENOENT && optional) {
        return 0;
    }
    for (size_t i = 0; rc == 0 && i < s->files_dir.n; i++) {
        rc = ib_read_counter(dir, he_dir_name(&s->files_dir, i), tab, n, base, p);
    }
    return rc;
}

/* parseInfiniBandPort for class/infiniband/<dev>/ports/<name>. */
static int ib_read_port(struct ib_state *s, size_t dev, const char *name)
{
    const char *dname = s->devs[dev].name;
    char rel[PATH_MAX];
    uint64_t num;
    if (he_parse_u64((struct he_field){name, strlen(name)}, &num) < 0 || num > UINT32_MAX) {
        return -EINVAL;
    }
    if (snprintf(rel, sizeof(rel), "class/infiniband/%s/ports/%s", dname, name) >=
        (int)sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    if (he_array_grow((void **)&s->ports, &s->portcap, s->nport + 1, sizeof(*s->ports)) < 0) {
        return -ENOMEM;
    }
    struct ib_port *p = &s->ports[s->nport];
    memset(p, 0, sizeof(*p));
    p->dev = dev;
    p->num = (uint32_t)num;
    int rc = ib_read_port_attrs(s, rel, p);
    /* irdma (Intel) and nvs_ devices have no counters/ directory. */
    if (rc == 0 && !ib_prefixed(dname, "irdma") && !ib_prefixed(dname, "nvs_")) {
        rc = ib_read_counters(s, rel, "counters", ib_std, N_STD, N_EXT, false, p);
        if (rc == 0) {
            rc = ib_read_counters(s, rel, "counters_ext", ib_ext, N_EXT, 0, true, p);
        }
    }
    if (rc == 0 && (ib_prefixed(dname, "irdma") || ib_prefixed(dname, "mlx5_"))) {
        rc = ib_read_counters(s, rel, "hw_counters", ib_hw, N_HW, N_EXT + N_STD, false, p);
    }
    if (rc == 0) {
        s->nport++;
    }
    return rc;
}

/* Ports are a map by number upstream: of "1" and "01" the later listed wins. */
static void ib_dedup_ports(struct ib_state *s, size_t first)
{
    size_t out = first;
    for (size_t i = first; i < s->nport; i++) {
        bool later = false;
        for (size_t j = i + 1; j < s->nport && !later; j++) {
            later = s->ports[j].num == s->ports[i].num;
        }
        if (!later) {
            s->ports[out++] = s->ports[i];
        }
    }
    s->nport = out;
}

/* board_id and hca_type: optional (missing reads as ""), other errors fail. */
static int ib_read_optional(const char *rel, const char *name, char out[HE_SYSREAD_MAX + 1])
{
    char path[PATH_MAX];
    int rc = he_sysread_path(path, rel, name);
    if (rc == 0) {
        rc = he_sysread(path, out);
    }
    if (rc == -ENOENT) {
        out[0] = '\0';
        return 0;
    }
    return rc < 0 ? rc : 0;
}

/* parseInfiniBandDevice for class/infiniband/<name>. */
static int ib_read_device(struct ib_state *s, const char *name)
{
    char rel[PATH_MAX];
    char path[PATH_MAX];
    if (snprintf(rel, sizeof(rel), "class/infiniband/%s", name) >= (int)sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    if (he_array_grow((void **)&s->devs, &s->devcap, s->ndev + 1, sizeof(*s->devs)) < 0) {
        return -ENOMEM;
    }
    struct ib_dev *d = &s->devs[s->ndev];
    snprintf(d->name, sizeof(d->name), "%s", name);
    int rc = he_sysread_path(path, rel, "fw_ver");
    if (rc == 0) {
        rc = he_sysread(path, d->fw);  /* every driver has it since Linux 4.10 */
    }
    if (rc >= 0) {
        rc = ib_read_optional(rel, "board_id", d->board);
    }
    if (rc == 0) {
        rc = ib_read_optional(rel, "hca_type", d->hca);
    }
    if (rc == 0) {
        strcat(rel, "/ports");
        rc = he_sysread_path(path, rel, NULL);
    }
    if (rc == 0) {
        rc = he_dir_read(&s->ports_dir, path);
    }
    size_t first = s->nport;
    for (size_t i = 0; rc == 0 && i < s->ports_dir.n; i++) {
        rc = ib_read_port(s, s->ndev, he_dir_name(&s->ports_dir, i));
    }
    if (rc == 0) {
        ib_dedup_ports(s, first);
        s->ndev++;
    }
    return rc;
}

static void ib_emit_port(const struct ib_state *s, const struct ib_port *p, struct he_writer *w)
{
    char port[16];
    snprintf(port, sizeof(port), "%u", p->num);
    const struct he_label l[2] = {{"device", s->devs[p->dev].name}, {"port", port}};
    he_writer_family(w, "node_infiniband_state_id",
                     "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, "
                     "4: active, 5: act defer)", HE_GAUGE);
    he_writer_sample(w, l, 2, p->state);
    he_writer_family(w, "node_infiniband_physical_state_id",
                     "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, "
                     "3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, p->phys);
    he_writer_family(w, "node_infiniband_rate_bytes_per_second", "Maximum signal transfer rate",
                     HE_GAUGE);
    he_writer_sample(w, l, 2, (double)p->rate);
    for (size_t i = 0; i < N_SLOTS; i++) {
        if (!p->has[i]) {
            continue;
        }
        const struct ib_counter *c = i < N_EXT             ? &ib_ext[i]
                                     : i < N_EXT + N_STD ? &ib_std[i - N_EXT]
                                                         : &ib_hw[i - N_EXT - N_STD];
        bool lifespan = i == N_EXT + N_STD + HW_LIFESPAN;
        he_writer_family(w, c->name, c->help, lifespan ? HE_GAUGE : HE_COUNTER);
        he_writer_sample(w, l, 2, lifespan ? (double)(p->v[i] / 1000) : (double)p->v[i]);
    }
}

static void ib_emit(struct ib_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->ndev; i++) {
        const struct ib_dev *d = &s->devs[i];
        if (he_filter_ignored(&s->filter, d->name)) {
            continue;
        }
        const struct he_label l[4] = {{"device", d->name},
                                      {"board_id", d->board},
                                      {"firmware_version", d->fw},
                                      {"hca_type", d->hca}};
        he_writer_family(w, "node_infiniband_info",
                         "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                         HE_GAUGE);
        he_writer_sample(w, l, 4, 1);
        for (size_t j = 0; j < s->nport; j++) {
            if (s->ports[j].dev == i) {
                ib_emit_port(s, &s->ports[j], w);
            }
        }
    }
}

static int ib_collect(void *state, struct he_writer *w)
{
    struct ib_state *s = state;
    char path[PATH_MAX];
    s->ndev = 0;
    s->nport = 0;
    int rc = he_sysread_path(path, "class/infiniband", NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->class_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->class_dir.n; i++) {
        rc = ib_read_device(s, he_dir_name(&s->class_dir, i));
    }
    if (rc < 0) {
        he_log_debug("infiniband: cannot read InfiniBand class info", "path", path, NULL);
        /* errors.Is(err, os.ErrNotExist): no data rather than a failure */
        return rc == -ENOENT ? -ENODATA : rc;
    }
    ib_emit(s, w);
    return 0;
}

static int ib_init(void **state)
{
    struct ib_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    char err[256];
    /* As arp's: both patterns at once are not refused; either can drop a name. */
    if (he_filter_init(&s->filter, ib_include_flag, ib_exclude_flag, err, sizeof(err)) < 0) {
        he_log_error("infiniband: bad device filter", "err", err, NULL);
        free(s);
        return -EINVAL;
    }
    he_dir_init(&s->class_dir);
    he_dir_init(&s->ports_dir);
    he_dir_init(&s->files_dir);
    he_file_init(&s->file, false, 0);
    *state = s;
    return 0;
}

static void ib_fini(void *state)
{
    struct ib_state *s = state;
    he_filter_free(&s->filter);
    he_dir_fini(&s->class_dir);
    he_dir_fini(&s->ports_dir);
    he_dir_fini(&s->files_dir);
    he_file_fini(&s->file);
    free(s->devs);
    free(s->ports);
    free(s);
}

static const struct he_collector infiniband_collector = {
    .name = "infiniband",
    .default_enabled = true,
    .flags = ib_flags,
    .init = ib_init,
    .collect = ib_collect,
    .fini = ib_fini,
};

HE_COLLECTOR_REGISTER(infiniband_collector)
