/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timex: node_timex_* from adjtimex(2) called read-only (modes 0): the kernel
 * clock's offset, frequency adjustment, error estimates, status bits, PLL time
 * constant, tick, PPS statistics, TAI offset, and node_timex_sync_status (0
 * when the call returns TIME_ERROR). Nothing is read from files, so the
 * values are the live kernel's even on a fixture tree. Mirrors node_exporter
 * 1.12's collector/timex.go: offset and PPS jitter are in nanoseconds when
 * STA_NANO is set, microseconds otherwise; frequencies are ppm with a 16-bit
 * fraction. EPERM (a seccomp filter refusing the call) is "no data", as there.
 */
#include <errno.h>
#include <string.h>
#include <sys/timex.h>

#include "he_collector.h"
#include "he_log.h"

#define TIMEX_PPM16FRAC (1000000.0 * 65536.0) /* see NOTES in adjtimex(2) */
#define TIMEX_MICRO 1e6

static void timex_gauge(struct he_writer *w, const char *name, const char *help, double v)
{
    he_writer_family(w, name, help, HE_GAUGE);
    he_writer_value(w, v);
}

static void timex_counter(struct he_writer *w, const char *name, const char *help, double v)
{
    he_writer_family(w, name, help, HE_COUNTER);
    he_writer_value(w, v);
}

static void timex_emit_clock(struct he_writer *w, const struct timex *t, double divisor)
{
    timex_gauge(w, "node_timex_offset_seconds",
                "Time offset in between local system and reference clock.",
                (double)t->offset / divisor);
    timex_gauge(w, "node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.",
                1 + (double)t->freq / TIMEX_PPM16FRAC);
    timex_gauge(w, "node_timex_maxerror_seconds", "Maximum error in seconds.",
                (double)t->maxerror / TIMEX_MICRO);
    timex_gauge(w, "node_timex_estimated_error_seconds", "Estimated error in seconds.",
                (double)t->esterror / TIMEX_MICRO);
    timex_gauge(w, "node_timex_status", "Value of the status array bits.", (double)t->status);
    timex_gauge(w, "node_timex_loop_time_constant", "Phase-locked loop time constant.",
                (double)t->constant);
    timex_gauge(w, "node_timex_tick_seconds", "Seconds between clock ticks.",
                (double)t->tick / TIMEX_MICRO);
    timex_gauge(w, "node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.",
                (double)t->tai);
}

static void timex_emit_pps(struct he_writer *w, const struct timex *t, double divisor)
{
    timex_gauge(w, "node_timex_pps_frequency_hertz", "Pulse per second frequency.",
                (double)t->ppsfreq / TIMEX_PPM16FRAC);
    timex_gauge(w, "node_timex_pps_jitter_seconds", "Pulse per second jitter.",
                (double)t->jitter / divisor);
    timex_gauge(w, "node_timex_pps_shift_seconds", "Pulse per second interval duration.",
                (double)t->shift);
    timex_gauge(w, "node_timex_pps_stability_hertz",
                "Pulse per second stability, average of recent frequency changes.",
                (double)t->stabil / TIMEX_PPM16FRAC);
    timex_counter(w, "node_timex_pps_jitter_total",
                  "Pulse per second count of jitter limit exceeded events.", (double)t->jitcnt);
    timex_counter(w, "node_timex_pps_calibration_total",
                  "Pulse per second count of calibration intervals.", (double)t->calcnt);
    timex_counter(w, "node_timex_pps_error_total", "Pulse per second count of calibration errors.",
                  (double)t->errcnt);
    timex_counter(w, "node_timex_pps_stability_exceeded_total",
                  "Pulse per second count of stability limit exceeded events.", (double)t->stbcnt);
}

static int timex_collect(void *state, struct he_writer *w)
{
    (void)state;
    struct timex t;
    memset(&t, 0, sizeof(t)); /* modes 0: read only */
    int rc = adjtimex(&t);
    if (rc < 0) {
        int err = errno;
        if (err == EPERM) {
            he_log_debug("timex: not collecting timex metrics", "err", strerror(err), NULL);
            return -ENODATA;
        }
        he_log_debug("timex: adjtimex failed", "err", strerror(err), NULL);
        return -err;
    }
    double divisor = (t.status & STA_NANO) ? 1e9 : TIMEX_MICRO;
    timex_gauge(w, "node_timex_sync_status",
                "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
                rc == TIME_ERROR ? 0 : 1);
    timex_emit_clock(w, &t, divisor);
    timex_emit_pps(w, &t, divisor);
    return 0;
}

static const struct he_collector timex_collector = {
    .name = "timex",
    .default_enabled = true,
    .collect = timex_collect,
};

HE_COLLECTOR_REGISTER(timex_collector)
