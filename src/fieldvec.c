/* SPDX-License-Identifier: Apache-2.0 */
/* Growable field arrays for lines of run-time width (see he_fieldvec.h). */
#include "he_fieldvec.h"

#include <errno.h>
#include <stdlib.h>

void he_fieldvec_init(struct he_fieldvec *fv)
{
    fv->v = NULL;
    fv->n = 0;
    fv->cap = 0;
}

void he_fieldvec_fini(struct he_fieldvec *fv)
{
    free(fv->v);
    he_fieldvec_init(fv);
}

/* Grows the array to hold at least want fields, doubling from 16. */
static int fieldvec_reserve(struct he_fieldvec *fv, size_t want)
{
    size_t cap = fv->cap ? fv->cap : 16;
    while (cap < want) {
        cap *= 2;
    }
    struct he_field *v = realloc(fv->v, cap * sizeof(*v));
    if (!v) {
        return -ENOMEM;
    }
    fv->v = v;
    fv->cap = cap;
    return 0;
}

int he_fieldvec_split(struct he_fieldvec *fv, struct he_field line)
{
    fv->n = 0;
    /* One pass when the line fits, as it does once the array has grown. */
    size_t n = he_split_fields(line, fv->v, fv->cap);
    if (n <= fv->cap) {
        fv->n = n;
        return 0;
    }
    if (n > HE_FIELDVEC_MAX) {
        return -E2BIG;
    }
    int rc = fieldvec_reserve(fv, n);
    if (rc < 0) {
        return rc;
    }
    fv->n = he_split_fields(line, fv->v, fv->cap);
    return 0;
}
