/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xfs: node_xfs_* counters per mounted XFS filesystem from
 * <sysfs>/fs/xfs/<device>/stats/stats (kernel 4.4+; fs/xfs/xfs_stats.c writes
 * one "label v1 v2 ..." line per group). Mirrors node_exporter's
 * collector/xfs_linux.go over procfs xfs/xfs.go (SysStats) and xfs/parse.go.
 *
 * Devices are what upstream's glob "fs/xfs/(star)/stats/stats" finds, in name
 * order; the device label is the directory name. The 39 families come from the
 * groups extent_alloc, abt, blk_map, bmbt, dir, ig, rw and vnodes, all
 * counters.
 *
 * As procfs: lines with fewer than two fields are skipped; every other line
 * must be all unsigned 32-bit numbers (xpc: 64-bit, exactly three), and the
 * groups procfs decodes must have its exact count of values, so a malformed
 * line in any device's file fails the scrape before anything is emitted. An
 * empty file gives zeros, and no fs/xfs at all gives nothing (success).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
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

/* The groups whose values are exported; index into struct xfs_stats.v. */
enum xfs_group {
    XFS_EXTENT_ALLOC,
    XFS_ABT,
    XFS_BLK_MAP,
    XFS_BMBT,
    XFS_DIR,
    XFS_IG,
    XFS_RW,
    XFS_VNODES,
    XFS_NGROUPS,
};

#define XFS_MAXVALS 8

/* One device's exported values, zero where its file lacks a group. */
struct xfs_stats {
    size_t name_at; /* device name in the state's strings */
    uint32_t v[XFS_NGROUPS][XFS_MAXVALS];
};

/*
 * Value counts procfs insists on for the groups it decodes (min..max), whether
 * exported or not; group is the exported slot or -1.
 */
struct xfs_shape {
    const char *label;
    unsigned min, max;
    int group;
};

static const struct xfs_shape xfs_shapes[] = {
    {"extent_alloc", 4, 4, XFS_EXTENT_ALLOC},
    {"abt", 4, 4, XFS_ABT},
    {"blk_map", 7, 7, XFS_BLK_MAP},
    {"bmbt", 4, 4, XFS_BMBT},
    {"dir", 4, 4, XFS_DIR},
    {"trans", 3, 3, -1},
    {"ig", 7, 7, XFS_IG},
    {"log", 5, 5, -1},
    {"rw", 2, 2, XFS_RW},
    {"attr", 4, 4, -1},
    {"icluster", 3, 3, -1},
    {"vnodes", 7, 8, XFS_VNODES},
    {"buf", 9, 9, -1},
    {"push_ail", 10, 10, -1},
    {"xstrat", 2, 2, -1},
    {"abtb2", 15, 15, -1},
    {"abtc2", 15, 15, -1},
    {"bmbt2", 15, 15, -1},
    {"ibt2", 15, 15, -1},
    {"qm", 8, 9, -1},
    {"debug", 1, 1, -1},
};

struct xfs_metric {
    const char *name;
    const char *help;
    enum xfs_group group;
    unsigned index;
};

/* node_exporter's list, in its order (HELP texts verbatim, typos included). */
static const struct xfs_metric xfs_metrics[] = {
    {"node_xfs_extent_allocation_extents_allocated_total",
     "Number of extents allocated for a filesystem.", XFS_EXTENT_ALLOC, 0},
    {"node_xfs_extent_allocation_blocks_allocated_total",
     "Number of blocks allocated for a filesystem.", XFS_EXTENT_ALLOC, 1},
    {"node_xfs_extent_allocation_extents_freed_total", "Number of extents freed for a filesystem.",
     XFS_EXTENT_ALLOC, 2},
    {"node_xfs_extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem.",
     XFS_EXTENT_ALLOC, 3},
    {"node_xfs_allocation_btree_lookups_total",
     "Number of allocation B-tree lookups for a filesystem.", XFS_ABT, 0},
    {"node_xfs_allocation_btree_compares_total",
     "Number of allocation B-tree compares for a filesystem.", XFS_ABT, 1},
    {"node_xfs_allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem.", XFS_ABT, 2},
    {"node_xfs_allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem.", XFS_ABT, 3},
    {"node_xfs_block_mapping_reads_total",
     "Number of block map for read operations for a filesystem.", XFS_BLK_MAP, 0},
    {"node_xfs_block_mapping_writes_total",
     "Number of block map for write operations for a filesystem.", XFS_BLK_MAP, 1},
    {"node_xfs_block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem.",
     XFS_BLK_MAP, 2},
    {"node_xfs_block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem.", XFS_BLK_MAP, 3},
    {"node_xfs_block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem.", XFS_BLK_MAP, 4},
    {"node_xfs_block_mapping_extent_list_lookups_total",
     "Number of extent list lookups for a filesystem.", XFS_BLK_MAP, 5},
    {"node_xfs_block_mapping_extent_list_compares_total",
     "Number of extent list compares for a filesystem.", XFS_BLK_MAP, 6},
    {"node_xfs_block_map_btree_lookups_total",
     "Number of block map B-tree lookups for a filesystem.", XFS_BMBT, 0},
    {"node_xfs_block_map_btree_compares_total",
     "Number of block map B-tree compares for a filesystem.", XFS_BMBT, 1},
    {"node_xfs_block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem.", XFS_BMBT, 2},
    {"node_xfs_block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem.", XFS_BMBT, 3},
    {"node_xfs_directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems "
     "directory name "
     "lookup cache.",
     XFS_DIR, 0},
    {"node_xfs_directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem.", XFS_DIR, 1},
    {"node_xfs_directory_operation_remove_total",
     "Number of times an existing directory entry was created for a "
     "filesystem.",
     XFS_DIR, 2},
    {"node_xfs_directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a "
     "filesystem.",
     XFS_DIR, 3},
    {"node_xfs_inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache.", XFS_IG, 0},
    {"node_xfs_inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode "
     "cache.",
     XFS_IG, 1},
    {"node_xfs_inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not "
     "use it as it was "
     "being recycled.",
     XFS_IG, 2},
    {"node_xfs_inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not "
     "find it.",
     XFS_IG, 3},
    {"node_xfs_inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode "
     "cache, but found it "
     "had already been added by another process.",
     XFS_IG, 4},
    {"node_xfs_inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to "
     "free memory for "
     "another purpose.",
     XFS_IG, 5},
    {"node_xfs_inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS "
     "inode.",
     XFS_IG, 6},
    /* The kernel prints "rw <writes> <reads>" (xs_write_calls first in
       xfs_stats.h). */
    {"node_xfs_read_calls_total", "Number of read(2) system calls made to files in a filesystem.",
     XFS_RW, 1},
    {"node_xfs_write_calls_total", "Number of write(2) system calls made to files in a filesystem.",
     XFS_RW, 0},
    {"node_xfs_vnode_active_total", "Number of vnodes not on free lists for a filesystem.",
     XFS_VNODES, 0},
    {"node_xfs_vnode_allocate_total", "Number of times vn_alloc called for a filesystem.",
     XFS_VNODES, 1},
    {"node_xfs_vnode_get_total", "Number of times vn_get called for a filesystem.", XFS_VNODES, 2},
    {"node_xfs_vnode_hold_total", "Number of times vn_hold called for a filesystem.", XFS_VNODES,
     3},
    {"node_xfs_vnode_release_total", "Number of times vn_rele called for a filesystem.", XFS_VNODES,
     4},
    {"node_xfs_vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem.",
     XFS_VNODES, 5},
    {"node_xfs_vnode_remove_total", "Number of times vn_remove called for a filesystem.",
     XFS_VNODES, 6},
};

#define XFS_NMETRICS (sizeof(xfs_metrics) / sizeof(xfs_metrics[0]))
#define XFS_NSHAPES (sizeof(xfs_shapes) / sizeof(xfs_shapes[0]))

/* bufio.Scanner's default limit: a longer line is an error upstream. */
#define XFS_MAX_LINE (64 * 1024)

struct xfs_state {
    struct he_dir dir;
    struct he_file file;
    struct xfs_stats *devs; /* grown to the most devices seen */
    size_t ndevs, cap;
    struct he_buf names; /* device names, NUL-terminated */
};

static int xfs_init(void **state)
{
    struct xfs_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    he_file_init(&s->file, false, 1024 * 1024);
    he_buf_init(&s->names, 0);
    *state = s;
    return 0;
}

static void xfs_fini(void *state)
{
    struct xfs_state *s = state;
    he_dir_fini(&s->dir);
    he_file_fini(&s->file);
    he_buf_free(&s->names);
    free(s->devs);
    free(s);
}

/* The next Go white-space separated field of *rest, or false at the end. */
static bool xfs_next_field(struct he_field *rest, struct he_field *out)
{
    const char *p = rest->p;
    const char *end = p + rest->len;
    size_t n;
    while (p < end && (n = he_go_space_at(p, (size_t)(end - p))) > 0) {
        p += n;
    }
    const char *start = p;
    while (p < end && he_go_space_at(p, (size_t)(end - p)) == 0) {
        p++;
    }
    *rest = (struct he_field){p, (size_t)(end - p)};
    *out = (struct he_field){start, (size_t)(p - start)};
    return out->len > 0;
}

/* The shape procfs checks for label, or NULL for a line it only validates. */
static const struct xfs_shape *xfs_shape_of(struct he_field label)
{
    for (size_t i = 0; i < XFS_NSHAPES; i++) {
        if (he_field_eq(label, xfs_shapes[i].label)) {
            return &xfs_shapes[i];
        }
    }
    return NULL;
}

/*
 * Parses the values after the label into vals (the first XFS_MAXVALS kept) and
 * counts them: strconv.ParseUint(v, 10, 32), or 64 bits for xpc. 0 or -EINVAL.
 */
static int xfs_parse_values(struct he_field rest, bool wide, uint32_t *vals, unsigned *count)
{
    struct he_field f;
    unsigned n = 0;
    while (xfs_next_field(&rest, &f)) {
        uint64_t v;
        if (he_parse_u64(f, &v) < 0 || (!wide && v > UINT32_MAX)) {
            return -EINVAL;
        }
        if (n < XFS_MAXVALS) {
            vals[n] = (uint32_t)v;
        }
        n++;
    }
    *count = n;
    return 0;
}

/* Applies one line to d. 0, or -EINVAL when procfs would fail the parse. */
static int xfs_parse_line(struct he_field line, struct xfs_stats *d)
{
    struct he_field rest = line;
    struct he_field label;
    struct he_field f;
    if (!xfs_next_field(&rest, &label)) {
        return 0;
    }
    struct he_field probe = rest;
    if (!xfs_next_field(&probe, &f)) {
        return 0; /* fewer than two fields */
    }
    uint32_t vals[XFS_MAXVALS] = {0};
    unsigned n;
    bool xpc = he_field_eq(label, "xpc");
    if (xfs_parse_values(rest, xpc, vals, &n) < 0) {
        return -EINVAL;
    }
    if (xpc) {
        return n == 3 ? 0 : -EINVAL;
    }
    const struct xfs_shape *shape = xfs_shape_of(label);
    if (!shape) {
        return 0;
    }
    if (n < shape->min || n > shape->max) {
        return -EINVAL;
    }
    if (shape->group >= 0) {
        memset(d->v[shape->group], 0, sizeof(d->v[shape->group]));
        memcpy(d->v[shape->group], vals, n * sizeof(vals[0]));
    }
    return 0;
}

/* Parses a whole stats file into d. 0 or -EINVAL. */
static int xfs_parse(const char *text, size_t len, struct xfs_stats *d)
{
    struct he_lines it;
    struct he_field line;
    memset(d->v, 0, sizeof(d->v));
    he_lines_init(&it, text, len);
    while (he_lines_next(&it, &line)) {
        if (line.len >= XFS_MAX_LINE || xfs_parse_line(line, d) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/*
 * True when upstream's glob would match <sysfs>/fs/xfs/name/stats/stats: name
 * and name/stats are directories (symlinks followed), stats/stats any entry.
 */
static bool xfs_matches(const char *dir, char *path, size_t size)
{
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        return false;
    }
    if (snprintf(path, size, "%s/stats", dir) >= (int)size || stat(path, &st) < 0 ||
        !S_ISDIR(st.st_mode)) {
        return false;
    }
    if (snprintf(path, size, "%s/stats/stats", dir) >= (int)size) {
        return false;
    }
    return lstat(path, &st) == 0;
}

/* Reads and parses one device into a new slot. 0, 1 (not an XFS stats dir) or
 * -errno. */
static int xfs_read_device(struct xfs_state *s, const char *root, const char *name)
{
    char dir[4096];
    char path[4096];
    if (snprintf(dir, sizeof(dir), "%s/%s", root, name) >= (int)sizeof(dir) ||
        !xfs_matches(dir, path, sizeof(path))) {
        return 1;
    }
    int rc = he_array_grow((void **)&s->devs, &s->cap, s->ndevs + 1, sizeof(*s->devs));
    if (rc < 0) {
        return rc;
    }
    struct xfs_stats *d = &s->devs[s->ndevs];
    d->name_at = s->names.len;
    rc = he_buf_append(&s->names, name, strlen(name) + 1);
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = xfs_parse(s->file.buf.data, s->file.buf.len, d);
    }
    if (rc < 0) {
        he_log_debug("xfs: cannot read stats", "path", path, NULL);
        return rc;
    }
    s->ndevs++;
    return 0;
}

static void xfs_emit(struct xfs_state *s, struct he_writer *w)
{
    for (size_t m = 0; m < XFS_NMETRICS; m++) {
        const struct xfs_metric *x = &xfs_metrics[m];
        he_writer_family(w, x->name, x->help, HE_COUNTER);
        for (size_t i = 0; i < s->ndevs; i++) {
            const struct xfs_stats *d = &s->devs[i];
            struct he_label l = {"device", s->names.data + d->name_at};
            he_writer_sample(w, &l, 1, (double)d->v[x->group][x->index]);
        }
    }
}

static int xfs_collect(void *state, struct he_writer *w)
{
    struct xfs_state *s = state;
    char root[4096];
    s->ndevs = 0;
    he_buf_reset(&s->names);
    int rc = he_path_sys(root, sizeof(root), "fs/xfs");
    if (rc < 0) {
        return rc;
    }
    /* Like Go's Glob, an unreadable or missing fs/xfs is no match, not an error.
     */
    if (he_dir_read(&s->dir, root) < 0) {
        return 0;
    }
    for (size_t i = 0; i < s->dir.n; i++) {
        rc = xfs_read_device(s, root, he_dir_name(&s->dir, i));
        if (rc < 0) {
            return rc;
        }
    }
    if (s->ndevs > 0) {
        xfs_emit(s, w);
    }
    return 0;
}

static const struct he_collector xfs_collector = {
    .name = "xfs",
    .default_enabled = true,
    .init = xfs_init,
    .collect = xfs_collect,
    .fini = xfs_fini,
};

HE_COLLECTOR_REGISTER(xfs_collector)
