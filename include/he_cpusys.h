/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the cpu and cpufreq collectors both need from <sysfs>/devices/system/cpu,
 * read the way node_exporter's procfs library reads it, so the two collectors
 * accept and refuse the same input as upstream:
 *
 *  - CPU lists ("0-3,8,10-11\n": isolated, offline) as parseCPURange: one
 *    trailing newline dropped, empty items skipped, every number a Go Atoi (an
 *    optional sign and decimal digits) stored as a uint16 with Go's wrap-around,
 *    "a-b" listing a..b (nothing when b < a); anything else is -EINVAL. A list
 *    reuses its storage and holds at most HE_CPULIST_MAX entries (-E2BIG), so
 *    "0-4000000000" cannot exhaust memory.
 *  - cpuN attributes, trimmed as strings.TrimSpace: whole (os.ReadFile, for
 *    numbers) or their first 128 bytes (SysReadFile, for strings).
 *  - The text helpers those parsers use: TrimSpace and whitespace-separated
 *    fields, for ASCII white space.
 */
#ifndef HE_CPUSYS_H
#define HE_CPUSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "he_parse.h"

#define HE_CPULIST_MAX 65536

struct he_cpulist {
    uint16_t *ids;   /* in the order the text lists them */
    size_t n;
    size_t cap;
};

void he_cpulist_init(struct he_cpulist *l);
void he_cpulist_fini(struct he_cpulist *l);

/* Parses text[0..len) into l. Returns 0, -EINVAL, -E2BIG or -ENOMEM (l is then empty). */
int he_cpulist_parse(struct he_cpulist *l, const char *text, size_t len);

/*
 * True when cpu is in l, found by procfs's binary search (binSearch), which
 * assumes the ascending order the kernel prints; an unsorted list can miss, as
 * it does upstream.
 */
bool he_cpulist_search(const struct he_cpulist *l, uint16_t cpu);

/* True for the names filepath.Glob("cpu[0-9]*") matches: "cpu", a digit, anything. */
bool he_cpu_name_ok(const char *name);

/* The next run of non-blank bytes of line at or after *pos; false at the end. */
bool he_cpu_next_field(struct he_field line, size_t *pos, struct he_field *field);

/* Size of the buffer he_cpu_read_attr() fills: a sysfs attribute is at most a page. */
#define HE_CPU_ATTR_SIZE 4097

/* SysReadFile's single read: string attributes are cut to their first 128 bytes. */
#define HE_CPU_SYSREAD_MAX 128

/*
 * Reads <sysfs>/devices/system/cpu/<cpu>/<file> into buf (HE_CPU_ATTR_SIZE
 * bytes), keeps its first keep bytes (SIZE_MAX: all) and trims them as
 * strings.TrimSpace, NUL-terminated. Returns the length or a negative errno
 * (-EFBIG for a file of more than a page).
 */
int he_cpu_read_attr(const char *cpu, const char *file, char *buf, size_t keep);

/*
 * procfs's ReadUintFromFile (and node_exporter's readUintFromFile) on the same
 * path: the whole file, trimmed, as a decimal uint64. Returns 0, -EINVAL for
 * anything else, or the read's negative errno.
 */
int he_cpu_read_u64(const char *cpu, const char *file, uint64_t *out);

#endif
