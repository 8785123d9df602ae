/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logind: node_logind_sessions{seat,remote,type,class}, the number of sessions
 * systemd-logind knows, from its D-Bus API on the system bus
 * (org.freedesktop.login1): Manager.ListSeats, Manager.ListSessions and each
 * session's Remote, Type and Class properties. Mirrors node_exporter 1.12.1's
 * collector/logind_linux.go.
 *
 * As upstream, every combination of remote (true, false), type (other,
 * unspecified, tty, x11, wayland, mir, web), class (other, user, greeter,
 * lock-screen, background) and seat (each listed seat, plus "" for sessions
 * without one, such as SSH) is emitted, zero when no session has it. A type or
 * class outside those lists counts as "other"; a session whose properties cannot
 * be read, or whose seat is not listed, is not counted. Every D-Bus call is
 * bounded by --collector.systemd.dbus-timeout.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dbus.h"
#include "he_log.h"

#define LOGIND_DEST "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define LOGIND_SESSION "org.freedesktop.login1.Session"

/* Label values as of systemd v229, as upstream; index 0 of type and class is the fallback. */
static const char *const logind_remotes[] = {"true", "false"};
static const char *const logind_types[] = {"other", "unspecified", "tty", "x11",
                                           "wayland", "mir", "web"};
static const char *const logind_classes[] = {"other", "user", "greeter", "lock-screen",
                                             "background"};

#define LOGIND_NREMOTES (sizeof(logind_remotes) / sizeof(logind_remotes[0]))
#define LOGIND_NTYPES (sizeof(logind_types) / sizeof(logind_types[0]))
#define LOGIND_NCLASSES (sizeof(logind_classes) / sizeof(logind_classes[0]))
#define LOGIND_PER_SEAT (LOGIND_NREMOTES * LOGIND_NTYPES * LOGIND_NCLASSES)

struct logind_state {
    struct he_dbus dbus;
    const char **seats;   /* into the ListSeats reply, then "" */
    double *counts;       /* LOGIND_PER_SEAT per seat */
    size_t capacity;      /* seats the arrays hold; grown to the most seen */
};

static int logind_init(void **state)
{
    struct logind_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dbus_init(&s->dbus, "logind", he_dbus_timeout_usec());
    *state = s;
    return 0;
}

static void logind_fini(void *state)
{
    struct logind_state *s = state;
    he_dbus_close(&s->dbus);
    free(s->seats);
    free(s->counts);
    free(s);
}

/* Makes room for n seats, keeping the larger arrays. */
static int logind_reserve(struct logind_state *s, size_t n)
{
    if (n <= s->capacity) {
        return 0;
    }
    size_t cap = s->capacity ? s->capacity * 2 : 8;
    while (cap < n) {
        cap *= 2;
    }
    const char **seats = realloc(s->seats, cap * sizeof(*seats));
    if (!seats) {
        return -ENOMEM;
    }
    s->seats = seats;
    double *counts = realloc(s->counts, cap * LOGIND_PER_SEAT * sizeof(*counts));
    if (!counts) {
        return -ENOMEM;
    }
    s->counts = counts;
    s->capacity = cap;
    return 0;
}

/* Reads ListSeats' a(so) into s->seats and appends the empty seat; *n is the count. */
static int logind_read_seats(struct logind_state *s, sd_bus_message *reply, size_t *n)
{
    *n = 0;
    if (sd_bus_message_enter_container(reply, 'a', "(so)") <= 0) {
        return -EBADMSG;
    }
    for (;;) {
        const char *id = NULL, *path = NULL;
        int rc = sd_bus_message_read(reply, "(so)", &id, &path);
        if (rc < 0) {
            return -EBADMSG;
        }
        int grown = logind_reserve(s, *n + 1);
        if (grown < 0) {
            return grown;
        }
        if (rc == 0) {
            s->seats[(*n)++] = "";   /* always there: remote sessions such as SSH have no seat */
            return 0;
        }
        s->seats[(*n)++] = id;
    }
}

/* Index of value in known, or 0 ("other") when it is not there. */
static size_t logind_known_or_other(const char *value, const char *const *known, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(value, known[i]) == 0) {
            return i;
        }
    }
    return 0;
}

/*
 * Counts the session at path on seat. A property the peer will not give skips
 * the session; only a broken bus is an error.
 */
static int logind_count_session(struct logind_state *s, size_t nseats, const char *seat,
                                const char *path)
{
    bool remote;
    char type[256], class[256];
    int rc = he_dbus_get_bool(&s->dbus, LOGIND_DEST, path, LOGIND_SESSION, "Remote", &remote);
    if (rc == 0) {
        rc = he_dbus_get_string(&s->dbus, LOGIND_DEST, path, LOGIND_SESSION, "Type", type,
                                sizeof(type));
    }
    if (rc == 0) {
        rc = he_dbus_get_string(&s->dbus, LOGIND_DEST, path, LOGIND_SESSION, "Class", class,
                                sizeof(class));
    }
    if (rc < 0) {
        he_log_debug("logind: skipping session", "path", path, NULL);
        return rc == -EREMOTE ? 0 : rc;
    }
    size_t i = 0;
    while (i < nseats && strcmp(s->seats[i], seat) != 0) {
        i++;
    }
    if (i == nseats) {
        return 0;   /* upstream only reports listed seats */
    }
    size_t t = logind_known_or_other(type, logind_types, LOGIND_NTYPES);
    size_t c = logind_known_or_other(class, logind_classes, LOGIND_NCLASSES);
    s->counts[((i * LOGIND_NREMOTES + (remote ? 0 : 1)) * LOGIND_NTYPES + t) * LOGIND_NCLASSES +
              c]++;
    return 0;
}

/* Walks ListSessions' a(susso): id, uid, user, seat, object path. */
static int logind_count_sessions(struct logind_state *s, size_t nseats, sd_bus_message *reply)
{
    if (sd_bus_message_enter_container(reply, 'a', "(susso)") <= 0) {
        return -EBADMSG;
    }
    for (;;) {
        const char *id, *user, *seat, *path;
        uint32_t uid;
        int rc = sd_bus_message_read(reply, "(susso)", &id, &uid, &user, &seat, &path);
        if (rc <= 0) {
            return rc < 0 ? -EBADMSG : 0;
        }
        rc = logind_count_session(s, nseats, seat, path);
        if (rc < 0) {
            return rc;
        }
    }
}

static void logind_emit(struct logind_state *s, size_t nseats, struct he_writer *w)
{
    he_writer_family(w, "node_logind_sessions", "Number of sessions registered in logind.",
                     HE_GAUGE);
    for (size_t i = 0; i < nseats; i++) {
        for (size_t r = 0; r < LOGIND_NREMOTES; r++) {
            for (size_t t = 0; t < LOGIND_NTYPES; t++) {
                for (size_t c = 0; c < LOGIND_NCLASSES; c++) {
                    struct he_label labels[4] = {{"seat", s->seats[i]},
                                                 {"remote", logind_remotes[r]},
                                                 {"type", logind_types[t]},
                                                 {"class", logind_classes[c]}};
                    size_t k = ((i * LOGIND_NREMOTES + r) * LOGIND_NTYPES + t) * LOGIND_NCLASSES +
                               c;
                    he_writer_sample(w, labels, 4, s->counts[k]);
                }
            }
        }
    }
}

/* Calls a Manager method; a refusal fails the collector with a readable errno. */
static int logind_list(struct logind_state *s, const char *member, sd_bus_message **reply)
{
    int rc = he_dbus_call(&s->dbus, LOGIND_DEST, LOGIND_PATH, LOGIND_MANAGER, member, reply);
    if (rc < 0) {
        he_log_debug("logind: call failed", "member", member, NULL);
    }
    return rc == -EREMOTE ? -EREMOTEIO : rc;
}

static int logind_collect(void *state, struct he_writer *w)
{
    struct logind_state *s = state;
    sd_bus_message *seats = NULL, *sessions = NULL;
    size_t nseats = 0;
    int rc = he_dbus_open(&s->dbus);
    if (rc == 0) {
        rc = logind_list(s, "ListSeats", &seats);
    }
    if (rc == 0) {
        rc = logind_read_seats(s, seats, &nseats);
    }
    if (rc == 0) {
        rc = logind_list(s, "ListSessions", &sessions);
    }
    if (rc == 0) {
        memset(s->counts, 0, nseats * LOGIND_PER_SEAT * sizeof(*s->counts));
        rc = logind_count_sessions(s, nseats, sessions);
    }
    if (rc == 0) {
        logind_emit(s, nseats, w);
    }
    sd_bus_message_unref(sessions);
    sd_bus_message_unref(seats);
    return rc;
}

static const struct he_collector logind_collector = {
    .name = "logind",
    .default_enabled = false,
    .init = logind_init,
    .collect = logind_collect,
    .fini = logind_fini,
};

HE_COLLECTOR_REGISTER(logind_collector)
