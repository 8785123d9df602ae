/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl, loaded when push mode starts rather than linked.
 *
 * Only push mode (--push.gateway-url) uses libcurl, but linking it maps libcurl and
 * everything it links (OpenSSL's libcrypto through libssh2, Kerberos, LDAP, RTMP,
 * nghttp2, libpsl, libidn2, ...) into every exporter: measured with smaps after 100
 * scrapes, about 3 MB of RSS, 1.5 MB of it libcrypto's, for a feature most
 * installations leave off. So the executable defines the libcurl functions push.c
 * calls, and the first curl_global_init() dlopens the library (the GnuTLS flavour
 * first, which shares libmicrohttpd's TLS library, then the OpenSSL one: both are
 * soname version 4, one ABI) and resolves them. push.c is unchanged and its unit test
 * still links libcurl itself.
 *
 * Until the library is loaded, curl_global_init() fails with CURLE_FAILED_INIT (and
 * logs why), the constructors return NULL, and the cleanups accept the NULLs they get;
 * push mode then refuses to start, as it does for any set-up failure.
 *
 * curl_easy_setopt and curl_multi_setopt take one argument after the option, whose
 * type the option's number range names (CURLOPTTYPE_*), as libcurl itself reads it.
 */
#define CURL_DISABLE_TYPECHECK 1 /* these are the functions, not the checking macros */
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "he_log.h"

static const char *const curl_sonames[] = {"libcurl-gnutls.so.4", "libcurl.so.4"};

/* A function pointer type to carry CURLOPTTYPE_FUNCTIONPOINT arguments through. */
typedef void (*curl_dl_fn)(void);

static struct {
    bool loaded;
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    const char *(*multi_strerror)(CURLMcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} lib;

/* Resolves every symbol of lib from handle; false if one is missing. */
static bool curl_dl_resolve(void *handle)
{
    static const struct {
        const char *name;
        size_t offset;
    } syms[] = {
#define SYM(field) {"curl_" #field, offsetof(__typeof__(lib), field)}
        SYM(global_init),      SYM(global_cleanup),      SYM(easy_init),
        SYM(easy_cleanup),     SYM(easy_setopt),         SYM(easy_getinfo),
        SYM(easy_strerror),    SYM(multi_init),          SYM(multi_cleanup),
        SYM(multi_add_handle), SYM(multi_remove_handle), SYM(multi_setopt),
        SYM(multi_socket_action), SYM(multi_info_read),  SYM(multi_strerror),
        SYM(slist_append),     SYM(slist_free_all),
#undef SYM
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        void *fn = dlsym(handle, syms[i].name);
        if (!fn) {
            return false;
        }
        /* POSIX: a dlsym result converts to a function pointer of the right type. */
        *(void **)((char *)&lib + syms[i].offset) = fn;
    }
    return true;
}

/* dlopens libcurl once; true when every function is there. The handle is never closed. */
static bool curl_dl_load(void)
{
    if (lib.loaded) {
        return true;
    }
    const char *why = "not found";
    for (size_t i = 0; i < sizeof(curl_sonames) / sizeof(curl_sonames[0]); i++) {
        void *handle = dlopen(curl_sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char *err = dlerror();
            why = err ? err : why;
            continue;
        }
        if (curl_dl_resolve(handle)) {
            lib.loaded = true;
            return true;
        }
        why = "a libcurl function is missing";
        dlclose(handle);
    }
    he_log_error("push: cannot load libcurl (libcurl-gnutls.so.4 or libcurl.so.4)", "err", why,
                 NULL);
    return false;
}

CURLcode curl_global_init(long flags)
{
    return curl_dl_load() ? lib.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
    if (lib.loaded) {
        lib.global_cleanup();
    }
}

CURL *curl_easy_init(void)
{
    return lib.loaded ? lib.easy_init() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
    if (lib.loaded) {
        lib.easy_cleanup(h);
    }
}

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
    if (!lib.loaded) {
        return CURLE_FAILED_INIT;
    }
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT) {
        rc = lib.easy_setopt(h, opt, va_arg(ap, long));
    } else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
        rc = lib.easy_setopt(h, opt, va_arg(ap, void *));
    } else if (opt < CURLOPTTYPE_OFF_T) {
        rc = lib.easy_setopt(h, opt, va_arg(ap, curl_dl_fn));
    } else if (opt < CURLOPTTYPE_BLOB) {
        rc = lib.easy_setopt(h, opt, va_arg(ap, curl_off_t));
    } else {
        rc = lib.easy_setopt(h, opt, va_arg(ap, void *));
    }
    va_end(ap);
    return rc;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    if (!lib.loaded) {
        return CURLE_FAILED_INIT;
    }
    va_list ap;
    va_start(ap, info);
    CURLcode rc = lib.easy_getinfo(h, info, va_arg(ap, void *)); /* always a pointer */
    va_end(ap);
    return rc;
}

const char *curl_easy_strerror(CURLcode rc)
{
    return lib.loaded ? lib.easy_strerror(rc) : "libcurl not loaded";
}

CURLM *curl_multi_init(void)
{
    return lib.loaded ? lib.multi_init() : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
    return lib.loaded ? lib.multi_cleanup(m) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
    return lib.loaded ? lib.multi_add_handle(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
    return lib.loaded ? lib.multi_remove_handle(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
    if (!lib.loaded) {
        return CURLM_BAD_HANDLE;
    }
    va_list ap;
    va_start(ap, opt);
    CURLMcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT) {
        rc = lib.multi_setopt(m, opt, va_arg(ap, long));
    } else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
        rc = lib.multi_setopt(m, opt, va_arg(ap, void *));
    } else if (opt < CURLOPTTYPE_OFF_T) {
        rc = lib.multi_setopt(m, opt, va_arg(ap, curl_dl_fn));
    } else {
        rc = lib.multi_setopt(m, opt, va_arg(ap, curl_off_t));
    }
    va_end(ap);
    return rc;
}

CURLMcode curl_multi_socket_action(CURLM *m, curl_socket_t s, int ev_bitmask,
                                   int *running_handles)
{
    return lib.loaded ? lib.multi_socket_action(m, s, ev_bitmask, running_handles)
                      : CURLM_BAD_HANDLE;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *msgs_in_queue)
{
    return lib.loaded ? lib.multi_info_read(m, msgs_in_queue) : NULL;
}

const char *curl_multi_strerror(CURLMcode rc)
{
    return lib.loaded ? lib.multi_strerror(rc) : "libcurl not loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
    return lib.loaded ? lib.slist_append(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
    if (lib.loaded) {
        lib.slist_free_all(list);
    }
}
