/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collect[]/exclude[] selection (see he_query.h), as node_exporter 1.12's
 * handler: both together are refused, a collect[] name that is missing or
 * disabled is a 400 naming it, exclude[] ignores unknown names.
 */
#include "he_query.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "he_log.h"
#include "he_registry.h"

void he_query_add(struct he_query *q, const char *key, const char *value)
{
    if (!key || !value) {
        return;
    }
    if (strcmp(key, "collect[]") == 0 && q->ncollect < HE_QUERY_MAX_NAMES) {
        q->collect[q->ncollect++] = value;
    } else if (strcmp(key, "exclude[]") == 0 && q->nexclude < HE_QUERY_MAX_NAMES) {
        q->exclude[q->nexclude++] = value;
    }
}

static bool listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

int he_query_select(const struct he_query *q, bool *selected, size_t nselected, char *err,
                    size_t errsize)
{
    if (q->ncollect && q->nexclude) {
        snprintf(err, errsize, "Combined collect and exclude queries are not allowed.");
        return -EINVAL;
    }
    for (size_t i = 0; i < q->ncollect; i++) {
        struct he_registry_entry *e = he_registry_find(q->collect[i]);
        if (!e || !e->enabled) {
            snprintf(err, errsize,
                     "Couldn't create filtered metrics handler: couldn't create collector: %s "
                     "collector: %s",
                     e ? "disabled" : "missing", q->collect[i]);
            return -EINVAL;
        }
    }
    for (size_t i = 0; i < q->nexclude; i++) {
        struct he_registry_entry *e = he_registry_find(q->exclude[i]);
        if (!e || !e->enabled) {
            he_log_debug("ignoring unknown or disabled collector in exclude[]", "collector",
                         q->exclude[i], NULL);
        }
    }
    for (size_t i = 0; i < he_registry_count() && i < nselected; i++) {
        struct he_registry_entry *e = he_registry_at(i);
        bool chosen = q->ncollect ? listed(q->collect, q->ncollect, e->c->name)
                                  : !listed(q->exclude, q->nexclude, e->c->name);
        selected[i] = e->enabled && chosen;
    }
    return 0;
}
