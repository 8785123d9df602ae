/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcidevice: PCI devices from <sysfs>/bus/pci/devices/<location>, each a symlink into
 * devices/pci<domain>:<bus>/.../<segment>:<bus>:<device>.<function> (the kernel's
 * Documentation/PCI/sysfs-pci.rst). The link's last two elements give the device
 * and its parent bridge ("*" labels under a root bus); class, vendor, device,
 * subsystem_vendor, subsystem_device and revision must exist; the link speed and
 * width files, numa_node, the sriov_* files, d3cold_allowed and power_state are
 * optional. Emits node_pcidevice_info, node_pcidevice_{max,current}_link_
 * transfers_per_second, node_pcidevice_{max,current}_link_width,
 * node_pcidevice_d3cold_allowed, node_pcidevice_sriov_{drivers_autoprobe,numvfs,
 * totalvfs,vf_total_msix}, node_pcidevice_power_state{state} and
 * node_pcidevice_numa_node.
 *
 * With --collector.pcidevice.names the info series also carries vendor, device,
 * subsystem and class names from pci.ids (--collector.pcidevice.idsfile, else
 * /usr/share/misc/pci.ids or /usr/share/hwdata/pci.ids: absolute paths, not under
 * --path.rootfs, as upstream). The file (about 1.3 MB) is read once at init into
 * one buffer and indexed by a sorted array of (key, name) offsets, so a scrape
 * looks names up by binary search and allocates nothing.
 *
 * Mirrors node_exporter 1.12.1's collector/pcidevice_linux.go and procfs's
 * sysfs/pci_device.go: a device that fails to parse fails the whole collector,
 * with nothing emitted.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "he_collector.h"
#include "he_dir.h"
#include "he_file.h"
#include "he_log.h"
#include "he_parse.h"
#include "he_parse_go.h"
#include "he_paths.h"
#include "he_sysread.h"

static const char *pci_ids_file;
static bool pci_names;

static const struct he_flag pcidevice_flags[] = {
    {"collector.pcidevice.idsfile", HE_FLAG_STRING, NULL,
     "Path to pci.ids file to use for PCI device identification.", &pci_ids_file, NULL},
    {"collector.pcidevice.names", HE_FLAG_BOOL, NULL,
     "Enable PCI device name resolution (requires pci.ids file).", &pci_names, NULL},
    {0},
};

/* One parsed device: PciDevice's fields, optional ones with a has_ flag. */
struct pci_dev {
    char loc[4][16];       /* segment, bus, device, function as upstream prints them */
    char parent[4][16];    /* the parent bridge, or "*" */
    uint32_t class_id, vendor, device, sub_vendor, sub_device, revision;
    bool has_numa, has_max_speed, has_cur_speed, has_max_width, has_cur_width;
    int32_t numa;
    double max_speed, cur_speed, max_width, cur_width;
    bool has_autoprobe, autoprobe, has_numvfs, has_totalvfs, has_msix, has_d3, d3, has_power;
    uint32_t numvfs, totalvfs;
    uint64_t msix;
    char power[HE_SYSREAD_MAX + 1];
};

/* One pci.ids entry: kind byte + key bytes in the key arena, name in the file buffer. */
struct pci_id {
    uint32_t key_off, key_len, name_off, name_len, seq;
};

enum { ID_VENDOR = 'V', ID_DEVICE = 'D', ID_SUBSYS = 'S', ID_CLASS = 'C', ID_SUBCLASS = 'c',
       ID_PROGIF = 'p' };

struct pcidevice_state {
    struct he_dir dir;
    struct pci_dev *devs;  /* grows to the most devices seen */
    size_t ndevs, cap;
    struct he_file ids;    /* pci.ids, kept for the names */
    struct he_buf keys;
    struct pci_id *idx;
    size_t nidx, idx_cap;
};

/* ---- pci.ids ---------------------------------------------------------------- */

/* Appends a key component with a length prefix, so pairs cannot run together. */
static int ids_key_part(struct he_buf *b, struct he_field f)
{
    uint16_t n = f.len > 0xffff ? 0xffff : (uint16_t)f.len;
    if (he_buf_append(b, &n, sizeof(n)) < 0) {
        return -ENOMEM;
    }
    return he_buf_append(b, f.p, n);
}

/* Builds kind + a (+ b) into b; the key starts at *off and is *len bytes. */
static int ids_make_key(struct he_buf *b, char kind, struct he_field a, const struct he_field *b2)
{
    if (he_buf_putc(b, kind) < 0 || ids_key_part(b, a) < 0) {
        return -ENOMEM;
    }
    return b2 ? ids_key_part(b, *b2) : 0;
}

/* Records map[key] = name (a later entry with the same key wins at lookup). */
static int ids_add(struct pcidevice_state *s, char kind, struct he_field a,
                   const struct he_field *b, struct he_field name)
{
    if (he_array_grow((void **)&s->idx, &s->idx_cap, s->nidx + 1, sizeof(*s->idx)) < 0) {
        return -ENOMEM;
    }
    size_t off = s->keys.len;
    if (ids_make_key(&s->keys, kind, a, b) < 0) {
        return -ENOMEM;
    }
    struct pci_id *e = &s->idx[s->nidx];
    e->key_off = (uint32_t)off;
    e->key_len = (uint32_t)(s->keys.len - off);
    e->name_off = (uint32_t)(name.p - s->ids.buf.data);
    e->name_len = (uint32_t)name.len;
    e->seq = (uint32_t)s->nidx;
    s->nidx++;
    return 0;
}

/* Where "  " starts in line, or SIZE_MAX. */
static size_t ids_sep(struct he_field line)
{
    for (size_t i = 0; i + 1 < line.len; i++) {
        if (line.p[i] == ' ' && line.p[i + 1] == ' ') {
            return i;
        }
    }
    return SIZE_MAX;
}

/* strings.SplitN(line, "  ", 2), both parts trimmed; false when there is no "  ". */
static bool ids_split(struct he_field line, struct he_field *id, struct he_field *name)
{
    size_t i = ids_sep(line);
    if (i == SIZE_MAX) {
        return false;
    }
    *id = he_go_trim_space((struct he_field){line.p, i});
    *name = he_go_trim_space((struct he_field){line.p + i + 2, line.len - i - 2});
    return true;
}

static bool has_prefix(struct he_field f, const char *p)
{
    size_t n = strlen(p);
    return f.len >= n && memcmp(f.p, p, n) == 0;
}

static struct he_field skip(struct he_field f, size_t n)
{
    return (struct he_field){f.p + n, f.len - n};
}

/* The parser's context: upstream's current vendor, device, class and subclass. */
struct ids_ctx {
    char vendor[64], device[64], base[64], sub[128];
    size_t vendor_len, device_len, base_len, sub_len;
    bool in_class;
};

static void ctx_set(char *dst, size_t size, size_t *len, struct he_field a, struct he_field b)
{
    size_t n = 0;
    for (size_t i = 0; i < a.len && n < size; i++) {
        dst[n++] = a.p[i];
    }
    for (size_t i = 0; i < b.len && n < size; i++) {
        dst[n++] = b.p[i];
    }
    *len = n;
}

/* A vendor's subsystem line: "\t\t<subvendor> <subdevice>  <name>". */
static int ids_subsys_line(struct pcidevice_state *s, struct ids_ctx *c, struct he_field line)
{
    struct he_field id, name, f[3];
    char key[160], sub[160];
    if (!ids_split(skip(line, 2), &id, &name) || !c->vendor_len || !c->device_len) {
        return 0;
    }
    if (he_go_fields(id, f, 3) != 2) {
        return 0;
    }
    int kl = snprintf(key, sizeof(key), "%.*s:%.*s", (int)c->vendor_len, c->vendor,
                      (int)c->device_len, c->device);
    int sl = snprintf(sub, sizeof(sub), "%.*s:%.*s", (int)f[0].len, f[0].p, (int)f[1].len, f[1].p);
    if (kl < 0 || sl < 0 || (size_t)kl >= sizeof(key) || (size_t)sl >= sizeof(sub)) {
        return 0;
    }
    struct he_field sf = {sub, (size_t)sl};
    return ids_add(s, ID_SUBSYS, (struct he_field){key, (size_t)kl}, &sf, name);
}

/* One line of pci.ids, in upstream's order of cases. */
static int ids_line(struct pcidevice_state *s, struct ids_ctx *c, struct he_field line)
{
    struct he_field id, name, none = {"", 0};
    if (line.len == 0 || line.p[0] == '#') {
        return 0;
    }
    if (has_prefix(line, "C ")) {
        if (ids_split(line, &id, &name)) {
            /* upstream drops the 'C' of the untrimmed first part, then trims */
            id = he_go_trim_space((struct he_field){line.p + 1, ids_sep(line) - 1});
            ctx_set(c->base, sizeof(c->base), &c->base_len, id, none);
            c->in_class = true;
            return ids_add(s, ID_CLASS, id, NULL, name);
        }
        return 0;
    }
    bool tab = has_prefix(line, "\t"), tab2 = has_prefix(line, "\t\t"), tab3 = has_prefix(line, "\t\t\t");
    if (tab && !tab2 && c->in_class) {
        if (ids_split(skip(line, 1), &id, &name) && c->base_len) {
            ctx_set(c->sub, sizeof(c->sub), &c->sub_len, (struct he_field){c->base, c->base_len}, id);
            return ids_add(s, ID_SUBCLASS, (struct he_field){c->sub, c->sub_len}, NULL, name);
        }
        return 0;
    }
    if (tab2 && !tab3 && c->in_class) {
        if (ids_split(skip(line, 2), &id, &name) && c->sub_len) {
            char full[192];
            size_t n;
            ctx_set(full, sizeof(full), &n, (struct he_field){c->sub, c->sub_len}, id);
            return ids_add(s, ID_PROGIF, (struct he_field){full, n}, NULL, name);
        }
        return 0;
    }
    if (!tab) {
        if (ids_split(line, &id, &name)) {
            ctx_set(c->vendor, sizeof(c->vendor), &c->vendor_len, id, none);
            c->device_len = 0;
            c->in_class = false;
            return ids_add(s, ID_VENDOR, id, NULL, name);
        }
        return 0;
    }
    if (!tab2) {
        if (ids_split(skip(line, 1), &id, &name) && c->vendor_len) {
            ctx_set(c->device, sizeof(c->device), &c->device_len, id, none);
            struct he_field dev = {c->device, c->device_len};
            return ids_add(s, ID_DEVICE, (struct he_field){c->vendor, c->vendor_len}, &dev, name);
        }
        return 0;
    }
    return ids_subsys_line(s, c, line);
}

static const struct pcidevice_state *ids_sort_state;

/* Orders by key bytes, then by file order, so the last of equal keys is found. */
static int ids_cmp(const void *a, const void *b)
{
    const struct pci_id *x = a, *y = b;
    const char *k = ids_sort_state->keys.data;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(k + x->key_off, k + y->key_off, n);
    if (c != 0) {
        return c;
    }
    if (x->key_len != y->key_len) {
        return x->key_len < y->key_len ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Opens the configured pci.ids, or the first default that opens. */
static int ids_read(struct pcidevice_state *s)
{
    static const char *const defaults[] = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};
    if (pci_ids_file && pci_ids_file[0]) {
        return he_file_read(&s->ids, pci_ids_file);
    }
    int rc = -ENOENT;
    for (size_t i = 0; i < 2 && rc < 0; i++) {
        rc = he_file_read(&s->ids, defaults[i]);
    }
    return rc;
}

/*
 * loadPCIIds: bufio.Scanner lines (a trailing '\r' dropped; a line of 64 KiB
 * or more stops the scan, as ErrTooLong does), indexed and sorted once.
 */
static void ids_load(struct pcidevice_state *s)
{
    struct ids_ctx c = {0};
    if (ids_read(s) < 0) {
        he_log_debug("pcidevice: failed to open a PCI IDs file", "file",
                     pci_ids_file ? pci_ids_file : "", NULL);
        return;
    }
    const char *p = s->ids.buf.data, *end = p + s->ids.buf.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len >= 65536) {
            break;
        }
        struct he_field line = {p, len};
        if (line.len && line.p[line.len - 1] == '\r') {
            line.len--;
        }
        if (ids_line(s, &c, line) < 0) {
            he_log_warn("pcidevice: out of memory indexing pci.ids", NULL);
            s->nidx = 0;
            return;
        }
        p += len + (nl ? 1 : 0);
    }
    ids_sort_state = s;
    if (s->nidx > 1) {   /* an empty index has no array yet: qsort(NULL, 0) is undefined */
        qsort(s->idx, s->nidx, sizeof(*s->idx), ids_cmp);
    }
    char n[32];
    snprintf(n, sizeof(n), "%zu", s->nidx);
    he_log_debug("pcidevice: loaded PCI IDs", "entries", n, NULL);
}

/* The name stored under kind + a (+ b), or NULL. */
static const char *ids_find(const struct pcidevice_state *s, char kind, struct he_field a,
                            const struct he_field *b, size_t *len)
{
    char key[600];
    size_t n = 0;
    /* the lookup key is built on the stack the way ids_make_key builds it */
    uint16_t al = (uint16_t)(a.len > 0xffff ? 0xffff : a.len), bl = 0;
    if (1 + 2 + al + (b ? 2 + b->len : 0) > sizeof(key)) {
        return NULL;
    }
    key[n++] = kind;
    memcpy(key + n, &al, 2), n += 2;
    memcpy(key + n, a.p, al), n += al;
    if (b) {
        bl = (uint16_t)b->len;
        memcpy(key + n, &bl, 2), n += 2;
        memcpy(key + n, b->p, bl), n += bl;
    }
    size_t lo = 0, hi = s->nidx, found = SIZE_MAX;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct pci_id *e = &s->idx[mid];
        size_t m = e->key_len < n ? e->key_len : n;
        int c = memcmp(s->keys.data + e->key_off, key, m);
        if (c == 0 && e->key_len != n) {
            c = e->key_len < n ? -1 : 1;
        }
        if (c <= 0) {
            if (c == 0) {
                found = mid;
            }
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (found == SIZE_MAX) {
        return NULL;
    }
    *len = s->idx[found].name_len;
    return s->ids.buf.data + s->idx[found].name_off;
}

/* The name, or the fallback, copied NUL-terminated into out. */
static void ids_name(const struct pcidevice_state *s, char kind, struct he_field a,
                     const struct he_field *b, const char *fallback, char *out, size_t size)
{
    size_t len;
    const char *name = ids_find(s, kind, a, b, &len);
    if (name) {
        snprintf(out, size, "%.*s", (int)len, name);
    } else {
        snprintf(out, size, "%s", fallback);
    }
}

/* getPCIClassName: the programming interface, else the subclass, else the class. */
static void ids_class(const struct pcidevice_state *s, const char *cid, char *out, size_t size)
{
    size_t len = strlen(cid), nl;
    const char *name = NULL;
    if (len >= 6) {
        name = ids_find(s, ID_PROGIF, (struct he_field){cid, 6}, NULL, &nl);
    }
    if (!name && len >= 4) {
        name = ids_find(s, ID_SUBCLASS, (struct he_field){cid, 4}, NULL, &nl);
    }
    if (!name && len >= 2) {
        name = ids_find(s, ID_CLASS, (struct he_field){cid, 2}, NULL, &nl);
    }
    if (name) {
        snprintf(out, size, "%.*s", (int)nl, name);
    } else {
        snprintf(out, size, "Unknown class (%s)", cid);
    }
}

/* ---- sysfs ------------------------------------------------------------------ */

/* Go's %0<width>x of an int: the sign counts in the width. */
static void go_hex(int64_t v, size_t width, char *out, size_t size)
{
    char digits[24];
    size_t n = (size_t)snprintf(digits, sizeof(digits), "%llx",
                                (unsigned long long)(v < 0 ? -v : v));
    size_t o = 0, pad = width > n + (v < 0) ? width - n - (v < 0) : 0;
    if (v < 0 && o + 1 < size) {
        out[o++] = '-';
    }
    for (size_t i = 0; i < pad && o + 1 < size; i++) {
        out[o++] = '0';
    }
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* strconv.ParseInt(s, 16, 32). */
static int parse_hex_i32(struct he_field f, int64_t *out)
{
    bool neg = false;
    uint64_t v;
    if (f.len && (f.p[0] == '+' || f.p[0] == '-')) {
        neg = f.p[0] == '-';
        f = skip(f, 1);
    }
    if (he_parse_u64_hex(f, neg ? 0x80000000ull : 0x7fffffffull, &v) < 0) {
        return -EINVAL;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

/* parsePciDeviceLocation: "ssss:bb:dd.f" into the four label strings. */
static int parse_location(struct he_field loc, char out[4][16])
{
    struct he_field part[4];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= loc.len; i++) {
        if (i == loc.len || loc.p[i] == ':') {
            if (n >= 3) {
                return -EINVAL;
            }
            part[n++] = (struct he_field){loc.p + start, i - start};
            start = i + 1;
        }
    }
    if (n != 3) {
        return -EINVAL;
    }
    const char *dot = memchr(part[2].p, '.', part[2].len);
    if (!dot || memchr(dot + 1, '.', part[2].len - (size_t)(dot + 1 - part[2].p))) {
        return -EINVAL;
    }
    part[3] = (struct he_field){dot + 1, part[2].len - (size_t)(dot + 1 - part[2].p)};
    part[2].len = (size_t)(dot - part[2].p);
    static const size_t widths[4] = {4, 2, 2, 1};
    for (int i = 0; i < 4; i++) {
        int64_t v;
        if (parse_hex_i32(part[i], &v) < 0) {
            return -EINVAL;
        }
        go_hex(v, widths[i], out[i], 16);
    }
    return 0;
}

/* The device's link: its target's last element is the device, the one before its parent. */
static int pci_locations(const char *path, struct pci_dev *d)
{
    char link[PATH_MAX];
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    if (n < 0) {
        return -errno;
    }
    link[n] = '\0';
    /* filepath.Base and filepath.Base(filepath.Dir(...)): trailing slashes do not count */
    while (n > 1 && link[n - 1] == '/') {
        link[--n] = '\0';
    }
    char *base = strrchr(link, '/');
    char *dev = base ? base + 1 : link;
    if (parse_location((struct he_field){dev, strlen(dev)}, d->loc) < 0) {
        return -EINVAL;
    }
    const char *parent = ".";
    if (base) {
        while (base > link && base[-1] == '/') {
            base--;
        }
        *base = '\0';
        char *pb = strrchr(link, '/');
        parent = base == link ? "/" : pb ? pb + 1 : link;
    }
    if (strncmp(parent, "pci", 3) == 0) {
        for (int i = 0; i < 4; i++) {
            snprintf(d->parent[i], sizeof(d->parent[i]), "*");
        }
        return 0;
    }
    return parse_location((struct he_field){parent, strlen(parent)}, d->parent);
}

/* Reads one attribute of dir; the length, or the negative errno. */
static int pci_attr(const char *dir, const char *name, char out[HE_SYSREAD_MAX + 1])
{
    char path[PATH_MAX];
    if (he_path_join(path, sizeof(path), dir, name) < 0) {
        return -ENAMETOOLONG;
    }
    return he_sysread(path, out);
}

/* ParseInt(s, base, 32) for base 0 or 10. */
static int parse_i32(const char *s, size_t len, bool base0, int64_t *v)
{
    struct he_field f = {s, len};
    int rc = base0 ? he_parse_i64_base0(f, v) : he_parse_i64(f, v);
    if (rc < 0 || *v < INT32_MIN || *v > INT32_MAX) {
        return -EINVAL;
    }
    return 0;
}

/* The six attributes every device has: ParseInt(value, 0, 32) each. */
static int pci_ids_attrs(const char *dir, struct pci_dev *d)
{
    static const char *const names[6] = {"class", "vendor", "device", "subsystem_vendor",
                                         "subsystem_device", "revision"};
    uint32_t *dst[6] = {&d->class_id, &d->vendor, &d->device, &d->sub_vendor, &d->sub_device,
                        &d->revision};
    char v[HE_SYSREAD_MAX + 1];
    for (int i = 0; i < 6; i++) {
        int64_t x;
        int n = pci_attr(dir, names[i], v);
        if (n < 0) {
            return n;
        }
        if (parse_i32(v, (size_t)n, true, &x) < 0) {
            return -EINVAL;
        }
        *dst[i] = (uint32_t)(int32_t)x;
    }
    return 0;
}

/* "8.0 GT/s PCIe": the number before the first space, the unit exactly after it. */
static int parse_speed(const char *v, size_t len, double *out)
{
    const char *sp = memchr(v, ' ', len);
    if (!sp || strcmp(sp + 1, "GT/s PCIe") != 0) {
        return -EINVAL;
    }
    return he_parse_double(he_go_trim_space((struct he_field){v, (size_t)(sp + 1 - v)}), out);
}

/* The link files and numa_node: a missing file, "" or "Unknown..." leaves the value unset. */
static int pci_link_attrs(const char *dir, struct pci_dev *d)
{
    static const char *const names[5] = {"max_link_speed", "max_link_width", "current_link_speed",
                                         "current_link_width", "numa_node"};
    char v[HE_SYSREAD_MAX + 1];
    for (int i = 0; i < 5; i++) {
        int64_t x;
        int n = pci_attr(dir, names[i], v);
        if (n == -ENOENT || n == 0 || (n > 0 && strncmp(v, "Unknown", 7) == 0)) {
            continue;
        }
        if (n < 0) {
            return n;
        }
        if (i == 0 || i == 2) {
            double *dst = i == 0 ? &d->max_speed : &d->cur_speed;
            if (parse_speed(v, (size_t)n, dst) < 0) {
                return -EINVAL;
            }
            *(i == 0 ? &d->has_max_speed : &d->has_cur_speed) = true;
        } else if (i == 4) {
            if (parse_i32(v, (size_t)n, false, &x) < 0) {
                return -EINVAL;
            }
            d->numa = (int32_t)x;
            d->has_numa = true;
        } else {
            if (he_parse_i64((struct he_field){v, (size_t)n}, &x) < 0) {
                return -EINVAL;
            }
            *(i == 1 ? &d->max_width : &d->cur_width) = (double)x;
            *(i == 1 ? &d->has_max_width : &d->has_cur_width) = true;
        }
    }
    return 0;
}

/* ParseUint(s, 10, bits). */
static int parse_uint(const char *s, size_t len, uint64_t max, uint64_t *v)
{
    return he_parse_u64((struct he_field){s, len}, v) < 0 || *v > max ? -EINVAL : 0;
}

/* SR-IOV files, all optional; offset, stride and vf_device are parsed (a bad one fails) but not kept. */
static int pci_sriov_attrs(const char *dir, struct pci_dev *d)
{
    static const char *const names[7] = {"sriov_drivers_autoprobe", "sriov_numvfs", "sriov_offset",
                                         "sriov_stride", "sriov_totalvfs", "sriov_vf_device",
                                         "sriov_vf_total_msix"};
    char v[HE_SYSREAD_MAX + 1];
    for (int i = 0; i < 7; i++) {
        int64_t x;
        uint64_t u;
        int n = pci_attr(dir, names[i], v);
        if (n == -ENOENT || n == 0) {
            continue;
        }
        if (n < 0) {
            return n;
        }
        if (i == 0) {
            if (parse_i32(v, (size_t)n, false, &x) < 0) {
                return -EINVAL;
            }
            d->has_autoprobe = true;
            d->autoprobe = x != 0;
            continue;
        }
        if (parse_uint(v, (size_t)n, i == 6 ? UINT64_MAX : UINT32_MAX, &u) < 0) {
            return -EINVAL;
        }
        if (i == 1) {
            d->has_numvfs = true, d->numvfs = (uint32_t)u;
        } else if (i == 4) {
            d->has_totalvfs = true, d->totalvfs = (uint32_t)u;
        } else if (i == 6) {
            d->has_msix = true, d->msix = u;
        }
    }
    return 0;
}

/* d3cold_allowed and power_state, optional. */
static int pci_power_attrs(const char *dir, struct pci_dev *d)
{
    char v[HE_SYSREAD_MAX + 1];
    int64_t x;
    int n = pci_attr(dir, "d3cold_allowed", v);
    if (n < 0 && n != -ENOENT) {
        return n;
    }
    if (n > 0) {
        if (parse_i32(v, (size_t)n, false, &x) < 0) {
            return -EINVAL;
        }
        d->has_d3 = true;
        d->d3 = x != 0;
    }
    n = pci_attr(dir, "power_state", d->power);
    if (n < 0 && n != -ENOENT) {
        return n;
    }
    d->has_power = n > 0;
    return 0;
}

/* parsePciDevice: everything of one device, or a negative errno that fails the scrape. */
static int pci_parse(const char *dir, struct pci_dev *d)
{
    int rc;
    memset(d, 0, sizeof(*d));
    if ((rc = pci_locations(dir, d)) < 0 || (rc = pci_ids_attrs(dir, d)) < 0 ||
        (rc = pci_link_attrs(dir, d)) < 0 || (rc = pci_sriov_attrs(dir, d)) < 0 ||
        (rc = pci_power_attrs(dir, d)) < 0) {
        return rc;
    }
    return 0;
}

/* ---- output ----------------------------------------------------------------- */

/* A gauge labelled with the device location only. */
static void pci_gauge(struct he_writer *w, const char *name, const char *help,
                      const struct pci_dev *d, double v)
{
    struct he_label l[4] = {{"segment", d->loc[0]}, {"bus", d->loc[1]}, {"device", d->loc[2]},
                            {"function", d->loc[3]}};
    if (he_writer_family(w, name, help, HE_GAUGE) == 0) {
        he_writer_sample(w, l, 4, v);
    }
}

/* The five name labels of --collector.pcidevice.names. */
struct pci_names {
    char vendor[256], device[256], sub_vendor[256], sub_device[256], class_name[300];
};

static void pci_lookup_names(const struct pcidevice_state *s, const char *ids[6],
                             struct pci_names *n)
{
    /* the ids without their "0x" */
    struct he_field v = {ids[1] + 2, strlen(ids[1] + 2)}, dv = {ids[2] + 2, strlen(ids[2] + 2)};
    struct he_field sv = {ids[3] + 2, strlen(ids[3] + 2)};
    char key[64], sub[64];
    ids_name(s, ID_VENDOR, v, NULL, v.p, n->vendor, sizeof(n->vendor));
    ids_name(s, ID_DEVICE, v, &dv, dv.p, n->device, sizeof(n->device));
    ids_name(s, ID_VENDOR, sv, NULL, sv.p, n->sub_vendor, sizeof(n->sub_vendor));
    int kl = snprintf(key, sizeof(key), "%s:%s", v.p, dv.p);
    int sl = snprintf(sub, sizeof(sub), "%s:%s", sv.p, ids[4] + 2);
    struct he_field sf = {sub, (size_t)sl};
    ids_name(s, ID_SUBSYS, (struct he_field){key, (size_t)kl}, &sf, ids[4] + 2, n->sub_device,
             sizeof(n->sub_device));
    ids_class(s, ids[0] + 2, n->class_name, sizeof(n->class_name));
}

static void pci_emit_info(const struct pcidevice_state *s, struct he_writer *w,
                          const struct pci_dev *d)
{
    char id[6][16];
    const char *ids[6] = {id[0], id[1], id[2], id[3], id[4], id[5]};
    struct pci_names n;
    snprintf(id[0], 16, "0x%06x", d->class_id);
    snprintf(id[1], 16, "0x%04x", d->vendor);
    snprintf(id[2], 16, "0x%04x", d->device);
    snprintf(id[3], 16, "0x%04x", d->sub_vendor);
    snprintf(id[4], 16, "0x%04x", d->sub_device);
    snprintf(id[5], 16, "0x%02x", d->revision);
    struct he_label l[19] = {
        {"segment", d->loc[0]}, {"bus", d->loc[1]}, {"device", d->loc[2]},
        {"function", d->loc[3]}, {"parent_segment", d->parent[0]}, {"parent_bus", d->parent[1]},
        {"parent_device", d->parent[2]}, {"parent_function", d->parent[3]},
        {"class_id", id[0]}, {"vendor_id", id[1]}, {"device_id", id[2]},
        {"subsystem_vendor_id", id[3]}, {"subsystem_device_id", id[4]}, {"revision", id[5]},
        {"vendor_name", n.vendor}, {"device_name", n.device},
        {"subsystem_vendor_name", n.sub_vendor}, {"subsystem_device_name", n.sub_device},
        {"class_name", n.class_name}};
    if (pci_names) {
        pci_lookup_names(s, ids, &n);
    }
    if (he_writer_family(w, "node_pcidevice_info",
                         "Non-numeric data from /sys/bus/pci/devices/<location>, value is always 1.",
                         HE_GAUGE) == 0) {
        he_writer_sample(w, l, pci_names ? 19 : 14, 1.0);
    }
}

static void pci_emit_power(struct he_writer *w, const struct pci_dev *d)
{
    static const char *const states[7] = {"D0", "D1", "D2", "D3hot", "D3cold", "unknown", "error"};
    if (!d->has_power ||
        he_writer_family(w, "node_pcidevice_power_state",
                         "PCIe device power state, one of: D0, D1, D2, D3hot, D3cold, unknown or error.",
                         HE_GAUGE) != 0) {
        return;
    }
    for (int i = 0; i < 7; i++) {
        struct he_label l[5] = {{"segment", d->loc[0]}, {"bus", d->loc[1]}, {"device", d->loc[2]},
                                {"function", d->loc[3]}, {"state", states[i]}};
        he_writer_sample(w, l, 5, strcmp(d->power, states[i]) == 0 ? 1.0 : 0.0);
    }
}

static void pci_emit(const struct pcidevice_state *s, struct he_writer *w, const struct pci_dev *d)
{
    pci_emit_info(s, w, d);
    pci_gauge(w, "node_pcidevice_max_link_transfers_per_second",
              "Value of maximum link's transfers per second (T/s)", d,
              d->has_max_speed ? d->max_speed * 1e9 : -1);
    pci_gauge(w, "node_pcidevice_max_link_width", "Value of maximum link's width (number of lanes)",
              d, d->has_max_width ? d->max_width : -1);
    pci_gauge(w, "node_pcidevice_current_link_transfers_per_second",
              "Value of current link's transfers per second (T/s)", d,
              d->has_cur_speed ? d->cur_speed * 1e9 : -1);
    pci_gauge(w, "node_pcidevice_current_link_width",
              "Value of current link's width (number of lanes)", d,
              d->has_cur_width ? d->cur_width : -1);
    pci_gauge(w, "node_pcidevice_d3cold_allowed",
              "Whether the PCIe device supports D3cold power state (0/1).", d, d->d3 ? 1 : 0);
    pci_gauge(w, "node_pcidevice_sriov_drivers_autoprobe",
              "Whether SR-IOV drivers autoprobe is enabled for the device (0/1).", d,
              d->autoprobe ? 1 : 0);
    pci_gauge(w, "node_pcidevice_sriov_numvfs",
              "Number of Virtual Functions (VFs) currently enabled for SR-IOV.", d, d->numvfs);
    pci_gauge(w, "node_pcidevice_sriov_totalvfs",
              "Total number of Virtual Functions (VFs) supported by the device.", d, d->totalvfs);
    pci_gauge(w, "node_pcidevice_sriov_vf_total_msix",
              "Total number of MSI-X vectors for Virtual Functions.", d, (double)d->msix);
    pci_emit_power(w, d);
    if (d->has_numa && d->numa != -1) {
        pci_gauge(w, "node_pcidevice_numa_node",
                  "NUMA node number for the PCI device. -1 indicates unknown or not available.", d,
                  d->numa);
    }
}

/* ---- collector -------------------------------------------------------------- */

static int pcidevice_init(void **state)
{
    struct pcidevice_state *s = calloc(1, sizeof(*s));
    if (!s) {
        return -ENOMEM;
    }
    he_dir_init(&s->dir);
    he_file_init(&s->ids, false, 64u << 20);
    he_buf_init(&s->keys, 64u << 20);
    if (pci_names) {
        ids_load(s);
    }
    *state = s;
    return 0;
}

static void pcidevice_fini(void *state)
{
    struct pcidevice_state *s = state;
    he_dir_fini(&s->dir);
    he_file_fini(&s->ids);
    he_buf_free(&s->keys);
    free(s->idx);
    free(s->devs);
    free(s);
}

static int pcidevice_collect(void *state, struct he_writer *w)
{
    struct pcidevice_state *s = state;
    char top[PATH_MAX], dir[PATH_MAX];
    int rc = he_path_sys(top, sizeof(top), "bus/pci/devices");
    if (rc == 0) {
        rc = he_dir_read(&s->dir, top);
    }
    if (rc == -ENOENT) {
        he_log_debug("PCI device not found, skipping", NULL);
        return -ENODATA;
    }
    if (rc < 0) {
        return rc;
    }
    if (he_array_grow((void **)&s->devs, &s->cap, s->dir.n ? s->dir.n : 1, sizeof(*s->devs)) < 0) {
        return -ENOMEM;
    }
    /* every device is parsed before anything is written: one bad device fails them all */
    for (size_t i = 0; i < s->dir.n; i++) {
        if ((rc = he_path_join(dir, sizeof(dir), top, he_dir_name(&s->dir, i))) < 0 ||
            (rc = pci_parse(dir, &s->devs[i])) < 0) {
            he_log_debug("pcidevice: error obtaining PCI device info", "device",
                         he_dir_name(&s->dir, i), NULL);
            return rc;
        }
    }
    s->ndevs = s->dir.n;
    for (size_t i = 0; i < s->ndevs; i++) {
        pci_emit(s, w, &s->devs[i]);
    }
    return 0;
}

static const struct he_collector pcidevice_collector = {
    .name = "pcidevice",
    .default_enabled = false,
    .flags = pcidevice_flags,
    .init = pcidevice_init,
    .collect = pcidevice_collect,
    .fini = pcidevice_fini,
};

HE_COLLECTOR_REGISTER(pcidevice_collector)
