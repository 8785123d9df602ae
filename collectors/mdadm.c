/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mdadm: Linux software RAID (md) arrays, as node_exporter 1.12.1's
 * collector/mdadm_linux.go with procfs's MDStat (mdstat.go) and sysfs Mdraids
 * (sysfs/mdraid.go).
 *
 * Reads <procfs>/mdstat, the text drivers/md/md.c's md_seq_show prints: per
 * array a device line ("md1 : active raid1 sdb1[1] sda1[0](F)"), a status line
 * ("  1046528 blocks super 1.2 [2/1] [U_]"), an optional resync line before an
 * optional bitmap line, then a blank line. Emits per array, labelled device:
 *   node_md_disks_required    disks the array needs ([n/m]: n; raid0/linear: the
 *                             members listed; inactive: 0)
 *   node_md_disks{state}      active (m of [n/m]), failed ("(F)"), spare ("(S)")
 *   node_md_state{state}      1 for the one of active, inactive, recovering,
 *                             resync, check the array is in (a resync line beats
 *                             the device line's word; reshape and broken arrays
 *                             have all five at 0, as upstream)
 *   node_md_blocks            1 KiB blocks of the array
 *   node_md_blocks_synced     blocks done of a running resync/recovery/check/
 *                             reshape (0 while PENDING or DELAYED), else blocks
 * Then, for every <sysfs>/block/md<N>/md directory (Documentation/admin-guide/md.rst):
 *   node_md_raid_disks        md/raid_disks
 *   node_md_degraded          md/degraded (raid1/4/5/6/10; 0 for other levels)
 *
 * As upstream, any mdstat line procfs cannot parse fails the whole file (nothing
 * from it is emitted); a missing mdstat is -ENODATA and skips sysfs. Every sysfs
 * attribute procfs reads (level, array_state, metadata_version, raid_disks, uuid,
 * dev-<name>/state, chunk_size, degraded, sync_action, sync_completed) must be
 * readable, or no node_md_raid_disks/degraded series is emitted and the collector
 * fails after the mdstat series.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_sysread.h"

/* One array of /proc/mdstat as procfs's MDStat holds it (the fields upstream exports). */
struct md_array {
    size_t name;                /* offset of the NUL-terminated name in names */
    struct he_field state;      /* ActivityState */
    int64_t active, total, failed, spare, size, synced;
};

/* One <sysfs>/block/md<N>/md directory. */
struct md_raid {
    size_t name;
    uint64_t disks, degraded;
};

struct mdadm_state {
    struct he_file file;
    struct he_field *lines;     /* mdstat split at '\n', as strings.Split */
    size_t nlines, lines_cap;
    struct he_field *known;     /* personalities from the first "Personalities : " line */
    size_t nknown, known_cap;
    bool have_known;
    struct md_array *md;
    size_t nmd, md_cap;
    struct md_raid *raid;
    size_t nraid, raid_cap;
    struct he_buf names;        /* device names, NUL-terminated, back to back */
    struct he_dir block, dir;
};

/* ---- text helpers with Go's semantics (strings.Contains, Count, Fields) ---- */

static bool md_contains(struct he_field f, const char *s)
{
    return memmem(f.p, f.len, s, strlen(s)) != NULL;
}

static int64_t md_count(struct he_field f, const char *s)
{
    size_t n = strlen(s);
    int64_t c = 0;
    const char *p = f.p;
    const char *end = f.p + f.len;
    const char *hit;
    while ((hit = memmem(p, (size_t)(end - p), s, n)) != NULL) {
        c++;
        p = hit + n;
    }
    return c;
}

static bool md_has_prefix(struct he_field f, const char *s)
{
    size_t n = strlen(s);
    return f.len >= n && memcmp(f.p, s, n) == 0;
}

/* The next strings.Fields field of f at or after *pos; false at the end. */
static bool md_next_field(struct he_field f, size_t *pos, struct he_field *out)
{
    size_t i = *pos;
    size_t k;
    while (i < f.len && (k = he_go_space_at(f.p + i, f.len - i)) > 0) {
        i += k;
    }
    if (i >= f.len) {
        *pos = i;
        return false;
    }
    size_t start = i;
    while (i < f.len && he_go_space_at(f.p + i, f.len - i) == 0) {
        i++;
    }
    *out = (struct he_field){f.p + start, i - start};
    *pos = i;
    return true;
}

static bool md_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of the run of digits at p (at most n bytes). */
static size_t md_digits(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && md_is_digit(p[i])) {
        i++;
    }
    return i;
}

/* ---- mdstat parsing, procfs's parseMDStat ---- */

static int md_split_lines(struct mdadm_state *s)
{
    const char *p = s->file.buf.data;
    const char *end = p + s->file.buf.len;
    s->nlines = 0;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (he_array_grow((void **)&s->lines, &s->lines_cap, s->nlines + 1,
                          sizeof(*s->lines)) < 0) {
            return -ENOMEM;
        }
        s->lines[s->nlines++] = (struct he_field){p, (size_t)(stop - p)};
        if (!nl) {
            return 0;
        }
        p = nl + 1;
    }
}

/*
 * The "Personalities : [raid1] [linear] " line: each word without its first and
 * last byte is a known RAID type. A one-byte word makes upstream slice out of
 * range and panic; here it is an error.
 */
static int md_personalities(struct mdadm_state *s, struct he_field line)
{
    static const char prefix[] = "Personalities : ";
    struct he_field rest = {line.p + sizeof(prefix) - 1, line.len - (sizeof(prefix) - 1)};
    struct he_field w;
    size_t pos = 0;
    while (md_next_field(rest, &pos, &w)) {
        if (w.len < 2) {
            return -EINVAL;
        }
        if (he_array_grow((void **)&s->known, &s->known_cap, s->nknown + 1,
                          sizeof(*s->known)) < 0) {
            return -ENOMEM;
        }
        s->known[s->nknown++] = (struct he_field){w.p + 1, w.len - 2};
        s->have_known = true;
    }
    return 0;
}

/* isRaidType: a listed personality with neither '(' nor '['. */
static bool md_raid_type(const struct mdadm_state *s, struct he_field f)
{
    if (memchr(f.p, '(', f.len) || memchr(f.p, '[', f.len)) {
        return false;
    }
    for (size_t i = 0; i < s->nknown; i++) {
        if (s->known[i].len == f.len && memcmp(s->known[i].p, f.p, f.len) == 0) {
            return true;
        }
    }
    return false;
}

/* Length of "[d+/d+] [[U_]+]" at p, or 0 when it does not start there. */
static size_t md_bracket_at(const char *p, size_t n, struct he_field cap[3])
{
    size_t i = 0;
    for (int k = 0; k < 2; k++) {
        if (i >= n || p[i] != (k == 0 ? '[' : '/')) {
            return 0;
        }
        size_t d = md_digits(p + i + 1, n - i - 1);
        if (d == 0) {
            return 0;
        }
        cap[k] = (struct he_field){p + i + 1, d};
        i += 1 + d;
    }
    if (n - i < 3 || p[i] != ']' || p[i + 1] != ' ' || p[i + 2] != '[') {
        return 0;
    }
    i += 3;
    size_t u = 0;
    while (i + u < n && (p[i + u] == 'U' || p[i + u] == '_')) {
        u++;
    }
    if (u == 0 || i + u >= n || p[i + u] != ']') {
        return 0;
    }
    cap[2] = (struct he_field){p + i, u};
    return i + u + 1;
}

/*
 * statusLineRE `(\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\]`: after the first
 * " blocks " that follows a digit, the last bracket pair (greedy .*).
 */
static int md_status_regex(struct he_field st, struct he_field cap[3])
{
    const char *from = st.p;
    const char *end = st.p + st.len;
    const char *b;
    while ((b = memmem(from, (size_t)(end - from), " blocks ", 8)) != NULL) {
        if (b > st.p && md_is_digit(b[-1])) {
            break;
        }
        from = b + 1;
    }
    if (!b) {
        return -EINVAL;
    }
    for (const char *q = end; q-- > b + 8;) {
        if (*q == '[' && md_bracket_at(q, (size_t)(end - q), cap) > 0) {
            return 0;
        }
    }
    return -EINVAL;
}

/* evalStatusLine: disks and size from the device and status lines. */
static int md_eval_status(struct he_field dev, struct he_field st, struct md_array *a)
{
    struct he_field f;
    size_t pos = 0;
    if (!md_next_field(st, &pos, &f) || he_parse_i64(f, &a->size) < 0) {
        return -EINVAL;
    }
    if (md_contains(dev, "raid0") || md_contains(dev, "linear")) {
        a->total = a->active = md_count(dev, "[");
        return 0;
    }
    if (md_contains(dev, "inactive")) {
        a->total = a->active = 0;
        return 0;
    }
    struct he_field cap[3];
    if (md_status_regex(st, cap) < 0 || he_parse_i64(cap[0], &a->total) < 0 ||
        he_parse_i64(cap[1], &a->active) < 0) {
        return -EINVAL;
    }
    return 0;
}

/* Where suffix occurs last in line at or after from, or NULL; '\0' means any of A-Z. */
static const char *md_last(struct he_field line, const char *from, const char *suffix)
{
    size_t n = strlen(suffix);
    const char *end = line.p + line.len;
    for (const char *q = end; q-- > from;) {
        if (n == 0 ? (*q >= 'A' && *q <= 'Z')
                   : ((size_t)(end - q) >= n && memcmp(q, suffix, n) == 0)) {
            return q;
        }
    }
    return NULL;
}

/*
 * `prefix(.+)suffix` with a greedy .+: from the first prefix to the last suffix
 * at least one byte later, then parsed as ParseFloat (after TrimSpace if trim).
 */
static int md_float_after(struct he_field line, const char *prefix, const char *suffix, bool trim)
{
    size_t n = strlen(prefix);
    const char *k = memmem(line.p, line.len, prefix, n);
    if (!k) {
        return -EINVAL;
    }
    const char *j = md_last(line, k + n + 1, suffix);
    if (!j) {
        return -EINVAL;
    }
    struct he_field cap = {k + n, (size_t)(j - (k + n))};
    double v;
    return he_parse_double(trim ? he_go_trim_space(cap) : cap, &v);
}

/* evalRecoveryLine: the synced blocks of "(synced/total)", then the numbers procfs checks. */
static int md_eval_recovery(struct he_field line, int64_t *synced)
{
    const char *end = line.p + line.len;
    const char *q = line.p;
    struct he_field a = {0}, b = {0};
    for (; q < end; q++) {
        if (*q != '(') {
            continue;
        }
        size_t d1 = md_digits(q + 1, (size_t)(end - q - 1));
        const char *sl = q + 1 + d1;
        if (d1 == 0 || sl >= end || *sl != '/') {
            continue;
        }
        size_t d2 = md_digits(sl + 1, (size_t)(end - sl - 1));
        if (d2 > 0 && sl + 1 + d2 < end && sl[1 + d2] == ')') {
            a = (struct he_field){q + 1, d1};
            b = (struct he_field){sl + 1, d2};
            break;
        }
    }
    int64_t total;
    if (q >= end || he_parse_i64(a, synced) < 0 || he_parse_i64(b, &total) < 0) {
        return -EINVAL;
    }
    if (md_float_after(line, "= ", "%", true) < 0 ||
        md_float_after(line, "finish=", "min", false) < 0 ||
        md_float_after(line, "speed=", "", false) < 0) {
        return -EINVAL;
    }
    return 0;
}

/*
 * evalComponentDevices: in each field from start on, the last "[n]" (greedy
 * `(.*)\[(\d+)\]`) must hold an int32, or procfs fails the file.
 */
static int md_eval_components(struct he_field dev, size_t start)
{
    struct he_field f;
    size_t pos = 0;
    for (size_t i = 0; md_next_field(dev, &pos, &f); i++) {
        if (i < start) {
            continue;
        }
        for (const char *q = f.p + f.len; q-- > f.p;) {
            size_t d = *q == '[' ? md_digits(q + 1, (size_t)(f.p + f.len - q - 1)) : 0;
            if (d == 0 || q + 1 + d >= f.p + f.len || q[1 + d] != ']') {
                continue;
            }
            int64_t v;
            if (he_parse_i64((struct he_field){q + 1, d}, &v) < 0 || v > INT32_MAX) {
                return -EINVAL;
            }
            break;
        }
    }
    return 0;
}

/* The sync line's state and synced blocks, as parseMDStat sets them. */
static int md_eval_sync(struct he_field sl, struct md_array *a)
{
    bool recovering = md_contains(sl, "recovery");
    bool reshaping = md_contains(sl, "reshape");
    bool resyncing = md_contains(sl, "resync");
    bool checking = md_contains(sl, "check");
    a->synced = a->size;
    if (!(recovering || resyncing || checking || reshaping)) {
        return 0;
    }
    const char *st = recovering ? "recovering"
                     : reshaping ? "reshaping"
                     : checking  ? "checking"
                                 : "resyncing";
    a->state = (struct he_field){st, strlen(st)};
    if (md_contains(sl, "PENDING") || md_contains(sl, "DELAYED")) {
        a->synced = 0;
        return 0;
    }
    return md_eval_recovery(sl, &a->synced);
}

/* Stores name as a C string in s->names; its offset in *off. */
static int md_store_name(struct mdadm_state *s, struct he_field name, size_t *off)
{
    *off = s->names.len;
    if (he_buf_append(&s->names, name.p, name.len) < 0 || he_buf_putc(&s->names, '\0') < 0) {
        return -ENOMEM;
    }
    return 0;
}

/* Type detection only decides where component devices start (deviceStartIndex). */
static size_t md_device_start(const struct mdadm_state *s, const struct he_field *f, size_t nf)
{
    if (nf > 3 && md_raid_type(s, f[3])) {
        return 4;
    }
    if (nf > 4 && md_raid_type(s, f[4])) {
        return 5;
    }
    return 0;
}

/* One array whose device line is lines[i]. */
static int md_parse_array(struct mdadm_state *s, size_t i, struct md_array *a)
{
    struct he_field dev = s->lines[i];
    struct he_field f[5];
    size_t nf = he_go_fields(dev, f, 5);
    if (nf < 3 || s->nlines <= i + 3) {
        return -EINVAL;
    }
    a->state = f[2];
    a->failed = md_count(dev, "(F)");
    a->spare = md_count(dev, "(S)");
    if (md_eval_status(dev, s->lines[i + 1], a) < 0) {
        return -EINVAL;
    }
    size_t sync = md_contains(s->lines[i + 2], "bitmap") ? i + 3 : i + 2;
    if (md_eval_sync(s->lines[sync], a) < 0 ||
        md_eval_components(dev, md_device_start(s, f, nf < 5 ? nf : 5)) < 0) {
        return -EINVAL;
    }
    return md_store_name(s, f[0], &a->name);
}

/* Lines parseMDStat passes over. */
static bool md_skip_line(struct he_field line)
{
    return he_go_trim_space(line).len == 0 || line.p[0] == ' ' || md_has_prefix(line, "unused");
}

/* parseMDStat over the whole file: every array, or an error and none. */
static int md_parse(struct mdadm_state *s)
{
    s->nmd = 0;
    s->nknown = 0;
    s->have_known = false;
    if (md_split_lines(s) < 0) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < s->nlines; i++) {
        struct he_field line = s->lines[i];
        if (md_skip_line(line)) {
            continue;
        }
        if (!s->have_known && md_has_prefix(line, "Personalities : ")) {
            if (md_personalities(s, line) < 0) {
                return -EINVAL;
            }
            continue;
        }
        if (he_array_grow((void **)&s->md, &s->md_cap, s->nmd + 1, sizeof(*s->md)) < 0) {
            return -ENOMEM;
        }
        struct md_array *a = &s->md[s->nmd];
        memset(a, 0, sizeof(*a));
        int rc = md_parse_array(s, i, a);
        if (rc < 0) {
            return rc;
        }
        s->nmd++;
    }
    return 0;
}

/* ---- sysfs, procfs's Mdraids ---- */

/* <sysfs>/block/<dev>/md/<file> into out (PATH_MAX bytes). */
static int md_sys_path(char *out, const char *dev, const char *file)
{
    char rel[PATH_MAX];
    size_t n = strlen(dev);
    if (n + sizeof("block//md") >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    memcpy(rel, "block/", 6);
    memcpy(rel + 6, dev, n);
    memcpy(rel + 6 + n, "/md", 4);
    return he_sysread_path(out, rel, file);
}

static int md_sys_string(const char *dev, const char *file, char out[HE_SYSREAD_MAX + 1])
{
    char path[PATH_MAX];
    int rc = md_sys_path(path, dev, file);
    return rc < 0 ? rc : he_sysread(path, out);
}

static int md_sys_u64(const char *dev, const char *file, uint64_t *out)
{
    char path[PATH_MAX];
    int rc = md_sys_path(path, dev, file);
    return rc < 0 ? rc : he_sysread_u64(path, out);
}

/* fmt.Sscanf(val, "%d / %d", &a, &b) into two uint64s: 0 or -EINVAL. */
static int md_scan_fraction(const char *v)
{
    uint64_t x;
    for (int k = 0; k < 2; k++) {
        while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\v' || *v == '\f') {
            v++;
        }
        size_t d = md_digits(v, strlen(v));
        if (d == 0 || he_parse_u64((struct he_field){v, d}, &x) < 0) {
            return -EINVAL;
        }
        v += d;
        if (k == 1) {
            return 0;
        }
        /* " / ": each format space wants at least one input space. */
        if (*v != ' ' && *v != '\t') {
            return -EINVAL;
        }
        while (*v == ' ' || *v == '\t') {
            v++;
        }
        if (*v != '/' || (v[1] != ' ' && v[1] != '\t')) {
            return -EINVAL;
        }
        v++;
    }
    return 0;
}

/* Every dev-* component's state must be readable (glob errors are ignored, as Go's). */
static int md_sys_components(struct mdadm_state *s, const char *dev)
{
    char path[PATH_MAX];
    char val[HE_SYSREAD_MAX + 1];
    int rc = md_sys_path(path, dev, NULL);
    if (rc < 0 || he_dir_read(&s->dir, path) < 0) {
        return rc;
    }
    for (size_t i = 0; i < s->dir.n; i++) {
        const char *name = he_dir_name(&s->dir, i);
        char file[NAME_MAX + 16];
        if (strncmp(name, "dev-", 4) != 0) {
            continue;
        }
        snprintf(file, sizeof(file), "%s/state", name);
        rc = md_sys_string(dev, file, val);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static bool md_level_in(const char *level, const char *const *set)
{
    for (; *set; set++) {
        if (strcmp(level, *set) == 0) {
            return true;
        }
    }
    return false;
}

/* The redundancy attributes of raid1/4/5/6/10. */
static int md_sys_redundancy(const char *dev, struct md_raid *r)
{
    char val[HE_SYSREAD_MAX + 1];
    int rc = md_sys_u64(dev, "degraded", &r->degraded);
    if (rc == 0) {
        rc = md_sys_string(dev, "sync_action", val);
    }
    if (rc >= 0) {
        rc = md_sys_string(dev, "sync_completed", val);
    }
    if (rc >= 0 && strcmp(val, "none") != 0) {
        rc = md_scan_fraction(val);
    }
    return rc < 0 ? rc : 0;
}

/* One md directory, read in procfs's order. */
static int md_sys_raid(struct mdadm_state *s, const char *dev, struct md_raid *r)
{
    static const char *const chunked[] = {"raid0", "raid4", "raid5", "raid6", "raid10", NULL};
    static const char *const redundant[] = {"raid1", "raid4", "raid5", "raid6", "raid10", NULL};
    char level[HE_SYSREAD_MAX + 1];
    char val[HE_SYSREAD_MAX + 1];
    uint64_t chunk;
    int rc = md_sys_string(dev, "level", level);
    if (rc >= 0) {
        rc = md_sys_string(dev, "array_state", val);
    }
    if (rc >= 0) {
        rc = md_sys_string(dev, "metadata_version", val);
    }
    if (rc >= 0) {
        rc = md_sys_u64(dev, "raid_disks", &r->disks);
    }
    if (rc >= 0) {
        rc = md_sys_string(dev, "uuid", val);
    }
    if (rc >= 0) {
        rc = md_sys_components(s, dev);
    }
    if (rc >= 0 && md_level_in(level, chunked)) {
        rc = md_sys_u64(dev, "chunk_size", &chunk);
    }
    r->degraded = 0;
    if (rc >= 0 && md_level_in(level, redundant)) {
        rc = md_sys_redundancy(dev, r);
    }
    return rc < 0 ? rc : 0;
}

/* filepath.Glob of block/md<N>/md, then every array; any error drops them all. */
static int md_sys_collect(struct mdadm_state *s)
{
    char path[PATH_MAX];
    s->nraid = 0;
    if (he_sysread_path(path, "block", NULL) < 0 || he_dir_read(&s->block, path) < 0) {
        return 0; /* Glob ignores a missing or unreadable directory */
    }
    for (size_t i = 0; i < s->block.n; i++) {
        const char *dev = he_dir_name(&s->block, i);
        struct stat st;
        if (strncmp(dev, "md", 2) != 0 || md_sys_path(path, dev, NULL) < 0 ||
            lstat(path, &st) < 0) {
            continue;
        }
        if (he_array_grow((void **)&s->raid, &s->raid_cap, s->nraid + 1, sizeof(*s->raid)) < 0) {
            return -ENOMEM;
        }
        struct md_raid *r = &s->raid[s->nraid];
        int rc = md_sys_raid(s, dev, r);
        if (rc == 0) {
            rc = md_store_name(s, (struct he_field){dev, strlen(dev)}, &r->name);
        }
        if (rc < 0) {
            he_log_debug("mdadm: cannot read md sysfs attributes", "device", dev, NULL);
            return rc;
        }
        s->nraid++;
    }
    return 0;
}

/* ---- output ---- */

static void md_emit_state(struct he_writer *w, const struct md_array *a, const char *dev)
{
    /* node_md_state's label and the ActivityState procfs reports differ for two states. */
    static const char *const map[][2] = {
        {"active", "active"},         {"inactive", "inactive"}, {"recovering", "recovering"},
        {"resync", "resyncing"},      {"check", "checking"},
    };
    he_writer_family(w, "node_md_state", "Indicates the state of md-device.", HE_GAUGE);
    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
        bool on = a->state.len == strlen(map[k][1]) &&
                  memcmp(a->state.p, map[k][1], a->state.len) == 0;
        struct he_label l[2] = {{"device", dev}, {"state", map[k][0]}};
        he_writer_sample(w, l, 2, on ? 1 : 0);
    }
}

static void md_emit_array(struct he_writer *w, const struct md_array *a, const char *dev)
{
    struct he_label l[2] = {{"device", dev}, {"state", NULL}};
    he_writer_family(w, "node_md_disks_required", "Total number of disks of device.", HE_GAUGE);
    he_writer_sample(w, l, 1, (double)a->total);
    he_writer_family(w, "node_md_disks", "Number of active/failed/spare disks of device.",
                     HE_GAUGE);
    l[1].value = "active";
    he_writer_sample(w, l, 2, (double)a->active);
    l[1].value = "failed";
    he_writer_sample(w, l, 2, (double)a->failed);
    l[1].value = "spare";
    he_writer_sample(w, l, 2, (double)a->spare);
    md_emit_state(w, a, dev);
    he_writer_family(w, "node_md_blocks", "Total number of blocks on device.", HE_GAUGE);
    he_writer_sample(w, l, 1, (double)a->size);
    he_writer_family(w, "node_md_blocks_synced", "Number of blocks synced on device.", HE_GAUGE);
    he_writer_sample(w, l, 1, (double)a->synced);
}

static void md_emit_raids(struct mdadm_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->nraid; i++) {
        struct he_label l = {"device", s->names.data + s->raid[i].name};
        he_writer_family(w, "node_md_raid_disks", "Number of raid disks on device.", HE_GAUGE);
        he_writer_sample(w, &l, 1, (double)s->raid[i].disks);
        he_writer_family(w, "node_md_degraded", "Number of degraded disks on device.", HE_GAUGE);
        he_writer_sample(w, &l, 1, (double)s->raid[i].degraded);
    }
}

static int mdadm_collect(void *state, struct he_writer *w)
{
    struct mdadm_state *s = state;
    char path[PATH_MAX];
    he_buf_reset(&s->names);
    int rc = he_path_proc(path, sizeof(path), "mdstat");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("mdadm: not collecting mdstat, file does not exist", "path", path, NULL);
        return -ENODATA;
    }
    if (rc == 0) {
        rc = md_parse(s);
    }
    if (rc < 0) {
        he_log_debug("mdadm: cannot parse", "path", path, NULL);
        return rc;
    }
    for (size_t i = 0; i < s->nmd; i++) {
        md_emit_array(w, &s->md[i], s->names.data + s->md[i].name);
    }
    rc = md_sys_collect(s);
    if (rc < 0) {
        return rc == -ENOENT ? -ENODATA : rc;
    }
    md_emit_raids(s, w);
    return 0;
}

static int mdadm_init(void **state)
{
    struct mdadm_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    he_buf_init(&s->names, 0);
    he_dir_init(&s->block);
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void mdadm_fini(void *state)
{
    struct mdadm_state *s = state;
    he_file_fini(&s->file);
    he_buf_free(&s->names);
    he_dir_fini(&s->block);
    he_dir_fini(&s->dir);
    free(s->lines);
    free(s->known);
    free(s->md);
    free(s->raid);
    free(s);
}

static const struct he_collector mdadm_collector = {
    .name = "mdadm",
    .default_enabled = true,
    .init = mdadm_init,
    .collect = mdadm_collect,
    .fini = mdadm_fini,
};

HE_COLLECTOR_REGISTER(mdadm_collector)
