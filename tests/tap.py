# SPDX-License-Identifier: Apache-2.0
"""What the Python tests share: one "ok"/"not ok" line per check, the closing
"N passed, N failed" line CI reads, and a free loopback port."""
import socket
import sys

_counts = {'passed': 0, 'failed': 0}


def check(desc, cond, detail=''):
    """Prints ok/not ok for desc; on failure the detail's first 30 lines follow as comments."""
    if cond:
        _counts['passed'] += 1
        print('ok - ' + desc)
        return
    _counts['failed'] += 1
    print('not ok - ' + desc)
    for line in str(detail).splitlines()[:30]:
        print('#   ' + line)


def finish():
    """Prints the counts and exits, failing when any check failed."""
    print('%d passed, %d failed' % (_counts['passed'], _counts['failed']))
    sys.exit(1 if _counts['failed'] else 0)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
