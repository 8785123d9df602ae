/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go's duration syntax (time.ParseDuration) for flags that take one, such as
 * --collector.systemd.dbus-timeout and --push.interval.
 */
#ifndef HE_DURATION_H
#define HE_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a Go duration (time.ParseDuration syntax: "5s", "500ms", "1m30s",
 * "1.5h", units ns us µs ms s m h) into microseconds, rounding up. Only
 * positive durations are accepted. Returns 0 or -EINVAL (or -ERANGE).
 */
int he_duration_parse_usec(const char *s, uint64_t *usec);

/* A he_flag check function: refuses values that are not positive Go durations. */
int he_duration_check_flag(const char *value, char *err, size_t errsize);

#endif
