/* SPDX-License-Identifier: Apache-2.0 */
/* devices/system/cpu as procfs reads it: CPU lists and cpuN attributes (see he_cpusys.h). */
#include "he_cpusys.h"
#include "he_parse_go.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_file.h"
#include "he_paths.h"

void he_cpulist_init(struct he_cpulist *l)
{
    l->ids = NULL;
    l->n = 0;
    l->cap = 0;
}

void he_cpulist_fini(struct he_cpulist *l)
{
    free(l->ids);
    he_cpulist_init(l);
}

static int append(struct he_cpulist *l, int64_t cpu)
{
    if (l->n == HE_CPULIST_MAX) {
        return -E2BIG;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint16_t *ids = realloc(l->ids, cap * sizeof(*ids));
        if (!ids) {
            return -ENOMEM;
        }
        l->ids = ids;
        l->cap = cap;
    }
    l->ids[l->n++] = (uint16_t)(uint64_t)cpu; /* Go's uint16(int) keeps the low bits */
    return 0;
}

/* One comma-separated item: "N" or "A-B". */
static int parse_item(struct he_cpulist *l, const char *p, size_t len)
{
    const char *dash = memchr(p, '-', len);
    int64_t first, last;
    if (!dash) {
        return he_parse_i64((struct he_field){p, len}, &first) < 0 ? -EINVAL : append(l, first);
    }
    size_t left = (size_t)(dash - p);
    if (memchr(dash + 1, '-', len - left - 1)) {
        return -EINVAL; /* "1-2-3": strings.Split gives three parts */
    }
    if (he_parse_i64((struct he_field){p, left}, &first) < 0 ||
        he_parse_i64((struct he_field){dash + 1, len - left - 1}, &last) < 0) {
        return -EINVAL;
    }
    for (int64_t i = first; i <= last; i++) {
        int rc = append(l, i);
        if (rc < 0) {
            return rc;
        }
        if (i == INT64_MAX) {
            break;
        }
    }
    return 0;
}

int he_cpulist_parse(struct he_cpulist *l, const char *text, size_t len)
{
    l->n = 0;
    if (len && text[len - 1] == '\n') {
        len--;
    }
    size_t start = 0;
    while (start <= len) {
        const char *comma = memchr(text + start, ',', len - start);
        size_t end = comma ? (size_t)(comma - text) : len;
        if (end > start) {
            int rc = parse_item(l, text + start, end - start);
            if (rc < 0) {
                l->n = 0;
                return rc;
            }
        }
        start = end + 1;
    }
    return 0;
}

bool he_cpulist_search(const struct he_cpulist *l, uint16_t cpu)
{
    if (l->n == 0) {
        return false;
    }
    if (l->n == 1) {
        return l->ids[0] == cpu;
    }
    long lo = 0;
    long hi = (long)l->n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        if (l->ids[mid] == cpu) {
            return true;
        }
        if (l->ids[mid] > cpu) {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    return false;
}

bool he_cpu_name_ok(const char *name)
{
    return strncmp(name, "cpu", 3) == 0 && name[3] >= '0' && name[3] <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool he_cpu_next_field(struct he_field line, size_t *pos, struct he_field *field)
{
    size_t i = *pos;
    while (i < line.len && is_space(line.p[i])) {
        i++;
    }
    size_t start = i;
    while (i < line.len && !is_space(line.p[i])) {
        i++;
    }
    *pos = i;
    *field = (struct he_field){line.p + start, i - start};
    return i > start;
}

int he_cpu_read_attr(const char *cpu, const char *file, char *buf, size_t keep)
{
    char rel[512];
    char path[4096];
    int n = snprintf(rel, sizeof(rel), "devices/system/cpu/%s/%s", cpu, file);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    int rc = he_path_sys(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_read_attr(path, buf, HE_CPU_ATTR_SIZE);
    }
    if (rc < 0) {
        return rc;
    }
    size_t len = (size_t)rc < keep ? (size_t)rc : keep;
    struct he_field f = he_go_trim_space((struct he_field){buf, len});
    memmove(buf, f.p, f.len);
    buf[f.len] = '\0';
    return (int)f.len;
}

int he_cpu_read_u64(const char *cpu, const char *file, uint64_t *out)
{
    char buf[HE_CPU_ATTR_SIZE];
    int n = he_cpu_read_attr(cpu, file, buf, SIZE_MAX);
    if (n < 0) {
        return n;
    }
    return he_parse_u64((struct he_field){buf, (size_t)n}, out) < 0 ? -EINVAL : 0;
}
