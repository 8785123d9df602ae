/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entropy: node_entropy_available_bits and node_entropy_pool_size_bits from
 * <procfs>/sys/kernel/random/{entropy_avail,poolsize} (random(4); since Linux
 * 5.18 both read 256). Mirrors node_exporter 1.12.1's
 * collector/entropy_linux.go over procfs's KernelRandom() (kernel_random.go),
 * which reads every file it knows in that directory, also
 * urandom_min_reseed_secs, write_wakeup_threshold and read_wakeup_threshold
 * (gone since 5.18), though none of those is exported: a file that is absent
 * is skipped, but one that cannot be read or does not hold an unsigned integer
 * (surrounding whitespace allowed) fails the collector with no output. Then a
 * missing entropy_avail is an error, and a missing poolsize is an error after
 * node_entropy_available_bits has been emitted, as upstream.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* The files procfs reads; the first two are exported. */
enum entropy_file {
    ENTROPY_AVAIL,
    ENTROPY_POOLSIZE,
    ENTROPY_URANDOM_MIN_RESEED_SECS,
    ENTROPY_WRITE_WAKEUP_THRESHOLD,
    ENTROPY_READ_WAKEUP_THRESHOLD,
    ENTROPY_NFILES,
};

static const char *const entropy_files[ENTROPY_NFILES] = {
    "entropy_avail", "poolsize", "urandom_min_reseed_secs", "write_wakeup_threshold",
    "read_wakeup_threshold",
};

struct entropy_values {
    bool present[ENTROPY_NFILES];
    uint64_t value[ENTROPY_NFILES];
};

/* One kept-open file per entry of entropy_files (re-read from offset 0, reopened on error). */
struct entropy_state {
    struct he_file files[ENTROPY_NFILES];
};

static int entropy_init(void **state)
{
    struct entropy_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    for (int i = 0; i < ENTROPY_NFILES; i++) {
        he_file_init(&s->files[i], true, 256);
    }
    *state = s;
    return 0;
}

static void entropy_fini(void *state)
{
    struct entropy_state *s = state;
    for (int i = 0; i < ENTROPY_NFILES; i++) {
        he_file_fini(&s->files[i]);
    }
    free(s);
}

/* Parses text as strconv.ParseUint(strings.TrimSpace(text), 10, 64). */
static int entropy_parse(const char *text, size_t len, uint64_t *out)
{
    return he_parse_u64_trimmed((struct he_field){text, len}, out) < 0 ? -EINVAL : 0;
}

/* Reads one file: 0, 1 when it is absent, or a negative errno. */
static int entropy_read(struct he_file *f, const char *name, uint64_t *out)
{
    char rel[64];
    char path[4096];
    snprintf(rel, sizeof(rel), "sys/kernel/random/%s", name);
    int rc = he_path_proc(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    if (rc == -ENOENT) {
        return 1;
    }
    if (rc >= 0) {
        rc = entropy_parse(f->buf.data, f->buf.len, out);
    }
    if (rc < 0) {
        he_log_debug("entropy: cannot read", "path", path, "err", strerror(-rc), NULL);
    }
    return rc;
}

static int entropy_collect(void *state, struct he_writer *w)
{
    struct entropy_state *s = state;
    struct entropy_values v = {0};
    for (int i = 0; i < ENTROPY_NFILES; i++) {
        int rc = entropy_read(&s->files[i], entropy_files[i], &v.value[i]);
        if (rc < 0) {
            return rc;
        }
        v.present[i] = rc == 0;
    }
    if (!v.present[ENTROPY_AVAIL]) {
        he_log_debug("entropy: couldn't get entropy_avail", NULL);
        return -ENOENT;
    }
    he_writer_family(w, "node_entropy_available_bits", "Bits of available entropy.", HE_GAUGE);
    he_writer_value(w, (double)v.value[ENTROPY_AVAIL]);
    if (!v.present[ENTROPY_POOLSIZE]) {
        he_log_debug("entropy: couldn't get entropy poolsize", NULL);
        return -ENOENT;
    }
    he_writer_family(w, "node_entropy_pool_size_bits", "Bits of entropy pool.", HE_GAUGE);
    he_writer_value(w, (double)v.value[ENTROPY_POOLSIZE]);
    return 0;
}

static const struct he_collector entropy_collector = {
    .name = "entropy",
    .default_enabled = true,
    .init = entropy_init,
    .collect = entropy_collect,
    .fini = entropy_fini,
};

HE_COLLECTOR_REGISTER(entropy_collector)
