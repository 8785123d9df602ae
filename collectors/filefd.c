/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filefd: node_filefd_allocated and node_filefd_maximum from
 * <procfs>/sys/fs/file-nr, which holds three tab-separated numbers: allocated
 * file handles, free ones (always 0 since Linux 2.6, not exported) and the
 * maximum (proc(5)). Mirrors node_exporter 1.12.1's collector/filefd_linux.go:
 * the text is trimmed of surrounding whitespace and split at every tab, fewer
 * than three parts or a first or third part that is not a float fails the
 * collector, and a missing file is a failure too (not "no data").
 * Upstream emits the two values from a Go map, in random order, so when one
 * is bad the other may or may not be emitted before the failure; here both
 * are checked first and nothing is emitted, the same on every scrape.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* file-nr, kept open and re-read from offset 0 (reopened on error): one short line. */
static int filefd_init(void **state)
{
    struct he_file *f = malloc(sizeof(*f));
    if (!f) {
        return -ENOMEM;
    }
    he_file_init(f, true, 256);
    *state = f;
    return 0;
}

static void filefd_fini(void *state)
{
    he_file_fini(state);
    free(state);
}

/*
 * Splits text as bytes.Split(bytes.TrimSpace(text), "\t") and parses parts 0
 * and 2 as floats. Returns 0 or -EINVAL.
 */
static int filefd_parse(const char *text, size_t len, double *allocated, double *maximum)
{
    struct he_field parts[3];
    size_t n = 0;
    struct he_field trimmed = he_go_trim_space((struct he_field){text, len});
    text = trimmed.p;
    const char *end = text + trimmed.len;
    for (const char *p = text; n < 3; n++) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *stop = tab ? tab : end;
        parts[n] = (struct he_field){p, (size_t)(stop - p)};
        if (!tab) {
            n++;
            break;
        }
        p = tab + 1;
    }
    if (n < 3 || he_parse_double(parts[0], allocated) < 0 ||
        he_parse_double(parts[2], maximum) < 0) {
        return -EINVAL;
    }
    return 0;
}

static int filefd_collect(void *state, struct he_writer *w)
{
    struct he_file *f = state;
    char path[4096];
    double allocated, maximum;
    int rc = he_path_proc(path, sizeof(path), "sys/fs/file-nr");
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    if (rc >= 0) {
        rc = filefd_parse(f->buf.data, f->buf.len, &allocated, &maximum);
    }
    if (rc < 0) {
        he_log_debug("filefd: couldn't get file-nr", "path", path, "err", strerror(-rc), NULL);
        return rc;
    }
    he_writer_family(w, "node_filefd_allocated", "File descriptor statistics: allocated.",
                     HE_GAUGE);
    he_writer_value(w, allocated);
    he_writer_family(w, "node_filefd_maximum", "File descriptor statistics: maximum.", HE_GAUGE);
    he_writer_value(w, maximum);
    return 0;
}

static const struct he_collector filefd_collector = {
    .name = "filefd",
    .default_enabled = true,
    .init = filefd_init,
    .collect = filefd_collect,
    .fini = filefd_fini,
};

HE_COLLECTOR_REGISTER(filefd_collector)
