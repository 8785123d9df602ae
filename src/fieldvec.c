/* SPDX-License-Identifier: Apache-2.0 */
/* Growable field arrays for lines of run-time width (see he_fieldvec.h). */
#include "he_fieldvec.h"

#include <errno.h>
#include <stdlib.h>

#include "he_buf.h"

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
    int rc = he_array_grow((void **)&fv->v, &fv->cap, n, sizeof(*fv->v));
    if (rc < 0) {
        return rc;
    }
    fv->n = he_split_fields(line, fv->v, fv->cap);
    return 0;
}
