/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collector interface. A collector is one file, collectors/NAME.c, that
 * defines a struct he_collector and registers it with HE_COLLECTOR_REGISTER();
 * adding one touches no HTTP, writer or flag code, only a meson source line.
 *
 * name            node_exporter's collector name: the flag, the file, the label
 * default_enabled node_exporter 1.12's default
 * flags           --collector.NAME.OPTION declarations (zero-terminated), or NULL
 * init            allocates state once after flags are parsed; 0 or negative errno
 *                 (a failing init leaves the collector reporting success 0)
 * collect         reads through he_paths/he_file/he_parse and emits through the
 *                 writer; returns 0, -ENODATA (nothing to report: logged at debug)
 *                 or another negative errno (logged; success 0). What it emitted
 *                 before failing stays in the scrape, as upstream.
 * fini            frees state
 */
#ifndef HE_COLLECTOR_H
#define HE_COLLECTOR_H

#include <stdbool.h>

#include "he_flags.h"
#include "he_writer.h"

struct he_collector {
    const char *name;
    bool default_enabled;
    const struct he_flag *flags;
    int (*init)(void **state);
    int (*collect)(void *state, struct he_writer *w);
    void (*fini)(void *state);
};

/* Adds c to the registry; called from constructors before main(). */
void he_registry_add(const struct he_collector *c);

/* Registers collector variable c when the program loads. */
#define HE_COLLECTOR_REGISTER(c)                                                                   \
    __attribute__((constructor)) static void register_##c(void) { he_registry_add(&(c)); }

#endif
