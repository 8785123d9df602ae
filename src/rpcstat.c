/* SPDX-License-Identifier: Apache-2.0 */
/* Lines of /proc/net/rpc/{nfs,nfsd} in procfs's semantics (see he_rpcstat.h). */
#include "he_rpcstat.h"

#include <errno.h>

#include "he_parse_go.h"

/* The next strings.Fields field of line at or after *pos; false at the end. */
static bool rpc_next_field(struct he_field line, size_t *pos, struct he_field *f)
{
    size_t i = *pos;
    size_t k;
    while (i < line.len && (k = he_go_space_at(line.p + i, line.len - i)) > 0) {
        i += k;
    }
    if (i >= line.len) {
        *pos = i;
        return false;
    }
    size_t start = i;
    while (i < line.len && he_go_space_at(line.p + i, line.len - i) == 0) {
        i++;
    }
    *f = (struct he_field){line.p + start, i - start};
    *pos = i;
    return true;
}

int he_rpc_parse_line(struct he_field line, size_t max_values, struct he_rpc_line *out)
{
    size_t pos = 0;
    struct he_field f;
    out->n = 0;
    if (line.len > HE_RPC_MAX_LINE || !rpc_next_field(line, &pos, &out->key)) {
        return -EINVAL;
    }
    bool any = false;
    while (rpc_next_field(line, &pos, &f)) {
        any = true;
        if (out->n >= max_values) {
            break;
        }
        uint64_t v;
        if (he_parse_u64(f, &v) < 0) {
            return -EINVAL;
        }
        if (out->n < HE_RPC_MAX_VALUES) {
            out->v[out->n] = v;
        }
        out->n++;
    }
    return any ? 0 : -EINVAL;
}

int he_rpc_check_counted(const struct he_rpc_line *l, uint64_t min)
{
    if (l->n == 0 || l->v[0] != (uint64_t)(l->n - 1) || l->v[0] < min) {
        return -EINVAL;
    }
    return 0;
}
