/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stderr logging in logfmt or JSON (see he_log.h). Each line is assembled in a
 * stack buffer and written with one write(2), so lines never interleave.
 */
#include "he_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum he_log_level min_level = HE_LOG_INFO;
static enum he_log_format log_format = HE_LOG_LOGFMT;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int he_log_parse_level(const char *s, enum he_log_level *out)
{
    for (int i = HE_LOG_DEBUG; i <= HE_LOG_ERROR; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum he_log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

int he_log_parse_format(const char *s, enum he_log_format *out)
{
    if (strcmp(s, "logfmt") == 0) {
        *out = HE_LOG_LOGFMT;
    } else if (strcmp(s, "json") == 0) {
        *out = HE_LOG_JSON;
    } else {
        return -EINVAL;
    }
    return 0;
}

void he_log_configure(enum he_log_level level, enum he_log_format format)
{
    min_level = level;
    log_format = format;
}

bool he_log_enabled(enum he_log_level level)
{
    return level >= min_level;
}

struct line {
    char buf[2048];
    size_t len;
};

static void put_raw(struct line *l, const char *s, size_t n)
{
    size_t room = sizeof(l->buf) - 1 - l->len; /* keep one byte for '\n' */
    if (n > room) {
        n = room;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_str(struct line *l, const char *s)
{
    put_raw(l, s, strlen(s));
}

static bool logfmt_needs_quotes(const char *s)
{
    if (!*s) {
        return true;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '=' || *p == '"' || *p == '\\' || *p >= 0x7f) {
            return true;
        }
    }
    return false;
}

/* Writes s as a quoted string with \\, \" and control characters escaped. */
static void put_quoted(struct line *l, const char *s)
{
    put_raw(l, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p;
            put_raw(l, esc, 2);
        } else if (*p == '\n') {
            put_raw(l, "\\n", 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            put_raw(l, esc, strlen(esc));
        } else {
            put_raw(l, (const char *)p, 1);
        }
    }
    put_raw(l, "\"", 1);
}

static void put_field(struct line *l, const char *key, const char *value, bool first)
{
    if (log_format == HE_LOG_JSON) {
        put_str(l, first ? "{" : ",");
        put_quoted(l, key);
        put_raw(l, ":", 1);
        put_quoted(l, value);
        return;
    }
    if (!first) {
        put_raw(l, " ", 1);
    }
    put_str(l, key);
    put_raw(l, "=", 1);
    if (logfmt_needs_quotes(value)) {
        put_quoted(l, value);
    } else {
        put_str(l, value);
    }
}

static void format_time(char *out, size_t size)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

void he_log_emit(enum he_log_level level, const char *file, int line, const char *msg, ...)
{
    if (!he_log_enabled(level)) {
        return;
    }
    struct line l = {.len = 0};
    char when[40];
    char source[128];
    const char *base = strrchr(file, '/');
    format_time(when, sizeof(when));
    snprintf(source, sizeof(source), "%s:%d", base ? base + 1 : file, line);
    put_field(&l, "time", when, true);
    put_field(&l, "level", level_names[level], false);
    put_field(&l, "source", source, false);
    put_field(&l, "msg", msg, false);

    va_list ap;
    va_start(ap, msg);
    for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        put_field(&l, key, value ? value : "", false);
    }
    va_end(ap);
    if (log_format == HE_LOG_JSON) {
        put_raw(&l, "}", 1);
    }
    l.buf[l.len++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, l.buf, l.len);
    (void)ignored; /* nowhere left to report a failing stderr */
}
