#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
#
# Runs a program under the system call filter of a systemd unit, for machines
# where systemd is not PID 1 and systemd-run cannot apply the unit's properties:
#   unit_seccomp.py UNIT PROGRAM [ARG...]
# Reads UNIT's SystemCallFilter= lines (an allow list, ~ lines removing from it
# and later lines adding back, in order, group names expanded by "systemd-analyze syscall-filter"), SystemCallErrorNumber=,
# RestrictAddressFamilies= (socket(2)'s family argument) and RestrictNamespaces=yes
# (unshare and setns refused), loads the filter with libseccomp (python3-seccomp;
# the caller sets no_new_privs) and executes PROGRAM. MemoryDenyWriteExecute and
# the clone(2) namespace flags are not emulated. Exit 77 without python3-seccomp.
import errno
import os
import socket
import subprocess
import sys

try:
    import seccomp
except ImportError:
    print("unit_seccomp: python3-seccomp is missing", file=sys.stderr)
    sys.exit(77)


def unit_settings(path):
    """Every Key=value line of the [Service] section, values per key in order."""
    settings = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";", "[")) or "=" not in line:
                continue
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def expand(names, seen=None):
    """Syscall names of a list mixing names and @groups, recursively."""
    seen = set() if seen is None else seen
    out = set()
    for name in names:
        if not name.startswith("@"):
            out.add(name)
            continue
        if name in seen:
            continue
        seen.add(name)
        text = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True,
                              capture_output=True, text=True).stdout
        members = [line.strip() for line in text.splitlines()[1:]
                   if line.strip() and not line.strip().startswith("#")]
        out |= expand(members, seen)
    return out


def build(settings):
    # In order, as systemd does: an allow list, lines starting with ~ remove
    # from it, later plain lines add back.
    allow = set()
    for value in settings.get("SystemCallFilter", []):
        if value.startswith("~"):
            allow -= expand(value[1:].split())
        else:
            allow |= expand(value.split())
    deny = set()
    err = getattr(errno, settings.get("SystemCallErrorNumber", ["EPERM"])[-1])
    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(err))
    for name in sorted(allow - deny - {"socket", "unshare", "setns"}):
        try:
            f.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            pass  # not a system call on this architecture
    families = settings.get("RestrictAddressFamilies", [])
    if families and "socket" in allow - deny:
        for fam in " ".join(families).split():
            f.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, getattr(socket, fam)))
    elif "socket" in allow - deny:
        f.add_rule(seccomp.ALLOW, "socket")
    if settings.get("RestrictNamespaces", ["no"])[-1] != "yes":
        for name in ("unshare", "setns"):
            if name in allow - deny:
                f.add_rule(seccomp.ALLOW, name)
    return f


def main():
    if len(sys.argv) < 3:
        print("usage: unit_seccomp.py UNIT PROGRAM [ARG...]", file=sys.stderr)
        return 2
    build(unit_settings(sys.argv[1])).load()
    os.execv(sys.argv[2], sys.argv[2:])
    return 1


if __name__ == "__main__":
    sys.exit(main())
