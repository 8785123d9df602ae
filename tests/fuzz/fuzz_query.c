/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the collect[]/exclude[] handling of /metrics
 * (he_query_add, he_query_select) with every collector linked in: the input is
 * a query string, split on '&' and '=' and percent-decoded by libmicrohttpd's
 * own MHD_http_unescape, as a request's arguments are.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_flags.h"
#include "he_query.h"
#include "he_registry.h"

static const struct he_flag globals[] = {{0}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        char err[256];
        char *argv[] = {"host_exporter", "--collector.processes", "--no-collector.cpu", NULL};
        he_flags_parse(3, argv, globals, err, sizeof(err));   /* defaults, one on, one off */
        ready = true;
    }
    char *text = malloc(size + 1);
    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    struct he_query q = {.ncollect = 0};
    char *save = NULL;
    for (char *arg = strtok_r(text, "&", &save); arg; arg = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(arg, '=');
        char *value = eq ? eq + 1 : NULL;
        if (eq) {
            *eq = '\0';
            MHD_http_unescape(value);
        }
        MHD_http_unescape(arg);
        he_query_add(&q, arg, value);
    }
    bool selected[256];
    char err[512];
    memset(err, 'x', sizeof(err));
    int rc = he_query_select(&q, selected, sizeof(selected) / sizeof(selected[0]), err,
                             sizeof(err));
    if (rc < 0 && memchr(err, '\0', sizeof(err)) == NULL) {
        abort(); /* a refusal always comes with its (terminated) 400 text */
    }
    for (size_t i = 0; rc == 0 && i < he_registry_count() && i < 256; i++) {
        if (selected[i] && !he_registry_at(i)->enabled) {
            abort(); /* a disabled collector is never selected */
        }
    }
    free(text);
    return 0;
}
