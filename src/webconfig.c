/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The --web.config.file loader (see he_webconfig.h), mirroring exporter-toolkit
 * 0.17's web/tls_config.go (Config, TLSConfig, HTTPConfig, RateLimiterConfig),
 * web/headers.go (the allowed extra headers) and web/users.go (bcrypt checks).
 *
 * libyaml builds the document; a walk over it fills struct he_webconfig with
 * Go's defaults (TLS 1.2 to 1.3, server cipher preference, http2 on). Errors
 * quote the toolkit's text: yaml.v2 strict mode's "line N: field X not found in
 * type web.TLSConfig" for unknown keys and type mismatches, the toolkit's own
 * ("unknown TLS version: TLS14") with the line and key appended for bad values.
 */
#include "he_webconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include <gnutls/x509.h>

#include "he_duration.h"

#define MAX_LIST 64
#define MAX_FILE_BYTES (1 << 20)

struct walk {
    yaml_document_t *doc;
    struct he_webconfig *c;
    const char *dir;
    char *err;
    size_t errsize;
};

/* Go's tls.CipherSuites(): the secure list, names as crypto/tls spells them. */
static const struct {
    const char *name;
    const char *kx, *cipher, *mac;   /* GnuTLS priority items; kx NULL: a TLS 1.3 suite */
} go_ciphers[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {"TLS_AES_128_GCM_SHA256", NULL, NULL, NULL},
    {"TLS_AES_256_GCM_SHA384", NULL, NULL, NULL},
    {"TLS_CHACHA20_POLY1305_SHA256", NULL, NULL, NULL},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
};

static const struct {
    const char *name, *group;
} go_curves[] = {
    {"CurveP256", "GROUP-SECP256R1"},
    {"CurveP384", "GROUP-SECP384R1"},
    {"CurveP521", "GROUP-SECP521R1"},
    {"X25519", "GROUP-X25519"},
};

static const struct {
    const char *name, *vers;
    unsigned id;
} go_versions[] = {
    {"TLS10", "VERS-TLS1.0", 0x0301},
    {"TLS11", "VERS-TLS1.1", 0x0302},
    {"TLS12", "VERS-TLS1.2", 0x0303},
    {"TLS13", "VERS-TLS1.3", 0x0304},
};

/* exporter-toolkit's extraHTTPHeaders: NULL values mean any value. */
static const struct {
    const char *name;
    const char *values[3];
} allowed_headers[] = {
    {"Strict-Transport-Security", {NULL}},
    {"X-Content-Type-Options", {"nosniff", NULL}},
    {"X-Frame-Options", {"deny", "sameorigin", NULL}},
    {"X-XSS-Protection", {NULL}},
    {"Content-Security-Policy", {NULL}},
};

static int fail(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct walk *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, w->errsize, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static unsigned line_of(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *v = scalar(n);
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
           !strcmp(v, "NULL");
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                      "on", "On", "ON"};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                     "off", "Off", "OFF"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
            *out = !strcmp(v, yes[i]);
            return true;
        }
    }
    return false;
}

/* yaml.v2's short tag of a node, for "cannot unmarshal !!str `x` into bool". */
static const char *tag_of(const yaml_node_t *n)
{
    bool b;
    if (n->type == YAML_SEQUENCE_NODE) {
        return "!!seq";
    }
    if (n->type == YAML_MAPPING_NODE) {
        return "!!map";
    }
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return "!!str";
    }
    const char *v = scalar(n);
    char *end;
    if (*v && (strtol(v, &end, 0), !*end)) {
        return "!!int";
    }
    if (*v && (strtod(v, &end), !*end)) {
        return "!!float";
    }
    return parse_bool(v, &b) ? "!!bool" : "!!str";
}

static int type_error(struct walk *w, const yaml_node_t *n, const char *into)
{
    if (n->type == YAML_SCALAR_NODE) {
        char shown[64];
        snprintf(shown, sizeof(shown), "%s", scalar(n));
        return fail(w, "yaml: unmarshal errors:\n  line %u: cannot unmarshal %s `%s` into %s",
                    line_of(n), tag_of(n), shown, into);
    }
    return fail(w, "yaml: unmarshal errors:\n  line %u: cannot unmarshal %s into %s", line_of(n),
                tag_of(n), into);
}

static int value_error(struct walk *w, const yaml_node_t *n, const char *key, const char *fmt,
                       const char *value)
{
    char msg[256];
    snprintf(msg, sizeof(msg), fmt, value);
    return fail(w, "%s (line %u, key %s)", msg, line_of(n), key);
}

/* A string field: any scalar, as yaml.v2 decodes into a Go string. */
static int get_string(struct walk *w, const yaml_node_t *n, char **out)
{
    if (n->type != YAML_SCALAR_NODE) {
        return type_error(w, n, "string");
    }
    char *s = strdup(is_null(n) ? "" : scalar(n));
    if (!s) {
        return -ENOMEM;
    }
    free(*out);
    *out = s;
    return 0;
}

static int get_bool(struct walk *w, const yaml_node_t *n, bool *out)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        !parse_bool(scalar(n), out)) {
        return type_error(w, n, "bool");
    }
    return 0;
}

/* A file path joined to the config file's directory unless absolute or empty. */
static int get_path(struct walk *w, const yaml_node_t *n, char **out)
{
    int rc = get_string(w, n, out);
    if (rc < 0 || !**out || (*out)[0] == '/' || !w->dir) {
        return rc;
    }
    char *joined;
    if (asprintf(&joined, "%s/%s", w->dir, *out) < 0) {
        return -ENOMEM;
    }
    free(*out);
    *out = joined;
    return 0;
}

/* Calls each(w, item, i) for every item of a sequence of scalars. */
static int each_scalar(struct walk *w, const yaml_node_t *n, const char *into,
                       int (*each)(struct walk *, const yaml_node_t *, size_t, void *), void *arg)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        return type_error(w, n, into);
    }
    size_t i = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++, i++) {
        const yaml_node_t *item = yaml_document_get_node(w->doc, *it);
        if (!item || item->type != YAML_SCALAR_NODE) {
            return type_error(w, item ? item : n, into + 2);
        }
        if (i >= MAX_LIST) {
            return fail(w, "line %u: more than %d items", line_of(item), MAX_LIST);
        }
        int rc = each(w, item, i, arg);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int add_cipher(struct walk *w, const yaml_node_t *n, size_t i, void *arg)
{
    (void)i, (void)arg;
    for (size_t k = 0; k < sizeof(go_ciphers) / sizeof(go_ciphers[0]); k++) {
        if (!strcmp(scalar(n), go_ciphers[k].name)) {
            w->c->cipher_mask |= 1u << k;
            return 0;
        }
    }
    return value_error(w, n, "cipher_suites", "unknown cipher: %s", scalar(n));
}

static int add_curve(struct walk *w, const yaml_node_t *n, size_t i, void *arg)
{
    (void)i, (void)arg;
    for (size_t k = 0; k < sizeof(go_curves) / sizeof(go_curves[0]); k++) {
        if (!strcmp(scalar(n), go_curves[k].name)) {
            if (!(w->c->curve_mask & (1u << k))) {
                size_t used = strlen(w->c->curve_order);
                w->c->curve_order[used] = (char)('0' + k);
            }
            w->c->curve_mask |= 1u << k;
            return 0;
        }
    }
    return value_error(w, n, "curve_preferences", "unknown curve: %s", scalar(n));
}

static int add_san(struct walk *w, const yaml_node_t *n, size_t i, void *arg)
{
    (void)arg;
    char **grown = realloc(w->c->allowed_sans, (i + 1) * sizeof(*grown));
    if (!grown) {
        return -ENOMEM;
    }
    w->c->allowed_sans = grown;
    if (!(grown[i] = strdup(scalar(n)))) {
        return -ENOMEM;
    }
    w->c->nallowed_sans = i + 1;
    return 0;
}

static int get_version(struct walk *w, const yaml_node_t *n, const char *key, unsigned *out)
{
    if (n->type != YAML_SCALAR_NODE) {
        return type_error(w, n, "string");
    }
    for (size_t k = 0; k < sizeof(go_versions) / sizeof(go_versions[0]); k++) {
        if (!strcmp(scalar(n), go_versions[k].name)) {
            *out = go_versions[k].id;
            return 0;
        }
    }
    return value_error(w, n, key, "unknown TLS version: %s", scalar(n));
}

static int get_client_auth(struct walk *w, const yaml_node_t *n)
{
    static const struct {
        const char *name;
        enum he_client_auth v;
    } names[] = {
        {"", HE_CLIENT_NO_CERT},
        {"NoClientCert", HE_CLIENT_NO_CERT},
        {"RequestClientCert", HE_CLIENT_REQUEST},
        {"RequireAnyClientCert", HE_CLIENT_REQUIRE_ANY},
        {"RequireClientCert", HE_CLIENT_REQUIRE_ANY},
        {"VerifyClientCertIfGiven", HE_CLIENT_VERIFY_IF_GIVEN},
        {"RequireAndVerifyClientCert", HE_CLIENT_REQUIRE_AND_VERIFY},
    };
    if (n->type != YAML_SCALAR_NODE) {
        return type_error(w, n, "string");
    }
    const char *v = is_null(n) ? "" : scalar(n);
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        if (!strcmp(v, names[k].name)) {
            w->c->client_auth = names[k].v;
            w->c->tls |= *v != '\0';
            return 0;
        }
    }
    return value_error(w, n, "client_auth_type", "invalid ClientAuth: %s", v);
}

/* One key of tls_server_config. */
static int tls_field(struct walk *w, const char *key, const yaml_node_t *v)
{
    struct he_webconfig *c = w->c;
    if (!strcmp(key, "cert")) {
        return get_string(w, v, &c->cert);
    } else if (!strcmp(key, "key")) {
        return get_string(w, v, &c->key);
    } else if (!strcmp(key, "client_ca")) {
        return get_string(w, v, &c->client_ca);
    } else if (!strcmp(key, "cert_file")) {
        return get_path(w, v, &c->cert_file);
    } else if (!strcmp(key, "key_file")) {
        return get_path(w, v, &c->key_file);
    } else if (!strcmp(key, "client_ca_file")) {
        return get_path(w, v, &c->client_ca_file);
    } else if (!strcmp(key, "client_auth_type")) {
        return get_client_auth(w, v);
    } else if (!strcmp(key, "cipher_suites")) {
        return each_scalar(w, v, "[]web.Cipher", add_cipher, NULL);
    } else if (!strcmp(key, "curve_preferences")) {
        return each_scalar(w, v, "[]web.Curve", add_curve, NULL);
    } else if (!strcmp(key, "min_version")) {
        return get_version(w, v, key, &c->min_version);
    } else if (!strcmp(key, "max_version")) {
        return get_version(w, v, key, &c->max_version);
    } else if (!strcmp(key, "prefer_server_cipher_suites")) {
        return get_bool(w, v, &c->prefer_server_cipher_suites);
    } else if (!strcmp(key, "client_allowed_sans")) {
        return each_scalar(w, v, "[]string", add_san, NULL);
    }
    return 1;
}

static const char *const tls_keys[] = {
    "cert", "key", "client_ca", "cert_file", "key_file", "client_ca_file", "client_auth_type",
    "cipher_suites", "curve_preferences", "min_version", "max_version",
    "prefer_server_cipher_suites", "client_allowed_sans", NULL};
static const char *const http_keys[] = {"http2", "headers", NULL};
static const char *const rate_keys[] = {"burst", "interval", NULL};
static const char *const top_keys[] = {"tls_server_config", "http_server_config",
                                       "basic_auth_users", "rate_limit", "ip_socket_config", NULL};

/*
 * Walks a mapping into a Go struct named type: field(w, key, value) returns 0,
 * a negative errno, or 1 for an unknown key; known lists the keys. A null
 * value keeps the default.
 */
static int walk_struct(struct walk *w, const yaml_node_t *n, const char *type,
                       const char *const *known,
                       int (*field)(struct walk *, const char *, const yaml_node_t *))
{
    if (is_null(n)) {
        return 0;
    }
    if (n->type != YAML_MAPPING_NODE) {
        return type_error(w, n, type);
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE) {
            return type_error(w, k ? k : n, "string");
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            const yaml_node_t *prev = yaml_document_get_node(w->doc, q->key);
            if (prev && prev->type == YAML_SCALAR_NODE && !strcmp(scalar(prev), scalar(k))) {
                return fail(w, "yaml: unmarshal errors:\n  line %u: field %s already set in type %s",
                            line_of(k), scalar(k), type);
            }
        }
        size_t i = 0;
        while (known[i] && strcmp(known[i], scalar(k))) {
            i++;
        }
        int rc = known[i] ? (is_null(v) ? 0 : field(w, scalar(k), v)) : 1;
        if (rc > 0) {
            return fail(w, "yaml: unmarshal errors:\n  line %u: field %s not found in type %s",
                        line_of(k), scalar(k), type);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* A map[string]string: headers or basic_auth_users. */
static int walk_map(struct walk *w, const yaml_node_t *n, const char *into,
                    struct he_webconfig_pair **pairs, size_t *npairs)
{
    if (n->type != YAML_MAPPING_NODE) {
        return is_null(n) ? 0 : type_error(w, n, into);
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE) {
            return type_error(w, k ? k : n, "string");
        }
        if (v->type != YAML_SCALAR_NODE) {
            return type_error(w, v, "string");
        }
        const char *name = is_null(k) ? "" : scalar(k);
        for (size_t i = 0; i < *npairs; i++) {
            if (!strcmp((*pairs)[i].name, name)) {
                return fail(w, "yaml: unmarshal errors:\n  line %u: key \"%s\" already set in map",
                            line_of(k), name);
            }
        }
        if (*npairs >= 1024) {
            return fail(w, "line %u: more than 1024 entries", line_of(k));
        }
        struct he_webconfig_pair *grown = realloc(*pairs, (*npairs + 1) * sizeof(*grown));
        if (!grown) {
            return -ENOMEM;
        }
        *pairs = grown;
        grown[*npairs].name = strdup(name);
        grown[*npairs].value = strdup(is_null(v) ? "" : scalar(v));
        (*npairs)++;
        if (!grown[*npairs - 1].name || !grown[*npairs - 1].value) {
            return -ENOMEM;
        }
    }
    return 0;
}

static int http_field(struct walk *w, const char *key, const yaml_node_t *v)
{
    if (!strcmp(key, "http2")) {
        return get_bool(w, v, &w->c->http2);
    } else if (!strcmp(key, "headers")) {
        return walk_map(w, v, "map[string]string", &w->c->headers, &w->c->nheaders);
    }
    return 1;
}

static int rate_field(struct walk *w, const char *key, const yaml_node_t *v)
{
    if (!strcmp(key, "burst")) {
        char *end;
        long n = 0;
        if (v->type == YAML_SCALAR_NODE && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            errno = 0;
            n = strtol(scalar(v), &end, 10);
        }
        if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
            !*scalar(v) || *end || errno) {
            return type_error(w, v, "int");
        }
        w->c->rate_burst = n;
        return 0;
    } else if (!strcmp(key, "interval")) {
        if (v->type != YAML_SCALAR_NODE) {
            return type_error(w, v, "time.Duration");
        }
        if (!strcmp(scalar(v), "0")) {
            w->c->rate_interval_usec = 0;
            return 0;
        }
        if (he_duration_parse_usec(scalar(v), &w->c->rate_interval_usec) < 0) {
            return value_error(w, v, "rate_limit.interval", "time: invalid duration \"%s\"",
                               scalar(v));
        }
        return 0;
    }
    return 1;
}

static int top_field(struct walk *w, const char *key, const yaml_node_t *v)
{
    if (!strcmp(key, "tls_server_config")) {
        return walk_struct(w, v, "web.TLSConfig", tls_keys, tls_field);
    } else if (!strcmp(key, "http_server_config")) {
        return walk_struct(w, v, "web.HTTPConfig", http_keys, http_field);
    } else if (!strcmp(key, "basic_auth_users")) {
        return walk_map(w, v, "map[string]config.Secret", &w->c->users, &w->c->nusers);
    } else if (!strcmp(key, "rate_limit")) {
        return walk_struct(w, v, "web.RateLimiterConfig", rate_keys, rate_field);
    } else if (!strcmp(key, "ip_socket_config")) {
        return fail(w, "line %u: ip_socket_config is not supported by host_exporter (set TTL and "
                       "DSCP with the firewall instead)",
                    line_of(v));
    }
    return 1;
}

/* web/headers.go's validateHeaderConfig, on the parsed headers. */
static int check_headers(struct walk *w)
{
    for (size_t i = 0; i < w->c->nheaders; i++) {
        const struct he_webconfig_pair *h = &w->c->headers[i];
        size_t k = 0;
        while (k < sizeof(allowed_headers) / sizeof(allowed_headers[0]) &&
               strcmp(allowed_headers[k].name, h->name)) {
            k++;
        }
        if (k == sizeof(allowed_headers) / sizeof(allowed_headers[0])) {
            return fail(w, "HTTP header \"%s\" can not be configured (key http_server_config.headers)",
                        h->name);
        }
        const char *const *vals = allowed_headers[k].values;
        if (!vals[0]) {
            continue;
        }
        bool ok = false;
        char expected[64] = "";
        for (size_t j = 0; vals[j]; j++) {
            ok |= !strcmp(vals[j], h->value);
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"", j ? " " : "", vals[j]);
        }
        if (!ok) {
            return fail(w, "invalid value for %s. Expected one of: [%s], but got: \"%s\" (key "
                           "http_server_config.headers)",
                        h->name, expected, h->value);
        }
    }
    return 0;
}

/* ConfigToTLSConfig's checks that need no file: what must come together. */
static int check_tls(struct walk *w)
{
    struct he_webconfig *c = w->c;
    c->tls |= (c->cert && *c->cert) || (c->key && *c->key) || (c->client_ca && *c->client_ca) ||
              (c->cert_file && *c->cert_file) || (c->key_file && *c->key_file) ||
              (c->client_ca_file && *c->client_ca_file);
    if (!c->tls) {
        return 0;
    }
    if (!(c->cert_file && *c->cert_file) && !(c->cert && *c->cert)) {
        return fail(w, "missing one of cert or cert_file (key tls_server_config)");
    }
    if (!(c->key_file && *c->key_file) && !(c->key && *c->key)) {
        return fail(w, "missing one of key or key_file (key tls_server_config)");
    }
    if (((c->client_ca_file && *c->client_ca_file) || (c->client_ca && *c->client_ca)) &&
        c->client_auth == HE_CLIENT_NO_CERT) {
        return fail(w, "client CA's have been configured without a Client Auth Policy (key "
                       "tls_server_config.client_auth_type)");
    }
    if (c->min_version > c->max_version) {
        return fail(w, "min_version is above max_version: no TLS version is left (key "
                       "tls_server_config)");
    }
    return 0;
}

static struct he_webconfig *new_config(void)
{
    struct he_webconfig *c = calloc(1, sizeof(*c));
    if (c) {
        c->min_version = 0x0303;
        c->max_version = 0x0304;
        c->prefer_server_cipher_suites = true;
        c->http2 = true;
    }
    return c;
}

int he_webconfig_parse(const char *text, size_t len, const char *dir, struct he_webconfig **out,
                       char *err, size_t errsize)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct he_webconfig *c = new_config();
    struct walk w = {.doc = &doc, .c = c, .dir = dir, .err = err, .errsize = errsize};
    *out = NULL;
    err[0] = '\0';
    if (!c || !yaml_parser_initialize(&parser)) {
        free(c);
        return -ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        fail(&w, "yaml: line %zu: %s", parser.problem_mark.line + 1,
             parser.problem ? parser.problem : "invalid YAML");
        yaml_parser_delete(&parser);
        he_webconfig_free(c);
        return -EINVAL;
    }
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = 0;
    if (root && !is_null(root)) {
        rc = walk_struct(&w, root, "web.Config", top_keys, top_field);
    }
    if (rc == 0) {
        rc = check_headers(&w);
    }
    if (rc == 0) {
        rc = check_tls(&w);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc < 0) {
        if (rc == -ENOMEM && !err[0]) {
            snprintf(err, errsize, "out of memory");
        }
        he_webconfig_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Go's os error text: "open PATH: no such file or directory". */
static void os_error(char *err, size_t errsize, const char *prefix, const char *path, int errnum)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "%s", strerror(errnum));
    msg[0] = (char)tolower((unsigned char)msg[0]);
    snprintf(err, errsize, "%s%s: %s", prefix, path, msg);
}

/* Reads a whole (small) file into a NUL-terminated buffer. */
static int read_file(const char *path, gnutls_datum_t *out, int *errnum)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        *errnum = errno;
        return -*errnum;
    }
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES + 1, f) : 0;
    *errnum = buf ? (ferror(f) ? EIO : n > MAX_FILE_BYTES ? EFBIG : 0) : ENOMEM;
    fclose(f);
    if (*errnum) {
        free(buf);
        return -*errnum;
    }
    buf[n] = '\0';
    out->data = (unsigned char *)buf;
    out->size = (unsigned)n;
    return 0;
}

int he_webconfig_load(const char *path, struct he_webconfig **out, char *err, size_t errsize)
{
    gnutls_datum_t text;
    int errnum;
    struct stat st;
    *out = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        os_error(err, errsize, "read ", path, EISDIR);
        return -EISDIR;
    }
    if (read_file(path, &text, &errnum) < 0) {
        os_error(err, errsize, "open ", path, errnum);
        return -errnum;
    }
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) {
        *(slash == dir ? slash + 1 : slash) = '\0';
    }
    struct he_webconfig *c;
    int rc = he_webconfig_parse((const char *)text.data, text.size, slash ? dir : ".", &c, err,
                                errsize);
    free(text.data);
    free(dir);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < c->nusers; i++) {
        if ((rc = he_webconfig_check_bcrypt(c->users[i].value, err, errsize)) < 0) {
            size_t used = strlen(err);
            snprintf(err + used, errsize - used, " (key basic_auth_users.%s)", c->users[i].name);
            he_webconfig_free(c);
            return rc;
        }
    }
    if (c->tls) {
        gnutls_certificate_credentials_t cred;
        char prio[1024];
        const char *where;
        if ((rc = he_webconfig_credentials(c, &cred, err, errsize)) < 0) {
            he_webconfig_free(c);
            return rc;
        }
        gnutls_certificate_free_credentials(cred);
        gnutls_priority_t p;
        if (he_webconfig_priority(c, prio, sizeof(prio)) < 0 ||
            gnutls_priority_init(&p, prio, &where) < 0) {
            snprintf(err, errsize, "GnuTLS refuses the priority string \"%s\"", prio);
            he_webconfig_free(c);
            return -EINVAL;
        }
        gnutls_priority_deinit(p);
    }
    *out = c;
    return 0;
}

static int append(char *out, size_t size, size_t *used, const char *item)
{
    int n = snprintf(out + *used, size - *used, "%s", item);
    if (n < 0 || (size_t)n >= size - *used) {
        return -ENOSPC;
    }
    *used += (size_t)n;
    return 0;
}

/*
 * Appends all, then ":+ITEM" for each distinct item that the chosen ciphers name
 * in field f (0 KX, 1 cipher, 2 MAC), then the distinct items of extra.
 */
static int append_cipher_items(const struct he_webconfig *c, char *out, size_t size, size_t *used,
                               int f, const char *all, const char *const *extra)
{
    const char *items[32];
    size_t n = 0;
    for (size_t k = 0; k < sizeof(go_ciphers) / sizeof(go_ciphers[0]); k++) {
        const char *item = f == 0 ? go_ciphers[k].kx : f == 1 ? go_ciphers[k].cipher
                                                               : go_ciphers[k].mac;
        if ((c->cipher_mask & (1u << k)) && item) {
            items[n++] = item;
        }
    }
    for (size_t k = 0; extra && extra[k]; k++) {
        items[n++] = extra[k];
    }
    int rc = append(out, size, used, all);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < i; j++) {
            dup |= !strcmp(items[j], items[i]);
        }
        if (!dup) {
            rc = append(out, size, used, ":+");
            rc = rc ? rc : append(out, size, used, items[i]);
        }
    }
    return rc;
}

/*
 * GnuTLS cannot name whole TLS 1.2 suites, only key exchanges, ciphers and
 * MACs: the set allowed is their product, which for Go's list adds no suite
 * outside it but a Go name's siblings (e.g. ECDHE-RSA with AES-128-GCM and
 * ECDHE-ECDSA with AES-256-GCM also allow the two crossed suites). Go applies
 * cipher_suites to TLS 1.2 and below only, so with TLS 1.3 on its AEAD ciphers
 * stay in.
 */
int he_webconfig_priority(const struct he_webconfig *c, char *out, size_t size)
{
    size_t used = 0;
    int rc = append(out, size, &used, "NORMAL:-VERS-ALL");
    for (size_t k = sizeof(go_versions) / sizeof(go_versions[0]); rc == 0 && k-- > 0;) {
        if (go_versions[k].id >= c->min_version && go_versions[k].id <= c->max_version) {
            rc = append(out, size, &used, ":+");
            rc = rc ? rc : append(out, size, &used, go_versions[k].vers);
        }
    }
    if (rc == 0 && c->cipher_mask) {
        static const char *const tls13_ciphers[] = {"AES-128-GCM", "AES-256-GCM",
                                                    "CHACHA20-POLY1305", NULL};
        static const char *const tls13_macs[] = {"AEAD", NULL};
        bool tls13 = c->max_version >= 0x0304;
        rc = append_cipher_items(c, out, size, &used, 0, ":-KX-ALL", NULL);
        rc = rc ? rc : append_cipher_items(c, out, size, &used, 1, ":-CIPHER-ALL",
                                           tls13 ? tls13_ciphers : NULL);
        rc = rc ? rc : append_cipher_items(c, out, size, &used, 2, ":-MAC-ALL",
                                           tls13 ? tls13_macs : NULL);
    }
    if (rc == 0 && c->curve_mask) {
        rc = append(out, size, &used, ":-GROUP-ALL");
        for (const char *p = c->curve_order; rc == 0 && *p; p++) {
            rc = append(out, size, &used, ":+");
            rc = rc ? rc : append(out, size, &used, go_curves[*p - '0'].group);
        }
    }
    if (rc == 0 && c->prefer_server_cipher_suites) {
        rc = append(out, size, &used, ":%SERVER_PRECEDENCE");
    }
    return rc;
}

/* The PEM of a *_file (read now) or of the inline key; *owned says whether to free it. */
static int pem_of(const char *file, const char *inline_pem, const char *what, gnutls_datum_t *out,
                  bool *owned, char *err, size_t errsize)
{
    int errnum;
    *owned = false;
    if (file && *file) {
        if (read_file(file, out, &errnum) < 0) {
            char prefix[64];
            snprintf(prefix, sizeof(prefix), "failed to read %s (%s): open ", what, file);
            os_error(err, errsize, prefix, file, errnum);
            return -errnum;
        }
        *owned = true;
        return 0;
    }
    out->data = (unsigned char *)(inline_pem ? inline_pem : "");
    out->size = inline_pem ? (unsigned)strlen(inline_pem) : 0;
    return 0;
}

int he_webconfig_credentials(const struct he_webconfig *c, gnutls_certificate_credentials_t *cred,
                             char *err, size_t errsize)
{
    gnutls_datum_t cert, key, ca = {NULL, 0};
    bool own_cert, own_key, own_ca = false;
    int rc = pem_of(c->cert_file, c->cert, "cert_file", &cert, &own_cert, err, errsize);
    if (rc < 0) {
        return rc;
    }
    rc = pem_of(c->key_file, c->key, "key_file", &key, &own_key, err, errsize);
    if (rc == 0 && ((c->client_ca_file && *c->client_ca_file) || (c->client_ca && *c->client_ca))) {
        rc = pem_of(c->client_ca_file, c->client_ca, "client_ca_file", &ca, &own_ca, err, errsize);
        if (rc < 0 && c->client_ca_file) {
            int errnum = -rc;   /* the toolkit returns os.ReadFile's error as it is */
            os_error(err, errsize, "open ", c->client_ca_file, errnum);
        }
    }
    if (rc == 0 && gnutls_certificate_allocate_credentials(cred) < 0) {
        rc = -ENOMEM;
        snprintf(err, errsize, "out of memory");
    }
    if (rc == 0) {
        int g = gnutls_certificate_set_x509_key_mem(*cred, &cert, &key, GNUTLS_X509_FMT_PEM);
        if (g < 0) {
            snprintf(err, errsize, "failed to load X509KeyPair: %s", gnutls_strerror(g));
            rc = -EINVAL;
        } else if (ca.data && ca.size &&
                   gnutls_certificate_set_x509_trust_mem(*cred, &ca, GNUTLS_X509_FMT_PEM) <= 0) {
            /* Go's AppendCertsFromPEM skips what it cannot parse and may end with no CA,
             * so that no client certificate ever verifies: refuse that at start-up. */
            snprintf(err, errsize, "failed to load client CAs: no PEM certificate");
            rc = -EINVAL;
        }
        if (rc < 0) {
            gnutls_certificate_free_credentials(*cred);
        }
    }
    if (own_cert) {
        free(cert.data);
    }
    if (own_key) {
        gnutls_memset(key.data, 0, key.size);
        free(key.data);
    }
    if (own_ca) {
        free(ca.data);
    }
    return rc;
}

static char *dup_datum(const gnutls_datum_t *d)
{
    char *s = malloc(d->size + 1);
    if (s) {
        memcpy(s, d->data, d->size);
        s[d->size] = '\0';
    }
    return s;
}

int he_webconfig_read_pem(const struct he_webconfig *c, char **cert, char **key, char *err,
                          size_t errsize)
{
    gnutls_datum_t dc, dk;
    bool own_cert, own_key = false;
    *cert = *key = NULL;
    int rc = pem_of(c->cert_file, c->cert, "cert_file", &dc, &own_cert, err, errsize);
    if (rc == 0) {
        rc = pem_of(c->key_file, c->key, "key_file", &dk, &own_key, err, errsize);
    }
    if (rc == 0) {
        *cert = dup_datum(&dc);
        *key = dup_datum(&dk);
        if (!*cert || !*key) {
            he_webconfig_free_pem(*cert, *key);
            *cert = *key = NULL;
            snprintf(err, errsize, "out of memory");
            rc = -ENOMEM;
        }
    }
    if (own_cert) {
        free(dc.data);
    }
    if (own_key) {
        gnutls_memset(dk.data, 0, dk.size);
        free(dk.data);
    }
    return rc;
}

void he_webconfig_free_pem(char *cert, char *key)
{
    free(cert);
    if (key) {
        gnutls_memset(key, 0, strlen(key));
        free(key);
    }
}

int he_webconfig_check_bcrypt(const char *hash, char *err, size_t errsize)
{
    size_t len = strlen(hash);
    if (len < 59) {
        snprintf(err, errsize, "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
        return -EINVAL;
    }
    if (hash[0] != '$' || hash[1] > '2') {
        snprintf(err, errsize, "crypto/bcrypt: bcrypt algorithm version '%c' requested is newer "
                               "than current version '2'", hash[1]);
        return -EINVAL;
    }
    size_t at = hash[2] == '$' ? 3 : 4;   /* "$2$" or "$2a$" */
    if (hash[1] != '2' || (at == 4 && (!strchr("aby", hash[2]) || hash[3] != '$'))) {
        snprintf(err, errsize, "crypto/bcrypt: bcrypt hashes must start with '$', but "
                               "hashedSecret started with '%c'", hash[0]);
        return -EINVAL;
    }
    if (!isdigit((unsigned char)hash[at]) || !isdigit((unsigned char)hash[at + 1]) ||
        hash[at + 2] != '$') {
        snprintf(err, errsize, "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
        return -EINVAL;
    }
    int cost = (hash[at] - '0') * 10 + hash[at + 1] - '0';
    if (cost < 4 || cost > 31) {
        snprintf(err, errsize, "crypto/bcrypt: cost %d is outside allowed inclusive range 4..31",
                 cost);
        return -EINVAL;
    }
    if (len != at + 3 + 53) {
        snprintf(err, errsize, "crypto/bcrypt: hashedSecret too short to be a bcrypted password");
        return -EINVAL;
    }
    return 0;
}

static void free_pairs(struct he_webconfig_pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
    }
    free(p);
}

void he_webconfig_free(struct he_webconfig *c)
{
    if (!c) {
        return;
    }
    free(c->cert_file);
    free(c->key_file);
    free(c->client_ca_file);
    free(c->cert);
    if (c->key) {
        gnutls_memset(c->key, 0, strlen(c->key));
        free(c->key);
    }
    free(c->client_ca);
    for (size_t i = 0; i < c->nallowed_sans; i++) {
        free(c->allowed_sans[i]);
    }
    free(c->allowed_sans);
    free_pairs(c->headers, c->nheaders);
    free_pairs(c->users, c->nusers);
    free(c);
}
