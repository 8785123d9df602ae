#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A read-only passthrough FUSE filesystem over ROOT whose chosen files fail, for
tests/sysfs_errors_test.py: real hwmon drivers answer read() of some sensor files
with EIO, and a file the reader may not open fails with EACCES, which a fixture
tree on disk cannot do.

RULES names the failing files, one "ERRNO RELATIVE_PATH" a line (ERRNO is EIO or
EACCES, the path relative to ROOT, symlinks not followed). EIO is answered by
read(), as a driver does; EACCES by open(), as a 0400 file opened by another user
is. The file is read again at every open(), so the test changes the failures
between scrapes without remounting. Everything else passes through unchanged.

Usage: errors_fs.py ROOT MOUNTPOINT RULES   (runs in the foreground)
"""
import errno
import os
import sys
import threading

try:
    from fusepy import FUSE, FuseOSError, Operations   # Debian's python3-fusepy
except ImportError:
    from fuse import FUSE, FuseOSError, Operations


class ErrorsFs(Operations):
    def __init__(self, root, rules):
        self.root = os.path.realpath(root)
        self.rules_path = rules
        self.lock = threading.Lock()
        self.read_errors = {}   # fh -> errno answered by read()
        self.next_fh = 1

    def _real(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def _rules(self):
        rules = {}
        try:
            with open(self.rules_path) as f:
                for line in f:
                    parts = line.split(None, 1)
                    if len(parts) == 2:
                        rules['/' + parts[1].strip().lstrip('/')] = getattr(errno, parts[0])
        except FileNotFoundError:
            pass
        return rules

    def getattr(self, path, fh=None):
        try:
            st = os.lstat(self._real(path))
        except OSError as e:
            raise FuseOSError(e.errno)
        return {k: getattr(st, k) for k in ('st_mode', 'st_nlink', 'st_size', 'st_uid',
                                            'st_gid', 'st_atime', 'st_mtime', 'st_ctime')}

    def readlink(self, path):
        return os.readlink(self._real(path))

    def readdir(self, path, fh):
        try:
            return ['.', '..'] + os.listdir(self._real(path))
        except OSError as e:
            raise FuseOSError(e.errno)

    def open(self, path, flags):
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise FuseOSError(errno.EROFS)
        err = self._rules().get(path)
        if err == errno.EACCES:
            raise FuseOSError(errno.EACCES)
        if not os.path.isfile(self._real(path)):
            raise FuseOSError(errno.ENOENT)
        with self.lock:
            fh = self.next_fh
            self.next_fh += 1
            if err:
                self.read_errors[fh] = err
        return fh

    def read(self, path, size, offset, fh):
        err = self.read_errors.get(fh)
        if err:
            raise FuseOSError(err)
        with open(self._real(path), 'rb') as f:
            f.seek(offset)
            return f.read(size)

    def release(self, path, fh):
        with self.lock:
            self.read_errors.pop(fh, None)
        return 0


if __name__ == '__main__':
    # direct_io: every read() reaches read() above, never a page cached by an earlier scrape.
    FUSE(ErrorsFs(sys.argv[1], sys.argv[3]), sys.argv[2], foreground=True, ro=True,
         direct_io=True, fsname='errors_fs')
