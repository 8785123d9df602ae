/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regular expressions given on the command line, as node_exporter's filters take
 * them (Go RE2 syntax, unanchored search). POSIX extended regexes cover what
 * those filters use once Go's shorthands are translated: \d \D \s \S \w \W,
 * non-capturing "(?:" and a leading "(?i)". Patterns are compiled once at
 * startup; a bad one fails the start with one line naming the flag.
 */
#ifndef HE_REGEX_H
#define HE_REGEX_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

struct he_regex_memo;

struct he_regex {
    regex_t re;
    bool compiled;
    struct he_regex_memo *memo;  /* answers for strings seen before (glibc's regexec is slow) */
    char *posix;                 /* the translated pattern, to compile again; set if compiled */
    int cflags;
    bool ran;                    /* regexec has run since the last compile */
    bool trimmed;                /* the first scrape's tables were dropped */
};

/*
 * Compiles pattern (NULL or "" leaves r unset). Returns 0, or -EINVAL with the
 * reason in err.
 */
int he_regex_compile(struct he_regex *r, const char *pattern, char *err, size_t errsize);

/*
 * True when r is set and matches somewhere in s. The answer for each distinct s
 * is remembered (up to a bound), since collectors ask about the same names on
 * every scrape; the memory for that is taken on first use and kept. regexec's
 * own state tables (glibc builds a DFA lazily, ~0.5 MB for the default netstat
 * and filesystem patterns) are dropped once the remembered answers suffice: on
 * the first answer from memory, r is compiled afresh (only while the memory has
 * room, so that a memo that is full keeps its DFA). Only once: the few states a
 * new name adds later are not worth a compile's allocations on every change of
 * the host's devices, mounts or slab caches.
 */
bool he_regex_match(struct he_regex *r, const char *s);

/*
 * Drops regexec's state tables now if regexec ran since r was compiled, for a
 * caller that keeps its own answers and may not ask again (netstat's plan).
 */
void he_regex_trim(struct he_regex *r);

void he_regex_free(struct he_regex *r);

/* A he_flag check function: refuses values that do not compile. */
int he_regex_check_flag(const char *value, char *err, size_t errsize);

/*
 * node_exporter's include/exclude pair (deviceFilter): a name is ignored when
 * the exclude pattern matches it or the include pattern does not. Collectors
 * whose flags upstream declares mutually exclusive check that themselves.
 */
struct he_filter {
    struct he_regex include;
    struct he_regex exclude;
};

/* Compiles both patterns (either may be NULL or ""). 0 or -EINVAL with err set. */
int he_filter_init(struct he_filter *f, const char *include, const char *exclude, char *err,
                   size_t errsize);

bool he_filter_ignored(struct he_filter *f, const char *name);

void he_filter_free(struct he_filter *f);

#endif
