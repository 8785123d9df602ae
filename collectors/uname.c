/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uname: node_uname_info{sysname,release,version,machine,nodename,domainname}
 * from uname(2), each field up to its NUL, unchanged: nodename is the kernel's
 * host name in this UTS namespace (dashboards select hosts by it), domainname
 * the NIS domain ("(none)" when unset). No file is read, so the values are the
 * live kernel's even on a fixture tree. Mirrors node_exporter 1.12's
 * collector/uname.go and uname_linux.go.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "he_collector.h"
#include "he_log.h"

static int uname_collect(void *state, struct he_writer *w)
{
    (void)state;
    struct utsname u;
    if (uname(&u) < 0) {
        int err = errno;
        he_log_debug("uname: uname failed", "err", strerror(err), NULL);
        return -err;
    }
    struct he_label labels[] = {
        {"domainname", u.domainname}, {"machine", u.machine}, {"nodename", u.nodename},
        {"release", u.release},       {"sysname", u.sysname}, {"version", u.version},
    };
    he_writer_family(w, "node_uname_info",
                     "Labeled system information as provided by the uname system call.", HE_GAUGE);
    he_writer_sample(w, labels, sizeof(labels) / sizeof(labels[0]), 1);
    return 0;
}

static const struct he_collector uname_collector = {
    .name = "uname",
    .default_enabled = true,
    .collect = uname_collect,
};

HE_COLLECTOR_REGISTER(uname_collector)
