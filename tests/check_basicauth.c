/* SPDX-License-Identifier: Apache-2.0 */
/* The basic_auth_users checker: answers, the cache, and a wrong-password flood. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "he_basicauth.h"

/* bcrypt cost 4 of "secret": the cheapest cost, so thousands of checks take seconds. */
static char alice_hash[] = "$2y$04$YnpiGgOct2brP5mjMuQowOW7pT/RYFGt4P7/hDIh0G2wqLFIw/G.a";

struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
};

static void wake(void *arg)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* One check to its end: OK or DENIED; *queued tells whether it went to the helper thread. */
static enum he_basicauth_result check_and_wait(struct he_basicauth *a, const char *user,
                                               const char *password, bool *queued)
{
    struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    struct he_basicauth_job *job;
    enum he_basicauth_result r = he_basicauth_check(a, user, password, wake, &w, &job);
    *queued = r == HE_BASICAUTH_PENDING;
    if (r != HE_BASICAUTH_PENDING) {
        return r;
    }
    he_basicauth_submit(a, job);
    pthread_mutex_lock(&w.lock);
    while (!w.done) {
        pthread_cond_wait(&w.cond, &w.lock);
    }
    pthread_mutex_unlock(&w.lock);
    return he_basicauth_job_finish(job) ? HE_BASICAUTH_OK : HE_BASICAUTH_DENIED;
}

static struct he_basicauth *new_with_alice(void)
{
    struct he_basicauth *a = he_basicauth_new(-1);
    ck_assert_ptr_nonnull(a);
    struct he_webconfig_pair user = {"alice", alice_hash};
    struct he_webconfig c = {0};
    c.users = &user;
    c.nusers = 1;
    ck_assert_int_eq(he_basicauth_set_users(a, &c), 0);
    return a;
}

START_TEST(test_right_password_is_checked_once_then_cached)
{
    struct he_basicauth *a = new_with_alice();
    bool queued;
    ck_assert_int_eq(check_and_wait(a, "alice", "secret", &queued), HE_BASICAUTH_OK);
    ck_assert(queued);
    ck_assert_int_eq(check_and_wait(a, "alice", "secret", &queued), HE_BASICAUTH_OK);
    ck_assert(!queued);
    ck_assert_int_eq(check_and_wait(a, "alice", "Secret", &queued), HE_BASICAUTH_DENIED);
    ck_assert_int_eq(check_and_wait(a, "mallory", "secret", &queued), HE_BASICAUTH_DENIED);
    ck_assert(queued);   /* an unknown user costs a bcrypt too (the dummy hash) */
    ck_assert_int_eq(check_and_wait(a, NULL, "secret", &queued), HE_BASICAUTH_DENIED);
    he_basicauth_free(a);
}
END_TEST

/*
 * 6000 different wrong passwords land in every one of the 1024 cache slots but
 * for about 0.3% of runs; the right one must stay cached all the same, or
 * Prometheus' scrape would wait behind the whole flood's queue.
 */
START_TEST(test_wrong_password_flood_keeps_the_right_one_cached)
{
    struct he_basicauth *a = new_with_alice();
    bool queued;
    ck_assert_int_eq(check_and_wait(a, "alice", "secret", &queued), HE_BASICAUTH_OK);
    char wrong[32];
    for (int i = 0; i < 6000; i++) {
        snprintf(wrong, sizeof(wrong), "wrong-%d", i);
        ck_assert_int_eq(check_and_wait(a, "alice", wrong, &queued), HE_BASICAUTH_DENIED);
    }
    ck_assert_int_eq(check_and_wait(a, "alice", "secret", &queued), HE_BASICAUTH_OK);
    ck_assert(!queued);
    he_basicauth_free(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("basicauth");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_right_password_is_checked_once_then_cached);
    tcase_add_test(tc, test_wrong_password_flood_keeps_the_right_one_cached);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
