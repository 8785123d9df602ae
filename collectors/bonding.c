/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bonding: configured and active slaves of Linux bonding interfaces, as
 * node_exporter 1.12.1's collector/bonding_linux.go (readBondingStats).
 *
 * Reads <sysfs>/class/net/bonding_masters (the bond names, white-space
 * separated; Documentation/networking/bonding.rst), then for each master
 * <master>/bonding/slaves, and for each slave the MII status in
 * <master>/lower_<slave>/bonding_slave/mii_status, falling back to the older
 * <master>/slave_<slave>/... link. A slave counts as active when its trimmed
 * status is "up".
 *
 * Emits node_bonding_slaves{master} and node_bonding_active{master}. As
 * upstream, every bond is read before anything is emitted, and any failed read
 * fails the whole scrape: a missing file anywhere (no bonding module, a bond
 * or slave that vanished) is "no data", any other error an error.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "he_buf.h"
#include "he_collector.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse_go.h"
#include "he_paths.h"

/* Bonds per master line, and slaves per bond, that one scrape handles. */
#define BOND_MAX_FIELDS 1024

struct bond_count {
    char master[NAME_MAX + 1];
    unsigned slaves;
    unsigned active;
};

struct bonding_state {
    struct he_file masters;
    struct he_file slaves;
    struct he_file status;
    struct bond_count *bond;
    size_t nbond, cap;
    struct he_field fields[BOND_MAX_FIELDS];
};

/* Reads <sysfs>/class/net/<rel> into f. 0 or a negative errno. */
static int bond_read(struct he_file *f, const char *rel)
{
    char path[PATH_MAX];
    int rc = he_path_sys(path, sizeof(path), rel);
    if (rc == 0) {
        rc = he_file_read(f, path);
    }
    if (rc < 0) {
        he_log_debug("bonding: cannot read", "path", path, NULL);
    }
    return rc;
}

/* The MII status of one slave: 1 when up, 0 when not, or a negative errno. */
static int bond_slave_up(struct bonding_state *s, const char *master, struct he_field slave)
{
    char rel[PATH_MAX];
    int n = snprintf(rel, sizeof(rel), "class/net/%s/lower_%.*s/bonding_slave/mii_status", master,
                     (int)slave.len, slave.p);
    int rc = n < (int)sizeof(rel) ? bond_read(&s->status, rel) : -ENAMETOOLONG;
    if (rc == -ENOENT) {
        /* Kernels before 4.13 link the slave as slave_<name>. */
        n = snprintf(rel, sizeof(rel), "class/net/%s/slave_%.*s/bonding_slave/mii_status", master,
                     (int)slave.len, slave.p);
        rc = n < (int)sizeof(rel) ? bond_read(&s->status, rel) : -ENAMETOOLONG;
    }
    if (rc < 0) {
        return rc;
    }
    struct he_field st = he_go_trim_space((struct he_field){s->status.buf.data, s->status.buf.len});
    return he_field_eq(st, "up") ? 1 : 0;
}

/* Counts the slaves of one master into a new entry of s->bond. */
static int bond_read_master(struct bonding_state *s, struct he_field name)
{
    char rel[PATH_MAX];
    if (name.len > NAME_MAX) {
        return -ENAMETOOLONG;
    }
    if (he_array_grow((void **)&s->bond, &s->cap, s->nbond + 1, sizeof(*s->bond)) < 0) {
        return -ENOMEM;
    }
    struct bond_count *b = &s->bond[s->nbond];
    memset(b, 0, sizeof(*b));
    memcpy(b->master, name.p, name.len);
    int n = snprintf(rel, sizeof(rel), "class/net/%s/bonding/slaves", b->master);
    int rc = n < (int)sizeof(rel) ? bond_read(&s->slaves, rel) : -ENAMETOOLONG;
    if (rc < 0) {
        return rc;
    }
    size_t nf = he_go_fields((struct he_field){s->slaves.buf.data, s->slaves.buf.len}, s->fields,
                             BOND_MAX_FIELDS);
    if (nf > BOND_MAX_FIELDS) {
        return -E2BIG;
    }
    for (size_t i = 0; i < nf; i++) {
        rc = bond_slave_up(s, b->master, s->fields[i]);
        if (rc < 0) {
            return rc;
        }
        b->slaves++;
        b->active += (unsigned)rc;
    }
    s->nbond++;
    return 0;
}

/* A master named twice is one map key upstream: count it once. */
static bool bond_seen(const struct he_field *masters, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (masters[j].len == masters[i].len && memcmp(masters[j].p, masters[i].p, masters[i].len) == 0) {
            return true;
        }
    }
    return false;
}

static int bonding_collect(void *state, struct he_writer *w)
{
    struct bonding_state *s = state;
    struct he_field masters[BOND_MAX_FIELDS];
    s->nbond = 0;
    int rc = bond_read(&s->masters, "class/net/bonding_masters");
    size_t nm = 0;
    if (rc == 0) {
        nm = he_go_fields((struct he_field){s->masters.buf.data, s->masters.buf.len}, masters,
                          BOND_MAX_FIELDS);
        rc = nm > BOND_MAX_FIELDS ? -E2BIG : 0;
    }
    for (size_t i = 0; rc == 0 && i < nm; i++) {
        if (!bond_seen(masters, i)) {
            rc = bond_read_master(s, masters[i]);
        }
    }
    if (rc < 0) {
        /* Upstream: a missing file is ErrNoData, whichever it was. */
        return rc == -ENOENT ? -ENODATA : rc;
    }
    for (size_t i = 0; i < s->nbond; i++) {
        struct he_label l = {"master", s->bond[i].master};
        he_writer_family(w, "node_bonding_slaves",
                         "Number of configured slaves per bonding interface.", HE_GAUGE);
        he_writer_sample(w, &l, 1, s->bond[i].slaves);
        he_writer_family(w, "node_bonding_active", "Number of active slaves per bonding interface.",
                         HE_GAUGE);
        he_writer_sample(w, &l, 1, s->bond[i].active);
    }
    return 0;
}

static int bonding_init(void **state)
{
    struct bonding_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_file_init(&s->masters, false, 0);
    he_file_init(&s->slaves, false, 0);
    he_file_init(&s->status, false, 0);
    *state = s;
    return 0;
}

static void bonding_fini(void *state)
{
    struct bonding_state *s = state;
    he_file_fini(&s->masters);
    he_file_fini(&s->slaves);
    he_file_fini(&s->status);
    free(s->bond);
    free(s);
}

static const struct he_collector bonding_collector = {
    .name = "bonding",
    .default_enabled = true,
    .init = bonding_init,
    .collect = bonding_collect,
    .fini = bonding_fini,
};

HE_COLLECTOR_REGISTER(bonding_collector)
