/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basic_auth_users checked off the serving thread (see he_basicauth.h),
 * mirroring exporter-toolkit's web/handler.go and cache.go: bcrypt through
 * libxcrypt's crypt_rn, a dummy hash for unknown users, a cache of answers.
 *
 * One helper thread: bcrypt is CPU-bound and the exporter should not take more
 * than one core for it, as the toolkit serialises it under a mutex. The queue
 * is bounded, so a flood cannot grow memory; past the bound the answer is 503.
 * The cache is direct-mapped and bounded (CACHE_SLOTS); a refusal does not
 * replace an accepted answer in its slot. A generation number drops answers
 * computed for users that a reload has replaced.
 */
#include "he_basicauth.h"

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#define CACHE_SLOTS 1024
#define MAX_QUEUED 128
#define DIGEST_LEN 32

/* bcrypt, cost 10, of a random string nobody knows: what unknown users are checked against. */
static const char dummy_hash[] = "$2y$10$.gyEXrpyWLpAVQ8KWwSba.y/rfaDjRgJ5oMnDiEacdp8uLor/j1Wy";

struct he_basicauth_job {
    struct he_basicauth_job *next;
    uint8_t digest[DIGEST_LEN];
    unsigned generation;
    bool known_user;
    bool ok;
    char hash[128];
    char *password;
    void (*wake)(void *);
    void *arg;
};

struct slot {
    uint8_t digest[DIGEST_LEN];
    unsigned generation;
    bool used, ok;
};

struct he_basicauth {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    struct he_basicauth_job *head, *tail;
    size_t queued;
    unsigned generation;
    struct slot cache[CACHE_SLOTS];
    uint8_t key[32];
    int wake_fd;
    struct he_webconfig_pair *users;   /* serving thread only */
    size_t nusers;
};

/* Compares a and b in time that depends on their lengths only. */
static bool equal_constant_time(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++) {
        diff |= (unsigned char)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/*
 * crypt_rn is libxcrypt's crypt_r with the buffer size given and NULL (not a
 * "*0" string) on failure; it is also the variant AddressSanitizer does not
 * intercept: GCC 12's crypt_r interceptor jumps to NULL here.
 */
static bool verify(struct crypt_data *cd, const char *hash, const char *password)
{
    memset(cd, 0, sizeof(*cd));
    const char *out = crypt_rn(password, hash, cd, (int)sizeof(*cd));
    return out && out[0] != '*' && equal_constant_time(out, hash);
}

static void *worker(void *cls)
{
    struct he_basicauth *a = cls;
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->stop && !a->head) {
            pthread_cond_wait(&a->cond, &a->lock);
        }
        struct he_basicauth_job *j = a->head;
        if (!j) {
            break;
        }
        a->head = j->next;
        a->tail = a->head ? a->tail : NULL;
        a->queued--;
        bool stopping = a->stop;
        pthread_mutex_unlock(&a->lock);
        bool ok = !stopping && cd && verify(cd, j->hash, j->password) && j->known_user;
        pthread_mutex_lock(&a->lock);
        struct slot *s = &a->cache[(j->digest[0] | (unsigned)j->digest[1] << 8) % CACHE_SLOTS];
        /* A refusal never evicts an accepted pair: a flood of wrong passwords would
         * otherwise push Prometheus' own credentials out and queue them behind it. */
        bool keeps_ok = s->used && s->ok && s->generation == a->generation;
        if (!stopping && cd && j->generation == a->generation && (ok || !keeps_ok)) {
            memcpy(s->digest, j->digest, DIGEST_LEN);
            s->generation = j->generation;
            s->used = true;
            s->ok = ok;
        }
        j->ok = ok;
        pthread_mutex_unlock(&a->lock);
        j->wake(j->arg);   /* the job belongs to the serving thread from here */
        if (a->wake_fd >= 0) {
            uint64_t one = 1;
            (void)!write(a->wake_fd, &one, sizeof(one));
        }
        pthread_mutex_lock(&a->lock);
    }
    pthread_mutex_unlock(&a->lock);
    free(cd);
    return NULL;
}

struct he_basicauth *he_basicauth_new(int wake_fd)
{
    struct he_basicauth *a = calloc(1, sizeof(*a));
    if (!a) {
        return NULL;
    }
    a->wake_fd = wake_fd;
    if (getrandom(a->key, sizeof(a->key), 0) != (ssize_t)sizeof(a->key)) {
        free(a);
        return NULL;
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    if (pthread_create(&a->thread, NULL, worker, a) != 0) {
        pthread_mutex_destroy(&a->lock);
        pthread_cond_destroy(&a->cond);
        free(a);
        return NULL;
    }
    return a;
}

static void free_users(struct he_webconfig_pair *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(u[i].name);
        free(u[i].value);
    }
    free(u);
}

int he_basicauth_set_users(struct he_basicauth *a, const struct he_webconfig *c)
{
    size_t n = c ? c->nusers : 0;
    struct he_webconfig_pair *u = n ? calloc(n, sizeof(*u)) : NULL;
    if (n && !u) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        u[i].name = strdup(c->users[i].name);
        u[i].value = strdup(c->users[i].value);
        if (!u[i].name || !u[i].value) {
            free_users(u, n);
            return -ENOMEM;
        }
    }
    free_users(a->users, a->nusers);
    a->users = u;
    a->nusers = n;
    pthread_mutex_lock(&a->lock);
    a->generation++;
    memset(a->cache, 0, sizeof(a->cache));
    pthread_mutex_unlock(&a->lock);
    return 0;
}

bool he_basicauth_enabled(const struct he_basicauth *a)
{
    return a && a->nusers > 0;
}

static int digest_of(const struct he_basicauth *a, const char *user, const char *password,
                     uint8_t *out)
{
    size_t lu = strlen(user), lp = strlen(password);
    char *buf = malloc(lu + lp + 2);
    if (!buf) {
        return -ENOMEM;
    }
    memcpy(buf, user, lu + 1);   /* user, NUL, password: no two pairs give the same text */
    memcpy(buf + lu + 1, password, lp + 1);
    int rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, a->key, sizeof(a->key), buf, lu + lp + 1, out);
    gnutls_memset(buf, 0, lu + lp + 2);
    free(buf);
    return rc < 0 ? -EINVAL : 0;
}

enum he_basicauth_result he_basicauth_check(struct he_basicauth *a, const char *user,
                                            const char *password, void (*wake)(void *),
                                            void *arg, struct he_basicauth_job **job)
{
    uint8_t digest[DIGEST_LEN];
    *job = NULL;
    if (!user || !password || digest_of(a, user, password, digest) < 0) {
        return HE_BASICAUTH_DENIED;
    }
    pthread_mutex_lock(&a->lock);
    const struct slot *s = &a->cache[(digest[0] | (unsigned)digest[1] << 8) % CACHE_SLOTS];
    bool hit = s->used && s->generation == a->generation && !memcmp(s->digest, digest, DIGEST_LEN);
    bool ok = hit && s->ok;
    bool busy = !hit && a->queued >= MAX_QUEUED;
    unsigned generation = a->generation;
    pthread_mutex_unlock(&a->lock);
    if (hit) {
        return ok ? HE_BASICAUTH_OK : HE_BASICAUTH_DENIED;
    }
    if (busy) {
        return HE_BASICAUTH_BUSY;
    }
    struct he_basicauth_job *j = calloc(1, sizeof(*j));
    if (!j || !(j->password = strdup(password))) {
        free(j);
        return HE_BASICAUTH_BUSY;
    }
    const char *hash = dummy_hash;
    for (size_t i = 0; i < a->nusers; i++) {
        if (!strcmp(a->users[i].name, user)) {
            hash = a->users[i].value;
            j->known_user = true;
        }
    }
    snprintf(j->hash, sizeof(j->hash), "%s", hash);
    memcpy(j->digest, digest, DIGEST_LEN);
    j->generation = generation;
    j->wake = wake;
    j->arg = arg;
    *job = j;
    return HE_BASICAUTH_PENDING;
}

void he_basicauth_submit(struct he_basicauth *a, struct he_basicauth_job *job)
{
    pthread_mutex_lock(&a->lock);
    job->next = NULL;
    if (a->tail) {
        a->tail->next = job;
    } else {
        a->head = job;
    }
    a->tail = job;
    a->queued++;
    pthread_cond_signal(&a->cond);
    pthread_mutex_unlock(&a->lock);
}

void he_basicauth_job_free(struct he_basicauth_job *job)
{
    if (job) {
        gnutls_memset(job->password, 0, strlen(job->password));
        free(job->password);
        free(job);
    }
}

bool he_basicauth_job_finish(struct he_basicauth_job *job)
{
    bool ok = job->ok;
    he_basicauth_job_free(job);
    return ok;
}

void he_basicauth_free(struct he_basicauth *a)
{
    if (!a) {
        return;
    }
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_cond_signal(&a->cond);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
    free_users(a->users, a->nusers);
    free(a);
}
