/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu: CPU time and CPU facts, as node_exporter 1.12.1's collector/cpu_linux.go
 * with procfs's stat.go and cpuinfo.go parsers.
 *
 * Reads <procfs>/stat, <procfs>/cpuinfo (only with --collector.cpu.info),
 * <sysfs>/devices/system/cpu/isolated (once, at start-up, as upstream does) and,
 * for each devices/system/cpu/cpuN, topology/{physical_package_id,core_id},
 * thermal_throttle/{core,package}_throttle_count and online. Emits
 *   node_cpu_seconds_total{cpu,mode}         /proc/stat ticks / USER_HZ (100)
 *   node_cpu_guest_seconds_total{cpu,mode}   unless --no-collector.cpu.guest
 *   node_cpu_info{package,core,cpu,vendor,family,model,model_name,microcode,
 *                 stepping,cachesize}        1, with --collector.cpu.info
 *   node_cpu_frequency_hertz{package,core,cpu}  "cpu MHz" * 1e6, see below
 *   node_cpu_flag_info{flag}, node_cpu_bug_info{bug}   first CPU's flags/bugs
 *                 matching --collector.cpu.info.{flags,bugs}-include
 *   node_cpu_isolated{cpu}                   1 per CPU in the isolated list
 *   node_cpu_package_throttles_total{package}, node_cpu_core_throttles_total{package,core}
 *   node_cpu_online{cpu}                     1/0, only if the first cpuN has an
 *                 online file (x86 cpu0 usually has none: then no series at all)
 *
 * Upstream behaviours kept on purpose:
 *  - Each CPU's counters never go down: a lower reading keeps the previous value,
 *    but idle falling by 3 s or more is taken for a hotplug and restarts that CPU
 *    from zero. CPUs missing from /proc/stat are forgotten.
 *  - A bad line anywhere in /proc/stat (btime, intr, softirq, ...) fails the
 *    collector, as procfs's parser does; missing trailing cpu columns are 0.
 *  - 1.12.1 emits node_cpu_frequency_hertz from /proc/cpuinfo when
 *    --collector.cpu.info is set and the cpufreq collector is *enabled* (PR
 *    #3318). cpufreq exports a family of the same name with another HELP and
 *    labels; upstream's registry then reports a (racy) gathering error. Here cpu
 *    is collected first, so its family stands and the writer refuses cpufreq's.
 *  - /proc/cpuinfo is read in the x86 format (parseCPUInfoX86), the parser an
 *    amd64 node_exporter uses.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_cpusys.h"
#include "he_parse_go.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"
#include "he_regex.h"
#include "he_registry.h"

/* Options, written by flag parsing before init and only read afterwards. */
static struct {
    bool guest;
    bool info;
    const char *flags_include;
    const char *bugs_include;
} cpu_opts;

static const struct he_flag cpu_flags[] = {
    {"collector.cpu.guest", HE_FLAG_BOOL, "true", "Enables metric node_cpu_guest_seconds_total",
     &cpu_opts.guest, NULL},
    {"collector.cpu.info", HE_FLAG_BOOL, NULL, "Enables metric cpu_info", &cpu_opts.info, NULL},
    {"collector.cpu.info.flags-include", HE_FLAG_STRING, NULL,
     "Filter the `flags` field in cpuInfo with a value that must be a regular expression",
     &cpu_opts.flags_include, he_regex_check_flag},
    {"collector.cpu.info.bugs-include", HE_FLAG_STRING, NULL,
     "Filter the `bugs` field in cpuInfo with a value that must be a regular expression",
     &cpu_opts.bugs_include, he_regex_check_flag},
    {0},
};

/* /proc/stat's columns after the name, in order. */
enum {
    CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ, CPU_STEAL,
    CPU_GUEST, CPU_GUEST_NICE, CPU_NMODES,
};

/* node_cpu_seconds_total's mode label for the columns before guest. */
static const char *const cpu_modes[CPU_GUEST] = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
};

/* procfs's CPUStat field names, for the debug lines upstream writes. */
static const char *const cpu_stat_names[CPU_NMODES] = {
    "User", "Nice", "System", "Idle", "Iowait", "IRQ", "SoftIRQ", "Steal", "Guest", "GuestNice",
};

#define CPU_USER_HZ 100.0            /* procfs's userHZ: /proc/stat counts 1/100 s */
#define CPU_JUMP_BACK_SECONDS 3.0    /* idle falling this much means a hotplug */
#define CPU_READ_LIMIT (1024 * 1024 + 1)  /* procfs reads at most 1 MiB of a file */
#define CPU_SCAN_MAX 65536           /* bufio.Scanner's longest /proc/cpuinfo line */

struct cpu_times {
    int64_t id;
    double v[CPU_NMODES];
};

/* CPUs by id, in file order; the next lookup starts after the last hit. */
struct cpu_table {
    struct cpu_times *e;
    size_t n;
    size_t cap;
    size_t guess;
    bool ascending;   /* ids so far strictly increasing: a larger one is new */
};

/* node_cpu_info's string labels, as slots of struct cpu_info. */
enum {
    CI_PACKAGE, CI_CORE, CI_VENDOR, CI_FAMILY, CI_MODEL, CI_MODEL_NAME, CI_MICROCODE,
    CI_STEPPING, CI_CACHESIZE, CI_NSTR,
    /* keys that are not labels */
    CK_PROCESSOR, CK_MHZ, CK_FLAGS, CK_BUGS, CK_UINT, CK_FLOAT,
};

static const char *const cpu_info_labels[CI_NSTR] = {
    "package", "core", "vendor", "family", "model", "model_name", "microcode", "stepping",
    "cachesize",
};

/* The keys parseCPUInfoX86 reads; CK_UINT/CK_FLOAT are parsed only to fail as it does. */
static const struct {
    const char *key;
    int slot;
} cpu_info_keys[] = {
    {"processor", CK_PROCESSOR}, {"vendor", CI_VENDOR}, {"vendor_id", CI_VENDOR},
    {"cpu family", CI_FAMILY}, {"model", CI_MODEL}, {"model name", CI_MODEL_NAME},
    {"stepping", CI_STEPPING}, {"microcode", CI_MICROCODE}, {"cpu MHz", CK_MHZ},
    {"cache size", CI_CACHESIZE}, {"physical id", CI_PACKAGE}, {"siblings", CK_UINT},
    {"core id", CI_CORE}, {"cpu cores", CK_UINT}, {"cpuid level", CK_UINT},
    {"flags", CK_FLAGS}, {"bugs", CK_BUGS}, {"bogomips", CK_FLOAT},
    {"clflush size", CK_UINT}, {"cache_alignment", CK_UINT},
};

/* One processor of /proc/cpuinfo; strings point into the file buffer. */
struct cpu_info {
    uint32_t processor;
    double mhz;
    const char *str[CI_NSTR];
    char *flags;
    char *bugs;
};

struct cpu_pkg_throttle {
    uint64_t package;
    uint64_t count;
};

struct cpu_core_throttle {
    uint64_t package;
    uint64_t core;
    uint64_t count;
};

struct cpu_state {
    struct he_file stat;      /* kept open: /proc/stat always exists */
    struct he_file cpuinfo;   /* kept open: so does /proc/cpuinfo */
    struct he_dir dir;        /* devices/system/cpu, listed once a scrape */
    struct cpu_table kept;    /* each CPU's counters as last exported */
    struct cpu_table next;    /* this scrape's /proc/stat, then the new kept values */
    struct cpu_info *info;
    size_t ninfo, info_cap;
    struct cpu_pkg_throttle *pkgs;
    size_t npkgs, pkgs_cap;
    struct cpu_core_throttle *cores;
    size_t ncores, cores_cap;
    struct he_cpulist isolated;
    bool has_isolated;        /* the isolated file existed at start-up */
    bool info_enabled;
    bool cpufreq_enabled;
    struct he_regex flags_re;
    struct he_regex bugs_re;
};

/* ---- /proc/stat ---------------------------------------------------------- */

/*
 * Go's strconv.ParseFloat, which also takes the '_' separators of Go literals
 * ("1_000.5"); he_parse_double handles the rest.
 */
static int cpu_parse_float(struct he_field f, double *out)
{
    char tmp[64];
    size_t n = 0;
    if (!memchr(f.p, '_', f.len)) {
        return he_parse_double(f, out);
    }
    if (f.len >= sizeof(tmp) || !he_go_underscores_ok(f.p, f.len)) {
        return -EINVAL;
    }
    for (size_t i = 0; i < f.len; i++) {
        if (f.p[i] != '_') {
            tmp[n++] = f.p[i];
        }
    }
    return he_parse_double((struct he_field){tmp, n}, out);
}

static bool cpu_accept(const char *p, size_t len, size_t *i, const char *set)
{
    if (*i < len && p[*i] != '\0' && strchr(set, p[*i])) {
        (*i)++;
        return true;
    }
    return false;
}

/* How much of p the %f verb of Go's fmt takes (ss.floatToken): greedy, unchecked. */
static size_t cpu_float_token(const char *p, size_t len)
{
    size_t i = 0;
    if (cpu_accept(p, len, &i, "nN") && cpu_accept(p, len, &i, "aA") &&
        cpu_accept(p, len, &i, "nN")) {
        return i;
    }
    cpu_accept(p, len, &i, "+-");
    if (cpu_accept(p, len, &i, "iI") && cpu_accept(p, len, &i, "nN") &&
        cpu_accept(p, len, &i, "fF")) {
        return i;
    }
    const char *digits = "0123456789_";
    const char *exponent = "eEpP";
    if (cpu_accept(p, len, &i, "0") && cpu_accept(p, len, &i, "xX")) {
        digits = "0123456789aAbBcCdDeEfF_";
        exponent = "pP";
    }
    while (cpu_accept(p, len, &i, digits)) {
    }
    if (cpu_accept(p, len, &i, ".")) {
        while (cpu_accept(p, len, &i, digits)) {
        }
    }
    if (cpu_accept(p, len, &i, exponent)) {
        cpu_accept(p, len, &i, "+-");
        while (cpu_accept(p, len, &i, "0123456789_")) {
        }
    }
    return i;
}

/*
 * Converts a %f token as fmt's convertFloat does: a 'p' in a decimal number is
 * a binary exponent (1.5p3 is 12), anything else goes to ParseFloat.
 */
static int cpu_scan_float(struct he_field tok, double *out)
{
    const char *p = memchr(tok.p, 'p', tok.len);
    if (!p || memchr(tok.p, 'x', tok.len) || memchr(tok.p, 'X', tok.len)) {
        return cpu_parse_float(tok, out);
    }
    size_t head = (size_t)(p - tok.p);
    double mantissa;
    int64_t exp;
    if (cpu_parse_float((struct he_field){tok.p, head}, &mantissa) < 0 ||
        he_parse_i64((struct he_field){p + 1, tok.len - head - 1}, &exp) < 0) {
        return -EINVAL;
    }
    exp = exp > 100000 ? 100000 : exp < -100000 ? -100000 : exp; /* past any double */
    *out = ldexp(mantissa, (int)exp);
    return 0;
}

/*
 * The columns of a "cpuN ..." line (f[1..n-1]) as procfs's Sscanf("%s %f ... %f")
 * reads them: missing trailing columns stay 0 (older kernels), text after the
 * tenth number is ignored (the format ends there), anything else not a number
 * fails.
 */
static int cpu_parse_times(const struct he_field *f, size_t n, struct cpu_times *t)
{
    memset(t->v, 0, sizeof(t->v));
    size_t cols = n - 1 < CPU_NMODES ? n - 1 : CPU_NMODES;
    for (size_t j = 0; j < cols; j++) {
        struct he_field tok = f[1 + j];
        size_t used = cpu_float_token(tok.p, tok.len);
        if (used != tok.len && j + 1 < CPU_NMODES) {
            return -EINVAL;
        }
        tok.len = used;
        double v;
        if (cpu_scan_float(tok, &v) < 0) {
            return -EINVAL;
        }
        t->v[j] = v / CPU_USER_HZ;
    }
    return 0;
}

/* The entry for id, or NULL; the search starts where the last hit left off. */
static struct cpu_times *cpu_table_find(struct cpu_table *t, int64_t id)
{
    for (size_t k = 0; k < t->n; k++) {
        size_t i = (t->guess + k) % t->n;
        if (t->e[i].id == id) {
            t->guess = i + 1;
            return &t->e[i];
        }
    }
    return NULL;
}

/* The entry for id, added if new (procfs keeps a map: a repeated cpuN overwrites). */
static struct cpu_times *cpu_table_put(struct cpu_table *t, int64_t id)
{
    bool is_new = t->n == 0 || (t->ascending && id > t->e[t->n - 1].id);
    struct cpu_times *e = is_new ? NULL : cpu_table_find(t, id);
    if (e) {
        return e;
    }
    void *items = t->e;
    if (he_array_grow(&items, &t->cap, t->n + 1, sizeof(*t->e)) < 0) {
        return NULL;
    }
    t->e = items;
    t->ascending = t->n == 0 || (t->ascending && id > t->e[t->n - 1].id);
    e = &t->e[t->n++];
    e->id = id;
    return e;
}

/* A "cpu..." line: the total is checked and dropped, cpuN stored by N. */
static int cpu_stat_cpu_line(struct cpu_state *s, const struct he_field *f, size_t n)
{
    struct cpu_times t;
    if (cpu_parse_times(f, n, &t) < 0) {
        return -EINVAL;
    }
    if (f[0].len == 3) {
        return 0;
    }
    if (he_parse_i64((struct he_field){f[0].p + 3, f[0].len - 3}, &t.id) < 0) {
        return -EINVAL; /* "cpufoo": procfs's ParseInt fails the whole file */
    }
    if (t.id == -1) {
        return 0; /* "cpu-1" is procfs's id for the total */
    }
    struct cpu_times *e = cpu_table_put(&s->next, t.id);
    if (!e) {
        return -ENOMEM;
    }
    *e = t;
    return 0;
}

/*
 * Checks the counters after a line's key as procfs does: every one for intr
 * (ParseUint), exactly the first eleven for softirq (Sscanf "%d": the eleventh
 * may carry trailing text, fewer fail).
 */
static int cpu_stat_counts(struct he_field line, size_t want)
{
    struct he_field tok;
    size_t pos = 0;
    size_t got = 0;
    uint64_t v;
    he_cpu_next_field(line, &pos, &tok); /* the key */
    while (got < want && he_cpu_next_field(line, &pos, &tok)) {
        got++;
        if (got == want && want != SIZE_MAX) {
            size_t d = 0;
            while (d < tok.len && tok.p[d] >= '0' && tok.p[d] <= '9') {
                d++;
            }
            tok.len = d;
        }
        if (he_parse_u64(tok, &v) < 0) {
            return -EINVAL;
        }
    }
    return got == want || want == SIZE_MAX ? 0 : -EINVAL;
}

static int cpu_stat_line(struct cpu_state *s, struct he_field line)
{
    struct he_field f[CPU_NMODES + 1];
    size_t n = he_split_fields(line, f, CPU_NMODES + 1);
    uint64_t v;
    if (n < 2) {
        return 0;
    }
    if (he_field_eq(f[0], "btime") || he_field_eq(f[0], "ctxt") ||
        he_field_eq(f[0], "processes") || he_field_eq(f[0], "procs_running") ||
        he_field_eq(f[0], "procs_blocked")) {
        return he_parse_u64(f[1], &v) < 0 ? -EINVAL : 0;
    }
    if (he_field_eq(f[0], "intr")) {
        return cpu_stat_counts(line, SIZE_MAX);
    }
    if (he_field_eq(f[0], "softirq")) {
        return cpu_stat_counts(line, 11);
    }
    if (f[0].len < 3 || memcmp(f[0].p, "cpu", 3) != 0) {
        return 0;
    }
    return cpu_stat_cpu_line(s, f, n);
}

static int cpu_stat_parse(struct cpu_state *s)
{
    struct he_lines it;
    struct he_field line;
    s->next.n = 0;
    s->next.ascending = true;
    he_lines_init(&it, s->stat.buf.data, s->stat.buf.len);
    while (he_lines_next(&it, &line)) {
        int rc = cpu_stat_line(s, line);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Upstream's debug lines for a counter that went down (reset: idle, by 3 s or more). */
static void cpu_log_backwards(int64_t id, int field, double old_value, double new_value,
                              bool reset)
{
    if (!he_log_enabled(HE_LOG_DEBUG)) {
        return;
    }
    char cpu[24], old_s[32], new_s[32], text[160];
    snprintf(cpu, sizeof(cpu), "%" PRId64, id);
    snprintf(old_s, sizeof(old_s), "%g", old_value);
    snprintf(new_s, sizeof(new_s), "%g", new_value);
    snprintf(text, sizeof(text), "CPU %s counter jumped backwards%s", cpu_stat_names[field],
             reset ? " more than 3.000000 seconds, possible hotplug event, resetting CPU stats"
                   : "");
    he_log_debug(text, "cpu", cpu, "old_value", old_s, "new_value", new_s, NULL);
}

/*
 * Turns this scrape's reading for one CPU into the value to export, as
 * updateCPUStats does: a counter that went down keeps its old value, and idle
 * falling by CPU_JUMP_BACK_SECONDS or more restarts the CPU from zero.
 */
static void cpu_keep_highest(const struct cpu_times *old, struct cpu_times *now)
{
    double keep[CPU_NMODES] = {0};
    if (old) {
        memcpy(keep, old->v, sizeof(keep));
    }
    if (keep[CPU_IDLE] - now->v[CPU_IDLE] >= CPU_JUMP_BACK_SECONDS) {
        cpu_log_backwards(now->id, CPU_IDLE, keep[CPU_IDLE], now->v[CPU_IDLE], true);
        memset(keep, 0, sizeof(keep));
    }
    for (int k = 0; k < CPU_NMODES; k++) {
        if (now->v[k] >= keep[k]) {
            keep[k] = now->v[k];
        } else {
            cpu_log_backwards(now->id, k, keep[k], now->v[k], false);
        }
    }
    memcpy(now->v, keep, sizeof(keep));
}

/* Makes this scrape's table the kept one; CPUs it lacks are forgotten. */
static void cpu_stat_update(struct cpu_state *s)
{
    for (size_t i = 0; i < s->next.n; i++) {
        cpu_keep_highest(cpu_table_find(&s->kept, s->next.e[i].id), &s->next.e[i]);
    }
    struct cpu_table t = s->kept;
    s->kept = s->next;
    s->next = t;
    s->next.n = 0;
}

static void cpu_emit_times(const struct cpu_state *s, struct he_writer *w)
{
    char id[24];
    struct he_label l[2] = {{"cpu", id}, {"mode", NULL}};
    he_writer_family(w, "node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                     HE_COUNTER);
    for (size_t i = 0; i < s->kept.n; i++) {
        snprintf(id, sizeof(id), "%" PRId64, s->kept.e[i].id);
        for (int k = 0; k < CPU_GUEST; k++) {
            l[1].value = cpu_modes[k];
            he_writer_sample(w, l, 2, s->kept.e[i].v[k]);
        }
    }
    if (!cpu_opts.guest) {
        return;
    }
    /* Guest time is also counted in user and nice; upstream exports it apart. */
    he_writer_family(w, "node_cpu_guest_seconds_total",
                     "Seconds the CPUs spent in guests (VMs) for each mode.", HE_COUNTER);
    for (size_t i = 0; i < s->kept.n; i++) {
        snprintf(id, sizeof(id), "%" PRId64, s->kept.e[i].id);
        l[1].value = "user";
        he_writer_sample(w, l, 2, s->kept.e[i].v[CPU_GUEST]);
        l[1].value = "nice";
        he_writer_sample(w, l, 2, s->kept.e[i].v[CPU_GUEST_NICE]);
    }
}

static int cpu_collect_stat(struct cpu_state *s, struct he_writer *w)
{
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "stat");
    if (rc == 0) {
        rc = he_file_read(&s->stat, path);
    }
    if (rc == 0) {
        rc = cpu_stat_parse(s);
    }
    if (rc < 0) {
        he_log_debug("cpu: cannot read", "path", path, NULL);
        return rc;
    }
    cpu_stat_update(s);
    cpu_emit_times(s, w);
    return 0;
}

/* ---- /proc/cpuinfo ------------------------------------------------------- */

/* Go's strconv.ParseUint(s, 0, 32): 0x/0o/0b prefixes, a leading 0 for octal, '_'. */
static int cpu_parse_uint32(const char *p, size_t len, uint32_t *out)
{
    uint64_t v;
    if (he_parse_u64_base0((struct he_field){p, len}, &v) < 0 || v > UINT32_MAX) {
        return -EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Starts the record of a "processor" line; value is the text after ": ". */
static int cpu_info_add(struct cpu_state *s, const char *value, size_t len)
{
    void *items = s->info;
    if (he_array_grow(&items, &s->info_cap, s->ninfo + 1, sizeof(*s->info)) < 0) {
        return -ENOMEM;
    }
    s->info = items;
    struct cpu_info *c = &s->info[s->ninfo++];
    *c = (struct cpu_info){0};
    for (int i = 0; i < CI_NSTR; i++) {
        c->str[i] = "";
    }
    return cpu_parse_uint32(value, len, &c->processor);
}

/* Applies one "key<blanks>: value" line to the current processor. */
static int cpu_info_line(struct cpu_state *s, char *line, size_t len)
{
    char *sep = memmem(line, len, ": ", 2);
    if (!sep) {
        return 0; /* the key would keep its ':' and match nothing */
    }
    struct he_field key = he_go_trim_space((struct he_field){line, (size_t)(sep - line)});
    char *value = sep + 2;
    size_t vlen = len - (size_t)(value - line);
    struct cpu_info *c = &s->info[s->ninfo - 1];
    double d;
    uint32_t u;
    for (size_t i = 0; i < sizeof(cpu_info_keys) / sizeof(cpu_info_keys[0]); i++) {
        if (!he_field_eq(key, cpu_info_keys[i].key)) {
            continue;
        }
        switch (cpu_info_keys[i].slot) {
        case CK_PROCESSOR: return cpu_info_add(s, value, vlen);
        case CK_MHZ: return cpu_parse_float((struct he_field){value, vlen}, &c->mhz);
        case CK_FLAGS: c->flags = value; return 0;
        case CK_BUGS: c->bugs = value; return 0;
        case CK_UINT: return cpu_parse_uint32(value, vlen, &u);
        case CK_FLOAT: return cpu_parse_float((struct he_field){value, vlen}, &d);
        default: c->str[cpu_info_keys[i].slot] = value; return 0;
        }
    }
    return 0;
}

/* The first non-blank line must be "processor...: N", as parseCPUInfoX86 demands. */
static int cpu_info_first(struct cpu_state *s, char *line, size_t len)
{
    if (len < 9 || memcmp(line, "processor", 9) != 0) {
        return -EINVAL;
    }
    char *sep = memmem(line, len, ": ", 2);
    if (!sep) {
        return -EINVAL; /* upstream indexes the missing value and panics */
    }
    return cpu_info_add(s, sep + 2, len - (size_t)(sep + 2 - line));
}

static bool cpu_blank(const char *p, size_t len)
{
    return he_go_trim_space((struct he_field){p, len}).len == 0;
}

/*
 * Parses the buffer in place: each line is NUL-terminated where it ends, so the
 * values can be label strings without copies. Lines end as bufio.ScanLines ends
 * them (one trailing '\r' dropped), and a line of 64 KiB or more ends the scan.
 */
static int cpu_info_parse(struct cpu_state *s)
{
    char *p = s->cpuinfo.buf.data;
    char *end = p + s->cpuinfo.buf.len;
    bool first = true;
    s->ninfo = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *next = nl ? nl + 1 : end;
        size_t len = (size_t)((nl ? nl : end) - p);
        if (len >= CPU_SCAN_MAX) {
            break;
        }
        if (len && p[len - 1] == '\r') {
            len--;
        }
        p[len] = '\0';
        int rc = 0;
        if (first && !cpu_blank(p, len)) {
            rc = cpu_info_first(s, p, len);
            first = false;
        } else if (!first && memchr(p, ':', len)) {
            rc = cpu_info_line(s, p, len);
        }
        if (rc < 0) {
            return rc;
        }
        p = next;
    }
    return first ? -EINVAL : 0;
}

/* One series per word of text (strings.Fields) that re matches; text is split in place. */
static void cpu_emit_words(struct he_writer *w, char *text, struct he_regex *re,
                           const char *name, const char *help, const char *label)
{
    if (!re->compiled || !text) {
        return;
    }
    struct he_field line = {text, strlen(text)};
    struct he_field word;
    struct he_label l = {label, text};
    size_t pos = 0;
    he_writer_family(w, name, help, HE_GAUGE);
    while (he_cpu_next_field(line, &pos, &word)) {
        if (pos < line.len) {
            text[pos++] = '\0'; /* was the blank after the word */
        }
        l.value = word.p;
        if (he_regex_match(re, word.p)) {
            he_writer_sample(w, &l, 1, 1);
        }
    }
}

static void cpu_emit_info(struct cpu_state *s, struct he_writer *w)
{
    char cpu[16];
    struct he_label l[CI_NSTR + 1];
    for (int i = 0; i < CI_NSTR; i++) {
        l[i].name = cpu_info_labels[i];
    }
    l[CI_NSTR] = (struct he_label){"cpu", cpu};
    he_writer_family(w, "node_cpu_info", "CPU information from /proc/cpuinfo.", HE_GAUGE);
    for (size_t i = 0; i < s->ninfo; i++) {
        snprintf(cpu, sizeof(cpu), "%" PRIu32, s->info[i].processor);
        for (int k = 0; k < CI_NSTR; k++) {
            l[k].value = s->info[i].str[k];
        }
        he_writer_sample(w, l, CI_NSTR + 1, 1);
    }
}

/* 1.12.1's frequency from "cpu MHz", exported while the cpufreq collector is enabled. */
static void cpu_emit_info_frequency(struct cpu_state *s, struct he_writer *w)
{
    char cpu[16];
    struct he_label l[3] = {{"package", NULL}, {"core", NULL}, {"cpu", cpu}};
    if (!s->cpufreq_enabled) {
        return;
    }
    he_writer_family(w, "node_cpu_frequency_hertz", "CPU frequency in hertz from /proc/cpuinfo.",
                     HE_GAUGE);
    for (size_t i = 0; i < s->ninfo; i++) {
        snprintf(cpu, sizeof(cpu), "%" PRIu32, s->info[i].processor);
        l[0].value = s->info[i].str[CI_PACKAGE];
        l[1].value = s->info[i].str[CI_CORE];
        he_writer_sample(w, l, 3, s->info[i].mhz * 1e6);
    }
}

static int cpu_collect_info(struct cpu_state *s, struct he_writer *w)
{
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "cpuinfo");
    if (rc == 0) {
        rc = he_file_read(&s->cpuinfo, path);
    }
    if (rc == 0) {
        rc = cpu_info_parse(s);
    }
    if (rc < 0) {
        he_log_debug("cpu: cannot read", "path", path, NULL);
        return rc;
    }
    cpu_emit_info(s, w);
    cpu_emit_info_frequency(s, w);
    if (s->ninfo) {
        cpu_emit_words(w, s->info[0].flags, &s->flags_re, "node_cpu_flag_info",
                       "The `flags` field of CPU information from /proc/cpuinfo taken from the "
                       "first core.",
                       "flag");
        cpu_emit_words(w, s->info[0].bugs, &s->bugs_re, "node_cpu_bug_info",
                       "The `bugs` field of CPU information from /proc/cpuinfo taken from the "
                       "first core.",
                       "bug");
    }
    return 0;
}

/* ---- sysfs: isolated, thermal throttles, online --------------------------- */

/*
 * Reads the isolated list once, as NewCPUCollector does. A missing file means no
 * node_cpu_isolated; any other failure fails init (upstream refuses to start).
 */
static int cpu_read_isolated(struct cpu_state *s)
{
    char path[4096];
    struct he_file f;
    he_file_init(&f, false, CPU_READ_LIMIT);
    int rc = he_path_sys(path, sizeof(path), "devices/system/cpu/isolated");
    if (rc == 0) {
        rc = he_file_read(&f, path);
    }
    if (rc == 0) {
        rc = he_cpulist_parse(&s->isolated, f.buf.data, f.buf.len);
        s->has_isolated = rc == 0;
    }
    he_file_fini(&f);
    if (rc == -ENOENT) {
        he_log_debug("cpu: Could not open isolated file", "path", path, NULL);
        return 0;
    }
    if (rc < 0) {
        he_log_debug("cpu: Unable to get isolated cpus", "path", path, "err", strerror(-rc),
                     NULL);
    }
    return rc;
}

static void cpu_emit_isolated(const struct cpu_state *s, struct he_writer *w)
{
    char cpu[8];
    struct he_label l = {"cpu", cpu};
    he_writer_family(w, "node_cpu_isolated",
                     "Whether each core is isolated, information from "
                     "/sys/devices/system/cpu/isolated.",
                     HE_GAUGE);
    for (size_t i = 0; i < s->isolated.n; i++) {
        snprintf(cpu, sizeof(cpu), "%u", (unsigned)s->isolated.ids[i]);
        he_writer_sample(w, &l, 1, 1);
    }
}

static bool cpu_has_core(const struct cpu_state *s, uint64_t package, uint64_t core)
{
    for (size_t i = 0; i < s->ncores; i++) {
        if (s->cores[i].package == package && s->cores[i].core == core) {
            return true;
        }
    }
    return false;
}

static bool cpu_has_package(const struct cpu_state *s, uint64_t package)
{
    for (size_t i = 0; i < s->npkgs; i++) {
        if (s->pkgs[i].package == package) {
            return true;
        }
    }
    return false;
}

/*
 * Reads one cpuN's throttle counters unless a CPU of the same core (package)
 * already gave them: hyperthreads share the count. A failed read leaves the key
 * free for the next sibling, as upstream's maps do.
 */
static int cpu_throttles_of(struct cpu_state *s, const char *cpu)
{
    uint64_t package, core, count;
    if (he_cpu_read_u64(cpu, "topology/physical_package_id", &package) < 0 ||
        he_cpu_read_u64(cpu, "topology/core_id", &core) < 0) {
        he_log_debug("cpu: CPU is missing physical_package_id or core_id", "cpu", cpu, NULL);
        return 0;
    }
    if (!cpu_has_core(s, package, core) &&
        he_cpu_read_u64(cpu, "thermal_throttle/core_throttle_count", &count) == 0) {
        void *items = s->cores;
        if (he_array_grow(&items, &s->cores_cap, s->ncores + 1, sizeof(*s->cores)) < 0) {
            return -ENOMEM;
        }
        s->cores = items;
        s->cores[s->ncores++] = (struct cpu_core_throttle){package, core, count};
    }
    if (!cpu_has_package(s, package) &&
        he_cpu_read_u64(cpu, "thermal_throttle/package_throttle_count", &count) == 0) {
        void *items = s->pkgs;
        if (he_array_grow(&items, &s->pkgs_cap, s->npkgs + 1, sizeof(*s->pkgs)) < 0) {
            return -ENOMEM;
        }
        s->pkgs = items;
        s->pkgs[s->npkgs++] = (struct cpu_pkg_throttle){package, count};
    }
    return 0;
}

static int cpu_collect_throttles(struct cpu_state *s, struct he_writer *w)
{
    char pkg[24], core[24];
    struct he_label l[2] = {{"package", pkg}, {"core", core}};
    s->npkgs = s->ncores = 0;
    for (size_t i = 0; i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        int rc = he_cpu_name_ok(name) ? cpu_throttles_of(s, name) : 0;
        if (rc < 0) {
            return rc;
        }
    }
    he_writer_family(w, "node_cpu_package_throttles_total",
                     "Number of times this CPU package has been throttled.", HE_COUNTER);
    for (size_t i = 0; i < s->npkgs; i++) {
        snprintf(pkg, sizeof(pkg), "%" PRIu64, s->pkgs[i].package);
        he_writer_sample(w, l, 1, (double)s->pkgs[i].count);
    }
    he_writer_family(w, "node_cpu_core_throttles_total",
                     "Number of times this CPU core has been throttled.", HE_COUNTER);
    for (size_t i = 0; i < s->ncores; i++) {
        snprintf(pkg, sizeof(pkg), "%" PRIu64, s->cores[i].package);
        snprintf(core, sizeof(core), "%" PRIu64, s->cores[i].core);
        he_writer_sample(w, l, 2, (double)s->cores[i].count);
    }
    return 0;
}

/* procfs's CPU.Online(): the online file's first 128 bytes, trimmed, equal "1". */
static int cpu_online(const char *cpu, bool *online)
{
    char buf[HE_CPU_ATTR_SIZE];
    int n = he_cpu_read_attr(cpu, "online", buf, HE_CPU_SYSREAD_MAX);
    *online = n == 1 && buf[0] == '1';
    return n < 0 ? n : 0;
}

/*
 * node_cpu_online for every cpuN, unless the first one (in name order) has no
 * online file: upstream takes that as "no hotplug support" and exports nothing.
 * (With no cpuN at all upstream panics; here nothing is exported.)
 */
static void cpu_emit_online(const struct cpu_state *s, struct he_writer *w)
{
    struct he_label l = {"cpu", NULL};
    bool online;
    bool first = true;
    for (size_t i = 0; i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        if (!he_cpu_name_ok(name)) {
            continue;
        }
        int rc = cpu_online(name, &online);
        if (first && rc == -ENOENT) {
            return;
        }
        if (first) {
            he_writer_family(w, "node_cpu_online", "CPUs that are online and being scheduled.",
                             HE_GAUGE);
            first = false;
        }
        l.value = name + 3;
        he_writer_sample(w, &l, 1, online ? 1 : 0);
    }
}

/* ---- collector ----------------------------------------------------------- */

static void cpu_fini(void *state)
{
    struct cpu_state *s = state;
    he_file_fini(&s->stat);
    he_file_fini(&s->cpuinfo);
    he_dir_fini(&s->dir);
    free(s->kept.e);
    free(s->next.e);
    free(s->info);
    free(s->pkgs);
    free(s->cores);
    he_cpulist_fini(&s->isolated);
    he_regex_free(&s->flags_re);
    he_regex_free(&s->bugs_re);
    free(s);
}

/* The info options: an include filter turns --collector.cpu.info on, as upstream. */
static int cpu_init_info(struct cpu_state *s)
{
    char err[256];
    bool filters = (cpu_opts.flags_include && *cpu_opts.flags_include) ||
                   (cpu_opts.bugs_include && *cpu_opts.bugs_include);
    s->info_enabled = cpu_opts.info || filters;
    if (filters && !cpu_opts.info) {
        he_log_info("--collector.cpu.info has been set to `true` because you set the following "
                    "flags, like --collector.cpu.info.flags-include and "
                    "--collector.cpu.info.bugs-include",
                    "collector", "cpu", NULL);
    }
    if (he_regex_compile(&s->flags_re, cpu_opts.flags_include, err, sizeof(err)) < 0 ||
        he_regex_compile(&s->bugs_re, cpu_opts.bugs_include, err, sizeof(err)) < 0) {
        he_log_debug("cpu: bad include filter", "err", err, NULL);
        return -EINVAL;
    }
    struct he_registry_entry *cpufreq = he_registry_find("cpufreq");
    s->cpufreq_enabled = cpufreq && cpufreq->enabled;
    return 0;
}

static int cpu_init(void **state)
{
    struct cpu_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->stat, true, CPU_READ_LIMIT);
    he_file_init(&s->cpuinfo, true, CPU_READ_LIMIT);
    he_dir_init(&s->dir);
    he_cpulist_init(&s->isolated);
    int rc = cpu_init_info(s);
    if (rc == 0) {
        rc = cpu_read_isolated(s);
    }
    if (rc < 0) {
        cpu_fini(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* In upstream's order: info, /proc/stat (a failure of either ends the scrape), then sysfs. */
static int cpu_collect(void *state, struct he_writer *w)
{
    struct cpu_state *s = state;
    char path[4096];
    int rc = s->info_enabled ? cpu_collect_info(s, w) : 0;
    if (rc == 0) {
        rc = cpu_collect_stat(s, w);
    }
    if (rc < 0) {
        return rc;
    }
    if (s->has_isolated) {
        cpu_emit_isolated(s, w);
    }
    if (he_path_sys(path, sizeof(path), "devices/system/cpu") < 0 ||
        he_dir_read(&s->dir, path) < 0) {
        s->dir.n = 0; /* upstream's Glob finds nothing */
    }
    rc = cpu_collect_throttles(s, w);
    if (rc == 0) {
        cpu_emit_online(s, w);
    }
    return rc;
}

static const struct he_collector cpu_collector = {
    .name = "cpu",
    .default_enabled = true,
    .flags = cpu_flags,
    .init = cpu_init,
    .collect = cpu_collect,
    .fini = cpu_fini,
};

HE_COLLECTOR_REGISTER(cpu_collector)
