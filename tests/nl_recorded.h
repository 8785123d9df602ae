/* SPDX-License-Identifier: Apache-2.0 */
/* For the netlink Check suites: recorded messages handed to the parsers. */
#ifndef NL_RECORDED_H
#define NL_RECORDED_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>

/* Copies a recorded message into aligned storage, as a receive buffer holds it. */
static inline const struct nlmsghdr *msg(const unsigned char *bytes, size_t len)
{
    static uint32_t buf[4096];
    ck_assert_uint_le(len, sizeof(buf));
    memcpy(buf, bytes, len);
    return (const struct nlmsghdr *)buf;
}

#define MSG(a) msg((a), sizeof(a))

#endif
