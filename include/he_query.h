/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collect[] and exclude[] of a /metrics request: which collectors one scrape
 * runs, as node_exporter's handler decides (collector/../node_exporter.go
 * ServeHTTP and innerHandler). Kept apart from libmicrohttpd so that a fuzz
 * target can drive it with arbitrary query text.
 */
#ifndef HE_QUERY_H
#define HE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#define HE_QUERY_MAX_NAMES 128

/* Names of one request; the pointers stay owned by the caller. */
struct he_query {
    const char *collect[HE_QUERY_MAX_NAMES];
    size_t ncollect;
    const char *exclude[HE_QUERY_MAX_NAMES];
    size_t nexclude;
};

/* Records one query argument; keys other than collect[] and exclude[] are ignored. */
void he_query_add(struct he_query *q, const char *key, const char *value);

/*
 * Fills selected[i] for registry entry i (nselected entries at most) as
 * node_exporter does: collect[] names only those (each must exist and be
 * enabled), exclude[] all enabled but those (unknown names ignored). Returns 0,
 * or -EINVAL with node_exporter's 400 text in err.
 */
int he_query_select(const struct he_query *q, bool *selected, size_t nselected, char *err,
                    size_t errsize);

#endif
