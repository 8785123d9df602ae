/* SPDX-License-Identifier: Apache-2.0 */
/*
 * meminfo: node_memory_* gauges from <procfs>/meminfo.
 *
 * Since 1.9 node_exporter (collector/meminfo_linux.go) reads meminfo through the
 * procfs library's Meminfo struct and exports a fixed set of fields, so keys the
 * kernel adds later (KReclaimable, FileHugePages, SecPageTables, ...) are not
 * exported; the table below is that set. Naming rule: the kernel key with
 * "(x)" turned into "_x", plus "_bytes" for fields in kB (multiplied by 1024);
 * HugePages_* are page counts and keep their names. HELP is "Memory information
 * field <name>." A value that is not an unsigned integer, or a line of another
 * shape, fails the whole collector, as procfs does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

struct meminfo_field {
    const char *key;      /* as in /proc/meminfo, without ':' */
    const char *metric;
    bool bytes;           /* exported as value * 1024 when the line has a unit */
};

/* In the order fs/proc/meminfo.c prints them, so the lookup's next guess is right. */
static const struct meminfo_field meminfo_fields[] = {
    {"MemTotal", "node_memory_MemTotal_bytes", true},
    {"MemFree", "node_memory_MemFree_bytes", true},
    {"MemAvailable", "node_memory_MemAvailable_bytes", true},
    {"Buffers", "node_memory_Buffers_bytes", true},
    {"Cached", "node_memory_Cached_bytes", true},
    {"SwapCached", "node_memory_SwapCached_bytes", true},
    {"Active", "node_memory_Active_bytes", true},
    {"Inactive", "node_memory_Inactive_bytes", true},
    {"Active(anon)", "node_memory_Active_anon_bytes", true},
    {"Inactive(anon)", "node_memory_Inactive_anon_bytes", true},
    {"Active(file)", "node_memory_Active_file_bytes", true},
    {"Inactive(file)", "node_memory_Inactive_file_bytes", true},
    {"Unevictable", "node_memory_Unevictable_bytes", true},
    {"Mlocked", "node_memory_Mlocked_bytes", true},
    {"SwapTotal", "node_memory_SwapTotal_bytes", true},
    {"SwapFree", "node_memory_SwapFree_bytes", true},
    {"Zswap", "node_memory_Zswap_bytes", true},
    {"Zswapped", "node_memory_Zswapped_bytes", true},
    {"Dirty", "node_memory_Dirty_bytes", true},
    {"Writeback", "node_memory_Writeback_bytes", true},
    {"AnonPages", "node_memory_AnonPages_bytes", true},
    {"Mapped", "node_memory_Mapped_bytes", true},
    {"Shmem", "node_memory_Shmem_bytes", true},
    {"Slab", "node_memory_Slab_bytes", true},
    {"SReclaimable", "node_memory_SReclaimable_bytes", true},
    {"SUnreclaim", "node_memory_SUnreclaim_bytes", true},
    {"KernelStack", "node_memory_KernelStack_bytes", true},
    {"PageTables", "node_memory_PageTables_bytes", true},
    {"NFS_Unstable", "node_memory_NFS_Unstable_bytes", true},
    {"Bounce", "node_memory_Bounce_bytes", true},
    {"WritebackTmp", "node_memory_WritebackTmp_bytes", true},
    {"CommitLimit", "node_memory_CommitLimit_bytes", true},
    {"Committed_AS", "node_memory_Committed_AS_bytes", true},
    {"VmallocTotal", "node_memory_VmallocTotal_bytes", true},
    {"VmallocUsed", "node_memory_VmallocUsed_bytes", true},
    {"VmallocChunk", "node_memory_VmallocChunk_bytes", true},
    {"Percpu", "node_memory_Percpu_bytes", true},
    {"HardwareCorrupted", "node_memory_HardwareCorrupted_bytes", true},
    {"AnonHugePages", "node_memory_AnonHugePages_bytes", true},
    {"ShmemHugePages", "node_memory_ShmemHugePages_bytes", true},
    {"ShmemPmdMapped", "node_memory_ShmemPmdMapped_bytes", true},
    {"CmaTotal", "node_memory_CmaTotal_bytes", true},
    {"CmaFree", "node_memory_CmaFree_bytes", true},
    {"HugePages_Total", "node_memory_HugePages_Total", false},
    {"HugePages_Free", "node_memory_HugePages_Free", false},
    {"HugePages_Rsvd", "node_memory_HugePages_Rsvd", false},
    {"HugePages_Surp", "node_memory_HugePages_Surp", false},
    {"Hugepagesize", "node_memory_Hugepagesize_bytes", true},
    {"DirectMap4k", "node_memory_DirectMap4k_bytes", true},
    {"DirectMap2M", "node_memory_DirectMap2M_bytes", true},
    {"DirectMap1G", "node_memory_DirectMap1G_bytes", true},
};

#define MEMINFO_NFIELDS (sizeof(meminfo_fields) / sizeof(meminfo_fields[0]))

struct meminfo_state {
    struct he_file file;                  /* kept open: /proc/meminfo always exists */
    size_t next_guess;                    /* table index after the last key found */
    bool seen[MEMINFO_NFIELDS];
    double values[MEMINFO_NFIELDS];
};

static int meminfo_init(void **state)
{
    struct meminfo_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, true, 1024 * 1024);
    *state = s;
    return 0;
}

static void meminfo_fini(void *state)
{
    struct meminfo_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/* Finds key in the table, starting where the previous line's key left off. */
static const struct meminfo_field *meminfo_lookup(struct meminfo_state *s, struct he_field key,
                                                  size_t *index)
{
    for (size_t n = 0; n < MEMINFO_NFIELDS; n++) {
        size_t i = (s->next_guess + n) % MEMINFO_NFIELDS;
        const char *k = meminfo_fields[i].key;
        if (strncmp(k, key.p, key.len) == 0 && k[key.len] == '\0') {
            s->next_guess = i + 1;
            *index = i;
            return &meminfo_fields[i];
        }
    }
    return NULL;
}

/*
 * Records one line's value. As procfs: a field in kB is exported times 1024, and
 * a byte field whose line lacks the unit is exported as 0.
 */
static void meminfo_record(struct meminfo_state *s, const struct he_kv_line *kv)
{
    size_t i;
    const struct meminfo_field *f = meminfo_lookup(s, kv->key, &i);
    if (!f) {
        return;
    }
    uint64_t v = kv->value;
    if (f->bytes) {
        v = kv->has_unit ? v * 1024 : 0;
    }
    s->seen[i] = true;
    s->values[i] = (double)v;
}

static int meminfo_parse(struct meminfo_state *s)
{
    struct he_lines it;
    struct he_field line;
    memset(s->seen, 0, sizeof(s->seen));
    he_lines_init(&it, s->file.buf.data, s->file.buf.len);
    while (he_lines_next(&it, &line)) {
        struct he_kv_line kv;
        int rc = he_parse_kv_line(line, &kv);
        if (rc == -ENODATA) {
            continue;
        }
        if (rc < 0) {
            return rc;
        }
        meminfo_record(s, &kv);
    }
    return 0;
}

/* "Memory information field <metric without node_memory_>." into buf. */
static const char *meminfo_help(const char *metric, char buf[128])
{
    static const char prefix[] = "Memory information field ";
    const char *field = metric + strlen("node_memory_");
    size_t n = strlen(field);
    memcpy(buf, prefix, sizeof(prefix) - 1);
    memcpy(buf + sizeof(prefix) - 1, field, n);
    memcpy(buf + sizeof(prefix) - 1 + n, ".", 2);
    return buf;
}

static void meminfo_emit(const struct meminfo_state *s, struct he_writer *w)
{
    char help[128];
    for (size_t i = 0; i < MEMINFO_NFIELDS; i++) {
        if (!s->seen[i]) {
            continue;
        }
        he_writer_family(w, meminfo_fields[i].metric, meminfo_help(meminfo_fields[i].metric, help),
                         HE_GAUGE);
        he_writer_value(w, s->values[i]);
    }
}

static int meminfo_collect(void *state, struct he_writer *w)
{
    struct meminfo_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "meminfo");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = meminfo_parse(s);
    }
    if (rc < 0) {
        he_log_debug("meminfo: cannot read", "path", path, NULL);
        return rc;
    }
    meminfo_emit(s, w);
    return 0;
}

static const struct he_collector meminfo_collector = {
    .name = "meminfo",
    .default_enabled = true,
    .init = meminfo_init,
    .collect = meminfo_collect,
    .fini = meminfo_fini,
};

HE_COLLECTOR_REGISTER(meminfo_collector)
