/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command-line parser (see he_flags.h). Error texts follow kingpin's, which
 * node_exporter users see today: "unknown long flag '--x'", "expected argument for
 * flag '--x'", "flag 'x' cannot be repeated", "unexpected VALUE".
 */
#include "he_flags.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "he_registry.h"

/* One parsed name: a declared flag, or a collector's enable switch. */
struct resolved {
    const struct he_flag *flag;            /* NULL for a collector switch */
    struct he_registry_entry *collector;   /* the switch's collector */
    bool negated;                          /* given as --no-NAME */
};

/* Flags seen so far, to refuse repeats; sized for every flag there can be. */
struct seen {
    const void *items[512];
    size_t n;
};

static const struct he_flag help_flag = {"help", HE_FLAG_BOOL, NULL, "Show context-sensitive help.", NULL, NULL};
static const struct he_flag version_flag = {"version", HE_FLAG_BOOL, NULL, "Show application version.", NULL, NULL};

static void set_error(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

static const struct he_flag *find_in(const struct he_flag *flags, const char *name, size_t len)
{
    for (; flags && flags->name; flags++) {
        if (strlen(flags->name) == len && strncmp(flags->name, name, len) == 0) {
            return flags;
        }
    }
    return NULL;
}

static const struct he_flag *find_declared(const struct he_flag *globals, const char *name,
                                           size_t len)
{
    const struct he_flag *f = find_in(globals, name, len);
    for (size_t i = 0; !f && i < he_registry_count(); i++) {
        f = find_in(he_registry_at(i)->c->flags, name, len);
    }
    if (!f && len == 4 && strncmp(name, "help", 4) == 0) {
        f = &help_flag;
    }
    if (!f && len == 7 && strncmp(name, "version", 7) == 0) {
        f = &version_flag;
    }
    return f;
}

static struct he_registry_entry *find_collector_switch(const char *name, size_t len)
{
    static const char prefix[] = "collector.";
    size_t plen = sizeof(prefix) - 1;
    if (len <= plen || strncmp(name, prefix, plen) != 0) {
        return NULL;
    }
    char cname[64];
    if (len - plen >= sizeof(cname)) {
        return NULL;
    }
    memcpy(cname, name + plen, len - plen);
    cname[len - plen] = '\0';
    return he_registry_find(cname);
}

/* Resolves an exact name to a declared flag or a collector switch. */
static bool resolve_exact(const struct he_flag *globals, const char *name, size_t len,
                          struct resolved *out)
{
    *out = (struct resolved){0};
    out->flag = find_declared(globals, name, len);
    if (!out->flag) {
        out->collector = find_collector_switch(name, len);
    }
    return out->flag || out->collector;
}

/* Resolves name (len bytes, no dashes), or "no-" and a boolean's name; false if unknown. */
static bool resolve(const struct he_flag *globals, const char *name, size_t len,
                    struct resolved *out)
{
    if (resolve_exact(globals, name, len, out)) {
        return true;
    }
    if (len > 3 && strncmp(name, "no-", 3) == 0 && resolve_exact(globals, name + 3, len - 3, out)) {
        out->negated = true;
        return !out->flag || out->flag->kind == HE_FLAG_BOOL;
    }
    return false;
}

static bool is_bool(const struct resolved *r)
{
    return !r->flag || r->flag->kind == HE_FLAG_BOOL;
}

static bool mark_seen(struct seen *s, const void *key)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i] == key) {
            return false;
        }
    }
    if (s->n < sizeof(s->items) / sizeof(s->items[0])) {
        s->items[s->n++] = key;
    }
    return true;
}

static int parse_long(const char *value, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

/* Appends the flag's name to a check function's message, so every error names it. */
static void name_flag_in_error(const struct he_flag *f, char *err, size_t errsize)
{
    size_t n = strlen(err);
    if (n < errsize) {
        snprintf(err + n, errsize - n, " for flag '--%s'", f->name);
    }
}

/* Stores value into a non-boolean flag's target. */
static int store_value(const struct he_flag *f, const char *value, char *err, size_t errsize)
{
    if (f->check && f->check(value, err, errsize) < 0) {
        name_flag_in_error(f, err, errsize);
        return -EINVAL;
    }
    switch (f->kind) {
    case HE_FLAG_STRING:
        *(const char **)f->target = value;
        return 0;
    case HE_FLAG_INT:
        if (parse_long(value, f->target) < 0) {
            set_error(err, errsize, "invalid value \"%s\" for flag '--%s': expected an integer",
                      value, f->name);
            return -EINVAL;
        }
        return 0;
    case HE_FLAG_STRINGS: {
        struct he_strings *list = f->target;
        if (list->n == sizeof(list->items) / sizeof(list->items[0])) {
            set_error(err, errsize, "too many values for flag '--%s'", f->name);
            return -EINVAL;
        }
        list->items[list->n++] = value;
        return 0;
    }
    default:
        return -EINVAL;
    }
}

static void clear_value(const struct he_flag *f)
{
    if (f->kind == HE_FLAG_STRING) {
        *(const char **)f->target = NULL;
    } else if (f->kind == HE_FLAG_INT) {
        *(long *)f->target = 0;
    }
}

static int apply_defaults(const struct he_flag *flags, char *err, size_t errsize)
{
    for (; flags && flags->name; flags++) {
        if (flags->kind == HE_FLAG_BOOL) {
            *(bool *)flags->target = flags->def && strcmp(flags->def, "true") == 0;
        } else if (flags->kind == HE_FLAG_STRINGS) {
            ((struct he_strings *)flags->target)->n = 0;
        } else if (!flags->def) {
            clear_value(flags);
        } else if (store_value(flags, flags->def, err, errsize) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

static int apply_all_defaults(const struct he_flag *globals, char *err, size_t errsize)
{
    if (apply_defaults(globals, err, errsize) < 0) {
        return -EINVAL;
    }
    for (size_t i = 0; i < he_registry_count(); i++) {
        struct he_registry_entry *e = he_registry_at(i);
        e->enabled = e->c->default_enabled;
        e->set_on_command_line = false;
        if (apply_defaults(e->c->flags, err, errsize) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

/* Repeatable flags with defaults get them only when the command line gave none. */
static void apply_list_defaults(const struct he_flag *flags)
{
    for (; flags && flags->name; flags++) {
        struct he_strings *list = flags->target;
        if (flags->kind == HE_FLAG_STRINGS && flags->def && list->n == 0) {
            list->items[list->n++] = flags->def;
        }
    }
}

struct parse_state {
    bool help, version;
    struct seen seen;
};

static int handle_switch(struct parse_state *st, const struct resolved *r)
{
    if (r->flag == &help_flag) {
        st->help = !r->negated;
    } else if (r->flag == &version_flag) {
        st->version = !r->negated;
    } else if (r->flag) {
        *(bool *)r->flag->target = !r->negated;
    } else {
        r->collector->enabled = !r->negated;
        r->collector->set_on_command_line = true;
    }
    return 0;
}

/* Parses argv[*i], a long flag; may consume argv[*i + 1] as its value. */
static int parse_long_flag(struct parse_state *st, const struct he_flag *globals, int argc,
                           char **argv, int *i, char *err, size_t errsize)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    struct resolved r;
    if (!resolve(globals, arg, len, &r)) {
        set_error(err, errsize, "unknown long flag '--%.*s'", (int)len, arg);
        return -EINVAL;
    }
    const void *key = r.flag ? (const void *)r.flag : (const void *)r.collector;
    bool repeatable = r.flag && r.flag->kind == HE_FLAG_STRINGS;
    if (!mark_seen(&st->seen, key) && !repeatable) {
        if (r.flag) {
            set_error(err, errsize, "flag '%s' cannot be repeated", r.flag->name);
        } else {
            set_error(err, errsize, "flag 'collector.%s' cannot be repeated", r.collector->c->name);
        }
        return -EINVAL;
    }
    if (is_bool(&r)) {
        if (eq) {
            set_error(err, errsize, "unexpected %s", eq + 1);
            return -EINVAL;
        }
        return handle_switch(st, &r);
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc || argv[*i + 1][0] == '-') {
            set_error(err, errsize, "expected argument for flag '--%s'", r.flag->name);
            return -EINVAL;
        }
        value = argv[++*i];
    }
    return store_value(r.flag, value, err, errsize);
}

/* Short flags may be clustered ("-hx"), as kingpin reads them; only -h exists. */
static int parse_short_flags(struct parse_state *st, const char *arg, char *err, size_t errsize)
{
    for (const char *p = arg + 1; *p; p++) {
        if (*p != 'h') {
            set_error(err, errsize, "unknown short flag '-%c'", *p);
            return -EINVAL;
        }
        st->help = true;
    }
    return 0;
}

/* --collector.disable-defaults: everything not named on the command line is off. */
static void disable_unnamed_collectors(void)
{
    for (size_t i = 0; i < he_registry_count(); i++) {
        struct he_registry_entry *e = he_registry_at(i);
        if (!e->set_on_command_line) {
            e->enabled = false;
        }
    }
}

static int parse_args(struct parse_state *st, int argc, char **argv,
                      const struct he_flag *globals, char *err, size_t errsize)
{
    bool only_positional = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = 0;
        if (!only_positional && strcmp(arg, "--") == 0) {
            only_positional = true;
        } else if (!only_positional && strncmp(arg, "--", 2) == 0) {
            rc = parse_long_flag(st, globals, argc, argv, &i, err, errsize);
        } else if (!only_positional && arg[0] == '-' && arg[1]) {
            rc = parse_short_flags(st, arg, err, errsize);
        } else {
            set_error(err, errsize, "unexpected %s", arg);
            rc = -EINVAL;
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static const struct he_flag *find_by_name(const struct he_flag *globals, const char *name)
{
    return find_declared(globals, name, strlen(name));
}

enum he_flags_result he_flags_parse(int argc, char **argv, const struct he_flag *globals,
                                    char *err, size_t errsize)
{
    struct parse_state st = {0};
    err[0] = '\0';
    if (apply_all_defaults(globals, err, errsize) < 0 ||
        parse_args(&st, argc, argv, globals, err, errsize) < 0) {
        return HE_FLAGS_ERROR;
    }
    const struct he_flag *dd = find_by_name(globals, "collector.disable-defaults");
    if (dd && *(bool *)dd->target) {
        disable_unnamed_collectors();
    }
    apply_list_defaults(globals);
    for (size_t i = 0; i < he_registry_count(); i++) {
        apply_list_defaults(he_registry_at(i)->c->flags);
    }
    if (st.help) {
        return HE_FLAGS_HELP;
    }
    return st.version ? HE_FLAGS_VERSION : HE_FLAGS_OK;
}

/* Writes s quoted as Go's %q does for the ASCII the defaults hold. */
static void print_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', out);
        }
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Kingpin's placeholder for a value flag without default: the name in capitals. */
static void print_flag(FILE *out, const struct he_flag *f)
{
    if (!f->help) {
        return;
    }
    if (f->kind == HE_FLAG_BOOL) {
        fprintf(out, "      --[no-]%s\n", f->name);
    } else if (f->def) {
        fprintf(out, "      --%s=", f->name);
        print_quoted(out, f->def);
        fputs(f->kind == HE_FLAG_STRINGS ? " ...\n" : "\n", out);
    } else {
        fprintf(out, "      --%s=", f->name);
        for (const char *p = f->name; *p; p++) {
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
        }
        fputs(f->kind == HE_FLAG_STRINGS ? " ...\n" : "\n", out);
    }
    fprintf(out, "                 %s\n", f->help);
}

void he_flags_usage(FILE *out, const char *prog, const struct he_flag *globals)
{
    fprintf(out, "usage: %s [<flags>]\n\nFlags:\n", prog);
    fprintf(out, "  -h, --[no-]help\n                 %s\n", help_flag.help);
    for (size_t i = 0; i < he_registry_count(); i++) {
        const struct he_collector *c = he_registry_at(i)->c;
        fprintf(out, "      --[no-]collector.%s\n", c->name);
        fprintf(out, "                 Enable the %s collector (default: %s).\n", c->name,
                c->default_enabled ? "enabled" : "disabled");
        for (const struct he_flag *f = c->flags; f && f->name; f++) {
            print_flag(out, f);
        }
    }
    for (const struct he_flag *f = globals; f && f->name; f++) {
        print_flag(out, f);
    }
    fprintf(out, "      --[no-]version\n                 %s\n", version_flag.help);
}
