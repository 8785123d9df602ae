/* SPDX-License-Identifier: Apache-2.0 */
/* Go-style regexes on POSIX regcomp, and include/exclude filters (see he_regex.h). */
#include "he_regex.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"

/* Appends s to out[*n] if it fits; false otherwise. */
static bool put(char *out, size_t size, size_t *n, const char *s)
{
    size_t len = strlen(s);
    if (*n + len >= size) {
        return false;
    }
    memcpy(out + *n, s, len + 1);
    *n += len;
    return true;
}

static const char *class_for_escape(char c)
{
    switch (c) {
    case 'd': return "[0-9]";
    case 'D': return "[^0-9]";
    case 's': return "[[:space:]]";
    case 'S': return "[^[:space:]]";
    case 'w': return "[[:alnum:]_]";
    case 'W': return "[^[:alnum:]_]";
    default: return NULL;
    }
}

/* Rewrites Go's shorthands into POSIX ERE; -ENAMETOOLONG if out is too small. */
static int translate(const char *in, char *out, size_t size, bool *icase)
{
    size_t n = 0;
    out[0] = '\0';
    *icase = strncmp(in, "(?i)", 4) == 0;
    if (*icase) {
        in += 4;
    }
    for (const char *p = in; *p; p++) {
        char one[3] = {p[0], 0, 0};
        const char *piece = one;
        if (p[0] == '\\' && p[1]) {
            const char *cls = class_for_escape(p[1]);
            one[1] = p[1];
            piece = cls ? cls : one;
            p++;
        } else if (p[0] == '(' && p[1] == '?' && p[2] == ':') {
            piece = "(";
            p += 2;
        }
        if (!put(out, size, &n, piece)) {
            return -ENAMETOOLONG;
        }
    }
    return 0;
}

/* Most names one regex remembers, and the bytes for them; past either, regexec answers. */
#define MEMO_MAX_NAMES 1024
#define MEMO_MAX_BYTES (64u * 1024u)

/* Remembered answers: an open-addressed table of name offsets (+ 1) with their results. */
struct he_regex_memo {
    struct he_buf names;
    uint32_t *slots;
    bool *matched;
    size_t cap, used;
};

static uint32_t memo_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t memo_slot(const struct he_regex_memo *m, const char *s)
{
    size_t mask = m->cap - 1;
    size_t i = memo_hash(s) & mask;
    while (m->slots[i] && strcmp(m->names.data + m->slots[i] - 1, s) != 0) {
        i = (i + 1) & mask;
    }
    return i;
}

static struct he_regex_memo *memo_new(void)
{
    struct he_regex_memo *m = calloc(1, sizeof(*m));
    if (!m) {
        return NULL;
    }
    m->cap = 2 * MEMO_MAX_NAMES;
    m->slots = calloc(m->cap, sizeof(*m->slots));
    m->matched = calloc(m->cap, sizeof(*m->matched));
    if (!m->slots || !m->matched) {
        free(m->slots);
        free(m->matched);
        free(m);
        return NULL;
    }
    he_buf_init(&m->names, MEMO_MAX_BYTES);
    return m;
}

static void memo_remember(struct he_regex_memo *m, size_t slot, const char *s, bool matched)
{
    size_t off = m->names.len;
    if (m->used < MEMO_MAX_NAMES && he_buf_append(&m->names, s, strlen(s) + 1) == 0) {
        m->slots[slot] = (uint32_t)off + 1;
        m->matched[slot] = matched;
        m->used++;
    }
}

int he_regex_compile(struct he_regex *r, const char *pattern, char *err, size_t errsize)
{
    r->compiled = false;
    r->memo = NULL;
    r->posix = NULL;
    r->ran = false;
    r->trimmed = false;
    if (!pattern || !*pattern) {
        return 0;
    }
    char posix[4096];
    bool icase;
    if (translate(pattern, posix, sizeof(posix), &icase) < 0) {
        snprintf(err, errsize, "regular expression too long: %.64s...", pattern);
        return -EINVAL;
    }
    int flags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
    int rc = regcomp(&r->re, posix, flags);
    if (rc != 0) {
        char why[128];
        regerror(rc, &r->re, why, sizeof(why));
        snprintf(err, errsize, "invalid regular expression \"%s\": %s", pattern, why);
        return -EINVAL;
    }
    r->posix = strdup(posix);
    if (!r->posix) {
        regfree(&r->re);
        snprintf(err, errsize, "out of memory");
        return -EINVAL;
    }
    r->cflags = flags;
    r->compiled = true;
    return 0;
}

/*
 * Compiles r's pattern afresh, dropping the state tables regexec built (freed
 * pages go back to the kernel with malloc_trim). On failure (memory only: the
 * pattern compiled before) r keeps its old, working regex_t.
 */
static void regex_drop_tables(struct he_regex *r)
{
    regex_t fresh;
    r->ran = false;
    if (regcomp(&fresh, r->posix, r->cflags) != 0) {
        return;
    }
    regfree(&r->re);
    r->re = fresh;
    malloc_trim(0);
}

bool he_regex_match(struct he_regex *r, const char *s)
{
    if (!r->compiled) {
        return false;
    }
    if (!r->memo) {
        r->memo = memo_new(); /* without it every match asks regexec, which is only slower */
    }
    struct he_regex_memo *m = r->memo;
    size_t slot = m ? memo_slot(m, s) : 0;
    if (m && m->slots[slot]) {
        if (r->ran && !r->trimmed && m->used < MEMO_MAX_NAMES) {
            regex_drop_tables(r);
            r->trimmed = true;
        }
        return m->matched[slot];
    }
    r->ran = true;
    bool matched = regexec(&r->re, s, 0, NULL, 0) == 0;
    if (m) {
        memo_remember(m, slot, s, matched);
    }
    return matched;
}

void he_regex_trim(struct he_regex *r)
{
    if (r->compiled && r->ran) {
        regex_drop_tables(r);
    }
}

void he_regex_free(struct he_regex *r)
{
    if (r->compiled) {
        regfree(&r->re);
        free(r->posix);
        r->posix = NULL;
        r->compiled = false;
    }
    if (r->memo) {
        he_buf_free(&r->memo->names);
        free(r->memo->slots);
        free(r->memo->matched);
        free(r->memo);
        r->memo = NULL;
    }
}

int he_regex_check_flag(const char *value, char *err, size_t errsize)
{
    struct he_regex r;
    int rc = he_regex_compile(&r, value, err, errsize);
    he_regex_free(&r);
    return rc;
}

int he_filter_init(struct he_filter *f, const char *include, const char *exclude, char *err,
                   size_t errsize)
{
    f->include.compiled = false;
    f->exclude.compiled = false;
    int rc = he_regex_compile(&f->include, include, err, errsize);
    if (rc == 0) {
        rc = he_regex_compile(&f->exclude, exclude, err, errsize);
    }
    return rc;
}

bool he_filter_ignored(struct he_filter *f, const char *name)
{
    return he_regex_match(&f->exclude, name) ||
           (f->include.compiled && !he_regex_match(&f->include, name));
}

void he_filter_free(struct he_filter *f)
{
    he_regex_free(&f->include);
    he_regex_free(&f->exclude);
}
