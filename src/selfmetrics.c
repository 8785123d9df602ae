/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exporter's own metrics, named and described as client_golang's process
 * collector and promhttp write them, plus host_exporter_build_info and push
 * mode's host_exporter_push_*.
 *
 * These describe this process, not the monitored host, so they read the real
 * /proc/self whatever --path.procfs says (client_golang does the same). Reads:
 * /proc/self/stat, /proc/self/fd, /proc/self/net/netstat, /proc/stat (btime,
 * once). The process is a singleton, so its reusable file buffers are too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "he_file.h"
#include "he_parse.h"
#include "he_scrape.h"
#include "version.h"

struct process_files {
    bool ready;
    struct he_file stat;
    struct he_file netstat;
    double boot_time;   /* seconds since the epoch; 0 if unknown */
};

static struct process_files files;

/* The stat fields after the command name, which may itself hold spaces and ')'. */
struct self_stat {
    double utime_ticks, stime_ticks, start_ticks, vsize, rss_pages;
};

static int parse_self_stat(const char *text, size_t len, struct self_stat *out)
{
    const char *close = memrchr(text, ')', len);
    if (!close) {
        return -EINVAL;
    }
    struct he_field rest = {close + 1, len - (size_t)(close + 1 - text)};
    struct he_field f[24];
    /* After ")": state is field 3 of proc(5); utime 14, stime 15, starttime 22, vsize 23, rss 24. */
    if (he_split_fields(rest, f, 24) < 22) {
        return -EINVAL;
    }
    double v[5];
    const int idx[5] = {11, 12, 19, 20, 21};
    for (int i = 0; i < 5; i++) {
        if (he_parse_double(f[idx[i]], &v[i]) < 0) {
            return -EINVAL;
        }
    }
    *out = (struct self_stat){v[0], v[1], v[2], v[3], v[4]};
    return 0;
}

static double read_boot_time(void)
{
    struct he_file f;
    he_file_init(&f, false, 0);
    double btime = 0;
    if (he_file_read(&f, "/proc/stat") == 0) {
        struct he_lines it;
        struct he_field line;
        he_lines_init(&it, f.buf.data, f.buf.len);
        while (he_lines_next(&it, &line)) {
            struct he_field kv[2];
            if (he_split_fields(line, kv, 2) == 2 && he_field_eq(kv[0], "btime")) {
                he_parse_double(kv[1], &btime);
                break;
            }
        }
    }
    he_file_fini(&f);
    return btime;
}

/* Counts /proc/self/fd entries with getdents64 into a stack buffer: no allocation. */
static int count_open_fds(void)
{
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        return -errno;
    }
    char buf[4096];
    int count = 0;
    long n;
    while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) {
                count++;
            }
            off += d->d_reclen;
        }
    }
    close(dir);
    return n < 0 ? -EIO : count;
}

/* InOctets/OutOctets of the IpExt table in /proc/self/net/netstat. */
static int read_network_octets(double *in, double *out)
{
    if (he_file_read(&files.netstat, "/proc/self/net/netstat") < 0) {
        return -EIO;
    }
    struct he_lines it;
    struct he_field header, values;
    he_lines_init(&it, files.netstat.buf.data, files.netstat.buf.len);
    while (he_lines_next(&it, &header)) {
        if (header.len < 6 || memcmp(header.p, "IpExt:", 6) != 0 || !he_lines_next(&it, &values)) {
            continue;
        }
        struct he_field names[64], nums[64];
        size_t nn = he_split_fields(header, names, 64);
        size_t nv = he_split_fields(values, nums, 64);
        int found = 0;
        for (size_t i = 1; i < nn && i < nv && i < 64; i++) {
            if (he_field_eq(names[i], "InOctets")) {
                found += he_parse_double(nums[i], in) == 0;
            } else if (he_field_eq(names[i], "OutOctets")) {
                found += he_parse_double(nums[i], out) == 0;
            }
        }
        return found == 2 ? 0 : -EINVAL;
    }
    return -ENODATA;
}

static void emit(struct he_writer *w, const char *name, const char *help,
                 enum he_metric_type type, double v)
{
    he_writer_family(w, name, help, type);
    he_writer_value(w, v);
}

static void emit_limits(struct he_writer *w)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        emit(w, "process_max_fds", "Maximum number of open file descriptors.", HE_GAUGE,
             (double)rl.rlim_cur);
    }
    if (getrlimit(RLIMIT_AS, &rl) == 0) {
        emit(w, "process_virtual_memory_max_bytes",
             "Maximum amount of virtual memory available in bytes.", HE_GAUGE,
             (double)rl.rlim_cur);
    }
}

static void emit_stat(struct he_writer *w)
{
    struct self_stat st;
    if (he_file_read(&files.stat, "/proc/self/stat") < 0 ||
        parse_self_stat(files.stat.buf.data, files.stat.buf.len, &st) < 0) {
        return;
    }
    double hz = (double)sysconf(_SC_CLK_TCK);
    double page = (double)sysconf(_SC_PAGESIZE);
    emit(w, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
         HE_COUNTER, (st.utime_ticks + st.stime_ticks) / hz);
    emit(w, "process_resident_memory_bytes", "Resident memory size in bytes.", HE_GAUGE,
         st.rss_pages * page);
    emit(w, "process_virtual_memory_bytes", "Virtual memory size in bytes.", HE_GAUGE, st.vsize);
    if (files.boot_time > 0) {
        emit(w, "process_start_time_seconds",
             "Start time of the process since unix epoch in seconds.", HE_GAUGE,
             files.boot_time + st.start_ticks / hz);
    }
}

void he_selfmetrics_process(struct he_writer *w)
{
    if (!files.ready) {
        he_file_init(&files.stat, true, 0);
        he_file_init(&files.netstat, true, 0);
        files.boot_time = read_boot_time();
        files.ready = true;
    }
    emit_stat(w);
    emit_limits(w);
    int fds = count_open_fds();
    if (fds >= 0) {
        emit(w, "process_open_fds", "Number of open file descriptors.", HE_GAUGE, fds);
    }
    double in, out;
    if (read_network_octets(&in, &out) == 0) {
        emit(w, "process_network_receive_bytes_total",
             "Number of bytes received by the process over the network.", HE_COUNTER, in);
        emit(w, "process_network_transmit_bytes_total",
             "Number of bytes sent by the process over the network.", HE_COUNTER, out);
    }
}

static void emit_labeled(struct he_writer *w, const char *label, const char *value, double v)
{
    struct he_label l = {label, value};
    he_writer_sample(w, &l, 1, v);
}

void he_selfmetrics_handler(struct he_writer *w, const struct he_handler_stats *s)
{
    he_writer_family(w, "promhttp_metric_handler_errors_total",
                     "Total number of internal errors encountered by the promhttp metric handler.",
                     HE_COUNTER);
    emit_labeled(w, "cause", "encoding", (double)s->errors_encoding);
    emit_labeled(w, "cause", "gathering", (double)s->errors_gathering);
    emit(w, "promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.",
         HE_GAUGE, s->in_flight);
    he_writer_family(w, "promhttp_metric_handler_requests_total",
                     "Total number of scrapes by HTTP status code.", HE_COUNTER);
    emit_labeled(w, "code", "200", (double)s->requests_200);
    emit_labeled(w, "code", "500", (double)s->requests_500);
    emit_labeled(w, "code", "503", (double)s->requests_503);
}

void he_selfmetrics_push(struct he_writer *w, const struct he_push_stats *s)
{
    static const char *const reasons[HE_PUSH_NREASONS] = {
        [HE_PUSH_CONNECT] = "connect",   [HE_PUSH_TIMEOUT] = "timeout",
        [HE_PUSH_TLS] = "tls",           [HE_PUSH_HTTP_4XX] = "http_4xx",
        [HE_PUSH_HTTP_5XX] = "http_5xx",
    };
    he_writer_family(w, "host_exporter_push_failures_total",
                     "Total number of failed pushes to the Pushgateway by reason.", HE_COUNTER);
    for (int i = 0; i < HE_PUSH_NREASONS; i++) {
        emit_labeled(w, "reason", reasons[i], (double)s->failures[i]);
    }
    emit(w, "host_exporter_push_last_success_timestamp_seconds",
         "Unix time of the last push the Pushgateway accepted, 0 before the first.", HE_GAUGE,
         s->last_success);
}

/* HE_VCS_INFO is "revision|branch", from git at build time. */
void he_selfmetrics_build_info(struct he_writer *w)
{
    char revision[64] = "unknown";
    const char *branch = "unknown";
    const char *bar = strchr(HE_VCS_INFO, '|');
    if (bar && (size_t)(bar - HE_VCS_INFO) < sizeof(revision)) {
        memcpy(revision, HE_VCS_INFO, (size_t)(bar - HE_VCS_INFO));
        revision[bar - HE_VCS_INFO] = '\0';
        branch = bar + 1;
    }
    const struct he_label labels[] = {
        {"branch", branch},
        {"revision", revision},
        {"version", HE_VERSION},
    };
    he_writer_family(w, "host_exporter_build_info",
                     "A metric with a constant '1' value labeled by version, revision and branch "
                     "from which host_exporter was built.",
                     HE_GAUGE);
    he_writer_sample(w, labels, 3, 1);
}
