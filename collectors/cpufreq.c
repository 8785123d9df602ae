/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpufreq: CPU frequency scaling, as node_exporter 1.12.1's
 * collector/cpufreq_linux.go with procfs's SystemCpufreq (sysfs/system_cpu.go).
 *
 * Reads <sysfs>/devices/system/cpu/offline, then for every cpuN there that is
 * not listed offline and has a cpufreq directory (Documentation/admin-guide/pm/
 * cpufreq.rst):
 *   cpuinfo_{cur,avg,max,min}_freq, cpuinfo_transition_latency,
 *   scaling_{cur,max,min}_freq      optional: missing or unreadable (cpuinfo_cur_freq
 *                                   is root-only) means no series
 *   scaling_available_governors, scaling_driver, scaling_governor, related_cpus,
 *   scaling_setspeed                required
 *   stats/{total_trans,time_in_state,trans_table}  optional, only checked
 * Emits, kHz * 1000 in hertz, labelled by cpu (the N of cpuN):
 *   node_cpu_frequency_hertz          cpuinfo_cur_freq
 *   node_cpu_frequency_avg_hertz      cpuinfo_avg_freq (new in 1.12)
 *   node_cpu_frequency_{min,max}_hertz            cpuinfo_{min,max}_freq
 *   node_cpu_scaling_frequency_hertz, _{min,max}_hertz   scaling_{cur,min,max}_freq
 *   node_cpu_scaling_governor{cpu,governor}  1 for scaling_governor, 0 for every
 *                                   other name in scaling_available_governors
 *
 * As procfs: every CPU is read before anything is exported, and any other read
 * error or unparsable number in any CPU fails the whole collector (a stats/
 * trans_table bigger than a page reads as EFBIG and does that on real hosts);
 * the offline file is required; a host with no cpuN fails ("could not find any
 * cpufreq files") while CPUs without cpufreq just export nothing. String files
 * are read as SysReadFile does: the first 128 bytes, trimmed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_collector.h"
#include "he_cpusys.h"
#include "he_parse_go.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

/* procfs's numeric files, in its order. */
enum {
    CF_CUR, CF_AVG, CF_MAX, CF_MIN, CF_LATENCY, CF_SCALING_CUR, CF_SCALING_MAX,
    CF_SCALING_MIN, CF_NUINT,
};

static const char *const cpufreq_uint_files[CF_NUINT] = {
    "cpufreq/cpuinfo_cur_freq", "cpufreq/cpuinfo_avg_freq", "cpufreq/cpuinfo_max_freq",
    "cpufreq/cpuinfo_min_freq", "cpufreq/cpuinfo_transition_latency",
    "cpufreq/scaling_cur_freq", "cpufreq/scaling_max_freq", "cpufreq/scaling_min_freq",
};

/* procfs's string files, in its order; any read error fails. */
enum { CF_GOVERNORS, CF_DRIVER, CF_GOVERNOR, CF_RELATED, CF_SETSPEED, CF_NSTR };

static const char *const cpufreq_str_files[CF_NSTR] = {
    "cpufreq/scaling_available_governors", "cpufreq/scaling_driver", "cpufreq/scaling_governor",
    "cpufreq/related_cpus", "cpufreq/scaling_setspeed",
};

static const struct {
    int file;
    const char *name;
    const char *help;
} cpufreq_metrics[] = {
    {CF_CUR, "node_cpu_frequency_hertz", "Current CPU thread frequency in hertz."},
    {CF_AVG, "node_cpu_frequency_avg_hertz", "Average CPU thread frequency in hertz."},
    {CF_MIN, "node_cpu_frequency_min_hertz", "Minimum CPU thread frequency in hertz."},
    {CF_MAX, "node_cpu_frequency_max_hertz", "Maximum CPU thread frequency in hertz."},
    {CF_SCALING_CUR, "node_cpu_scaling_frequency_hertz",
     "Current scaled CPU thread frequency in hertz."},
    {CF_SCALING_MIN, "node_cpu_scaling_frequency_min_hertz",
     "Minimum scaled CPU thread frequency in hertz."},
    {CF_SCALING_MAX, "node_cpu_scaling_frequency_max_hertz",
     "Maximum scaled CPU thread frequency in hertz."},
};

#define CF_READ_LIMIT (1024 * 1024 + 1)  /* procfs reads at most 1 MiB of a file */

struct cpufreq_cpu {
    const char *name;               /* the N of cpuN, in the directory listing */
    bool has[CF_NUINT];
    uint64_t khz[CF_NUINT];
    char governors[HE_CPU_SYSREAD_MAX + 1];
    char governor[HE_CPU_SYSREAD_MAX + 1];
};

struct cpufreq_state {
    struct he_dir dir;              /* devices/system/cpu */
    struct he_file file;            /* offline and the stats tables, read per scrape */
    struct he_cpulist offline;
    struct cpufreq_cpu *cpus;
    size_t ncpus, cap;
};

/* <sysfs>/devices/system/cpu/<cpu>/cpufreq[/<file>] into out (PATH_MAX bytes). */
static int cpufreq_path(char *out, const char *cpu, const char *file)
{
    char rel[512];
    int n = snprintf(rel, sizeof(rel), "devices/system/cpu/%s/cpufreq%s%s", cpu,
                     file ? "/" : "", file ? file : "");
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    return he_path_sys(out, PATH_MAX, rel);
}

/* The errors procfs passes over for optional files: os.IsNotExist, os.IsPermission. */
static bool cpufreq_absent(int rc)
{
    return rc == -ENOENT || rc == -EACCES || rc == -EPERM;
}

/* Reads a whole stats table into s->file. 0, 1 when absent, or a negative errno. */
static int cpufreq_read_table(struct cpufreq_state *s, const char *cpu, const char *file)
{
    char path[PATH_MAX];
    int rc = cpufreq_path(path, cpu, file);
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    return cpufreq_absent(rc) ? 1 : rc;
}

/*
 * A trans_table row: numbers, the first with one ':' suffix ("  1200000:" or the
 * header's lone ":"). A blank row makes upstream index a missing field and panic;
 * here it fails.
 */
static int cpufreq_check_trans_row(struct he_field line)
{
    struct he_field tok;
    size_t pos = 0;
    uint64_t v;
    bool first = true;
    while (he_cpu_next_field(line, &pos, &tok)) {
        if (first && tok.p[tok.len - 1] == ':') {
            tok.len--;
        }
        first = false;
        if (tok.len && he_parse_u64(tok, &v) < 0) {
            return -EINVAL;
        }
    }
    return first ? -EINVAL : 0;
}

/*
 * Checks the table in s->file as procfs parses it: time_in_state lines are
 * "<freq> <time>"; trans_table's first line (the "From : To" header) is skipped.
 * Empty lines are skipped in both.
 */
static int cpufreq_check_table(struct cpufreq_state *s, bool trans_table)
{
    struct he_lines it;
    struct he_field line, f[2];
    uint64_t v;
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    for (size_t index = 0; he_lines_next(&it, &line); index++) {
        if (line.len == 0 || (trans_table && index == 0)) {
            continue;
        }
        if (trans_table) {
            if (cpufreq_check_trans_row(line) < 0) {
                return -EINVAL;
            }
        } else if (he_split_fields(line, f, 2) != 2 || he_parse_u64(f[0], &v) < 0 ||
                   he_parse_u64(f[1], &v) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/* The CONFIG_CPU_FREQ_STAT files: nothing is exported, but bad ones fail upstream. */
static int cpufreq_check_stats(struct cpufreq_state *s, const char *cpu)
{
    uint64_t v;
    int rc = he_cpu_read_u64(cpu, "cpufreq/stats/total_trans", &v);
    if (rc < 0 && !cpufreq_absent(rc)) {
        return rc;
    }
    rc = cpufreq_read_table(s, cpu, "stats/time_in_state");
    if (rc == 0) {
        rc = cpufreq_check_table(s, false);
    }
    if (rc < 0) {
        return rc;
    }
    rc = cpufreq_read_table(s, cpu, "stats/trans_table");
    if (rc == 0) {
        rc = cpufreq_check_table(s, true);
    }
    return rc < 0 ? rc : 0;
}

/* Reads the files of one CPU into c. 0 or a negative errno. */
static int cpufreq_read_files(struct cpufreq_state *s, const char *cpu, struct cpufreq_cpu *c)
{
    char buf[HE_CPU_ATTR_SIZE];
    for (int i = 0; i < CF_NUINT; i++) {
        int rc = he_cpu_read_u64(cpu, cpufreq_uint_files[i], &c->khz[i]);
        if (rc < 0 && !cpufreq_absent(rc)) {
            return rc;
        }
        c->has[i] = rc == 0;
    }
    for (int i = 0; i < CF_NSTR; i++) {
        int n = he_cpu_read_attr(cpu, cpufreq_str_files[i], buf, HE_CPU_SYSREAD_MAX);
        if (n < 0) {
            return n;
        }
        if (i == CF_GOVERNORS) {
            memcpy(c->governors, buf, (size_t)n + 1);
        } else if (i == CF_GOVERNOR) {
            memcpy(c->governor, buf, (size_t)n + 1);
        }
    }
    return cpufreq_check_stats(s, cpu);
}

/* Adds cpu to s->cpus if it has a cpufreq directory. 0 or a negative errno. */
static int cpufreq_read_cpu(struct cpufreq_state *s, const char *cpu)
{
    char path[PATH_MAX];
    struct stat st;
    int rc = cpufreq_path(path, cpu, NULL);
    if (rc < 0) {
        return rc;
    }
    if (stat(path, &st) < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    if (s->ncpus == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct cpufreq_cpu *p = realloc(s->cpus, cap * sizeof(*p));
        if (!p) {
            return -ENOMEM;
        }
        s->cpus = p;
        s->cap = cap;
    }
    struct cpufreq_cpu *c = &s->cpus[s->ncpus];
    c->name = cpu + 3;
    rc = cpufreq_read_files(s, cpu, c);
    if (rc < 0) {
        he_log_debug("cpufreq: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    s->ncpus++;
    return 0;
}

/* Reads the offline list; an empty (blank) file means none. */
static int cpufreq_read_offline(struct cpufreq_state *s)
{
    char path[PATH_MAX];
    s->offline.n = 0;
    int rc = he_path_sys(path, sizeof(path), "devices/system/cpu/offline");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc < 0) {
        he_log_debug("cpufreq: cannot read", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    if (he_go_trim_space((struct he_field){s->file.buf.data, s->file.buf.len}).len == 0) {
        return 0;
    }
    return he_cpulist_parse(&s->offline, s->file.buf.data, s->file.buf.len);
}

/* Whether cpuN is in the offline list, by procfs's filterOfflineCPUs. */
static int cpufreq_offline(const struct cpufreq_state *s, const char *cpu, bool *offline)
{
    int64_t n;
    *offline = false;
    if (s->offline.n == 0) {
        return 0;
    }
    if (he_parse_i64((struct he_field){cpu + 3, strlen(cpu + 3)}, &n) < 0) {
        return -EINVAL;
    }
    *offline = he_cpulist_search(&s->offline, (uint16_t)(uint64_t)n);
    return 0;
}

/* Reads every online CPU before anything is exported: one failure fails all. */
static int cpufreq_read_all(struct cpufreq_state *s)
{
    char path[PATH_MAX];
    size_t listed = 0;
    s->ncpus = 0;
    if (he_path_sys(path, sizeof(path), "devices/system/cpu") < 0 ||
        he_dir_read(&s->dir, path) < 0) {
        s->dir.n = 0; /* upstream's Glob finds nothing */
    }
    int rc = cpufreq_read_offline(s);
    for (size_t i = 0; rc == 0 && i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        bool offline;
        if (!he_cpu_name_ok(name)) {
            continue;
        }
        rc = cpufreq_offline(s, name, &offline);
        if (rc == 0 && !offline) {
            listed++;
            rc = cpufreq_read_cpu(s, name);
        }
    }
    if (rc == 0 && listed == 0) {
        he_log_debug("cpufreq: could not find any cpufreq files", "path", path, NULL);
        rc = -ENOENT;
    }
    return rc;
}

/* node_cpu_scaling_governor for each of strings.Split(available, " "), split in place. */
static void cpufreq_emit_governors(struct cpufreq_cpu *c, struct he_writer *w)
{
    struct he_label l[2] = {{"cpu", c->name}, {"governor", NULL}};
    char *g = c->governors;
    for (;;) {
        char *space = strchr(g, ' ');
        if (space) {
            *space = '\0';
        }
        l[1].value = g;
        he_writer_sample(w, l, 2, strcmp(g, c->governor) == 0 ? 1 : 0);
        if (!space) {
            break;
        }
        g = space + 1;
    }
}

static void cpufreq_emit(struct cpufreq_state *s, struct he_writer *w)
{
    struct he_label l = {"cpu", NULL};
    for (size_t m = 0; m < sizeof(cpufreq_metrics) / sizeof(cpufreq_metrics[0]); m++) {
        bool declared = false;
        for (size_t i = 0; i < s->ncpus; i++) {
            const struct cpufreq_cpu *c = &s->cpus[i];
            if (!c->has[cpufreq_metrics[m].file]) {
                continue;
            }
            if (!declared) {
                he_writer_family(w, cpufreq_metrics[m].name, cpufreq_metrics[m].help, HE_GAUGE);
                declared = true;
            }
            l.value = c->name;
            he_writer_sample(w, &l, 1, (double)c->khz[cpufreq_metrics[m].file] * 1000.0);
        }
    }
    for (size_t i = 0; i < s->ncpus; i++) {
        if (s->cpus[i].governor[0] == '\0') {
            continue;
        }
        he_writer_family(w, "node_cpu_scaling_governor", "Current enabled CPU frequency governor.",
                         HE_GAUGE);
        cpufreq_emit_governors(&s->cpus[i], w);
    }
}

static int cpufreq_collect(void *state, struct he_writer *w)
{
    struct cpufreq_state *s = state;
    int rc = cpufreq_read_all(s);
    if (rc < 0) {
        return rc;
    }
    cpufreq_emit(s, w);
    return 0;
}

static int cpufreq_init(void **state)
{
    struct cpufreq_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    he_file_init(&s->file, false, CF_READ_LIMIT);
    he_cpulist_init(&s->offline);
    *state = s;
    return 0;
}

static void cpufreq_fini(void *state)
{
    struct cpufreq_state *s = state;
    he_dir_fini(&s->dir);
    he_file_fini(&s->file);
    he_cpulist_fini(&s->offline);
    free(s->cpus);
    free(s);
}

static const struct he_collector cpufreq_collector = {
    .name = "cpufreq",
    .default_enabled = true,
    .init = cpufreq_init,
    .collect = cpufreq_collect,
    .fini = cpufreq_fini,
};

HE_COLLECTOR_REGISTER(cpufreq_collector)
