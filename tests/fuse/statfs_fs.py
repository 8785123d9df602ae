#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A FUSE filesystem with an empty root directory whose statfs answers fixed
numbers, for tests/filesystem_hang.sh: stopping this process (SIGSTOP) makes
every statfs of the mount block, as a dead NFS server does, until SIGCONT.

Usage: statfs_fs.py MOUNTPOINT FSNAME   (runs in the foreground)
"""
import errno
import stat
import sys

try:
    from fusepy import FUSE, FuseOSError, Operations   # Debian's python3-fusepy
except ImportError:
    from fuse import FUSE, FuseOSError, Operations


class FixedStatfs(Operations):
    def getattr(self, path, fh=None):
        if path != '/':
            raise FuseOSError(errno.ENOENT)
        return {'st_mode': stat.S_IFDIR | 0o755, 'st_nlink': 2}

    def readdir(self, path, fh):
        return ['.', '..']

    def statfs(self, path):
        return {'f_bsize': 4096, 'f_frsize': 4096, 'f_blocks': 1000, 'f_bfree': 600,
                'f_bavail': 500, 'f_files': 100, 'f_ffree': 42, 'f_namemax': 255}


if __name__ == '__main__':
    FUSE(FixedStatfs(), sys.argv[1], foreground=True, fsname=sys.argv[2])
