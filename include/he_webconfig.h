/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --web.config.file: Prometheus exporter-toolkit's web configuration (the
 * schema of web/tls_config.go and handler.go at toolkit 0.17), read with
 * libyaml. As the toolkit's yaml.UnmarshalStrict, an unknown key, a value of
 * the wrong type or a bad value is an error; the message uses the toolkit's
 * text and names the line and the key.
 *
 * Keys: tls_server_config {cert, key, client_ca, cert_file, key_file,
 * client_ca_file, client_auth_type, cipher_suites, curve_preferences,
 * min_version, max_version, prefer_server_cipher_suites, client_allowed_sans},
 * http_server_config {http2, headers}, basic_auth_users, rate_limit {interval,
 * burst}. The toolkit's ip_socket_config is refused with a message saying so.
 */
#ifndef HE_WEBCONFIG_H
#define HE_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

enum he_client_auth {
    HE_CLIENT_NO_CERT,             /* NoClientCert (or empty) */
    HE_CLIENT_REQUEST,             /* RequestClientCert */
    HE_CLIENT_REQUIRE_ANY,         /* RequireAnyClientCert, RequireClientCert */
    HE_CLIENT_VERIFY_IF_GIVEN,     /* VerifyClientCertIfGiven */
    HE_CLIENT_REQUIRE_AND_VERIFY,  /* RequireAndVerifyClientCert */
};

struct he_webconfig_pair {
    char *name;
    char *value;
};

struct he_webconfig {
    bool tls;                      /* any certificate, key, client CA or client_auth_type set */
    char *cert_file, *key_file, *client_ca_file;   /* resolved against the file's directory */
    char *cert, *key, *client_ca;  /* inline PEM */
    enum he_client_auth client_auth;
    char **allowed_sans;
    size_t nallowed_sans;
    unsigned min_version, max_version;   /* 0x0301 (TLS10) .. 0x0304 (TLS13) */
    unsigned cipher_mask;          /* bits of the Go cipher suites named; 0: defaults */
    unsigned curve_mask;           /* bits of the curves named; 0: defaults */
    char curve_order[8];           /* curve bits in the order given */
    bool prefer_server_cipher_suites;
    bool http2;                    /* accepted; libmicrohttpd speaks HTTP/1.1 only */
    struct he_webconfig_pair *headers;
    size_t nheaders;
    struct he_webconfig_pair *users;   /* name, bcrypt hash */
    size_t nusers;
    uint64_t rate_interval_usec;   /* 0: no rate limit */
    long rate_burst;
};

/*
 * Parses YAML text (len bytes, need not be NUL-terminated). Relative *_file
 * paths are joined to dir. Touches no file. Returns 0 and a config to free with
 * he_webconfig_free(), or -EINVAL with the reason in err.
 */
int he_webconfig_parse(const char *text, size_t len, const char *dir, struct he_webconfig **out,
                       char *err, size_t errsize);

/*
 * Reads and parses path, then checks what start-up must: the bcrypt hashes and,
 * with TLS, that the certificate and key load, the client CAs load and the
 * priority string is accepted. An empty file gives a config with tls false and
 * no users (plain HTTP). Returns 0 or a negative errno with err set.
 */
int he_webconfig_load(const char *path, struct he_webconfig **out, char *err, size_t errsize);

/*
 * The GnuTLS priority string for the versions, ciphers, curves and server
 * preference of c ("NORMAL:-VERS-ALL:+VERS-TLS1.3:..."). Returns 0 or -ENOSPC.
 */
int he_webconfig_priority(const struct he_webconfig *c, char *out, size_t size);

/*
 * Builds certificate credentials from c's certificate and key (files read
 * now) and client CAs. Returns 0 and *cred, or a negative errno with err set in
 * the toolkit's words ("failed to load X509KeyPair: ...").
 */
int he_webconfig_credentials(const struct he_webconfig *c, gnutls_certificate_credentials_t *cred,
                             char *err, size_t errsize);

/*
 * The certificate and key PEM text (files read now, or the inline values) as
 * NUL-terminated strings the caller frees (the key zeroed first, with
 * he_webconfig_free_pem). Returns 0 or a negative errno with err set.
 */
int he_webconfig_read_pem(const struct he_webconfig *c, char **cert, char **key, char *err,
                          size_t errsize);
void he_webconfig_free_pem(char *cert, char *key);

/* Checks a bcrypt hash as Go's bcrypt.Cost does; err gets Go's message. */
int he_webconfig_check_bcrypt(const char *hash, char *err, size_t errsize);

void he_webconfig_free(struct he_webconfig *c);

#endif
