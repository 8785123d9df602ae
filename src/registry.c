/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collector registry (see he_registry.h). Constructors append to a fixed
 * table before main(); the first lookup sorts it by name, after which it is only
 * read. No allocation: the table is sized for every node_exporter collector.
 */
#include "he_registry.h"

#include <stdlib.h>
#include <string.h>

#include "he_log.h"

#define MAX_COLLECTORS 128

static struct he_registry_entry entries[MAX_COLLECTORS];
static size_t nentries;
static bool sorted;

void he_registry_add(const struct he_collector *c)
{
    if (nentries == MAX_COLLECTORS) {
        abort(); /* a build with more collectors than the table: fix MAX_COLLECTORS */
    }
    entries[nentries++] = (struct he_registry_entry){
        .c = c,
        .enabled = c->default_enabled,
    };
    sorted = false;
}

static int compare_entries(const void *a, const void *b)
{
    const struct he_registry_entry *ea = a;
    const struct he_registry_entry *eb = b;
    return strcmp(ea->c->name, eb->c->name);
}

static void ensure_sorted(void)
{
    if (!sorted) {
        qsort(entries, nentries, sizeof(entries[0]), compare_entries);
        sorted = true;
    }
}

size_t he_registry_count(void)
{
    return nentries;
}

struct he_registry_entry *he_registry_at(size_t i)
{
    ensure_sorted();
    return i < nentries ? &entries[i] : NULL;
}

struct he_registry_entry *he_registry_find(const char *name)
{
    ensure_sorted();
    for (size_t i = 0; i < nentries; i++) {
        if (strcmp(entries[i].c->name, name) == 0) {
            return &entries[i];
        }
    }
    return NULL;
}

void he_registry_init_enabled(void)
{
    ensure_sorted();
    for (size_t i = 0; i < nentries; i++) {
        struct he_registry_entry *e = &entries[i];
        if (!e->enabled) {
            continue;
        }
        int rc = e->c->init ? e->c->init(&e->state) : 0;
        e->ready = rc == 0;
        if (rc < 0) {
            he_log_error("collector init failed", "collector", e->c->name, "err", strerror(-rc),
                         NULL);
        }
    }
}

void he_registry_fini(void)
{
    for (size_t i = 0; i < nentries; i++) {
        struct he_registry_entry *e = &entries[i];
        if (e->ready && e->c->fini) {
            e->c->fini(e->state);
        }
        e->ready = false;
        e->state = NULL;
    }
}
