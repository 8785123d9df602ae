/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the collectors' own readers of user-supplied files that
 * are not /proc or /sys text: the qdisc collector's results.json reader
 * (--collector.qdisc.fixtures) and the pcidevice collector's pci.ids index
 * (--collector.pcidevice.idsfile). Both are static to their collectors, so
 * they are reached as the exporter reaches them: the collectors are linked in,
 * the flags point at a scratch directory, and the input (after one byte
 * choosing the reader) is written there as the file. pcidevice then runs over
 * the pcidevice-names fixture tree so every device's names are looked up in
 * the fuzzed index; qdisc's samples are rendered.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "he_buf.h"
#include "he_flags.h"
#include "he_paths.h"
#include "he_registry.h"
#include "he_writer.h"

static const struct he_flag globals[] = {{0}};
static char dir[] = "/tmp/he_fuzz_fixtures.XXXXXX";
static char ids_path[PATH_MAX], json_path[PATH_MAX];
static struct he_registry_entry *qdisc, *pcidevice;
static struct he_writer *writer;
static void *qdisc_state;

static void cleanup(void)
{
    unlink(ids_path);
    unlink(json_path);
    rmdir(dir);
}

static void setup(void)
{
    if (!mkdtemp(dir)) {
        abort();
    }
    atexit(cleanup);
    snprintf(ids_path, sizeof(ids_path), "%s/pci.ids", dir);
    snprintf(json_path, sizeof(json_path), "%s/results.json", dir);
    static char fixtures[PATH_MAX + 32], idsfile[PATH_MAX + 40];
    snprintf(fixtures, sizeof(fixtures), "--collector.qdisc.fixtures=%s", dir);
    snprintf(idsfile, sizeof(idsfile), "--collector.pcidevice.idsfile=%s", ids_path);
    char *argv[] = {"host_exporter", "--collector.qdisc", "--collector.pcidevice",
                    "--collector.pcidevice.names", fixtures, idsfile, NULL};
    char err[512];
    if (he_flags_parse(6, argv, globals, err, sizeof(err)) != HE_FLAGS_OK) {
        fprintf(stderr, "fuzz_fixtures: %s\n", err);
        abort();
    }
    /* --path.sysfs is main()'s flag: set the root it would set */
    he_paths.sysfs = HE_SOURCE_ROOT "/tests/fixtures/pcidevice-names/sys";
    qdisc = he_registry_find("qdisc");
    pcidevice = he_registry_find("pcidevice");
    writer = he_writer_new();
    if (!qdisc || !pcidevice || !writer || qdisc->c->init(&qdisc_state) != 0) {
        abort();
    }
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        return -1;
    }
    size_t n = fwrite(data, 1, size, f);
    return fclose(f) == 0 && n == size ? 0 : -1;
}

static void render(void)
{
    struct he_buf out;
    he_buf_init(&out, 64u << 20);
    he_writer_render(writer, HE_FORMAT_TEXT_0_0_4, &out);
    he_buf_free(&out);
    he_writer_reset(writer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size < 1) {
        return 0;
    }
    if (data[0] & 1) {
        if (write_file(ids_path, data + 1, size - 1) < 0) {
            abort();
        }
        /* the index is built at init: a fresh state per input */
        void *state = NULL;
        if (pcidevice->c->init(&state) != 0) {
            abort();
        }
        pcidevice->c->collect(state, writer);
        pcidevice->c->fini(state);
    } else {
        if (write_file(json_path, data + 1, size - 1) < 0) {
            abort();
        }
        qdisc->c->collect(qdisc_state, writer);
    }
    render();
    return 0;
}
