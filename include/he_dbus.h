/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The system D-Bus for the collectors that ask daemons rather than read files
 * (systemd, logind), on libsystemd's sd-bus. Every step that waits on the bus,
 * the connect, authentication, Hello and each method call, is bounded by one
 * timeout (--collector.systemd.dbus-timeout), so a wedged bus or a daemon that
 * never answers costs a scrape at most that long per step and then fails it.
 *
 * A connection is opened on first use and kept: the next scrape reuses it after
 * dropping whatever unsolicited messages queued up meanwhile, and any transport
 * failure or timeout closes it, so the scrape after reconnects. The bus is the one
 * DBUS_SYSTEM_BUS_ADDRESS names, else unix:path=/run/dbus/system_bus_socket.
 *
 * Return codes shared by the calls below: 0; -EREMOTE when the peer answered
 * with a D-Bus error or a value of another type (that item is unavailable, the
 * connection is fine: skip it); any other negative errno means the connection is
 * unusable and has been closed (stop the scrape).
 */
#ifndef HE_DBUS_H
#define HE_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "he_duration.h"

/* Default of --collector.systemd.dbus-timeout. */
#define HE_DBUS_TIMEOUT_DEFAULT "5s"

/* Value of --collector.systemd.dbus-timeout; read by both D-Bus collectors at init. */
extern const char *he_dbus_timeout_flag;

/* Timeout in microseconds from the flag (its default when unset or invalid). */
uint64_t he_dbus_timeout_usec(void);

struct he_dbus {
    sd_bus *bus;            /* NULL until connected, and after a failure */
    uint64_t timeout_usec;  /* for the connect and for every call */
    const char *owner;      /* collector name, for log lines */
};

/* Sets up d without connecting. */
void he_dbus_init(struct he_dbus *d, const char *owner, uint64_t timeout_usec);

/* Closes the connection if open; d can be reopened. */
void he_dbus_close(struct he_dbus *d);

/*
 * Makes sure d is connected to the system bus and past Hello, reconnecting if
 * the kept connection died. Returns 0 or a negative errno (-ENOENT: no bus
 * socket, -ETIMEDOUT: the bus did not complete the handshake in time, ...).
 */
int he_dbus_open(struct he_dbus *d);

/*
 * Calls dest's method iface.member at path without arguments. On 0, *reply holds
 * the answer; the caller unrefs it (strings read from it live as long as it).
 */
int he_dbus_call(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                 const char *member, sd_bus_message **reply);

/* Reads property iface.name of dest's object at path, of D-Bus type 't', 'u' or 'b'. */
int he_dbus_get_u64(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                    const char *name, uint64_t *out);
int he_dbus_get_u32(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                    const char *name, uint32_t *out);
int he_dbus_get_bool(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                     const char *name, bool *out);

/* Reads a string property into buf (size bytes); one too long is -EREMOTE. */
int he_dbus_get_string(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                       const char *name, char *buf, size_t size);

#endif
