/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xfrm: the IPsec (XFRM) error counters of <procfs>/net/xfrm_stat
 * (Documentation/networking/xfrm_proc.rst), as node_exporter 1.12.1's
 * collector/xfrm.go with prometheus/procfs's xfrm.go NewXfrmStat.
 *
 * Every line must be two fields (strings.Fields) whose second is a Go Atoi
 * number, or the whole read fails (an empty line too, and a line longer than
 * bufio.Scanner's 64 KiB). The 28 counters procfs knows are emitted as
 * node_xfrm_*_packets_total, 0 when the kernel does not print them; newer
 * ones (XfrmOutStateDirError, XfrmInIptfsError, ...) are parsed and dropped.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* The longest line bufio.Scanner's default buffer (64 KiB with its '\n') holds. */
#define XFRM_MAX_LINE 65535

static const struct {
    const char *key;
    const char *name;
    const char *help;
} xfrm_counters[] = {
    {"XfrmInError", "node_xfrm_in_error_packets_total", "All errors not matched by other"},
    {"XfrmInBufferError", "node_xfrm_in_buffer_error_packets_total", "No buffer is left"},
    {"XfrmInHdrError", "node_xfrm_in_hdr_error_packets_total", "Header error"},
    {"XfrmInNoStates", "node_xfrm_in_no_states_packets_total",
     "No state is found i.e. Either inbound SPI, address, or IPsec protocol at SA is wrong"},
    {"XfrmInStateProtoError", "node_xfrm_in_state_proto_error_packets_total",
     "Transformation protocol specific error e.g. SA key is wrong"},
    {"XfrmInStateModeError", "node_xfrm_in_state_mode_error_packets_total",
     "Transformation mode specific error"},
    {"XfrmInStateSeqError", "node_xfrm_in_state_seq_error_packets_total",
     "Sequence error i.e. Sequence number is out of window"},
    {"XfrmInStateExpired", "node_xfrm_in_state_expired_packets_total", "State is expired"},
    {"XfrmInStateMismatch", "node_xfrm_in_state_mismatch_packets_total",
     "State has mismatch option e.g. UDP encapsulation type is mismatch"},
    {"XfrmInStateInvalid", "node_xfrm_in_state_invalid_packets_total", "State is invalid"},
    {"XfrmInTmplMismatch", "node_xfrm_in_tmpl_mismatch_packets_total",
     "No matching template for states e.g. Inbound SAs are correct but SP rule is wrong"},
    {"XfrmInNoPols", "node_xfrm_in_no_pols_packets_total",
     "No policy is found for states e.g. Inbound SAs are correct but no SP is found"},
    {"XfrmInPolBlock", "node_xfrm_in_pol_block_packets_total", "Policy discards"},
    {"XfrmInPolError", "node_xfrm_in_pol_error_packets_total", "Policy error"},
    {"XfrmOutError", "node_xfrm_out_error_packets_total", "All errors which is not matched others"},
    {"XfrmOutBundleGenError", "node_xfrm_out_bundle_gen_error_packets_total",
     "Bundle generation error"},
    {"XfrmOutBundleCheckError", "node_xfrm_out_bundle_check_error_packets_total",
     "Bundle check error"},
    {"XfrmOutNoStates", "node_xfrm_out_no_states_packets_total", "No state is found"},
    {"XfrmOutStateProtoError", "node_xfrm_out_state_proto_error_packets_total",
     "Transformation protocol specific error"},
    {"XfrmOutStateModeError", "node_xfrm_out_state_mode_error_packets_total",
     "Transformation mode specific error"},
    {"XfrmOutStateSeqError", "node_xfrm_out_state_seq_error_packets_total",
     "Sequence error i.e. Sequence number overflow"},
    {"XfrmOutStateExpired", "node_xfrm_out_state_expired_packets_total", "State is expired"},
    {"XfrmOutPolBlock", "node_xfrm_out_pol_block_packets_total", "Policy discards"},
    {"XfrmOutPolDead", "node_xfrm_out_pol_dead_packets_total", "Policy is dead"},
    {"XfrmOutPolError", "node_xfrm_out_pol_error_packets_total", "Policy error"},
    {"XfrmFwdHdrError", "node_xfrm_fwd_hdr_error_packets_total",
     "Forward routing of a packet is not allowed"},
    {"XfrmOutStateInvalid", "node_xfrm_out_state_invalid_packets_total",
     "State is invalid, perhaps expired"},
    {"XfrmAcquireError", "node_xfrm_acquire_error_packets_total",
     "State hasn\xe2\x80\x99t been fully acquired before use"},
};

#define XFRM_N (sizeof(xfrm_counters) / sizeof(xfrm_counters[0]))

struct xfrm_state {
    struct he_file file;
};

/* NewXfrmStat over text: fills v (zeroed first). 0 or -EINVAL. */
static int xfrm_parse(const char *text, size_t len, int64_t v[XFRM_N])
{
    struct he_lines it;
    struct he_field line, f[2];
    for (size_t i = 0; i < XFRM_N; i++) {
        v[i] = 0;
    }
    he_lines_init(&it, text, len);
    while (he_lines_next(&it, &line)) {
        int64_t n;
        if (line.len > XFRM_MAX_LINE || he_go_fields(line, f, 2) != 2 ||
            he_parse_i64(f[1], &n) < 0) {
            return -EINVAL; /* every line is parsed, known or not */
        }
        for (size_t i = 0; i < XFRM_N; i++) {
            if (he_field_eq(f[0], xfrm_counters[i].key)) {
                v[i] = n;
            }
        }
    }
    return 0;
}

static int xfrm_collect(void *state, struct he_writer *w)
{
    struct xfrm_state *s = state;
    char path[PATH_MAX];
    int64_t v[XFRM_N];
    int rc = he_path_proc(path, sizeof(path), "net/xfrm_stat");
    if (rc == 0) {
        rc = he_file_read(&s->file, path);
    }
    if (rc == 0) {
        rc = xfrm_parse(s->file.buf.data, s->file.buf.len, v);
    }
    if (rc < 0) {
        he_log_debug("xfrm: cannot read", "path", path, NULL);
        return rc;
    }
    for (size_t i = 0; i < XFRM_N; i++) {
        he_writer_family(w, xfrm_counters[i].name, xfrm_counters[i].help, HE_COUNTER);
        he_writer_value(w, (double)v[i]);
    }
    return 0;
}

static int xfrm_init(void **state)
{
    struct xfrm_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->file, false, 0);
    *state = s;
    return 0;
}

static void xfrm_fini(void *state)
{
    struct xfrm_state *s = state;
    he_file_fini(&s->file);
    free(s);
}

static const struct he_collector xfrm_collector = {
    .name = "xfrm",
    .default_enabled = false,
    .init = xfrm_init,
    .collect = xfrm_collect,
    .fini = xfrm_fini,
};

HE_COLLECTOR_REGISTER(xfrm_collector)
