/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the --web.config.file loader (src/webconfig.c): every error
 * path with exporter-toolkit's message, the line and the key; defaults, path
 * resolution, the GnuTLS priority string and credentials from real files (a
 * certificate made with openssl in a temporary directory).
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "he_webconfig.h"

#define HASH "$2y$04$yLJ744AgYSlVwiHkQAa2wOKl8ueoCSt4PpGddbAmfu8F1iEsNiSqS"

static char tmpdir[64];
static char err[512];

static void make_tmpdir(void)
{
    char cmd[512];
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/he_webconfig.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(cmd, sizeof(cmd),
             "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-subj /CN=x -keyout k.pem -out c.pem -days 1 >/dev/null 2>&1",
             tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes text to tmpdir/web.yml and loads it; returns the loader's result. */
static int load(const char *text, struct he_webconfig **c)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/web.yml", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return he_webconfig_load(path, c, err, sizeof(err));
}

static int parse(const char *text, struct he_webconfig **c)
{
    return he_webconfig_parse(text, strlen(text), "/etc/x", c, err, sizeof(err));
}

/* The text must fail to parse with a message containing want. */
static void parse_fails(const char *text, const char *want)
{
    struct he_webconfig *c = NULL;
    ck_assert_int_eq(parse(text, &c), -EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

static void load_fails(const char *text, const char *want)
{
    struct he_webconfig *c = NULL;
    ck_assert_int_lt(load(text, &c), 0);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

START_TEST(test_webconfig_empty_file_means_plain_http)
{
    struct he_webconfig *c;
    ck_assert_int_eq(load("", &c), 0);
    ck_assert(!c->tls);
    ck_assert_uint_eq(c->nusers, 0);
    ck_assert_uint_eq(c->min_version, 0x0303);
    ck_assert_uint_eq(c->max_version, 0x0304);
    ck_assert(c->prefer_server_cipher_suites && c->http2);
    he_webconfig_free(c);
    ck_assert_int_eq(load("# only a comment\n", &c), 0);
    ck_assert(!c->tls);
    he_webconfig_free(c);
}
END_TEST

START_TEST(test_webconfig_reads_every_key_and_resolves_relative_paths)
{
    struct he_webconfig *c;
    ck_assert_int_eq(parse("tls_server_config:\n"
                           "  cert_file: c.pem\n"
                           "  key_file: /abs/k.pem\n"
                           "  client_ca_file: ca/ca.pem\n"
                           "  client_auth_type: RequireAndVerifyClientCert\n"
                           "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n"
                           "  curve_preferences: [X25519, CurveP256]\n"
                           "  min_version: TLS13\n"
                           "  max_version: TLS13\n"
                           "  prefer_server_cipher_suites: false\n"
                           "  client_allowed_sans: [a.example, 10.0.0.1]\n"
                           "http_server_config:\n"
                           "  http2: false\n"
                           "  headers:\n"
                           "    X-Frame-Options: deny\n"
                           "    Strict-Transport-Security: max-age=31536000\n"
                           "basic_auth_users:\n"
                           "  alice: " HASH "\n"
                           "rate_limit:\n"
                           "  interval: 1s\n"
                           "  burst: 5\n",
                           &c),
                     0);
    ck_assert(c->tls);
    ck_assert_str_eq(c->cert_file, "/etc/x/c.pem");
    ck_assert_str_eq(c->key_file, "/abs/k.pem");
    ck_assert_str_eq(c->client_ca_file, "/etc/x/ca/ca.pem");
    ck_assert_int_eq(c->client_auth, HE_CLIENT_REQUIRE_AND_VERIFY);
    ck_assert_uint_eq(c->min_version, 0x0304);
    ck_assert(!c->prefer_server_cipher_suites && !c->http2);
    ck_assert_uint_eq(c->nallowed_sans, 2);
    ck_assert_str_eq(c->allowed_sans[1], "10.0.0.1");
    ck_assert_uint_eq(c->nheaders, 2);
    ck_assert_str_eq(c->headers[0].name, "X-Frame-Options");
    ck_assert_uint_eq(c->nusers, 1);
    ck_assert_str_eq(c->users[0].name, "alice");
    ck_assert_uint_eq(c->rate_interval_usec, 1000000);
    ck_assert_int_eq(c->rate_burst, 5);
    char prio[512];
    ck_assert_int_eq(he_webconfig_priority(c, prio, sizeof(prio)), 0);
    ck_assert_str_eq(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:"
                           "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:-MAC-ALL:"
                           "+AEAD:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1");
    he_webconfig_free(c);
}
END_TEST

START_TEST(test_webconfig_default_priority_string)
{
    struct he_webconfig *c;
    ck_assert_int_eq(parse("tls_server_config:\n  cert: x\n  key: y\n  min_version: TLS10\n", &c),
                     0);
    char prio[512];
    ck_assert_int_eq(he_webconfig_priority(c, prio, sizeof(prio)), 0);
    ck_assert_str_eq(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:"
                           "%SERVER_PRECEDENCE");
    he_webconfig_free(c);
}
END_TEST

START_TEST(test_webconfig_unknown_key_names_key_type_and_line)
{
    parse_fails("tls_server_confg:\n  cert_file: x\n",
                "line 1: field tls_server_confg not found in type web.Config");
    parse_fails("tls_server_config:\n  cert_file: x\n  certfile: y\n",
                "line 3: field certfile not found in type web.TLSConfig");
    parse_fails("http_server_config:\n  http3: true\n",
                "line 2: field http3 not found in type web.HTTPConfig");
    parse_fails("rate_limit:\n  bursts: 1\n",
                "line 2: field bursts not found in type web.RateLimiterConfig");
    parse_fails("tls_server_config:\n  nope:\n", "field nope not found in type web.TLSConfig");
}
END_TEST

START_TEST(test_webconfig_wrong_types_are_refused)
{
    parse_fails("http_server_config:\n  http2: maybe\n",
                "line 2: cannot unmarshal !!str `maybe` into bool");
    parse_fails("tls_server_config:\n  client_allowed_sans: a.example\n",
                "line 2: cannot unmarshal !!str `a.example` into []string");
    parse_fails("tls_server_config:\n  cipher_suites: [[x]]\n",
                "line 2: cannot unmarshal !!seq into web.Cipher");
    parse_fails("tls_server_config: yes\n", "line 1: cannot unmarshal !!bool `yes` into web.TLSConfig");
    parse_fails("tls_server_config:\n  cert_file: {a: b}\n", "cannot unmarshal !!map into string");
    parse_fails("basic_auth_users: [a]\n", "cannot unmarshal !!seq into map[string]config.Secret");
    parse_fails("basic_auth_users:\n  a: [b]\n", "line 2: cannot unmarshal !!seq into string");
    parse_fails("rate_limit:\n  burst: many\n", "cannot unmarshal !!str `many` into int");
    parse_fails("just text\n", "line 1: cannot unmarshal !!str `just text` into web.Config");
    parse_fails("- a\n", "cannot unmarshal !!seq into web.Config");
}
END_TEST

START_TEST(test_webconfig_bad_values_use_toolkit_texts)
{
    parse_fails("tls_server_config:\n  cert: x\n  key: y\n  min_version: TLS14\n",
                "unknown TLS version: TLS14 (line 4, key min_version)");
    parse_fails("tls_server_config:\n  max_version: SSL3\n", "unknown TLS version: SSL3");
    parse_fails("tls_server_config:\n  cipher_suites: [FOO]\n",
                "unknown cipher: FOO (line 2, key cipher_suites)");
    parse_fails("tls_server_config:\n  curve_preferences: [P999]\n",
                "unknown curve: P999 (line 2, key curve_preferences)");
    parse_fails("tls_server_config:\n  client_auth_type: Bogus\n",
                "invalid ClientAuth: Bogus (line 2, key client_auth_type)");
    parse_fails("rate_limit:\n  interval: soon\n", "time: invalid duration \"soon\" (line 2");
    parse_fails("ip_socket_config:\n  dscp: 1\n", "ip_socket_config is not supported");
    parse_fails("tls_server_config:\n  cert: x\n  key: y\n  min_version: TLS13\n"
                "  max_version: TLS12\n",
                "min_version is above max_version");
}
END_TEST

START_TEST(test_webconfig_tls_needs_cert_and_key)
{
    parse_fails("tls_server_config:\n  key_file: k\n", "missing one of cert or cert_file");
    parse_fails("tls_server_config:\n  cert_file: c\n", "missing one of key or key_file");
    parse_fails("tls_server_config:\n  client_auth_type: RequestClientCert\n",
                "missing one of cert or cert_file");
    parse_fails("tls_server_config:\n  cert: c\n  key: k\n  client_ca_file: ca\n",
                "client CA's have been configured without a Client Auth Policy");
}
END_TEST

START_TEST(test_webconfig_headers_follow_toolkit_allow_list)
{
    parse_fails("http_server_config:\n  headers:\n    X-Foo: bar\n",
                "HTTP header \"X-Foo\" can not be configured");
    parse_fails("http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
                "invalid value for X-Frame-Options. Expected one of: [\"deny\" \"sameorigin\"], "
                "but got: \"allow\"");
    parse_fails("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n",
                "Expected one of: [\"nosniff\"], but got: \"sniff\"");
}
END_TEST

START_TEST(test_webconfig_duplicates_and_syntax_errors)
{
    parse_fails("tls_server_config:\n  cert: a\n  cert: b\n",
                "line 3: field cert already set in type web.TLSConfig");
    parse_fails("basic_auth_users:\n  a: x\n  a: y\n", "line 3: key \"a\" already set in map");
    parse_fails("tls_server_config:\n  cert: [a\n", "yaml: line");
    parse_fails("a: b\nc: \"open\n", "yaml: line 3: found unexpected end of stream");
}
END_TEST

START_TEST(test_webconfig_bcrypt_hashes_are_checked_at_load)
{
    load_fails("basic_auth_users:\n  alice: plain\n",
               "crypto/bcrypt: hashedSecret too short to be a bcrypted password (key "
               "basic_auth_users.alice)");
    load_fails("basic_auth_users:\n  bob: $2y$99$yLJ744AgYSlVwiHkQAa2wOKl8ueoCSt4PpGddbAmfu8F1iEsNiSqS\n",
               "cost 99 is outside allowed inclusive range 4..31");
    load_fails("basic_auth_users:\n  bob: $3y$04$yLJ744AgYSlVwiHkQAa2wOKl8ueoCSt4PpGddbAmfu8F1iEsNiSqS\n",
               "bcrypt algorithm version '3' requested is newer");
    struct he_webconfig *c;
    ck_assert_int_eq(load("basic_auth_users:\n  alice: " HASH "\n", &c), 0);
    he_webconfig_free(c);
}
END_TEST

START_TEST(test_webconfig_unreadable_files_are_fatal)
{
    struct he_webconfig *c = NULL;
    ck_assert_int_eq(he_webconfig_load("/nonexistent/web.yml", &c, err, sizeof(err)), -ENOENT);
    ck_assert_str_eq(err, "open /nonexistent/web.yml: no such file or directory");
    ck_assert_int_eq(he_webconfig_load(tmpdir, &c, err, sizeof(err)), -EISDIR);
    load_fails("tls_server_config:\n  cert_file: nope.pem\n  key_file: k.pem\n",
               "failed to read cert_file (");
    load_fails("tls_server_config:\n  cert_file: c.pem\n  key_file: nope.pem\n",
               "nope.pem: no such file or directory");
    load_fails("tls_server_config:\n  cert_file: k.pem\n  key_file: c.pem\n",
               "failed to load X509KeyPair: ");
    load_fails("tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n"
               "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: nope.pem\n",
               "/nope.pem: no such file or directory");
    load_fails("tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n"
               "  client_auth_type: VerifyClientCertIfGiven\n  client_ca: garbage\n",
               "failed to load client CAs");
}
END_TEST

START_TEST(test_webconfig_loads_real_certificate_relative_to_file)
{
    struct he_webconfig *c;
    ck_assert_int_eq(load("tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n"
                          "  client_auth_type: RequireAndVerifyClientCert\n"
                          "  client_ca_file: c.pem\n",
                          &c),
                     0);
    ck_assert(c->tls);
    gnutls_certificate_credentials_t cred;
    ck_assert_int_eq(he_webconfig_credentials(c, &cred, err, sizeof(err)), 0);
    gnutls_certificate_free_credentials(cred);
    he_webconfig_free(c);
}
END_TEST

static Suite *webconfig_suite(void)
{
    Suite *s = suite_create("webconfig");
    TCase *tc = tcase_create("webconfig");
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_test(tc, test_webconfig_empty_file_means_plain_http);
    tcase_add_test(tc, test_webconfig_reads_every_key_and_resolves_relative_paths);
    tcase_add_test(tc, test_webconfig_default_priority_string);
    tcase_add_test(tc, test_webconfig_unknown_key_names_key_type_and_line);
    tcase_add_test(tc, test_webconfig_wrong_types_are_refused);
    tcase_add_test(tc, test_webconfig_bad_values_use_toolkit_texts);
    tcase_add_test(tc, test_webconfig_tls_needs_cert_and_key);
    tcase_add_test(tc, test_webconfig_headers_follow_toolkit_allow_list);
    tcase_add_test(tc, test_webconfig_duplicates_and_syntax_errors);
    tcase_add_test(tc, test_webconfig_bcrypt_hashes_are_checked_at_load);
    tcase_add_test(tc, test_webconfig_unreadable_files_are_fatal);
    tcase_add_test(tc, test_webconfig_loads_real_certificate_relative_to_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(webconfig_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
