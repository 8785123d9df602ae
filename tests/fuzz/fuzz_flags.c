/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the command-line parser (he_flags_parse): the input's
 * lines become argv[1..], parsed against global flags of every kind (those of
 * main.c, which are static there, declared again here) and the flags of every
 * collector linked in, --[no-]collector.NAME included. --help output is
 * written to /dev/null.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_flags.h"
#include "he_registry.h"

#define MAX_ARGS 64

static struct {
    bool disable_defaults, disable_exporter_metrics;
    const char *procfs, *telemetry_path, *log_level;
    long max_requests;
    struct he_strings listen;
} opt;

static int check_path(const char *v, char *err, size_t size)
{
    if (v[0] != '/') {
        snprintf(err, size, "path \"%s\" must start with \"/\"", v);
        return -EINVAL;
    }
    return 0;
}

static const struct he_flag globals[] = {
    {"collector.disable-defaults", HE_FLAG_BOOL, NULL, "Disable defaults.", &opt.disable_defaults,
     NULL},
    {"path.procfs", HE_FLAG_STRING, "/proc", "procfs mountpoint.", &opt.procfs, NULL},
    {"web.telemetry-path", HE_FLAG_STRING, "/metrics", "Metrics path.", &opt.telemetry_path,
     check_path},
    {"web.disable-exporter-metrics", HE_FLAG_BOOL, NULL, "No self metrics.",
     &opt.disable_exporter_metrics, NULL},
    {"web.max-requests", HE_FLAG_INT, "40", "Parallel requests.", &opt.max_requests, NULL},
    {"web.listen-address", HE_FLAG_STRINGS, ":9100", "Listen addresses.", &opt.listen, NULL},
    {"log.level", HE_FLAG_STRING, "info", NULL, &opt.log_level, NULL},
    {0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    char *text = malloc(size + 1);
    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 1] = {"host_exporter"};
    int argc = 1;
    for (char *p = text; argc < MAX_ARGS;) {
        argv[argc++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) {
            break;
        }
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;

    char err[512];
    enum he_flags_result r = he_flags_parse(argc, argv, globals, err, sizeof(err));
    if (memchr(err, '\0', sizeof(err)) == NULL || (r == HE_FLAGS_ERROR && !err[0])) {
        abort(); /* an error always comes with its message, NUL-terminated */
    }
    if (r == HE_FLAGS_HELP) {
        if (!devnull) {
            devnull = fopen("/dev/null", "w");
        }
        if (devnull) {
            he_flags_usage(devnull, "host_exporter", globals);
        }
    }
    free(text);
    return 0;
}
