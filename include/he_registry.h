/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every collector linked into the binary, sorted by name, with its per-run state:
 * whether it is enabled (flags decide, once, at startup), its private state from
 * init(), and what the last scrape saw. Knows nothing of HTTP or formats.
 */
#ifndef HE_REGISTRY_H
#define HE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "he_collector.h"

struct he_registry_entry {
    const struct he_collector *c;
    bool enabled;
    bool set_on_command_line;   /* --collector.NAME or --no-collector.NAME was given */
    bool ready;                 /* init() succeeded */
    void *state;
    int last_error;             /* for rate-limiting repeated error logs */
    double last_error_log;      /* monotonic seconds of the last error line */
};

size_t he_registry_count(void);

/* Entry i in name order (0 <= i < count). */
struct he_registry_entry *he_registry_at(size_t i);

/* The entry named name, or NULL. */
struct he_registry_entry *he_registry_find(const char *name);

/* Calls init() of every enabled collector; failures are logged, never fatal. */
void he_registry_init_enabled(void);

/* Calls fini() of every collector that was initialised. */
void he_registry_fini(void);

#endif
