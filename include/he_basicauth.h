/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basic_auth_users of --web.config.file: bcrypt hashes checked with libxcrypt's
 * crypt_r on one helper thread, never on the serving thread (a check costs
 * 50-100 ms at cost 10). The serving thread asks he_basicauth_check(); a cached
 * answer comes back at once, otherwise it gets a job, suspends the connection
 * and submits the job; the helper thread computes, caches the answer and calls
 * the job's wake function (which resumes the connection). So a flood of wrong
 * passwords queues on the helper thread while a scrape whose credentials are
 * cached is answered at once.
 *
 * As exporter-toolkit: an unknown user is checked against a dummy hash (same
 * cost, so timing does not tell which users exist), hashes are compared in
 * constant time, and results are cached, keyed by an HMAC-SHA256 of user and
 * password under a per-process random key (no password is kept).
 */
#ifndef HE_BASICAUTH_H
#define HE_BASICAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "he_webconfig.h"

enum he_basicauth_result {
    HE_BASICAUTH_OK,
    HE_BASICAUTH_DENIED,
    HE_BASICAUTH_PENDING,   /* *job set: suspend, then he_basicauth_submit() */
    HE_BASICAUTH_BUSY,      /* too many checks queued: answer 503 */
};

struct he_basicauth;
struct he_basicauth_job;

/*
 * Starts the helper thread. After each job's wake function it writes to
 * wake_fd (an eventfd, -1 for none): libmicrohttpd ignores MHD_USE_ITC with an
 * external event loop, so a resumed connection would otherwise wait for the
 * next unrelated event. Returns NULL on failure.
 */
struct he_basicauth *he_basicauth_new(int wake_fd);

/*
 * Replaces the users (copied from c) and forgets every cached answer; checks
 * already queued finish against the users they started with.
 * Returns 0 or -ENOMEM. Serving thread only.
 */
int he_basicauth_set_users(struct he_basicauth *a, const struct he_webconfig *c);

/* True when users are configured. */
bool he_basicauth_enabled(const struct he_basicauth *a);

/*
 * Checks user and password (either may be NULL: denied at once). On PENDING,
 * *job is a new job that calls wake(arg) on the helper thread when done.
 */
enum he_basicauth_result he_basicauth_check(struct he_basicauth *a, const char *user,
                                            const char *password, void (*wake)(void *),
                                            void *arg, struct he_basicauth_job **job);

/* Queues a job from he_basicauth_check(). */
void he_basicauth_submit(struct he_basicauth *a, struct he_basicauth_job *job);

/* After wake: the answer, and frees the job. */
bool he_basicauth_job_finish(struct he_basicauth_job *job);

/* Frees a job that was never submitted. */
void he_basicauth_job_free(struct he_basicauth_job *job);

/*
 * Stops the helper thread: queued jobs are woken denied, then it is joined.
 * Their connections must be resumed before libmicrohttpd stops.
 */
void he_basicauth_free(struct he_basicauth *a);

#endif
