/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whitespace-separated fields of a line whose width is only known at run time:
 * one column per CPU in /proc/interrupts and /proc/softirqs, one per block order
 * in /proc/buddyinfo. The array grows to the widest line seen and is reused, so
 * once warm a scrape splits lines without allocating. Fields point into the
 * caller's text, split exactly as he_split_fields() does.
 */
#ifndef HE_FIELDVEC_H
#define HE_FIELDVEC_H

#include <stddef.h>

#include "he_parse.h"

/*
 * Most fields one line may hold. node_exporter reads these files with Go's
 * bufio.Scanner, which fails on a line past 64 KiB, so no line it accepts has
 * more than 32768 fields; a wider one is refused here rather than grown into.
 */
#define HE_FIELDVEC_MAX 65536u

struct he_fieldvec {
    struct he_field *v;   /* fields 0 .. n-1 of the last split line */
    size_t n;
    size_t cap;
};

void he_fieldvec_init(struct he_fieldvec *fv);

/* Frees the array; fv is empty and reusable afterwards. */
void he_fieldvec_fini(struct he_fieldvec *fv);

/*
 * Splits line at runs of blanks into fv->v[0 .. fv->n). Returns 0, -E2BIG for a
 * line of more than HE_FIELDVEC_MAX fields or -ENOMEM; on error fv->n is 0.
 */
int he_fieldvec_split(struct he_fieldvec *fv, struct he_field line);

#endif
