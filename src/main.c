/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_exporter: a Prometheus exporter for Linux hosts, drop-in for node_exporter.
 *
 * Startup parses flags (the only place that exits on bad input), initialises the
 * enabled collectors and binds the listeners. Then one loop on one thread: epoll
 * over each libmicrohttpd daemon's epoll descriptor, push mode's (when
 * --push.gateway-url is set) and a signalfd. SIGTERM and
 * SIGINT stop it cleanly; SIGHUP re-reads --web.config.file (and is otherwise
 * harmless: it does not kill the exporter as it would by default).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "he_flags.h"
#include "he_http.h"
#include "he_duration.h"
#include "he_log.h"
#include "he_paths.h"
#include "he_push.h"
#include "he_registry.h"
#include "he_webconfig.h"
#include "version.h"

struct options {
    struct he_strings listen;
    const char *telemetry_path;
    bool disable_exporter_metrics;
    long max_requests;
    bool disable_defaults;
    const char *log_level;
    const char *log_format;
    long gomaxprocs;   /* accepted so Go-era command lines keep working; unused */
    const char *push_url;
    const char *push_interval;
    const char *push_job;
    const char *push_instance;   /* NULL: the host name */
    struct he_strings push_grouping;
    const char *push_user;
    const char *push_password_file;
    const char *push_ca_file;
    const char *web_config_file;
    bool systemd_socket;
};

static struct options opt;

static int check_log_level(const char *v, char *err, size_t size)
{
    enum he_log_level l;
    if (he_log_parse_level(v, &l) < 0) {
        snprintf(err, size, "unrecognized log level \"%s\"", v);
        return -EINVAL;
    }
    return 0;
}

static int check_log_format(const char *v, char *err, size_t size)
{
    enum he_log_format f;
    if (he_log_parse_format(v, &f) < 0) {
        snprintf(err, size, "unrecognized log format \"%s\"", v);
        return -EINVAL;
    }
    return 0;
}

static int check_telemetry_path(const char *v, char *err, size_t size)
{
    if (v[0] != '/') {
        snprintf(err, size, "path \"%s\" must start with \"/\"", v);
        return -EINVAL;
    }
    return 0;
}

static int check_max_requests(const char *v, char *err, size_t size)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0) {
        snprintf(err, size, "invalid value \"%s\": expected an integer >= 0", v);
        return -EINVAL;
    }
    return 0;
}

static const struct he_flag global_flags[] = {
    {"collector.disable-defaults", HE_FLAG_BOOL, NULL, "Set all collectors to disabled by default.",
     &opt.disable_defaults, NULL},
    {"path.procfs", HE_FLAG_STRING, "/proc", "procfs mountpoint.", &he_paths.procfs, NULL},
    {"path.sysfs", HE_FLAG_STRING, "/sys", "sysfs mountpoint.", &he_paths.sysfs, NULL},
    {"path.rootfs", HE_FLAG_STRING, "/", "rootfs mountpoint.", &he_paths.rootfs, NULL},
    {"path.udev.data", HE_FLAG_STRING, "/run/udev/data", "udev data path.", &he_paths.udev_data,
     NULL},
    {"web.telemetry-path", HE_FLAG_STRING, "/metrics", "Path under which to expose metrics.",
     &opt.telemetry_path, check_telemetry_path},
    {"web.disable-exporter-metrics", HE_FLAG_BOOL, NULL,
     "Exclude metrics about the exporter itself (promhttp_*, process_*).",
     &opt.disable_exporter_metrics, NULL},
    {"web.max-requests", HE_FLAG_INT, "40",
     "Maximum number of parallel scrape requests. Use 0 to disable. One thread serves them one at "
     "a time; this caps responses still being sent.",
     &opt.max_requests, check_max_requests},
    {"web.listen-address", HE_FLAG_STRINGS, ":9100",
     "Addresses on which to expose metrics and web interface. Repeatable for multiple addresses.",
     &opt.listen, NULL},
    {"web.config.file", HE_FLAG_STRING, "",
     "Path to configuration file that can enable TLS or authentication. See: "
     "https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md",
     &opt.web_config_file, NULL},
    {"web.systemd-socket", HE_FLAG_BOOL, NULL,
     "Use systemd socket activation listeners instead of port listeners (Linux only).",
     &opt.systemd_socket, NULL},
    {"runtime.gomaxprocs", HE_FLAG_INT, "1",
     "Accepted for compatibility with node_exporter command lines and ignored.", &opt.gomaxprocs,
     NULL},
    {"log.level", HE_FLAG_STRING, "info",
     "Only log messages with the given severity or above. One of: [debug, info, warn, error]",
     &opt.log_level, check_log_level},
    {"log.format", HE_FLAG_STRING, "logfmt",
     "Output format of log messages. One of: [logfmt, json]", &opt.log_format, check_log_format},
    {"push.gateway-url", HE_FLAG_STRING, "",
     "Pushgateway URL (http or https) to push the metrics to every --push.interval; empty: no "
     "pushing.",
     &opt.push_url, he_push_check_url},
    {"push.interval", HE_FLAG_STRING, HE_PUSH_INTERVAL_DEFAULT, "Time between two pushes.",
     &opt.push_interval, he_push_check_interval},
    {"push.job", HE_FLAG_STRING, "node", "Job label of the pushed group.", &opt.push_job, NULL},
    {"push.instance", HE_FLAG_STRING, NULL,
     "Instance label of the pushed group (default: the host name).", &opt.push_instance, NULL},
    {"push.grouping-label", HE_FLAG_STRINGS, NULL,
     "Further grouping label of the pushed group as NAME=VALUE. Repeatable.", &opt.push_grouping,
     he_push_check_grouping},
    {"push.basic-auth-user", HE_FLAG_STRING, "", "User name for basic auth at the Pushgateway.",
     &opt.push_user, NULL},
    {"push.basic-auth-password-file", HE_FLAG_STRING, "",
     "File holding the basic auth password for the Pushgateway.", &opt.push_password_file, NULL},
    {"push.tls-ca-file", HE_FLAG_STRING, "",
     "CA certificates to verify the Pushgateway's certificate with (default: the system's).",
     &opt.push_ca_file, NULL},
    {0},
};

static void print_version(void)
{
    const char *bar = strchr(HE_VCS_INFO, '|');
    printf("host_exporter, version %s (branch: %s, revision: %.*s)\n", HE_VERSION,
           bar ? bar + 1 : "unknown", bar ? (int)(bar - HE_VCS_INFO) : 7,
           bar ? HE_VCS_INFO : "unknown");
}

/* Parses the command line; returns -1 to continue, otherwise the exit status. */
static int parse_command_line(int argc, char **argv)
{
    char err[512];
    switch (he_flags_parse(argc, argv, global_flags, err, sizeof(err))) {
    case HE_FLAGS_HELP:
        he_flags_usage(stdout, "host_exporter", global_flags);
        return 0;
    case HE_FLAGS_VERSION:
        print_version();
        return 0;
    case HE_FLAGS_ERROR:
        fprintf(stderr, "host_exporter: error: %s, try --help\n", err);
        return 1;
    default:
        break;
    }
    enum he_log_level level = HE_LOG_INFO;
    enum he_log_format format = HE_LOG_LOGFMT;
    he_log_parse_level(opt.log_level, &level);
    he_log_parse_format(opt.log_format, &format);
    he_log_configure(level, format);
    return -1;
}

static void log_enabled_collectors(void)
{
    he_log_info("Enabled collectors", NULL);
    for (size_t i = 0; i < he_registry_count(); i++) {
        const struct he_registry_entry *e = he_registry_at(i);
        if (e->enabled) {
            he_log_info(e->c->name, NULL);
        }
    }
}

/* Blocks the stop signals and returns a descriptor that reports them. */
static int open_signal_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * SIGHUP: re-reads --web.config.file and applies it (users, headers, rate
 * limit, certificates). A file that no longer loads is logged and the running
 * configuration kept, so a typo never takes the exporter down.
 */
static void reload_web_config(struct he_http *http, struct he_webconfig **web)
{
    char err[1024];
    struct he_webconfig *fresh;
    if (!opt.web_config_file[0] || !http) {
        he_log_info("Received SIGHUP; no web config file to reload", NULL);
        return;
    }
    if (he_webconfig_load(opt.web_config_file, &fresh, err, sizeof(err)) < 0) {
        he_log_error("Error reloading web config file; keeping the previous one", "file",
                     opt.web_config_file, "err", err, NULL);
        return;
    }
    if (fresh->tls != (*web)->tls) {
        he_log_error("TLS cannot be turned on or off without a restart; keeping the previous "
                     "web config",
                     "file", opt.web_config_file, NULL);
        he_webconfig_free(fresh);
        return;
    }
    if (he_http_reload(http, fresh) < 0) {
        he_log_error("cannot apply the reloaded web config", NULL);
        he_webconfig_free(fresh);
        return;
    }
    he_webconfig_free(*web);
    *web = fresh;
    he_log_info("Reloaded web config file", "file", opt.web_config_file, NULL);
}

/* Returns true when the signal asks the exporter to stop; SIGHUP reloads. */
static bool handle_signal(int sfd, struct he_http *http, struct he_webconfig **web)
{
    struct signalfd_siginfo si;
    bool stop = false;
    while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            reload_web_config(http, web);
        } else {
            he_log_info("Received signal, shutting down", "signal", strsignal((int)si.ssi_signo),
                        NULL);
            stop = true;
        }
    }
    return stop;
}

/* Either front end may be absent: no listen address, or no gateway URL. */
static void run_loop(struct he_http *http, struct he_push *push, int epfd, int sfd,
                     struct he_webconfig **web)
{
    for (;;) {
        struct epoll_event events[16];
        int n = epoll_wait(epfd, events, 16, http ? he_http_timeout_ms(http) : -1);
        if (n < 0 && errno != EINTR) {
            he_log_error("epoll_wait failed", "err", strerror(errno), NULL);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL && handle_signal(sfd, http, web)) {
                return;
            }
            if (push && events[i].data.ptr == push) {
                he_push_run(push);
            }
        }
        if (http) {
            he_http_run(http);
        }
    }
}

/*
 * Lifts the soft limit on open files to the hard one, as Go programs (and so
 * node_exporter) do at start-up: connections and kept-open /proc files must fit
 * under the 1024 a service manager may leave as the soft limit.
 */
static void raise_open_file_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
            he_log_debug("cannot raise the open file limit", "err", strerror(errno), NULL);
        }
    }
}

/* True unless --web.listen-address was given empty: then only push mode runs. */
static bool listening(void)
{
    if (opt.systemd_socket) {
        return true;
    }
    for (size_t i = 0; i < opt.listen.n; i++) {
        if (opt.listen.items[i][0]) {
            return true;
        }
    }
    return false;
}

/*
 * --web.systemd-socket: the listening sockets systemd passed (LISTEN_FDS from
 * fd 3, for this pid), as node_exporter's activation.Listeners(). None is fatal.
 */
static int systemd_sockets(int *fds, size_t *n)
{
    he_log_info("Listening on systemd activated listeners instead of port listeners.", NULL);
    int got = sd_listen_fds(1);
    if (got < 0) {
        he_log_error("cannot read the sockets systemd passed", "err", strerror(-got), NULL);
        return -1;
    }
    if (got == 0) {
        he_log_error("no socket activation file descriptors found", NULL);
        return -1;
    }
    for (int i = 0; i < got && i < 16; i++) {
        fds[(*n)++] = SD_LISTEN_FDS_START + i;
    }
    return 0;
}

/* Starts push mode when --push.gateway-url is set; *push stays NULL otherwise. */
static int start_push(int epfd, struct he_push **push)
{
    char host[256] = "";
    uint64_t interval;
    *push = NULL;
    if (!opt.push_url[0]) {
        return 0;
    }
    if (!opt.push_instance && gethostname(host, sizeof(host) - 1) < 0) {
        he_log_error("cannot read the host name; give --push.instance", NULL);
        return -1;
    }
    he_duration_parse_usec(opt.push_interval, &interval);
    struct he_push_config cfg = {
        .gateway_url = opt.push_url,
        .interval_usec = interval,
        .job = opt.push_job,
        .instance = opt.push_instance ? opt.push_instance : host,
        .grouping = &opt.push_grouping,
        .basic_auth_user = opt.push_user,
        .basic_auth_password_file = opt.push_password_file,
        .tls_ca_file = opt.push_ca_file,
        .exporter_metrics = !opt.disable_exporter_metrics,
    };
    *push = he_push_start(&cfg, epfd);
    return *push ? 0 : -1;
}

/*
 * Loads --web.config.file (nothing when empty). A bad file is fatal at
 * start-up, as in node_exporter. Returns 0 or -1 after logging why.
 */
static int load_web_config(struct he_webconfig **web)
{
    char err[1024];
    *web = NULL;
    if (!opt.web_config_file[0]) {
        return 0;
    }
    if (he_webconfig_load(opt.web_config_file, web, err, sizeof(err)) < 0) {
        he_log_error("Error loading web config file", "file", opt.web_config_file, "err", err,
                     NULL);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int status = parse_command_line(argc, argv);
    if (status >= 0) {
        return status;
    }
    he_log_info("Starting host_exporter", "version", HE_VERSION, NULL);
    struct he_webconfig *web;
    if (load_web_config(&web) < 0) {
        return 1;
    }
    if (getuid() == 0) {
        he_log_warn("Host Exporter is running as root user. This exporter is designed to run as "
                    "unprivileged user, root is not required.",
                    NULL);
    }
    log_enabled_collectors();
    raise_open_file_limit();
    he_registry_init_enabled();

    int epfd = epoll_create1(EPOLL_CLOEXEC);
    int sfd = open_signal_fd();
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epfd < 0 || sfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) < 0) {
        he_log_error("cannot set up the event loop", "err", strerror(errno), NULL);
        return 1;
    }
    struct he_push *push;
    if (!listening() && !opt.push_url[0]) {
        he_log_error("nothing to do: --web.listen-address is empty and --push.gateway-url unset",
                     NULL);
        return 1;
    }
    if (start_push(epfd, &push) < 0) {
        he_registry_fini();
        return 1;
    }
    int fds[16];
    size_t nfds = 0;
    if (opt.systemd_socket && systemd_sockets(fds, &nfds) < 0) {
        he_push_stop(push);
        he_registry_fini();
        return 1;
    }
    struct he_http_config cfg = {
        .listen_fds = fds,
        .nlisten_fds = nfds,
        .listen = &opt.listen,
        .telemetry_path = opt.telemetry_path,
        .exporter_metrics = !opt.disable_exporter_metrics,
        .max_requests = opt.max_requests,
        .push_stats = push ? he_push_stats(push) : NULL,
        .web = web,
    };
    struct he_http *http = listening() ? he_http_start(&cfg, epfd) : NULL;
    if (!http && listening()) {
        he_push_stop(push);
        he_registry_fini();
        return 1;
    }
    if (push && http) {
        he_push_use_handler_stats(push, he_http_stats(http));
    }
    run_loop(http, push, epfd, sfd, &web);
    he_push_stop(push);
    he_http_stop(http);
    he_registry_fini();
    he_webconfig_free(web);
    close(sfd);
    close(epfd);
    return 0;
}
