/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel_hung: node_kernel_hung_tasks_total, the number of tasks the hung-task
 * detector has reported since boot, from <procfs>/sys/kernel/hung_task_detect_count
 * (Linux 6.13+, CONFIG_DETECT_HUNG_TASK). A missing file is "no data", as in
 * node_exporter 1.12's collector/kernel_hung_linux.go (on by default since
 * 1.11.0, "no data" since 1.11.1); any other read error or a value that is not
 * an unsigned 64-bit decimal, once white space is trimmed, fails the collector.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_parse_go.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_paths.h"

struct kernel_hung_state {
    struct he_file file;
};

static int kernel_hung_init(void **state)
{
    struct kernel_hung_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 4096);
    *state = s;
    return 0;
}

static void kernel_hung_fini(void *state)
{
    struct kernel_hung_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

static int kernel_hung_collect(void *state, struct he_writer *w)
{
    struct kernel_hung_state *s = state;
    char path[4096];
    uint64_t count;
    int rc = he_path_proc(path, sizeof(path), "sys/kernel/hung_task_detect_count");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("kernel_hung: hung_task_detect_count does not exist", "path", path, NULL);
        return -ENODATA;
    }
    if (rc == 0) {
        struct he_field f = {s->file.buf.data, s->file.buf.len};
        rc = he_parse_u64(he_go_trim_space(f), &count);
    }
    if (rc < 0) {
        he_log_debug("kernel_hung: cannot read", "path", path, NULL);
        return rc;
    }
    he_writer_family(w, "node_kernel_hung_tasks_total",
                     "Total number of tasks that have been detected as hung since the system "
                     "booted.",
                     HE_COUNTER);
    he_writer_value(w, (double)count);
    return 0;
}

static const struct he_collector kernel_hung_collector = {
    .name = "kernel_hung",
    .default_enabled = true,
    .init = kernel_hung_init,
    .collect = kernel_hung_collect,
    .fini = kernel_hung_fini,
};

HE_COLLECTOR_REGISTER(kernel_hung_collector)
