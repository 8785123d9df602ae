/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nvmesubsystem: NVMe(-oF) subsystem path health from
 * <sysfs>/class/nvme-subsystem, as node_exporter 1.12.1's
 * collector/nvmesubsystem_linux.go (new in 1.12.0, off by default) with procfs's
 * NVMeSubsystemClass (sysfs/class_nvme_subsystem.go).
 *
 * For every nvme-subsys* entry: subsysnqn, model, serial, iopolicy (required,
 * SysReadFile: first 128 bytes, trimmed); each entry of its directory named
 * ^nvme\d+$ is a controller path whose state, transport and address are
 * required; each ^nvme\d+n\d+$ entry is a namespace block device. Emits:
 *   node_nvmesubsystem_info{subsystem,nqn,model,serial,iopolicy} 1
 *   node_nvmesubsystem_namespace_info{subsystem,device} 1
 *   node_nvmesubsystem_path_state{subsystem,controller,transport,state} 1 for
 *       the controller's state among live, connecting, resetting, dead and
 *       unknown (any other text), 0 for the rest; "new", "deleting" and
 *       "deleting (no IO)" have all five at 0, as upstream
 *   node_nvmesubsystem_paths{subsystem}, node_nvmesubsystem_paths_live{subsystem}
 * As upstream, everything is read before anything is emitted; a missing or
 * unreadable (EACCES, EPERM) file or directory is -ENODATA, any other error fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_log.h"
#include "he_sysread.h"

enum { NS_NQN, NS_MODEL, NS_SERIAL, NS_IOPOLICY, NS_NATTR };

static const char *const nvmesubsys_attrs[NS_NATTR] = {"subsysnqn", "model", "serial",
                                                       "iopolicy"};

static const char *const nvmesubsys_states[] = {"live", "connecting", "resetting", "dead",
                                                "unknown"};

struct nvmesubsys_subsys {
    char name[NAME_MAX + 1];
    char attr[NS_NATTR][HE_SYSREAD_MAX + 1];
};

/* A controller path or a namespace of subsystem subsys. */
struct nvmesubsys_entry {
    size_t subsys;
    char name[NAME_MAX + 1];
    char state[HE_SYSREAD_MAX + 1];      /* controllers only */
    char transport[HE_SYSREAD_MAX + 1];  /* controllers only */
};

struct nvmesubsys_state {
    struct he_dir class_dir, dir;
    struct nvmesubsys_subsys *sub;
    size_t nsub, sub_cap;
    struct nvmesubsys_entry *ctrl, *ns;
    size_t nctrl, ctrl_cap, nns, ns_cap;
};

/* ^nvme\d+$ (ns false) or ^nvme\d+n\d+$ (ns true). */
static bool nvmesubsys_name_is(const char *n, bool ns)
{
    if (strncmp(n, "nvme", 4) != 0) {
        return false;
    }
    n += 4;
    for (int part = 0; part < (ns ? 2 : 1); part++) {
        if (part == 1 && *n++ != 'n') {
            return false;
        }
        if (*n < '0' || *n > '9') {
            return false;
        }
        while (*n >= '0' && *n <= '9') {
            n++;
        }
    }
    return *n == '\0';
}

/* SysReadFile of class/nvme-subsystem/<sub>/<file>. */
static int nvmesubsys_read(const char *sub, const char *file, char out[HE_SYSREAD_MAX + 1])
{
    char rel[PATH_MAX];
    char path[PATH_MAX];
    int n = snprintf(rel, sizeof(rel), "class/nvme-subsystem/%s", sub);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return -ENAMETOOLONG;
    }
    int rc = he_sysread_path(path, rel, file);
    return rc < 0 ? rc : he_sysread(path, out);
}

/* normalizeControllerState, as the one label value that reads 1 (or "" for none). */
static const char *nvmesubsys_normalize(const char *raw)
{
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(raw, nvmesubsys_states[i]) == 0) {
            return raw;
        }
    }
    if (strcmp(raw, "deleting") == 0 || strcmp(raw, "deleting (no IO)") == 0 ||
        strcmp(raw, "new") == 0) {
        return "";
    }
    return "unknown";
}

/* parseNVMeSubsystemController: state, transport and address of <sub>/<ctrl>. */
static int nvmesubsys_controller(struct nvmesubsys_state *s, const char *sub, const char *ctrl)
{
    char file[NAME_MAX + 16];
    char address[HE_SYSREAD_MAX + 1];
    if (he_array_grow((void **)&s->ctrl, &s->ctrl_cap, s->nctrl + 1, sizeof(*s->ctrl)) < 0) {
        return -ENOMEM;
    }
    struct nvmesubsys_entry *c = &s->ctrl[s->nctrl];
    char *dst[] = {c->state, c->transport, address};
    static const char *const files[] = {"state", "transport", "address"};
    c->subsys = s->nsub;
    snprintf(c->name, sizeof(c->name), "%s", ctrl);
    for (size_t i = 0; i < 3; i++) {
        snprintf(file, sizeof(file), "%s/%s", ctrl, files[i]);
        int rc = nvmesubsys_read(sub, file, dst[i]);
        if (rc < 0) {
            return rc;
        }
    }
    s->nctrl++;
    return 0;
}

static int nvmesubsys_namespace(struct nvmesubsys_state *s, const char *name)
{
    if (he_array_grow((void **)&s->ns, &s->ns_cap, s->nns + 1, sizeof(*s->ns)) < 0) {
        return -ENOMEM;
    }
    s->ns[s->nns].subsys = s->nsub;
    snprintf(s->ns[s->nns].name, sizeof(s->ns[s->nns].name), "%s", name);
    s->nns++;
    return 0;
}

/* parseNVMeSubsystem: its attributes, then its controllers and namespaces. */
static int nvmesubsys_parse(struct nvmesubsys_state *s, const char *name)
{
    char path[PATH_MAX];
    char rel[PATH_MAX];
    if (he_array_grow((void **)&s->sub, &s->sub_cap, s->nsub + 1, sizeof(*s->sub)) < 0) {
        return -ENOMEM;
    }
    struct nvmesubsys_subsys *sub = &s->sub[s->nsub];
    snprintf(sub->name, sizeof(sub->name), "%s", name);
    for (int a = 0; a < NS_NATTR; a++) {
        int rc = nvmesubsys_read(name, nvmesubsys_attrs[a], sub->attr[a]);
        if (rc < 0) {
            return rc;
        }
    }
    snprintf(rel, sizeof(rel), "class/nvme-subsystem/%s", name);
    int rc = he_sysread_path(path, rel, NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->dir.n; i++) {
        const char *e = he_dir_name(&s->dir, i);
        if (nvmesubsys_name_is(e, false)) {
            rc = nvmesubsys_controller(s, name, e);
        } else if (nvmesubsys_name_is(e, true)) {
            rc = nvmesubsys_namespace(s, e);
        }
    }
    if (rc == 0) {
        s->nsub++;
    }
    return rc;
}

static void nvmesubsys_emit_paths(struct nvmesubsys_state *s, struct he_writer *w, size_t i)
{
    const char *sub = s->sub[i].name;
    double total = 0, live = 0;
    for (size_t c = 0; c < s->nctrl; c++) {
        const struct nvmesubsys_entry *e = &s->ctrl[c];
        if (e->subsys != i) {
            continue;
        }
        const char *state = nvmesubsys_normalize(e->state);
        total++;
        live += strcmp(state, "live") == 0;
        he_writer_family(w, "node_nvmesubsystem_path_state",
                         "Current NVMe controller path state (1 for the current state, 0 for all "
                         "others).",
                         HE_GAUGE);
        for (size_t k = 0; k < sizeof(nvmesubsys_states) / sizeof(nvmesubsys_states[0]); k++) {
            struct he_label l[4] = {{"subsystem", sub},
                                    {"controller", e->name},
                                    {"transport", e->transport},
                                    {"state", nvmesubsys_states[k]}};
            he_writer_sample(w, l, 4, strcmp(state, nvmesubsys_states[k]) == 0 ? 1 : 0);
        }
    }
    struct he_label l = {"subsystem", sub};
    he_writer_family(w, "node_nvmesubsystem_paths",
                     "Number of controller paths for an NVMe subsystem.", HE_GAUGE);
    he_writer_sample(w, &l, 1, total);
    he_writer_family(w, "node_nvmesubsystem_paths_live",
                     "Number of controller paths in live state for an NVMe subsystem.", HE_GAUGE);
    he_writer_sample(w, &l, 1, live);
}

static void nvmesubsys_emit(struct nvmesubsys_state *s, struct he_writer *w)
{
    for (size_t i = 0; i < s->nsub; i++) {
        const struct nvmesubsys_subsys *sub = &s->sub[i];
        struct he_label l[5] = {
            {"subsystem", sub->name},        {"nqn", sub->attr[NS_NQN]},
            {"model", sub->attr[NS_MODEL]},  {"serial", sub->attr[NS_SERIAL]},
            {"iopolicy", sub->attr[NS_IOPOLICY]},
        };
        he_writer_family(w, "node_nvmesubsystem_info",
                         "Non-numeric information about an NVMe subsystem.", HE_GAUGE);
        he_writer_sample(w, l, 5, 1);
        for (size_t n = 0; n < s->nns; n++) {
            if (s->ns[n].subsys != i) {
                continue;
            }
            struct he_label nl[2] = {{"subsystem", sub->name}, {"device", s->ns[n].name}};
            he_writer_family(w, "node_nvmesubsystem_namespace_info",
                             "Maps an NVMe namespace block device to its subsystem.", HE_GAUGE);
            he_writer_sample(w, nl, 2, 1);
        }
        nvmesubsys_emit_paths(s, w, i);
    }
}

static int nvmesubsys_collect(void *state, struct he_writer *w)
{
    struct nvmesubsys_state *s = state;
    char path[PATH_MAX];
    s->nsub = s->nctrl = s->nns = 0;
    int rc = he_sysread_path(path, "class/nvme-subsystem", NULL);
    if (rc == 0) {
        rc = he_dir_read(&s->class_dir, path);
    }
    for (size_t i = 0; rc == 0 && i < s->class_dir.n; i++) {
        const char *name = he_dir_name(&s->class_dir, i);
        if (strncmp(name, "nvme-subsys", 11) == 0) {
            rc = nvmesubsys_parse(s, name);
        }
    }
    if (rc == -ENOENT || rc == -EACCES || rc == -EPERM) {
        he_log_debug("nvmesubsystem: could not read NVMe subsystem info", "path", path, NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        return rc;
    }
    nvmesubsys_emit(s, w);
    return 0;
}

static int nvmesubsys_init(void **state)
{
    struct nvmesubsys_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->class_dir);
    he_dir_init(&s->dir);
    *state = s;
    return 0;
}

static void nvmesubsys_fini(void *state)
{
    struct nvmesubsys_state *s = state;
    he_dir_fini(&s->class_dir);
    he_dir_fini(&s->dir);
    free(s->sub);
    free(s->ctrl);
    free(s->ns);
    free(s);
}

static const struct he_collector nvmesubsystem_collector = {
    .name = "nvmesubsystem",
    .default_enabled = false,
    .init = nvmesubsys_init,
    .collect = nvmesubsys_collect,
    .fini = nvmesubsys_fini,
};

HE_COLLECTOR_REGISTER(nvmesubsystem_collector)
