/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selinux: node_selinux_enabled, and when it is 1 also node_selinux_config_mode
 * and node_selinux_current_mode (1 enforcing, 0 permissive, -1 disabled or
 * unknown). Mirrors node_exporter 1.12's collector/selinux_linux.go, which asks
 * the go-selinux library:
 *   enabled  a read-write selinuxfs is mounted at /sys/fs/selinux and the
 *            process label (/proc/thread-self/attr/current, one trailing NUL
 *            dropped) is not "kernel", which it is until a policy is loaded;
 *   current  /sys/fs/selinux/enforce as a whole through strconv.Atoi, -1 when
 *            unreadable or not a number (the kernel writes "1" or "0", no newline);
 *   config   the first line of /etc/selinux/config whose text before '=' is
 *            exactly SELINUX, with '"' trimmed from the value: "enforcing" 1,
 *            "permissive" 0, anything else or no file -1.
 * Upstream reads those fixed paths; here they are <sysfs>/fs/selinux,
 * <procfs>/self/attr/current (collectors run on the main thread, whose
 * thread-self is self) and <rootfs>/etc/selinux/config, so a fixture tree can
 * stand for an enforcing host. As a fixture directory is no selinuxfs, a
 * directory of another type counts as mounted when it holds an enforce file
 * (a real empty mount point does not). With SELinux absent only
 * node_selinux_enabled 0 is exported, as upstream.
 *
 * Differences: go-selinux decides "enabled" once per process and, when
 * /sys/fs/selinux is not it, also looks for a selinuxfs mounted elsewhere (the
 * pre-3.0 /selinux); this collector decides on every scrape and looks at
 * <sysfs>/fs/selinux only.
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_parse_go.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

#define SELINUX_MAX_LINE 65536   /* bufio.Scanner stops at a line this long */

struct selinux_state {
    struct he_file file;
};

static int selinux_init(void **state)
{
    struct selinux_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    *state = s;
    return 0;
}

static void selinux_fini(void *state)
{
    struct selinux_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* True when selinuxfs is usable at dir: read-write if real, holding enforce if a fixture. */
static bool selinux_mounted(const char *dir, const char *enforce)
{
    struct statfs st;
    if (statfs(dir, &st) < 0) {
        return false;
    }
    if ((uint32_t)st.f_type == (uint32_t)SELINUX_MAGIC) {
        return (st.f_flags & ST_RDONLY) == 0;
    }
    return access(enforce, F_OK) == 0;
}

/* False only when the process label reads "kernel": SELinux without a policy. */
static bool selinux_policy_loaded(struct selinux_state *s)
{
    char path[4096];
    if (he_path_proc(path, sizeof(path), "self/attr/current") < 0 ||
        he_file_read(&s->file, path) < 0) {
        return true; /* go-selinux: an unreadable label is not "kernel" */
    }
    size_t n = s->file.buf.len;
    if (n > 0 && s->file.buf.data[n - 1] == '\0') {
        n--;
    }
    return !(n == 6 && memcmp(s->file.buf.data, "kernel", 6) == 0);
}

/* strconv.Atoi: optional sign, decimal digits, within int64. */
static int selinux_atoi(struct he_field f, long long *out)
{
    bool neg = f.len > 0 && f.p[0] == '-';
    if (f.len > 0 && (f.p[0] == '-' || f.p[0] == '+')) {
        f.p++;
        f.len--;
    }
    uint64_t v;
    int rc = he_parse_u64(f, &v);
    if (rc < 0 || v > (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
        return -EINVAL;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

static double selinux_current_mode(struct selinux_state *s, const char *enforce)
{
    long long mode;
    if (he_file_read(&s->file, enforce) < 0 ||
        selinux_atoi((struct he_field){s->file.buf.data, s->file.buf.len}, &mode) < 0) {
        return -1;
    }
    return (double)mode;
}

/* One config line: 1 when it is SELINUX=..., with the mode in *mode. */
static bool selinux_config_line(struct he_field line, double *mode)
{
    line = he_go_trim_space(line);
    if (line.len == 0 || line.p[0] == ';' || line.p[0] == '#') {
        return false;
    }
    const char *eq = memchr(line.p, '=', line.len);
    if (!eq || !he_field_eq((struct he_field){line.p, (size_t)(eq - line.p)}, "SELINUX")) {
        return false;
    }
    struct he_field v = {eq + 1, line.len - (size_t)(eq + 1 - line.p)};
    while (v.len > 0 && v.p[0] == '"') {
        v.p++;
        v.len--;
    }
    while (v.len > 0 && v.p[v.len - 1] == '"') {
        v.len--;
    }
    *mode = he_field_eq(v, "enforcing") ? 1 : he_field_eq(v, "permissive") ? 0 : -1;
    return true;
}

static double selinux_config_mode(struct selinux_state *s)
{
    char path[4096];
    struct he_lines it;
    struct he_field line;
    double mode = -1;
    if (he_path_root(path, sizeof(path), "etc/selinux/config") < 0 ||
        he_file_read(&s->file, path) < 0) {
        return -1;
    }
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line) && line.len < SELINUX_MAX_LINE) {
        if (selinux_config_line(line, &mode)) {
            return mode;
        }
    }
    return -1;
}

static void selinux_gauge(struct he_writer *w, const char *name, const char *help, double v)
{
    he_writer_family(w, name, help, HE_GAUGE);
    he_writer_value(w, v);
}

static int selinux_collect(void *state, struct he_writer *w)
{
    struct selinux_state *s = state;
    char dir[4096];
    char enforce[4096];
    int rc = he_path_sys(dir, sizeof(dir), "fs/selinux");
    if (rc == 0) {
        rc = he_path_sys(enforce, sizeof(enforce), "fs/selinux/enforce");
    }
    if (rc < 0) {
        return rc;
    }
    bool enabled = selinux_mounted(dir, enforce) && selinux_policy_loaded(s);
    selinux_gauge(w, "node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false",
                  enabled ? 1 : 0);
    if (!enabled) {
        return 0;
    }
    selinux_gauge(w, "node_selinux_config_mode", "Configured SELinux enforcement mode",
                  selinux_config_mode(s));
    selinux_gauge(w, "node_selinux_current_mode", "Current SELinux enforcement mode",
                  selinux_current_mode(s, enforce));
    return 0;
}

static const struct he_collector selinux_collector = {
    .name = "selinux",
    .default_enabled = true,
    .init = selinux_init,
    .collect = selinux_collect,
    .fini = selinux_fini,
};

HE_COLLECTOR_REGISTER(selinux_collector)
