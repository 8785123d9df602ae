/* SPDX-License-Identifier: Apache-2.0 */
/*
 * swap: node_swap_size_bytes, node_swap_used_bytes and node_swap_priority, one
 * series per swap area ({device, swap_type}), from <procfs>/swaps, which
 * mm/swapfile.c prints as a header line, then per area the path (' ', '\t', '\n'
 * and '\\' escaped as octal), "partition" or "file", size and used in KiB, and
 * the priority. Mirrors node_exporter's collector/swap_linux.go (1.10 and
 * later) with procfs's Swaps: size and used are exported times 1024.
 *
 * As procfs: the first line is skipped whatever it holds, every other line
 * (an empty one too) needs five fields with the three numbers valid Go ints,
 * and one bad line fails the scrape with nothing emitted, so the file is
 * checked before anything is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

struct swap_state {
    struct he_file file;
    struct he_buf labels;   /* device and type as C strings, back to back */
};

struct swap_line {
    struct he_field device;
    struct he_field type;
    int64_t size;       /* KiB */
    int64_t used;       /* KiB */
    int64_t priority;
};

static int swap_init(void **state)
{
    struct swap_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 1024 * 1024);
    he_buf_init(&s->labels, 64 * 1024);
    *state = s;
    return 0;
}

static void swap_fini(void *state)
{
    struct swap_state *s = state;
    he_file_fini(&s->file);
    he_buf_free(&s->labels);
    free(s);
}

static int swap_parse_line(struct he_field line, struct swap_line *out)
{
    struct he_field f[5];
    if (he_go_fields(line, f, 5) < 5 || he_parse_i64(f[2], &out->size) < 0 ||
        he_parse_i64(f[3], &out->used) < 0 || he_parse_i64(f[4], &out->priority) < 0) {
        return -EINVAL;
    }
    out->device = f[0];
    out->type = f[1];
    return 0;
}

/* Starts it at the first area line: the header is skipped unread. */
static void swap_lines(const struct swap_state *s, struct he_lines *it)
{
    struct he_field header;
    he_lines_init(it, s->file.buf.data, s->file.buf.len);
    he_lines_next(it, &header);
}

static int swap_validate(const struct swap_state *s)
{
    struct he_lines it;
    struct he_field line;
    struct swap_line sl;
    swap_lines(s, &it);
    while (he_lines_next(&it, &line)) {
        if (swap_parse_line(line, &sl) < 0) {
            he_log_debug("swap: cannot parse line", NULL);
            return -EINVAL;
        }
    }
    return 0;
}

/* Go's int multiplication wraps instead of overflowing; so does this. */
static double swap_kib_to_bytes(int64_t kib)
{
    return (double)(int64_t)((uint64_t)kib * 1024u);
}

static int swap_emit_line(struct swap_state *s, struct he_writer *w, const struct swap_line *sl)
{
    he_buf_reset(&s->labels);
    int rc = he_buf_append(&s->labels, sl->device.p, sl->device.len);
    if (rc == 0) {
        rc = he_buf_putc(&s->labels, '\0');
    }
    if (rc == 0) {
        rc = he_buf_append(&s->labels, sl->type.p, sl->type.len);
    }
    if (rc == 0) {
        rc = he_buf_terminate(&s->labels);
    }
    if (rc < 0) {
        return rc;
    }
    struct he_label labels[2] = {{"device", s->labels.data},
                                 {"swap_type", s->labels.data + sl->device.len + 1}};
    he_writer_family(w, "node_swap_size_bytes", "Swap device size in bytes.", HE_GAUGE);
    he_writer_sample(w, labels, 2, swap_kib_to_bytes(sl->size));
    he_writer_family(w, "node_swap_used_bytes", "Swap device used in bytes.", HE_GAUGE);
    he_writer_sample(w, labels, 2, swap_kib_to_bytes(sl->used));
    he_writer_family(w, "node_swap_priority", "Swap device priority.", HE_GAUGE);
    he_writer_sample(w, labels, 2, (double)sl->priority);
    return 0;
}

static int swap_emit(struct swap_state *s, struct he_writer *w)
{
    struct he_lines it;
    struct he_field line;
    struct swap_line sl;
    swap_lines(s, &it);
    while (he_lines_next(&it, &line)) {
        int rc = swap_parse_line(line, &sl);
        if (rc == 0) {
            rc = swap_emit_line(s, w, &sl);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int swap_collect(void *state, struct he_writer *w)
{
    struct swap_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "swaps");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc < 0) {
        he_log_debug("swap: cannot read", "path", path, NULL);
        return rc;
    }
    rc = swap_validate(s);
    if (rc < 0) {
        return rc;
    }
    return swap_emit(s, w);
}

static const struct he_collector swap_collector = {
    .name = "swap",
    .default_enabled = false,
    .init = swap_init,
    .collect = swap_collect,
    .fini = swap_fini,
};

HE_COLLECTOR_REGISTER(swap_collector)
