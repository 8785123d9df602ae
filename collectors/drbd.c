/* SPDX-License-Identifier: Apache-2.0 */
/*
 * drbd: DRBD 8.x replication state from <procfs>/drbd, as node_exporter 1.12.1's
 * collector/drbd_linux.go reads it (default off).
 *
 * The file is read as whitespace-separated words (bufio.ScanWords); only words
 * holding exactly one ':' count. "<minor>:" starts a device (labelled drbd<minor>;
 * "unknown" before the first), "cs:<state>" gives node_drbd_connected (1 when
 * Connected), "ro:<local>/<peer>" and "ds:<local>/<peer>" give
 * node_drbd_node_role_is_primary and node_drbd_disk_state_is_up_to_date with a
 * node="local"/"remote" label, and the counters ns nr dw dr al bm lo pe ua ap ep
 * oos give the node_drbd_* families below. Upstream's multipliers are kept as they
 * are: ns, dw, dr and oos are KiB turned into bytes, nr is exported unconverted.
 * Everything else (version lines, "wo:", resync progress) is skipped.
 *
 * As upstream: no file means no data; a counter that is not a Go float fails the
 * collector, keeping what was emitted before; a word longer than Go's 64 KiB
 * scanner limit fails it too. Where upstream panics (a ro/ds value without '/')
 * the pair is skipped instead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* bufio.MaxScanTokenSize: ScanWords fails on a word this long. */
#define DRBD_MAX_WORD (64 * 1024)
/* /proc/drbd holds a few lines per device; the cap guards against a runaway file. */
#define DRBD_FILE_LIMIT (8u * 1024u * 1024u)

struct drbd_numerical {
    const char *key;
    const char *name;
    const char *help;
    enum he_metric_type type;
    double multiplier;
};

static const struct drbd_numerical drbd_numericals[] = {
    {"ns", "node_drbd_network_sent_bytes_total", "Total number of bytes sent via the network.",
     HE_COUNTER, 1024},
    {"nr", "node_drbd_network_received_bytes_total",
     "Total number of bytes received via the network.", HE_COUNTER, 1},
    {"dw", "node_drbd_disk_written_bytes_total", "Net data written on local hard disk; in bytes.",
     HE_COUNTER, 1024},
    {"dr", "node_drbd_disk_read_bytes_total", "Net data read from local hard disk; in bytes.",
     HE_COUNTER, 1024},
    {"al", "node_drbd_activitylog_writes_total",
     "Number of updates of the activity log area of the meta data.", HE_COUNTER, 1},
    {"bm", "node_drbd_bitmap_writes_total",
     "Number of updates of the bitmap area of the meta data.", HE_COUNTER, 1},
    {"lo", "node_drbd_local_pending", "Number of open requests to the local I/O sub-system.",
     HE_GAUGE, 1},
    {"pe", "node_drbd_remote_pending",
     "Number of requests sent to the peer, but that have not yet been answered by the latter.",
     HE_GAUGE, 1},
    {"ua", "node_drbd_remote_unacknowledged",
     "Number of requests received by the peer via the network connection, but that have not yet "
     "been answered.",
     HE_GAUGE, 1},
    {"ap", "node_drbd_application_pending",
     "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.", HE_GAUGE, 1},
    {"ep", "node_drbd_epochs", "Number of Epochs currently on the fly.", HE_GAUGE, 1},
    {"oos", "node_drbd_out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.",
     HE_GAUGE, 1024},
};

struct drbd_pair {
    const char *key;
    const char *name;
    const char *help;
    const char *ok; /* the value that counts as 1 */
};

static const struct drbd_pair drbd_pairs[] = {
    {"ro", "node_drbd_node_role_is_primary", "Whether the role of the node is in the primary state.",
     "Primary"},
    {"ds", "node_drbd_disk_state_is_up_to_date", "Whether the disk of the node is up to date.",
     "UpToDate"},
};

struct drbd_state {
    struct he_file file;
    char device[32]; /* "drbd" + a uint64, or "unknown" */
};

static int drbd_init(void **state)
{
    struct drbd_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, DRBD_FILE_LIMIT);
    *state = s;
    return 0;
}

static void drbd_fini(void *state)
{
    struct drbd_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

/*
 * The next word of *rest as bufio.ScanWords yields it (split at Go white space).
 * Returns 1, 0 at the end, or -E2BIG for a word the Go scanner refuses.
 */
static int drbd_next_word(struct he_field *rest, struct he_field *word)
{
    size_t n;
    while (rest->len > 0 && (n = he_go_space_at(rest->p, rest->len)) > 0) {
        rest->p += n;
        rest->len -= n;
    }
    if (rest->len == 0) {
        return 0;
    }
    size_t i = 0;
    while (i < rest->len && he_go_space_at(rest->p + i, rest->len - i) == 0) {
        i++;
    }
    if (i >= DRBD_MAX_WORD) {
        return -E2BIG;
    }
    *word = (struct he_field){rest->p, i};
    rest->p += i;
    rest->len -= i;
    return 1;
}

/*
 * strconv.ParseFloat(value, 64) for a counter: he_parse_double plus Go's digit
 * separators ("1_000") and minus the C-only forms ("nan(...)", a signed NaN).
 */
static int drbd_parse_float(struct he_field f, double *out)
{
    char tmp[64];
    size_t n = 0;
    if (memchr(f.p, '(', f.len) || (f.len > 1 && (f.p[0] == '+' || f.p[0] == '-') &&
                                    (f.p[1] == 'n' || f.p[1] == 'N'))) {
        return -EINVAL;
    }
    if (!memchr(f.p, '_', f.len)) {
        return he_parse_double(f, out);
    }
    if (!he_go_underscores_ok(f.p, f.len)) {
        return -EINVAL;
    }
    for (size_t i = 0; i < f.len; i++) {
        if (f.p[i] != '_') {
            if (n + 1 >= sizeof(tmp)) {
                return -EINVAL;
            }
            tmp[n++] = f.p[i];
        }
    }
    return he_parse_double((struct he_field){tmp, n}, out);
}

/* "ro:Primary/Secondary": one sample per side, 1 where the side is pair->ok. */
static void drbd_emit_pair(struct drbd_state *s, struct he_writer *w, const struct drbd_pair *pair,
                           struct he_field value)
{
    const char *slash = memchr(value.p, '/', value.len);
    if (!slash) {
        he_log_debug("drbd: value without '/'", "key", pair->key, "device", s->device, NULL);
        return;
    }
    struct he_field local = {value.p, (size_t)(slash - value.p)};
    struct he_field rest = {slash + 1, value.len - local.len - 1};
    const char *slash2 = memchr(rest.p, '/', rest.len);
    struct he_field remote = {rest.p, slash2 ? (size_t)(slash2 - rest.p) : rest.len};
    struct he_label l[2] = {{"device", s->device}, {"node", "local"}};
    he_writer_family(w, pair->name, pair->help, HE_GAUGE);
    he_writer_sample(w, l, 2, he_field_eq(local, pair->ok) ? 1 : 0);
    l[1].value = "remote";
    he_writer_sample(w, l, 2, he_field_eq(remote, pair->ok) ? 1 : 0);
}

/* Handles one "key:value" word. Returns 0, or -EINVAL for a counter that is no float. */
static int drbd_handle(struct drbd_state *s, struct he_writer *w, struct he_field key,
                       struct he_field value)
{
    uint64_t id;
    if (value.len == 0 && he_parse_u64(key, &id) == 0) {
        snprintf(s->device, sizeof(s->device), "drbd%" PRIu64, id);
        return 0;
    }
    struct he_label dev = {"device", s->device};
    for (size_t i = 0; i < sizeof(drbd_numericals) / sizeof(drbd_numericals[0]); i++) {
        const struct drbd_numerical *m = &drbd_numericals[i];
        double v;
        if (!he_field_eq(key, m->key)) {
            continue;
        }
        if (drbd_parse_float(value, &v) < 0) {
            he_log_debug("drbd: cannot parse a counter", "key", m->key, "device", s->device, NULL);
            return -EINVAL;
        }
        he_writer_family(w, m->name, m->help, m->type);
        he_writer_sample(w, &dev, 1, v * m->multiplier);
        return 0;
    }
    for (size_t i = 0; i < sizeof(drbd_pairs) / sizeof(drbd_pairs[0]); i++) {
        if (he_field_eq(key, drbd_pairs[i].key)) {
            drbd_emit_pair(s, w, &drbd_pairs[i], value);
            return 0;
        }
    }
    if (he_field_eq(key, "cs")) {
        he_writer_family(w, "node_drbd_connected", "Whether DRBD is connected to the peer.",
                         HE_GAUGE);
        he_writer_sample(w, &dev, 1, he_field_eq(value, "Connected") ? 1 : 0);
    }
    return 0;
}

static int drbd_parse(struct drbd_state *s, struct he_writer *w)
{
    struct he_field rest = {s->file.buf.data, s->file.buf.len}, word;
    int rc;
    strcpy(s->device, "unknown");
    while ((rc = drbd_next_word(&rest, &word)) > 0) {
        const char *colon = memchr(word.p, ':', word.len);
        if (!colon || memchr(colon + 1, ':', word.len - (size_t)(colon + 1 - word.p))) {
            continue; /* strings.Split(word, ":") must give exactly two parts */
        }
        struct he_field key = {word.p, (size_t)(colon - word.p)};
        struct he_field value = {colon + 1, word.len - key.len - 1};
        rc = drbd_handle(s, w, key, value);
        if (rc < 0) {
            return rc;
        }
    }
    return rc;
}

static int drbd_collect(void *state, struct he_writer *w)
{
    struct drbd_state *s = state;
    char path[4096];
    int rc = he_path_proc(path, sizeof(path), "drbd");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == -ENOENT) {
        he_log_debug("drbd: stats file does not exist, skipping", "file", path, NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        he_log_debug("drbd: cannot read", "path", path, NULL);
        return rc;
    }
    return drbd_parse(s, w);
}

static const struct he_collector drbd_collector = {
    .name = "drbd",
    .default_enabled = false,
    .init = drbd_init,
    .collect = drbd_collect,
    .fini = drbd_fini,
};

HE_COLLECTOR_REGISTER(drbd_collector)
