/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr in node_exporter's shapes: logfmt
 *   time=2026-11-25T01:50:04.123Z level=info source=main.c:42 msg="Listening" address=:9100
 * or one JSON object per line. Extra fields are key/value string pairs ending
 * with NULL. Lines below the configured level cost one comparison.
 */
#ifndef HE_LOG_H
#define HE_LOG_H

#include <stdbool.h>

enum he_log_level {
    HE_LOG_DEBUG,
    HE_LOG_INFO,
    HE_LOG_WARN,
    HE_LOG_ERROR,
};

enum he_log_format {
    HE_LOG_LOGFMT,
    HE_LOG_JSON,
};

/* Parses "debug|info|warn|error" / "logfmt|json". Return 0 or -EINVAL. */
int he_log_parse_level(const char *s, enum he_log_level *out);
int he_log_parse_format(const char *s, enum he_log_format *out);

void he_log_configure(enum he_log_level level, enum he_log_format format);

bool he_log_enabled(enum he_log_level level);

/* Writes one line: msg, then key/value pairs until a NULL key. */
void he_log_emit(enum he_log_level level, const char *file, int line, const char *msg, ...)
    __attribute__((sentinel));

/* The call site (file:line) is part of every line, as upstream's source= field. */
#define he_log_debug(...) he_log_emit(HE_LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define he_log_info(...) he_log_emit(HE_LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define he_log_warn(...) he_log_emit(HE_LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define he_log_error(...) he_log_emit(HE_LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)

#endif
