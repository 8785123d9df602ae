/* SPDX-License-Identifier: Apache-2.0 */
/* The system D-Bus with bounded waits for the systemd and logind collectors (see he_dbus.h). */
#include "he_dbus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "he_log.h"

const char *he_dbus_timeout_flag;

uint64_t he_dbus_timeout_usec(void)
{
    uint64_t usec;
    if (he_duration_parse_usec(he_dbus_timeout_flag, &usec) < 0) {
        he_duration_parse_usec(HE_DBUS_TIMEOUT_DEFAULT, &usec);
    }
    return usec;
}

void he_dbus_init(struct he_dbus *d, const char *owner, uint64_t timeout_usec)
{
    d->bus = NULL;
    d->timeout_usec = timeout_usec;
    d->owner = owner;
}

void he_dbus_close(struct he_dbus *d)
{
    if (d->bus) {
        sd_bus_close_unref(d->bus);
        d->bus = NULL;
    }
}

static uint64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * Drives the connect, authentication and Hello until the bus is ready or the
 * deadline passes. sd_bus_call() would wait for this itself, but without a
 * bound (only sd-bus's own 90 s authentication limit).
 */
static int wait_ready(sd_bus *bus, uint64_t timeout_usec)
{
    uint64_t deadline = now_usec() + timeout_usec;
    for (;;) {
        int rc = sd_bus_is_ready(bus);
        if (rc != 0) {
            return rc < 0 ? rc : 0;
        }
        rc = sd_bus_process(bus, NULL);
        if (rc < 0) {
            return rc;
        }
        if (rc > 0) {
            continue;
        }
        uint64_t now = now_usec();
        if (now >= deadline) {
            return -ETIMEDOUT;
        }
        rc = sd_bus_wait(bus, deadline - now);
        if (rc < 0) {
            return rc;
        }
    }
}

/*
 * Dispatches what arrived since the last scrape (NameAcquired, late replies to
 * calls that timed out: nothing here consumes them), so the read queue cannot
 * grow, and tells whether the kept connection still works.
 */
static int drain(sd_bus *bus)
{
    for (int i = 0; i < 1024; i++) {
        int rc = sd_bus_process(bus, NULL);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            break;
        }
    }
    return sd_bus_is_open(bus) > 0 ? 0 : -ENOTCONN;
}

static const char *system_bus_address(void)
{
    const char *address = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");
    return address && *address ? address : "unix:path=/run/dbus/system_bus_socket";
}

static int connect_bus(sd_bus *bus, uint64_t timeout_usec)
{
    int rc = sd_bus_set_address(bus, system_bus_address());
    if (rc >= 0) {
        rc = sd_bus_set_bus_client(bus, 1);
    }
    if (rc >= 0) {
        /* Also bounds Hello and any call made without an explicit timeout. */
        rc = sd_bus_set_method_call_timeout(bus, timeout_usec);
    }
    if (rc >= 0) {
        rc = sd_bus_start(bus);
    }
    return rc < 0 ? rc : wait_ready(bus, timeout_usec);
}

int he_dbus_open(struct he_dbus *d)
{
    if (d->bus) {
        if (drain(d->bus) == 0) {
            return 0;
        }
        he_log_debug("dbus: kept connection lost, reconnecting", "collector", d->owner, NULL);
        he_dbus_close(d);
    }
    sd_bus *bus = NULL;
    int rc = sd_bus_new(&bus);
    if (rc >= 0) {
        rc = connect_bus(bus, d->timeout_usec);
    }
    if (rc < 0) {
        he_log_debug("dbus: cannot connect to the system bus", "collector", d->owner, "address",
                     system_bus_address(), "err", strerror(-rc), NULL);
        sd_bus_close_unref(bus);
        return rc;
    }
    d->bus = bus;
    return 0;
}

/*
 * Sends m and waits at most the timeout for its reply. A D-Bus error answer is
 * -EREMOTE; a timeout or a broken connection closes d.
 */
static int call_message(struct he_dbus *d, sd_bus_message *m, sd_bus_message **reply)
{
    sd_bus_error error = SD_BUS_ERROR_NULL;
    int rc = sd_bus_call(d->bus, m, d->timeout_usec, &error, reply);
    if (rc >= 0) {
        return 0;
    }
    he_log_debug("dbus: call failed", "collector", d->owner, "path",
                 sd_bus_message_get_path(m), "member", sd_bus_message_get_member(m), "err",
                 error.name ? error.name : strerror(-rc), "msg", error.message ? error.message : "",
                 NULL);
    sd_bus_error_free(&error);
    if (rc == -ETIMEDOUT || sd_bus_is_open(d->bus) <= 0) {
        he_dbus_close(d);
        return rc;
    }
    return -EREMOTE;
}

int he_dbus_call(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                 const char *member, sd_bus_message **reply)
{
    if (!d->bus) {
        return -ENOTCONN;
    }
    sd_bus_message *m = NULL;
    int rc = sd_bus_message_new_method_call(d->bus, &m, dest, path, iface, member);
    if (rc >= 0) {
        rc = call_message(d, m, reply);
    }
    sd_bus_message_unref(m);
    return rc;
}

/* org.freedesktop.DBus.Properties.Get; on 0, *reply is positioned inside the variant. */
static int get_property(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                        const char *name, const char *type, sd_bus_message **reply)
{
    if (!d->bus) {
        return -ENOTCONN;
    }
    sd_bus_message *m = NULL;
    int rc = sd_bus_message_new_method_call(d->bus, &m, dest, path,
                                            "org.freedesktop.DBus.Properties", "Get");
    if (rc >= 0) {
        rc = sd_bus_message_append(m, "ss", iface, name);
    }
    if (rc >= 0) {
        rc = call_message(d, m, reply);
    }
    sd_bus_message_unref(m);
    if (rc < 0) {
        return rc;
    }
    if (sd_bus_message_enter_container(*reply, 'v', type) <= 0) {
        he_log_debug("dbus: property has another type", "collector", d->owner, "path", path,
                     "property", name, "want", type, NULL);
        *reply = sd_bus_message_unref(*reply);
        return -EREMOTE;
    }
    return 0;
}

/* Reads one basic value of the given type from the property into out. */
static int get_basic(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                     const char *name, char type, void *out)
{
    char sig[2] = {type, '\0'};
    sd_bus_message *reply = NULL;
    int rc = get_property(d, dest, path, iface, name, sig, &reply);
    if (rc < 0) {
        return rc;
    }
    rc = sd_bus_message_read_basic(reply, type, out) > 0 ? 0 : -EREMOTE;
    sd_bus_message_unref(reply);
    return rc;
}

int he_dbus_get_u64(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                    const char *name, uint64_t *out)
{
    return get_basic(d, dest, path, iface, name, 't', out);
}

int he_dbus_get_u32(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                    const char *name, uint32_t *out)
{
    return get_basic(d, dest, path, iface, name, 'u', out);
}

int he_dbus_get_bool(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                     const char *name, bool *out)
{
    int b = 0;   /* sd-bus reads 'b' into an int */
    int rc = get_basic(d, dest, path, iface, name, 'b', &b);
    if (rc == 0) {
        *out = b != 0;
    }
    return rc;
}

int he_dbus_get_string(struct he_dbus *d, const char *dest, const char *path, const char *iface,
                       const char *name, char *buf, size_t size)
{
    sd_bus_message *reply = NULL;
    const char *s = NULL;
    int rc = get_property(d, dest, path, iface, name, "s", &reply);
    if (rc < 0) {
        return rc;
    }
    rc = -EREMOTE;
    if (sd_bus_message_read_basic(reply, 's', &s) > 0 && strlen(s) < size) {
        memcpy(buf, s, strlen(s) + 1);
        rc = 0;
    }
    sd_bus_message_unref(reply);
    return rc;
}
