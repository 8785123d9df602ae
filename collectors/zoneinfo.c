/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zoneinfo: node_zoneinfo_* per NUMA node and memory zone from
 * <procfs>/zoneinfo. Mirrors node_exporter's collector/zoneinfo_linux.go over
 * procfs' zoneinfo.go, whose parse is loose and is followed here step by step:
 *
 * - The text is cut into blocks at each "\nNode"; the cut drops those four
 *   letters. Each block yields one set of series, labelled with the last
 *   "<digits>, zone<spaces><word>" found in it (empty labels if none).
 * - In a block, lines starting (after blanks) with "per-node stats" are
 *   skipped; other lines of two words or more whose first word is one of the
 *   34 keys below set that key, the last line winning. Values are read as Go's
 *   strconv.ParseInt with base 0 (so "0x10" and "010" are 16 and 8), and a value
 *   that does not parse becomes 0, as procfs' ValueParser yields it.
 * - "protection: (a, b, ...)" becomes node_zoneinfo_protection_<i> gauges
 *   ("Protection array <i>. field"); a list with any bad number is ignored.
 *
 * The kernel prints the per-node counters (nr_inactive_anon, ...) only in the
 * first populated zone of each node, so those series appear for that zone only,
 * as upstream. Nothing in the parse fails: only a missing file does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

struct zoneinfo_field {
    const char *key;      /* first word of the line */
    const char *metric;
    const char *help;
    enum he_metric_type type;
};

/* procfs' Zoneinfo fields with node_exporter's names and HELP, in struct order. */
static const struct zoneinfo_field zoneinfo_fields[] = {
    {"nr_free_pages", "node_zoneinfo_nr_free_pages", "Total number of free pages in the zone",
     HE_GAUGE},
    {"min", "node_zoneinfo_min_pages", "Zone watermark pages_min", HE_GAUGE},
    {"low", "node_zoneinfo_low_pages", "Zone watermark pages_low", HE_GAUGE},
    {"high", "node_zoneinfo_high_pages", "Zone watermark pages_high", HE_GAUGE},
    {"scanned", "node_zoneinfo_scanned_pages", "Pages scanned since last reclaim", HE_GAUGE},
    {"spanned", "node_zoneinfo_spanned_pages", "Total pages spanned by the zone, including holes",
     HE_GAUGE},
    {"present", "node_zoneinfo_present_pages", "Physical pages existing within the zone",
     HE_GAUGE},
    {"managed", "node_zoneinfo_managed_pages", "Present pages managed by the buddy system",
     HE_GAUGE},
    {"nr_active_anon", "node_zoneinfo_nr_active_anon_pages",
     "Number of anonymous pages recently more used", HE_GAUGE},
    {"nr_inactive_anon", "node_zoneinfo_nr_inactive_anon_pages",
     "Number of anonymous pages recently less used", HE_GAUGE},
    {"nr_isolated_anon", "node_zoneinfo_nr_isolated_anon_pages",
     "Temporary isolated pages from anon lru", HE_GAUGE},
    {"nr_anon_pages", "node_zoneinfo_nr_anon_pages",
     "Number of anonymous pages currently used by the system", HE_GAUGE},
    {"nr_anon_transparent_hugepages", "node_zoneinfo_nr_anon_transparent_hugepages",
     "Number of anonymous transparent huge pages currently used by the system", HE_GAUGE},
    {"nr_active_file", "node_zoneinfo_nr_active_file_pages",
     "Number of active pages with file-backing", HE_GAUGE},
    {"nr_inactive_file", "node_zoneinfo_nr_inactive_file_pages",
     "Number of inactive pages with file-backing", HE_GAUGE},
    {"nr_isolated_file", "node_zoneinfo_nr_isolated_file_pages",
     "Temporary isolated pages from file lru", HE_GAUGE},
    {"nr_file_pages", "node_zoneinfo_nr_file_pages", "Number of file pages", HE_GAUGE},
    {"nr_slab_reclaimable", "node_zoneinfo_nr_slab_reclaimable_pages",
     "Number of reclaimable slab pages", HE_GAUGE},
    {"nr_slab_unreclaimable", "node_zoneinfo_nr_slab_unreclaimable_pages",
     "Number of unreclaimable slab pages", HE_GAUGE},
    {"nr_mlock_stack", "node_zoneinfo_nr_mlock_stack_pages",
     "mlock()ed pages found and moved off LRU", HE_GAUGE},
    {"nr_kernel_stack", "node_zoneinfo_nr_kernel_stacks", "Number of kernel stacks", HE_GAUGE},
    {"nr_mapped", "node_zoneinfo_nr_mapped_pages", "Number of mapped pages", HE_GAUGE},
    {"nr_dirty", "node_zoneinfo_nr_dirty_pages", "Number of dirty pages", HE_GAUGE},
    {"nr_writeback", "node_zoneinfo_nr_writeback_pages", "Number of writeback pages", HE_GAUGE},
    {"nr_unevictable", "node_zoneinfo_nr_unevictable_pages", "Number of unevictable pages",
     HE_GAUGE},
    {"nr_shmem", "node_zoneinfo_nr_shmem_pages",
     "Number of shmem pages (included tmpfs/GEM pages)", HE_GAUGE},
    {"nr_dirtied", "node_zoneinfo_nr_dirtied_total", "Page dirtyings since bootup", HE_COUNTER},
    {"nr_written", "node_zoneinfo_nr_written_total", "Page writings since bootup", HE_COUNTER},
    {"numa_hit", "node_zoneinfo_numa_hit_total", "Allocated in intended node", HE_COUNTER},
    {"numa_miss", "node_zoneinfo_numa_miss_total", "Allocated in non intended node",
     HE_COUNTER},
    {"numa_foreign", "node_zoneinfo_numa_foreign_total", "Was intended here, hit elsewhere",
     HE_COUNTER},
    {"numa_interleave", "node_zoneinfo_numa_interleave_total", "Interleaver preferred this zone",
     HE_COUNTER},
    {"numa_local", "node_zoneinfo_numa_local_total", "Allocation from local node", HE_COUNTER},
    {"numa_other", "node_zoneinfo_numa_other_total", "Allocation from other node", HE_COUNTER},
};

#define ZONEINFO_NFIELDS (sizeof(zoneinfo_fields) / sizeof(zoneinfo_fields[0]))

/* What one block has set so far. */
struct zoneinfo_block {
    struct he_field node, zone;           /* point into the file buffer */
    bool seen[ZONEINFO_NFIELDS];
    int64_t values[ZONEINFO_NFIELDS];
    size_t nprot;                         /* entries of the state's prot array */
};

struct zoneinfo_state {
    struct he_file file;   /* kept open: /proc/zoneinfo always exists */
    struct zoneinfo_block block;
    int64_t *prot;         /* protection values, grown to the longest list */
    size_t prot_cap;
    struct he_buf labels;  /* node\0zone\0 of the block being emitted */
};

static int zoneinfo_init(void **state)
{
    struct zoneinfo_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 0);
    he_buf_init(&s->labels, 0);
    *state = s;
    return 0;
}

static void zoneinfo_fini(void *state)
{
    struct zoneinfo_state *s = state;
    he_file_fini(&s->file);
    he_buf_free(&s->labels);
    free(s->prot);
    free(s);
}

/* Value of c as a digit in any base up to 36, or 36 when it is none. */
static unsigned zoneinfo_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return (unsigned)(c - '0');
    }
    char l = (char)(c | 0x20);
    return l >= 'a' && l <= 'z' ? (unsigned)(l - 'a' + 10) : 36;
}

/* RE2's \s, which upstream's header pattern uses: [\t\n\f\r ]. */
static bool zoneinfo_is_re_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool zoneinfo_is_word(char c)
{
    return zoneinfo_digit(c) < 36 || c == '_';
}

/*
 * Finds upstream's `(\d+), zone\s+(\w+)` anywhere in line (leftmost match);
 * true with node and zone pointing at the two groups.
 */
static bool zoneinfo_match_header(struct he_field line, struct he_field *node,
                                  struct he_field *zone)
{
    const char *end = line.p + line.len;
    for (const char *d = line.p; d < end; d++) {
        if (*d < '0' || *d > '9') {
            continue;
        }
        const char *q = d;
        while (q < end && *q >= '0' && *q <= '9') {
            q++;
        }
        if (end - q >= 6 && memcmp(q, ", zone", 6) == 0) {
            const char *w = q + 6;
            while (w < end && zoneinfo_is_re_space(*w)) {
                w++;
            }
            const char *r = w;
            while (r < end && zoneinfo_is_word(*r)) {
                r++;
            }
            if (w > q + 6 && r > w) {
                *node = (struct he_field){d, (size_t)(q - d)};
                *zone = (struct he_field){w, (size_t)(r - w)};
                return true;
            }
        }
        d = q - 1; /* a match starting inside this run of digits would end the same way */
    }
    return false;
}

/*
 * Reads the list of "protection: (a, b, ...)" as procfs does: the text between
 * the first and second ':', without its first '(' and first ')', trimmed, cut
 * at each ", " into base-10 integers. The block's list changes only if every
 * item parses.
 */
static void zoneinfo_protection(struct zoneinfo_state *s, struct he_field line)
{
    const char *end = line.p + line.len;
    const char *p = (const char *)memchr(line.p, ':', line.len) + 1;
    const char *colon = memchr(p, ':', (size_t)(end - p));
    end = colon ? colon : end;
    const char *open = memchr(p, '(', (size_t)(end - p));
    const char *close = memchr(p, ')', (size_t)(end - p));
    struct he_buf *t = &s->labels;
    he_buf_reset(t);
    for (const char *c = p; c < end; c++) {
        if ((c != open && c != close) && he_buf_putc(t, *c) < 0) {
            return;
        }
    }
    if (t->len == 0) {
        return; /* nothing to parse: "" is no number */
    }
    struct he_field items = he_go_trim_space((struct he_field){t->data, t->len});
    const char *a = items.p, *z = items.p + items.len;
    /* Two passes over the items: check them all, then store them. */
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        for (const char *item = a;; n++) {
            const char *sep = memmem(item, (size_t)(z - item), ", ", 2);
            struct he_field f = {item, (size_t)((sep ? sep : z) - item)};
            int64_t v;
            if (he_parse_i64(f, &v) < 0) {
                return;
            }
            if (pass == 1) {
                s->prot[n] = v;
            }
            if (!sep) {
                break;
            }
            item = sep + 2;
        }
        n++;
        if (pass == 0 && n > s->prot_cap) {
            int64_t *prot = realloc(s->prot, n * sizeof(*prot));
            if (!prot) {
                return;
            }
            s->prot = prot;
            s->prot_cap = n;
        }
        if (pass == 1) {
            s->block.nprot = n;
        }
    }
}

/* Applies one line of a block (with any leading "Node" already cut off). */
static void zoneinfo_line(struct zoneinfo_state *s, struct he_field line)
{
    struct he_field f[2];
    if (zoneinfo_match_header(line, &s->block.node, &s->block.zone)) {
        return;
    }
    /*
     * Upstream also skips lines starting with "per-node stats"; their first
     * word, "per-node", is no key anyway.
     */
    if (he_split_fields(line, f, 2) < 2) {
        return;
    }
    if (he_field_eq(f[0], "protection:")) {
        zoneinfo_protection(s, line);
        return;
    }
    for (size_t i = 0; i < ZONEINFO_NFIELDS; i++) {
        if (he_field_eq(f[0], zoneinfo_fields[i].key)) {
            int64_t v;
            s->block.seen[i] = true;
            s->block.values[i] = he_parse_i64_base0(f[1], &v) == 0 ? v : 0;
            return;
        }
    }
}

/* Emits the series of the block parsed so far, then forgets it. */
static void zoneinfo_flush(struct zoneinfo_state *s, struct he_writer *w)
{
    struct zoneinfo_block *b = &s->block;
    struct he_buf *l = &s->labels;
    he_buf_reset(l);
    int rc = he_buf_append(l, b->node.p, b->node.len);
    rc = rc ? rc : he_buf_putc(l, '\0');
    size_t zone_at = l->len;
    rc = rc ? rc : he_buf_append(l, b->zone.p, b->zone.len);
    rc = rc ? rc : he_buf_putc(l, '\0');
    struct he_label labels[2] = {{"node", l->data}, {"zone", l->data + zone_at}};
    for (size_t i = 0; rc == 0 && i < ZONEINFO_NFIELDS; i++) {
        if (b->seen[i]) {
            he_writer_family(w, zoneinfo_fields[i].metric, zoneinfo_fields[i].help,
                             zoneinfo_fields[i].type);
            he_writer_sample(w, labels, 2, (double)b->values[i]);
        }
    }
    for (size_t i = 0; rc == 0 && i < b->nprot; i++) {
        /* Named by position: node_zoneinfo_protection_0, _1, ... */
        char name[64], help[64];
        snprintf(name, sizeof(name), "node_zoneinfo_protection_%zu", i);
        snprintf(help, sizeof(help), "Protection array %zu. field", i);
        he_writer_family(w, name, help, HE_GAUGE);
        he_writer_sample(w, labels, 2, (double)s->prot[i]);
    }
    memset(b, 0, sizeof(*b));
}

static void zoneinfo_emit(struct zoneinfo_state *s, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line;
    bool first = true;
    memset(&s->block, 0, sizeof(s->block));
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        /* procfs splits the text at "\nNode": the first line never starts a block. */
        if (!first && line.len >= 4 && memcmp(line.p, "Node", 4) == 0) {
            zoneinfo_flush(s, w);
            line.p += 4;
            line.len -= 4;
        }
        first = false;
        zoneinfo_line(s, line);
    }
    zoneinfo_flush(s, w);
}

static int zoneinfo_collect(void *state, struct he_writer *w)
{
    struct zoneinfo_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "zoneinfo");
    rc = rc ? rc : he_file_read(&s->file, path);
    if (rc < 0) {
        he_log_debug("zoneinfo: cannot read", "path", path, NULL);
        return rc;
    }
    zoneinfo_emit(s, w);
    return 0;
}

static const struct he_collector zoneinfo_collector = {
    .name = "zoneinfo",
    .default_enabled = false,
    .init = zoneinfo_init,
    .collect = zoneinfo_collect,
    .fini = zoneinfo_fini,
};

HE_COLLECTOR_REGISTER(zoneinfo_collector)
