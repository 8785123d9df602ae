/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the --web.config.file loader's parser
 * (he_webconfig_parse): the input is the YAML text. A config that parses must
 * give a priority string; an error must come with its message. No file is read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "he_webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct he_webconfig *c = NULL;
    char err[512];
    memset(err, 'x', sizeof(err));
    int rc = he_webconfig_parse((const char *)data, size, "/etc/host_exporter", &c, err,
                                sizeof(err));
    if (memchr(err, '\0', sizeof(err)) == NULL || (rc < 0 && (!err[0] || c))) {
        abort(); /* an error always comes with its message, and no config */
    }
    if (rc == 0) {
        char prio[1024];
        if (!c || he_webconfig_priority(c, prio, sizeof(prio)) < 0) {
            abort();
        }
        for (size_t i = 0; i < c->nusers; i++) {
            he_webconfig_check_bcrypt(c->users[i].value, err, sizeof(err));
        }
    }
    he_webconfig_free(c);
    return 0;
}
