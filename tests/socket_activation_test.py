#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--web.systemd-socket: the exporter serves the listening socket it is passed
(LISTEN_FDS/LISTEN_PID, fd 3) and binds nothing itself: once with the
environment set by hand (the socket made here, the exporter exec'd with the
same pid so LISTEN_PID matches), once under systemd-socket-activate when that
is installed; without a passed socket it exits 1 with node_exporter's message.

Usage: socket_activation_test.py HOST_EXPORTER
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from tap import check, finish, free_port

BIN = sys.argv[1]
FLAGS = ['--web.systemd-socket', '--collector.disable-defaults', '--collector.loadavg']


def scrape(port, tries=100):
    for _ in range(tries):
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port, timeout=5) as r:
                return r.status, r.read()
        except OSError:
            time.sleep(0.05)
    return None, b''


def by_hand():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    fd = listener.detach()
    if fd != 3:
        os.dup2(fd, 3)
        os.close(fd)
    env = dict(os.environ, LISTEN_FDS='1')
    # sh exports its own pid as LISTEN_PID, then execs the exporter keeping that pid.
    proc = subprocess.Popen(['sh', '-c', 'LISTEN_PID=$$ exec "$0" "$@"', BIN] + FLAGS +
                            ['--web.listen-address=127.0.0.1:1'], env=env, pass_fds=(3,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(3)
    try:
        status, body = scrape(port)
        check('LISTEN_FDS by hand: the passed socket is served', status == 200 and b'node_load1 ' in body,
              status)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    check('LISTEN_FDS by hand: --web.listen-address is ignored',
          b'127.0.0.1:1' not in err and b'systemd activated listeners' in err, err.decode())


def with_systemd_socket_activate():
    tool = shutil.which('systemd-socket-activate')
    if not tool:
        print('# systemd-socket-activate not installed: skipped')
        return
    port = free_port()
    proc = subprocess.Popen([tool, '-l', '127.0.0.1:%d' % port, BIN] + FLAGS,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status, body = scrape(port)
        check('systemd-socket-activate: served on the activated socket',
              status == 200 and b'node_load1 ' in body, status)
    finally:
        proc.terminate()
        proc.wait(10)


def without_socket():
    env = {k: v for k, v in os.environ.items() if not k.startswith('LISTEN_')}
    r = subprocess.run([BIN] + FLAGS, env=env, capture_output=True, text=True, timeout=10)
    check('no passed socket: exit 1 with the toolkit message',
          r.returncode == 1 and 'no socket activation file descriptors found' in r.stderr, r.stderr)


by_hand()
with_systemd_socket_activate()
without_socket()
finish()
