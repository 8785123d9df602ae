/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for he_rpcstat.h, the line parser of /proc/net/rpc/nfs and
 * nfsd: every line of the input is parsed with a few value limits (the nfsd
 * "th" line reads two) and, when it parses, checked as a counted "procN" line.
 */
#include <stdint.h>
#include <stdlib.h>

#include "he_rpcstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[] = {1, 2, HE_RPC_MAX_VALUES};
    static struct he_rpc_line out;   /* 1 KiB: kept off the stack */
    struct he_lines it;
    struct he_field line;
    he_lines_init(&it, (const char *)data, size);
    while (he_lines_next(&it, &line)) {
        for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
            if (he_rpc_parse_line(line, limits[i], &out) == 0) {
                if (out.key.p < line.p || out.key.p + out.key.len > line.p + line.len) {
                    abort();
                }
                he_rpc_check_counted(&out, 0);
                he_rpc_check_counted(&out, 18);
            }
        }
    }
    return 0;
}
