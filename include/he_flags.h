/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line flags with node_exporter's (kingpin's) grammar:
 *   --name=value and --name value; booleans as --name / --no-name (never
 *   --name=true: kingpin refuses that too); a flag may appear once unless it is
 *   repeatable; -h is --help.
 * Global flags are declared by main.c, collector options by each collector file
 * (struct he_collector.flags), and --collector.NAME / --no-collector.NAME are made
 * from the registry, so one parser and one --help serve them all.
 */
#ifndef HE_FLAGS_H
#define HE_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum he_flag_kind {
    HE_FLAG_BOOL,     /* target: bool * */
    HE_FLAG_STRING,   /* target: const char ** */
    HE_FLAG_INT,      /* target: long * */
    HE_FLAG_STRINGS,  /* repeatable; target: struct he_strings * */
};

/* Values of a repeatable flag, in command-line order (pointers into argv). */
struct he_strings {
    const char *items[16];
    size_t n;
};

struct he_flag {
    const char *name;         /* without the leading "--" */
    enum he_flag_kind kind;
    const char *def;          /* default as text (NULL: none / false) */
    const char *help;         /* NULL: accepted but left out of --help, as kingpin's hidden flags */
    void *target;
    /* Optional check of a value; returns 0 or -EINVAL and writes why into err. */
    int (*check)(const char *value, char *err, size_t errsize);
};

enum he_flags_result {
    HE_FLAGS_OK,
    HE_FLAGS_HELP,      /* --help: print usage, exit 0 */
    HE_FLAGS_VERSION,   /* --version: print version, exit 0 */
    HE_FLAGS_ERROR,     /* err holds one line naming the flag */
};

/*
 * Applies defaults, then parses argv against globals (an array ending with a
 * zeroed entry), every registered collector's flags and --[no-]collector.NAME.
 * --collector.disable-defaults turns off every collector not named explicitly.
 */
enum he_flags_result he_flags_parse(int argc, char **argv, const struct he_flag *globals,
                                    char *err, size_t errsize);

/* Prints kingpin-style usage: every flag with its default and help, collectors included. */
void he_flags_usage(FILE *out, const char *prog, const struct he_flag *globals);

#endif
