/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for he_cpusys.h's text helpers: the kernel's CPU list
 * format ("0-3,8,10-11" in /sys/devices/system/cpu/online and the like) with
 * its lookups, and the blank-separated field walk and cpuN name check the cpu
 * collectors use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_cpusys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct he_cpulist l;
    he_cpulist_init(&l);
    if (he_cpulist_parse(&l, text, size) == 0) {
        if (l.n > HE_CPULIST_MAX || (l.n && !l.ids)) {
            abort();
        }
        for (size_t i = 0; i < l.n && i < 64; i++) {
            (void)he_cpulist_search(&l, l.ids[i]);
        }
        (void)he_cpulist_search(&l, 0);
        (void)he_cpulist_search(&l, UINT16_MAX);
    } else if (l.n != 0) {
        abort(); /* the header promises an empty list on failure */
    }
    he_cpulist_fini(&l);

    struct he_field line = {text, size}, f;
    size_t pos = 0, count = 0;
    while (he_cpu_next_field(line, &pos, &f)) {
        if (f.p < text || f.p + f.len > text + size || f.len == 0 || ++count > size) {
            abort();
        }
    }

    char name[64];
    size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
    memcpy(name, text, n);
    name[n] = '\0';
    (void)he_cpu_name_ok(name);
    return 0;
}
