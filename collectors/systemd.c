/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd: unit, timer, socket and manager state from systemd's D-Bus API on
 * the system bus (org.freedesktop.systemd1): Manager.ListUnits, the Manager
 * properties Version, Virtualization and SystemState, and per-unit properties
 * (Service.Type, Mount.Type, Service.NRestarts, Service.TasksCurrent/TasksMax,
 * Unit.ActiveEnterTimestamp, Timer.LastTriggerUSec, Socket.NAccepted/
 * NConnections/NRefused). Emits node_systemd_version, _virtualization_info,
 * _units, _unit_state, _service_restart_total, _unit_start_time_seconds,
 * _unit_tasks_current, _unit_tasks_max, _timer_last_trigger_seconds,
 * _socket_accepted_connections_total, _socket_current_connections,
 * _socket_refused_connections_total and _system_running. Mirrors node_exporter
 * 1.12.1's collector/systemd_linux.go.
 *
 * As upstream: node_systemd_units counts every listed unit by ActiveState (the
 * five usual states always present, any other state added as seen); the other
 * per-unit families only cover loaded units whose name fully matches
 * --collector.systemd.unit-include and not --collector.systemd.unit-exclude;
 * a unit property that cannot be read is skipped; below systemd 212 timers and
 * SystemState are not asked for. Unlike upstream, only the system bus is used
 * (go-systemd falls back to /run/systemd/private for root), and every call has
 * the --collector.systemd.dbus-timeout bound: the first timeout ends the scrape.
 * Unit objects are addressed by the path ListUnits returns, which is the escaped
 * unit name that go-systemd computes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dbus.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_regex.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

/* Version from which Manager.SystemState and Timer.LastTriggerUSec exist. */
#define SYSTEMD_MIN_VERSION_SYSTEM_STATE 212

static const char *systemd_unit_include;
static const char *systemd_unit_exclude;
static const char *systemd_unit_whitelist;   /* hidden, deprecated names of the two above */
static const char *systemd_unit_blacklist;
static bool systemd_private;                 /* hidden; accepted, the system bus is used */
static bool systemd_task_metrics;
static bool systemd_restarts_metrics;
static bool systemd_start_time_metrics;

/* The ActiveState values node_systemd_unit_state always has a series for. */
static const char *const systemd_unit_states[] = {
    "active", "activating", "deactivating", "inactive", "failed",
};
#define SYSTEMD_NSTATES (sizeof(systemd_unit_states) / sizeof(systemd_unit_states[0]))

/* One entry of ListUnits; the strings point into its reply. */
struct systemd_unit {
    const char *name;
    const char *load_state;
    const char *active_state;
    const char *path;
};

struct systemd_count {
    const char *state;
    double n;
};

struct systemd_state {
    struct he_dbus dbus;
    struct he_regex include;   /* anchored: ^(?:pattern)$ as upstream */
    struct he_regex exclude;
    struct systemd_unit *units;    /* grown to the largest unit list seen */
    struct systemd_count *counts;  /* capacity + SYSTEMD_NSTATES entries */
    size_t capacity;
};

/* Compiles pattern as Go's regexp.MustCompile("^(?:" + pattern + ")$"). */
static int systemd_compile_anchored(struct he_regex *r, const char *flag, const char *pattern)
{
    char full[4096];
    char err[256];
    const char *icase = "";
    if (strncmp(pattern, "(?i)", 4) == 0) {   /* he_regex only takes (?i) up front */
        icase = "(?i)";
        pattern += 4;
    }
    int n = snprintf(full, sizeof(full), "%s^(?:%s)$", icase, pattern);
    if (n < 0 || (size_t)n >= sizeof(full)) {
        he_log_error("systemd: pattern too long", "flag", flag, NULL);
        return -ENAMETOOLONG;
    }
    if (he_regex_compile(r, full, err, sizeof(err)) < 0) {
        he_log_error("systemd: bad pattern", "flag", flag, "err", err, NULL);
        return -EINVAL;
    }
    return 0;
}

static void systemd_fini(void *state)
{
    struct systemd_state *s = state;
    he_dbus_close(&s->dbus);
    he_regex_free(&s->include);
    he_regex_free(&s->exclude);
    free(s->units);
    free(s->counts);
    free(s);
}

#define SYSTEMD_INCLUDE_DEFAULT ".+"
#define SYSTEMD_EXCLUDE_DEFAULT ".+\\.(automount|device|mount|scope|slice)"

/*
 * Upstream still accepts the pre-1.1 names unit-whitelist/unit-blacklist: the old
 * name stands in for the new one unless that was given too, which is an error.
 * (A new flag still at its default counts as not given.)
 */
static int systemd_apply_deprecated(const char **current, const char *def, const char *old,
                                    const char *what, const char *old_what)
{
    char msg[160];
    if (!old || !*old) {
        return 0;
    }
    if (*current && strcmp(*current, def) != 0) {
        snprintf(msg, sizeof(msg),
                 "--collector.systemd.unit-%s and --collector.systemd.unit-%s are mutually exclusive",
                 old_what, what);
        he_log_error(msg, NULL);
        return -EINVAL;
    }
    snprintf(msg, sizeof(msg),
             "--collector.systemd.unit-%s is DEPRECATED and will be removed in 2.0.0, use "
             "--collector.systemd.unit-%s",
             old_what, what);
    he_log_warn(msg, NULL);
    *current = old;
    return 0;
}

static int systemd_init(void **state)
{
    struct systemd_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dbus_init(&s->dbus, "systemd", he_dbus_timeout_usec());
    if (systemd_apply_deprecated(&systemd_unit_include, SYSTEMD_INCLUDE_DEFAULT,
                                 systemd_unit_whitelist, "include", "whitelist") < 0 ||
        systemd_apply_deprecated(&systemd_unit_exclude, SYSTEMD_EXCLUDE_DEFAULT,
                                 systemd_unit_blacklist, "exclude", "blacklist") < 0) {
        systemd_fini(s);
        return -EINVAL;
    }
    if (systemd_private) {
        he_log_warn("--collector.systemd.private is not supported; using the system bus", NULL);
    }
    he_log_info("Parsed flag --collector.systemd.unit-include", "flag", systemd_unit_include, NULL);
    he_log_info("Parsed flag --collector.systemd.unit-exclude", "flag", systemd_unit_exclude, NULL);
    int rc = systemd_compile_anchored(&s->include, "--collector.systemd.unit-include",
                                      systemd_unit_include ? systemd_unit_include : "");
    if (rc == 0) {
        rc = systemd_compile_anchored(&s->exclude, "--collector.systemd.unit-exclude",
                                      systemd_unit_exclude ? systemd_unit_exclude : "");
    }
    if (rc < 0) {
        systemd_fini(s);
        return rc;
    }
    *state = s;
    return 0;
}

/* Item errors (-EREMOTE: that property is unavailable) are skipped; bus errors end the scrape. */
static int systemd_fatal(int rc)
{
    return rc == -EREMOTE ? 0 : rc;
}

/* A required call the peer refused fails the collector with a readable errno. */
static int systemd_required(int rc)
{
    return rc == -EREMOTE ? -EREMOTEIO : rc;
}

static bool systemd_has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n >= m && strcmp(name + n - m, suffix) == 0;
}

/*
 * Go's systemdVersionRE.FindString: the leftmost run of three or more digits,
 * with an optional ".digits" after it, as a number. -EINVAL when there is none.
 */
static int systemd_parse_version(const char *text, double *out)
{
    for (const char *p = text; *p; p++) {
        if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
              p[2] <= '9')) {
            continue;
        }
        const char *end = p;
        while (*end >= '0' && *end <= '9') {
            end++;
        }
        if (end[0] == '.' && end[1] >= '0' && end[1] <= '9') {
            for (end++; *end >= '0' && *end <= '9'; end++) {
            }
        }
        return he_parse_double((struct he_field){p, (size_t)(end - p)}, out);
    }
    return -EINVAL;
}

/* node_systemd_version; an unreadable or unparsable Version is 0 with an empty label. */
static int systemd_collect_version(struct systemd_state *s, struct he_writer *w, double *version)
{
    char full[256];
    int rc = he_dbus_get_string(&s->dbus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Version",
                                full, sizeof(full));
    if (rc < 0 && rc != -EREMOTE) {
        return rc;
    }
    if (rc < 0 || systemd_parse_version(full, version) < 0) {
        he_log_debug("systemd: no usable version, defaulting to 0", NULL);
        full[0] = '\0';
        *version = 0;
    }
    struct he_label label = {"version", full};
    he_writer_family(w, "node_systemd_version", "Detected systemd version", HE_GAUGE);
    he_writer_sample(w, &label, 1, *version);
    return 0;
}

/* node_systemd_virtualization_info: "none" on bare metal, "unknown" when unreadable. */
static int systemd_collect_virtualization(struct systemd_state *s, struct he_writer *w)
{
    char virt[256];
    int rc = he_dbus_get_string(&s->dbus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                "Virtualization", virt, sizeof(virt));
    if (rc < 0 && rc != -EREMOTE) {
        return rc;
    }
    struct he_label label = {"virtualization_type", rc < 0 ? "unknown" : virt[0] ? virt : "none"};
    he_writer_family(w, "node_systemd_virtualization_info", "Detected virtualization technology",
                     HE_GAUGE);
    he_writer_sample(w, &label, 1, 1);
    return 0;
}

/* Makes room for n units (and their state counts), keeping the larger arrays. */
static int systemd_reserve(struct systemd_state *s, size_t n)
{
    if (n <= s->capacity) {
        return 0;
    }
    size_t cap = s->capacity ? s->capacity * 2 : 256;
    while (cap < n) {
        cap *= 2;
    }
    struct systemd_unit *units = realloc(s->units, cap * sizeof(*units));
    if (!units) {
        return -ENOMEM;
    }
    s->units = units;
    struct systemd_count *counts = realloc(s->counts, (cap + SYSTEMD_NSTATES) * sizeof(*counts));
    if (!counts) {
        return -ENOMEM;
    }
    s->counts = counts;
    s->capacity = cap;
    return 0;
}

/* Reads ListUnits' a(ssssssouso) into s->units; *n is the count. */
static int systemd_read_units(struct systemd_state *s, sd_bus_message *reply, size_t *n)
{
    *n = 0;
    if (sd_bus_message_enter_container(reply, 'a', "(ssssssouso)") <= 0) {
        return -EBADMSG;
    }
    for (;;) {
        struct systemd_unit u;
        const char *description, *sub_state, *following, *job_type, *job_path;
        uint32_t job_id;
        int rc = sd_bus_message_read(reply, "(ssssssouso)", &u.name, &description, &u.load_state,
                                     &u.active_state, &sub_state, &following, &u.path, &job_id,
                                     &job_type, &job_path);
        if (rc < 0) {
            return -EBADMSG;
        }
        if (rc == 0) {
            return 0;
        }
        rc = systemd_reserve(s, *n + 1);
        if (rc < 0) {
            return rc;
        }
        s->units[(*n)++] = u;
    }
}

/* node_systemd_units: units per ActiveState, over all units before filtering. */
static void systemd_collect_summary(struct systemd_state *s, size_t n, struct he_writer *w)
{
    size_t ncounts = 0;
    for (size_t i = 0; i < SYSTEMD_NSTATES; i++) {
        s->counts[ncounts++] = (struct systemd_count){systemd_unit_states[i], 0};
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < ncounts && strcmp(s->counts[j].state, s->units[i].active_state) != 0) {
            j++;
        }
        if (j == ncounts) {
            s->counts[ncounts++] = (struct systemd_count){s->units[i].active_state, 0};
        }
        s->counts[j].n++;
    }
    he_writer_family(w, "node_systemd_units", "Summary of systemd unit states", HE_GAUGE);
    for (size_t j = 0; j < ncounts; j++) {
        struct he_label label = {"state", s->counts[j].state};
        he_writer_sample(w, &label, 1, s->counts[j].n);
    }
}

static bool systemd_selected(struct systemd_state *s, const struct systemd_unit *u)
{
    bool keep = he_regex_match(&s->include, u->name) && !he_regex_match(&s->exclude, u->name) &&
                strcmp(u->load_state, "loaded") == 0;
    he_log_debug(keep ? "systemd: adding unit" : "systemd: ignoring unit", "unit", u->name, NULL);
    return keep;
}

/* Emits one sample labelled name=<unit> into family metric. */
static void systemd_emit(struct he_writer *w, const char *metric, const char *help,
                         enum he_metric_type type, const char *unit, double value)
{
    struct he_label label = {"name", unit};
    he_writer_family(w, metric, help, type);
    he_writer_sample(w, &label, 1, value);
}

/* The "type" label: Service.Type for services, Mount.Type for mounts, else empty. */
static int systemd_unit_type(struct systemd_state *s, const struct systemd_unit *u, char *buf,
                             size_t size)
{
    const char *iface = systemd_has_suffix(u->name, ".service") ? "org.freedesktop.systemd1.Service"
                        : systemd_has_suffix(u->name, ".mount") ? "org.freedesktop.systemd1.Mount"
                                                                : NULL;
    buf[0] = '\0';
    if (!iface) {
        return 0;
    }
    int rc = he_dbus_get_string(&s->dbus, SYSTEMD_DEST, u->path, iface, "Type", buf, size);
    if (rc < 0) {
        buf[0] = '\0';
    }
    return systemd_fatal(rc);
}

/* node_systemd_unit_state (one series per usual state) and service_restart_total. */
static int systemd_collect_unit_state(struct systemd_state *s, const struct systemd_unit *u,
                                      struct he_writer *w)
{
    char type[256];
    int rc = systemd_unit_type(s, u, type, sizeof(type));
    if (rc < 0) {
        return rc;
    }
    he_writer_family(w, "node_systemd_unit_state", "Systemd unit", HE_GAUGE);
    for (size_t i = 0; i < SYSTEMD_NSTATES; i++) {
        struct he_label labels[3] = {
            {"name", u->name}, {"state", systemd_unit_states[i]}, {"type", type}};
        he_writer_sample(w, labels, 3, strcmp(u->active_state, systemd_unit_states[i]) == 0);
    }
    if (!systemd_restarts_metrics || !systemd_has_suffix(u->name, ".service")) {
        return 0;
    }
    uint32_t restarts;   /* NRestarts exists since systemd 235 */
    rc = he_dbus_get_u32(&s->dbus, SYSTEMD_DEST, u->path, "org.freedesktop.systemd1.Service",
                         "NRestarts", &restarts);
    if (rc == 0) {
        systemd_emit(w, "node_systemd_service_restart_total",
                     "Service unit count of Restart triggers", HE_COUNTER, u->name, restarts);
    }
    return systemd_fatal(rc);
}

/* node_systemd_unit_start_time_seconds: ActiveEnterTimestamp of active units, else 0. */
static int systemd_collect_start_time(struct systemd_state *s, const struct systemd_unit *u,
                                      struct he_writer *w)
{
    uint64_t usec = 0;
    int rc = 0;
    if (strcmp(u->active_state, "active") == 0) {
        rc = he_dbus_get_u64(&s->dbus, SYSTEMD_DEST, u->path, "org.freedesktop.systemd1.Unit",
                             "ActiveEnterTimestamp", &usec);
    }
    if (rc == 0) {
        systemd_emit(w, "node_systemd_unit_start_time_seconds",
                     "Start time of the unit since unix epoch in seconds.", HE_GAUGE, u->name,
                     (double)usec / 1e6);
    }
    return systemd_fatal(rc);
}

/* node_systemd_unit_tasks_current/max for services; UINT64_MAX means "no value". */
static int systemd_collect_tasks(struct systemd_state *s, const struct systemd_unit *u,
                                 struct he_writer *w)
{
    uint64_t v;
    int rc = he_dbus_get_u64(&s->dbus, SYSTEMD_DEST, u->path, "org.freedesktop.systemd1.Service",
                             "TasksCurrent", &v);
    if (rc == 0 && v != UINT64_MAX) {
        systemd_emit(w, "node_systemd_unit_tasks_current",
                     "Current number of tasks per Systemd unit", HE_GAUGE, u->name, (double)v);
    }
    if (systemd_fatal(rc) < 0) {
        return rc;
    }
    rc = he_dbus_get_u64(&s->dbus, SYSTEMD_DEST, u->path, "org.freedesktop.systemd1.Service",
                         "TasksMax", &v);
    if (rc == 0 && v != UINT64_MAX) {
        systemd_emit(w, "node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit",
                     HE_GAUGE, u->name, (double)v);
    }
    return systemd_fatal(rc);
}

/* node_systemd_timer_last_trigger_seconds. */
static int systemd_collect_timer(struct systemd_state *s, const struct systemd_unit *u,
                                 struct he_writer *w)
{
    uint64_t usec;
    int rc = he_dbus_get_u64(&s->dbus, SYSTEMD_DEST, u->path, "org.freedesktop.systemd1.Timer",
                             "LastTriggerUSec", &usec);
    if (rc == 0) {
        systemd_emit(w, "node_systemd_timer_last_trigger_seconds",
                     "Seconds since epoch of last trigger.", HE_GAUGE, u->name, (double)usec / 1e6);
    }
    return systemd_fatal(rc);
}

/*
 * node_systemd_socket_*: as upstream, a missing NAccepted or NConnections skips
 * the rest of the unit, NRefused (systemd 239+) is optional, and the refused
 * count is typed gauge despite its _total name.
 */
static int systemd_collect_socket(struct systemd_state *s, const struct systemd_unit *u,
                                  struct he_writer *w)
{
    static const char iface[] = "org.freedesktop.systemd1.Socket";
    uint32_t v;
    int rc = he_dbus_get_u32(&s->dbus, SYSTEMD_DEST, u->path, iface, "NAccepted", &v);
    if (rc < 0) {
        return systemd_fatal(rc);
    }
    systemd_emit(w, "node_systemd_socket_accepted_connections_total",
                 "Total number of accepted socket connections", HE_COUNTER, u->name, v);
    rc = he_dbus_get_u32(&s->dbus, SYSTEMD_DEST, u->path, iface, "NConnections", &v);
    if (rc < 0) {
        return systemd_fatal(rc);
    }
    systemd_emit(w, "node_systemd_socket_current_connections",
                 "Current number of socket connections", HE_GAUGE, u->name, v);
    rc = he_dbus_get_u32(&s->dbus, SYSTEMD_DEST, u->path, iface, "NRefused", &v);
    if (rc == 0) {
        systemd_emit(w, "node_systemd_socket_refused_connections_total",
                     "Total number of refused socket connections", HE_GAUGE, u->name, v);
    }
    return systemd_fatal(rc);
}

/* Every per-unit family for one selected unit. */
static int systemd_collect_unit(struct systemd_state *s, const struct systemd_unit *u,
                                bool timers, struct he_writer *w)
{
    int rc = systemd_collect_unit_state(s, u, w);
    if (rc == 0 && systemd_start_time_metrics) {
        rc = systemd_collect_start_time(s, u, w);
    }
    if (rc == 0 && systemd_task_metrics && systemd_has_suffix(u->name, ".service")) {
        rc = systemd_collect_tasks(s, u, w);
    }
    if (rc == 0 && timers && systemd_has_suffix(u->name, ".timer")) {
        rc = systemd_collect_timer(s, u, w);
    }
    if (rc == 0 && systemd_has_suffix(u->name, ".socket")) {
        rc = systemd_collect_socket(s, u, w);
    }
    return rc;
}

/* node_systemd_system_running: 1 when Manager.SystemState is "running". */
static int systemd_collect_system_state(struct systemd_state *s, struct he_writer *w)
{
    char state[64];
    int rc = he_dbus_get_string(&s->dbus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                "SystemState", state, sizeof(state));
    if (rc < 0) {
        he_log_debug("systemd: couldn't get system state", NULL);
        return systemd_required(rc);
    }
    he_writer_family(w, "node_systemd_system_running",
                     "Whether the system is operational (see 'systemctl is-system-running')",
                     HE_GAUGE);
    he_writer_value(w, strcmp(state, "running") == 0);
    return 0;
}

/* Lists the units and emits the summary and every selected unit's families. */
static int systemd_collect_units(struct systemd_state *s, bool new_enough, struct he_writer *w)
{
    sd_bus_message *reply = NULL;
    size_t n = 0;
    int rc = he_dbus_call(&s->dbus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "ListUnits",
                          &reply);
    if (rc < 0) {
        he_log_debug("systemd: couldn't get units", NULL);
        return systemd_required(rc);
    }
    rc = systemd_read_units(s, reply, &n);
    if (rc == 0) {
        systemd_collect_summary(s, n, w);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (systemd_selected(s, &s->units[i])) {
            rc = systemd_collect_unit(s, &s->units[i], new_enough, w);
        }
    }
    sd_bus_message_unref(reply);
    return rc;
}

static int systemd_collect(void *state, struct he_writer *w)
{
    struct systemd_state *s = state;
    double version = 0;
    int rc = he_dbus_open(&s->dbus);
    if (rc < 0) {
        return rc;
    }
    rc = systemd_collect_version(s, w, &version);
    bool new_enough = version >= SYSTEMD_MIN_VERSION_SYSTEM_STATE;
    if (rc == 0 && !new_enough) {
        he_log_debug("systemd: version below 212, no system state or timer metrics", NULL);
    }
    if (rc == 0) {
        rc = systemd_collect_virtualization(s, w);
    }
    if (rc == 0) {
        rc = systemd_collect_units(s, new_enough, w);
    }
    if (rc == 0 && new_enough) {
        rc = systemd_collect_system_state(s, w);
    }
    return rc;
}

static const struct he_flag systemd_flags[] = {
    {"collector.systemd.unit-include", HE_FLAG_STRING, SYSTEMD_INCLUDE_DEFAULT,
     "Regexp of systemd units to include. Units must both match include and not match exclude "
     "to be included.",
     &systemd_unit_include, he_regex_check_flag},
    {"collector.systemd.unit-exclude", HE_FLAG_STRING, SYSTEMD_EXCLUDE_DEFAULT,
     "Regexp of systemd units to exclude. Units must both match include and not match exclude "
     "to be included.",
     &systemd_unit_exclude, he_regex_check_flag},
    {"collector.systemd.unit-whitelist", HE_FLAG_STRING, NULL, NULL, &systemd_unit_whitelist,
     he_regex_check_flag},
    {"collector.systemd.unit-blacklist", HE_FLAG_STRING, NULL, NULL, &systemd_unit_blacklist,
     he_regex_check_flag},
    {"collector.systemd.private", HE_FLAG_BOOL, NULL, NULL, &systemd_private, NULL},
    {"collector.systemd.enable-task-metrics", HE_FLAG_BOOL, NULL,
     "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max",
     &systemd_task_metrics, NULL},
    {"collector.systemd.enable-restarts-metrics", HE_FLAG_BOOL, NULL,
     "Enables service unit metric service_restart_total", &systemd_restarts_metrics, NULL},
    {"collector.systemd.enable-start-time-metrics", HE_FLAG_BOOL, NULL,
     "Enables service unit metric unit_start_time_seconds", &systemd_start_time_metrics, NULL},
    {"collector.systemd.dbus-timeout", HE_FLAG_STRING, HE_DBUS_TIMEOUT_DEFAULT,
     "Timeout of each D-Bus call made by the systemd and logind collectors (a Go duration such "
     "as 5s or 500ms).",
     &he_dbus_timeout_flag, he_duration_check_flag},
    {0},
};

static const struct he_collector systemd_collector = {
    .name = "systemd",
    .default_enabled = false,
    .flags = systemd_flags,
    .init = systemd_init,
    .collect = systemd_collect,
    .fini = systemd_fini,
};

HE_COLLECTOR_REGISTER(systemd_collector)
