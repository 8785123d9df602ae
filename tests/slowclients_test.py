#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The single-threaded front end under hostile clients: 1000 connections that
send half a request and then trickle a byte now and then (slowloris), idle
connections that send nothing, and oversized requests (a 1 MB URL, 100 kB of
headers). While they hold on, a real scrape must still be answered, in full,
within 2 seconds; oversized requests must be refused, not buffered. The test
bounds itself (about 15 s) and closes everything it opened. The exporter starts
with a soft open-file limit of 1024, as services often do, and must lift it.

Usage: slowclients_test.py HOST_EXPORTER SOURCE_DIR
"""
import os
import re
import resource
import socket
import subprocess
import sys
import time

from tap import check, finish

SLOW, IDLE = 1000, 200


def low_soft_limit():
    """The soft open-file limit a service manager may set: the exporter must lift it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))


def start(binary, source):
    base = os.path.join(source, 'fixtures', 'base')
    log = open('/tmp/he-slowclients.log', 'w+')
    proc = subprocess.Popen([binary, '--web.listen-address=127.0.0.1:0',
                             '--path.procfs=' + base + '/proc', '--path.sysfs=' + base + '/sys',
                             '--collector.disable-defaults', '--collector.loadavg',
                             '--collector.meminfo'], stdout=subprocess.DEVNULL, stderr=log,
                            preexec_fn=low_soft_limit)
    for _ in range(200):
        log.seek(0)
        m = re.search(r'Listening on" address=127\.0\.0\.1:(\d+)', log.read())
        if m:
            return proc, int(m.group(1))
        time.sleep(0.05)
    proc.kill()
    sys.exit('exporter did not start')


def connect(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    s.setblocking(False)
    return s


def scrape(port):
    """A full GET /metrics; returns (seconds, status line, body length)."""
    t0 = time.monotonic()
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    data = b''
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    head, _, body = data.partition(b'\r\n\r\n')
    return time.monotonic() - t0, head.split(b'\r\n')[0].decode(errors='replace'), body


def oversized(port, request):
    """Sends request; returns the status line the exporter answered, or '' if it closed."""
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    try:
        s.sendall(request)
    except OSError:
        pass
    try:
        data = s.recv(4096)
    except OSError:
        data = b''
    s.close()
    return data.split(b'\r\n')[0].decode(errors='replace')


def main():
    binary, source = sys.argv[1], sys.argv[2]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < SLOW + IDLE + 100:
        print('SKIP: RLIMIT_NOFILE hard limit %d is too low for %d connections' % (hard, SLOW))
        sys.exit(77)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    proc, port = start(binary, source)
    conns = []
    try:
        baseline, status, body = scrape(port)
        check('a scrape answers before the flood', status.endswith('200 OK') and body)
        for i in range(SLOW):
            s = connect(port)
            s.send(b'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ')
            conns.append(s)
        conns += [connect(port) for _ in range(IDLE)]
        for _ in range(3):  # the slow ones trickle, the scrape must not wait for them
            for s in conns[:SLOW]:
                try:
                    s.send(b'a')
                except OSError:
                    pass
            elapsed, status, body = scrape(port)
            check('scrape with %d slow and %d idle connections open: 200 in %.3f s (< 2 s)'
                  % (SLOW, IDLE, elapsed), status.endswith('200 OK') and elapsed < 2.0, status)
            check('  ... and the body is complete', body.endswith(b'\n') and b'node_load1 ' in body)
        status = oversized(port, b'GET /' + b'a' * (1 << 20) + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        check('a 1 MB URL is refused (%s)' % (status or 'connection closed'),
              status == '' or re.match(r'HTTP/1\.[01] 4\d\d', status))
        status = oversized(port, b'GET /metrics HTTP/1.1\r\nHost: x\r\n' +
                           b''.join(b'X-H%d: %s\r\n' % (i, b'v' * 100) for i in range(1000)) + b'\r\n')
        check('100 kB of headers is refused (%s)' % (status or 'connection closed'),
              status == '' or re.match(r'HTTP/1\.[01] 4\d\d', status))
        elapsed, status, body = scrape(port)
        check('a scrape still answers after the oversized requests (%.3f s)' % elapsed,
              status.endswith('200 OK') and elapsed < 2.0, status)
        rss = int(re.search(r'VmRSS:\s+(\d+)', open('/proc/%d/status' % proc.pid).read()).group(1))
        check('memory stays bounded with %d connections open: RSS %d kB (< 64 MB)'
              % (len(conns), rss), rss < 65536)
    finally:
        for s in conns:
            s.close()
        proc.terminate()
        proc.wait(timeout=10)
    check('the exporter exits cleanly afterwards', proc.returncode == 0, proc.returncode)
    finish()


if __name__ == '__main__':
    main()
